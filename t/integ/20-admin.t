#!/usr/bin/python3
# The admin tool, `latchkey`, run for real against a throwaway stack: every
# command and subcommand and its --help, every error message, idempotence
# (init, migrate, lock, unlock, load twice), a bad data set changing
# nothing (every table compared before and after), the hashes of a data set
# stored as the file said, and no password or key in any output but
# `key show` and `key reset`.
import hashlib
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import lkhttp  # noqa: E402
import tap  # noqa: E402

s = lk.stack()
TMP = os.path.join(s.dir, "admin-t")
os.makedirs(TMP, exist_ok=True)

# Every secret this test hands the tool, and every output that must not
# show one (all of them but key show/reset). The stack checks its logs for
# them too, at the end.
SECRETS = set(lk.PASSWORDS.values())
OUTPUTS = []


def secret(x):
    SECRETS.add(x)
    s.remember_secret(x)
    return x


def admin(*args, input="", conf=None, secret_ok=False):
    """Run latchkey; returns (exit status, stdout, stderr)."""
    if conf is None:
        r = s.admin(*args, input=input, check=False)
    else:
        r = subprocess.run([s.admin_bin(), "-c", conf] + list(args),
                           input=input, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           errors="replace")
    if not secret_ok:
        OUTPUTS.append((" ".join(args), r.stdout + r.stderr))
    return r.returncode, r.stdout, r.stderr


def sql(q):
    return s.psql(q).strip()


TABLES = ("users", "tokens", "settings", "projects", "members", "news",
          "issues", "journals", "datasets")


def snapshot():
    """Every row of every table, as text: equal snapshots, equal data.
    (One psql for all tables: the refusals below take many.)"""
    parts = ["(SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY "
             "x::text)), '') || ' ' || count(*) FROM %s x)" % t
             for t in TABLES]
    return dict(zip(TABLES, sql("SELECT " + " || ',' || ".join(parts))
                    .split(",")))


def count(table, where="true"):
    return int(sql("SELECT count(*) FROM %s WHERE %s" % (table, where)))


def user_row(login):
    out = sql("SELECT firstname, lastname, mail, admin, status, "
              "must_change_passwd, passwd_changed_on IS NOT NULL, "
              "hashed_password, salt FROM users WHERE login = '%s'" % login)
    return out.split("|") if out else None


def eventually(want, path, **kw):
    """Poll until the answer is want (a NOTIFY reaches every worker a
    moment after the command commits); at most 3 s."""
    deadline = time.monotonic() + 3
    while True:
        r = s.get(path, **kw)
        if r.status == want or time.monotonic() > deadline:
            return r
        time.sleep(0.05)


def basic_status(login, password, want):
    return eventually(want, "/users/current.json",
                      auth=(login, password)).status


def write(name, data):
    path = os.path.join(TMP, name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data if isinstance(data, (str, bytes))
                else json.dumps(data, indent=1))
    return path


def usage_ok(args, name):
    rc, out, err = admin(*args)
    tap.is_(rc, 0, "%s: exit 0" % name)
    tap.like(out, r"^usage: latchkey ", "%s: usage on stdout" % name)
    tap.is_(err, "", "%s: nothing on stderr" % name)


# --- the demo data set, loaded by the stack's setup with `latchkey load` ----

tap.is_({t: count(t) for t in ("users", "projects", "members", "news",
                               "issues", "datasets", "tokens")},
        {"users": 6, "projects": 2, "members": 1, "news": 4, "issues": 4,
         "datasets": 1, "tokens": 0},
        "the stack loaded the demo: 6 users, 2 projects, 1 member, 4 news, "
        "4 issues")
tap.is_(sql("SELECT string_agg(name || '=' || value, ',' ORDER BY name) "
            "FROM settings"), "login_required=0,rest_api_enabled=1",
        "demo settings: booleans stored as 1 and 0")
tap.is_(sql("SELECT login || ':' || status || ':' || admin || ':' || "
            "must_change_passwd FROM users ORDER BY id").split("\n"),
        ["admin:1:true:false", "alice:1:false:false", "bob:1:false:false",
         "locked:3:false:false", "mustchange:1:false:true",
         "registered:2:false:false"],
        "demo users: status, admin and must_change_password as in the file")
tap.is_(count("users", "hashed_password LIKE '$argon2id$%' AND salt = '' "
              "AND passwd_changed_on IS NOT NULL"), 6,
        "demo passwords hashed with argon2id, passwd_changed_on set")
tap.is_(sql("SELECT p.identifier || ':' || p.is_public || ':' || u.login "
            "|| ':' || m.role FROM members m JOIN projects p ON "
            "p.id = m.project_id JOIN users u ON u.id = m.user_id"),
        "private-proj:false:alice:contributor", "demo membership")
tap.is_(sql("SELECT string_agg(i.subject || ':' || t.name || ':' || st.name "
            "|| ':' || pr.name || ':' || coalesce(a.login, '-'), ',' "
            "ORDER BY i.id) FROM issues i JOIN trackers t ON "
            "t.id = i.tracker_id JOIN issue_statuses st ON "
            "st.id = i.status_id JOIN issue_priorities pr ON "
            "pr.id = i.priority_id LEFT JOIN users a ON "
            "a.id = i.assigned_to_id").split(","),
        ["Public bug:Bug:New:Normal:-", "Public feature:Bug:New:Normal:-",
         "Private bug:Bug:New:Normal:alice",
         "Private task:Bug:New:Normal:-"],
        "demo issues: defaults Bug/New/Normal, assigned_to")
tap.is_(basic_status("alice", lk.PASSWORDS["alice"], 200), 200,
        "a demo user signs in with the password of the file")

# --- the tool itself -------------------------------------------------------

