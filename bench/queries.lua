-- wrk script: one query of the API under load, chosen by QUERY, for the benchmark's HTTP table.
--   balance   GET /v1/accounts/{account}            accounts drawn uniformly
--   preview   GET /v1/accounts/{account}/preview    accounts drawn uniformly
--   invoice   GET /v1/invoices/{number}?as_of=AS_OF  numbers drawn from the file INVOICES
--   summary   GET /v1/reports/summary?from=FROM&to=TO
--   aging     GET /v1/reports/aging?as_of=AS_OF
-- Accounts are the workload's ids ({operator}-{7-digit number}, the operator being number mod 4,
-- as bench/workload.cc names them); ACCOUNTS is the workload's account count. Each connection
-- waits DELAY_MS between requests, so C connections send at most C*1000/DELAY_MS requests/s:
-- Debian's wrk has no fixed-rate option. Everything comes from the environment.
local operators = {"acme-isp", "nordtel", "sakura-net", "pampa-tel"}
local query = os.getenv("QUERY") or "balance"
local accounts = tonumber(os.getenv("ACCOUNTS") or "1000")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "2")
local as_of = os.getenv("AS_OF") or ""
local from_day = os.getenv("FROM") or ""
local to_day = os.getenv("TO") or ""
local invoices = {}

local function read_invoices()
  local path = os.getenv("INVOICES")
  local file = path and io.open(path, "r")
  if not file then error("QUERY=invoice needs INVOICES, a file of invoice numbers, one a line") end
  for line in file:lines() do
    if line ~= "" then invoices[#invoices + 1] = line end
  end
  file:close()
  if #invoices == 0 then error("INVOICES: " .. path .. " holds no invoice number") end
end

local function url_escaped(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function random_account()
  local n = math.random(0, accounts - 1)
  return string.format("%s-%07d", operators[(n % 4) + 1], n)
end

local paths = {
  balance = function() return "/v1/accounts/" .. random_account() end,
  preview = function() return "/v1/accounts/" .. random_account() .. "/preview" end,
  invoice = function()
    return "/v1/invoices/" .. url_escaped(invoices[math.random(1, #invoices)]) .. "?as_of=" .. as_of
  end,
  summary = function() return "/v1/reports/summary?from=" .. from_day .. "&to=" .. to_day end,
  aging = function() return "/v1/reports/aging?as_of=" .. as_of end,
}
if not paths[query] then error("QUERY: '" .. query .. "' is not balance, preview, invoice, summary or aging") end

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  math.randomseed(seed)
  if query == "invoice" then read_invoices() end
end

function request()
  return wrk.format("GET", paths[query]())
end

function delay()
  return delay_ms
end
