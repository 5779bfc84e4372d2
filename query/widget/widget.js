/* placeholder: the widget lands with the server issue */
