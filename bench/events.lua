-- wrk script: POST a distinct node.added event per request (ids unique per thread and run).
local threads = {}
-- BENCH_RUN tells apart several wrk processes started in the same second (bench/replicas.sh)
local run = (os.getenv("BENCH_RUN") or "") .. tostring(os.time())
-- BENCH_PATH: another path for bench/ceiling.sh
local path = os.getenv("BENCH_PATH") or "/castai/events"

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"id":"bench-%s-%d-%d","eventType":"node.added","clusterName":"bench","data":{"nodeName":"n-%d","instanceType":"m5.large","lifecycle":"spot"}}',
    run, tid, counter, counter)
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end