usage_ok(["--help"], "latchkey --help")
rc, out, err = admin()
tap.is_(rc, 1, "latchkey without a command: exit 1")
tap.like(err, r"usage: latchkey", "... and the usage on stderr")
rc, out, err = admin("frobnicate")
tap.is_(rc, 1, "unknown command: exit 1")
tap.like(err, r"unknown command 'frobnicate'", "... says so")

HELPS = [["init"], ["migrate"], ["load"], ["user"], ["user", "add"],
         ["user", "passwd"], ["user", "lock"], ["user", "unlock"],
         ["user", "list"], ["key"], ["setting"], ["reload"]]
for h in HELPS:
    usage_ok(h + ["--help"], "latchkey %s --help" % " ".join(h))
# --help needs no configuration file, so it works before there is one.
rc, out, err = admin("user", "add", "-h", conf="/nonexistent/latchkeyd.conf")
tap.is_((rc, out.startswith("usage: latchkey user add")), (0, True),
        "user add -h works without a configuration file")
rc, out, err = admin("user", "list", conf="/nonexistent/latchkeyd.conf")
tap.is_(rc, 1, "a missing configuration file: exit 1")
tap.like(err, r"/nonexistent/latchkeyd.conf: No such file",
         "... naming the file")

# --- init, migrate ----------------------------------------------------------

before = open(s.secret_file, "rb").read()
rc, out, err = admin("init")
tap.is_(rc, 1, "init again: exit 1")
tap.like(err, r"refusing to replace the secret", "... refuses to replace it")
tap.ok(open(s.secret_file, "rb").read() == before, "... and it is unchanged")
rc, out, err = admin("init", "extra")
tap.is_(rc, 1, "init with an argument: exit 1")

rc, out, err = admin("migrate")
tap.is_((rc, out.strip()), (0, "latchkey: schema up to date"),
        "migrate again: a no-op that says so")
rc, out, err = admin("migrate", "extra")
tap.is_(rc, 1, "migrate with an argument: exit 1")

# --- setting ---------------------------------------------------------------

rc, out, err = admin("setting", "get", "rest_api_enabled")
tap.is_((rc, out), (0, "true\n"), "setting get rest_api_enabled: true")
rc, out, err = admin("setting", "set", "login_required", "yes")
tap.is_((rc, out), (0, "latchkey: login_required = true\n"),
        "setting set login_required yes")
tap.is_(sql("SELECT value FROM settings WHERE name = 'login_required'"), "1",
        "... stored as 1")
rc, out, err = admin("setting", "set", "login_required", "yes")
tap.is_(rc, 0, "setting set twice: exit 0")
rc, out, err = admin("setting", "set", "login_required", "off")
tap.is_((rc, sql("SELECT value FROM settings WHERE name = "
                 "'login_required'")), (0, "0"), "setting set ... off: 0")
rc, out, err = admin("setting", "get", "login_requried")
tap.is_(rc, 1, "unknown setting: exit 1")
tap.like(err, r"unknown setting 'login_requried'", "... says so")
rc, out, err = admin("setting", "set", "login_required", "maybe")
tap.is_(rc, 1, "setting set with a bad value: exit 1")
tap.like(err, r"takes true or false, not 'maybe'", "... says so")
rc, out, err = admin("setting", "set", "login_required")
tap.is_(rc, 1, "setting set without a value: exit 1")

# --- key -------------------------------------------------------------------

rc, key1, err = admin("key", "show", "alice", secret_ok=True)
key1 = key1.strip()
tap.like(key1, r"^[0-9a-f]{40}$", "key show alice: a 40-hex key")
secret(key1)
rc, again, err = admin("key", "show", "ALICE", secret_ok=True)
tap.is_(again.strip(), key1, "key show again (login in capitals): same key")
rc, key2, err = admin("key", "reset", "alice", secret_ok=True)
key2 = key2.strip()
secret(key2)
tap.ok(rc == 0 and re.match(r"^[0-9a-f]{40}$", key2) and key2 != key1,
       "key reset: a new key")
tap.is_(eventually(401, "/users/current.json", key=key1).status, 401,
        "the old key stops working")
tap.is_(s.get("/users/current.json", key=key2).status, 200,
        "the new one works")
imported = hashlib.sha1(b"imported alice key").hexdigest()
secret(imported)
rc, out, err = admin("key", "import", "alice", input=imported + "\n")
tap.is_((rc, out.strip()), (0, "latchkey: key imported for alice"),
        "key import: from standard input")
rc, shown, err = admin("key", "show", "alice", secret_ok=True)
tap.is_(shown.strip(), imported, "key show: the imported key")
tap.is_(eventually(200, "/users/current.json", key=imported).status, 200,
        "the imported key authenticates")
for bad, what in ((imported.upper(), "upper case"), ("abc", "too short"),
                  ("", "empty")):
    rc, out, err = admin("key", "import", "bob", input=bad + "\n")
    tap.is_(rc, 1, "key import of a bad key (%s): exit 1" % what)
    tap.like(err, r"40 lowercase hex", "... says what a key is")
rc, out, err = admin("key", "import", "bob", input=imported + "\n")
tap.is_(rc, 1, "key import of alice's key for bob: exit 1")
tap.like(err, r"no other user may have it", "... says so")
tap.is_(count("tokens"), 1, "... and bob got no key")
rc, out, err = admin("key", "show", "nobody")
tap.is_(rc, 1, "key show for an unknown user: exit 1")
tap.like(err, r"no user 'nobody'", "... says so")
rc, out, err = admin("key", "show")
tap.is_(rc, 1, "key show without a login: exit 1")

# --- reload -----------------------------------------------------------------

