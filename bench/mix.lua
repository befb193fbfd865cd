-- wrk script of the realistic mix (bench/mix.py): one connection per wrk thread, each thread replays its own
-- plan file (BENCH_PLAN .. "." .. thread number), a tab-separated line per request:
--   class, method, path, cookie ("-": none), body ("-": none), is-write (1/0), expected status.
-- The plan is replayed in a loop, but a write is sent once only (each write aims at its own row, so the database
-- can count them). With one connection per thread, request() and response() alternate: the time between them is
-- that request's latency. Each thread logs a line per response to BENCH_OUT .. "." .. thread number (class,
-- status, latency in µs, 1 if not the expected status, monotonic µs at the response; a write also logs « sent »
-- when it leaves, and the thread « start » at its first request); done() writes wrk's summary to BENCH_OUT.
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

local lines, parsed = {}, {}
local position, pass, current, started = 0, 1, 0, 0
local log  -- this thread's results: a line per response (class, status, latency µs, 1 if unexpected, done at µs)

local function parse(line)
  local f = {}
  for field in string.gmatch(line, "([^\t]*)\t?") do
    table.insert(f, field)
    if #f == 7 then break end
  end
  local headers = { ["User-Agent"] = "reseau-bench/1 (wrk)" }
  if f[4] ~= "-" then headers["Cookie"] = f[4] end
  local body = nil
  if f[5] ~= "-" then
    body = f[5]
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return { request = wrk.format(f[2], f[3], headers, body), class = f[1], write = f[6] == "1",
           expected = tonumber(f[7]) }
end

-- wrk runs init() for each thread in turn and starts each thread at once: init only reads the lines (a request is
-- parsed when first sent), so that the threads start close together; mix.py counts only the responses of the
-- window in which every thread was running.
function init(args)
  for line in io.lines(os.getenv("BENCH_PLAN") .. "." .. thread_id) do
    if line ~= "" then table.insert(lines, line) end
  end
  -- written at the process's exit by the C library (wrk's Lua states cannot hand tables to done())
  log = assert(io.open(os.getenv("BENCH_OUT") .. "." .. thread_id, "w"))
  log:setvbuf("full", 1048576)
end

function request()
  if position == 0 and pass == 1 then
    log:write("-\tstart\t0\t0\t", string.format("%.0f", now_us()), "\n")
  end
  repeat
    position = position + 1
    if position > #lines then
      position, pass = 1, pass + 1
    end
    if parsed[position] == nil then parsed[position] = parse(lines[position]) end
  until pass == 1 or not parsed[position].write
  current = parsed[position]
  started = now_us()
  if current.write then  -- a write in flight when wrk stops is sent, not answered
    log:write(current.class, "\tsent\t0\t0\t", string.format("%.0f", started), "\n")
  end
  return current.request
end

function response(status, headers, body)
  local done = now_us()
  log:write(current.class, "\t", status, "\t", string.format("%.0f", done - started), "\t",
            status == current.expected and "0" or "1", "\t", string.format("%.0f", done), "\n")
end

function done(summary, latency, requests_done)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  out:write(string.format("SUMMARY\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", summary.duration, summary.requests,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
  out:close()
end
