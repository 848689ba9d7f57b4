-- wrk script: GET a random path from paths.txt ("label<TAB>path" lines, repeated by weight),
-- count answers by status and page-cache hits (X-Cache: hit), and print p50/p95/p99 and the counts as one JSON line at the end.
local threads = {}
local paths_file = os.getenv("MIX_PATHS") or "paths.txt"

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(paths_file) do
    local label, path = line:match("^([^\t]+)\t(.+)$")
    if path then table.insert(paths, path) end
  end
  statuses = {}
  hits = 0
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], {["X-Request-ID"] = "wrk"})
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["X-Cache"] == "hit" then hits = hits + 1 end
end

function done(summary, latency, requests)
  local counts = {}
  local cache_hits = 0
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do counts[code] = (counts[code] or 0) + n end
    cache_hits = cache_hits + t:get("hits")
  end
  local parts = {}
  for code, n in pairs(counts) do table.insert(parts, string.format('"%d": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "statuses": {%s}, ' ..
    '"cache_hits": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.timeout, table.concat(parts, ", "), cache_hits))
end
