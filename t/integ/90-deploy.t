#!/usr/bin/python3
# The production deployment (issue 7): deploy/nginx/latchkey.conf as shipped,
# in front of this test's latchkeyd, with a throwaway certificate.
#
#   - `nginx -t` passes on the shipped site with the shipped small includes
#     (listen, upstream), only the certificate and log paths being ours;
#   - through TLS (curl --cacert, and Python's ssl with the same CA): a key
#     in the query, the X-Redmine-API-Key header, Basic login:password and
#     Basic KEY:X all work; HSTS is sent; TLS 1.2 and 1.3 only, no tickets;
#   - port 80 redirects to https;
#   - a burst of credentialed requests from one address gets 429 from
#     limit_req, anonymous requests in the same burst do not;
#   - deploy/nginx/latchkey/no-switch-user.conf refuses the header;
#   - at the end the access log holds no key, password, Authorization value
#     or $remote_user, and fail2ban-regex with deploy/fail2ban's filter
#     matches exactly the auth_failure and auth_throttled lines latchkeyd
#     wrote during this run, with the client's address; the jail parses;
#   - deploy/latchkeyd.conf.example lists every key (struct lk_config)
#     with the README's default, and latchkeyd -t accepts it;
#   - systemd-analyze verify accepts deploy/systemd/latchkeyd.service
#     (against the installed binaries), where systemd-analyze exists;
#   - the README's database roles: the owner migrates, the app role serves
#     and cannot change the schema.
import atexit
import ctypes
import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import lkhttp  # noqa: E402
import tap  # noqa: E402

REPO = lk.TOP
NGINX_DIR = os.path.join(REPO, "deploy", "nginx")
FILTER = os.path.join(REPO, "deploy", "fail2ban", "filter.d", "latchkey.conf")
PASSWORD = lk.PASSWORDS["alice"]
# Failures come from a second loopback address, so that latchkeyd's
# throttle and nginx's limit_req count them apart from the rest, and so
# fail2ban has a known address to find.
GUESSER = "127.0.0.2"
FORMS = "127.0.0.3"
THROTTLE = 4
PR_SET_PDEATHSIG = 1  # <sys/prctl.h>

# deploy/dev/deps installs them all: missing, the test fails, not skips.
missing = [t for t in ("openssl", "curl", "fail2ban-regex")
           if shutil.which(t) is None]
if missing:
    tap.ok(False, "%s installed (deploy/dev/deps test)" % ", ".join(missing))
    tap.done_testing()

s = lk.stack(conf={"throttle_failures": str(THROTTLE),
                   "throttle_window": "600"})
alice_key = s.api_key("alice")
admin_key = s.api_key("admin")
wrong_key = "0123456789abcdef0123456789abcdef01234567"

top = os.path.join(s.dir, "tls")
inc = os.path.join(top, "latchkey")  # what is /etc/nginx/latchkey/
os.makedirs(inc)
os.chmod(top, 0o755)
cert = os.path.join(top, "cert.pem")
keyfile = os.path.join(top, "key.pem")
nginx_conf = os.path.join(top, "nginx.conf")
nginx_pid = os.path.join(top, "nginx.pid")
main_err = os.path.join(s.log_dir, "tls-nginx.log")
access_log = os.path.join(s.log_dir, "tls-access.log")
error_log = os.path.join(s.log_dir, "tls-error.log")
extra_access_log = os.path.join(s.log_dir, "tls-extra-access.log")

# --- a certificate, and the config around the shipped site -------------------

r = subprocess.run(
    ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
     "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
     "-subj", "/CN=localhost", "-addext",
     "subjectAltName=DNS:localhost,IP:127.0.0.1",
     "-keyout", keyfile, "-out", cert],
    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
    stderr=subprocess.STDOUT, text=True)
tap.is_(r.returncode, 0, "openssl makes a self-signed certificate")
if r.returncode != 0:
    tap.diag(r.stdout)
    lk.done()


def put(name, text):
    path = os.path.join(inc, name)
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "w") as f:
        f.write(text)


def link(name, target):
    path = os.path.join(inc, name)
    if os.path.lexists(path):
        os.unlink(path)
    os.symlink(target, path)


