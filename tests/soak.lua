-- soak.lua — wrk script for tests/soak.sh: a mix of searches (plain, phrase,
-- wildcard, gender star, facets, sorting, paging, no hits), autocomplete,
-- /healthz and the widget, half of them asking for gzip.  Counts every
-- answer that is not 2xx (wrk itself only counts >= 400 as errors).
local paths = {
  "/api/search?q=B%C3%BCrger",
  "/api/search?q=Verwaltung&limit=20",
  "/api/search?q=Stadt&sort=date",
  "/api/search?q=B%C3%BCrger%2Ainnen",
  "/api/search?q=%22offene+Daten%22",
  "/api/search?q=Haus%2A&offset=10",
  "/api/search?q=Beteiligung&sort=-date&limit=5",
  "/api/search?q=Gesetz+Verordnung",
  "/api/search?q=K%C3%BCndigungsfrist",
  "/api/search?q=Mutterschutz",
  "/api/search?q=Rente&limit=50",
  "/api/search?q=xyzzyqwerty",
  "/api/search?q=Stadt&since=2020-01-01&until=2030-12-31",
  "/api/search?q=Quittenmarmelade",
  "/api/suggest?q=B%C3%BC",
  "/api/suggest?q=Verw",
  "/api/suggest?q=Ge",
  "/healthz",
  "/widget.js",
  "/",
}
local n = 0
non2xx = 0
last_bad = 0
responses = 0

request = function()
  n = n + 1
  local p = paths[(n % #paths) + 1]
  if n % 2 == 0 then
    return wrk.format("GET", p, { ["Accept-Encoding"] = "gzip" })
  end
  return wrk.format("GET", p)
end

response = function(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    last_bad = status
  end
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

done = function(summary, latency, requests)
  local bad, seen, last = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    seen = seen + t:get("responses")
    if t:get("last_bad") ~= 0 then last = t:get("last_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    "SOAK requests=%d responses=%d non2xx=%d last_bad=%d connect=%d read=%d write=%d timeout=%d " ..
    "secs=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, seen, bad, last, e.connect, e.read, e.write, e.timeout,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
