/*
 * master.c: latchkeyd's master process, after nginx's.
 *
 * It makes the listening socket, forks the workers and then only
 * supervises. Signal handlers set flags; the loop sleeps in sigsuspend and
 * does the work. It never connects to PostgreSQL (forking with a libpq
 * connection open is unsafe): each worker connects after fork.
 *
 *   SIGHUP          reload: read the config anew (a bad one keeps the old,
 *                   with the reason logged), start a new generation of
 *                   workers, then tell the old one to finish and exit
 *   SIGTERM SIGINT  graceful stop: workers finish the request in hand;
 *                   stragglers are killed after graceful_timeout
 *   SIGQUIT         immediate stop
 *   SIGCHLD         respawn: at once after a worker that ran a while (or
 *                   recycled itself after max_requests), with a growing
 *                   delay after one that died young; never after exit 2
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "gate.h"
#include "log.h"
#include "master.h"
#include "throttle.h"
#include "worker.h"

#define MAX_WORKERS 512 /* both generations during a reload */

struct slot {
	pid_t pid;
	unsigned generation;
	long long started; /* ms, monotonic */
};

static volatile sig_atomic_t got_chld, got_hup, got_term, got_quit, got_alarm;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGCHLD:
		got_chld = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGTERM:
	case SIGINT:
		got_term = 1;
		break;
	case SIGQUIT:
		got_quit = 1;
		break;
	case SIGALRM:
		got_alarm = 1;
		break;
	}
}

struct master {
	const char *conf_path;
	struct app app;
	int fd;
	unsigned generation;
	struct slot slots[MAX_WORKERS];
	unsigned failures;    /* workers in a row that died young */
	long long respawn_at; /* ms: no spawning before this */
	bool fatal;           /* a worker exited 2 */
	bool stopping;
	long long deadline; /* ms: of a graceful stop */
	bool socket_is_path;
};

/* Milliseconds of the monotonic clock: "died within a second of
 * starting" needs more than whole seconds. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wake sigsuspend with SIGALRM in ms milliseconds (at least 1). */
static void
wake_in(long long ms)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	if (ms < 1)
		ms = 1;
	it.it_value.tv_sec = (time_t)(ms / 1000);
	it.it_value.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static int
open_unix(const struct lk_config *cfg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(cfg->listen) >= sizeof(sun.sun_path)) {
		log_event(LK_LOG_ERROR, "listen_failed", "listen", cfg->listen,
		    "error", "socket path too long", (char *)NULL);
		return -1;
	}
	strcpy(sun.sun_path, cfg->listen);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* Remove a socket left by a crash, but never a live one, and never
	 * anything that is not a socket (FCGX_OpenSocket unlinks blindly). */
	if (lstat(cfg->listen, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_event(LK_LOG_ERROR, "listen_failed", "listen",
			    cfg->listen, "error", "exists and is not a socket",
			    (char *)NULL);
			goto fail;
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			log_event(LK_LOG_ERROR, "listen_failed", "listen",
			    cfg->listen, "error", "another latchkeyd serves it",
			    (char *)NULL);
			goto fail;
		}
		unlink(cfg->listen);
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		goto syserr;
	if (chmod(cfg->listen, cfg->socket_mode) != 0)
		goto syserr;
	if (cfg->socket_group[0] != '\0') {
		struct group *gr = getgrnam(cfg->socket_group);

		if (gr == NULL ||
		    chown(cfg->listen, (uid_t)-1, gr->gr_gid) != 0) {
			log_event(LK_LOG_ERROR, "listen_failed", "listen",
			    cfg->listen, "error", "cannot give it socket_group",
			    "group", cfg->socket_group, (char *)NULL);
			goto fail;
		}
	}
	return fd;
syserr:
	log_event(LK_LOG_ERROR, "listen_failed", "listen", cfg->listen, "error",
	    strerror(errno), (char *)NULL);
fail:
	close(fd);
	return -1;
}

