#!/usr/bin/python3
# Failed-authentication throttling on the API (SPEC section 10, issue 9):
# failures counted per client address across all workers; past the budget
# every credentialed request from that address gets 429 with Retry-After,
# right or wrong, until the window ends; anonymous requests and other
# addresses are not affected; a success does not reset the count.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import fcgi  # noqa: E402
import lk  # noqa: E402
import tap  # noqa: E402

WINDOW = 3
s = lk.stack(workers=3, conf={"throttle_failures": "4",
                              "throttle_window": str(WINDOW)})
KEY = s.api_key("alice")


def fcgi_get(addr, key):
    """GET /users/current.json straight into latchkeyd as if from addr."""
    c = fcgi.Client(s.socket)
    c.begin({"REQUEST_METHOD": "GET", "DOCUMENT_URI": "/users/current.json",
             "QUERY_STRING": "", "HTTP_X_REDMINE_API_KEY": key,
             "REMOTE_ADDR": addr, "HTTP_HOST": "localhost"})
    status, headers, _ = c.finish()
    return status, dict(headers)


# Three failures, a success in between, a fourth failure: the success does
# not reset the count, and the requests land on different workers.
for i in range(3):
    tap.is_(s.get("/users/current.json", auth=("alice", "wrong%d" % i)).status,
            401, "wrong password %d: 401" % (i + 1))
tap.is_(s.get("/users/current.json", key=KEY).status, 200,
        "a right key in between: 200")
tap.is_(s.get("/users/current.json?key=" + "f" * 40).status, 401,
        "a fourth failure: 401")
r = s.get("/users/current.json", key=KEY)
tap.is_(r.status, 429, "past the budget, even the right key: 429")
retry = r.header("Retry-After")
tap.ok(retry is not None and 1 <= int(retry) <= WINDOW,
       "with Retry-After within the window: %r" % retry)
tap.is_(r.body, b"", "and an empty body")
tap.is_(s.get("/users/current.json", auth=("alice", "alice-pass-123")).status,
        429, "a right password: 429 too")
tap.is_(s.get("/projects.json").status, 200, "anonymous requests pass")
st, _ = fcgi_get("192.0.2.44", KEY)
tap.is_(st, 200, "another address is not affected")
st, h = fcgi_get("127.0.0.1", KEY)
tap.is_(st, 429, "the same address straight into the socket: 429 (the count "
        "is shared by every worker)")
tap.like(s.read_log(s.latchkeyd_log),
         r"event=auth_throttled addr=127\.0\.0\.1 retry_after=\d+",
         "the throttling is logged with the address")
# A flood of refused requests is not a flood of log lines: one a second
# per address (enough for fail2ban's count).
before = s.read_log(s.latchkeyd_log).count("event=auth_throttled")
t0 = time.monotonic()
codes = {s.get("/users/current.json", key=KEY).status for _ in range(60)}
elapsed = time.monotonic() - t0
lines = s.read_log(s.latchkeyd_log).count("event=auth_throttled") - before
tap.is_(codes, {429}, "60 more requests: all 429")
# The requests touch at most int(elapsed) + 2 distinct seconds of the
# clock, each worth one line if the last one logged was in an earlier
# second.
tap.ok(lines <= int(elapsed) + 2,
       "logged at most once a second: %d lines for 60 requests in %.2f s"
       % (lines, elapsed))
# An IPv6 client counts by its /64: guesses from one address of it throttle
# the others, and another /64 is not affected.
for i in range(4):
    st, _ = fcgi_get("2001:db8:1:2::%x" % (i + 1), "f" * 40)
    tap.is_(st, 401, "IPv6 guess %d from 2001:db8:1:2::%x: 401" % (i, i + 1))
st, _ = fcgi_get("2001:db8:1:2:ffff::9", KEY)
tap.is_(st, 429, "another address of the same /64: 429")
st, _ = fcgi_get("2001:db8:1:3::1", KEY)
tap.is_(st, 200, "another /64: 200")
time.sleep(WINDOW + 0.5)
tap.is_(s.get("/users/current.json", key=KEY).status, 200,
        "after the window: 200 again")
lk.done()
