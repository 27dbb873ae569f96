-- t/bench/bench.lua: the requests of t/bench/run's rows, for wrk.
--
--     wrk -s t/bench/bench.lua URL -- MODE FILE
--
-- Every request picks a random line of FILE (one credential a line) and
-- sends it, by MODE:
--     query   GET URL with key=LINE added to its query string
--     header  GET URL with X-Redmine-API-Key: LINE
--     authz   GET URL with Authorization: LINE (a whole "Basic ..." value)
-- At the end it prints one line that t/bench/run reads:
--     BENCH requests=N duration_us=N p50_us=N p99_us=N status_errors=N ...

local lines = {}
local mode
local path, sep
local hdr = {}
local threads = 0

-- Main state, once per thread before it starts: a seed of its own.
function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	mode = args[1]
	for l in io.lines(args[2]) do
		if #l > 0 then
			lines[#lines + 1] = l
		end
	end
	if #lines == 0 then
		error("bench.lua: " .. args[2] .. " has no lines")
	end
	math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
	path = wrk.path
	sep = string.find(path, "?", 1, true) and "&" or "?"
	hdr["Host"] = wrk.headers["Host"]
end

function request()
	local v = lines[math.random(#lines)]
	if mode == "query" then
		return wrk.format("GET", path .. sep .. "key=" .. v, hdr)
	elseif mode == "header" then
		hdr["X-Redmine-API-Key"] = v
	elseif mode == "authz" then
		hdr["Authorization"] = v
	else
		error("bench.lua: unknown mode " .. tostring(mode))
	end
	return wrk.format("GET", path, hdr)
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d "
		.. "p99_us=%d status_errors=%d connect_errors=%d "
		.. "read_errors=%d write_errors=%d timeouts=%d\n",
		summary.requests, summary.duration, latency:percentile(50),
		latency:percentile(99), e.status, e.connect, e.read, e.write,
		e.timeout))
end
