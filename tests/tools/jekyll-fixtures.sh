#!/bin/sh
# jekyll-fixtures.sh — regenerate the Jekyll ground-truth fixtures in tests/data/.
#
# Findling must compute the same URLs and heading anchors as Jekyll does, without
# running Jekyll. These fixtures record what real Jekyll (Debian's jekyll 4.3 with
# kramdown 2.4 and kramdown-parser-gfm 1.1, i.e. Jekyll's default Markdown setup:
# kramdown with input GFM and auto_ids) actually produces, so tests can compare.
#
# Usage:   tests/tools/jekyll-fixtures.sh            (from the repository root)
# Needs:   the `jekyll` command (Debian: apt-get install -y jekyll) and ruby.
#          Not run by `make test`: the fixtures are committed; rerun this after
#          changing examples/site/ and review the diff.
#
# Writes (all TSV, UTF-8, one header row, paths relative to examples/site/):
#   tests/data/example-site-urls.tsv     source_path, url — every Markdown source
#        Jekyll publishes and Findling should index (read from the built _site).
#   tests/data/example-site-skipped.tsv  source_path, reason — every other Markdown
#        source of the site: published but marked noindex/sitemap:false/search:false,
#        or not published at all (draft, published: false, future date, collection
#        with output: false).  urls + skipped together cover every *.md of the site.
#   tests/data/example-site-anchors.tsv  source_path, heading text, anchor id — every
#        h1–h6 with an id="" in the generated HTML of the indexed pages, in
#        document order; heading text is the rendered text (tags stripped,
#        entities decoded).
#   tests/data/anchor-cases.tsv          heading (Markdown source), id — tricky
#        headings built in a scratch site, one document, in order (so the
#        duplicate counter is part of the result). An empty id means kramdown
#        wrote no id attribute at all (a heading with no word characters, first
#        time); the heading column is the Markdown after "## ", verbatim.
#
# The site is built into a temporary directory, never into the repository.
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SITE="$TOP/examples/site"
DATA="$TOP/tests/data"
command -v jekyll >/dev/null || { echo "jekyll-fixtures: jekyll not found (apt-get install -y jekyll)" >&2; exit 2; }

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
mkdir -p "$DATA"

# --- 1. the example site -----------------------------------------------------
# Ruby drives Jekyll's own API (the same thing `jekyll build` does) so every output
# file can be mapped back to the source it came from; the HTML is then read back
# from the files Jekyll wrote.
SITE="$SITE" DEST="$SCRATCH/site-out" DATA="$DATA" ruby <<'RUBY'
require "jekyll"
require "cgi"
require "yaml"
require "date"

site_dir = ENV.fetch("SITE")
dest = ENV.fetch("DEST")
data = ENV.fetch("DATA")

config = Jekyll.configuration("source" => site_dir, "destination" => dest,
                              "disable_disk_cache" => true, "quiet" => true)
site = Jekyll::Site.new(config)
site.process

