/* Findling search widget — a drop-in for the PagefindUI call of a site:
 *
 *   new FindlingUI({ element: "#search", showSubResults: true,
 *                    translations: { placeholder: "Suche ..." }, endpoint: "" });
 *
 * Plain JavaScript, no build step, no dependencies.  Talks to `findling
 * serve` (GET /api/search, /api/suggest).  Server text is only ever put into
 * the page as text nodes; the excerpts (HTML-escaped text in which only
 * <mark> is markup) are split at <mark> and decoded into text nodes too, so
 * nothing the index holds can become markup or script.
 *
 * Accepted options (PagefindUI's names): element, showSubResults, showImages,
 * excerptLength (words), resetStyles, debounceTimeoutMs, translations,
 * pageSize, autofocus, processTerm, processResult; plus endpoint (base URL of
 * the server; default: where widget.js was loaded from), facets (the facet
 * names shown as chips, default category/author/year), autocomplete (true),
 * updateUrl (true: keep ?q= and the filters in the page URL).
 */
(function (global) {
  "use strict";

  var scriptSrc = (document.currentScript && document.currentScript.src) || "";

  var DEFAULT_TRANSLATIONS = {
    placeholder: "Suchen",
    clear_search: "Leeren",
    load_more: "Mehr Ergebnisse laden",
    search_label: "Diese Website durchsuchen",
    filters_label: "Filter",
    zero_results: "Keine Ergebnisse für [SEARCH_TERM]",
    many_results: "[COUNT] Ergebnisse für [SEARCH_TERM]",
    one_result: "[COUNT] Ergebnis für [SEARCH_TERM]",
    alt_search: "Keine Ergebnisse für [SEARCH_TERM]. Stattdessen Ergebnisse für [DIFFERENT_TERM]",
    search_suggestion: "Meinten Sie [DIFFERENT_TERM]?",
    searching: "Suche nach [SEARCH_TERM] …",
    /* Findling's own keys */
    did_you_mean: "Meinten Sie [DIFFERENT_TERM]?",
    facet_category: "Kategorie",
    facet_author: "Autor*in",
    facet_tag: "Schlagwort",
    facet_year: "Jahr",
    results_label: "Suchergebnisse",
    suggestions_label: "Vorschläge",
    sections_label: "Abschnitte",
    error: "Die Suche ist gerade nicht erreichbar. Bitte später noch einmal versuchen."
  };

  var instances = 0;

  function el(tag, cls, attrs) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (attrs) for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    return e;
  }

  function text(node, s) {
    node.appendChild(document.createTextNode(s == null ? "" : String(s)));
    return node;
  }

  /* Decodes the entities an HTML-escaping server writes (&amp; &lt; &gt;
   * &quot; &#39; &#NN; &#xHH;) — text only, never parsed as HTML. */
  function decodeEntities(s) {
    return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos|nbsp);/g, function (m, e) {
      switch (e) {
        case "amp": return "&";
        case "lt": return "<";
        case "gt": return ">";
        case "quot": return "\"";
        case "apos": return "'";
        case "nbsp": return "\u00a0";
      }
      var cp = e.charAt(1) === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      try { return String.fromCodePoint(cp); } catch (err) { return "\ufffd"; }
    });
  }

  /* Appends an excerpt ("… <mark>word</mark> …") as text and <mark> nodes. */
  function appendExcerpt(node, excerpt) {
    var parts = String(excerpt || "").split(/(<mark>|<\/mark>)/);
    var target = node;
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i];
      if (p === "<mark>") { target = node.appendChild(el("mark")); continue; }
      if (p === "</mark>") { target = node; continue; }
      /* Anything else tag-like is not ours: drop the tags, keep the text. */
      if (p) text(target, decodeEntities(p.replace(/<[^>]*>/g, "")));
    }
    return node;
  }

  /* Fills a translation, with placeholders replaced by nodes or text. */
  function fill(template, values) {
    var frag = document.createDocumentFragment();
    var re = /\[(SEARCH_TERM|COUNT|DIFFERENT_TERM)\]/g, last = 0, m;
    while ((m = re.exec(template)) !== null) {
      if (m.index > last) text(frag, template.slice(last, m.index));
      var v = values[m[1]];
      if (v && v.nodeType) frag.appendChild(v);
      else text(frag, v == null ? "" : v);
      last = re.lastIndex;
    }
    if (last < template.length) text(frag, template.slice(last));
    return frag;
  }

  function fillText(template, values) {
    return template.replace(/\[(SEARCH_TERM|COUNT|DIFFERENT_TERM)\]/g, function (m, k) {
      return values[k] == null ? "" : String(values[k]);
    });
  }

  function formatDate(iso) {
    if (!iso || !/^\d{4}-\d{2}-\d{2}/.test(iso)) return iso || "";
    try {
      var d = new Date(iso.slice(0, 10) + "T00:00:00Z");
      return new Intl.DateTimeFormat("de-DE", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(d);
    } catch (e) { return iso.slice(0, 10); }
  }

  function defaultEndpoint() {
    try { return scriptSrc ? new URL(scriptSrc, location.href).origin : ""; } catch (e) { return ""; }
  }

  function FindlingUI(opts) {
    if (!(this instanceof FindlingUI)) return new FindlingUI(opts);
    opts = opts || {};
    this.id = "findling-ui-" + (++instances);
    this.opts = {
      element: opts.element || "[data-findling-ui]",
      showSubResults: opts.showSubResults === true,
      showImages: opts.showImages !== false,
      excerptLength: opts.excerptLength > 0 ? opts.excerptLength : 30,
      resetStyles: opts.resetStyles !== false,
      debounceTimeoutMs: opts.debounceTimeoutMs >= 0 ? opts.debounceTimeoutMs : 300,
      pageSize: opts.pageSize > 0 ? Math.min(opts.pageSize, 100) : 5,
      autofocus: opts.autofocus === true,
      processTerm: typeof opts.processTerm === "function" ? opts.processTerm : null,
      processResult: typeof opts.processResult === "function" ? opts.processResult : null,
      endpoint: (opts.endpoint != null ? String(opts.endpoint) : defaultEndpoint()).replace(/\/+$/, ""),
      facets: Array.isArray(opts.facets) ? opts.facets : ["category", "author", "year"],
      autocomplete: opts.autocomplete !== false,
      updateUrl: opts.updateUrl !== false,
      maxChips: opts.maxChips > 0 ? opts.maxChips : 8
    };
    this.t = {};
    var k;
    for (k in DEFAULT_TRANSLATIONS) this.t[k] = DEFAULT_TRANSLATIONS[k];
    if (opts.translations) for (k in opts.translations) if (typeof opts.translations[k] === "string") this.t[k] = opts.translations[k];

    this.root = typeof this.opts.element === "string" ? document.querySelector(this.opts.element) : this.opts.element;
    if (!this.root) throw new Error("FindlingUI: element " + this.opts.element + " not found");

    this.state = { term: "", filters: {}, offset: 0, total: 0, seq: 0, results: null };
    this.opts.facets.forEach(function (f) { this.state.filters[f] = []; }, this);
    this.searchTimer = null;
    this.suggestTimer = null;
    this.controller = null;
    this.suggestController = null;
    this.activeSuggestion = -1;
    this.build();
    this.readUrl();
    var self = this;
    this.onPopState = function () { self.readUrl(); self.search(self.state.term, { push: false, immediate: true, fromUrl: true }); };
    if (this.opts.updateUrl) global.addEventListener("popstate", this.onPopState);
    if (this.state.term) this.search(this.state.term, { push: false, immediate: true, fromUrl: true });
    if (this.opts.autofocus) this.input.focus();
  }

  FindlingUI.prototype.build = function () {
    var t = this.t, id = this.id, self = this;
    var wrap = el("div", "findling-ui pagefind-ui" + (this.opts.resetStyles ? " findling-ui--reset" : ""), {
      role: "search", "aria-label": t.search_label
    });
    var form = el("form", "findling-ui__form pagefind-ui__form", { action: "", autocomplete: "off" });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      self.closeSuggestions();
      self.search(self.input.value, { push: true, immediate: true });
    });
    var label = el("label", "findling-ui__label", { "for": id + "-input" });
    text(label, t.search_label);
    var input = el("input", "findling-ui__search-input pagefind-ui__search-input", {
      id: id + "-input", type: "text", placeholder: t.placeholder, autocapitalize: "off",
      autocorrect: "off", spellcheck: "false", enterkeyhint: "search", role: "combobox",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": id + "-suggestions",
      maxlength: "512"
    });
    var clear = el("button", "findling-ui__search-clear pagefind-ui__search-clear", { type: "button", hidden: "" });
    text(clear, t.clear_search);
    var sugg = el("ul", "findling-ui__suggestions", { id: id + "-suggestions", role: "listbox", "aria-label": t.suggestions_label, hidden: "" });
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(clear);
    form.appendChild(sugg);

    var drawer = el("div", "findling-ui__drawer pagefind-ui__drawer", { hidden: "" });
    var facets = el("div", "findling-ui__filters pagefind-ui__filter-panel", { role: "group", "aria-label": t.filters_label });
    var message = el("p", "findling-ui__message pagefind-ui__message", { role: "status", "aria-live": "polite", "aria-atomic": "true" });
    var dym = el("p", "findling-ui__did-you-mean", { hidden: "" });
    var results = el("ol", "findling-ui__results pagefind-ui__results", { "aria-label": t.results_label, id: id + "-results" });
    var more = el("button", "findling-ui__button pagefind-ui__button", { type: "button", hidden: "" });
    text(more, t.load_more);
    drawer.appendChild(facets);
    drawer.appendChild(message);
    drawer.appendChild(dym);
    drawer.appendChild(results);
    drawer.appendChild(more);
    wrap.appendChild(form);
    wrap.appendChild(drawer);
    this.root.textContent = "";
    this.root.appendChild(wrap);

    this.wrap = wrap; this.input = input; this.clearBtn = clear; this.suggList = sugg;
    this.drawer = drawer; this.facetBox = facets; this.message = message; this.dym = dym;
    this.resultList = results; this.moreBtn = more;

    input.addEventListener("input", function () {
      clear.hidden = !input.value;
      self.search(input.value, { push: false });
      self.suggestSoon(input.value);
    });
    input.addEventListener("keydown", function (e) { self.onInputKey(e); });
    input.addEventListener("blur", function () { setTimeout(function () { self.closeSuggestions(); }, 150); });
    clear.addEventListener("click", function () {
      input.value = "";
      clear.hidden = true;
      self.closeSuggestions();
      self.search("", { push: true, immediate: true });
      input.focus();
    });
    more.addEventListener("click", function () { self.loadMore(); });
    results.addEventListener("keydown", function (e) { self.onResultsKey(e); });
  };

  /* ------------------------------------------------------------ URL state */

  FindlingUI.prototype.readUrl = function () {
    if (!this.opts.updateUrl) return;
    var p = new URLSearchParams(location.search);
    this.state.term = p.get("q") || "";
    this.opts.facets.forEach(function (f) { this.state.filters[f] = p.getAll(f); }, this);
    this.input.value = this.state.term;
    this.clearBtn.hidden = !this.state.term;
  };

  FindlingUI.prototype.writeUrl = function (push) {
    if (!this.opts.updateUrl || !global.history || !history.replaceState) return;
    var p = new URLSearchParams(location.search);
    p.delete("q");
    this.opts.facets.forEach(function (f) { p.delete(f); });
    if (this.state.term) {
      p.set("q", this.state.term);
      this.opts.facets.forEach(function (f) {
        this.state.filters[f].forEach(function (v) { p.append(f, v); });
      }, this);
    }
    var qs = p.toString();
    var url = location.pathname + (qs ? "?" + qs : "") + location.hash;
    if (url === location.pathname + location.search + location.hash) return;
    if (push) history.pushState({ findling: true }, "", url);
    else history.replaceState(history.state, "", url);
  };

  /* ------------------------------------------------------------ searching */

  FindlingUI.prototype.triggerSearch = function (term) {
    this.input.value = term;
    this.clearBtn.hidden = !term;
    this.search(term, { push: true, immediate: true });
  };

  FindlingUI.prototype.triggerFilters = function (filters) {
    for (var f in filters) if (this.state.filters[f]) this.state.filters[f] = [].concat(filters[f]);
    this.search(this.state.term, { push: true, immediate: true });
  };

  FindlingUI.prototype.search = function (term, how) {
    var self = this;
    how = how || {};
    clearTimeout(this.searchTimer);
    var run = function () {
      var wasEmpty = !self.state.term;
      var t = (term || "").trim();
      if (self.opts.processTerm) t = self.opts.processTerm(t) || "";
      self.state.term = t;
      if (!how.fromUrl) self.writeUrl(how.push || (wasEmpty && !!t));
      self.fetchResults(false);
    };
    if (how.immediate || !term) run();
    else this.searchTimer = setTimeout(run, this.opts.debounceTimeoutMs);
  };

  FindlingUI.prototype.buildQuery = function (offset) {
    var p = new URLSearchParams();
    p.set("q", this.state.term);
    this.opts.facets.forEach(function (f) {
      this.state.filters[f].forEach(function (v) { p.append(f, v); });
    }, this);
    p.set("offset", String(offset));
    p.set("limit", String(this.opts.pageSize));
    p.set("excerpt_length", String(Math.max(20, Math.min(2000, this.opts.excerptLength * 7))));
    return p.toString();
  };

  FindlingUI.prototype.fetchResults = function (append) {
    var self = this, term = this.state.term;
    if (this.controller) this.controller.abort();
    this.controller = null;
    var seq = ++this.state.seq;
    if (!term) {
      this.drawer.hidden = true;
      this.resultList.textContent = "";
      this.facetBox.textContent = "";
      this.message.textContent = "";
      this.wrap.removeAttribute("data-state");
      return Promise.resolve();
    }
    this.drawer.hidden = false;
    this.wrap.setAttribute("data-state", "searching");
    if (!append) {
      this.message.textContent = "";
      this.message.appendChild(fill(this.t.searching, { SEARCH_TERM: term }));
    }
    if (!append) this.state.offset = 0;
    var offset = this.state.offset;
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    this.controller = ctl;
    return fetch(this.opts.endpoint + "/api/search?" + this.buildQuery(offset), {
      signal: ctl ? ctl.signal : undefined, headers: { Accept: "application/json" }
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (seq !== self.state.seq) return;
      if (!res.ok) throw new Error((res.body && res.body.error && res.body.error.message) || "error");
      self.render(res.body, append);
    }).catch(function (err) {
      if (err && err.name === "AbortError") return;
      if (seq !== self.state.seq) return;
      self.wrap.setAttribute("data-state", "error");
      self.message.textContent = self.t.error;
      if (global.console) console.warn("FindlingUI:", err);
    });
  };

  FindlingUI.prototype.loadMore = function () {
    this.state.offset += this.opts.pageSize;
    this.fetchResults(true);
  };

  /* ------------------------------------------------------------ rendering */

  FindlingUI.prototype.render = function (data, append) {
    var t = this.t, self = this;
    this.state.total = data.total || 0;
    var term = this.state.term;
    this.message.textContent = "";
    var count = this.state.total;
    var tmpl = count === 0 ? t.zero_results : count === 1 ? t.one_result : t.many_results;
    this.message.appendChild(fill(tmpl, { SEARCH_TERM: term, COUNT: count.toLocaleString("de-DE") }));

    this.dym.textContent = "";
    this.dym.hidden = true;
    if (data.corrected_query && data.corrected_query !== term) {
      var a = el("a", "findling-ui__did-you-mean-link", { href: "?q=" + encodeURIComponent(data.corrected_query) });
      text(a, data.corrected_query);
      a.addEventListener("click", function (e) { e.preventDefault(); self.triggerSearch(data.corrected_query); });
      /* Nothing found: PagefindUI's search_suggestion; else "Meinten Sie …?". */
      this.dym.appendChild(fill(count === 0 ? t.search_suggestion : t.did_you_mean,
                                { DIFFERENT_TERM: a, SEARCH_TERM: term }));
      this.dym.hidden = false;
    }

    if (!append) {
      this.resultList.textContent = "";
      this.renderFacets(data.facets || {});
    }
    (data.hits || []).forEach(function (hit) {
      if (self.opts.processResult) hit = self.opts.processResult(hit) || hit;
      self.resultList.appendChild(self.renderHit(hit));
    });
    var shown = this.resultList.children.length;
    this.moreBtn.hidden = shown >= count || !(data.hits && data.hits.length);
    this.wrap.setAttribute("data-state", "done");
    this.wrap.setAttribute("data-total", String(count));
  };

  FindlingUI.prototype.renderHit = function (hit) {
    var li = el("li", "findling-ui__result pagefind-ui__result");
    if (this.opts.showImages && hit.image) {
      var thumb = el("div", "findling-ui__result-thumb pagefind-ui__result-thumb");
      var img = el("img", "findling-ui__result-image pagefind-ui__result-image", { alt: "", loading: "lazy", src: hit.image });
      /* A missing image leaves no empty box behind. */
      img.addEventListener("error", function () { thumb.remove(); });
      thumb.appendChild(img);
      li.appendChild(thumb);
    }
    var inner = el("div", "findling-ui__result-inner pagefind-ui__result-inner");
    var title = el("p", "findling-ui__result-title pagefind-ui__result-title");
    var link = el("a", "findling-ui__result-link pagefind-ui__result-link", { href: hit.url || "#" });
    text(link, hit.title || hit.url || hit.id);
    title.appendChild(link);
    inner.appendChild(title);
    var meta = [];
    if (hit.date) meta.push(formatDate(hit.date));
    if (hit.categories && hit.categories.length) meta.push(hit.categories.join(", "));
    if (hit.authors && hit.authors.length) meta.push(hit.authors.join(", "));
    if (meta.length) {
      var m = el("p", "findling-ui__result-meta");
      if (hit.date) {
        var time = el("time", null, { datetime: String(hit.date).slice(0, 10) });
        text(time, meta.shift());
        m.appendChild(time);
        if (meta.length) text(m, " · " + meta.join(" · "));
      } else {
        text(m, meta.join(" · "));
      }
      inner.appendChild(m);
    }
    if (hit.excerpt) inner.appendChild(appendExcerpt(el("p", "findling-ui__result-excerpt pagefind-ui__result-excerpt"), hit.excerpt));
    if (this.opts.showSubResults && hit.sections && hit.sections.length) {
      var nested = el("ul", "findling-ui__result-nested-list", { "aria-label": this.t.sections_label });
      hit.sections.forEach(function (s) {
        var sli = el("li", "findling-ui__result-nested pagefind-ui__result-nested");
        var st = el("p", "findling-ui__result-title pagefind-ui__result-title");
        var sa = el("a", "findling-ui__result-link pagefind-ui__result-link", { href: s.url || (hit.url + "#" + (s.anchor || "")) });
        text(sa, s.title || s.anchor);
        st.appendChild(sa);
        sli.appendChild(st);
        if (s.excerpt) sli.appendChild(appendExcerpt(el("p", "findling-ui__result-excerpt pagefind-ui__result-excerpt"), s.excerpt));
        nested.appendChild(sli);
      });
      inner.appendChild(nested);
    }
    li.appendChild(inner);
    return li;
  };

  FindlingUI.prototype.renderFacets = function (facets) {
    var self = this, t = this.t;
    this.facetBox.textContent = "";
    this.opts.facets.forEach(function (name) {
      var counts = facets[name] || [];
      var selected = self.state.filters[name] || [];
      if (!counts.length && !selected.length) return;
      var group = el("div", "findling-ui__facet", { role: "group", "data-facet": name });
      var label = el("span", "findling-ui__facet-label", { id: self.id + "-facet-" + name });
      text(label, t["facet_" + name] || name);
      group.setAttribute("aria-labelledby", label.id);
      group.appendChild(label);
      var chips = el("div", "findling-ui__chips");
      group.appendChild(chips);
      var shown = counts.slice(0, self.opts.maxChips);
      selected.forEach(function (v) {
        if (!shown.some(function (c) { return c.value === v; })) shown.push({ value: v, count: 0 });
      });
      counts.slice(self.opts.maxChips).forEach(function (c) {
        if (selected.indexOf(c.value) >= 0) shown.forEach(function (s) { if (s.value === c.value) s.count = c.count; });
      });
      shown.forEach(function (c) {
        var on = selected.indexOf(c.value) >= 0;
        var chip = el("button", "findling-ui__chip" + (on ? " findling-ui__chip--active" : ""), {
          type: "button", "aria-pressed": on ? "true" : "false", "data-value": c.value
        });
        text(chip, c.value);
        var n = el("span", "findling-ui__chip-count");
        text(n, c.count);
        chip.appendChild(n);
        chip.addEventListener("click", function () { self.toggleFilter(name, c.value); });
        chips.appendChild(chip);
      });
      self.facetBox.appendChild(group);
    });
  };

  FindlingUI.prototype.toggleFilter = function (name, value) {
    var list = this.state.filters[name], i = list.indexOf(value);
    if (i >= 0) list.splice(i, 1); else list.push(value);
    this.writeUrl(true);
    var self = this;
    this.fetchResults(false).then(function () {
      var chip = self.facetBox.querySelector('[data-facet="' + name + '"] button[data-value="' + cssEscape(value) + '"]');
      if (chip) chip.focus();
    });
  };

  function cssEscape(s) {
    return global.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&");
  }

  /* ------------------------------------------------------------ autocomplete */

  FindlingUI.prototype.suggestSoon = function (value) {
    var self = this;
    clearTimeout(this.suggestTimer);
    if (!this.opts.autocomplete) return;
    var v = (value || "").trim();
    if (v.length < 2) { this.closeSuggestions(); return; }
    this.suggestTimer = setTimeout(function () { self.fetchSuggestions(v); }, Math.min(150, this.opts.debounceTimeoutMs));
  };

  FindlingUI.prototype.fetchSuggestions = function (v) {
    var self = this;
    if (this.suggestController) this.suggestController.abort();
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    this.suggestController = ctl;
    fetch(this.opts.endpoint + "/api/suggest?q=" + encodeURIComponent(v), { signal: ctl ? ctl.signal : undefined })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) {
        if (document.activeElement !== self.input || self.input.value.trim() !== v) return;
        self.showSuggestions(v, data.suggestions || []);
      })
      .catch(function () {});
  };

  /* Completing the last word of what was typed. */
  function completeWith(value, word) {
    var m = /^(.*?)(\S*)$/.exec(value);
    return (m ? m[1] : "") + word;
  }

  FindlingUI.prototype.showSuggestions = function (v, list) {
    var self = this;
    this.suggList.textContent = "";
    this.activeSuggestion = -1;
    this.input.removeAttribute("aria-activedescendant");
    list = list.filter(function (s) { return s && s.toLowerCase() !== v.toLowerCase(); }).slice(0, 8);
    if (!list.length) { this.closeSuggestions(); return; }
    list.forEach(function (s, i) {
      var li = el("li", "findling-ui__suggestion", { role: "option", id: self.id + "-sugg-" + i, "aria-selected": "false" });
      text(li, s);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); self.pickSuggestion(s); });
      self.suggList.appendChild(li);
    });
    this.suggList.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  FindlingUI.prototype.closeSuggestions = function () {
    clearTimeout(this.suggestTimer);
    this.suggList.hidden = true;
    this.suggList.textContent = "";
    this.activeSuggestion = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  FindlingUI.prototype.pickSuggestion = function (s) {
    var v = completeWith(this.input.value, s);
    this.closeSuggestions();
    this.triggerSearch(v);
  };

  FindlingUI.prototype.moveSuggestion = function (delta) {
    var items = this.suggList.children, n = items.length;
    if (!n) return false;
    if (this.activeSuggestion >= 0) items[this.activeSuggestion].setAttribute("aria-selected", "false");
    this.activeSuggestion += delta;
    if (this.activeSuggestion < -1) this.activeSuggestion = n - 1;
    if (this.activeSuggestion >= n) this.activeSuggestion = -1;
    if (this.activeSuggestion >= 0) {
      items[this.activeSuggestion].setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", items[this.activeSuggestion].id);
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
    return true;
  };

  /* ------------------------------------------------------------ keyboard */

  FindlingUI.prototype.resultLinks = function () {
    return Array.prototype.slice.call(this.resultList.querySelectorAll("a.findling-ui__result-link"));
  };

  FindlingUI.prototype.onInputKey = function (e) {
    var open = !this.suggList.hidden;
    if (e.key === "ArrowDown") {
      if (open) { e.preventDefault(); this.moveSuggestion(1); return; }
      var links = this.resultLinks();
      if (links.length) { e.preventDefault(); links[0].focus(); }
    } else if (e.key === "ArrowUp" && open) {
      e.preventDefault();
      this.moveSuggestion(-1);
    } else if (e.key === "Enter" && open && this.activeSuggestion >= 0) {
      e.preventDefault();
      this.pickSuggestion(this.suggList.children[this.activeSuggestion].textContent);
    } else if (e.key === "Escape") {
      if (open) this.closeSuggestions();
      else if (this.input.value) { this.input.value = ""; this.clearBtn.hidden = true; this.search("", { push: true, immediate: true }); }
    }
  };

  FindlingUI.prototype.onResultsKey = function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Home" && e.key !== "End") return;
    var links = this.resultLinks(), i = links.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    if (e.key === "Home") return links[0].focus();
    if (e.key === "End") return links[links.length - 1].focus();
    if (e.key === "ArrowDown") {
      if (i + 1 < links.length) links[i + 1].focus();
      else if (!this.moreBtn.hidden) this.moreBtn.focus();
    } else if (i > 0) {
      links[i - 1].focus();
    } else {
      this.input.focus();
    }
  };

  FindlingUI.prototype.destroy = function () {
    clearTimeout(this.searchTimer);
    clearTimeout(this.suggestTimer);
    if (this.controller) this.controller.abort();
    if (this.suggestController) this.suggestController.abort();
    global.removeEventListener("popstate", this.onPopState);
    this.root.textContent = "";
  };

  global.FindlingUI = FindlingUI;
})(window);
