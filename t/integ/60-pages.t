#!/usr/bin/python3
# The HTML pages of issue 6 (SPEC section 8) through nginx: sign-in and its
# one message for every refusal, the session cookie (flags, forgery,
# locking, sign-out), CSRF on every form, "My account" with the API key
# shown and reset, /settings for administrators only, the must-change
# password flow, and HTML escaping of what users control.
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import fcgi  # noqa: E402
import lk  # noqa: E402
import lkhttp  # noqa: E402
import tap  # noqa: E402

HTML_TYPE = "text/html; charset=utf-8"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
       "frame-ancestors 'none'")
FORM = "application/x-www-form-urlencoded"
BAD_LOGIN = "Invalid user or password"
TOKEN_RE = re.compile(r'name="authenticity_token" value="([^"]*)"')
ALERT_RE = re.compile(r'<p class="flash error" role="alert">(.*?)</p>')

s = lk.stack()


class Browser:
    """A cookie jar over lkhttp: no redirects followed, so every answer
    can be checked; the cookies a response sets are kept (or dropped)."""

    def __init__(self, name, stack=None):
        self.name = name
        self.stack = stack or s
        self.jar = {}  # name -> (value, path)
        self.last = None

    def cookie_header(self, path):
        vals = ["%s=%s" % (k, v) for k, (v, p) in sorted(self.jar.items())
                if path == p or path.startswith(p.rstrip("/") + "/")
                or p == "/"]
        return "; ".join(vals)

    def _keep(self, r):
        for sc in r.headers_all("Set-Cookie"):
            nv, _, attrs = sc.partition(";")
            name, _, value = nv.strip().partition("=")
            a = {k.strip().lower(): v for k, _, v in
                 (x.partition("=") for x in attrs.split(";"))}
            if a.get("max-age") == "0" or value == "":
                self.jar.pop(name, None)
            else:
                self.jar[name] = (value, a.get("path", "/"))

    def request(self, method, path, headers=(), body=None):
        headers = list(headers)
        bare = path.split("?")[0]
        c = self.cookie_header(bare)
        if c:
            headers.append(("Cookie", c))
        r = lkhttp.request(self.stack.http_port, method, path, headers,
                           body)
        self._keep(r)
        self.last = r
        return r

    def get(self, path, headers=()):
        return self.request("GET", path, headers)

    def post(self, path, fields, headers=()):
        body = urllib.parse.urlencode(fields)
        return self.request("POST", path, [("Content-Type", FORM)] +
                            list(headers), body)

    def token(self, path):
        """The CSRF token of the form on the page at path."""
        r = self.get(path)
        m = TOKEN_RE.search(r.text)
        return m.group(1) if m else None

    def login(self, login, password, back=None):
        tok = self.token("/login")
        fields = [("authenticity_token", tok), ("username", login),
                  ("password", password)]
        if back:
            fields.append(("back_url", back))
        return self.post("/login", fields)


def alert(r):
    m = ALERT_RE.search(r.text)
    return m.group(1) if m else None


def set_cookie(r, name):
    """The Set-Cookie line for cookie name, or None."""
    for sc in r.headers_all("Set-Cookie"):
        if sc.startswith(name + "="):
            return sc
    return None


def attrs(sc):
    return [a.strip().lower() for a in sc.split(";")[1:]]


def setting(name):
    return s.psql("SELECT value FROM settings WHERE name = '%s'" %
                  name).strip()


# --- the sign-in page -------------------------------------------------------

anon = Browser("anon")
r = anon.get("/login")
tap.is_(r.status, 200, "GET /login: 200")
tap.is_(r.header("Content-Type"), HTML_TYPE, "GET /login: text/html; utf-8")
tap.is_(r.header("X-Frame-Options"), "DENY", "X-Frame-Options: DENY")
tap.is_(r.header("Content-Security-Policy"), CSP, "the CSP of the brief")
tap.is_(r.header("Referrer-Policy"), "same-origin", "Referrer-Policy")
tap.is_(r.header("Cache-Control"), "no-store", "Cache-Control: no-store")
tap.like(r.text, r'^<!DOCTYPE html>\n<html lang="en">', "HTML5, lang=en")
tap.like(r.text, r"<title>Sign in - latchkey</title>", "a title")
tap.like(r.text, r'<label for="username">Login</label>', "a Login label")
tap.like(r.text, r'<label for="password">Password</label>', "and Password")
tap.like(r.text, r'<a class="skip" href="#main">', "a skip link")
tap.unlike(r.text, r"<script", "no script on the page")
pre = set_cookie(r, "latchkey_presession")
tap.ok(pre is not None, "a pre-session cookie for the form's CSRF token")
tap.ok(pre and {"httponly", "samesite=lax", "path=/login"} <=
       set(attrs(pre)) and "secure" not in attrs(pre),
       "pre-session cookie: HttpOnly, SameSite=Lax, Path=/login, not "
       "Secure over http: %s" % pre)
