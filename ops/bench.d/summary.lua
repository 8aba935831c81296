-- wrk reporter for ops/bench: one machine-readable line after the run.
--   BENCH <requests> <duration_us> <p50_us> <p99_us> <status_errors> <socket_errors>
-- status_errors: responses with a status of 400 or more; socket_errors: connect, read, write
-- and timeout errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
