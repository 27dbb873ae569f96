/*
 * worker.c: the FastCGI accept loop; the only file that knows libfcgi.
 *
 * libfcgi does not retry reads or writes interrupted by a signal, so a
 * signal landing mid-request would lose the body. SIGTERM is therefore
 * blocked while serving and let in only while waiting for a connection,
 * atomically, by ppoll (kcgi's pattern, without its window between the
 * check and the wait). The listening socket is non-blocking: all workers
 * wake on a connection, one accept wins, the others see EAGAIN and wait
 * again.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "worker.h"

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *
status_text(int status)
{
	static const struct {
		int code;
		const char *text;
	} texts[] = {
		{ 200, "OK" },
		{ 201, "Created" },
		{ 204, "No Content" },
		{ 303, "See Other" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" },
		{ 412, "Precondition Failed" },
		{ 413, "Payload Too Large" },
		{ 414, "URI Too Long" },
		{ 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Entity" },
		{ 502, "Bad Gateway" },
		{ 429, "Too Many Requests" },
		{ 503, "Service Unavailable" },
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].code == status)
			return texts[i].text;
	return "Error";
}

/* Parameter names are HTTP_X_REDMINE_API_KEY etc.; value after '='. */
static const char *
param_value(const char *env, const char *name)
{
	size_t n = strlen(name);

	return strncmp(env, name, n) == 0 && env[n] == '=' ? env + n + 1 : NULL;
}

/* Fill req from the FastCGI parameters, scanned once: a header that
 * arrives twice (nginx passes repeated headers as repeated parameters)
 * must be seen, which FCGX_GetParam would hide. */
static void
read_params(FCGX_Request *fr, struct request *req)
{
	char **env;
	const char *v;

	memset(req, 0, sizeof(*req));
	req->method = "GET";
	req->path = "/";
	req->query = "";
	req->remote_addr = "-";
	for (env = fr->envp; env != NULL && *env != NULL; env++) {
		const char *e = *env;

		if ((v = param_value(e, "REQUEST_METHOD")) != NULL)
			req->method = v;
		else if ((v = param_value(e, "DOCUMENT_URI")) != NULL)
			req->path = v;
		else if ((v = param_value(e, "QUERY_STRING")) != NULL)
			req->query = v;
		else if ((v = param_value(e, "CONTENT_TYPE")) != NULL)
			req->content_type = v;
		else if ((v = param_value(e, "HTTP_HOST")) != NULL)
			req->host = v;
		else if ((v = param_value(e, "HTTPS")) != NULL)
			req->https = strcasecmp(v, "on") == 0;
		else if ((v = param_value(e, "REMOTE_ADDR")) != NULL)
			req->remote_addr = v;
		else if ((v = param_value(e, "HTTP_COOKIE")) != NULL)
			req->cookie = v;
		else if ((v = param_value(e, "HTTP_AUTHORIZATION")) != NULL) {
			if (req->creds.authorization != NULL)
				req->creds.authorization_repeated = true;
			req->creds.authorization = v;
			req->creds.authorization_len = strlen(v);
		} else if ((v = param_value(e, "HTTP_X_REDMINE_API_KEY")) !=
			   NULL) {
			if (req->creds.api_key != NULL)
				req->creds.api_key_repeated = true;
			req->creds.api_key = v;
			req->creds.api_key_len = strlen(v);
		} else if ((v = param_value(e, "HTTP_X_REDMINE_SWITCH_USER")) !=
			   NULL) {
			if (req->creds.switch_user != NULL)
				req->creds.switch_user_repeated = true;
			req->creds.switch_user = v;
			req->creds.switch_user_len = strlen(v);
		}
	}
	req->query_len = strlen(req->query);
	req->creds.query = req->query;
	req->creds.query_len = req->query_len;
}