# The policy files exactly as shipped.
for name in ("log.conf", "locations.conf", "credentials.conf"):
    link(name, os.path.join(NGINX_DIR, name))
link("no-switch-user.conf", os.path.join(NGINX_DIR, "latchkey",
                                         "no-switch-user.conf"))
# The per-site files: ours say where this test's certificate and logs are.
put("site.conf", "server_name localhost;\n"
    "access_log %s latchkey;\nerror_log %s error;\n" % (access_log, error_log))
put("certificate.conf", "ssl_certificate %s;\nssl_certificate_key %s;\n"
    % (cert, keyfile))


def write_nginx_conf(extra_port=None):
    temps = "".join("\t%s_temp_path %s;\n" % (t, os.path.join(top, t))
                    for t in ("client_body", "fastcgi", "proxy", "uwsgi",
                              "scgi"))
    # A plain server with the no-switch-user option, beside the site.
    extra = ""
    if extra_port:
        extra = ("\tserver {\n\t\tlisten 127.0.0.1:%d;\n"
                 "\t\taccess_log %s latchkey;\n"
                 "\t\tinclude latchkey/no-switch-user.conf;\n"
                 "\t\tinclude latchkey/locations.conf;\n\t}\n"
                 % (extra_port, extra_access_log))
    with open(nginx_conf, "w") as f:
        f.write("""# t/integ/90-deploy.t: the shipped site, at http level
# (where Debian's nginx.conf includes sites-enabled/*).
{user}worker_processes 1;
daemon off;
pid {pid};
error_log {err} notice;
events {{
	worker_connections 256;
}}
http {{
{temps}	include {site};
{extra}}}
""".format(user="user www-data;\n" if os.geteuid() == 0 else "",
           pid=nginx_pid, err=main_err, temps=temps,
           site=os.path.join(NGINX_DIR, "latchkey.conf"), extra=extra))


def nginx_argv(*extra):
    return ["/usr/sbin/nginx", "-p", top + "/", "-c", nginx_conf,
            "-e", main_err] + list(extra)


# --- nginx -t with the shipped listen and upstream files ---------------------

for name in ("listen-http.conf", "listen-https.conf", "upstream.conf"):
    link(name, os.path.join(NGINX_DIR, "latchkey", name))