rc, out, err = admin("reload")
tap.is_(rc, 0, "reload: exit 0")
tap.like(out, r"sent SIGHUP to %d" % s.latchkeyd_pid(),
         "... signalled latchkeyd's master")
tap.is_(eventually(200, "/users/current.json", key=imported).status, 200,
        "latchkeyd still answers after the reload")
conf = open(s.conf_file).read()
nopid = write("nopid.conf", re.sub(r"(?m)^pid_file = .*$",
                                   "pid_file = %s/none.pid" % TMP, conf))
rc, out, err = admin("reload", conf=nopid)
tap.is_(rc, 1, "reload without a running latchkeyd: exit 1")
tap.like(err, r"none.pid: no pid \(is latchkeyd running\?\)", "... says so")
stale = write("stale.pid", "%d\n" % os.getpid())
stalecf = write("stale.conf", re.sub(r"(?m)^pid_file = .*$",
                                     "pid_file = %s" % stale, conf))
rc, out, err = admin("reload", conf=stalecf)
tap.is_((rc, err.strip()), (1, "latchkey: reload: %s: pid %d is not "
                               "latchkeyd (is latchkeyd running?)"
                               % (stale, os.getpid())),
        "reload with a stale pid_file naming another process: exit 1, "
        "nothing signalled")
nofile = write("nofile.conf", re.sub(r"(?m)^pid_file = .*$\n?", "", conf))
rc, out, err = admin("reload", conf=nofile)
tap.is_((rc, err.strip()), (1, "latchkey: reload: no pid_file in %s" % nofile),
        "reload with no pid_file configured: exit 1, says so")
rc, out, err = admin("user", "list", "x")
tap.is_(rc, 1, "user list with an argument: exit 1")
tap.like(err, r"user list takes no arguments", "... says so")
rc, out, err = admin("user", "passwd", "bob", input="p" * 3073 + "\n")
tap.is_((rc, err), (1, "latchkey: no password read (one line on standard "
                       "input, at most 3072 bytes)\n"),
        "a password line over 3072 bytes: exit 1, says the bound")
rc, out, err = admin("user", "passwd", "bob", input="p" * 3073)
tap.is_((rc, err), (1, "latchkey: no password read (one line on standard "
                       "input, at most 3072 bytes)\n"),
        "... and without its newline, the same bound")

# --- user add ---------------------------------------------------------------

n_users = count("users")
CAROL = "carol-pass-123"
secret(CAROL)
rc, out, err = admin("user", "add", "carol", "--firstname", "Carol",
                     "--lastname", "Coder", "--mail=carol@example.net",
                     input=CAROL + "\n")
tap.is_((rc, out.strip()), (0, "latchkey: added user carol (id 7)"),
        "user add carol: password on standard input")
row = user_row("carol")
tap.is_(row[:7], ["Carol", "Coder", "carol@example.net", "f", "1", "f",
                  "t"], "... names, mail, not admin, active, "
        "passwd_changed_on set")
tap.like(row[7], r"^\$argon2id\$v=19\$m=\d+,t=\d+,p=1\$",
         "... the password hashed with argon2id")
tap.is_(basic_status("carol", CAROL, 200), 200, "carol signs in")

DAVE = "dave-pass-123"
secret(DAVE)
rc, out, err = admin("user", "add", "--admin", "--must-change-password",
                     "--firstname", "Dave", "--lastname", "Boss", "--mail",
                     "dave@example.net", "dave", input=DAVE + "\n")
tap.is_(rc, 0, "user add --admin --must-change-password (options first)")
tap.like(out, r"administrator, must change the password", "... says so")
tap.is_(user_row("dave")[3:6], ["t", "1", "t"],
        "... admin and must_change_passwd")
tap.is_(basic_status("dave", DAVE, 403), 403,
        "dave must change the password: Basic is 403")

n_users = count("users")
snap = snapshot()
bad_adds = [
    (["Carol"], "login 'Carol' is taken by user 'carol' "
     r"\(logins are compared ignoring case\)", "a duplicate login"),
    ([""], "login '': empty", "an empty login"),
    ([" erin"], "login ' erin': has surrounding spaces",
     "a leading space"),
    (["erin "], "login 'erin ': has surrounding spaces",
     "a trailing space"),
    (["er:in"], "login 'er:in': holds a colon", "a colon"),
    (["er\nin"], r"login 'er\?in': holds a control character",
     "a newline"),
    (["er\udcffin"], r"login 'er\?in': not valid UTF-8", "bad UTF-8"),
    (["e" * 256], r"login 'e+\.\.\.': longer than 255 bytes",
     "256 bytes"),
]
for extra, msg, what in bad_adds:
    rc, out, err = admin("user", "add", *extra, "--firstname", "Erin",
                         "--lastname", "E", "--mail", "erin@example.net",
                         input="erin-pass-123\n")
    tap.is_(rc, 1, "user add with %s: exit 1" % what)
    tap.like(err, "^latchkey: user add: " + msg, "... says: " + msg)
bad_fields = [
    (["--firstname", "E" * 31], "--firstname 'E+': longer than 30 "
     "characters", "a firstname of 31 characters"),
    (["--firstname", ""], "--firstname '': empty", "an empty firstname"),
    (["--lastname", "E\tE"], "--lastname 'E\\?E': holds a control",
     "a tab in the lastname"),
    (["--mail", "erin"], r"--mail 'erin': not a mail address \(one @",
     "a mail without @"),
    (["--mail", "erin@localhost"], r"--mail 'erin@localhost': not a mail "
     r"address \(the domain has no dot\)", "a mail without a dot in the "
     "domain"),
    (["--mail", "erin @example.net"], r"--mail 'erin @example.net': not a "
     r"mail address \(holds a space\)", "a mail with a space"),
]
for extra, msg, what in bad_fields:
    args = {"--firstname": "Erin", "--lastname": "E",
            "--mail": "erin@example.net"}
    args[extra[0]] = extra[1]
    rc, out, err = admin("user", "add", "erin",
                         *[x for kv in args.items() for x in kv],
                         input="erin-pass-123\n")
    tap.is_(rc, 1, "user add with %s: exit 1" % what)
    tap.like(err, "^latchkey: user add: " + msg, "... says: " + msg)
