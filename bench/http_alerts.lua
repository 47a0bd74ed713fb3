-- wrk load client for bench/http_vs_alertmanager.sh: POSTs batches of firing
-- alerts drawn in turn from a fixed pool of distinct alerts, in Tocsin's
-- generic JSON shape (POST /api/v1/events) or Alertmanager's API v2 shape
-- (POST /api/v2/alerts), so that both peers receive the same alerts from the
-- same client. Once every alert of the pool has been sent, later batches are
-- repeats: the number of active alerts stays at the pool size.
--
--   wrk -s bench/http_alerts.lua URL -- tocsin|alertmanager POOL BATCH [TOKEN]

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local shape, pool, batch, next_alert
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  shape = args[1]
  pool = tonumber(args[2])
  batch = tonumber(args[3])
  if args[4] then headers["Authorization"] = "Bearer " .. args[4] end
  -- Threads start apart (each thread has its own Lua state and counter).
  next_alert = (id * 104729) % pool
end

local function alert(n)
  if shape == "tocsin" then
    return string.format(
      '{"name":"HostDown","resource":"host-%d","severity":"critical","summary":"host-%d is down",' ..
      '"attributes":{"job":"node","team":"noc"}}', n, n)
  end
  return string.format(
    '{"labels":{"alertname":"HostDown","instance":"host-%d","job":"node","team":"noc","severity":"critical"},' ..
    '"annotations":{"summary":"host-%d is down"}}', n, n)
end

function request()
  local items = {}
  for i = 1, batch do
    items[i] = alert(next_alert % pool)
    next_alert = next_alert + 1
  end
  return wrk.format("POST", nil, headers, "[" .. table.concat(items, ",") .. "]")
end

-- wrk prints its own summary; one machine-readable line for the script.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT requests=%d seconds=%.3f errors=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, secs, errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