static int
open_tcp(const struct lk_config *cfg)
{
	char host[LK_PATH_MAX];
	char *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV },
			*ai;
	int fd, one = 1, rc;

	snprintf(host, sizeof(host), "%s", cfg->listen);
	if ((colon = strrchr(host, ':')) == NULL) {
		log_event(LK_LOG_ERROR, "listen_failed", "listen", cfg->listen,
		    "error", "neither a socket path nor HOST:PORT",
		    (char *)NULL);
		return -1;
	}
	*colon = '\0';
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		log_event(LK_LOG_ERROR, "listen_failed", "listen", cfg->listen,
		    "error", gai_strerror(rc), (char *)NULL);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		log_event(LK_LOG_ERROR, "listen_failed", "listen", cfg->listen,
		    "error", strerror(errno), (char *)NULL);
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
open_socket(struct master *m)
{
	const struct lk_config *cfg = &m->app.cfg;
	int fd;

	m->socket_is_path = cfg->listen[0] == '/';
	fd = m->socket_is_path ? open_unix(cfg) : open_tcp(cfg);
	if (fd < 0)
		return -1;
	/* Non-blocking: every worker polls it, one accept wins. */
	if (listen(fd, 511) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		log_event(LK_LOG_ERROR, "listen_failed", "listen", cfg->listen,
		    "error", strerror(errno), (char *)NULL);
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_pid_file(const char *path)
{
	char buf[32];
	FILE *f;
	long pid;

	if (path[0] == '\0')
		return 0;
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%ld", &pid) == 1 && pid > 0 &&
		    pid != (long)getpid() && kill((pid_t)pid, 0) == 0) {
			fclose(f);
			snprintf(buf, sizeof(buf), "%ld", pid);
			log_event(LK_LOG_ERROR, "already_running", "pid_file",
			    path, "pid", buf, (char *)NULL);
			return -1;
		}
		fclose(f);
	}
	if ((f = fopen(path, "w")) == NULL ||
	    fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		log_event(LK_LOG_ERROR, "pid_file_failed", "pid_file", path,
		    "error", strerror(errno), (char *)NULL);
		return -1;
	}
	return 0;
}

static int
drop_privileges(const struct lk_config *cfg)
{
	struct passwd *pw;

	if (geteuid() != 0 || cfg->user[0] == '\0')
		return 0;
	if ((pw = getpwnam(cfg->user)) == NULL) {
		log_event(LK_LOG_ERROR, "no_such_user", "user", cfg->user,
		    (char *)NULL);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		log_event(LK_LOG_ERROR, "setuid_failed", "user", cfg->user,
		    "error", strerror(errno), (char *)NULL);
		return -1;
	}
	return 0;
}

static void
spawn(struct master *m)
{
	struct slot *s = NULL;
	sigset_t none;
	pid_t pid;
	size_t i;

	for (i = 0; i < MAX_WORKERS && s == NULL; i++)
		if (m->slots[i].pid == 0)
			s = &m->slots[i];
	if (s == NULL)
		return;
	pid = fork();
	if (pid < 0) {
		log_event(LK_LOG_ERROR, "fork_failed", "error", strerror(errno),
		    (char *)NULL);
		return;
	}
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		log_set_tag("latchkeyd-worker");
		/* worker_run blocks SIGTERM again before it lets it in. */
		sigemptyset(&none);
		sigaddset(&none, SIGTERM);
		sigaddset(&none, SIGINT);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(worker_run(&m->app, m->fd));
	}
	s->pid = pid;
	s->generation = m->generation;
	s->started = now_ms();
}

static unsigned
live(const struct master *m, bool current_only)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (m->slots[i].pid != 0 &&
		    (!current_only || m->slots[i].generation == m->generation))
			n++;
	return n;
}

static void
signal_workers(struct master *m, int sig, bool old_only)
{
	size_t i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (m->slots[i].pid != 0 &&
		    (!old_only || m->slots[i].generation != m->generation))
			kill(m->slots[i].pid, sig);
}

