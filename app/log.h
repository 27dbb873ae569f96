/*
 * log.h: one line per event on stderr, key=value fields, values quoted and
 * escaped so a hostile login cannot forge a line. Never pass a key, a
 * password or an Authorization value: nothing here can tell them apart.
 */
#ifndef LOG_H
#define LOG_H

#include "lk_parse.h"

void log_set_level(enum lk_log_level level);
void log_set_tag(const char *tag); /* "master", "worker", "latchkey" */

/* log_event(LK_LOG_INFO, "start", "workers", "4", (char *)NULL):
 * the rest are pairs of field name and value (NULL value: omitted). */
void log_event(enum lk_log_level level, const char *event, ...)
    __attribute__((sentinel));

#endif
