/*
 * migrations.h: the .sql files of sql/, embedded at build time by
 * sql/embed.cmake.
 */
#ifndef MIGRATIONS_H
#define MIGRATIONS_H

#include <stddef.h>

struct migration {
	const char *name; /* file name without .sql: "001_schema" */
	const char *sql;
};

extern const struct migration migrations[];
extern const size_t migrations_count;

#endif
