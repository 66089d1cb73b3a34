/* SPDX-License-Identifier: MIT */
/*
 * pvgpu_bench_args: the command line every benchmark shares (numeric
 * options, -d NODE, -h, long options such as --json FILE) and the render
 * node it opens.
 */
#ifndef PVGPU_BENCH_ARGS_H
#define PVGPU_BENCH_ARGS_H

#include <stddef.h>
#include <stdio.h>

/*
 * An option: -<letter> N stores N into *value. One with a @name is also
 * --<name> (@letter 0: only that), and may instead store its argument
 * into *@str, or, with @flag, take none and set *@flag to 1.
 */
struct pvgpu_bench_opt {
	char letter;
	long *value;
	const char *name;
	const char **str;
	int *flag;
};

/*
 * Parses @argv: the @n_opts options of @opts, -d NODE into *@node, -h.
 * Returns -1 when the benchmark should go on, otherwise the exit code
 * (0 after -h, 2 for an unknown option), @usage having been printed.
 */
int pvgpu_bench_args(int argc, char **argv, const struct pvgpu_bench_opt *opts,
		     size_t n_opts, const char **node,
		     void (*usage)(const char *argv0, FILE *f));

/*
 * The render node of the pvgpu device @node names (any of its nodes), or of
 * the first pvgpu device if @node is NULL; its path into @path. Prints why
 * on stderr and returns -errno when there is none.
 */
int pvgpu_bench_open_render(const char *node, char *path, size_t path_len);

#endif /* PVGPU_BENCH_ARGS_H */
