#!/usr/bin/env bash
# search_sections.sh — sub-results and excerpts of long, law-like documents:
# a citation finds the law whose headings name it, with the cited section as
# its FIRST sub-result; excerpts deep inside long sections are marked (they
# are located through term positions, only a window is analysed); a law
# without facet values still lists its (empty) facets.
. "$(dirname "$0")/../lib/tap.sh"
command -v python3 >/dev/null || skip_all "python3 needed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
site=$tmp/site
mkdir -p "$site/b/btb" "$site/v/vo"

# A big law: many paragraphs; § 622 is cited in the body of § 627 too.
{
    printf -- '---\nTitle: Bürgerliches Testbuch\nslug: btb\n---\n\n# Bürgerliches Testbuch (BTB)\n\n'
    printf 'Ausfertigungsdatum 1896.\n\n'
    for n in $(seq 1 700); do
        case $n in
        622) printf '### § 622 Kündigungsfristen bei Arbeitsverhältnissen\n\n(1) Das Arbeitsverhältnis kann mit einer Frist von vier Wochen gekündigt werden.\n\n' ;;
        627) printf '### § 627 Fristlose Kündigung bei Vertrauensstellung\n\nBei einem Dienstverhältnis, das kein Arbeitsverhältnis im Sinne des § 622 ist, ist die Kündigung zulässig.\n\n' ;;
        *) printf '### § %d Vorschrift Nummer %d\n\nDer Inhalt der Vorschrift %d regelt Einzelheiten des Verfahrens.\n\n' "$n" "$n" "$n" ;;
        esac
    done
    # One long section: the match sits deep inside, far past any fixed window.
    printf '### § 701 Lange Vorschrift\n\n'
    for n in $(seq 1 400); do printf 'Die Behörde prüft den Antrag sorgfältig und entscheidet nach Recht und Gesetz. '; done
    printf 'Die Zivilgesellschaft wird angehört. '
    for n in $(seq 1 100); do printf 'Weitere Bestimmungen folgen in den Anlagen zu diesem Gesetz. '; done
    printf '\n\n'
    # Words at the text's tokens 63, 64, 128 and 129 (counted from 0): the
    # section entry keeps a checkpoint every 16 tokens, excerpts start
    # counting there; each must be marked itself.
    printf '### § 702 Grenzfälle\n\n'
    for n in $(seq 0 140); do
        case $n in
        63) printf 'Kolibri ' ;; 64) printf 'Pinguin ' ;;
        128) printf 'Flamingo ' ;; 129) printf 'Pelikan ' ;;
        *) printf 'Text ' ;;
        esac
    done
    printf '\n\n'
    # Matched words 33 and 17 tokens apart: an excerpt goes on from a word
    # to the checkpoint before the next (tokens 32, 48), not token by token;
    # each must still be marked.
    printf '### § 705 Singvögel\n\n'
    for n in $(seq 0 80); do
        case $n in
        5) printf 'Amsel ' ;; 38) printf 'Drossel ' ;; 55) printf 'Zeisig ' ;;
        *) printf 'Wort ' ;;
        esac
    done
    printf '\n\n'
    # A phrase word inside a compound (not marked: the phrase is not
    # there), a wildcard's words (marked, without positions of their own).
    printf '### § 703 Vögel\n\nDer Vogelschutz ist eine Aufgabe der Länder. Der Vogel fliegt hoch. Ein Kormoranpaar brütet.\n'
    # Marked at their positions: a plain word as it stands, a hyphenated
    # word and a gender form through the analysis chain.
    printf '\n### § 704 Flugdrohnen\n\nDie Drohnen-Verordnung gilt für Betreiber*innen von Drohnen. Eine Drohne ist ein Luftfahrzeug.\n'
} >"$site/b/btb/index.md"
# Another law that only cites it in its text.
printf -- '---\nTitle: Verordnung über Beispiele\n---\n\n# Verordnung über Beispiele (VO)\n\n### § 1 Anwendung\n\nEs gilt § 622 BTB entsprechend, auch § 622 BTB Absatz 2 und § 622 BTB Satz 1.\n' \
    >"$site/v/vo/index.md"

# A compound the reader typed: sections with the word itself, not sections
# with its parts apart (t/tdg has both); a document without the word is
# found through its parts (r/rvo), and they are what its sections show.
mkdir -p "$site/t/tdg" "$site/r/rvo" "$site/p/pvo"
# A phrase: the section where it stands, its words marked there only, not
# the sections with its words apart (nor its stop word, in every one).
printf -- '---\nTitle: Verordnung über Pfade\n---\n\n# Verordnung über Pfade (PVO)\n\n### § 1 Zweck\n\nDer Schutz des Waldes und der Schutz des Wassers sind Ziele. Das Wasser des Waldes.\n\n### § 2 Ruhe\n\nDie Ruhe des Waldes ist wichtig.\n\n### § 3 Pflege\n\nDie Pflege dient dem Schutz des Waldes und der Wiesen.\n\n### § 4 Wege\n\nDie Wege des Dorfes.\n' \
    >"$site/p/pvo/index.md"
