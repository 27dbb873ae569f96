#!/usr/bin/python3
# Issue 6 in a real browser: brings up a stack, then runs
# t/browser/issue6.mjs (Debian's chromium driven by playwright-core), whose
# checks become this file's TAP. Screenshots land in t/out/screens/.
#
# Needs the `test` set of deploy/dev/deps (chromium) and Node.js with npm;
# playwright-core is installed into t/browser/node_modules from the
# committed package-lock.json the first time (npm ci), never a browser of
# its own.
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import tap  # noqa: E402

BROWSER_DIR = os.path.join(lk.TOP, "t", "browser")
SCREENS = os.path.join(lk.TOP, "t", "out", "screens")
CHROMIUM = os.environ.get("LK_CHROMIUM", "/usr/bin/chromium")
LINE = re.compile(r"^(not ok|ok) - (.*)$")


def npm_ci():
    """playwright-core, as the lock file pins it: True if it is there."""
    if os.path.isfile(os.path.join(BROWSER_DIR, "node_modules",
                                   "playwright-core", "package.json")):
        return True
    npm = shutil.which("npm")
    if npm is None:
        tap.diag("npm is missing: install Node.js (18 or later) and npm")
        return False
    r = subprocess.run([npm, "ci", "--no-audit", "--no-fund",
                        "--loglevel=error"], cwd=BROWSER_DIR,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    if r.returncode != 0:
        tap.diag("npm ci in t/browser failed:\n" + r.stdout)
    return r.returncode == 0


if not tap.ok(os.access(CHROMIUM, os.X_OK),
              "chromium is installed (%s)" % CHROMIUM):
    tap.diag("install it: deploy/dev/deps test (Debian's chromium)")
    tap.done_testing()
if not tap.ok(shutil.which("node") and npm_ci(),
              "playwright-core is installed in t/browser"):
    tap.done_testing()

s = lk.stack()
os.makedirs(SCREENS, exist_ok=True)
env = dict(os.environ,
           LK_BASE_URL=s.base_url,
           LK_SCREENS=SCREENS,
           LK_CHROMIUM=CHROMIUM,
           LK_PASSWORD_ALICE=lk.PASSWORDS["alice"],
           LK_PASSWORD_ADMIN=lk.PASSWORDS["admin"])
try:
    r = subprocess.run(["node", os.path.join(BROWSER_DIR, "issue6.mjs")],
                       cwd=BROWSER_DIR, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=240)
    out, rc = r.stdout, r.returncode
except subprocess.TimeoutExpired as e:
    out = e.stdout.decode() if isinstance(e.stdout, bytes) else \
        (e.stdout or "")
    rc = "timeout"
    tap.diag("issue6.mjs did not finish in 240 s")

checks = 0
for line in out.splitlines():
    m = LINE.match(line)
    if m:
        checks += 1
        tap.ok(m.group(1) == "ok", "browser: " + m.group(2))
    elif line.startswith("# "):
        tap.note(line[2:])
    elif line.strip():
        tap.diag(line)  # node's own complaints: show them
tap.ok(checks >= 30, "the browser scenario ran its checks (%d)" % checks)
tap.is_(rc, 0, "issue6.mjs exits 0")

lk.done()