tap.ok(TOKEN_RE.search(r.text), "the form carries a CSRF token")
r2 = anon.get("/login")
tap.is_(set_cookie(r2, "latchkey_presession"), None,
        "a second GET keeps the pre-session cookie")
tap.is_(TOKEN_RE.search(r2.text).group(1), TOKEN_RE.search(r.text).group(1),
        "and the same token")
tap.is_(anon.get("/").status, 303, "GET / redirects")
tap.is_(anon.last.header("Location"), "/login", "to /login when signed out")

# --- CSRF on the sign-in form -------------------------------------------------

b = Browser("csrf")
tok = b.token("/login")
r = b.post("/login", [("username", "alice"),
                      ("password", lk.PASSWORDS["alice"])])
tap.is_(r.status, 403, "sign-in without a CSRF token: 403")
tap.is_(set_cookie(r, "latchkey_session"), None, "and no session")
r = b.post("/login", [("authenticity_token", "x" * 43), ("username", "alice"),
                      ("password", lk.PASSWORDS["alice"])])
tap.is_(r.status, 403, "sign-in with a wrong CSRF token: 403")
r = lkhttp.request(s.http_port, "POST", "/login", [("Content-Type", FORM)],
                   urllib.parse.urlencode([
                       ("authenticity_token", tok), ("username", "alice"),
                       ("password", lk.PASSWORDS["alice"])]))
tap.is_(r.status, 403, "a valid token without its pre-session cookie: 403")
tap.is_(set_cookie(r, "latchkey_session"), None, "and no session")

# --- refusals: one message for all ---------------------------------------------

msgs = {}
for how, login, pw in (
        ("wrong password", "alice", "not-" + lk.PASSWORDS["alice"]),
        ("locked user, right password", "locked", lk.PASSWORDS["locked"]),
        ("registered user", "registered", lk.PASSWORDS["registered"]),
        ("unknown login", "nobody-here", "whatever-123"),
        ("empty password", "alice", "")):
    b = Browser(how)
    r = b.login(login, pw)
    tap.is_(r.status, 200, "%s: the form again (200)" % how)
    tap.is_(set_cookie(r, "latchkey_session"), None, "%s: no session" % how)
    msgs[how] = alert(r)
tap.is_(set(msgs.values()), {BAD_LOGIN},
        "wrong password, locked, registered, unknown: the same message, "
        "'%s'" % BAD_LOGIN)
tap.unlike(r.text, r"(?i)locked", "the word 'locked' appears nowhere")

# --- signing in ---------------------------------------------------------------

alice = Browser("alice")
r = alice.login("alice", lk.PASSWORDS["alice"])
tap.is_(r.status, 303, "alice signs in: 303")
tap.is_(r.header("Location"), "/my/account", "to /my/account")
sc = set_cookie(r, "latchkey_session")
tap.ok(sc is not None, "a session cookie")
tap.ok(sc and {"httponly", "samesite=lax", "path=/"} <= set(attrs(sc)),
       "session cookie: HttpOnly; SameSite=Lax; Path=/ (%s)" % sc)
tap.ok(sc and "secure" not in attrs(sc), "not Secure over plain http")
value = sc.split(";")[0].split("=", 1)[1] if sc else ""
tap.like(value, r"^[A-Za-z0-9_-]{100,256}$", "sealed, base64url, bounded")
tap.ok("alice" not in value,
       "the cookie does not show the login")
tap.ok(set_cookie(r, "latchkey_presession") and
       "max-age=0" in attrs(set_cookie(r, "latchkey_presession")),
       "the pre-session cookie is expired at sign-in")
session_alice = alice.jar["latchkey_session"][0]

