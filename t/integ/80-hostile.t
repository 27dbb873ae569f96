#!/usr/bin/python3
# Hostile input (issue 9): well over 150 requests, each with the status it
# must get. Malformed and oversized credentials, NUL and invalid UTF-8, SQL
# metacharacters in every parameter and path segment, repeated parameters,
# absurd ids, offsets and limits, unknown methods, path tricks, XML bodies
# with entities, deep JSON, truncated and oversized bodies, wrong types.
# Each answers a 4xx (or the 200/201 a sane reading gives), never a 5xx,
# and no worker dies: the pids are the same at the end.
import base64
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import fcgi  # noqa: E402
import lk  # noqa: E402
import lkhttp  # noqa: E402
import tap  # noqa: E402

s = lk.stack()
KEY = s.api_key("alice")
ADMIN = s.api_key("admin")
count = 0
fivexx = []




def b64(raw):
    return base64.b64encode(raw).decode("ascii")


def raw(data):
    """Send bytes as they are (http.client refuses some); the status."""
    with socket.create_connection(("127.0.0.1", s.http_port), 10) as c:
        c.sendall(data)
        resp = b""
        while b"\r\n" not in resp:
            more = c.recv(4096)
            if not more:
                break
            resp += more
    try:
        return int(resp.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def note(status, what):
    global count
    count += 1
    if status >= 500 or status == 0:
        fivexx.append((status, what))


def expect(want, what, method="GET", path="/projects.json", headers=(),
           body=None):
    r = s.request(method, path, headers=list(headers), body=body)
    note(r.status, what)
    if isinstance(want, tuple):
        tap.ok(r.status in want, "%s: %d in %r" % (what, r.status, want))
    else:
        tap.is_(r.status, want, what)
    return r


def expect_raw(want, what, data):
    st = raw(data)
    note(st, what)
    tap.is_(st, want, what)


def req(method, path, headers=b""):
    return (b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n"
            % (method, path, headers))


before = s.worker_pids()

# --- Authorization ----------------------------------------------------------
authz = [
    (401, "Basic alone", "Basic"),
    (401, "Basic, only padding", "Basic ===="),
    (401, "Basic, too much padding", "Basic " + b64(b"alice:x") + "=="),
    (401, "Basic, tab for the space", "Basic\t" + b64(b"alice:alice-pass-123")),
    (401, "Basic, no space", "Basic" + b64(b"alice:alice-pass-123")),
    (401, "Basic, URL-safe alphabet", "Basic " + b64(b"\xfb\xff:x").replace(
        "+", "-").replace("/", "_")),
    (401, "Basic, trailing junk", "Basic " + b64(b"alice:alice-pass-123") +
     "!"),
    (401, "Basic, joined by a proxy",
     "Basic %s, Basic %s" % (b64(b"alice:alice-pass-123"), b64(b"a:b"))),
    (401, "Basic, no colon", "Basic " + b64(b"alicealice-pass-123")),
    (401, "Basic, empty pair", "Basic " + b64(b":")),
    (401, "Basic, NUL:NUL", "Basic " + b64(b"\0:\0")),
    (401, "Basic, NUL in the login", "Basic " + b64(b"alice\0:alice-pass-123")),
    (401, "Basic, NUL after the password",
     "Basic " + b64(b"alice:alice-pass-123\0")),
    (401, "Basic, invalid UTF-8 login", "Basic " + b64(b"\xff\xfe:pw")),
    (401, "Basic, overlong UTF-8 login", "Basic " + b64(b"\xc0\xafalice:pw")),
    (401, "Basic, SQL in the login", "Basic " + b64(b"' OR '1'='1:x")),
    (401, "Basic, SQL comment login", "Basic " + b64(b"alice'--:x")),
    (401, "Basic, SQL in the password",
     "Basic " + b64(b"alice:' OR '1'='1")),
    (401, "Basic, 3000-byte login", "Basic " + b64(b"a" * 3000 + b":x")),
    (401, "Basic, 3000-byte password", "Basic " + b64(b"alice:" + b"x" * 3000)),
    (401, "Basic, key with trailing space as user",
     "Basic " + b64((KEY + " :X").encode())),
    (401, "Basic, upper-case key as user",
     "Basic " + b64((KEY.upper() + ":X").encode())),
    (401, "Bearer alone", "Bearer"),
    (401, "Bearer, key and more", "Bearer %s extra" % KEY),
    (401, "Bearer, SQL", "Bearer ' OR 1=1 --"),
    (401, "Bearer, 41 hex", "Bearer " + KEY + "0"),
    (401, "Negotiate", "Negotiate YII="),
    (401, "Digest", 'Digest username="alice", realm="x"'),
    (401, "a lone comma", ","),
    (401, "4100 bytes", "Basic " + "A" * 4094),
    (200, "BASIC in capitals", "BASIC " + b64(b"alice:alice-pass-123")),
    (200, "two spaces", "Basic  " + b64(b"alice:alice-pass-123")),
    (200, "no padding", "Basic " + b64(b"alice:alice-pass-123").rstrip("=")),
    (200, "password with a colon is the first split",
     "Basic " + b64(("%s:a:b" % KEY).encode())),
]
for want, what, value in authz:
    expect(want, "Authorization: " + what,
           headers=[("Authorization", value)])
# Over nginx's header buffers: nginx refuses the request itself.
expect(400, "Authorization over 8 KiB (nginx: 400)",
       headers=[("Authorization", "Basic " + "A" * 9000)])
expect_raw(400, "Authorization with a raw NUL (nginx: 400)",
           req(b"GET", b"/projects.json",
               b"Authorization: Basic \0abc\r\n"))
expect_raw(401, "Authorization, raw bytes 0xff",
           req(b"GET", b"/projects.json",
               b"Authorization: Basic \xff\xfe\r\n"))

# nginx refuses a repeated Authorization itself; latchkeyd would too
# (t/unit/test_resolve.c), behind another front end.
expect_raw(400, "Authorization twice, both valid (nginx: 400)",
           req(b"GET", b"/projects.json",
               b"Authorization: Basic " + b64(b"alice:alice-pass-123").encode()
               + b"\r\nAuthorization: Basic "
               + b64(b"admin:admin-pass-123").encode() + b"\r\n"))

# --- keys ------------------------------------------------------------------
pct = "".join("%%%02x" % ord(c) for c in KEY)
keyq = [
    (401, "key=%00", "key=%00"),
    (401, "key + %00", "key=" + KEY + "%00"),
    (401, "%00 + key", "key=%00" + KEY),
    (401, "key=%zz", "key=%zz"),
    (401, "key=%4", "key=%4"),
    (401, "key=%", "key=%"),
    (401, "SQL in key", "key=%27%20OR%201=1%20--"),
    (401, "key with a quote", "key=" + KEY[:39] + "%27"),
    (401, "upper-case key", "key=" + KEY.upper()),
    (401, "key with a space", "key=" + KEY + "+"),
    (401, "key[]", "key[]=" + KEY),
    (401, "key[0]", "key[0]=" + KEY),
    (401, "key%5B%5D", "key%5B%5D=" + KEY),
    (401, "api_key[x]", "api_key[x]=" + KEY),
    (401, "invalid UTF-8 key", "key=%ff%fe"),
    (401, "300-character key", "key=" + "a" * 300),
    (400, "key and key differ", "key=%s&key=%s" % (KEY, ADMIN)),
    (400, "key and api_key differ", "key=%s&api_key=%s" % (KEY, ADMIN)),
    (400, "an empty key next to a key", "key=&key=" + KEY),
    (200, "key twice, same", "key=%s&key=%s" % (KEY, KEY)),
    (200, "percent-encoded key", "key=" + pct),
    (200, "key=", "key="),
    (200, "KEY= is another parameter", "KEY=" + ADMIN),
]
for want, what, q in keyq:
    expect(want, "query " + what, path="/projects.json?" + q)
keyh = [
    (401, "header: two keys joined", KEY + ", " + KEY),
    (401, "header: SQL", "' OR 1=1 --"),
    (401, "header: 300 characters", "a" * 300),
    (401, "header: key and junk", KEY + "x"),
    (200, "header: spaces around the key", "  " + KEY + "  "),
]
for want, what, v in keyh:
    expect(want, what, headers=[("X-Redmine-API-Key", v)])
expect(401, "header given twice", headers=[("X-Redmine-API-Key", KEY),
                                           ("X-Redmine-API-Key", KEY)])
expect_raw(401, "header: invalid UTF-8",
           req(b"GET", b"/projects.json", b"X-Redmine-API-Key: \xff\xfe\r\n"))
expect_raw(400, "header: raw NUL (nginx: 400)",
           req(b"GET", b"/projects.json", b"X-Redmine-API-Key: a\0b\r\n"))

# --- switch user ---------------------------------------------------------------
for what, v in [("SQL", "' OR 1=1 --"), ("300 characters", "a" * 300),
                ("unknown", "nobody"), ("a key", KEY)]:
    expect(412, "switch user: " + what,
           headers=[("X-Redmine-API-Key", ADMIN),
                    ("X-Redmine-Switch-User", v)])
expect_raw(412, "switch user twice",
           req(b"GET", b"/projects.json",
               b"X-Redmine-API-Key: " + ADMIN.encode() +
               b"\r\nX-Redmine-Switch-User: alice"
               b"\r\nX-Redmine-Switch-User: bob\r\n"))
expect_raw(412, "switch user: invalid UTF-8",
           req(b"GET", b"/projects.json",
               b"X-Redmine-API-Key: " + ADMIN.encode() +
               b"\r\nX-Redmine-Switch-User: \xff\r\n"))

# --- query parameters -------------------------------------------------------------
params = [
    (200, "offset=-1", "/issues.json?offset=-1"),
    (200, "offset=abc", "/issues.json?offset=abc"),
    (200, "offset overflowing", "/issues.json?offset=99999999999999999999"),
    (200, "offset past the end", "/issues.json?offset=1000000"),
    (200, "limit=0", "/issues.json?limit=0"),
    (200, "limit=-5", "/issues.json?limit=-5"),
    (200, "limit=1000", "/issues.json?limit=1000"),
    (200, "limit=1e3", "/issues.json?limit=1e3"),
    (200, "limit overflowing", "/news.json?limit=184467440737095516160"),
    (200, "limit=%00", "/projects.json?limit=%00"),
    (404, "project_id SQL", "/issues.json?project_id=%27%20OR%201=1%20--"),
    (404, "project_id with ;DROP", "/issues.json?project_id=1;DROP%20TABLE"
     "%20issues"),
    (404, "project_id=-1", "/issues.json?project_id=-1"),
    (404, "project_id overflowing",
     "/issues.json?project_id=99999999999999999999"),
    (400, "project_id invalid UTF-8", "/issues.json?project_id=%ff%fe"),
    (400, "project_id %00", "/issues.json?project_id=%00"),
    (404, "project_id a path", "/issues.json?project_id=../../etc"),
    (400, "project_id twice, different",
     "/issues.json?project_id=1&project_id=2"),
    (400, "project_id[]", "/issues.json?project_id[]=1"),
    (422, "status_id SQL", "/issues.json?status_id=%27%20OR%201=1"),
    (422, "status_id overflowing", "/issues.json?status_id=99999999999999999999"),
    (422, "status_id=1|x", "/issues.json?status_id=1|x"),
    (200, "status_id=1|2", "/issues.json?status_id=1|2"),
    (200, "status_id=*", "/issues.json?status_id=*"),
    (422, "assigned_to_id SQL", "/issues.json?assigned_to_id=%27--"),
    (200, "assigned_to_id=me", "/issues.json?assigned_to_id=me"),
    (200, "include SQL", "/issues/1.json?include=journals%27--"),
    (406, "format=yaml", "/projects?format=yaml"),
    (200, "format=json", "/projects?format=json"),
    (200, "format=xml", "/projects?format=xml"),
    (200, "a 7000-byte query", "/projects.json?x=" + "a" * 7000),
    (414, "a 9000-byte query (over latchkeyd's bound)",
     "/projects.json?x=" + "a" * 7900 + "&y=" + "b" * 1000),
]
for want, what, p in params:
    expect(want, "param " + what, path=p, headers=[("X-Redmine-API-Key", KEY)])
expect(414, "request line over nginx's buffers (nginx: 414)",
       path="/projects.json?x=" + "a" * 9000)

# --- path segments ---------------------------------------------------------------
paths = [
    (404, "/issues/-1.json"), (404, "/issues/0.json"),
    (404, "/issues/1e3.json"), (404, "/issues/99999999999999999999.json"),
    (404, "/issues/1%27.json"), (404, "/issues/1;DROP%20TABLE%20issues.json"),
    (404, "/issues/%ff.json"), (404, "/issues/%27%20OR%201=1.json"),
    (404, "/news/abc.json"), (404, "/news/-1.json"),
    (404, "/news/99999999999999999999.json"), (404, "/news/%ff%fe.json"),
    (404, "/projects/%27%20OR%201=1%20--.json"),
    (404, "/projects/%ff%fe.json"), (404, "/projects/a%20b.json"),
    (404, "/projects/99999999999999999999.json"),
    (404, "/projects/-1/news.json"), (404, "/projects/%27--/news.json"),
    (400, "/projects/..%2F..%2Fetc%2Fpasswd.json (nginx: 400)"),
    (406, "/issues.JSON"), (404, "/users/current.json.xml"),
    (404, "/issues.json/"), (404, "/issues/1/2.json"),
    (404, "/nothing-here.json"), (404, "/nothing-here"),
    (406, "/issues"), (406, "/issues/1"), (406, "/users/current.txt"),
    (401, "/projects/public-proj/../private-proj.json"),
]
for want, p in paths:
    expect(want, "path " + p, path=p.split(" ")[0])
expect_raw(400, "path with a raw NUL (nginx: 400)",
           req(b"GET", b"/projects/a\0b.json"))
expect_raw(400, "path escaping the root (nginx: 400)",
           req(b"GET", b"/../../etc/passwd"))
expect_raw(404, "path with raw bytes 0xff",
           req(b"GET", b"/projects/\xff\xfe.json"))

# --- methods ------------------------------------------------------------------------
methods = [
    (405, "PATCH", "/issues/1.json"), (405, "DELETE", "/projects.json"),
    (405, "OPTIONS", "/issues.json"), (405, "PUT", "/users/current.json"),
    (405, "POST", "/issues/1.json"), (405, "DELETE", "/issues.json"),
    (405, "PROPFIND", "/projects.json"), (405, "FOO", "/projects.json"),
    (405, "TRACE", "/projects.json"),
]
for want, m, p in methods:
    expect(want, "method %s %s" % (m, p), method=m, path=p,
           headers=[("X-Redmine-API-Key", ADMIN)])

# --- request bodies --------------------------------------------------------------------
J = [("X-Redmine-API-Key", ADMIN), ("Content-Type", "application/json")]
X = [("X-Redmine-API-Key", ADMIN), ("Content-Type", "application/xml")]
xxe = ('<?xml version="1.0"?><!DOCTYPE issue [<!ENTITY x SYSTEM '
       '"file:///etc/passwd">]><issue><project_id>1</project_id>'
       '<subject>&x;</subject></issue>')
laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa">'
          + "".join('<!ENTITY %s "%s">' % (chr(98 + i), ("&%s;" % chr(97 + i))
                                           * 10) for i in range(8))
          + ']><issue><project_id>1</project_id><subject>&i;</subject>'
          '</issue>')
