-- wrk script: GET /v1/accounts/{account} for accounts drawn uniformly from the workload's ids
-- ({operator}-{7-digit number}, the operator being number mod 4, as bench/workload.cc names them).
-- ACCOUNTS (the workload's account count) and DELAY_MS come from the environment. Each
-- connection waits DELAY_MS between requests, so C connections send at most C*1000/DELAY_MS
-- requests/s: Debian's wrk has no fixed-rate option.
local operators = {"acme-isp", "nordtel", "sakura-net", "pampa-tel"}
local accounts = tonumber(os.getenv("ACCOUNTS") or "1000")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "2")

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed)
end

function request()
  local n = math.random(0, accounts - 1)
  local id = string.format("%s-%07d", operators[(n % 4) + 1], n)
  return wrk.format("GET", "/v1/accounts/" .. id)
end

function delay()
  return delay_ms
end
