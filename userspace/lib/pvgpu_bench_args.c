// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_args: see pvgpu_bench_args.h.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"

int pvgpu_bench_args(int argc, char **argv, const struct pvgpu_bench_opt *opts,
		     size_t n_opts, const char **node,
		     void (*usage)(const char *argv0, FILE *f))
{
	char optstring[64];
	size_t i, len = 0;
	int c;

	for (i = 0; i < n_opts && len + 6 <= sizeof(optstring); i++) {
		optstring[len++] = opts[i].letter;
		optstring[len++] = ':';
	}
	strcpy(optstring + len, "d:h");

	while ((c = getopt(argc, argv, optstring)) != -1) {
		for (i = 0; i < n_opts && opts[i].letter != c; i++)
			;
		if (i < n_opts) {
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