rc, out, err = admin("user", "add", "erin", "--firstname", "Erin",
                     "--lastname", "E", input="erin-pass-123\n")
tap.is_(rc, 1, "user add without --mail: exit 1")
tap.like(err, r"LOGIN, --firstname, --lastname and --mail are required",
         "... says what is required")
rc, out, err = admin("user", "add", "erin", "--firstname", "Erin",
                     "--lastname", "E", "--mail", "erin@example.net",
                     "--password=erin-pass-123")
tap.is_(rc, 1, "user add --password=...: exit 1")
tap.like(err, r"unknown option '--password' \(the password is read from "
         r"standard input\)", "... the password is not taken from argv")
secret("erin-pass-123")  # not even echoed back
rc, out, err = admin("user", "add", "erin", "--firstname")
tap.is_(rc, 1, "user add --firstname without a value: exit 1")
tap.like(err, r"--firstname needs a value", "... says so")
rc, out, err = admin("user", "add", "erin", "erin-pass-123", "--firstname",
                     "E", "--lastname", "E", "--mail", "erin@example.net")
tap.is_(rc, 1, "user add with two logins (or a password in argv): exit 1")
tap.like(err, r"one LOGIN only \(the password is read from standard "
         r"input\)", "... says so, without echoing it")
for stdin, msg, what in (("\n", "empty password", "an empty password"),
                         ("", "no password read", "no password at all"),
                         ("x" * 3073 + "\n", r"no password read \(one line "
                          r"on standard input, at most 3072 bytes\)",
                          "a password over 3072 bytes")):
    rc, out, err = admin("user", "add", "erin", "--firstname", "Erin",
                         "--lastname", "E", "--mail", "erin@example.net",
                         input=stdin)
    tap.is_(rc, 1, "user add with %s: exit 1" % what)
    tap.like(err, msg, "... says: " + msg)
tap.is_(count("users"), n_users, "no failed user add added a user")
tap.ok(snapshot() == snap, "... nor changed anything else")

# --- user passwd -------------------------------------------------------------

CAROL2 = "carol-new-pass-456"
secret(CAROL2)
old = user_row("carol")
time.sleep(0.01)
rc, out, err = admin("user", "passwd", "CAROL", input=CAROL2 + "\n")
tap.is_((rc, out.strip()), (0, "latchkey: password of CAROL changed"),
        "user passwd (login in capitals)")
new = user_row("carol")
tap.ok(new[7] != old[7] and new[7].startswith("$argon2id$"),
       "... a new argon2id hash")
tap.is_(basic_status("carol", CAROL, 401), 401, "the old password fails")
tap.is_(basic_status("carol", CAROL2, 200), 200, "the new one works")
DAVE2 = "dave-new-pass-456"
secret(DAVE2)
rc, out, err = admin("user", "passwd", "dave", input=DAVE2 + "\n")
tap.is_(user_row("dave")[5], "f", "user passwd clears must_change_passwd")
tap.is_(basic_status("dave", DAVE2, 200), 200,
        "... so dave signs in with Basic now")
snap = snapshot()
rc, out, err = admin("user", "passwd", "carol", input="\n")
tap.is_(rc, 1, "user passwd with an empty password: exit 1")
tap.like(err, r"empty password", "... says so")
rc, out, err = admin("user", "passwd", "nobody", input="x-pass-123\n")
tap.is_(rc, 1, "user passwd for an unknown user: exit 1")
tap.like(err, r"no user 'nobody'", "... says so")
rc, out, err = admin("user", "passwd", input="x-pass-123\n")
tap.is_(rc, 1, "user passwd without a login: exit 1")
tap.like(err, r"takes one LOGIN", "... says so")
tap.ok(snapshot() == snap, "failed passwd changed nothing")

# --- user lock, unlock -------------------------------------------------------

rc, out, err = admin("user", "lock", "carol")
tap.is_((rc, out.strip()), (0, "latchkey: carol locked"), "user lock")
tap.is_(user_row("carol")[4], "3", "... status 3")
tap.is_(basic_status("carol", CAROL2, 401), 401, "a locked user is refused")
updated = sql("SELECT updated_on FROM users WHERE login = 'carol'")
rc, out, err = admin("user", "lock", "carol")
tap.is_((rc, out.strip()), (0, "latchkey: carol is already locked"),
        "user lock twice: a no-op that says so")
tap.is_(sql("SELECT updated_on FROM users WHERE login = 'carol'"), updated,
        "... and touches nothing")
rc, out, err = admin("user", "unlock", "carol")
tap.is_((rc, out.strip()), (0, "latchkey: carol unlocked (active)"),
        "user unlock")
tap.is_(user_row("carol")[4], "1", "... status 1")
tap.is_(basic_status("carol", CAROL2, 200), 200, "carol signs in again")
rc, out, err = admin("user", "unlock", "carol")
tap.is_((rc, out.strip()), (0, "latchkey: carol is already active"),
        "user unlock twice: a no-op")
rc, out, err = admin("user", "unlock", "registered")
tap.is_((rc, user_row("registered")[4]), (0, "1"),
        "user unlock activates a registered user")
