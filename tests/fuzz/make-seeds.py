#!/usr/bin/env python3
"""make-seeds.py — (re)writes the seed corpora in tests/fuzz/corpus/NAME/.

Seeds are small: a few files of the example site (our own content) and
hand-written tricky inputs.  Run from the repository root after changing a
target's input format; the result is committed.
"""
import os
import struct

ROOT = os.path.join("tests", "fuzz", "corpus")
SITE = os.path.join("examples", "site")


def site(path):
    with open(os.path.join(SITE, path), "rb") as f:
        return f.read()


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


POSTS = [
    "_posts/2024-03-12-werkstattgespraech-kuendigungsschutz.md",
    "_beitraege/liquid-vorlagen-fuer-vereine.md",
    "_beitraege/themenschwerpunkte-2026.md",
    "index.md",
]

FM_TRICKY = [
    # BOM, CRLF, "..." close
    "\ufeff---\r\ntitle: Über uns\r\ndate: 2025-03-01 10:00:00 +0100\r\n...\r\nText\r\n",
    # misplaced front matter, list forms, aliases
    "Vorwort\n\n---\ntitle: &t Spät\ntags: eins zwei  drei\ncategories: [A, B]\nalias: *t\n---\nBody\n",
    # broken YAML, unclosed block
    "---\ntitle: [unclosed\ndate: 2025-13-45T25:61:61Z\n---\n# H\n",
    "---\ntitle: kein Ende\n\nnur Text\n",
    # odd values: nested, null, booleans, numbers as dates
    "---\nauthor: {name: X}\ntag: ~\npublished: no\ndate: 20250301\npermalink: /:year/:title/\n"
    "search: false\nnoindex: yes\nimage: [a, b]\ncategory: Stadt Leben\n---\n",
]

MD_TRICKY = [
    "# Titel {#eigene-id}\n{: .lead}\n\nText mit **fett** und [Link](http://x) ![Bild](a.png)\n\n"
    "Titel\n=====\n\n## Titel\n\n## Titel 1\n\n## Titel\n",
    "{% include card.html text=\"Jetzt anmelden\" url=\"/x\" %}\n{{ page.title | upcase }}\n"
    "{% comment %}weg{% endcomment %}{% raw %}{{ bleibt }}{% endraw %}\n{% if a %}\n{% endif",
    "<div>Vor&shy;teil &amp; &auml;&#228;&#xE4;&#xD800;&#0;&#99999999;&unknown; &</div>\n"
    "<script>alert(1)</script><style>p{}</style><h2>HTML</h2>\n<!-- kommentar",
    "| Spalte | Zwei |\n|---|---|\n| a | ~~b~~ |\n\n> Zitat\n>> tiefer\n\n- [ ] Liste\n  1. x\n\n"
    "```\ncode <b>\n```\n\n    eingerückt\n\n{::options parse_block_html=\"true\" /}\n{:toc}\n",
    "# § 1 Geltungsbereich\n\n(1) Dieses Gesetz gilt für Behörden.\n\n# § 2 Begriffe\n\n"
    "Im Sinne dieses Gesetzes sind\n1. *Daten*: Angaben,\n2. __Stellen__: Ämter.\n\n# Anlage (zu § 2)\n",
]

# ------------------------------------------------------------------ site
cfg = site("_config.yml")
for i, p in enumerate(POSTS[:3]):
    put("site", "example-%d" % i, cfg + b"\0" + site(p))
put("site", "default-config-post", site(POSTS[1]))
put("site", "bare-config", b"permalink: /:categories/:year/:month/:day/:title:output_ext\n"
    b"baseurl: blog/\nfuture: true\nexclude: [seite.md]\ncollections: [beitraege]\n\0"
    + FM_TRICKY[4].encode())
put("site", "bad-config", b"collections: 3\n\0---\ntitle: x\n---\n")

# ------------------------------------------------------------------ frontmatter
for i, p in enumerate(POSTS[:3]):
    put("frontmatter", "example-%d" % i, bytes([i * 2]) + site(p))
for i, t in enumerate(FM_TRICKY):
    put("frontmatter", "tricky-%d" % i, bytes([i * 3 + 1]) + t.encode())

# ------------------------------------------------------------------ markdown
for i, p in enumerate(POSTS):
    put("markdown", "example-%d" % i, site(p))
for i, t in enumerate(MD_TRICKY):
    put("markdown", "tricky-%d" % i, t)

