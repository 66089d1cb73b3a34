// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_args: see pvgpu_bench_args.h.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"

/* getopt_long's value for the option of index @i that has no letter. */
#define LONG_ONLY(i) (256 + (int)(i))
#define MAX_LONG_OPTS 16

int pvgpu_bench_args(int argc, char **argv, const struct pvgpu_bench_opt *opts,
		     size_t n_opts, const char **node,
		     void (*usage)(const char *argv0, FILE *f))
{
	struct option longopts[MAX_LONG_OPTS + 1] = { { 0 } };
	char optstring[64];
	size_t i, len = 0, n_long = 0;
	int c;

	for (i = 0; i < n_opts; i++) {
		if (opts[i].letter && len + 6 <= sizeof(optstring)) {
			optstring[len++] = opts[i].letter;
			if (!opts[i].flag)
				optstring[len++] = ':';
		}
		if (opts[i].name && n_long < MAX_LONG_OPTS)
			longopts[n_long++] = (struct option){
				.name = opts[i].name,
				.has_arg = opts[i].flag ? no_argument :
							  required_argument,
				.val = opts[i].letter ? opts[i].letter :
							LONG_ONLY(i),
			};
	}
	strcpy(optstring + len, "d:h");

	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		for (i = 0; i < n_opts && (opts[i].letter ? opts[i].letter :
					   LONG_ONLY(i)) != c; i++)
			;
		if (i < n_opts && opts[i].flag) {
			*opts[i].flag = 1;
		} else if (i < n_opts && opts[i].str) {
			*opts[i].str = optarg;
		} else if (i < n_opts) {
			*opts[i].value = strtol(optarg, NULL, 0);
		} else if (c == 'd') {
			*node = optarg;
		} else if (c == 'h') {
			usage(argv[0], stdout);
			return 0;
		} else {
			usage(argv[0], stderr);
			return 2;
		}
	}
	return -1;
}

int pvgpu_bench_open_render(const char *node, char *path, size_t path_len)
{
	int fd = node ? pvgpu_open_sibling(node, PVGPU_NODE_RENDER, 0, path,
					   path_len) :
			pvgpu_open_node(PVGPU_NODE_RENDER, 0, path, path_len);

	if (fd < 0)
		fprintf(stderr, "no pvgpu device%s%s: %s\n", node ? " at " : "",
			node ? node : "", strerror(-fd));
	return fd;
}
