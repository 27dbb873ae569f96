/*
 * master.h: the supervising process of latchkeyd.
 */
#ifndef MASTER_H
#define MASTER_H

#include "app.h"

/* Open the socket, fork the workers and supervise them until stopped.
 * Returns the process exit status (0 after a graceful stop). */
int master_run(const char *conf_path, const struct lk_config *cfg);

#endif
