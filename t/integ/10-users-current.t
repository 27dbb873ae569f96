#!/usr/bin/python3
# GET /users/current.{json,xml} through nginx, by every way in (issue 2,
# item 7): ?key=, X-Redmine-API-Key, Basic login:password, Basic KEY:X and
# KEY:; the 401s with and without the challenge; the REST API switched off;
# and the API key never stored (nor logged) in plain text.
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import lkhttp  # noqa: E402
import tap  # noqa: E402

# Redmine 5.0's /users/current, field for field and in this order
# (shared/redmine-samples/users_current.json; not read from there: the
# project must not depend on it).
FIELDS = ["id", "login", "admin", "firstname", "lastname", "mail",
          "created_on", "updated_on", "last_login_on", "passwd_changed_on",
          "twofa_scheme", "api_key", "status"]
TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
CHALLENGE = 'Basic realm="Redmine API"'
PASSWORD = lk.PASSWORDS["alice"]

s = lk.stack()
key = s.api_key("alice")
tap.like(key, r"^[0-9a-f]{40}$", "latchkey key show alice prints a 40-hex key")
tap.is_(s.api_key("alice"), key, "key show is stable: the same key again")


def check_json(r, how):
    """alice's /users/current.json in Redmine's shape; returns the user."""
    tap.is_(r.status, 200, "%s: 200" % how)
    tap.is_(r.header("Content-Type"), JSON_TYPE, "%s: JSON content type" % how)
    try:
        doc = r.json_pairs()
    except ValueError as e:
        tap.ok(False, "%s: body is JSON (%s): %r" % (how, e, r.body[:200]))
        return {}
    tap.is_([k for k, _ in doc], ["user"], "%s: one top-level key, user" % how)
    pairs = dict(doc).get("user") or []
    tap.is_([k for k, _ in pairs], FIELDS,
            "%s: fields in Redmine's order" % how)
    u = dict(pairs)
    tap.is_(u.get("login"), "alice", "%s: login" % how)
    tap.is_(u.get("api_key"), key, "%s: api_key is alice's key" % how)
    return u


# --- every way in gives the same alice ------------------------------------

r = s.get("/users/current.json?key=" + key)
user = check_json(r, "?key=")
tap.ok(isinstance(user.get("id"), int) and not isinstance(user["id"], bool),
       "id is a number")
tap.is_(user.get("admin"), False, "admin is false (a JSON boolean)")
tap.is_((user.get("firstname"), user.get("lastname"), user.get("mail")),
        ("Alice", "Member", "alice@example.net"), "names and mail")
tap.like(user.get("created_on"), TIME, "created_on is ISO 8601 UTC")
tap.like(user.get("updated_on"), TIME, "updated_on is ISO 8601 UTC")
for f in ("last_login_on", "passwd_changed_on"):
    v = user.get(f)
    tap.ok(v is None or re.match(TIME, v), "%s is null or ISO 8601 UTC: %r"
           % (f, v))
tap.is_(user.get("twofa_scheme"), None, "twofa_scheme is null")
tap.is_(user.get("status"), 1, "status is 1 (active)")

ways = [
    ("X-Redmine-API-Key", [("X-Redmine-API-Key", key)]),
    ("Basic login:password",
     [("Authorization", lkhttp.basic("alice", PASSWORD))]),
    ("Basic KEY:X", [("Authorization", lkhttp.basic(key, "X"))]),
    ("Basic KEY:", [("Authorization", lkhttp.basic(key, ""))]),
]
stable = {k: v for k, v in user.items() if k != "last_login_on"}
for how, headers in ways:
    u = check_json(s.get("/users/current.json", headers=headers), how)
    # A password login may stamp last_login_on; all else is the same user.
    tap.is_({k: v for k, v in u.items() if k != "last_login_on"}, stable,
            "%s: the same user as by ?key=" % how)

# --- XML --------------------------------------------------------------------

for how, path, headers in (
        ("XML ?key=", "/users/current.xml?key=" + key, []),
        ("XML Basic", "/users/current.xml",
         [("Authorization", lkhttp.basic("alice", PASSWORD))])):
    r = s.get(path, headers=headers)
    tap.is_(r.status, 200, "%s: 200" % how)
    tap.is_(r.header("Content-Type"), XML_TYPE, "%s: XML content type" % how)
    tap.is_(lkhttp.xml_declaration(r.body),
            '<?xml version="1.0" encoding="UTF-8"?>',
            "%s: starts with the XML declaration" % how)
    try:
        root = r.xml()
    except Exception as e:  # ParseError: report, go on
        tap.ok(False, "%s: body is XML (%s): %r" % (how, e, r.body[:200]))
        continue
    tap.is_(root.tag, "user", "%s: root element user" % how)
    kids = lkhttp.xml_children(root)
    tap.is_([t for t, _ in kids], FIELDS, "%s: elements in Redmine's order"
            % how)
    x = dict(kids)
    tap.is_(x.get("id"), str(user.get("id")), "%s: id" % how)
    tap.is_(x.get("login"), "alice", "%s: login" % how)
    tap.is_(x.get("admin"), "false", "%s: admin is false" % how)
    tap.is_(x.get("api_key"), key, "%s: api_key" % how)
    tap.is_(x.get("twofa_scheme"), None, "%s: twofa_scheme is empty" % how)
    tap.is_(root.find("twofa_scheme").attrib, {},
            "%s: twofa_scheme has no attributes" % how)
    tap.is_(x.get("status"), "1", "%s: status" % how)
    tap.is_(x.get("created_on"), user.get("created_on"),
            "%s: created_on as in JSON" % how)