for sub in ("lock", "unlock"):
    rc, out, err = admin("user", sub, "nobody")
    tap.is_(rc, 1, "user %s for an unknown user: exit 1" % sub)
    tap.like(err, r"no user 'nobody'", "... says so")
    rc, out, err = admin("user", sub, "carol", "bob")
    tap.is_(rc, 1, "user %s with two logins: exit 1" % sub)
rc, out, err = admin("user", "frobnicate", "carol")
tap.is_(rc, 1, "user with an unknown command: exit 1")
tap.like(err, r"unknown command 'frobnicate'", "... says so")
rc, out, err = admin("user")
tap.is_(rc, 1, "user without a command: exit 1")

# --- user list ---------------------------------------------------------------

# A row made by plain SQL, with a terminal escape in it: list shows it tamed.
sql("INSERT INTO users (login, firstname, lastname, mail) VALUES "
    "(E'evil\\x1b[31m', 'Eve', 'Il', 'eve@example.net')")
rc, out, err = admin("user", "list")
tap.is_(rc, 0, "user list: exit 0")
lines = out.splitlines()
table = [re.split(r"\s{2,}", ln.strip()) for ln in lines]
tap.is_(table[0], ["ID", "LOGIN", "NAME", "MAIL", "ADMIN", "STATUS", "KEY"],
        "user list: the header")
rows = {r[1]: r for r in table[1:]}
tap.is_(rows.get("alice"), ["2", "alice", "Alice Member",
                            "alice@example.net", "no", "active", "yes"],
        "alice: has a key")
tap.is_(rows.get("admin", [None] * 7)[4:], ["yes", "active", "no"],
        "admin: an administrator without a key")
tap.is_(rows.get("locked", [None] * 7)[5], "locked", "locked: locked")
tap.is_(rows.get("dave", [None] * 7)[4], "yes", "dave: admin")
tap.ok("evil?[31m" in rows, "a control character shows as ?")
tap.ok("\x1b" not in out, "... never raw")
tap.is_(len(rows), count("users"), "one line per user")
col = lines[0].index("LOGIN")
tap.ok(all(ln[col - 2:col] == "  " and ln[col] != " " for ln in lines),
       "columns line up")
rc, out, err = admin("user", "list", "extra")
tap.is_(rc, 1, "user list with an argument: exit 1")
sql("DELETE FROM users WHERE login LIKE 'evil%'")

# --- load: a data set of every kind, then refusals ---------------------------

argon = sql("SELECT hashed_password FROM users WHERE login = 'bob'")
BCRYPT = "$2b$04$UG8/tUFu6sAXvpwdjwsM.upe.Xz5PaBDJWfh2WNnLRT8hcNGbs23m"
SALT = "0123456789abcdef0123456789abcdef"
REDMINE = hashlib.sha1((SALT + hashlib.sha1(b"redmine-pass-123")
                        .hexdigest()).encode()).hexdigest()
GRACE_KEY = hashlib.sha1(b"grace's key").hexdigest()
secret("grace-pass-123")
secret(GRACE_KEY)
secret("redmine-pass-123")


def base():
    """A good data set: loads on top of the demo."""
    return {
        "settings": {"login_required": True},
        "users": [
            {"login": "grace", "password": "grace-pass-123",
             "firstname": "Grace", "lastname": "Hopper",
             "mail": "grace@example.net", "api_key": GRACE_KEY},
            {"login": "heidi", "password_hash": argon, "admin": True,
             "firstname": "Heidi", "lastname": "Argon",
             "mail": "heidi@example.net"},
            {"login": "ivan", "password_hash": BCRYPT, "status": "locked",
             "firstname": "Ivan", "lastname": "Bcrypt",
             "mail": "ivan@example.net"},
            {"login": "judy", "password_hash": REDMINE, "salt": SALT,
             "status": "registered", "must_change_password": True,
             "firstname": "Judy", "lastname": "Redmine",
             "mail": "judy@example.net"},
        ],
        "projects": [
            {"identifier": "third", "name": "Third project",
             "description": "More.", "is_public": False,
             "members": [{"login": "grace", "role": "manager"},
                         {"login": "alice", "role": "viewer"},
                         {"login": "HEIDI", "role": "contributor"}]},
            {"identifier": "fourth", "name": "Fourth project"},
        ],
        "news": [
            {"project": "third", "author": "grace", "title": "Hello",
             "summary": "Sum", "description": "Desc"},
            {"project": "public-proj", "author": "alice",
             "title": "Into the demo's project"},
        ],
        "issues": [
            {"project": "third", "author": "grace", "assigned_to": "heidi",
             "subject": "Closed one", "description": "Done.",
             "tracker": "Feature", "status": "Closed",
             "priority": "high"},
            {"project": "public-proj", "author": "judy",
             "subject": "Defaults"},
        ],
    }


