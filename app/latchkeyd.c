/*
 * latchkeyd.c: the server's entry point.
 *
 *   latchkeyd -c FILE      run (master and workers, in the foreground)
 *   latchkeyd -t -c FILE   check the configuration file and exit
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "master.h"

#define DEFAULT_CONF "/etc/latchkey/latchkeyd.conf"

static void
usage(FILE *f)
{
	fprintf(f, "usage: latchkeyd [-t] [-c FILE]\n"
		   "  -c FILE  configuration file (default " DEFAULT_CONF ")\n"
		   "  -t       check the configuration and exit\n");
}

int
main(int argc, char *argv[])
{
	const char *conf = DEFAULT_CONF;
	bool check = false;
	struct lk_config cfg;
	char err[512];
	int ch;

	while ((ch = getopt(argc, argv, "c:th")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	lk_config_defaults(&cfg);
	if (config_load(conf, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "latchkeyd: %s\n", err);
		return 1;
	}
	if (check) {
		printf("latchkeyd: %s: configuration ok\n", conf);
		return 0;
	}
	return master_run(conf, &cfg);
}