# --- refusals ----------------------------------------------------------------

wrong_key = "0123456789abcdef0123456789abcdef01234567"
if wrong_key == key:
    wrong_key = "f" * 40
cases = [
    ("no credentials", "/users/current.json", [], CHALLENGE),
    ("no credentials (XML)", "/users/current.xml", [], CHALLENGE),
    ("wrong ?key=", "/users/current.json?key=" + wrong_key, [], None),
    ("wrong X-Redmine-API-Key", "/users/current.json",
     [("X-Redmine-API-Key", wrong_key)], None),
    ("wrong password", "/users/current.json",
     [("Authorization", lkhttp.basic("alice", "not-" + PASSWORD))], CHALLENGE),
    ("unknown login", "/users/current.json",
     [("Authorization", lkhttp.basic("nobody-here", PASSWORD))], CHALLENGE),
]
for how, path, headers, challenge in cases:
    r = s.get(path, headers=headers)
    tap.is_(r.status, 401, "%s: 401" % how)
    tap.is_(r.headers_all("WWW-Authenticate"),
            [challenge] if challenge else [],
            "%s: %s" % (how, "the Basic challenge" if challenge
                        else "no WWW-Authenticate"))
    tap.is_(r.body, b"", "%s: empty body" % how)

# --- REST API switched off, then on again ------------------------------------


s.setting("rest_api_enabled", "false")
r = s.settle(403, "/users/current.json?key=" + key, [])
tap.is_(r.status, 403, "REST API off: ?key= is 403 (within 2 s)")
tap.is_(r.body, b"", "REST API off: empty body")
r = s.get("/users/current.json",
          headers=[("X-Redmine-API-Key", key)])
tap.is_(r.status, 403, "REST API off: X-Redmine-API-Key is 403")
r = s.get("/users/current.json",
          headers=[("Authorization", lkhttp.basic("alice", PASSWORD))])
tap.is_(r.status, 403, "REST API off: Basic login:password is 403")
tap.is_(r.body, b"", "REST API off: Basic: empty body")
r = s.get("/users/current.json?key=" + wrong_key)
tap.is_(r.status, 403, "REST API off: even a wrong key is 403 (never checked)")

s.setting("rest_api_enabled", "true")
r = s.settle(200, "/users/current.json?key=" + key, [])
tap.is_(r.status, 200, "REST API back on: 200 (within 2 s)")

# --- the key is nowhere in plain text ----------------------------------------

# --- PUT /my/account: Redmine's checks, lengths in characters ----------------


def put_account(body):
    return s.request("PUT", "/my/account.json", key=key,
                     headers=[("Content-Type", "application/json")],
                     body=json.dumps({"user": body}))


name16 = "\u5c71" * 16  # 16 characters, 48 bytes: under 30 characters
r = put_account({"firstname": name16})
tap.is_(r.status, 204, "a first name of 16 CJK characters (48 bytes)")
tap.is_(s.get("/my/account.json", key=key).json()["user"]["firstname"],
        name16, "is stored as sent")
for body, want in (
        ({"firstname": "\u5c71" * 31},
         ["First name is too long (maximum is 30 characters)"]),
        ({"lastname": "  "}, ["Last name cannot be blank"]),
        ({"mail": "no-at-sign"}, ["Email is invalid"]),
        ({"mail": ""}, ["Email cannot be blank"]),
        ({"firstname": {"x": 1}, "lastname": ["x"]},
         ["First name is invalid", "Last name is invalid"])):
    r = put_account(body)
    tap.is_((r.status, r.json().get("errors") if r.status == 422 else None),
            (422, want), "PUT %s: 422 %s" % (json.dumps(body), want))
tap.is_(s.get("/my/account.json", key=key).json()["user"]["firstname"],
        name16, "and nothing refused was stored")
r = put_account({"firstname": "Alice"})
tap.is_(r.status, 204, "the first name back")


def table_text(table):
    """Every row of a table as text (bytea shows as \\x hex), lowercased."""
    try:
        return s.psql("SELECT t::text FROM %s t" % table).lower()
    except lk.stackmod.StackError as e:
        tap.diag(str(e))
        return None


tokens = table_text("tokens")
tap.ok(tokens and tokens.strip(), "the tokens table has alice's token")
tap.ok(tokens is not None and key not in tokens and
       key.encode().hex() not in tokens,
       "no column of tokens holds the key (as text or as bytes)")
users = table_text("users")
tap.ok(users is not None and key not in users,
       "nor does any column of users")
tap.ok(key not in s.read_log(s.nginx_access_log),
       "nginx's access log does not show the key")
tap.ok("key=[FILTERED]" in s.read_log(s.nginx_access_log),
       "nginx's access log shows key=[FILTERED] instead")
log = s.read_log(s.latchkeyd_log)
secrets = [key, PASSWORD, lkhttp.basic("alice", PASSWORD).split()[1],
           wrong_key]
tap.ok(not any(x in log for x in secrets),
       "latchkeyd's log shows no key, password or Authorization value")

lk.done()