n_tokens = count("tokens")
good = write("good.json", base())
for case, mutate, msg in [
    ("users[1].login duplicate of users[0]",
     lambda d: d["users"][1].update(login="Grace"),
     r"users\[1\]\.login: duplicate of users\[0\] \('Grace'\)"),
    ("a login that exists", lambda d: d["users"][3].update(login="ALICE"),
     r"users\[3\]\.login: duplicate: 'ALICE' exists already"),
    ("a typo in a field name",
     lambda d: d["users"][2].update(pasword="x"),
     r"users\[2\]\.pasword: unknown field \(known: login, firstname"),
    ("an unreadable password_hash",
     lambda d: d["users"][1].update(password_hash="md5$abc"),
     r"users\[1\]\.password_hash: not an argon2id, bcrypt or Redmine "
     r"SHA-1 hash"),
    ("a Redmine hash in capitals",
     lambda d: d["users"][3].update(password_hash=REDMINE.upper()),
     r"users\[3\]\.password_hash: not an argon2id"),
    ("a Redmine hash without its salt",
     lambda d: d["users"][3].pop("salt"),
     r"users\[3\]\.salt: missing: a Redmine SHA-1 password_hash needs its "
     r"salt"),
    ("a salt with bcrypt", lambda d: d["users"][2].update(salt=SALT),
     r"users\[2\]\.salt: only with a Redmine SHA-1 password_hash"),
    ("password and password_hash",
     lambda d: d["users"][1].update(password="x-pass"),
     r"users\[1\]\.password_hash: give password or password_hash, not "
     r"both"),
    ("no password", lambda d: d["users"][0].pop("password"),
     r"users\[0\]\.password: missing \(or password_hash\)"),
    ("an empty password", lambda d: d["users"][0].update(password=""),
     r"users\[0\]\.password: empty"),
    ("a malformed api_key",
     lambda d: d["users"][0].update(api_key=GRACE_KEY.upper()),
     r"users\[0\]\.api_key: not 40 lowercase hex characters"),
    ("an api_key another user has",
     lambda d: d["users"][1].update(api_key=GRACE_KEY),
     r"users\[1\]\.api_key: another user has this key"),
    ("alice's api_key", lambda d: d["users"][0].update(api_key=imported),
     r"users\[0\]\.api_key: another user has this key"),
    ("a bad status", lambda d: d["users"][2].update(status="actve"),
     r"users\[2\]\.status: 'actve' is not active, registered or locked"),
    ("admin as a string", lambda d: d["users"][1].update(admin="yes"),
     r"users\[1\]\.admin: not true or false"),
    ("a login with a space", lambda d: d["users"][1].update(login="h eidi "),
     r"users\[1\]\.login: 'h eidi ': has surrounding spaces"),
    ("a login as a number", lambda d: d["users"][1].update(login=7),
     r"users\[1\]\.login: not a string"),
    ("a NUL in a login", lambda d: d["users"][1].update(login="hei\0di"),
     r"users\[1\]\.login: not valid UTF-8, or holds a NUL"),
    ("a missing mail", lambda d: d["users"][2].pop("mail"),
     r"users\[2\]\.mail: missing"),
    ("a bad mail", lambda d: d["users"][2].update(mail="ivan@"),
     r"users\[2\]\.mail: 'ivan@': not a mail address"),
    ("a long firstname", lambda d: d["users"][2].update(firstname="I" * 31),
     r"users\[2\]\.firstname: 'I+': longer than 30 characters"),
    ("a user that is not an object", lambda d: d["users"].append("kim"),
     r"users\[4\]: not an object"),
    ("a bad identifier",
     lambda d: d["projects"][1].update(identifier="Fourth"),
     r"projects\[1\]\.identifier: 'Fourth': must start with a lowercase "
     r"letter"),
    ("an identifier that exists",
     lambda d: d["projects"][1].update(identifier="private-proj"),
     r"projects\[1\]\.identifier: duplicate: 'private-proj' exists "
     r"already"),
    ("an identifier twice",
     lambda d: d["projects"][1].update(identifier="third"),
     r"projects\[1\]\.identifier: duplicate of projects\[0\] \('third'\)"),
    ("a project without a name", lambda d: d["projects"][1].pop("name"),
     r"projects\[1\]\.name: missing"),
    ("is_public as a number",
     lambda d: d["projects"][1].update(is_public=1),
     r"projects\[1\]\.is_public: not true or false"),
    ("a member who does not exist",
     lambda d: d["projects"][0]["members"][2].update(login="nobody"),
     r"projects\[0\]\.members\[2\]\.login: no user 'nobody'"),
    ("a bad role",
     lambda d: d["projects"][0]["members"][1].update(role="admin"),
     r"projects\[0\]\.members\[1\]\.role: 'admin' is not viewer, "
     r"contributor or manager"),
    ("a member twice",
     lambda d: d["projects"][0]["members"][2].update(login="GRACE"),
     r"projects\[0\]\.members\[2\]\.login: duplicate: already a member"),
    ("members not a list",
     lambda d: d["projects"][1].update(members={"login": "alice"}),
     r"projects\[1\]\.members: not a list"),
    ("news of no project", lambda d: d["news"][1].update(project="nope"),
     r"news\[1\]\.project: no project 'nope'"),
    ("news by nobody", lambda d: d["news"][0].update(author="nobody"),
     r"news\[0\]\.author: no user 'nobody'"),
    ("a news title over 60 characters",
     lambda d: d["news"][0].update(title="T" * 61),
     r"news\[0\]\.title: longer than 60 characters"),
    ("an issue of no project",
     lambda d: d["issues"][1].update(project="nope"),
     r"issues\[1\]\.project: no project 'nope'"),
    ("an unknown tracker", lambda d: d["issues"][0].update(tracker="Bugg"),
     r"issues\[0\]\.tracker: no tracker 'Bugg' \(Bug, Feature, Support\)"),
    ("an unknown status", lambda d: d["issues"][0].update(status="Done"),
     r"issues\[0\]\.status: no status 'Done' \(New, In Progress, "
     r"Resolved, Feedback, Closed, Rejected\)"),
    ("an unknown priority",
     lambda d: d["issues"][0].update(priority="Meh"),
     r"issues\[0\]\.priority: no priority 'Meh' \(Low, Normal, High, "
     r"Urgent, Immediate\)"),
    ("an assignee who does not exist",
     lambda d: d["issues"][0].update(assigned_to="nobody"),
     r"issues\[0\]\.assigned_to: no user 'nobody'"),
    ("an issue without a subject", lambda d: d["issues"][1].pop("subject"),
     r"issues\[1\]\.subject: missing"),
    ("an empty subject", lambda d: d["issues"][1].update(subject=""),
     r"issues\[1\]\.subject: empty"),
    ("an unknown setting",
     lambda d: d["settings"].update(rest_api_enable=True),
     r"settings\.rest_api_enable: unknown field \(known: "
     r"rest_api_enabled, login_required\)"),
    ("a setting that is not a boolean",
     lambda d: d["settings"].update(login_required="yes"),
     r"settings\.login_required: not true or false"),
    ("an unknown top-level field", lambda d: d.update(user=[]),
     r"user: unknown field \(known: settings, users, projects, news, "
     r"issues\)"),
    ("users not a list", lambda d: d.update(users={}),
     r"users: not a list"),
]:
    data = base()
    mutate(data)
    path = write("bad.json", data)
    before = snapshot()
    rc, out, err = admin("load", path)
    tap.is_(rc, 1, "load with %s: exit 1" % case)
    tap.like(err, r"^latchkey: load: %s: %s" % (re.escape(path), msg),
             "... says: %s" % msg.replace("\\", ""))
    if not msg.startswith("users: ") and not msg.startswith("user: "):
        # (the top level is checked before the database is touched)
        tap.like(err, r"nothing loaded\n$", "... and that nothing was "
                 "loaded")
    tap.ok(snapshot() == before, "... and nothing changed")
    tap.is_(out, "", "... nothing on stdout")

