"""lk.py: the start and the end of every integration test.

    #!/usr/bin/python3
    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", "lib"))
    import lk, tap
    s = lk.stack()                    # a stack of its own, up and answering
    r = s.get("/users/current.json", auth=("alice", "alice-pass-123"))
    tap.is_(r.status, 200, "alice gets in")
    lk.done()                         # stop, check the logs, print the plan

Each test file brings up its OWN throwaway stack (PostgreSQL cluster,
latchkeyd, nginx: about a second with fsync off), so test files are
independent, can change settings freely and run in parallel (prove -j2).
Under t/run the stacks live in $LK_TEST_TMP, which t/run stops and removes
whatever happens; run by hand, a test uses a temporary directory that it
removes when it passes (and keeps, for its logs, when it fails).
"""

import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "deploy", "dev"))
sys.path.insert(0, os.path.join(TOP, "t", "lib"))

import lkhttp  # noqa: E402
import stack as stackmod  # noqa: E402
import tap  # noqa: E402

SANITIZER = re.compile(r"ERROR: \w+Sanitizer|runtime error:|"
                       r"SUMMARY: \w+Sanitizer")
PASSWORDS = {login: login + "-pass-123" for login in (
    "admin", "alice", "bob", "locked", "mustchange", "registered")}

_stacks = []
_own_dirs = []
_tearing = False


class TestStack(stackmod.Stack):
    """A Stack with request helpers bound to its nginx port."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.secrets = set()  # keys handed out: none may reach a log

    def request(self, method, path, headers=(), body=None, auth=None,
                key=None):
        """auth: (user, password) for Basic; key: sent as X-Redmine-API-Key.
        """
        headers = list(headers.items() if isinstance(headers, dict)
                       else headers)
        if auth is not None:
            headers.append(("Authorization", lkhttp.basic(*auth)))
        if key is not None:
            headers.append(("X-Redmine-API-Key", key))
        return lkhttp.request(self.http_port, method, path, headers, body)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def api_key(self, login):
        """The user's API key, from `latchkey key show LOGIN`."""
        out = self.admin("key", "show", login).stdout
        keys = re.findall(r"\b[0-9a-f]{40}\b", out)
        if len(keys) != 1:
            raise AssertionError("key show %s printed %r" % (login, out))
        self.secrets.add(keys[0])
        return keys[0]

    def remember_secret(self, secret):
        """A key or password a test made: checked against the logs at the
        end like the demo ones."""
        self.secrets.add(secret)

    def secrets_in_logs(self):
        """[(log, what)] for every known secret found in a log the stack
        wrote: latchkeyd's, PostgreSQL's and nginx's access log. (nginx's
        error log can hold a request line with ?key=: it cannot be
        redacted, the README says so, and it is not checked here.)"""
        found = []
        needles = {}
        for k in self.secrets:
            # A key, or a password a test made, and how Basic carries
            # it as the user part (KEY:X, KEY:).
            needles[k] = "secret " + k[:6] + "..."
            for pw in ("X", ""):
                needles[lkhttp.basic(k, pw)[6:]] = \
                    "Basic %s...:%s" % (k[:6], pw)
        for login, pw in PASSWORDS.items():
            needles[pw] = "%s's password" % login
            needles[lkhttp.basic(login, pw)[6:]] = \
                "%s's Authorization value" % login
        for path in (self.latchkeyd_log, self.pg_log, self.nginx_access_log):
            text = self.read_log(path)
            for needle, what in needles.items():
                if needle in text:
                    found.append((os.path.basename(path), what))
        return found

    def settle(self, want, path, headers=(), timeout=3.0):
        """Poll path until every worker answers want (2 x workers + 1
        answers in a row), at most timeout seconds; the last response."""
        deadline = time.monotonic() + timeout
        streak = 0
        while True:
            r = self.get(path, headers=headers)
            streak = streak + 1 if r.status == want else 0
            if streak >= 2 * self.workers + 1 or \
                    time.monotonic() > deadline:
                return r
            time.sleep(0.02)

    def worker_pids(self):
        """The pids of latchkeyd's workers, sorted."""
        out = subprocess.run(["pgrep", "-P", str(self.latchkeyd_pid())],
                             stdout=subprocess.PIPE, text=True).stdout
        return sorted(int(p) for p in out.split())

    def setting(self, name, value):
        self.admin("setting", "set", name, value)

    def read_log(self, path):
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


def stack(conf=None, workers=2, **kw):
    """Bring up a throwaway stack for this test file and return it.

    conf: extra latchkeyd.conf keys. A stack that does not come up stops the
    test file at once (Bail out would stop the whole run; a plain failure
    is enough).
    """
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0] or "t"
    root = os.environ.get("LK_TEST_TMP")
    if root:
        d = tempfile.mkdtemp(prefix=name + ".", dir=root)
    else:
        d = tempfile.mkdtemp(prefix="latchkey-%s." % name)
        _own_dirs.append(d)
    s = TestStack(d, conf=conf, fast=True, workers=workers, **kw)
    _stacks.append(s)
    try:
        s.up()
    except stackmod.StackError as e:
        tap.ok(False, "the stack comes up")
        tap.diag(str(e))
        tap.done_testing()
    return s


def _teardown(quiet):
    """Stop every stack. Unless quiet, report as tests: a graceful stop
    (exit 0, no straggler) and no sanitizer report in latchkeyd's log."""
    global _tearing
    _tearing = True  # a signal now must not cut the teardown short
    while _stacks:
        s = _stacks[-1]
        checks = not quiet and s.came_up
        if checks:
            tap.ok(s.latchkeyd_pid() is not None,
                   "latchkeyd still runs at the end")
            leaks = s.secrets_in_logs()
            tap.is_(leaks, [], "no key, password or Authorization value "
                    "in any log")
        try:
            rc = s.stop_latchkeyd()
            if checks:
                tap.is_(rc, 0, "latchkeyd stops on SIGTERM with exit 0")
        except stackmod.StackError as e:
            if checks:
                tap.ok(False, "latchkeyd stops on SIGTERM")
                tap.diag(str(e))
        s.down(quiet=True)
        log = s.read_log(s.latchkeyd_log)
        if not quiet:
            bad = [ln for ln in log.splitlines() if SANITIZER.search(ln)]
            tap.ok(not bad, "no sanitizer report in latchkeyd.log")
            for ln in bad[:10]:
                tap.diag(ln)
        if tap.failures():
            tap.diag("--- latchkeyd.log (end) ---\n" + "\n".join(
                log.splitlines()[-40:]))
            tap.diag("--- nginx-error.log (end) ---\n" + stackmod.tail(
                s.nginx_error_log, 10))
            tap.diag("logs kept in %s" % s.log_dir)
        _stacks.pop()
    for d in _own_dirs:
        if not tap.failures():
            shutil.rmtree(d, ignore_errors=True)


# Poll pred until it is true or timeout seconds pass; its last value.
wait_for = stackmod.wait_until


def done():
    """End the test file: stop its stacks (checking how they stop), then
    print the plan and exit with the number of failures."""
    tap.done_testing()


# At the end, even after an uncaught exception: stop the stacks and check
# how they stopped. Killed by a signal: still stop them (no checks).
tap.at_end(lambda: _teardown(quiet=False))
atexit.register(_teardown, True)


def _on_signal(signum, frame):
    if not _tearing:
        sys.exit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(_sig, _on_signal)
