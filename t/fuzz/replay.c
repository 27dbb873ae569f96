/*
 * replay.c: feed files to a libFuzzer entry point without libFuzzer, so
 * every test run replays the committed corpora with any compiler.
 *
 * usage: replay_fuzz_X PATH...
 * Each PATH is a file, or a directory whose files (not subdirectories, not
 * dot files) are replayed in name order. Prints TAP: one line per file.
 * A failed invariant aborts inside the target, which fails the test.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounds the files we read: corpora are small, this is a harness. */
#define REPLAY_FILE_MAX (16 * 1024 * 1024)

static int replay_count, replay_failed;

static void
replay_file(const char *path)
{
	FILE *f;
	struct stat st;
	uint8_t *buf = NULL;
	size_t len;

	replay_count++;
	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1 ||
	    st.st_size < 0 || st.st_size > REPLAY_FILE_MAX) {
		printf("not ok %d - %s: %s\n", replay_count, path,
		    f == NULL ? strerror(errno) : "cannot read");
		replay_failed++;
		goto out;
	}
	len = (size_t)st.st_size;
	/* Exactly len bytes, so ASan sees any read past the input. */
	if ((buf = malloc(len > 0 ? len : 1)) == NULL ||
	    fread(buf, 1, len, f) != len) {
		printf("not ok %d - %s: short read\n", replay_count, path);
		replay_failed++;
		goto out;
	}
	fflush(stdout);
	(void)LLVMFuzzerTestOneInput(buf, len);
	printf("ok %d - %s\n", replay_count, path);
out:
	free(buf);
	if (f != NULL)
		fclose(f);
}

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
replay_dir(const char *path)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **names = NULL, **tmp, *p;
	size_t n = 0, cap = 0, i;

	if ((d = opendir(path)) == NULL) {
		printf("not ok %d - %s: %s\n", ++replay_count, path,
		    strerror(errno));
		replay_failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((tmp = realloc(names, cap * sizeof(*names))) ==
			    NULL)
				abort();
			names = tmp;
		}
		if ((p = malloc(strlen(path) + strlen(de->d_name) + 2)) == NULL)
			abort();
		sprintf(p, "%s/%s", path, de->d_name);
		names[n++] = p;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), replay_cmp);
	for (i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			replay_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char *argv[])
{
	struct stat st;
	int i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	printf("1..%d\n", replay_count);
	return replay_failed > 0 ? 1 : 0;
}
