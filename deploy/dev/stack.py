#!/usr/bin/python3
"""stack.py: bring up (and down) a whole latchkey stack in one directory.

One implementation, used by the dev stack (deploy/dev/run, under ./var/) and
by every integration test (a throwaway directory each). Python 3 standard
library only; run it with Debian's /usr/bin/python3.

A stack directory holds everything it runs, so nothing touches the system's
own PostgreSQL clusters or nginx:

    DIR/stack.json      ports chosen at creation, and whether data is loaded
    DIR/pg/             the PostgreSQL 15 cluster (owned by postgres)
    DIR/pgrun/          its unix socket (it listens on no TCP address)
    DIR/etc/            latchkeyd.conf, the server secret
    DIR/run/            latchkeyd's socket, pid files
    DIR/nginx/          nginx.conf, temp dirs
    DIR/log/            postgresql.log, latchkeyd.log, nginx-error.log,
                        nginx-access.log

Every process is started in a session of its own, with its output in DIR/log,
and can be stopped later from its pid file, by this process or another one
(`stack.py stop DIR`), so a stack left behind by a crashed test can still be
cleaned up (`stack.py stop-all ROOT` stops every stack under ROOT).

Command line:
    stack.py up DIR [--port N] [--set key=value ...] [--demo FILE]
    stack.py run DIR ...            like up, then wait for Ctrl-C/SIGTERM
    stack.py stop DIR | stop-all ROOT | status DIR
    stack.py admin DIR ARGS...      latchkey -c DIR/etc/latchkeyd.conf ARGS
"""

import argparse
import hashlib
import http.client
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PG_BIN = "/usr/lib/postgresql/15/bin"
NGINX = "/usr/sbin/nginx"
DB_NAME = "latchkey"
SOCK_MAX = 100  # sun_path is 108 bytes; keep a margin for ".s.PGSQL.NNNNN"


class StackError(Exception):
    """A part of the stack could not be brought up or down."""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=30):
    """The last lines of a log file, for error messages."""
    try:
        with open(path, "rb") as f:
            data = f.read()[-16384:]
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def pid_alive(pid):
    """True if pid runs (a zombie does not count)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def pid_runs(pid, name, arg=None):
    """True if pid runs the program called name (its binary, or a script
    of that name under an interpreter), with arg in its command line."""
    try:
        exe = os.readlink("/proc/%d/exe" % pid)
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmdline = f.read().decode("utf-8", "replace")
    except OSError:
        return False
    if exe.endswith(" (deleted)"):  # the binary was rebuilt meanwhile
        exe = exe[:-len(" (deleted)")]
    argv = cmdline.split("\0")
    names = {os.path.basename(exe)} | {os.path.basename(a) for a in argv[:2]}
    return name in names and (arg is None or arg in cmdline)


def read_pid(path, exe, arg=None):
    """The pid in a pid file if that process still runs program exe (with
    arg in its command line: this stack's, not another's).

    A stale file (process gone, or the pid reused by another program) gives
    None, so a crashed stack never makes us signal a stranger.
    """
    try:
        with open(path) as f:
            pid = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    if pid <= 1 or not pid_alive(pid) or not pid_runs(pid, exe, arg):
        return None
    return pid


def group_members(pgid):
    """The live (non-zombie) pids of process group pgid."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                pids.append(int(entry))
    return pids


def group_alive(pgid):
    return bool(group_members(pgid))