key = s.api_key("alice")  # alice's key exists from here on
r = alice.get("/my/account")
tap.is_(r.status, 200, "My account: 200")
tap.like(r.text, r"<h1>My account</h1>", "its heading")
tap.like(r.text, r"Signed in as <strong>alice</strong>", "says who")
tap.like(r.text, r"<dd>alice@example\.net</dd>", "alice's details")
tap.like(r.text, r'<h2 id="api-key">API access key</h2>', "the key section")
tap.like(r.text, r'href="/my/account\?show_key=1#api-key"', "a Show link")
tap.unlike(r.text, r'id="api-key-value"', "the key is not shown by default")
tap.like(r.text, r"Created on <time", "with the key's creation time")
tap.like(r.text, r'action="/my/api_key"', "a Reset form")
tap.unlike(r.text, r'href="/settings"', "no Settings link for alice")
tap.is_(alice.get("/login").status, 303, "GET /login signed in: redirect")
tap.is_(alice.get("/").header("Location"), "/my/account",
        "/ goes to My account when signed in")

r = alice.get("/my/account?show_key=1")
m = re.search(r'id="api-key-value">([0-9a-f]{40})<', r.text)
tap.ok(m, "show_key=1 shows a key")
tap.is_(m and m.group(1), key, "the key latchkey key show prints")
tap.is_(s.get("/users/current.json", key=key).status, 200,
        "the API takes that key")

# --- a user without a key gets one by asking to see it -------------------------

bob = Browser("bob")
tap.is_(bob.login("bob", lk.PASSWORDS["bob"]).status, 303, "bob signs in")
s.psql("DELETE FROM tokens WHERE user_id = (SELECT id FROM users "
       "WHERE login = 'bob')")
r = bob.get("/my/account")
tap.like(r.text, r"You have no API access key yet", "bob has no key")
r = bob.get("/my/account?show_key=1")
m = re.search(r'id="api-key-value">([0-9a-f]{40})<', r.text)
tap.ok(m, "Show makes him one")
tap.is_(m and s.get("/users/current.json", key=m.group(1)).status, 200,
        "and it works on the API")

# --- pages take no API credentials; the API takes no cookie --------------------

r = s.get("/my/account", key=key)
tap.is_((r.status, r.header("Location")), (303, "/login"),
        "a page ignores X-Redmine-API-Key")
r = s.get("/my/account?key=" + key)
tap.is_((r.status, r.header("Location")), (303, "/login"),
        "a page ignores ?key=")
r = s.get("/my/account", auth=("alice", lk.PASSWORDS["alice"]))
tap.is_((r.status, r.header("Location")), (303, "/login"),
        "a page ignores Basic login:password")
r = alice.get("/users/current.json")
tap.is_(r.status, 401, "the API ignores the session cookie (401)")
r = alice.get("/my/account.json")
tap.is_(r.status, 401, "/my/account.json ignores it too")

# --- the key reset, with and without CSRF ----------------------------------------

tok = alice.token("/my/account")
r = alice.post("/my/api_key", [])
tap.is_(r.status, 403, "reset without a CSRF token: 403")
tap.like(r.text, r"Nothing was changed", "says nothing changed")
r = alice.post("/my/api_key", [("authenticity_token", tok[:-1] + (
    "A" if tok[-1] != "A" else "B"))])
tap.is_(r.status, 403, "reset with a wrong token: 403")
other = Browser("other")
other.login("bob", lk.PASSWORDS["bob"])
r = alice.post("/my/api_key", [("authenticity_token",
                                other.token("/my/account"))])
tap.is_(r.status, 403, "reset with another session's token: 403")
r = alice.request("POST", "/my/api_key",
                  [("Content-Type", "text/plain")],
                  "authenticity_token=" + tok)
tap.is_(r.status, 415, "a form that is not urlencoded: 415")
tap.is_(s.api_key("alice"), key, "alice's key is unchanged")
tap.is_(s.get("/users/current.json", key=key).status, 200,
        "and still works")

r = alice.post("/my/api_key", [("authenticity_token", tok)])
tap.is_(r.status, 303, "reset with the token: 303")
tap.like(r.header("Location") or "", r"^/my/account\?flash=key_reset",
         "back to My account")
