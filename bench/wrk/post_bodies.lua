-- wrk script: POSTs request bodies read from files, round robin.
--
-- Environment:
--   BODY_FILES    space-separated list of files, one request body each (required)
--   BODY_PATH     request path (default: the path of the URL given to wrk)
--   CONTENT_TYPE  Content-Type header (default application/x-ndjson)
--
-- Requests are formatted once in init() so the Lua side does no per-request work beyond
-- returning a prepared string: the load generator stays cheap next to the server.

local requests = {}
local count = 0
local next_index = 0
local threads_set_up = 0

-- Runs in the main state once per thread: gives each thread its own starting body.
function setup(thread)
  thread:set("thread_number", threads_set_up)
  threads_set_up = threads_set_up + 1
end

function init(args)
  local path = os.getenv("BODY_PATH") or wrk.path
  local content_type = os.getenv("CONTENT_TYPE") or "application/x-ndjson"
  for file in string.gmatch(os.getenv("BODY_FILES") or "", "%S+") do
    local handle = assert(io.open(file, "rb"))
    local body = handle:read("*a")
    handle:close()
    count = count + 1
    requests[count] = wrk.format("POST", path, { ["Content-Type"] = content_type }, body)
  end
  assert(count > 0, "BODY_FILES names no file")
  -- Threads start at different bodies so they do not send the same one at the same time.
  next_index = (thread_number or 0) * 7 % count
end

function request()
  next_index = next_index % count + 1
  return requests[next_index]
end