printf -- '---\nTitle: Testgesetz über Dienste\n---\n\n# Testgesetz über Dienste (TDG)\n\n### § 1 Dauer\n\nDie Arbeitszeit beträgt acht Stunden am Tag.\n\n### § 2 Pflichten\n\nDer Arbeitgeber gibt jedem genug Zeit. Die Arbeit ruht am Sonntag. Die Arbeit und die Zeit.\n\n### § 3 Pausen\n\nDie Arbeitszeit wird durch Ruhepausen unterbrochen.\n' \
    >"$site/t/tdg/index.md"
printf -- '---\nTitle: Verordnung über Ruhe\n---\n\n# Verordnung über Ruhe (RVO)\n\n### § 1 Abend\n\nDie Arbeit endet am Abend.\n\n### § 2 Nacht\n\nDie Zeit der Ruhe beginnt um acht Uhr.\n' \
    >"$site/r/rvo/index.md"

db=$tmp/db
"$FINDLING" index --quiet --db "$db" "$site" >/dev/null 2>&1
st=$?
[ $st -eq 0 ] || [ $st -eq 1 ]
ok $? "index the law-like site"
json() { "$FINDLING" search --db "$db" --json "$@" 2>/dev/null; }
py() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

r=$(json '§ 622 BTB')
is "$(printf '%s' "$r" | py 'print(d["hits"][0]["id"])')" "b/btb/index.md" \
    "'§ 622 BTB': the law whose headings name it ranks first"
is "$(printf '%s' "$r" | py 'print(d["hits"][0]["sections"][0]["title"])')" \
    "§ 622 Kündigungsfristen bei Arbeitsverhältnissen" "the cited section is the first sub-result"
like "$(printf '%s' "$r" | py 'print(d["hits"][0]["sections"][0]["url"])')" "^/b/btb/#" \
    "the sub-result links to its anchor"
is "$(printf '%s' "$r" | py 'print(d["hits"][0]["excerpt"] == d["hits"][0]["sections"][0]["excerpt"])')" \
    "True" "the hit's excerpt comes from its best section"
like "$(printf '%s' "$r" | py 'print([s["excerpt"] for s in d["hits"][0]["sections"] if s["title"].startswith("§ 627")])')" \
    "<mark>§ 622</mark>" "a citation in a section's text is highlighted"

# The terminal lists a sub-result under an arrow: a law's heading starts
# with its own "§", which the listing does not double.
like "$("$FINDLING" search --db "$db" '§ 622 BTB' 2>/dev/null)" \
    "^      ↳ § 622 Kündigungsfristen bei Arbeitsverhältnissen  /b/btb/#" \
    "text output: the sub-result under an arrow, its § once"

# The number in "Abs. 1" also occurs inside the citation "§ 1" heading
# section 1: that section is not the one cited.
r=$(json '§ 622 Abs. 1')
is "$(printf '%s' "$r" | py 'print(d["hits"][0]["sections"][0]["title"])')" \
    "§ 622 Kündigungsfristen bei Arbeitsverhältnissen" \
    "'§ 622 Abs. 1': the cited section first, not '§ 1' (whose number the query has too)"

r=$(json 'Gesellschaft')
like "$(printf '%s' "$r" | py 'print(d["hits"][0]["sections"][0]["excerpt"])')" \
    "<mark>Zivilgesellschaft</mark> wird angehört" \
    "a match deep inside a long section: excerpt around it, compound part marked"
unlike "$(printf '%s' "$r" | py 'print(d["hits"][0]["sections"][0]["excerpt"])')" \
    "^Die Behörde prüft den Antrag sorgfältig" "…not the section's beginning"

for w in Kolibri Pinguin Flamingo Pelikan; do
    ex=$(json "$w" | py 'print(d["hits"][0]["sections"][0]["excerpt"])')
    like "$ex" "<mark>$w</mark>" "a match at a checkpoint's edge ($w) is marked"
done
sec705() { py 'print([s["excerpt"] for s in d["hits"][0]["sections"] if s["title"].startswith("§ 705")])'; }
ex=$(json 'Amsel Drossel' | sec705)
like "$ex" "<mark>Amsel</mark>( Wort){32} <mark>Drossel</mark> Wort" \
    "matches 33 tokens apart in one excerpt: both marked, the words between shown"