r = alice.get(r.header("Location"))
tap.like(r.text, r"Your API access key was reset\.", "which says so")
new_key = s.api_key("alice")
tap.isnt(new_key, key, "a new key")
tap.is_(s.get("/users/current.json", key=key).status, 401,
        "the old key: 401 at once")
tap.is_(s.get("/users/current.json", key=new_key).status, 200,
        "the new key: 200")
r = alice.get("/my/account?show_key=1")
tap.like(r.text, r'id="api-key-value">%s<' % new_key, "Show shows the new key")

# --- settings: administrators only -------------------------------------------------

r = anon.get("/settings")
tap.is_((r.status, r.header("Location")),
        (303, "/login?back_url=%2Fsettings"),
        "anonymous /settings: to the sign-in page")
r = alice.get("/settings")
tap.is_(r.status, 403, "alice /settings: 403")
tap.like(r.text, r"administrators", "with a page that says why")
r = alice.post("/settings", [("authenticity_token", alice.token(
    "/my/account"))])
tap.is_(r.status, 403, "alice POST /settings (valid token): 403")
tap.is_(setting("rest_api_enabled"), "1", "and nothing changed")
r = anon.post("/settings", [])
tap.is_(r.status, 303, "anonymous POST /settings: to the sign-in page")

admin = Browser("admin")
r = admin.login("admin", lk.PASSWORDS["admin"], back="/settings")
tap.is_(r.header("Location"), "/settings", "sign-in comes back to /settings")
b = Browser("evil-back")
r = b.login("admin", lk.PASSWORDS["admin"], back="https://evil.example/")
tap.is_(r.header("Location"), "/my/account",
        "an outside back_url is ignored (no open redirect)")
r = admin.get("/settings")
tap.is_(r.status, 200, "admin /settings: 200")
tap.like(r.text, r'<label class="check" for="rest_api_enabled"><input '
         r'type="checkbox" id="rest_api_enabled" name="rest_api_enabled" '
         r'value="1" checked', "Enable REST web service, checked")
tap.like(r.text, r"Enable REST web service", "its label")
tap.like(r.text, r'name="login_required" value="1" aria',
         "Authentication required, unchecked")
tap.like(r.text, r"Authentication required", "its label")
tap.like(r.text, r"running workers apply", "the page says workers apply it")
tap.like(r.text, r'<a href="/settings" aria-current="page">Settings</a>',
         "admin's header links Settings")
tok = TOKEN_RE.search(r.text).group(1)

r = admin.post("/settings", [("login_required", "1")])
tap.is_(r.status, 403, "settings without a token: 403")
r = admin.post("/settings", [("authenticity_token", "A" * 43),
                             ("login_required", "1")])
tap.is_(r.status, 403, "settings with a wrong token: 403")
tap.is_((setting("rest_api_enabled"), setting("login_required")),
        ("1", "0"), "nothing changed")

r = admin.post("/settings", [("authenticity_token", tok)])
tap.is_((r.status, r.header("Location")), (303, "/settings?flash=saved"),
        "admin turns the REST web service off: 303")
tap.is_(setting("rest_api_enabled"), "0", "rest_api_enabled = 0 in the table")
r = s.settle(403, "/users/current.json?key=" + new_key, [])
tap.is_(r.status, 403, "an API request with a key: 403 (workers applied it)")
r = admin.get("/settings?flash=saved")
tap.like(r.text, r"Successful update", "the page says it was saved")
tap.unlike(r.text, r'name="rest_api_enabled" value="1" checked',
           "and shows the box unchecked")
r = alice.get("/my/account")
tap.unlike(r.text, r"API access key", "My account hides the key section "
           "while the REST web service is off")
r = admin.post("/settings", [("authenticity_token", tok),
                             ("rest_api_enabled", "1")])
tap.is_(r.status, 303, "admin turns it back on")
r = s.settle(200, "/users/current.json?key=" + new_key, [])
tap.is_(r.status, 200, "the key works again")
r = admin.post("/settings", [("authenticity_token", tok),
                             ("rest_api_enabled", "1"),
                             ("rest_api_enabled", "0")])
tap.is_(r.status, 400, "a switch sent twice, differently: 400")
tap.is_(setting("rest_api_enabled"), "1", "and nothing changed")

# --- forged and garbled cookies ------------------------------------------------------


def with_cookie(value):
    return s.get("/my/account", headers=[("Cookie", value)])