# Files that are not a data set at all.
before = snapshot()
for case, data, msg in [
    ("a JSON syntax error", '{"users": [\n  {"login": "x",}\n]}',
     r":2:1[78]: not JSON: "),
    ("text after the JSON", '{"users": []} {"users": []}', r":1:\d+: not "
     r"JSON"),
    ("an empty file", "", r":1:1: not JSON: unexpected end of file"),
    ("a truncated file", '{"users": [', r":1:12: not JSON: unexpected end "
     r"of file"),
    ("bad UTF-8", b'{"users": [{"login": "x\xff"}]}', r":1:\d+: not JSON"),
    ("a list at the top", "[]", r": not a JSON object"),
]:
    path = write("bad.json", data)
    rc, out, err = admin("load", path)
    tap.is_(rc, 1, "load of %s: exit 1" % case)
    tap.like(err, r"^latchkey: load: %s%s" % (re.escape(path), msg),
             "... says: %s" % msg.replace("\\", ""))
rc, out, err = admin("load", os.path.join(TMP, "missing.json"))
tap.is_(rc, 1, "load of a missing file: exit 1")
tap.like(err, r"missing.json: No such file or directory", "... says so")
big = os.path.join(TMP, "big.json")
with open(big, "wb") as f:
    f.truncate(64 * 1024 * 1024 + 1)
rc, out, err = admin("load", big)
tap.is_(rc, 1, "load of a file over 64 MiB: exit 1")
tap.like(err, r"big.json: larger than 64 MiB", "... says so")
os.unlink(big)
rc, out, err = admin("load")
tap.is_(rc, 1, "load without a file: exit 1")
tap.like(err, r"^usage: latchkey load", "... and the usage")
rc, out, err = admin("load", good, good)
tap.is_(rc, 1, "load with two files: exit 1")
tap.ok(snapshot() == before, "none of that changed anything")

# The good file, at last: everything as the file says.
rc, out, err = admin("load", good)
tap.is_((rc, err), (0, ""), "load of the good data set: exit 0")
tap.isnt(snapshot(), before, "... which the snapshots see (they are not "
         "blind)")
tap.is_(out, "latchkey: %s: loaded 4 users, 2 projects, 2 news, 2 issues "
        "(1 setting, 3 memberships)\n" % good, "... and the summary")
tap.is_(user_row("grace")[:7], ["Grace", "Hopper", "grace@example.net", "f",
                                "1", "f", "t"], "grace: as in the file")
tap.like(user_row("grace")[7], r"^\$argon2id\$", "grace: password hashed")
tap.is_(user_row("heidi")[3:], ["t", "1", "f", "f", argon, ""],
        "heidi: admin, the argon2id hash stored as it is, no "
        "passwd_changed_on")
tap.is_(user_row("ivan")[4:], ["3", "f", "f", BCRYPT, ""],
        "ivan: locked, the bcrypt hash stored as it is")
tap.is_(user_row("judy")[4:], ["2", "t", "f", REDMINE, SALT],
        "judy: registered, must change, the Redmine hash and its salt")
rc, k, err = admin("key", "show", "grace", secret_ok=True)
tap.is_(k.strip(), GRACE_KEY, "grace's api_key imported: key show shows it")
tap.is_(count("tokens"), n_tokens + 1, "one more key in tokens")
tap.ok(GRACE_KEY not in sql("SELECT string_agg(t::text, ',') FROM tokens t")
       and GRACE_KEY.encode().hex() not in
       sql("SELECT string_agg(t::text, ',') FROM tokens t"),
       "... not in plain text")
tap.is_(eventually(200, "/users/current.json?key=" + GRACE_KEY).status, 200,
        "grace's imported key authenticates")
tap.is_(sql("SELECT string_agg(u.login || ':' || m.role, ',' ORDER BY "
            "u.login) FROM members m JOIN users u ON u.id = m.user_id JOIN "
            "projects p ON p.id = m.project_id WHERE p.identifier = "
            "'third'"), "alice:viewer,grace:manager,heidi:contributor",
        "members of third, by role")
tap.is_(sql("SELECT identifier || ':' || name || ':' || description || ':' "
            "|| is_public FROM projects WHERE id > 2 ORDER BY id")
        .split("\n"),
        ["third:Third project:More.:false", "fourth:Fourth project::true"],
        "projects: is_public defaults to true, description to ''")