/* Read the body, at most max bytes. -1 if it is shorter than announced. */
static int
read_body(FCGX_Request *fr, struct request *req, unsigned long long max,
    struct buf *body)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	unsigned long long want;
	char *end;
	char chunk[8192];

	if (cl == NULL || *cl == '\0')
		return 0;
	errno = 0;
	want = strtoull(cl, &end, 10);
	if (errno != 0 || *end != '\0' || *cl == '-')
		return -1;
	if (want > max) {
		req->body_too_large = true;
		return 0;
	}
	while (body->len < want) {
		size_t n = want - body->len < sizeof(chunk) ? want - body->len
							    : sizeof(chunk);
		int got = FCGX_GetStr(chunk, (int)n, fr->in);

		if (got <= 0)
			return -1;
		buf_append(body, chunk, (size_t)got);
	}
	req->body = body->data;
	req->body_len = body->len;
	return 0;
}

/* libfcgi's FCGX_FPrintF has its own printf that lacks %zu and friends:
 * the head is formatted here and written in one piece. */
static void
write_response(FCGX_Request *fr, const struct response *resp)
{
	struct buf head = { 0 };

	buf_printf(&head, "Status: %d %s\r\n", resp->status,
	    status_text(resp->status));
	if (resp->content_type != NULL)
		buf_printf(&head, "Content-Type: %s\r\n", resp->content_type);
	buf_printf(&head, "Content-Length: %zu\r\n", resp->body.len);
	buf_puts(&head, "Cache-Control: no-store\r\n");
	if (resp->headers.len > 0)
		buf_append(&head, resp->headers.data, resp->headers.len);
	buf_puts(&head, "\r\n");
	FCGX_PutStr(head.data, (int)head.len, fr->out);
	if (!resp->head && resp->body.len > 0)
		FCGX_PutStr(resp->body.data, (int)resp->body.len, fr->out);
	buf_free(&head);
}

static void
serve(struct app *app, FCGX_Request *fr, struct buf *body)
{
	struct request req;
	struct response resp = { 0 };

	read_params(fr, &req);
	if (read_body(fr, &req, app->cfg.max_body, body) != 0)
		resp_text(&resp, 400, "Truncated or malformed request body.\n");
	else
		router_handle(app, &req, &resp);
	write_response(fr, &resp);
	buf_free(&resp.headers);
	buf_free(&resp.body);
	buf_reset(body);
}

int
worker_run(struct app *app, int listen_fd)
{
	struct sigaction sa;
	sigset_t serving, waiting;
	FCGX_Request fr;
	struct buf body = { 0 };
	unsigned long served = 0;
	struct pollfd pfd = { listen_fd, POLLIN, 0 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN); /* the master reloads by replacing us */
	sigemptyset(&serving);
	sigaddset(&serving, SIGTERM);
	sigaddset(&serving, SIGINT);
	sigprocmask(SIG_BLOCK, &serving, &waiting);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGINT);

	app_worker_init(app);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, listen_fd, 0) != 0) {
		log_event(LK_LOG_ERROR, "fcgi_init_failed", (char *)NULL);
		return WORKER_EXIT_FATAL;
	}
	signal(SIGPIPE, SIG_IGN); /* a client gone mid-answer is no crash */
	log_event(LK_LOG_DEBUG, "worker_start", (char *)NULL);
	while (!stop) {
		int rc;

		/* Wait for a connection with SIGTERM let in, atomically.
		 * A connection kept open by the web server (keep-alive)
		 * brings its next request on its own descriptor. */
		pfd.fd = fr.ipcFd >= 0 ? fr.ipcFd : listen_fd;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &waiting) < 0) {
			if (errno == EINTR)
				continue;
			log_event(LK_LOG_ERROR, "poll_failed", "error",
			    strerror(errno), (char *)NULL);
			break;
		}
		rc = FCGX_Accept_r(&fr);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR)
			continue; /* another worker took it */
		if (rc < 0) {
			log_event(LK_LOG_ERROR, "accept_failed", "error",
			    strerror(-rc), (char *)NULL);
			break;
		}
		serve(app, &fr, &body);
		FCGX_Finish_r(&fr);
		if (app->cfg.max_requests > 0 &&
		    ++served >= app->cfg.max_requests)
			break;
	}
	FCGX_Free(&fr, 1);
	buf_free(&body);
	return 0;
}