flip = session_alice[:10] + ("A" if session_alice[10] != "A" else "B") + \
    session_alice[11:]
for how, c in (
        ("a random value", "latchkey_session=" + "Q" * 108),
        ("one character changed", "latchkey_session=" + flip),
        ("truncated", "latchkey_session=" + session_alice[:-4]),
        ("not base64url", "latchkey_session=" + session_alice[:-1] + "*"),
        ("over-long", "latchkey_session=" + session_alice + "A" * 300),
        ("empty", "latchkey_session="),
        ("twice", "latchkey_session=%s; latchkey_session=%s" % (
            session_alice, session_alice)),
        ("under another name", "xlatchkey_session=" +
         session_alice)):
    r = with_cookie(c)
    tap.is_((r.status, r.header("Location")), (303, "/login"),
            "cookie %s: not signed in" % how)
r = with_cookie("a=b; latchkey_session=%s; c=d" % session_alice)
tap.is_(r.status, 200, "the real cookie among others: signed in")
r = with_cookie("x=" + "y" * 6000 + "; latchkey_session=" + session_alice)
tap.is_(r.status, 200, "a 6 kB Cookie header is still read (the 8 KiB "
        "bound is in t/unit/test_session.c: nginx refuses more)")

# --- a locked user's session stops at once ---------------------------------------------

tap.is_(bob.get("/my/account").status, 200, "bob is signed in")
s.admin("user", "lock", "bob")
tap.is_(bob.get("/my/account").status, 303, "bob locked: his session stops")
s.admin("user", "unlock", "bob")
tap.is_(bob.get("/my/account").status, 200, "unlocked: it works again")

# --- sign-out ----------------------------------------------------------------------------

tok = bob.token("/my/account")
r = bob.post("/logout", [])
tap.is_(r.status, 403, "sign-out without a token: 403")
tap.is_(bob.get("/my/account").status, 200, "and bob is still signed in")
r = bob.get("/logout")
tap.like(r.text, r'<form method="post" action="/logout">',
         "GET /logout only offers the button")
r = bob.post("/logout", [("authenticity_token", tok)])
tap.is_((r.status, r.header("Location")), (303, "/login?flash=signed_out"),
        "sign-out: 303 to the sign-in page")
sc = set_cookie(r, "latchkey_session")
tap.ok(sc and "max-age=0" in attrs(sc) and sc.startswith("latchkey_session=;"),
       "the session cookie is expired: %s" % sc)
tap.is_(bob.get("/my/account").status, 303, "bob is signed out")
tap.like(bob.get("/login?flash=signed_out").text, r"You have been signed out",
         "the sign-in page says so")

# --- must change password -------------------------------------------------------------------

mc = Browser("mustchange")
r = mc.login("mustchange", lk.PASSWORDS["mustchange"])
tap.is_((r.status, r.header("Location")), (303, "/my/password"),
        "mustchange signs in: sent to /my/password")
tap.is_(mc.get("/my/account").header("Location"), "/my/password",
        "My account sends back to /my/password")
r = mc.get("/my/password")
tap.is_(r.status, 200, "the change-password page")
tap.like(r.text, r"administrator requires you to change it", "says why")
for name in ("password", "new_password", "new_password_confirmation"):
    tap.like(r.text, r'<label for="%s">' % name, "a label for %s" % name)
tok = TOKEN_RE.search(r.text).group(1)
NEW = "brand-new-pass-456"


def change(cur, new, conf, token=None):
    return mc.post("/my/password", [
        ("authenticity_token", tok if token is None else token),
        ("password", cur), ("new_password", new),
        ("new_password_confirmation", conf)])


def must_change():
    return s.psql("SELECT must_change_passwd FROM users "
                  "WHERE login = 'mustchange'").strip()


r = change(lk.PASSWORDS["mustchange"], NEW, NEW, token="")
tap.is_(r.status, 403, "change without a token: 403")
tap.is_(alert(change("wrong-current-1", NEW, NEW)), "Wrong password",
        "a wrong current password is refused")
tap.is_(alert(change(lk.PASSWORDS["mustchange"], NEW, NEW + "x")),
        "Password doesn&#39;t match confirmation", "a mismatch is refused")
tap.is_(alert(change(lk.PASSWORDS["mustchange"], "short", "short")),
        "Password is too short (minimum is 8 characters)",
        "a short one is refused")