# ------------------------------------------------------------------ config
put("config", "findling-yml", site("findling.yml"))
put("config", "jekyll-config", cfg)
put("config", "tricky-0", "facets:\n  - field: categories\n    name: kategorie\n  - {field: x}\n"
    "synonyms: [[KI, Künstliche Intelligenz], [], solo]\nmax_file_size: 99999999999999999999G\n"
    "exclude: archiv\nwords: [a, [b]]\nrecency_boost: -1e999\nunbekannt: 1\n")
put("config", "tricky-1", "base: &b {label: L}\nfacets:\n  - <<: *b\n    field: tag\n"
    "max_file_size: 1.5MB\ndb: ~\n---\nsecond: doc\n")
put("config", "tricky-2", "\t- [\n%YAML 1.3\n!!binary ?x: ]\n\"\\x\"")

# ------------------------------------------------------------------ normalize / stem / utf8
TEXT = [
    "Straße STRASSE ẞ Maße Grüße Öl Äpfel ÜBER",
    "Gonçalves Dvořák Łódź Ørsted Æsir œuvre Þór İstanbul ŉ ǅ",
    "u\u0308ber A\u030a ﬁnden ｆｕｌｌ ſchön ① ² ½ \u00a0\u2003\u200b\u2028",
    "  Bürger*innen  Bürger:innen BürgerInnen \r\n\tKünstliche  Intelligenz ",
]
for i, t in enumerate(TEXT):
    put("normalize", "text-%d" % i, t)
put("normalize", "invalid", b"ok \xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf \xff end")

WORDS = ["aufeinanderfolgenden", "Bürgerinnen", "häuser", "kategorischen", "Lehrerin",
         "ABGEORDNETE", "maße", "quellen", "tagung", "ueber", "x", "ärztinnen", "ß"]
for w in WORDS:
    put("stem", w.lower().encode("ascii", "replace").decode(), w)
put("stem", "invalid", b"h\xe4user\xc3")

put("utf8", "mixed", "Grüße 😀 ẞ".encode() + b"\xc3\x28\xe2\x82\xf0\x9f\x98\xed\xa0\x80\xef\xbf\xbf")
put("utf8", "overlong", b"\xc0\x80\xe0\x80\xaf\xf0\x80\x80\xaf\xf8\x88\x80\x80\x80")
put("utf8", "text", TEXT[2])

# ------------------------------------------------------------------ json
# A program for fuzz_json: op bytes (op % 9: 0 object, 1 array, 2 string,
# 3 int, 4 double, 5/6 bool, 7 null, 8 string_or_null(NULL)); inside a
# container a byte % 4 == 0 closes it, else a member follows (objects: a
# length-prefixed key first).
def jstr(b):
    return bytes([len(b)]) + b


prog = bytes([0])                       # object
prog += b"\x01" + jstr(b"id") + b"\x02" + jstr("Grüße \"x\"\n\u2028".encode())
prog += b"\x01" + jstr(b"n") + b"\x03" + struct.pack(">q", -(2 ** 63))
prog += b"\x01" + jstr(b"score") + b"\x04" + struct.pack(">d", 0.8125) + b"\x05"
prog += b"\x01" + jstr(b"big") + b"\x04" + struct.pack(">d", -1.5e300) + b"\x13"
prog += b"\x01" + jstr(b"list") + b"\x01" + b"\x01\x05\x01\x07\x01\x08\x01\x02" + jstr(b"\xff\xc3") + b"\x00"
prog += b"\x00"
put("json", "program-0", prog)
put("json", "nested", bytes([1, 1] * 70))
put("json", "string-invalid", b"\x02\x10" + b"a\x00\x1f\x7f\xed\xa0\x80\xf4\x90\x80\x80\"\\/")

# ------------------------------------------------------------------ docdata
# Format 2 of the data (index format 4): a section table with an anchored
# row, level 64, a many-digit span; then damaged tables.
enc = ("v\t2\nid\t_beitraege/x.md\nurl\t/beitraege/x/\ntitle\tTab\\there \\\\ und \\n\n"
       "author\tA\nauthor\tB\ntag\t\nsections\t3\t1000" "a41h35" "00!&&&&&30\n"
       "unknown\tkey\n").encode()