bodies = [
    (400, "XML external entity", X, xxe),
    (400, "XML entity expansion", X, laughs),
    (400, "XML parameter entity", X, '<?xml version="1.0"?><!DOCTYPE i '
     '[<!ENTITY % p SYSTEM "http://127.0.0.1:1/x"> %p;]><issue/>'),
    (400, "XML DOCTYPE only", X, '<!DOCTYPE issue><issue><subject>x'
     '</subject></issue>'),
    (400, "XML malformed", X, "<issue><subject>x</issue>"),
    (400, "XML wrong root", X, "<project><name>x</name></project>"),
    (400, "XML repeated element", X, "<issue><subject>a</subject>"
     "<subject>b</subject></issue>"),
    (400, "XML nested 100 deep", X, "<issue>" + "<a>" * 100 + "x" +
     "</a>" * 100 + "</issue>"),
    (400, "XML empty", X, ""),
    (400, "JSON nested 1000 deep", J, '{"issue":' + "[" * 1000 + "]" * 1000
     + "}"),
    (400, "JSON truncated", J, '{"issue":{"subject":"x"'),
    (400, "JSON trailing garbage", J, '{"issue":{"subject":"x"}} x'),
    (400, "JSON array root", J, '[{"issue":{}}]'),
    (400, "JSON issue is a string", J, '{"issue":"x"}'),
    (400, "JSON empty", J, ""),
    (400, "JSON two documents", J, '{"issue":{}}{"issue":{}}'),
    (422, "JSON subject missing", J, '{"issue":{"project_id":1}}'),
    (422, "JSON subject 300 characters", J,
     '{"issue":{"project_id":1,"subject":"%s"}}' % ("x" * 300)),
    (422, "JSON subject with \\u0000", J,
     '{"issue":{"project_id":1,"subject":"a\\u0000b"}}'),
    (422, "JSON subject is an object", J,
     '{"issue":{"project_id":1,"subject":{"a":1}}}'),
    (422, "JSON project_id SQL", J,
     '{"issue":{"project_id":"\' OR 1=1 --","subject":"x"}}'),
    (422, "JSON tracker_id unknown", J,
     '{"issue":{"project_id":1,"subject":"x","tracker_id":99999}}'),
    (422, "JSON priority_id overflowing", J,
     '{"issue":{"project_id":1,"subject":"x",'
     '"priority_id":99999999999999999999999}}'),
    (422, "JSON status_id negative", J,
     '{"issue":{"project_id":1,"subject":"x","status_id":-1}}'),
    (415, "no Content-Type", [("X-Redmine-API-Key", ADMIN)],
     '{"issue":{"project_id":1,"subject":"x"}}'),
    (415, "text/plain", [("X-Redmine-API-Key", ADMIN),
                         ("Content-Type", "text/plain")],
     '{"issue":{"project_id":1,"subject":"x"}}'),
    (415, "application/x-www-form-urlencoded",
     [("X-Redmine-API-Key", ADMIN),
      ("Content-Type", "application/x-www-form-urlencoded")],
     "issue[subject]=x&issue[project_id]=1"),
    (201, "application/json; charset=utf-8",
     [("X-Redmine-API-Key", ADMIN),
      ("Content-Type", "application/json; charset=utf-8")],
     '{"issue":{"project_id":1,"subject":"hostile suite, fine"}}'),
    (201, "XML with CDATA", X, "<issue><project_id>1</project_id><subject>"
     "<![CDATA[<b>tags</b> & more]]></subject></issue>"),
]
for want, what, hdrs, body in bodies:
    expect(want, "POST /issues.json: " + what, method="POST",
           path="/issues.json", headers=hdrs, body=body)