tap.is_(alert(change(lk.PASSWORDS["mustchange"], lk.PASSWORDS["mustchange"],
                     lk.PASSWORDS["mustchange"])),
        "The new password must be different from the current password",
        "the same one is refused")
tap.is_(must_change(), "t", "still must change")
old_cookie = mc.jar["latchkey_session"][0]
r = change(lk.PASSWORDS["mustchange"], NEW, NEW)
tap.is_((r.status, r.header("Location")), (303, "/my/account?flash=password"),
        "the change: 303 to My account")
tap.ok(set_cookie(r, "latchkey_session"), "with a new session cookie")
tap.is_(must_change(), "f", "must_change_passwd is cleared")
tap.is_(s.psql("SELECT passwd_changed_on IS NOT NULL FROM users "
               "WHERE login = 'mustchange'").strip(), "t",
        "passwd_changed_on is set")
tap.like(s.psql("SELECT hashed_password FROM users "
                "WHERE login = 'mustchange'"), r"^\$argon2id\$",
         "the new hash is argon2id")
r = mc.get("/my/account?flash=password")
tap.is_(r.status, 200, "My account opens now")
tap.like(r.text, r"Password was successfully updated", "and says so")
tap.is_(with_cookie("latchkey_session=" + old_cookie).status, 303,
        "the cookie from before the change no longer signs in")
tap.is_(s.get("/users/current.json", auth=("mustchange", NEW)).status, 200,
        "the API takes the new password")
tap.is_(s.get("/users/current.json",
              auth=("mustchange", lk.PASSWORDS["mustchange"])).status, 401,
        "and refuses the old one")

# --- escaping -------------------------------------------------------------------------------

s.psql("UPDATE users SET firstname = '<script>alert(1)</script>', "
       "lastname = '\"><img src=x onerror=alert(2)>' WHERE login = 'alice'")
r = alice.get("/my/account")
tap.like(r.text, r"&lt;script&gt;alert\(1\)&lt;/script&gt;",
         "a first name with <script> is escaped")
tap.like(r.text, r"&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;",
         "a last name with quotes and a tag is escaped")
tap.unlike(r.text, r"<script|<img", "no tag of theirs in the page")
b = Browser("xss-login")
r = b.login('"><script>alert(3)</script>', "x-password-1")
tap.like(r.text, r'value="&quot;&gt;&lt;script&gt;alert\(3\)',
         "the login typed is escaped when the form comes back")
tap.unlike(r.text, r"<script", "no script in it")

# --- methods and bounds --------------------------------------------------------------------------

r = s.request("PUT", "/login", body="x")
tap.is_(r.status, 405, "PUT /login: 405")
tap.is_(r.header("Allow"), "GET, HEAD, POST", "with Allow")
r = s.get("/my/api_key")
tap.is_((r.status, r.header("Allow")), (405, "POST"), "GET /my/api_key: 405")
r = s.request("HEAD", "/login")
tap.is_((r.status, r.body), (200, b""), "HEAD /login: 200, no body")
b = Browser("big")
tok = b.token("/login")
r = b.post("/login", [("authenticity_token", tok), ("username", "alice"),
                      ("password", "p" * 20000)])
tap.is_(r.status, 413, "a 20 kB form: 413")
r = b.post("/login", [("authenticity_token", tok), ("username", "alice"),
                      ("password", "p" * 2000)])
tap.is_(alert(r), BAD_LOGIN, "an over-long password: the same message")
tap.is_(s.get("/login.json").status, 404, "/login.json is no API resource")

# --- over HTTPS the cookies are Secure -----------------------------------------------
# nginx sets HTTPS=on for TLS; the test stack has none, so talk FastCGI
# to latchkeyd directly, as nginx would.


def fcgi_request(method, uri, cookie="", body=b""):
    c = fcgi.Client(s.socket)
    params = {"REQUEST_METHOD": method, "DOCUMENT_URI": uri,
              "QUERY_STRING": "", "HTTPS": "on", "REMOTE_ADDR": "127.0.0.1",
              "HTTP_HOST": "localhost", "HTTP_COOKIE": cookie,
              "CONTENT_TYPE": FORM, "CONTENT_LENGTH": str(len(body))}
    c.begin(params)
    if body:
        c.stdin(body)
    status, headers, out = c.finish()
    return lkhttp.Response(status, "", headers, out)