write_nginx_conf()
r = subprocess.run(nginx_argv("-t"), stdin=subprocess.DEVNULL,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
tap.is_(r.returncode, 0, "nginx -t: the shipped site is valid (ports 80/443,"
        " /run/latchkey socket, only certificate and logs ours)")
tap.like(r.stdout, r"test is successful", "nginx -t says the test is "
         "successful")
tap.unlike(r.stdout, r"\[(warn|emerg|alert|crit)\]", "nginx -t: no warning")
if r.returncode != 0:
    tap.diag(r.stdout)
    lk.done()

# --- the same site, live, on free ports in front of this stack ---------------



def die_with_parent():
    """In the child: SIGTERM when this test dies, however it dies (a kill
    -9 included), since no stack.py record knows of this nginx."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


nginx = None
port_http = port_https = port_extra = 0
for attempt in range(5):
    port_http, port_https, port_extra = (lk.stackmod.free_port()
                                         for _ in range(3))
    put("listen-http.conf", "listen 127.0.0.1:%d;\n" % port_http)
    put("listen-https.conf", "listen 127.0.0.1:%d ssl http2;\n" % port_https)
    put("upstream.conf", "server unix:%s;\n" % s.socket)
    write_nginx_conf(port_extra)
    log = open(main_err, "ab")
    nginx = subprocess.Popen(nginx_argv(), stdin=subprocess.DEVNULL,
                             stdout=log, stderr=log, start_new_session=True,
                             preexec_fn=die_with_parent)
    log.close()
    if lk.stackmod.wait_until(
            lambda: nginx.poll() is not None or lk.stackmod.read_pid(
                nginx_pid, "nginx", nginx_conf) == nginx.pid, 10):
        if nginx.poll() is None:
            break
    nginx = None  # a port was taken meanwhile: new ports
tap.ok(nginx is not None, "nginx runs the shipped site on 127.0.0.1")
if nginx is None:
    tap.diag(lk.stackmod.tail(main_err))
    lk.done()


def stop_nginx():
    """SIGQUIT (finish what is in hand), then the whole group if needed."""
    if nginx is None or nginx.poll() is not None:
        return
    nginx.send_signal(signal.SIGQUIT)
    try:
        nginx.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(nginx.pid, signal.SIGKILL)
        nginx.wait(5)


# At the end whatever happens (the normal path stops it before the logs
# are read).
tap.at_end(stop_nginx)
atexit.register(stop_nginx)

CTX = ssl.create_default_context(cafile=cert)


def tls_conn(source=None, ctx=CTX):
    return http.client.HTTPSConnection(
        "127.0.0.1", port_https, context=ctx, timeout=15,
        source_address=(source, 0) if source else None)


def on(conn, method, path, headers=()):
    """One request on an open connection; a lkhttp.Response."""
    conn.request(method, path, headers=dict(headers))
    resp = conn.getresponse()
    return lkhttp.Response(resp.status, resp.reason, resp.getheaders(),
                           resp.read())


def tls_get(path, headers=(), source=None):
    conn = tls_conn(source)
    try:
        return on(conn, "GET", path, headers)
    finally:
        conn.close()


def login_of(r):
    try:
        return r.json()["user"]["login"]
    except (ValueError, KeyError, TypeError):
        return None


# --- curl --cacert: the three ways in ----------------------------------------

url = "https://127.0.0.1:%d/users/current.json" % port_https


def curl(*args):
    r = subprocess.run(["curl", "-sS", "--cacert", cert, "-o", "-",
                        "-w", "\n%{http_code}"] + list(args),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    body, _, code = r.stdout.rpartition("\n")
    return code, body


for how, args in (
        ("?key=", [url + "?key=" + alice_key]),
        ("X-Redmine-API-Key", ["-H", "X-Redmine-API-Key: " + alice_key, url]),
        ("Basic login:password", ["-u", "alice:" + PASSWORD, url]),
        ("Basic KEY:X", ["-u", alice_key + ":X", url])):
    code, body = curl(*args)
    tap.is_(code, "200", "curl --cacert, %s: 200 through TLS" % how)
    tap.like(body, r'"login":"alice"', "curl, %s: alice" % how)

code, body = curl("--resolve", "localhost:%d:127.0.0.1" % port_https,
                  "https://localhost:%d/users/current.json" % port_https)
tap.is_(code, "401", "curl by host name, no credentials: 401 from latchkeyd")

# --- TLS details, with Python's ssl ------------------------------------------

r = tls_get("/users/current.json", [("X-Redmine-API-Key", alice_key)])
tap.is_(login_of(r), "alice", "Python ssl with the CA: the header works")
tap.is_(r.header("Strict-Transport-Security"), "max-age=63072000",
        "HSTS on a 200")
r = tls_get("/users/current.json")
tap.is_(r.status, 401, "anonymous: 401")
tap.is_(r.header("Strict-Transport-Security"), "max-age=63072000",
        "HSTS on a 401 too (always)")
tap.ok(r.header("Server") in ("nginx", None), "Server names no version: %r"
       % r.header("Server"))

for version, name in ((ssl.TLSVersion.TLSv1_3, "TLSv1.3"),
                      (ssl.TLSVersion.TLSv1_2, "TLSv1.2")):
    ctx = ssl.create_default_context(cafile=cert)
    ctx.minimum_version = ctx.maximum_version = version
    conn = tls_conn(ctx=ctx)
    try:
        r = on(conn, "GET", "/users/current.json?key=" + alice_key)
        tap.is_((conn.sock.version(), r.status), (name, 200),
                "%s is offered and works" % name)
        if name == "TLSv1.2":
            tap.like(conn.sock.cipher()[0], r"^ECDHE-ECDSA-.*(GCM|CHACHA20)",
                     "TLS 1.2: an ECDHE AEAD cipher (%s)"
                     % conn.sock.cipher()[0])
            tap.ok(not conn.sock.session.has_ticket,
                   "TLS 1.2: no session ticket (ssl_session_tickets off)")
    finally:
        conn.close()

# A TLS 1.2 client that offers only CBC (or static RSA) ciphers: refused.
ctx = ssl.create_default_context(cafile=cert)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers("ECDHE-ECDSA-AES128-SHA:AES128-SHA")
try:
    conn = tls_conn(ctx=ctx)
    conn.connect()
    tap.ok(False, "a CBC-only TLS 1.2 client is refused (it got %s)"
           % (conn.sock.cipher(),))
    conn.close()
except ssl.SSLError:
    tap.ok(True, "a CBC-only TLS 1.2 client is refused")

# Port 80: the redirect, for a request with a key too (which must not reach
# the log either).
for path in ("/users/current.json", "/issues.json?key=" + alice_key):
    r = lkhttp.request(port_http, "GET", path, [("Host", "localhost")])
    tap.is_(r.status, 301, "http %s: 301" % path.split("?")[0])
    tap.is_(r.header("Location"), "https://localhost" + path,
            "http %s: to the same URL over https" % path.split("?")[0])

# --- X-Redmine-Switch-User: allowed on the site, refused by the option -------

r = tls_get("/users/current.json", [("X-Redmine-API-Key", admin_key),
                                    ("X-Redmine-Switch-User", "alice")])
tap.is_(login_of(r), "alice", "the site passes X-Redmine-Switch-User: admin "
        "acts as alice")
r = lkhttp.request(port_extra, "GET", "/users/current.json",
                   [("X-Redmine-API-Key", admin_key),
                    ("X-Redmine-Switch-User", "alice")])
tap.is_(r.status, 403, "with no-switch-user.conf: the header is refused")
r = lkhttp.request(port_extra, "GET", "/users/current.json",
                   [("X-Redmine-API-Key", admin_key)])
tap.is_(login_of(r), "admin", "with no-switch-user.conf: the admin key alone "
        "works")
r = lkhttp.request(port_extra, "GET", "/users/current.json",
                   [("X-Redmine-API-Key", admin_key),
                    ("X-Redmine-Switch-User", "")])
tap.is_(login_of(r), "admin", "with no-switch-user.conf: an empty header "
        "passes (latchkeyd takes it for absent)")

# --- limit_req: a burst of credentialed requests gets 429 --------------------

time.sleep(3.5)  # the bucket refills (burst 30 at 10/s) after the above
cred, anon = tls_conn(), tls_conn()
cred_status, anon_status = [], []
t0 = time.monotonic()
try:
    for i in range(100):
        cred_status.append(on(cred, "GET", "/users/current.json",
                              [("X-Redmine-API-Key", alice_key)]).status)
        if i % 5 == 0:
            anon_status.append(on(anon, "GET", "/projects.json").status)
finally:
    cred.close()
    anon.close()
took = time.monotonic() - t0
ok200, n429 = cred_status.count(200), cred_status.count(429)
tap.note("burst: 100 credentialed requests in %.2f s: %d x 200, %d x 429"
         % (took, ok200, n429))
tap.is_(ok200 + n429, 100, "burst: every answer is 200 or 429")
tap.ok(n429 > 0, "burst: limit_req answers 429")
# burst 30 + the first request + what 10/s refills while the burst runs
tap.ok(ok200 <= 31 + int(took * 10) + 1, "burst: no more than the burst "
       "and the rate let through (%d)" % ok200)
tap.is_(cred_status[:25], [200] * 25, "burst: the first 25 pass")
tap.ok(anon_status and 429 not in anon_status,
       "anonymous requests in the same burst are not limited (%s)"
       % sorted(set(anon_status)))

# Passwords posted to the sign-in form count as credentials too (from an
# address of their own, with a fresh budget).
conn = tls_conn(FORMS)
form_status = []
try:
    for i in range(45):
        conn.request("POST", "/login", body="username=alice&password=x",
                     headers={"Content-Type":
                              "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        form_status.append(resp.status)
        if resp.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = tls_conn(FORMS)
    page = on(conn, "GET", "/login").status
finally:
    conn.close()
tap.ok(429 in form_status, "a burst of POST /login gets 429 from limit_req "
       "(%d of %d)" % (form_status.count(429), len(form_status)))
tap.isnt(page, 429, "GET /login from the same address is not limited")

# --- failures from another address: latchkeyd logs them, then throttles ------

guesses = [
    ("wrong password", "/users/current.json",
     [("Authorization", lkhttp.basic("alice", "not-" + PASSWORD))]),
    # A login that tries to plant a second address in the log line.
    ("hostile login", "/users/current.json",
     [("Authorization", lkhttp.basic("x addr=10.9.9.9", PASSWORD))]),
    ("wrong ?key=", "/users/current.json?key=" + wrong_key, []),
    ("wrong header key", "/users/current.json",
     [("X-Redmine-API-Key", wrong_key)]),
]
assert len(guesses) == THROTTLE
for how, path, headers in guesses:
    r = tls_get(path, headers, source=GUESSER)
    tap.is_(r.status, 401, "from %s, %s: 401" % (GUESSER, how))
r = tls_get("/users/current.json?key=" + alice_key, source=GUESSER)
tap.is_(r.status, 429, "from %s after %d failures: even the right key gets "
        "429 from latchkeyd" % (GUESSER, THROTTLE))
tap.ok(r.header("Retry-After"), "with Retry-After")
time.sleep(1)  # limit_req's bucket for 127.0.0.1, emptied by the burst
r = tls_get("/users/current.json?key=" + alice_key)
tap.is_((r.status, login_of(r)), (200, "alice"), "127.0.0.1 is not "
        "throttled by %s's failures" % GUESSER)

# --- the logs ----------------------------------------------------------------

stop_nginx()
tap.ok(nginx.returncode is not None, "nginx stops on SIGQUIT")

secrets = {
    "alice's key": alice_key,
    "admin's key": admin_key,
    "the wrong key": wrong_key,
    "alice's password": PASSWORD,
    "a Basic value": lkhttp.basic("alice", PASSWORD).split()[1],
    "a KEY:X Basic value": lkhttp.basic(alice_key, "X").split()[1],
    "the hostile login's Basic value":
        lkhttp.basic("x addr=10.9.9.9", PASSWORD).split()[1],
}
acc = s.read_log(access_log)
tap.ok(len(acc.splitlines()) >= 100, "the access log has the requests (%d "
       "lines)" % len(acc.splitlines()))
tap.like(acc, r'"GET /users/current\.json\?key=\[FILTERED\] HTTP/1\.1" 200 ',
         "the access log shows ?key=[FILTERED] for a request by key")
tap.like(acc, r'"GET /issues\.json\?key=\[FILTERED\] HTTP/1\.1" 301 ',
         "and for the redirect on port 80")
tap.like(acc, r'" 429 ', "the 429s are in the access log")
for name, log in (("the TLS site's access log", acc),
                  ("the option's access log", s.read_log(extra_access_log)),
                  ("the TLS site's error log", s.read_log(error_log)),
                  ("the stack's own access log",
                   s.read_log(s.nginx_access_log))):
    found = [n for n, v in secrets.items() if v in log]
    tap.is_(found, [], "%s holds no key, password or Authorization value"
            % name)
tap.unlike(acc, r"(?i)basic |bearer ", "no Authorization scheme in the access "
           "log")
# $remote_user would be "alice" for Basic alice:...: no login at all.
tap.unlike(acc, r"alice|admin", "no login ($remote_user) in the access log")

# --- fail2ban, on the lines latchkeyd wrote ----------------------------------

lines = s.read_log(s.latchkeyd_log).splitlines()
want = [ln for ln in lines
        if re.search(r" event=auth_(failure|throttled) ", ln)]
tap.is_(len([ln for ln in want if "event=auth_failure" in ln and
             ln.endswith(" addr=" + GUESSER)]), THROTTLE,
        "latchkeyd logged one auth_failure per guess")
tap.ok(any("event=auth_throttled" in ln for ln in want),
       "and an auth_throttled line")
tap.ok(any('login="x addr=10.9.9.9"' in ln for ln in want),
       "the hostile login is logged inside quotes")
r = subprocess.run(["fail2ban-regex", "-o", "msg", s.latchkeyd_log, FILTER],
                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, text=True, timeout=60)
tap.is_(r.returncode, 0, "fail2ban-regex runs")
matched = [ln for ln in r.stdout.splitlines() if ln.strip()]
tap.is_(sorted(matched), sorted(want), "fail2ban-regex matches exactly the "
        "auth_failure and auth_throttled lines (%d of %d lines)"
        % (len(want), len(lines)))
r = subprocess.run(["fail2ban-regex", "-o", "ip", s.latchkeyd_log, FILTER],
                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, text=True, timeout=60)
ips = [ln.strip() for ln in r.stdout.splitlines() if ln.strip()]
# (The form posts may or may not reach a password check: no CSRF token.)
tap.ok(GUESSER in ips and set(ips) <= {GUESSER, FORMS},
       "every match bans the client's address, never the one planted in a "
       "login: %s" % sorted(set(ips)))
tap.is_(len(ips), len(want), "one address per matched line")
if tap.failures():
    tap.diag(r.stderr[-2000:])

# --- the fail2ban jail parses, with the filter beside Debian's ---------------

if os.path.isdir("/etc/fail2ban"):
    f2b = os.path.join(top, "fail2ban")
    shutil.copytree("/etc/fail2ban", f2b, symlinks=True)
    shutil.copy(FILTER, os.path.join(f2b, "filter.d"))
    shutil.copy(os.path.join(REPO, "deploy", "fail2ban", "jail.d",
                             "latchkey.local"), os.path.join(f2b, "jail.d"))
    # -d: parse the configuration and print it; starts no server.
    r = subprocess.run(["fail2ban-client", "-c", f2b, "-d"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    tap.ok(r.returncode == 0 and "['add', 'latchkey', 'systemd']" in r.stdout
           and "['start', 'latchkey']" in r.stdout,
           "fail2ban-client -d: the latchkey jail parses (journal backend)")
    tap.unlike(r.stdout, r"(?m)^(ERROR|WARNING)", "and without complaint")
    if tap.failures():
        tap.diag(r.stdout[-2000:])

# --- deploy/latchkeyd.conf.example -------------------------------------------

example = os.path.join(REPO, "deploy", "latchkeyd.conf.example")
# Config keys are the fields of struct lk_config (STYLE: names equal).
with open(os.path.join(REPO, "lib", "parse", "lk_parse.h")) as f:
    header = f.read()
struct = re.search(r"(?s)struct lk_config \{(.*?)\};", header).group(1)
keys = re.findall(r"(?m)^\s+[\w ]+?\s\**(\w+)(?:\[[^]]*\])?;", struct)
with open(os.path.join(REPO, "README")) as f:
    readme = f.read()
table = dict(re.findall(r"(?m)^\| (\w+) +\| (.+?) +\|", readme))
with open(example) as f:
    lines = f.read().splitlines()
given = {}
for ln in lines:
    m = re.match(r"^(#?)(\w+) = (.*)$", ln)
    if m and m.group(2) in table:
        given[m.group(2)] = (m.group(1) == "", m.group(3))
tap.ok(len(keys) >= 19, "struct lk_config has its keys (%d)" % len(keys))
tap.is_(sorted(k for k in keys if k not in given), [],
        "the example names every key of struct lk_config")
tap.is_(sorted(k for k in keys if k not in table), [],
        "the README's table names every key of struct lk_config")
# A key without a default ("(none)") shows an example value instead.
wrong = ["%s: %r vs README %r" % (k, v, table[k])
         for k, (active, v) in given.items()
         if not active and v != table[k] and table[k] != "(none)"]
tap.is_(wrong, [], "every commented line of the example shows the README's "
        "default")
tap.is_(sorted(k for k, (active, _) in given.items() if active),
        ["pid_file", "socket_group"],
        "the active lines are the two the systemd unit needs")
r = subprocess.run([s.latchkeyd_bin(), "-t", "-c", example],
                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True)
tap.is_(r.returncode, 0, "latchkeyd -t accepts the example as it is")
every = os.path.join(top, "every-key.conf")
with open(every, "w") as f:
    f.write("\n".join(re.sub(r"^#(\w+ = )", r"\1", ln) for ln in lines))
r = subprocess.run([s.latchkeyd_bin(), "-t", "-c", every],
                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True)
tap.is_(r.returncode, 0, "and with every default line uncommented")
if r.returncode:
    tap.diag(r.stdout)

# --- systemd-analyze verify --------------------------------------------------

if shutil.which("systemd-analyze") and os.path.isdir("/lib/systemd/system"):
    # A root of our own: the system's units (for the targets named), the
    # binaries where `cmake --install` puts them, and the unit.
    root = os.path.join(top, "sysroot")
    shutil.copytree("/lib/systemd/system",
                    os.path.join(root, "lib", "systemd", "system"),
                    symlinks=True)
    units = os.path.join(root, "etc", "systemd", "system")
    os.makedirs(units)
    shutil.copy(os.path.join(REPO, "deploy", "systemd", "latchkeyd.service"),
                units)
    os.makedirs(os.path.join(root, "bin"))
    shutil.copy("/bin/kill", os.path.join(root, "bin"))
    r = subprocess.run(["cmake", "--install", s.build, "--prefix",
                        "/usr/local"], env=dict(os.environ, DESTDIR=root),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    tap.ok(r.returncode == 0 and os.access(os.path.join(
        root, "usr", "local", "sbin", "latchkeyd"), os.X_OK),
        "cmake --install puts latchkeyd where the unit runs it")
    r = subprocess.run(["systemd-analyze", "verify", "--root", root,
                        "latchkeyd.service"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=60)
    tap.is_((r.returncode, r.stdout.strip()), (0, ""),
            "systemd-analyze verify: the unit is clean")
    r = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        "--root", root, "latchkeyd.service"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    m = re.search(r"Overall exposure level for latchkeyd.service: "
                  r"([0-9.]+)", r.stdout)
    tap.ok(m and float(m.group(1)) <= 2.0, "systemd-analyze security: "
           "exposure %s (at most 2.0)" % (m.group(1) if m else "?"))
else:
    tap.ok(False, "systemd-analyze installed (deploy/dev/deps test): the "
           "unit is not verified")

# --- database roles, with the README's SQL -----------------------------------

sql = re.search(r"(?ms)^    CREATE ROLE latchkey_owner LOGIN;\n.*?"
                r"^    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "
                r"latchkey;\n", readme)
tap.ok(sql, "the README has the roles SQL")
roles_db = "latchkey_roles"
# The stack already has a database called latchkey: use another name.
script = re.sub(r"\b(DATABASE|connect) latchkey\b", r"\1 " + roles_db,
                "\n".join(ln[4:] for ln in sql.group(0).splitlines()))
PSQL = os.path.join(lk.stackmod.PG_BIN, "psql")


def psql_as(user, sql, db=roles_db):
    return subprocess.run([PSQL, "-X", "-v", "ON_ERROR_STOP=1", "-h",
                           s.pg_sock_dir, "-p", str(s.pg_port), "-U", user,
                           "-d", db], input=sql, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


r = psql_as("postgres", script, db="postgres")
tap.is_(r.returncode, 0, "the roles SQL runs as postgres")
if r.returncode:
    tap.diag(r.stdout)
roles_conf = os.path.join(top, "roles.conf")
with open(s.conf_file) as f:
    conf = f.read()
# As in production: the conninfo names no user; PGUSER picks the role.
conf = re.sub(r"(?m)^database = .*$", "database = host=%s port=%d dbname=%s"
              % (s.pg_sock_dir, s.pg_port, roles_db), conf)
with open(roles_conf, "w") as f:
    f.write(conf)


def admin_as(role, *args, input=""):
    return subprocess.run([s.admin_bin(), "-c", roles_conf] + list(args),
                          env=dict(os.environ, PGUSER=role), input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)


# The README's pg_ident.conf and pg_hba.conf lines, which let root (only)
# act as the owner through peer authentication.
ident = re.search(r"(?m)^    (latchkey_owner +root +latchkey_owner)$", readme)
hba = re.search(r"(?m)^    (local +latchkey +latchkey_owner +peer "
                r"map=latchkey_owner)$", readme)
tap.ok(ident and hba, "the README has the pg_ident.conf and pg_hba.conf lines")
if ident and hba and os.geteuid() == 0:
    with open(os.path.join(s.pg_data, "pg_ident.conf"), "a") as f:
        f.write(ident.group(1) + "\n")
    path = os.path.join(s.pg_data, "pg_hba.conf")
    with open(path) as f:
        rules = f.read()
    # First, above the test cluster's own "trust" lines.
    with open(path, "w") as f:
        f.write(re.sub(r"\blatchkey\b", roles_db, hba.group(1), count=1) +
                "\n" + rules)
    r = psql_as("postgres", "SELECT pg_reload_conf();", db="postgres")
    tap.is_(r.returncode, 0, "PostgreSQL reloads its pg_hba.conf")
    r = psql_as("postgres", "SELECT count(*) FROM pg_hba_file_rules "
                "WHERE error IS NOT NULL; SELECT count(*) FROM "
                "pg_ident_file_mappings WHERE error IS NOT NULL;",
                db="postgres")
    tap.unlike(r.stdout, r"(?m)^ +[1-9]", "and finds no error in either file")
    r = subprocess.run(["runuser", "-u", "nobody", "--", PSQL, "-X", "-h",
                        s.pg_sock_dir, "-p", str(s.pg_port), "-U",
                        "latchkey_owner", "-d", roles_db, "-c", "SELECT 1"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    tap.ok(r.returncode != 0 and "Peer authentication failed" in r.stdout,
           "another OS user cannot connect as latchkey_owner")
else:
    tap.note("not root: the peer-authentication lines were not tried")

r = admin_as("latchkey", "migrate")
tap.isnt(r.returncode, 0, "the app role cannot run the migrations")
r = admin_as("latchkey_owner", "migrate")
tap.is_(r.returncode, 0, "PGUSER=latchkey_owner latchkey migrate works (as "
        "root, through the map)")
if r.returncode:
    tap.diag(r.stdout)
r = admin_as("latchkey", "load", os.path.join(REPO, "deploy", "dev",
                                              "demo.json"))
tap.is_(r.returncode, 0, "the app role loads the demo data (rows only)")
if r.returncode:
    tap.diag(r.stdout)
for what, stmt in (("create a table", "CREATE TABLE t (i int)"),
                   ("alter a table", "ALTER TABLE users ADD COLUMN x int"),
                   ("drop a table", "DROP TABLE tokens"),
                   ("replace a function",
                    "CREATE OR REPLACE FUNCTION auth_notify() RETURNS "
                    "trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; "
                    "END$$"),
                   ("create a temporary table",
                    "CREATE TEMP TABLE t (i int)")):
    r = psql_as("latchkey", stmt + ";")
    tap.ok(r.returncode != 0 and re.search(r"permission denied|must be owner",
                                           r.stdout),
           "the app role cannot %s" % what)
# latchkeyd itself on the app role: reload onto the new database.
new_key = re.findall(r"\b[0-9a-f]{40}\b",
                     admin_as("latchkey", "key", "show", "alice").stdout)
tap.is_(len(new_key), 1, "alice has a key in the new database")
s.conf_overrides["database"] = ("host=%s port=%d dbname=%s user=latchkey"
                                % (s.pg_sock_dir, s.pg_port, roles_db))
# Until the old workers are gone the new key is unknown to some: those
# refusals must not get 127.0.0.1 throttled.
s.conf_overrides["throttle_failures"] = "0"
s.reload_latchkeyd()
got = None
deadline = time.monotonic() + 10
while new_key and time.monotonic() < deadline:
    got = s.get("/users/current.json", key=new_key[0])
    if got.status == 200:
        break
    time.sleep(0.1)
tap.is_(got.status if got else None, 200,
        "latchkeyd on the app role serves alice's key from the new database")
r = admin_as("latchkey", "user", "add", "carol", "--firstname", "Carol",
             "--lastname", "C", "--mail", "carol@example.net",
             input="carol-pass-123\n")
tap.is_(r.returncode, 0, "the app role adds a user (INSERT with a sequence)")
if r.returncode:
    tap.diag(r.stdout)

lk.done()