expect(400, "PUT /issues/1.json: XML external entity", method="PUT",
       path="/issues/1.json", headers=X, body=xxe.replace("<project_id>1"
                                                          "</project_id>", ""))
expect(400, "PUT /news/1.json: JSON truncated", method="PUT",
       path="/news/1.json", headers=J, body='{"news":{"title":')
expect(400, "POST news: malformed", method="POST",
       path="/projects/public-proj/news.json", headers=J, body="{{{")
expect(413, "a 2 MiB body (nginx: 413)", method="POST", path="/issues.json",
       headers=J, body='{"issue":{"subject":"' + "x" * (2 << 20) + '"}}')

# A body shorter than its Content-Length, straight into latchkeyd.
c = fcgi.Client(s.socket)
c.begin({"REQUEST_METHOD": "POST", "DOCUMENT_URI": "/issues.json",
         "QUERY_STRING": "", "CONTENT_TYPE": "application/json",
         "CONTENT_LENGTH": "100", "HTTP_X_REDMINE_API_KEY": ADMIN,
         "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "localhost"})
c.stdin(b'{"issue":')
st, _, _ = c.finish()
note(st, "truncated body")
tap.is_(st, 400, "a body shorter than its Content-Length: 400")
c = fcgi.Client(s.socket)
c.begin({"REQUEST_METHOD": "POST", "DOCUMENT_URI": "/issues.json",
         "QUERY_STRING": "", "CONTENT_TYPE": "application/json",
         "CONTENT_LENGTH": "-5", "HTTP_X_REDMINE_API_KEY": ADMIN,
         "REMOTE_ADDR": "127.0.0.1"})
st, _, _ = c.finish()
note(st, "negative Content-Length")
tap.is_(st, 400, "a negative Content-Length: 400")

# --- and nobody was hurt ---------------------------------------------------------------
tap.ok(count >= 150, "%d hostile requests" % count)
tap.is_(fivexx, [], "none answered a 5xx")
log = s.read_log(s.latchkeyd_log)
tap.ok(KEY not in log and ADMIN not in log,
       "no key reached the log, not even one sent as a switch-user login")
tap.is_(s.worker_pids(), before, "no worker died")
tap.is_(s.psql("SELECT count(*) FROM issues WHERE subject LIKE '%passwd%' "
               "OR subject LIKE '%aaaaaaaaaa%'").strip(), "0",
        "no entity was expanded into an issue")
lk.done()
