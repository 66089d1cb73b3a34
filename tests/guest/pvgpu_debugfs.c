// SPDX-License-Identifier: MIT
/*
 * pvgpu_debugfs: the driver's firmware debugfs files (fw_log, fw_channel,
 * fw_caps under /sys/kernel/debug/dri/<minor>/) exist, read to EOF without
 * error, and the firmware log has its boot line (firmware-model/boot.c logs
 * "firmware X.Y.Z, interface A.B (driver C.D), boot N" when it starts).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igt_lite.h"
#include "libpvgpu.h"

/* Reads a whole file with reads of @chunk bytes; returns it NUL-terminated. */
static char *read_all(const char *path, size_t chunk, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	int fd;

	igt_assert(buf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	igt_assert_f(fd >= 0, "cannot open %s\n", path);
	for (;;) {
		ssize_t r;

		if (cap - n < chunk) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			igt_assert(buf);
		}
		r = read(fd, buf + n, chunk);
		igt_assert_f(r >= 0, "read of %s failed after %zu bytes\n", path, n);
		if (r == 0)
			break;
		n += r;
		igt_assert_f(n < (64u << 20), "%s: more than 64 MiB, no EOF?\n", path);
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static char *read_fw_file(const char *name, size_t chunk, size_t *len)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	igt_assert_f(access(path, R_OK) == 0, "%s missing or unreadable\n", path);
	return read_all(path, chunk, len);
}

static void check_readable(const char *name)
{
	size_t len;
	char *text = read_fw_file(name, 4096, &len);

	igt_info("%s: %zu bytes\n", name, len);
	igt_assert_f(len > 0, "%s is empty\n", name);
	free(text);
}

static void test_fw_log(void)
{
	check_readable("fw_log");
}

static void test_fw_channel(void)
{
	check_readable("fw_channel");
}

static void test_fw_caps(void)
{
	check_readable("fw_caps");
}

/* fw_caps does not change: byte-sized reads must give the same text. */
static void test_fw_caps_small_reads(void)
{
	size_t a_len, b_len;
	char *a = read_fw_file("fw_caps", 4096, &a_len);
	char *b = read_fw_file("fw_caps", 1, &b_len);

	igt_assert_eq(a_len, b_len);
	igt_assert(!memcmp(a, b, a_len));
	free(a);
	free(b);
}

static void test_fw_log_boot(void)
{
	size_t len;
	char *log = read_fw_file("fw_log", 4096, &len);
	bool found = false;

	for (char *line = strtok(log, "\n"); line && !found; line = strtok(NULL, "\n"))
		if (strcasestr(line, "firmware") && strcasestr(line, "boot")) {
			igt_info("boot line: %s\n", line);
			found = true;
		}
	igt_assert_f(found, "no line with \"firmware\" and \"boot\" in %zu bytes of fw_log\n",
		     len);
	free(log);
}

static const struct igt_lite_subtest subtests[] = {
	{ "fw-log", test_fw_log, "fw_log exists, reads to EOF, is not empty" },
	{ "fw-channel", test_fw_channel, "fw_channel exists, reads to EOF, is not empty" },
	{ "fw-caps", test_fw_caps, "fw_caps exists, reads to EOF, is not empty" },
	{ "fw-caps-small-reads", test_fw_caps_small_reads,
	  "fw_caps read one byte at a time equals fw_caps read at once" },
	{ "fw-log-boot", test_fw_log_boot, "the firmware log has a boot line" },
};

IGT_LITE_MAIN("pvgpu: firmware debugfs files", subtests)
