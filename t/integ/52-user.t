#!/usr/bin/python3
# Started as root with `user = www-data`, latchkeyd opens its socket, pid
# file and secret first, then the master and every worker run as that
# user: a worker that is broken into has none of root's rights, nor can it
# read the secret file again.
import os
import pwd
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import tap  # noqa: E402

if os.geteuid() != 0:
    tap.skip_all("needs root to drop privileges")
s = lk.stack(conf={"user": "www-data"})
key = s.api_key("alice")
tap.is_(s.get("/users/current.json", key=key).status, 200,
        "it serves after dropping privileges")
www = pwd.getpwnam("www-data").pw_uid


def uid_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return [int(x) for x in line.split()[1:]]
    return None


tap.is_(uid_of(s.latchkeyd_pid()), [www] * 4,
        "the master runs as www-data (real, effective, saved, fs)")
for pid in s.worker_pids():
    tap.is_(uid_of(pid), [www] * 4, "worker %d runs as www-data" % pid)
tap.ok(not os.access(s.secret_file, os.R_OK) or
       os.stat(s.secret_file).st_uid != www,
       "the secret file stays root's")
lk.done()
