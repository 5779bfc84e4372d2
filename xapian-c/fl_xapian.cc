// fl_xapian.cc — placeholder until the wrapper lands (see include/fl_xapian.h).
#include "fl_xapian.h"
#include <xapian.h>
extern "C" const char *fl_xapian_version(void) { return Xapian::version_string(); }