ex=$(json 'Drossel Zeisig' | sec705)
like "$ex" "<mark>Drossel</mark>( Wort){16} <mark>Zeisig</mark>" "…and 17 tokens apart"
ex=$(json '"Vogel fliegt"' | py 'print(d["hits"][0]["sections"][0]["excerpt"])')
like "$ex" "<mark>Vogel</mark> <mark>fliegt</mark>" "a phrase is marked"
unlike "$ex" "<mark>Vogelschutz</mark>" "…but not its word elsewhere, inside a compound"
# A wildcard has no positions of its own; beside a word that has, the
# section's excerpt marks the wildcard's words too.
ex=$(json 'Vogel Kormoran*' | py 'print(d["hits"][0]["sections"][0]["excerpt"])')
like "$ex" "<mark>Vogel</mark>" "a word beside a wildcard is marked"
like "$ex" "<mark>Kormoranpaar</mark>" "…and the wildcard's word too"

sec704() { py 'print([s["excerpt"] for s in d["hits"][0]["sections"] if s["title"].startswith("§ 704")])'; }
ex=$(json 'Drohne' | sec704)
like "$ex" "von <mark>Drohnen</mark>\\. Eine <mark>Drohne</mark> ist" "plain words at matched positions are marked whole"
like "$ex" "<mark>Drohnen-Verordnung</mark>" "…a hyphenated word holding the query word too"
unlike "$ex" "<mark>Betreiber" "…and nothing else"
ex=$(json 'Betreiber' | sec704)
like "$ex" "für <mark>Betreiber\\*innen</mark> von Drohnen" "a gender form at a matched position is marked whole"

# hit ID FIELD: a field of the hit with that id, for the query in $r
hit() { printf '%s' "$r" | py "h=[h for h in d['hits'] if h['id']=='$1'][0]; print($2)"; }
r=$(json 'Arbeitszeit')
is "$(hit t/tdg/index.md 'sorted(s["title"] for s in h["sections"])')" "['§ 1 Dauer', '§ 3 Pausen']" \
    "a compound: the sections with the word, not the one with its parts apart"
is "$(hit t/tdg/index.md 'sorted({m for s in h["sections"] for m in __import__("re").findall("<mark>(.*?)</mark>", s["excerpt"])})')" \
    "['Arbeitszeit']" "…and only the word is marked"
is "$(hit r/rvo/index.md 'sorted(s["title"] for s in h["sections"])')" "['§ 1 Abend', '§ 2 Nacht']" \
    "a document without the word: the sections with its parts"
is "$(hit r/rvo/index.md 'sorted({m for s in h["sections"] for m in __import__("re").findall("<mark>(.*?)</mark>", s["excerpt"])})')" \
    "['Arbeit', 'Zeit']" "…with the parts marked"

r=$(json '"Schutz des Waldes"')
is "$(hit p/pvo/index.md 'sorted(s["title"] for s in h["sections"])')" "['§ 1 Zweck', '§ 3 Pflege']" \
    "a phrase: the sections where it stands"
is "$(hit p/pvo/index.md '[s["excerpt"] for s in h["sections"] if s["title"] == "§ 1 Zweck"][0]')" \
    "Der <mark>Schutz</mark> <mark>des</mark> <mark>Waldes</mark> und der Schutz des Wassers sind Ziele. Das Wasser des Waldes." \
    "…its words marked where the phrase stands, not apart"

r=$(json 'Vertrauensstellung')
is "$(printf '%s' "$r" | py 'print(d["hits"][0]["sections"][0]["title"])')" \
    "§ 627 Fristlose Kündigung bei Vertrauensstellung" "a word only in a heading finds its section"

r=$(json 'Kündigungsfirsten')
is "$(printf '%s' "$r" | py 'print(d["corrected_query"])')" "Kündigungsfristen" \
    "a typo is corrected from the index's own words"

r=$(json 'Arbeitsverhältnis Frist gekündigt')
is "$(printf '%s' "$r" | py 'print(d["hits"][0]["sections"][0]["title"])')" \
    "§ 622 Kündigungsfristen bei Arbeitsverhältnissen" "several words: the section holding them all first"
is "$(printf '%s' "$r" | py 'print(sorted(f for f in d["facets"]))')" \
    "['author', 'category', 'tag', 'year']" "no facet values anywhere: the facets are listed, empty"
is "$(printf '%s' "$r" | py 'print(sum(len(v) for v in d["facets"].values()))')" "0" \
    "…with no counts"
tap_done
