/*
 * worker.h: one pre-forked FastCGI worker.
 */
#ifndef WORKER_H
#define WORKER_H

#include "app.h"

/* Exit status that tells the master not to respawn (nginx's convention). */
#define WORKER_EXIT_FATAL 2

/*
 * Serve requests on listen_fd until told to stop (SIGTERM: finish the
 * request in hand, then return) or max_requests were served (0: no limit).
 * Returns the process exit status.
 */
int worker_run(struct app *app, int listen_fd);

#endif
