#!/usr/bin/python3
# lib/pg prepares its statements one by one, on first use: one that cannot
# be prepared now (its table is missing, say a worker started in the middle
# of `latchkey migrate`) is tried again at the next request and does not
# stop the others for the life of the connection.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import tap  # noqa: E402

s = lk.stack(workers=1)  # one connection: every request meets its state
key = s.api_key("alice")
PW = lk.PASSWORDS["alice"]

s.psql("ALTER TABLE tokens RENAME TO tokens_away")
s.restart_latchkeyd()
tap.is_(s.get("/users/current.json", key=key).status, 503,
        "the key lookup cannot be prepared: 503")
tap.is_(s.get("/projects.json", auth=("alice", PW)).status, 200,
        "the login lookup on the same connection works")
s.psql("ALTER TABLE tokens_away RENAME TO tokens")
tap.is_(s.get("/users/current.json", key=key).status, 200,
        "the table back: the key works on the same connection")
tap.is_(s.get("/users/current.json", auth=("alice", PW)).status, 200,
        "and so does the password")
# PostgreSQL restarted: each worker's connection was closed by the server,
# which said so (FATAL) before closing it. The next request on that worker
# opens a new connection first instead of failing its query.
s.restart_pg()
# (A single project: never served from a cache, always a query.)
tap.is_({s.get("/projects/public-proj.json", key=key).status
         for _ in range(10)},
        {200}, "after a PostgreSQL restart no request fails")
tap.unlike(s.read_log(s.latchkeyd_log), r"event=db_error",
           "and no query met the closed connection")
lk.done()
