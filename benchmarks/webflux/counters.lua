-- wrk script for run-webflux-state.sh: every request is POST /counters/<key>, the key drawn
-- uniformly from the first script argument's number of keys (default 10000); 1 means one hot key.
local keys = 10000

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end

function init(args)
  if args[1] then keys = tonumber(args[1]) end
  math.randomseed(os.time() + (seed or 0))
end

function request()
  local key = keys == 1 and "hot" or ("k" .. math.random(1, keys))
  return wrk.format("POST", "/counters/" .. key)
end
