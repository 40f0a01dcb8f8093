-- wrk script of scripts/bench-serve.sh: POST /introspect with one token, counting every
-- answer that is not a 200 saying "active": true.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("AUTH")
wrk.body = "token=" .. os.getenv("TOKEN")

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"active":true', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("not-active %d\n", total))
end