tap.is_(sql("SELECT string_agg(p.identifier || ':' || u.login || ':' || "
            "n.title || ':' || n.summary, ',' ORDER BY n.id) FROM news n "
            "JOIN projects p ON p.id = n.project_id JOIN users u ON "
            "u.id = n.author_id WHERE n.id > 4"),
        "third:grace:Hello:Sum,public-proj:alice:Into the demo's project:",
        "news, one into the demo's project")
tap.is_(sql("SELECT string_agg(i.subject || ':' || t.name || ':' || st.name "
            "|| ':' || pr.name || ':' || coalesce(a.login, '-') || ':' || "
            "(i.closed_on IS NOT NULL), ',' ORDER BY i.id) FROM issues i "
            "JOIN trackers t ON t.id = i.tracker_id JOIN issue_statuses st "
            "ON st.id = i.status_id JOIN issue_priorities pr ON "
            "pr.id = i.priority_id LEFT JOIN users a ON "
            "a.id = i.assigned_to_id WHERE i.id > 4"),
        "Closed one:Feature:Closed:High:heidi:true,"
        "Defaults:Bug:New:Normal:-:false",
        "issues: names (any case), defaults, closed_on for a closed status")
tap.is_(sql("SELECT value FROM settings WHERE name = 'login_required'"), "1",
        "the setting applied")
admin("setting", "set", "login_required", "false")

after = snapshot()
rc, out, err = admin("load", good)
tap.is_(rc, 0, "load of the same file again: exit 0")
tap.like(out, r"already loaded \(as good.json, [0-9T:Z-]+\); nothing to do",
         "... a no-op that says so")
tap.ok(snapshot() == after, "... and changes nothing")
copy = write("copy.json", open(good).read())
rc, out, err = admin("load", copy)
tap.like(out, r"already loaded \(as good.json", "the same bytes under "
         "another name: the same no-op")
data = base()
data["users"].append({"login": "kim", "password": "kim-pass-123",
                      "firstname": "Kim", "lastname": "K",
                      "mail": "kim@example.net"})
rc, out, err = admin("load", write("more.json", data))
tap.is_(rc, 1, "a different file that collides: exit 1")
tap.like(err, r"users\[0\]\.login: duplicate: 'grace' exists already",
         "... names the entry")
tap.ok(snapshot() == after, "... and changes nothing (kim is not in)")
rc, out, err = admin("load", write("empty.json", "{}"))
tap.is_((rc, out.strip()), (0, "latchkey: %s: loaded 0 users, 0 projects, "
                            "0 news, 0 issues (0 settings, 0 memberships)"
                            % os.path.join(TMP, "empty.json")),
        "an empty data set loads nothing")

# --- a database of its own: load before migrate, then the demo afresh --------

s.psql("CREATE DATABASE other", db="postgres")
other = write("other.conf", re.sub(r"(?m)dbname=\S+", "dbname=other", conf))
demo = os.path.join(lk.TOP, "deploy", "dev", "demo.json")
rc, out, err = admin("load", demo, conf=other)
tap.is_(rc, 1, "load before migrate: exit 1")
tap.like(err, r"no datasets table: run 'latchkey migrate' first",
         "... says to migrate first")
# The schema owner migrates with a configuration of its own, which need
# not give it the server secret.
owner = write("owner.conf", re.sub(r"(?m)^secret_file = .*$",
                                   "secret_file = /nonexistent/secret",
                                   re.sub(r"(?m)dbname=\S+", "dbname=other",
                                          conf)))
rc, out, err = admin("migrate", conf=owner)
tap.is_(rc, 0, "migrate on a fresh database, without the secret")
tap.like(out, r"applied 001_schema", "... applies the schema")
rc, out, err = admin("migrate", conf=other)
tap.is_(out, "latchkey: schema up to date\n", "migrate twice: up to date")
rc, out, err = admin("load", demo, conf=other)
tap.is_((rc, out), (0, "latchkey: %s: loaded 6 users, 2 projects, 4 news, "
                    "4 issues (2 settings, 1 membership)\n" % demo),
        "the demo on a fresh database: the summary")
rc, out, err = admin("load", demo, conf=other)
tap.like(out, r"already loaded", "... and a second time: a no-op")
rc, out, err = admin("user", "list", conf=other)
tap.is_(len(out.splitlines()), 7, "user list there: a header and 6 users")

# --- migrate: a migration whose record cannot be written is not applied ----

s.psql("CREATE FUNCTION no_record() RETURNS trigger LANGUAGE plpgsql AS "
       "$$ BEGIN RAISE EXCEPTION 'not today'; END $$")
s.psql("CREATE TRIGGER no_record BEFORE INSERT ON schema_migrations "
       "FOR EACH ROW EXECUTE FUNCTION no_record()")
s.psql("DELETE FROM schema_migrations WHERE version = '006_auth_on_insert'")
rc, out, err = admin("migrate")
tap.is_((rc, out), (1, ""), "migrate when its record cannot be written: "
        "exit 1, nothing said applied")
tap.like(err, r"^latchkey: migrate: 006_auth_on_insert: ERROR:  not today",
         "... and why")
tap.is_(s.psql("SELECT count(*) FROM schema_migrations WHERE version = "
               "'006_auth_on_insert'").strip(), "0", "... not recorded")
s.psql("DROP TRIGGER no_record ON schema_migrations")
rc, out, err = admin("migrate")
tap.is_((rc, out), (0, "latchkey: applied 006_auth_on_insert\n"),
        "once it can: applied")

# --- no secret in any output -------------------------------------------------

leaks = [(cmd, x) for cmd, text in OUTPUTS for x in SECRETS if x in text]
tap.is_(leaks, [], "no password or key in any output but key show/reset "
        "(%d outputs, %d secrets)" % (len(OUTPUTS), len(SECRETS)))

lk.done()