put("docdata", "encoded", b"\0" + enc)
put("docdata", "malformed", b"\0sections\t2\t0000\nsections\t\t\nnovalue\n\\\t\\")
# A section entry (fl_secentry): anchor, title, two checkpoints, text.
put("docdata", "entry", b"\0\x05anker\x05Titel\x02\x03\x04" + "Ein Text über Vögel.".encode())
fields = b"\x01" + b"\0".join([b"id.md", b"/u/", b"-", "Tit\tel\\".encode(), b"", b"2025-01-01",
                               b"-", b"i.png", b"de", b"aAnna", b"cKat\negorie", b"tx",
                               b"sanker"]) + b"\0" + b"\x02\0\0\0\x05\0\0\0\x09" + "Titel".encode()
put("docdata", "fields", fields)

# ------------------------------------------------------------------ analyze
ANALYZE = [
    "Die Bürger*innen, Bürger:innen, Bürger_innen, Bürger·innen, Bürger/-innen und BürgerInnen "
    "sowie Expert\\*in, Jede*r und die Ärztinnen trafen sich.",
    "Nach § 622 Abs. 2 BGB, §§ 1–3 und Art. 3 GG (Artikel 20a) gilt ab 15.01.2026 bzw. 2026-01-15: "
    "3,5 % von 1.000 €, z. B. u. a. d. h. usw.",
    "Kündigungsschutzgesetz Zivilgesellschaft Bürgerbeteiligungsverfahren KI-Meetup "
    "Open-Data-Tag geht's Straßenbahn-Haltestelle Donaudampfschifffahrt",
    "Mail an info@offenes-labor.example oder https://example.org/pfad?x=1&y=ä#anker, "
    "www.musterstadt.example und ftp://a.b/c.",
    "Ｆｕｌｌ ﬁnden ſchön Å u\u0308ber İstanbul 😀 \u00ad Trenn\u00adstrich ‚Zitat‘ «guillemets» 42-mal",
]
for i, t in enumerate(ANALYZE):
    put("analyze", "text-%d" % i, t)
put("analyze", "example-post", site(POSTS[0]))

# ------------------------------------------------------------------ query / params
QUERIES = [
    'Bürger*innen "offenes Labor" -Datenschutz Innov* OR KI',
    'titel:"Künstliche Intelligenz" autor:Adeyemi kategorie:Methoden tag:ki jahr:2024..2025',
    'datum:2025-01-01..2025-06-30 (a ODER b) UND NICHT c AND (d NOT e',
    '* datum:2025-03 jahr:..2024 datum:2024-02-30..2023 "unclosed ((( ) ) OR OR - -"" :',
    '§ 622 BGB z. B. info@x.example https://x.example/?q=1 \t\x01 ODER',
]
for i, q in enumerate(QUERIES):
    put("query", "q-%d" % i, q)
put("query", "invalid-utf8", b"stra\xdfe \xff\xfe titel:\xc3")

PARAMS = [
    "q=B%C3%BCrger*innen&category=Methoden&category=R%C3%BCckblick&author=Paul+Adeyemi"
    "&tag=ki&year=2024&since=2024-01-01&until=2025-12-31&sort=-date&offset=10&limit=20"
    "&excerpt_length=300&utm_source=x",
    "q=a&limit=0&offset=99999&sort=wrong&since=2025-02-30",
    "q=%ZZ&q=%C3%28&q=%00&=&&&x&q",
    "q=" + "%E2%82%AC" * 20 + "&year=20x4&limit=101&excerpt_length=-1",
]
for i, p in enumerate(PARAMS):
    put("params", "qs-%d" % i, p)

# ------------------------------------------------------------------ search (HTTP query strings)
for i, p in enumerate(PARAMS[:2]):
    put("search", "qs-%d" % i, p)
SEARCH = [
    "q=Labor&sort=date&limit=3",
    "q=*&category=Methoden&year=2024&limit=100",
    "q=titel%3AKI+OR+%22offenes+Labor%22+-Datenschutz&excerpt_length=50",
    "q=B%C3%BCrger*innen+Beteiligung*&since=2020-01-01&until=2030-12-31&offset=1",
    "q=%C2%A7+622+K%C3%BCndigungsschutz&sort=-date",
    # matched words longer than the shortest excerpt (20 bytes)
    "q=Stadtentwicklungsausschuss+Nachbarschaftsvereinen&excerpt_length=21&limit=5",
]
for i, p in enumerate(SEARCH):
    put("search", "s-%d" % i, p)
