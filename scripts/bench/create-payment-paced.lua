-- create-payment.lua with a pause before each request on every connection (wrk's delay()), for a steady load
-- rather than the most the server can take: PACE_MS milliseconds (default 10).
dofile("scripts/bench/create-payment.lua")
local pace = tonumber(os.getenv("PACE_MS") or "10")
function delay()
  return pace
end
