-- wrk.lua — request generator for bench/serve.sh.
--   BENCH_WRK_MODE=search|suggest  BENCH_WRK_QUERIES=bench/queries-laws.txt
-- search:  GET /api/search?q=<query>&limit=10 rotating through the query list
--          (the server's defaults: excerpts, sections and facets included);
-- suggest: GET /api/suggest?q=<prefix> with 3-6 letter prefixes of the
--          queries' first words, as typed keystroke by keystroke.
-- At the end one line "BENCH_JSON {...}" with exact figures for the script.

local mode = os.getenv("BENCH_WRK_MODE") or "search"
local file = os.getenv("BENCH_WRK_QUERIES") or "bench/queries-laws.txt"
local paths = {}

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

for line in io.lines(file) do
  if line ~= "" and line:sub(1, 1) ~= "#" then
    local q = line:match("^[^\t]+\t([^\t]+)")
    if q then
      if mode == "search" then
        table.insert(paths, "/api/search?q=" .. urlencode(q) .. "&limit=10")
      else
        -- First word of letters (UTF-8 aware), without a field prefix.
        local word = q:gsub("^%a+:", ""):match("[%a\128-\255]+")
        if word then
          local chars = {}
          for ch in word:gmatch("[%z\1-\127\194-\244][\128-\191]*") do table.insert(chars, ch) end
          for n = 3, math.min(6, #chars) do
            table.insert(paths, "/api/suggest?q=" .. urlencode(table.concat(chars, "", 1, n)))
          end
        end
      end
    end
  end
end
if #paths == 0 then error("no requests built from " .. file) end

local counter = 0
local thread_no = 0
function setup(thread)
  thread:set("offset", thread_no * 7)
  thread_no = thread_no + 1
end

-- Each request's bytes are built once, not per request: wrk runs on the
-- same two cores as the server, and what it spends is the server's loss.
local formatted = {}
function request()
  counter = counter + 1
  local i = ((counter + (offset or 0)) % #paths) + 1
  local r = formatted[i]
  if not r then
    r = wrk.format("GET", paths[i])
    formatted[i] = r
  end
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"mode":"%s","paths":%d,"requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"mean_ms":%.3f,"max_ms":%.3f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"bytes":%d}\n',
    mode, #paths, summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, summary.bytes))
end
