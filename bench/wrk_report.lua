-- wrk script for bench_serve: optional rotation over Host headers, and a JSON summary line.
-- Usage: wrk ... -s bench/wrk_report.lua http://127.0.0.1:PORT -- HOSTS_FILE PATH
-- HOSTS_FILE: one hostname per line ("-" = keep wrk's own Host header); PATH: request path.
local hosts, path, i = {}, "/", 0

function init(args)
  if args[1] and args[1] ~= "-" then
    for line in io.lines(args[1]) do
      if #line > 0 then hosts[#hosts + 1] = line end
    end
  end
  path = args[2] or "/"
end

function request()
  if #hosts == 0 then
    return wrk.format("GET", path)
  end
  i = i % #hosts + 1
  return wrk.format("GET", path, { ["Host"] = hosts[i] })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "bytes": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.bytes))
end
