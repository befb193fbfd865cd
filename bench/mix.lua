-- wrk script of the realistic mix (bench/mix.py): one connection per wrk thread, each thread replays its own
-- plan file (BENCH_PLAN .. "." .. thread number), a tab-separated line per request:
--   class, method, path, cookie ("-": none), body ("-": none), is-write (1/0), expected status.
-- The plan is replayed in a loop, but a write is sent once only (each write aims at its own row, so the database
-- can count them). With one connection per thread, request() and response() alternate: the time between them is
-- that request's latency. Each thread logs a line per response to BENCH_OUT .. "." .. thread number (class,
-- status, latency in µs, 1 if not the expected status; a write also logs « sent » when it leaves); done() writes
-- wrk's summary to BENCH_OUT.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

local requests, classes, writes, expected = {}, {}, {}, {}
local position, pass, current, started = 0, 1, 0, 0
local log  -- this thread's results: a line per response (class, status, latency in µs, 1 if unexpected)

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "([^\t]*)\t?") do
    table.insert(fields, field)
    if #fields == 7 then break end
  end
  return fields
end

function init(args)
  local path = os.getenv("BENCH_PLAN") .. "." .. thread_id
  for line in io.lines(path) do
    if line ~= "" then
      local f = split(line)
      local headers = { ["User-Agent"] = "reseau-bench/1 (wrk)" }
      if f[4] ~= "-" then headers["Cookie"] = f[4] end
      local body = nil
      if f[5] ~= "-" then
        body = f[5]
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      table.insert(requests, wrk.format(f[2], f[3], headers, body))
      table.insert(classes, f[1])
      table.insert(writes, f[6] == "1")
      table.insert(expected, tonumber(f[7]))
    end
  end
  -- written at the process's exit by the C library (wrk's Lua states cannot hand tables to done())
  log = assert(io.open(os.getenv("BENCH_OUT") .. "." .. thread_id, "w"))
  log:setvbuf("full", 1048576)
end

function request()
  repeat
    position = position + 1
    if position > #requests then
      position, pass = 1, pass + 1
    end
  until pass == 1 or not writes[position]
  current = position
  if writes[position] then
    log:write(classes[position], "\tsent\t0\t0\n")  -- a write in flight when wrk stops is sent, not answered
  end
  started = now_us()
  return requests[position]
end

function response(status, headers, body)
  local elapsed = now_us() - started
  log:write(classes[current], "\t", status, "\t", string.format("%.0f", elapsed), "\t",
            status == expected[current] and "0" or "1", "\n")
end

function done(summary, latency, requests_done)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  out:write(string.format("SUMMARY\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", summary.duration, summary.requests,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
  out:close()
end
