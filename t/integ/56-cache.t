#!/usr/bin/python3
# Cache correctness (issue 8), not speed: every worker remembers verified
# credentials and users' own records; after a key reset, a password change,
# a lock or an edit, the old answer is gone within a second on EVERY worker
# (NOTIFY latchkey_auth), and the new credential works.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import tap  # noqa: E402

s = lk.stack(workers=3)
PW = "alice-pass-123"
ROUNDS = 24  # enough requests to reach each of the three workers


def statuses(**kw):
    return {s.get("/users/current.json", **kw).status for _ in range(ROUNDS)}


def within_a_second(pred):
    return lk.wait_for(pred, 1.0, 0.02)


old = s.api_key("alice")
tap.is_(statuses(key=old), {200}, "the key, on every worker (now cached)")
tap.is_(statuses(auth=("alice", PW)), {200}, "the password, on every worker")
tap.is_(statuses(auth=(old, "X")), {200}, "Basic KEY:X, on every worker")

# --- key reset ------------------------------------------------------------
new = s.admin("key", "reset", "alice").stdout.strip()
s.remember_secret(new)
tap.ok(within_a_second(lambda: statuses(key=old) == {401}),
       "a reset key is refused on every worker within a second")
tap.is_(statuses(key=new), {200}, "the new key works on every worker")
tap.is_(statuses(auth=(old, "X")), {401}, "and so is Basic OLDKEY:X")
# Redmine tries the user part as a login first: a user created with that
# login and password takes the pair over, on every worker, at once.
KEYSHAPED_PW = "keyshaped-pass-123"
s.remember_secret(KEYSHAPED_PW)
tap.is_(statuses(auth=(new, KEYSHAPED_PW)), {200},
        "Basic NEWKEY:password works, by the key (and is remembered)")
s.admin("user", "add", new, "--firstname", "Key", "--lastname", "Shaped",
        "--mail=keyshaped@example.net", input=KEYSHAPED_PW + "\n")
tap.ok(within_a_second(lambda: {
    s.get("/users/current.json", auth=(new, KEYSHAPED_PW)).json()["user"][
        "login"] for _ in range(ROUNDS)} == {new}),
    "a user created with the key as login and that password takes the "
    "pair over within a second on every worker")

# --- password change ------------------------------------------------------
s.admin("user", "passwd", "alice", input="alice-new-pass-456\n")
s.remember_secret("alice-new-pass-456")
tap.ok(within_a_second(lambda: statuses(auth=("alice", PW)) == {401}),
       "the old password is refused on every worker within a second")
tap.is_(statuses(auth=("alice", "alice-new-pass-456")), {200},
        "the new password works")

# --- an edit shows at once --------------------------------------------------
s.psql("UPDATE users SET firstname = 'Alicia' WHERE login = 'alice'")
tap.ok(within_a_second(lambda: {s.get("/users/current.json", key=new)
                                .json()["user"]["firstname"]
                                for _ in range(ROUNDS)} == {"Alicia"}),
       "an edit of the user shows on every worker within a second")
r = s.request("PUT", "/my/account.json", key=new,
              headers=[("Content-Type", "application/json")],
              body='{"user":{"lastname":"Changed"}}')
tap.is_(r.status, 204, "PUT /my/account")
tap.is_({s.get("/my/account.json", key=new).json()["user"]["lastname"]
         for _ in range(ROUNDS)}, {"Changed"},
        "and every worker shows the change on the next request")

# --- lock -------------------------------------------------------------------
s.admin("user", "lock", "alice")
tap.ok(within_a_second(lambda: statuses(key=new) == {401}),
       "a locked user's key is refused on every worker within a second")
tap.is_(statuses(auth=("alice", "alice-new-pass-456")), {401},
        "and the password too")
s.admin("user", "unlock", "alice")
tap.ok(within_a_second(lambda: statuses(key=new) == {200}),
       "unlocking restores the key")
# --- what only users' records show does not cost the credentials ----------
# A second stack logging at debug, where every credential-cache miss is a
# line: a web sign-in (last_login_on) or a new name empties the records
# (latchkey_profile) but no cached credential; a status change does.
d = lk.stack(workers=2, conf={"log_level": "debug"})
D_ROUNDS = 12


def misses():
    return d.read_log(d.latchkeyd_log).count(
        "event=credential_cache result=miss")


def alice_basic():
    return {d.get("/projects.json", auth=("alice", PW)).status
            for _ in range(D_ROUNDS)}


bob = d.api_key("bob")  # made now: a new key empties the cache, rightly
tap.is_(alice_basic(), {200}, "debug stack: alice's password, cached")
before = misses()
tap.is_(alice_basic(), {200}, "... again")
tap.is_(misses(), before, "... all from the cache (the count can see hits)")
d.psql("UPDATE users SET last_login_on = now(), firstname = 'Roberto' "
       "WHERE login = 'bob'")
tap.ok(within_a_second(lambda: {
    d.get("/users/current.json", key=bob).json()["user"]["firstname"]
    for _ in range(D_ROUNDS)} == {"Roberto"}),
    "bob's new name and last_login_on show on every worker within a second")
after_names = misses()
tap.is_(alice_basic(), {200}, "alice's password still works")
tap.is_(misses(), after_names,
        "and costs no lookup: a profile change keeps cached credentials")
d.psql("UPDATE users SET admin = admin WHERE login = 'bob'")
tap.ok(within_a_second(lambda: alice_basic() == {200} and
                       misses() > after_names),
       "a change to what decides a credential empties the cache (it can "
       "fail)")
tap.is_(d.secrets_in_logs(), [], "the debug log holds no secret")
lk.done()