static void
reap(struct master *m)
{
	int status;
	pid_t pid;
	size_t i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		char spid[16], code[16];
		struct slot *s = NULL;

		for (i = 0; i < MAX_WORKERS && s == NULL; i++)
			if (m->slots[i].pid == pid)
				s = &m->slots[i];
		if (s == NULL)
			continue;
		snprintf(spid, sizeof(spid), "%ld", (long)pid);
		s->pid = 0;
		if (s->generation != m->generation || m->stopping)
			continue; /* retired as asked */
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			m->failures = 0; /* recycled after max_requests */
			continue;
		}
		if (WIFEXITED(status) &&
		    WEXITSTATUS(status) == WORKER_EXIT_FATAL) {
			m->fatal = true;
			log_event(LK_LOG_ERROR, "worker_fatal", "pid", spid,
			    (char *)NULL);
			continue;
		}
		snprintf(code, sizeof(code), "%d",
		    WIFEXITED(status) ? WEXITSTATUS(status)
				      : 128 + WTERMSIG(status));
		log_event(LK_LOG_WARN, "worker_died", "pid", spid, "status",
		    code, (char *)NULL);
		if (now_ms() - s->started < 1000) {
			/* Died young: wait 1, 2, 4 ... 32 s before the next. */
			long long delay =
			    1000LL << (m->failures < 5 ? m->failures : 5);

			m->failures++;
			m->respawn_at = now_ms() + delay;
		} else {
			m->failures = 0;
		}
	}
}

/* Keys that only a restart can change: keep the old value, say so. */
static void
keep_restart_keys(const struct lk_config *old, struct lk_config *new)
{
#define KEEP(field)                                                            \
	if (strcmp(old->field, new->field) != 0) {                             \
		log_event(LK_LOG_WARN, "reload_needs_restart", "key", #field,  \
		    (char *)NULL);                                             \
		memcpy(new->field, old->field, sizeof(new->field));            \
	}
	KEEP(listen)
	KEEP(socket_group)
	KEEP(user)
	KEEP(secret_file)
	KEEP(pid_file)
#undef KEEP
	if (old->password_concurrency != new->password_concurrency) {
		log_event(LK_LOG_WARN, "reload_needs_restart", "key",
		    "password_concurrency", (char *)NULL);
		new->password_concurrency = old->password_concurrency;
	}
	if (old->socket_mode != new->socket_mode) {
		log_event(LK_LOG_WARN, "reload_needs_restart", "key",
		    "socket_mode", (char *)NULL);
		new->socket_mode = old->socket_mode;
	}
}

static void
reload(struct master *m)
{
	struct lk_config cfg;
	struct lk_password_cost cost;
	char err[512];
	struct lk_resolver r;

	lk_config_defaults(&cfg);
	if (config_load(m->conf_path, &cfg, err, sizeof(err)) != 0) {
		log_event(LK_LOG_ERROR, "reload_failed", "error", err, "action",
		    "keeping the running configuration", (char *)NULL);
		return;
	}
	keep_restart_keys(&m->app.cfg, &cfg);
	cost.opslimit = cfg.password_opslimit;
	cost.memlimit = (size_t)cfg.password_memlimit;
	if (lk_resolver_init(&r, &m->app.keys, &m->app.store, &cost) != LK_OK) {
		log_event(LK_LOG_ERROR, "reload_failed", "error",
		    "password cost unusable", "action",
		    "keeping the running configuration", (char *)NULL);
		return;
	}
	m->app.cfg = cfg;
	m->app.resolver = r;
	log_set_level(cfg.log_level);
	/* The new generation first, then the old one is told to finish. */
	m->generation++;
	m->failures = 0;
	m->respawn_at = 0;
	while (
	    live(m, true) < m->app.cfg.workers && live(m, false) < MAX_WORKERS)
		spawn(m);
	signal_workers(m, SIGTERM, true);
	log_event(LK_LOG_INFO, "reloaded", (char *)NULL);
}