def rel(site_dir, path)
  path.sub(%r{\A#{Regexp.escape(site_dir)}/}, "")
end

def markdown?(path)
  %w[.md .markdown .mkd .mkdn .mdown].include?(File.extname(path).downcase)
end

# Heading text: strip tags, decode entities (kramdown writes & as &amp;).
def headings(html)
  html.scan(%r{<h([1-6])\b([^>]*)>(.*?)</h\1>}m).filter_map do |_lvl, attrs, inner|
    id = attrs[/\bid="([^"]*)"/, 1]
    next unless id
    [CGI.unescapeHTML(inner.gsub(/<[^>]*>/, "")).gsub(/\s+/, " ").strip, CGI.unescapeHTML(id)]
  end
end

published = {}   # source rel path => [url, output file, reasons-to-skip]
(site.pages + site.documents).each do |d|
  path = d.respond_to?(:relative_path) ? d.relative_path : d.path
  next unless markdown?(path)
  next if d.respond_to?(:write?) && !d.write?
  out = d.destination(dest)
  raise "#{path}: Jekyll reports #{out} but did not write it" unless File.file?(out)
  reasons = []
  reasons << "noindex: true" if d.data["noindex"] == true
  reasons << "sitemap: false" if d.data["sitemap"] == false
  reasons << "search: false" if d.data["search"] == false
  published[path.sub(%r{\A/}, "")] = [d.url, out, reasons]
end

# Every Markdown source Jekyll would read (its own exclude/include rules apply).
filter = Jekyll::EntryFilter.new(site)
all = Dir.glob("**/*", File::FNM_DOTMATCH, base: site_dir).select do |p|
  markdown?(p) && File.file?(File.join(site_dir, p)) &&
    p.split("/").each_with_index.none? { |part, i| filter.excluded?(p.split("/")[0..i].join("/")) }
end.sort

def front_matter(file)
  text = File.read(file, encoding: "UTF-8")
  m = text.match(/\A---\s*\r?\n(.*?\r?\n)?---\s*\r?\n/m) or return {}
  YAML.safe_load(m[1] || "", permitted_classes: [Date, Time]) || {}
end

urls = [%w[source_path url]]
skipped = [%w[source_path reason]]
anchors = [["source_path", "heading", "anchor"]]
now = Time.now
all.each do |p|
  if (pub = published[p])
    url, out, reasons = pub
    if reasons.empty?
      urls << [p, url]
      headings(File.read(out, encoding: "UTF-8")).each { |t, id| anchors << [p, t, id] }
    else
      skipped << [p, "published at #{url} but #{reasons.join(', ')}"]
    end
    next
  end
  fm = front_matter(File.join(site_dir, p))
  coll = p[%r{\A_([^/]+)/}, 1]
  reason =
    if coll == "drafts" then "draft (_drafts/, only with --drafts)"
    elsif fm["published"] == false then "published: false"
    elsif coll && coll != "posts" && site.collections[coll] && !site.collections[coll].write?
      "collection #{coll} has output: false"
    elsif (d = fm["date"] || p[%r{(\d{4}-\d\d-\d\d)-[^/]*\z}, 1]) &&
          Time.parse(d.to_s) > now
      "future date #{d}"
    else "not written by Jekyll"
    end
  skipped << [p, reason]
end

def write_tsv(file, rows)
  rows.each { |r| r.each { |f| raise "#{file}: tab or newline in #{f.inspect}" if f =~ /[\t\n]/ } }
  File.write(file, rows.map { |r| r.join("\t") + "\n" }.join)
end
write_tsv(File.join(data, "example-site-urls.tsv"), urls)
write_tsv(File.join(data, "example-site-skipped.tsv"), skipped)
write_tsv(File.join(data, "example-site-anchors.tsv"), anchors)
RUBY

# --- 2. tricky headings ------------------------------------------------------
# One heading per line of the here-document below, all in one page, so duplicates
# count up exactly as they would in a post. Each line is used verbatim as Markdown.
CASES="$SCRATCH/cases"
mkdir -p "$CASES"
printf 'title: anchor cases\n' > "$CASES/_config.yml"
cat > "$SCRATCH/headings.txt" <<'EOF'
## Größe & Übersicht
## Pizza, Mocktails & Vernetzung
## Straße
## STRASSE und Maß
## ẞ groß
## Ä Ö Ü ä ö ü
## Zoë Çelik
## 1. KI im Ehrenamt
## 2024
## 15.01.2026
## § 622 BGB und Art. 3 GG
## Was gut lief
## Was gut lief
## Was gut lief
## was gut lief
## Was gut lief-1
## Wer macht's?
## Warum?!
## „Mobil in Musterstadt“
## "Quoted" and 'single'
## KI – Chancen und Risiken
## Bürger*innen & Teilnehmer:innen
## Expert\*innen
## Kolleg_innen
## *Betont* und **fett**
## Code: `fl_index()`
## Link zu [Musterstadt](https://example.org/)
## C++ & C#
## E-Mail: labor@musterstadt.example
## 🎉 Feier 2025 🎉
## <strong>HTML</strong> &amp; Entität
##   Viele   Leerzeichen  
## -Bindestrich-
## Titel mit Rauten ##
## Eigene ID {#eigene-id}
## ???
## ???
## Größe & Übersicht
EOF
{
  printf -- '---\ntitle: cases\n---\n\n'
  while IFS= read -r line; do printf '%s\n\nText.\n\n' "$line"; done < "$SCRATCH/headings.txt"
} > "$CASES/cases.md"
# NFD spelling of "Zoë" (e + U+0308 COMBINING DIAERESIS) — must differ from the NFC one.
printf '## Zoe\314\210 NFD\n\nText.\n\n' >> "$CASES/cases.md"
printf '## Zoe\314\210 NFD\n' >> "$SCRATCH/headings.txt"
jekyll build --quiet --disable-disk-cache -s "$CASES" -d "$SCRATCH/cases-out"

HEADINGS="$SCRATCH/headings.txt" HTML="$SCRATCH/cases-out/cases.html" \
OUT="$DATA/anchor-cases.tsv" ruby <<'RUBY'
require "cgi"
src = File.readlines(ENV.fetch("HEADINGS"), chomp: true)
html = File.read(ENV.fetch("HTML"), encoding: "UTF-8")
found = html.scan(%r{<h2\b([^>]*)>(.*?)</h2>}m).map { |attrs, _| attrs[/\bid="([^"]*)"/, 1] }
raise "#{src.size} headings written but #{found.size} found" unless src.size == found.size
rows = [%w[heading id]] + src.zip(found).map { |h, id| [h.sub(/\A## /, ""), id ? CGI.unescapeHTML(id) : ""] }
File.write(ENV.fetch("OUT"), rows.map { |r| r.join("\t") + "\n" }.join)
RUBY

echo "jekyll-fixtures: wrote $(cd "$TOP" && ls tests/data/example-site-*.tsv tests/data/anchor-cases.tsv | tr '\n' ' ')"
