#!/usr/bin/python3
# The process model of SPEC section 1 (issue 4), with a client sending
# requests all along: SIGHUP reloads without a failed request, a settings
# change by plain SQL applies within a second with no signal, a bad config
# keeps the old one, a killed worker is replaced, PostgreSQL going away
# gives 503 and coming back heals without a restart, SIGTERM lets a slow
# request finish, SIGQUIT stops at once.
import os
import re
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import fcgi  # noqa: E402
import lk  # noqa: E402
import tap  # noqa: E402

s = lk.stack(workers=3)
key = s.api_key("alice")






class Load(threading.Thread):
    """Requests one after another until stopped; counts the statuses."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.statuses = {}
        self.running = True

    def run(self):
        while self.running:
            try:
                st = s.get(self.path, key=key).status
            except OSError:
                st = "error"
            self.statuses[st] = self.statuses.get(st, 0) + 1

    def stop(self):
        self.running = False
        self.join()
        return self.statuses


def log():
    return s.read_log(s.latchkeyd_log)


first = s.worker_pids()
tap.is_(len(first), 3, "three workers")

# --- SIGHUP under load -------------------------------------------------------
load = Load("/issues.json")
load.start()
time.sleep(0.3)
before = s.worker_pids()
for i in range(3):
    os.kill(s.latchkeyd_pid(), signal.SIGHUP)
    time.sleep(0.4)
got = load.stop()
tap.is_(set(got), {200}, "no failed request across three reloads: %r" % got)
tap.ok(sum(got.values()) > 20, "requests kept flowing (%d)" % sum(got.values()))
after = s.worker_pids()
tap.is_(len(after), 3, "three workers after the reloads")
tap.ok(not set(before) & set(after), "all of them new")
tap.is_(len(re.findall(r"event=reloaded", log())), 3, "three reloads logged")

# --- a settings change by plain SQL, no signal --------------------------------
pids = s.worker_pids()
t0 = time.monotonic()
s.psql("UPDATE settings SET value = '1' WHERE name = 'login_required'")
ok = lk.wait_for(lambda: s.get("/projects.json").status == 401, 1.0, 0.02)
tap.ok(ok, "login_required applied within a second (%.2f s)" %
       (time.monotonic() - t0))
tap.is_(s.worker_pids(), pids, "without replacing the workers")
s.psql("UPDATE settings SET value = '0' WHERE name = 'login_required'")
tap.ok(lk.wait_for(lambda: s.get("/projects.json").status == 200, 1.0, 0.02),
       "and back")

# --- a bad config file on SIGHUP ----------------------------------------------
with open(s.conf_file, "a") as f:
    f.write("workers = lots\n")
nlines = sum(1 for _ in open(s.conf_file))
pids = s.worker_pids()
os.kill(s.latchkeyd_pid(), signal.SIGHUP)
tap.ok(lk.wait_for(lambda: "reload_failed" in log(), 3), "the reload fails")
tap.like(log(), r"event=reload_failed error=\"%s:%d: workers" % (
    re.escape(s.conf_file), nlines), "the error names the file and line")
tap.is_(s.worker_pids(), pids, "the old workers keep serving")
tap.is_(s.get("/users/current.json", key=key).status, 200, "and answer")
s.write_config()  # a good file again

# --- a key that needs a restart ----------------------------------------------------
s.conf_overrides["listen"] = s.socket + ".other"
s.write_config()
os.kill(s.latchkeyd_pid(), signal.SIGHUP)
tap.ok(lk.wait_for(lambda: "reload_needs_restart key=listen" in log(), 3),
       "a reload names a key that needs a restart")
tap.ok(os.path.exists(s.socket), "and keeps the old socket")
del s.conf_overrides["listen"]
s.write_config()
tap.is_(s.get("/users/current.json", key=key).status, 200, "still serving")

# --- kill -9 of a worker under load ------------------------------------------------
load = Load("/projects.json")
load.start()
time.sleep(0.3)
victim = s.worker_pids()[0]
os.kill(victim, signal.SIGKILL)
tap.ok(lk.wait_for(lambda: len(s.worker_pids()) == 3 and victim not in s.worker_pids(), 3),
       "the killed worker is replaced")
time.sleep(0.3)
got = load.stop()
bad = sum(n for st, n in got.items() if st != 200)
tap.ok(bad <= 1, "at most the request it held failed: %r" % got)
tap.like(log(), r"event=worker_died pid=%d status=137" % victim,
         "the death is logged")

# --- a worker that dies young is respawned after a pause ------------------
def replaced(old):
    """Wait for a worker pid not in old; (pid, seconds it took)."""
    t0 = time.monotonic()
    lk.wait_for(lambda: set(s.worker_pids()) - set(old), 10, 0.01)
    new = set(s.worker_pids()) - set(old)
    return (new.pop() if new else None), time.monotonic() - t0


time.sleep(1.1)  # every worker now older than a second
pids = s.worker_pids()
os.kill(pids[0], signal.SIGKILL)
young, took = replaced(pids)
tap.ok(young is not None and took < 0.5,
       "a worker that ran a while is replaced at once (%.2f s)" % took)
pids = s.worker_pids()
os.kill(young, signal.SIGKILL)  # it is well under a second old
again, took = replaced(pids)
tap.ok(again is not None and took >= 0.9,
       "one that died young is replaced after a pause (%.2f s)" % took)
tap.is_(len(s.worker_pids()), 3, "three workers again")

# --- PostgreSQL goes away and comes back ----------------------------------------------
s.stop_pg()
r = s.get("/issues.json", key=key)
tap.is_(r.status, 503, "database down: 503")
tap.ok(r.header("Retry-After") is not None, "with Retry-After")
r = s.get("/users/current.json", auth=("alice", "alice-pass-123"))
tap.is_(r.status, 503, "database down, password login: 503, never 401")
tap.is_(s.get("/projects.json").status, 503, "database down, anonymous: 503")
tap.ok(len(s.worker_pids()) == 3, "no worker crashed")
s.start_pg()
tap.ok(lk.wait_for(lambda: s.get("/issues.json", key=key).status == 200, 12,
                0.2), "database back: 200 without a restart")
# Each worker reconnects on its own, after its back-off (at most 2 s):
# twelve successes in a row pass through all three.
streak = [0]


def healed():
    ok = s.get("/users/current.json",
               auth=("alice", "alice-pass-123")).status == 200
    streak[0] = streak[0] + 1 if ok else 0
    return streak[0] >= 12


tap.ok(lk.wait_for(healed, 15, 0.05), "on every worker")
time.sleep(2.1)  # past any worker's back-off, whoever took no request

# --- SIGTERM while a request body trickles in ---------------------------------------------
body = b'{"user":{"firstname":"Trickled"}}'
c = fcgi.Client(s.socket)
c.begin({"REQUEST_METHOD": "PUT", "DOCUMENT_URI": "/my/account.json",
         "QUERY_STRING": "", "CONTENT_TYPE": "application/json",
         "CONTENT_LENGTH": str(len(body)), "HTTP_X_REDMINE_API_KEY": key,
         "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "localhost"})
c.stdin(body[:5])
time.sleep(0.2)
master = s.latchkeyd_pid()
os.kill(master, signal.SIGTERM)
c.stdin(body[5:], chunk=4, delay=0.1)
status, headers, _ = c.finish()
tap.is_(status, 204, "the request in hand completes after SIGTERM")
tap.is_(s.psql("SELECT firstname FROM users WHERE login = 'alice'").strip(),
        "Trickled", "with its whole body")
rc = s.stop_latchkeyd()
tap.is_(rc, 0, "then the pool exits 0")
tap.like(log(), r"event=stop mode=graceful", "a graceful stop is logged")

# --- SIGQUIT: immediate -----------------------------------------------------------
s.start_latchkeyd()
tap.is_(s.get("/users/current.json", key=key).status, 200, "started again")
t0 = time.monotonic()
s.stop_latchkeyd(sig=signal.SIGQUIT, timeout=5)
tap.ok(time.monotonic() - t0 < 3, "SIGQUIT stops at once")
s.start_latchkeyd()
tap.is_(s.get("/users/current.json", key=key).status, 200, "and it starts "
        "again on the same socket")
lk.done()
