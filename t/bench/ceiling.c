/*
 * ceiling.c: the fastest FastCGI responder latchkeyd could be, for
 * t/bench/run's first row. Not part of latchkey.
 *
 * It serves the way latchkeyd does (app/master.c, app/worker.c): the
 * master binds and listens on a unix socket itself (never
 * FCGX_OpenSocket), makes it non-blocking, forks N workers that each
 * ppoll the socket with SIGTERM let in and FCGX_Accept_r with it blocked,
 * and answers every request with the same small JSON body and the head
 * latchkeyd writes. No database, no credentials: what is left is libfcgi,
 * nginx and the kernel, the ceiling any real answer stays under.
 *
 *     cc -O2 -o ceiling t/bench/ceiling.c $(pkg-config --cflags --libs fcgi)
 *     ceiling SOCKET WORKERS
 *
 * SIGTERM or SIGINT to the master stops the workers and removes the socket;
 * so does a worker that exits, with status 1.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 256

/* About the size of latchkeyd's /users/current.json answer. */
static const char body[] =
    "{\"user\":{\"id\":4242,\"login\":\"bench04242\",\"admin\":false,"
    "\"firstname\":\"Bench\",\"lastname\":\"User 4242\","
    "\"mail\":\"bench04242@example.net\","
    "\"created_on\":\"2026-01-01T00:00:00Z\","
    "\"updated_on\":\"2026-01-01T00:00:00Z\","
    "\"last_login_on\":null,\"passwd_changed_on\":null,\"status\":1}}";

static volatile sig_atomic_t stop, child_died;

static void
on_term(int sig)
{
	if (sig == SIGCHLD)
		child_died = 1;
	stop = 1;
}

/* Bind, listen and go non-blocking, as app/master.c does; -1 on error. */
static int
open_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ceiling: %s: path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		goto fail;
	unlink(path); /* ours, in the bench's own directory */
	/* nginx's workers (www-data) must reach it; the directory is ours. */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(path, 0666) != 0 || listen(fd, 511) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
		goto fail;
	return fd;
fail:
	fprintf(stderr, "ceiling: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void
answer(FCGX_Request *fr)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head),
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n\r\n",
	    sizeof(body) - 1);
	FCGX_PutStr(head, n, fr->out);
	FCGX_PutStr(body, (int)sizeof(body) - 1, fr->out);
}

/* app/worker.c's loop, without the app. */
static int
worker(int fd)
{
	struct sigaction sa;
	sigset_t serving, waiting;
	struct pollfd pfd = { fd, POLLIN, 0 };
	FCGX_Request fr;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&serving);
	sigaddset(&serving, SIGTERM);
	sigaddset(&serving, SIGINT);
	sigprocmask(SIG_BLOCK, &serving, &waiting);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGINT);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, fd, 0) != 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	while (!stop) {
		int rc;

		pfd.fd = fr.ipcFd >= 0 ? fr.ipcFd : fd;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &waiting) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		rc = FCGX_Accept_r(&fr);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR)
			continue; /* another worker took it */
		if (rc < 0)
			return 1;
		answer(&fr);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t term, none;
	pid_t pids[MAX_WORKERS];
	long n;
	int fd, i, status, rc = 0;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) < 1 ||
	    n > MAX_WORKERS) {
		fprintf(stderr, "usage: ceiling SOCKET WORKERS (1 to %d)\n",
		    MAX_WORKERS);
		return 2;
	}
	/* Signals wait for sigsuspend; the workers inherit the mask and
	 * their loop lets SIGTERM in only inside ppoll. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGCHLD);
	sigprocmask(SIG_BLOCK, &term, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	if ((fd = open_socket(argv[1])) < 0)
		return 1;
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) < 0) {
			perror("ceiling: fork");
			n = i;
			stop = 1;
			rc = 1;
			break;
		}
		if (pids[i] == 0) {
			signal(SIGCHLD, SIG_DFL);
			_exit(worker(fd));
		}
	}
	sigemptyset(&none);
	while (!stop)
		sigsuspend(&none);
	if (child_died)
		rc = 1;
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			rc = 1;
	unlink(argv[1]);
	close(fd);
	return rc;
}