static void
cleanup(struct master *m)
{
	if (m->socket_is_path)
		unlink(m->app.cfg.listen);
	if (m->app.cfg.pid_file[0] != '\0')
		unlink(m->app.cfg.pid_file);
	close(m->fd);
	gate_destroy(m->app.gate_id);
	m->app.gate_id = -1;
	throttle_destroy(m->app.throttle);
	m->app.throttle = NULL;
}

int
master_run(const char *conf_path, const struct lk_config *cfg)
{
	static struct master m; /* large: keep it off the stack */
	struct sigaction sa;
	sigset_t all, none;
	const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT,
		SIGALRM };
	size_t i;
	char n[16];

	m.conf_path = conf_path;
	log_set_level(cfg->log_level);
	if (app_init(&m.app, cfg) != 0)
		return 1;
	/* Signals wait until sigsuspend lets them in. */
	sigemptyset(&all);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&all, sigs[i]);
	sigprocmask(SIG_BLOCK, &all, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((m.fd = open_socket(&m)) < 0)
		return 1;
	m.app.gate_id = gate_create(m.app.cfg.password_concurrency);
	m.app.throttle = throttle_create();
	if (m.app.gate_id < 0 || m.app.throttle == NULL || cache_share() != 0) {
		log_event(LK_LOG_ERROR, "shared_state_failed", "error",
		    strerror(errno), (char *)NULL);
		cleanup(&m);
		return 1;
	}
	if (write_pid_file(m.app.cfg.pid_file) != 0 ||
	    drop_privileges(&m.app.cfg) != 0) {
		cleanup(&m);
		return 1;
	}
	snprintf(n, sizeof(n), "%u", m.app.cfg.workers);
	log_event(LK_LOG_INFO, "start", "listen", m.app.cfg.listen, "workers",
	    n, (char *)NULL);
	sigemptyset(&none);
	for (;;) {
		long long t = now_ms();

		if (!m.stopping && !m.fatal && t >= m.respawn_at)
			while (live(&m, true) < m.app.cfg.workers &&
			       live(&m, false) < MAX_WORKERS)
				spawn(&m);
		if (m.fatal && live(&m, true) == 0 && !m.stopping) {
			log_event(LK_LOG_ERROR, "stop", "reason",
			    "workers cannot start", (char *)NULL);
			cleanup(&m);
			return WORKER_EXIT_FATAL;
		}
		if (m.stopping && live(&m, false) == 0)
			break;
		if (m.stopping && t >= m.deadline) {
			log_event(LK_LOG_WARN, "stop_deadline", "action",
			    "killing stragglers", (char *)NULL);
			signal_workers(&m, SIGKILL, false);
		}
		if (m.stopping)
			wake_in(m.deadline - t < 1000 ? m.deadline - t : 1000);
		else if (t < m.respawn_at)
			wake_in(m.respawn_at - t);
		sigsuspend(&none);
		got_alarm = 0;
		if (got_chld) {
			got_chld = 0;
			reap(&m);
		}
		if (got_quit) {
			signal_workers(&m, SIGKILL, false);
			log_event(LK_LOG_INFO, "stop", "mode", "immediate",
			    (char *)NULL);
			cleanup(&m);
			return 0;
		}
		if (got_term && !m.stopping) {
			got_term = 0;
			m.stopping = true;
			m.deadline =
			    now_ms() +
			    (long long)m.app.cfg.graceful_timeout * 1000;
			signal_workers(&m, SIGTERM, false);
			log_event(LK_LOG_INFO, "stopping", (char *)NULL);
		}
		if (got_hup) {
			got_hup = 0;
			if (!m.stopping)
				reload(&m);
		}
	}
	log_event(LK_LOG_INFO, "stop", "mode", "graceful", (char *)NULL);
	cleanup(&m);
	app_free(&m.app);
	return 0;
}