def wait_gone(pid, timeout, child=None):
    """Wait until pid has exited; reap it when it is our child."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            return True
        if child is None and not pid_alive(pid):
            return True
        time.sleep(0.05)
    return False


def make_reachable(path):
    """Let the postgres and www-data users traverse to path.

    Adds only the search bit (o+x) to ancestors that lack it, so a checkout
    under /root works without opening directory listings to anyone.
    """
    path = os.path.abspath(path)
    while True:
        st = os.stat(path)
        if not st.st_mode & 0o001:
            os.chmod(path, (st.st_mode & 0o7777) | 0o001)
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent


class Stack:
    """One latchkey stack (PostgreSQL, latchkeyd, nginx) living in dir.

    conf: extra latchkeyd.conf keys (they override the defaults below).
    fast: a throwaway cluster (fsync off); for tests, not for ./var.
    """

    def __init__(self, dir, http_port=None, conf=None, fast=False,
                 build=None, demo=None, workers=2):
        self.dir = os.path.abspath(dir)
        self.build = os.path.abspath(build or os.environ.get(
            "LK_BUILD", os.path.join(REPO, "build")))
        # demo: the data set loaded on the first start; False: none.
        self.demo = os.path.join(REPO, "deploy", "dev", "demo.json") \
            if demo is None else demo
        self.fast = fast
        self.root = os.geteuid() == 0
        self.conf_overrides = dict(conf or {})
        self.workers = workers
        self.children = {}  # name -> Popen, for the processes we started
        self.came_up = False  # up() succeeded
        p = lambda *a: os.path.join(self.dir, *a)  # noqa: E731
        self.pg_data = p("pg")
        self.etc_dir = p("etc")
        self.log_dir = p("log")
        self.nginx_dir = p("nginx")
        self.conf_file = p("etc", "latchkeyd.conf")
        self.secret_file = p("etc", "secret")
        self.nginx_conf = p("nginx", "nginx.conf")
        self.pg_log = p("log", "postgresql.log")
        self.latchkeyd_log = p("log", "latchkeyd.log")
        self.nginx_error_log = p("log", "nginx-error.log")
        self.nginx_access_log = p("log", "nginx-access.log")
        # Unix socket paths are short (108 bytes): a stack deep in the file
        # system keeps its sockets in a short directory named after it.
        run, pgrun = p("run"), p("pgrun")
        if len(pgrun) + 20 > SOCK_MAX or len(run) + 16 > SOCK_MAX:
            h = hashlib.sha1(self.dir.encode()).hexdigest()[:12]
            run = "/tmp/latchkey-%s/run" % h
            pgrun = "/tmp/latchkey-%s/pgrun" % h
        self.run_dir, self.pg_sock_dir = run, pgrun
        self.socket = os.path.join(run, "latchkeyd.sock")
        self.latchkeyd_pid_file = os.path.join(run, "latchkeyd.pid")
        self.spawn_pid_file = os.path.join(run, "latchkeyd.spawned")
        self.nginx_pid_file = os.path.join(run, "nginx.pid")
        self.state_file = p("stack.json")
        self.state = self._load_state()
        if http_port:
            self.state["http_port"] = int(http_port)

    # --- state ---------------------------------------------------------------

    def _load_state(self):
        try:
            with open(self.state_file) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def _save_state(self):
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=1, sort_keys=True)
        os.replace(tmp, self.state_file)

    @property
    def http_port(self):
        return self.state["http_port"]

    @property
    def pg_port(self):
        if "pg_port" not in self.state:
            # stack.json lost: the cluster's own config still says.
            with open(os.path.join(self.pg_data, "postgresql.conf")) as f:
                ports = re.findall(r"(?m)^port = (\d+)", f.read())
            self.state["pg_port"] = int(ports[-1])
        return self.state["pg_port"]

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.http_port

    @property
    def conninfo(self):
        return "host=%s port=%d dbname=%s user=postgres" % (
            self.pg_sock_dir, self.pg_port, DB_NAME)

    def latchkeyd_bin(self):
        return os.path.join(self.build, "latchkeyd")

    def admin_bin(self):
        return os.path.join(self.build, "latchkey")

    # --- helpers -------------------------------------------------------------

    def _as_postgres(self, argv):
        return ["runuser", "-u", "postgres", "--"] + argv if self.root \
            else argv

    def _chown_postgres(self, path):
        if self.root:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def _run(self, argv, what, **kw):
        """Run a setup command; on failure raise with its output."""
        r = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           **kw)
        if r.returncode != 0:
            raise StackError("%s failed (exit %d): %s\n%s" % (
                what, r.returncode, " ".join(argv),
                r.stdout.decode("utf-8", "replace")))
        return r.stdout.decode("utf-8", "replace")

    def _spawn(self, name, argv, log, env=None):
        """Start a long-running process in its own session, output to log.

        Its own session: a Ctrl-C in the terminal reaches only the runner,
        which then stops the parts in order; and the whole group (a master
        and its workers) can be signalled at once.
        """
        out = open(log, "ab")
        try:
            child = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=out, env=env,
                                     start_new_session=True)
        finally:
            out.close()
        self.children[name] = child
        # Our own record of the pid, in case the program dies before (or
        # without) writing its pid file, or leaves workers behind.
        with open(os.path.join(self.run_dir, name + ".spawned"), "w") as f:
            f.write("%d\n" % child.pid)
        return child

    def _mkdirs(self):
        for d in (self.dir, self.etc_dir, self.log_dir, self.nginx_dir,
                  self.run_dir):
            os.makedirs(d, exist_ok=True)
            # postgres and www-data reach their sockets and files through
            # these; the secret itself stays 0600.
            os.chmod(d, 0o755)
        os.makedirs(self.pg_sock_dir, exist_ok=True)
        base = os.path.dirname(self.run_dir)
        if base != self.dir and os.lstat(base).st_uid != os.geteuid():
            raise StackError("%s belongs to someone else" % base)
        os.chmod(self.pg_sock_dir, 0o755)
        self._chown_postgres(self.pg_sock_dir)
        os.chmod(self.etc_dir, 0o711)
        make_reachable(self.dir)
        make_reachable(self.run_dir)

    # --- PostgreSQL ----------------------------------------------------------

    def pg_running(self):
        return read_pid(os.path.join(self.pg_data, "postmaster.pid"),
                        "postgres", self.pg_data) is not None

    def _init_pg(self):
        if os.path.exists(os.path.join(self.pg_data, "PG_VERSION")):
            return
        os.makedirs(self.pg_data, mode=0o700, exist_ok=True)
        os.chmod(self.pg_data, 0o700)
        self._chown_postgres(self.pg_data)
        self._run(self._as_postgres([
            os.path.join(PG_BIN, "initdb"), "-D", self.pg_data,
            "--auth=trust", "--username=postgres", "--encoding=UTF8",
            "--locale=C.UTF-8", "--no-instructions"] +
            (["--no-sync"] if self.fast else [])), "initdb")
        self.state["pg_port"] = self.state.get("pg_port") or free_port()
        self._save_state()
        # Only a unix socket in our own directory: nothing on TCP, no clash
        # with another cluster on this machine.
        lines = [
            "",
            "# latchkey stack (deploy/dev/stack.py)",
            "listen_addresses = ''",
            "port = %d" % self.pg_port,
            "unix_socket_directories = '%s'" % self.pg_sock_dir,
            "max_connections = 50",
            "shared_buffers = 32MB",
            "log_line_prefix = '%m [%p] %q%u@%d '",
        ]
        if self.fast:
            # A test cluster dies with its test: durability buys nothing.
            lines += ["fsync = off", "synchronous_commit = off",
                      "full_page_writes = off"]
        with open(os.path.join(self.pg_data, "postgresql.conf"), "a") as f:
            f.write("\n".join(lines) + "\n")

    def start_pg(self):
        self._mkdirs()
        self._init_pg()
        if self.pg_running():
            return
        if not os.path.exists(self.pg_log):
            open(self.pg_log, "a").close()
        self._chown_postgres(self.pg_log)
        # pg_ctl -w returns once the server accepts connections; the server
        # outlives pg_ctl, in the new session we give it.
        r = subprocess.run(self._as_postgres([
            os.path.join(PG_BIN, "pg_ctl"), "-D", self.pg_data,
            "-l", self.pg_log, "-w", "-t", "60", "start"]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        if r.returncode != 0:
            raise StackError("PostgreSQL did not start:\n%s\n%s" % (
                r.stdout.decode("utf-8", "replace"), tail(self.pg_log)))

    def stop_pg(self):
        if not os.path.exists(os.path.join(self.pg_data, "PG_VERSION")):
            return
        if not self.pg_running():
            return
        subprocess.run(self._as_postgres([
            os.path.join(PG_BIN, "pg_ctl"), "-D", self.pg_data,
            "-m", "fast", "-w", "-t", "60", "stop"]),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)

    def restart_pg(self):
        self.stop_pg()
        self.start_pg()

    def psql(self, sql, db=DB_NAME):
        """Run SQL with psql; return its unaligned, tuples-only output."""
        return self._run([os.path.join(PG_BIN, "psql"), "-X", "-A", "-t",
                          "-v", "ON_ERROR_STOP=1", "-h", self.pg_sock_dir,
                          "-p", str(self.pg_port), "-U", "postgres",
                          "-d", db, "-c", sql], "psql")

    def _create_db(self):
        have = self.psql("SELECT 1 FROM pg_database WHERE datname = '%s'"
                         % DB_NAME, db="postgres")
        if have.strip() != "1":
            self.psql("CREATE DATABASE %s" % DB_NAME, db="postgres")

    # --- latchkeyd -----------------------------------------------------------

    def config(self):
        """The latchkeyd.conf keys of this stack, overrides applied."""
        c = {
            "listen": self.socket,
            "socket_mode": "0660",
            "workers": str(self.workers),
            "max_requests": "0",
            "database": self.conninfo,
            "secret_file": self.secret_file,
            "pid_file": self.latchkeyd_pid_file,
            "log_level": "info",
            # Tests send bad credentials on purpose; a throttling test
            # turns this on for itself.
            "throttle_failures": "0",
            "graceful_timeout": "10",
        }
        if self.root:
            # nginx's workers run as www-data and must reach the socket.
            c["socket_group"] = "www-data"
        c.update({k: str(v) for k, v in self.conf_overrides.items()})
        return c

    def write_config(self):
        lines = ["# Generated by deploy/dev/stack.py at every start;",
                 "# change it with `stack.py up DIR --set key=value`."]
        lines += ["%s = %s" % kv for kv in self.config().items()]
        tmp = self.conf_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, self.conf_file)

    def admin(self, *args, input=None, check=True, env=None):
        """Run the admin tool on this stack; returns the CompletedProcess
        with text stdout and stderr. check=True raises on a non-zero exit."""
        argv = [self.admin_bin(), "-c", self.conf_file]
        argv += [str(a) for a in args]
        r = subprocess.run(argv, input=input if input is not None else "",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=env)
        if check and r.returncode != 0:
            raise StackError("latchkey %s failed (exit %d):\n%s%s" % (
                " ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def setup_db(self):
        """init (once), migrate (always: idempotent), load demo (once)."""
        self._create_db()
        self.write_config()
        if not os.path.exists(self.secret_file):
            self.admin("init")
        self.admin("migrate")
        if not self.state.get("demo_loaded") and self.demo:
            self.admin("load", self.demo)
            self.state["demo_loaded"] = True
            self._save_state()

    def latchkeyd_pid(self):
        child = self.children.get("latchkeyd")
        if child is not None and child.poll() is None:
            return child.pid
        return read_pid(self.spawn_pid_file, "latchkeyd", self.conf_file) or \
            read_pid(self.latchkeyd_pid_file, "latchkeyd", self.conf_file)

    def start_latchkeyd(self):
        if self.latchkeyd_pid():
            return
        self.write_config()
        self._run([self.latchkeyd_bin(), "-t", "-c", self.conf_file],
                  "latchkeyd -t (config check)")
        # A killed latchkeyd may have left workers, its socket and its pid
        # file behind (the pid may still be an unreaped zombie, which
        # latchkeyd would take for a running copy of itself).
        self._kill_orphans("latchkeyd")
        for stale in (self.socket, self.latchkeyd_pid_file):
            try:
                os.unlink(stale)
            except FileNotFoundError:
                pass
        child = self._spawn("latchkeyd",
                            [self.latchkeyd_bin(), "-c", self.conf_file],
                            self.latchkeyd_log)
        deadline = time.monotonic() + 15
        while not os.path.exists(self.socket):
            if child.poll() is not None:
                raise StackError("latchkeyd exited (%d) at start:\n%s" % (
                    child.returncode, tail(self.latchkeyd_log)))
            if time.monotonic() > deadline:
                raise StackError("latchkeyd made no socket %s in 15 s:\n%s"
                                 % (self.socket, tail(self.latchkeyd_log)))
            time.sleep(0.05)

    def stop_latchkeyd(self, sig=signal.SIGTERM, timeout=None):
        """Stop latchkeyd (SIGTERM: graceful) and wait for it and its
        workers. Returns the master's exit status when it was our child,
        None otherwise. Stragglers after the timeout are killed, and that is
        an error: a graceful stop must not need it."""
        pid = self.latchkeyd_pid()
        child = self.children.pop("latchkeyd", None)
        if pid is None:
            self._kill_orphans("latchkeyd")
            return child.returncode if child is not None else None
        if timeout is None:
            timeout = int(self.config().get("graceful_timeout", 10)) + 5
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
        mine = child if child is not None and child.pid == pid else None
        gone = wait_gone(pid, timeout, mine)
        # Workers share the master's process group (its session is ours).
        left = not gone or not wait_until(lambda: not group_alive(pid), 5)
        if left:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            wait_gone(pid, 5, mine)
        try:
            os.unlink(self.spawn_pid_file)
        except FileNotFoundError:
            pass
        if left:
            raise StackError("latchkeyd (pid %d) or its workers did not stop "
                             "within %d s of signal %d; killed" % (
                                 pid, timeout, sig))
        return mine.returncode if mine is not None else None

    def _kill_orphans(self, name):
        """Kill what a killed master (latchkeyd or nginx) left behind: its
        workers are still in the process group of the pid we spawned."""
        path = os.path.join(self.run_dir, name + ".spawned")
        try:
            with open(path) as f:
                pgid = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return
        for pid in group_members(pgid):
            if pid_runs(pid, name):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    def restart_latchkeyd(self):
        self.stop_latchkeyd()
        self.start_latchkeyd()
        self.wait_upstream()

    def wait_upstream(self, timeout=15):
        """With nginx up, wait until it reaches latchkeyd: the socket file
        exists a moment before the master listens on it, and nginx
        answers 502 meanwhile. Any other status will do (503: PostgreSQL
        away is latchkeyd's own answer)."""
        if not self.nginx_pid():
            return
        wait_until(lambda: self._upstream_status() not in (None, 502, 504),
                   timeout)

    def _upstream_status(self):
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.http_port,
                                           timeout=5)
            c.request("GET", "/users/current.json")
            st = c.getresponse().status
            c.close()
            return st
        except OSError:
            return None

    def reload_latchkeyd(self):
        """SIGHUP: reload config and settings, replace workers."""
        self.write_config()
        os.kill(self.latchkeyd_pid(), signal.SIGHUP)

    # --- nginx ---------------------------------------------------------------

    def write_nginx_config(self):
        n = self.nginx_dir
        temps = "".join("\t%s_temp_path %s;\n" % (t, os.path.join(n, t))
                        for t in ("client_body", "fastcgi", "proxy", "uwsgi",
                                  "scgi"))
        conf = """# Generated by deploy/dev/stack.py; rewritten at every start.
{user}worker_processes 1;
daemon off;
pid {pid};
error_log {err} notice;

events {{
	worker_connections 256;
}}

http {{
	include {repo}/deploy/nginx/log.conf;
	access_log {acc} latchkey;
{temps}	server_tokens off;

	upstream latchkey {{
		server unix:{sock};
	}}

	server {{
		listen 127.0.0.1:{port};
		server_name localhost;
		include {repo}/deploy/nginx/locations.conf;
	}}
}}
""".format(user="user www-data;\n" if self.root else "",
           pid=self.nginx_pid_file, err=self.nginx_error_log,
           acc=self.nginx_access_log, repo=REPO, temps=temps,
           sock=self.socket, port=self.http_port)
        with open(self.nginx_conf, "w") as f:
            f.write(conf)

    def nginx_pid(self):
        child = self.children.get("nginx")
        if child is not None and child.poll() is None:
            return child.pid
        return read_pid(self.nginx_pid_file, "nginx", self.nginx_conf)

    def _nginx_argv(self, *extra):
        # -e: the error log before the config is read, else nginx writes
        # the system's /var/log/nginx/error.log.
        return [NGINX, "-p", self.nginx_dir + "/", "-c", self.nginx_conf,
                "-e", self.nginx_error_log] + list(extra)

    def start_nginx(self):
        if self.nginx_pid():
            return
        self._kill_orphans("nginx")
        fixed = "http_port" in self.state
        for attempt in range(5):
            if not fixed:
                self.state["http_port"] = free_port()
            self.write_nginx_config()
            self._run(self._nginx_argv("-t", "-q"), "nginx -t")
            child = self._spawn("nginx", self._nginx_argv(),
                                self.nginx_error_log)
            # nginx writes its pid file once it has bound its port, and
            # exits if it cannot. (A port that answers proves nothing: it
            # may be an orphan worker of a killed nginx.)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and child.poll() is None:
                if read_pid(self.nginx_pid_file, "nginx",
                            self.nginx_conf) == child.pid:
                    self._save_state()
                    return
                time.sleep(0.05)
            if child.poll() is None:
                break
            self.children.pop("nginx", None)
            if fixed:
                break  # a port the user chose: say so, do not pick another
        raise StackError("nginx did not start on 127.0.0.1:%d:\n%s" % (
            self.http_port, tail(self.nginx_error_log)))

    def stop_nginx(self):
        pid = self.nginx_pid()
        child = self.children.pop("nginx", None)
        if pid is None:
            self._kill_orphans("nginx")
            return
        mine = child if child is not None and child.pid == pid else None
        # QUIT finishes requests in hand; TERM if that takes too long.
        for sig, wait in ((signal.SIGQUIT, 10), (signal.SIGTERM, 5),
                          (signal.SIGKILL, 5)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            if wait_gone(pid, wait, mine):
                break
        self._kill_orphans("nginx")  # none after a clean stop
        try:
            os.unlink(self.nginx_pid_file)
        except FileNotFoundError:
            pass

    def restart_nginx(self):
        self.stop_nginx()
        self.start_nginx()

    # --- the whole stack -----------------------------------------------------

    def wait_ready(self, timeout=30):
        """Wait until GET /users/current.json answers through nginx with a
        status from latchkeyd (not nginx's 502/504 for an upstream that is
        not there yet)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.http_port,
                                               timeout=5)
                c.request("GET", "/users/current.json")
                last = c.getresponse().status
                c.close()
                if last not in (502, 503, 504):
                    return last
            except OSError as e:
                last = str(e)
            if self.latchkeyd_pid() is None:
                raise StackError("latchkeyd is not running:\n%s" %
                                 tail(self.latchkeyd_log))
            time.sleep(0.1)
        raise StackError("no answer through nginx in %d s (last: %s)\n"
                         "latchkeyd.log:\n%s\nnginx-error.log:\n%s" % (
                             timeout, last, tail(self.latchkeyd_log),
                             tail(self.nginx_error_log, 10)))

    def up(self):
        """Bring everything up; on failure, stop what this call started."""
        for path in (self.latchkeyd_bin(), self.admin_bin()):
            if not os.access(path, os.X_OK):
                raise StackError("%s is missing: build first (cmake -S . -B "
                                 "build && cmake --build build)" % path)
        try:
            self.start_pg()
            self.setup_db()
            self.start_latchkeyd()
            self.start_nginx()
            self.wait_ready()
        except BaseException:
            self.down(quiet=True)
            raise
        self.came_up = True
        return self

    def down(self, quiet=False):
        """Stop nginx, latchkeyd, PostgreSQL; every part is tried even if
        one fails. Raises the first error unless quiet."""
        errors = []
        for stop in (self.stop_nginx, self.stop_latchkeyd, self.stop_pg):
            try:
                stop()
            except Exception as e:  # keep stopping the rest
                errors.append(e)
        if errors and not quiet:
            raise errors[0]

    def status(self):
        return {"postgresql": self.pg_running(),
                "latchkeyd": self.latchkeyd_pid() is not None,
                "nginx": self.nginx_pid() is not None}

    def dead_children(self):
        """Names of the processes we started that have exited."""
        return [n for n, c in self.children.items() if c.poll() is not None]

    def __enter__(self):
        return self.up()

    def __exit__(self, *exc):
        self.down(quiet=exc[0] is not None)


def wait_until(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)


def stop_all(root):
    """Stop every stack found directly under root (a test run's tmp dir)."""
    failed = 0
    if not os.path.isdir(root):
        return 0
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if os.path.isfile(os.path.join(d, "stack.json")):
            try:
                Stack(d).down()
            except Exception as e:
                print("stack: %s: %s" % (d, e), file=sys.stderr)
                failed += 1
    return failed


DEMO_LOGINS = (
    ("admin", "admin-pass-123", "administrator"),
    ("alice", "alice-pass-123", "member of private-proj (contributor)"),
    ("bob", "bob-pass-123", "no memberships"),
    ("locked", "locked-pass-123", "locked: refused"),
    ("mustchange", "mustchange-pass-123", "must change password: Basic "
     "login is 403, the key works"),
    ("registered", "registered-pass-123", "registered, not active: refused"),
)


def banner(s):
    """The demo logins and curl commands to paste, for deploy/dev/run."""
    url = s.base_url
    r = s.admin("key", "show", "alice", check=False)
    keys = re.findall(r"\b[0-9a-f]{40}\b", r.stdout)
    key = keys[-1] if keys else "ALICE_KEY"
    out = ["", "latchkey is up on %s" % url, "", "Demo logins:"]
    out += ["  %-11s %-20s %s" % row for row in DEMO_LOGINS]
    out += [
        "",
        "Try (alice's API key, from `deploy/dev/run admin key show alice`):",
        "  curl -u alice:alice-pass-123 %s/users/current.json" % url,
        "  curl '%s/users/current.xml?key=%s'" % (url, key),
        "  curl -H 'X-Redmine-API-Key: %s' %s/users/current.json" % (key, url),
        "  curl -u %s:X %s/users/current.json" % (key, url),
        "  curl -i %s/users/current.json     # 401 with the challenge" % url,
        "",
        "Logs: %s" % s.log_dir,
    ]
    if r.returncode != 0:
        out.insert(-1, "(latchkey key show alice failed: %s)" %
                   (r.stderr.strip() or r.returncode))
    return "\n".join(out)


def main(argv):
    ap = argparse.ArgumentParser(prog="stack.py", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("up", "run", "stop", "stop-all",
                                        "status", "admin"))
    ap.add_argument("dir")
    ap.add_argument("--port", type=int, help="nginx port (default: free)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a latchkeyd.conf key (repeatable)")
    ap.add_argument("--demo", help="data set to load the first time")
    ap.add_argument("--build", help="build directory (default: build, or "
                    "$LK_BUILD)")
    ap.add_argument("--fast", action="store_true",
                    help="throwaway cluster: fsync off")
    ap.add_argument("--banner", action="store_true",
                    help="print the demo logins and curl commands when up")
    if argv[:1] == ["admin"]:
        # Everything after DIR belongs to the admin tool, options included.
        if len(argv) < 2:
            ap.error("admin needs DIR")
        s = Stack(argv[1])
        # exec: the tool gets our terminal, for its password prompts.
        os.execv(s.admin_bin(), [s.admin_bin(), "-c", s.conf_file] +
                 argv[2:])
    a = ap.parse_args(argv)

    if a.command == "stop-all":
        return 1 if stop_all(a.dir) else 0
    conf = {}
    for kv in a.set:
        k, sep, v = kv.partition("=")
        if not sep:
            ap.error("--set wants KEY=VALUE, got %r" % kv)
        conf[k.strip()] = v.strip()
    s = Stack(a.dir, http_port=a.port, conf=conf, fast=a.fast, build=a.build,
              demo=a.demo)
    try:
        if a.command == "status":
            st = s.status()
            for k, v in st.items():
                print("%-10s %s" % (k, "running" if v else "stopped"))
            return 0 if all(st.values()) else 3
        if a.command == "stop":
            s.down()
            return 0
        if a.command == "up":
            st = s.status()
            if all(st.values()) and s.wait_ready(timeout=5):
                print("stack: already running on %s" % s.base_url)
                if a.banner:
                    print(banner(s))
                return 0
            s.up()
            print("stack: up on %s" % s.base_url)
            if a.banner:
                print(banner(s))
            return 0
        # run: in the foreground until a signal or a part dies.
        if all(s.status().values()):
            print("stack: already running on %s (detached); stop it first "
                  "(stack.py stop %s, or deploy/dev/run stop)" % (
                      s.base_url, s.dir))
            return 0
        stop = []
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda n, f: stop.append(n))
        s.up()
        print("stack: up on %s (Ctrl-C stops it)" % s.base_url)
        if a.banner:
            print(banner(s))
        sys.stdout.flush()
        while not stop:
            dead = s.dead_children()
            if dead:
                print("stack: %s exited; stopping the rest" % ", ".join(dead),
                      file=sys.stderr)
                for n in dead:
                    log = s.latchkeyd_log if n == "latchkeyd" else \
                        s.nginx_error_log
                    print(tail(log, 15), file=sys.stderr)
                s.down(quiet=True)
                return 1
            time.sleep(0.5)  # a signal ends the wait early
        print("\nstack: stopping", file=sys.stderr)
        s.down()
        return 0
    except StackError as e:
        print("stack: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