r = fcgi_request("GET", "/login")
pre = set_cookie(r, "latchkey_presession")
tap.ok(pre and "secure" in attrs(pre), "HTTPS: the pre-session cookie is "
       "Secure (%s)" % pre)
tok = TOKEN_RE.search(r.text).group(1) if r.status == 200 else ""
r = fcgi_request("POST", "/login", pre.split(";")[0] if pre else "",
                 urllib.parse.urlencode([
                     ("authenticity_token", tok), ("username", "admin"),
                     ("password", lk.PASSWORDS["admin"])]).encode())
sc = set_cookie(r, "latchkey_session")
tap.is_(r.status, 303, "HTTPS: sign-in")
tap.ok(sc and {"secure", "httponly", "samesite=lax"} <= set(attrs(sc)),
       "HTTPS: the session cookie is Secure, HttpOnly, SameSite=Lax")

# --- throttling: the sign-in form counts failures as the API does ----------------

t = lk.stack(conf={"throttle_failures": "3", "throttle_window": "60"})
b = Browser("guesser", t)
for i in range(3):
    r = b.login("alice", "guess-%d-xyz" % i)
    tap.is_(alert(r), BAD_LOGIN, "throttled stack: guess %d refused" % (i + 1))
r = b.login("alice", lk.PASSWORDS["alice"])
tap.is_(r.status, 429, "after 3 failures even the right password gets 429")
tap.ok(r.header("Retry-After") and r.header("Retry-After").isdigit(),
       "with Retry-After")
tap.is_(set_cookie(r, "latchkey_session"), None, "and no session")
r = t.get("/users/current.json", auth=("alice", lk.PASSWORDS["alice"]))
tap.is_(r.status, 429, "the API counts the form's failures too")

# --- error pages: the database away, a garbled form, a key under another secret

s.stop_pg()
r = alice.get("/my/account")
tap.is_((r.status, r.header("Retry-After")), (503, "5"),
        "the database away: /my/account answers 503 with Retry-After")
tap.like(r.text, r"The database cannot be reached", "on a page that says so")
s.start_pg()
tap.ok(lk.wait_for(lambda: alice.get("/my/account").status == 200, 10),
       "the database back: 200 again")
# Every worker reconnected (each with its own back-off) before going on.
tap.is_(s.settle(200, "/projects.json", timeout=10).status, 200,
        "on every worker")

adm = Browser("admin-garbled")
adm.login("admin", lk.PASSWORDS["admin"])
before = (setting("rest_api_enabled"), setting("login_required"))
r = adm.request("POST", "/settings", [("Content-Type", FORM)],
                "authenticity_token=%s&login_required=1&login_required=0"
                % adm.token("/settings"))
tap.is_(r.status, 400, "a settings form with a field twice: 400")
tap.is_((setting("rest_api_enabled"), setting("login_required")), before,
        "and nothing changed (REST API not switched off)")

# A server secret replaced (a restore gone wrong): keys sealed under the
# old one cannot be shown; the page says so and how to mend it.
with open(s.secret_file, "wb") as f:
    f.write(os.urandom(32))
s.restart_latchkeyd()
al = Browser("alice-new-secret")
r = al.login("alice", lk.PASSWORDS["alice"])
tap.is_(r.status, 303, "alice signs in under the new secret")
r = al.get("/my/account?show_key=1")
tap.like(r.text, r"cannot be shown: it was sealed under another server "
         r"secret", "her key cannot be shown, and the page says why")
tap.ok(key not in r.text and new_key not in r.text, "no key on the page")
tap.like(s.read_log(s.latchkeyd_log), r"event=key_unreadable login=alice",
         "logged once, without the key")

# --- nothing secret in the log -----------------------------------------------------------------

log = s.read_log(s.latchkeyd_log)
secrets = [lk.PASSWORDS[u] for u in ("alice", "admin", "bob", "mustchange")]
secrets += [NEW, key, new_key, session_alice, old_cookie]
tap.ok(not [x for x in secrets if x in log],
       "latchkeyd's log holds no password, key or cookie")
tap.like(log, r"event=auth_failure reason=\"locked user\" via=form "
         r"login=locked", "a locked sign-in is logged with its reason")
tap.like(log, r"event=csrf_failure", "CSRF refusals are logged")

lk.done()
