// SPDX-License-Identifier: MIT
/*
 * igt_lite: IGT's test protocol for pvgpu's guest tests. See igt_lite.h and
 * tests/guest/README.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_lite.h"
#include "libpvgpu.h"

#define IGT_LITE_VERSION "igt_lite-pvgpu-1"
#define DEFAULT_SUBTEST_TIMEOUT_S 300
#define MAX_HELPERS 1024
#define MAX_EXIT_HANDLERS 16
#define DEBUGFS "/sys/kernel/debug"

static const char *command_str = "test";
static const char *in_subtest;	/* set in the subtest's process */
static bool in_helper;		/* set in an igt_fork() helper */
static bool verbose;
static bool stderr_sentinel;	/* IGT_SENTINEL_ON_STDERR */
static char *device_filter;	/* --device / IGT_DEVICE */

static pid_t helpers[MAX_HELPERS];
static int num_helpers;

static igt_exit_handler_t exit_handlers[MAX_EXIT_HANDLERS];
static int num_exit_handlers;
static pid_t exit_handlers_pid;	/* the process that installed them */

/* ---- small utilities -------------------------------------------------- */

uint64_t igt_nsec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *igt_errname(int err)
{
	const char *name;

	if (err == 0)
		return "0";
	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	return name ? name : "E?";
}

const char *igt_subtest_name(void)
{
	return in_subtest;
}

const char *igt_test_name(void)
{
	return command_str;
}

void igt_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void igt_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void igt_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

void igt_kmsg(const char *fmt, ...)
{
	char buf[512];
	int fd, n;
	va_list ap;

	n = snprintf(buf, sizeof(buf), "<6>[IGT] ");
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);

	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, buf, strlen(buf)) < 0) {
		/* not root, or no kmsg: the kernel log just lacks the marker */
	}
	close(fd);
}

void igt_emit_ignore_dmesg_regex(const char *regex)
{
	/* igt_runner's resultgen looks for this text in kernel messages. */
	igt_kmsg("add ignored dmesg regex: %s\n", regex);
}

/* ---- exit handlers ---------------------------------------------------- */

void igt_install_exit_handler(igt_exit_handler_t fn)
{
	if (exit_handlers_pid != getpid()) {	/* inherited over fork() */
		num_exit_handlers = 0;
		exit_handlers_pid = getpid();
	}
	igt_assert_f(num_exit_handlers < MAX_EXIT_HANDLERS,
		     "too many exit handlers\n");
	exit_handlers[num_exit_handlers++] = fn;
}

/* Each handler is taken off the list before it runs: one that fails ends
 * up here again and the rest still run. */
static void run_exit_handlers(void)
{
	while (exit_handlers_pid == getpid() && num_exit_handlers > 0)
		exit_handlers[--num_exit_handlers](0);
}

/* ---- failing and skipping --------------------------------------------- */

static IGT_NORETURN void end_process(int code)
{
	fflush(stdout);
	fflush(stderr);
	run_exit_handlers();
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

void __igt_fail_assert(const char *file, int line, const char *func,
		       const char *cond, int err, const char *fmt, ...)
{
	int pid = getpid();
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "(%s:%d) FAIL: %s:%d in %s(): %s\n",
		command_str, pid, file, line, func, cond);
	if (err)
		fprintf(stderr, "(%s:%d) FAIL: errno at failure: %d (%s: %s)\n",
			command_str, pid, err, igt_errname(err), strerror(err));
	if (fmt) {
		fprintf(stderr, "(%s:%d) FAIL: ", command_str, pid);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	if (in_subtest && !in_helper)
		fprintf(stderr, "Subtest %s failed.\n", in_subtest);
	end_process(IGT_EXIT_FAILURE);
}

void __igt_skip_check(const char *file, int line, const char *func,
		      const char *cond, const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	if (cond)
		printf("Test requirement not met in %s() at %s:%d: %s\n",
		       func, file, line, cond);
	else
		printf("Skipping in %s() at %s:%d\n", func, file, line);
	if (fmt) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	end_process(IGT_EXIT_SKIP);
}

/* ---- helper processes ------------------------------------------------- */

pid_t igt_fork(void (*fn)(int idx, void *arg), int idx, void *arg)
{
	pid_t parent = getpid();
	pid_t pid;

	igt_assert_f(num_helpers < MAX_HELPERS, "too many helpers\n");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(IGT_EXIT_FAILURE);
		in_helper = true;
		num_helpers = 0;
		fn(idx, arg);
		end_process(IGT_EXIT_SUCCESS);
	}
	helpers[num_helpers++] = pid;
	return pid;
}

void igt_waitchildren(void)
{
	int failed = 0, skipped = 0, n = num_helpers;

	for (int i = 0; i < n; i++) {
		int status;
		pid_t r;

		do {
			r = waitpid(helpers[i], &status, 0);
		} while (r < 0 && errno == EINTR);
		igt_assert(r == helpers[i]);

		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == IGT_EXIT_SKIP) {
			skipped++;
			continue;
		}
		failed++;
		if (WIFSIGNALED(status))
			fprintf(stderr, "(%s:%d) helper %d (pid %d) died from signal %d (%s)\n",
				command_str, getpid(), i, helpers[i],
				WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			fprintf(stderr, "(%s:%d) helper %d (pid %d) exited with %d\n",
				command_str, getpid(), i, helpers[i],
				WEXITSTATUS(status));
	}
	num_helpers = 0;

	igt_assert_f(failed == 0, "%d of %d helper processes failed\n", failed, n);
	if (n && skipped == n)
		igt_skip("all %d helper processes skipped\n", n);
	igt_assert_f(skipped == 0, "%d of %d helper processes skipped\n", skipped, n);
}

/* ---- pvgpu device ----------------------------------------------------- */

/* The node path a --device/IGT_DEVICE filter names, or NULL. */
static const char *filter_path(char *buf, size_t len)
{
	char *copy, *tok, *save = NULL;
	const char *found = NULL;

	if (!device_filter)
		return NULL;
	copy = strdup(device_filter);
	if (!copy)
		return NULL;
	for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		const char *p = NULL;

		if (!strncmp(tok, "drm:", 4))
			p = tok + 4;
		else if (!strncmp(tok, "sys:", 4))
			p = tok + 4;
		else if (tok[0] == '/')
			p = tok;
		if (p) {
			snprintf(buf, len, "%s", p);
			found = buf;
			break;
		}
		igt_debug("device filter '%s' not understood; scanning /dev/dri\n", tok);
	}
	free(copy);
	return found;
}

static int open_pvgpu(enum pvgpu_node kind, char *path, size_t len)
{
	const char *what = kind == PVGPU_NODE_RENDER ? "render" : "primary";
	const char *force = getenv("IGT_FORCE_DRIVER");
	char fbuf[PATH_MAX], pbuf[PATH_MAX];
	const char *fpath;
	int fd;

	igt_require_f(!force || !*force || !strcmp(force, PVGPU_DRIVER_NAME),
		      "IGT_FORCE_DRIVER=%s: these tests are for %s only\n",
		      force, PVGPU_DRIVER_NAME);

	fpath = filter_path(fbuf, sizeof(fbuf));
	if (fpath) {
		fd = pvgpu_open_sibling(fpath, kind, 0, pbuf, sizeof(pbuf));
		igt_require_f(fd >= 0, "no pvgpu %s node for device %s: %s\n",
			      what, fpath, strerror(-fd));
	} else {
		fd = pvgpu_open_node(kind, 0, pbuf, sizeof(pbuf));
		igt_require_f(fd >= 0, "no pvgpu %s node in /dev/dri: %s\n",
			      what, strerror(-fd));
	}
	igt_debug("opened %s (%s node, fd %d)\n", pbuf, what, fd);
	if (path && len)
		snprintf(path, len, "%s", pbuf);
	return fd;
}

int igt_open_pvgpu_render(char *path, size_t len)
{
	return open_pvgpu(PVGPU_NODE_RENDER, path, len);
}

int igt_open_pvgpu_primary(char *path, size_t len)
{
	return open_pvgpu(PVGPU_NODE_PRIMARY, path, len);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Does the "name" file of DRM debugfs dir @dir name the pvgpu driver? */
static bool debugfs_dir_is_pvgpu(const char *dir)
{
	size_t n = strlen(PVGPU_DRIVER_NAME);
	char path[PATH_MAX], buf[128] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/name", dir);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, PVGPU_DRIVER_NAME, n) &&
	       (isspace((unsigned char)buf[n]) || !buf[n]);
}

void igt_pvgpu_debugfs_dir(char *out, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	int fd, minor;
	DIR *d;

	fd = igt_open_pvgpu_primary(NULL, 0);
	minor = pvgpu_node_minor(fd);
	close(fd);
	igt_assert(minor >= 0);

	if (!is_dir(DEBUGFS "/dri"))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	igt_require_f(is_dir(DEBUGFS "/dri"), "debugfs not mounted at %s (and cannot be)\n",
		      DEBUGFS);

	snprintf(path, sizeof(path), DEBUGFS "/dri/%d", minor);
	if (is_dir(path) && debugfs_dir_is_pvgpu(path)) {
		snprintf(out, len, "%s", path);
		return;
	}

	/* Kernels that name the directories otherwise: find ours by name. */
	d = opendir(DEBUGFS "/dri");
	igt_assert(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DEBUGFS "/dri/%s", de->d_name);
		if (is_dir(path) && debugfs_dir_is_pvgpu(path)) {
			snprintf(out, len, "%s", path);
			closedir(d);
			return;
		}
	}
	closedir(d);
	igt_fail_f("no pvgpu directory under " DEBUGFS "/dri (primary minor %d)\n", minor);
}

/* ---- subtest selection ------------------------------------------------ */

/* Shell-style glob: * ? [set] [!set] and backslash escapes. */
static bool glob_match(const char *p, const char *t)
{
	for (; *p; p++, t++) {
		switch (*p) {
		case '*':
			while (p[1] == '*')
				p++;
			if (!p[1])
				return true;
			for (; *t; t++)
				if (glob_match(p + 1, t))
					return true;
			return false;
		case '?':
			if (!*t)
				return false;
			break;
		case '[': {
			const char *q = p + 1;
			bool neg = false, hit = false;

			if (!*t)
				return false;
			if (*q == '!' || *q == '^') {
				neg = true;
				q++;
			}
			for (bool first = true; *q && (first || *q != ']'); q++, first = false) {
				if (q[1] == '-' && q[2] && q[2] != ']') {
					if (*t >= q[0] && *t <= q[2])
						hit = true;
					q += 2;
				} else if (*q == *t) {
					hit = true;
				}
			}
			if (*q != ']')	/* no closing bracket: literal '[' */
				goto literal;
			if (hit == neg)
				return false;
			p = q;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			/* fallthrough */
		default:
literal:
			if (*p != *t)
				return false;
		}
	}
	return !*t;
}

/*
 * IGT's --run-subtest syntax: comma-separated globs, a leading '!' negates
 * one, and the last pattern that matches decides (igt_runner resumes with
 * "*,!done1,!done2" and runs several subtests with "a,b,c").
 */
static bool subtest_selected(const char *name, const char *patterns)
{
	char *copy, *tok, *save = NULL;
	bool selected = false;

	if (!patterns)
		return true;
	copy = strdup(patterns);
	if (!copy)
		return false;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool neg = tok[0] == '!';

		if (glob_match(neg ? tok + 1 : tok, name))
			selected = !neg;
	}
	free(copy);
	return selected;
}

static bool valid_subtest_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			return false;
	return true;
}

/* ---- running ---------------------------------------------------------- */

enum result { R_SUCCESS, R_SKIP, R_FAIL, R_CRASH, R_TIMEOUT };

static const char *const result_str[] = {
	[R_SUCCESS] = "SUCCESS",
	[R_SKIP] = "SKIP",
	[R_FAIL] = "FAIL",
	[R_CRASH] = "CRASH",
	[R_TIMEOUT] = "TIMEOUT",
};

static long subtest_timeout_s(void)
{
	const char *env = getenv("IGT_LITE_SUBTEST_TIMEOUT");

	if (env && *env)
		return strtol(env, NULL, 0);
	return DEFAULT_SUBTEST_TIMEOUT_S;
}

/* Waits for @pid up to @timeout_s seconds (0: forever). Returns true and
 * the status if it ended. */
static bool wait_timeout(pid_t pid, long timeout_s, int *status)
{
	uint64_t deadline = igt_nsec_now() + (uint64_t)timeout_s * 1000000000ull;
	int pidfd = -1;
	pid_t r;

	if (timeout_s <= 0) {
		do {
			r = waitpid(pid, status, 0);
		} while (r < 0 && errno == EINTR);
		return r == pid;
	}

#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	for (;;) {
		uint64_t now;

		r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR)) {
			if (pidfd >= 0)
				close(pidfd);
			return r == pid;
		}
		now = igt_nsec_now();
		if (now >= deadline)
			break;
		if (pidfd >= 0) {
			struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
			uint64_t left_ms = (deadline - now) / 1000000 + 1;

			poll(&pfd, 1, left_ms > 1000 ? 1000 : (int)left_ms);
		} else {
			struct timespec ts = { 0, 1000000 };	/* 1 ms */

			nanosleep(&ts, NULL);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return false;
}

static enum result run_subtest(const struct igt_lite_subtest *st)
{
	long timeout = subtest_timeout_s();
	pid_t parent = getpid(), pid;
	enum result res;
	uint64_t t0;
	int status = 0;

	igt_kmsg("%s: starting subtest %s\n", command_str, st->name);
	printf("Starting subtest: %s\n", st->name);
	fflush(stdout);
	if (stderr_sentinel) {
		fprintf(stderr, "Starting subtest: %s\n", st->name);
		fflush(stderr);
	}

	t0 = igt_nsec_now();
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(IGT_EXIT_FAILURE);
		in_subtest = st->name;
		st->func();
		if (num_helpers)
			igt_waitchildren();
		end_process(IGT_EXIT_SUCCESS);
	}

	if (pid < 0) {
		fprintf(stderr, "(%s:%d) fork failed: %s\n", command_str, getpid(),
			strerror(errno));
		res = R_FAIL;
	} else if (!wait_timeout(pid, timeout, &status)) {
		fprintf(stderr, "(%s:%d) Subtest %s: no result after %ld s, killing it\n",
			command_str, getpid(), st->name, timeout);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		res = R_TIMEOUT;
	} else if (WIFEXITED(status)) {
		switch (WEXITSTATUS(status)) {
		case IGT_EXIT_SUCCESS:
			res = R_SUCCESS;
			break;
		case IGT_EXIT_SKIP:
			res = R_SKIP;
			break;
		case IGT_EXIT_FAILURE:
			res = R_FAIL;
			break;
		default:
			fprintf(stderr, "(%s:%d) Subtest %s: exited with %d\n",
				command_str, getpid(), st->name, WEXITSTATUS(status));
			res = R_FAIL;
			break;
		}
	} else {
		int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

		fprintf(stderr, "(%s:%d) Subtest %s: received signal %d (%s)\n",
			command_str, getpid(), st->name, sig, strsignal(sig));
		res = R_CRASH;
	}
	fflush(stderr);

	printf("Subtest %s: %s (%.3fs)\n", st->name, result_str[res],
	       (double)(igt_nsec_now() - t0) / 1e9);
	fflush(stdout);
	if (stderr_sentinel) {
		fprintf(stderr, "Subtest %s: %s (%.3fs)\n", st->name, result_str[res],
			(double)(igt_nsec_now() - t0) / 1e9);
		fflush(stderr);
	}
	return res;
}

static void print_version(void)
{
	struct utsname u;

	uname(&u);
	printf("IGT-Version: %s (%s) (%s: %s %s)\n", IGT_LITE_VERSION, u.machine,
	       u.sysname, u.release, u.machine);
	fflush(stdout);
}

static void usage(FILE *f, const char *description)
{
	fprintf(f, "Usage: %s [OPTIONS]\n"
		"  --list-subtests\n"
		"  --show-testlist\n"
		"  --run-subtest <pattern>\n"
		"  --dynamic-subtest <pattern>   (accepted; no dynamic subtests here)\n"
		"  --describe[=pattern]\n"
		"  --debug[=domain]\n"
		"  --device <filter>             drm:/dev/dri/..., sys:/sys/devices/...\n"
		"  --hook <hook>                 (accepted and ignored)\n"
		"  --help-description\n"
		"  --version\n"
		"  --help|-h\n"
		"Environment: IGT_FORCE_DRIVER, IGT_DEVICE, IGT_LOG_LEVEL=debug,\n"
		"  IGT_LITE_SUBTEST_TIMEOUT (seconds, default %d, 0 = none)\n",
		command_str, DEFAULT_SUBTEST_TIMEOUT_S);
	if (description)
		fprintf(f, "\n%s\n", description);
}

enum {
	OPT_LIST = 0x100, OPT_SHOW_TESTLIST, OPT_RUN, OPT_DYNAMIC, OPT_DESCRIBE,
	OPT_HELP_DESC, OPT_DEBUG, OPT_DEVICE, OPT_HOOK, OPT_HELP_HOOK, OPT_VERSION,
	OPT_IGNORED_ARG, OPT_IGNORED,
};

int igt_lite_main(int argc, char **argv, const struct igt_lite_subtest *subtests,
		  size_t count, const char *description)
{
	static const struct option opts[] = {
		{ "list-subtests", no_argument, NULL, OPT_LIST },
		{ "show-testlist", no_argument, NULL, OPT_SHOW_TESTLIST },
		{ "run-subtest", required_argument, NULL, OPT_RUN },
		{ "dynamic-subtest", required_argument, NULL, OPT_DYNAMIC },
		{ "describe", optional_argument, NULL, OPT_DESCRIBE },
		{ "help-description", no_argument, NULL, OPT_HELP_DESC },
		{ "debug", optional_argument, NULL, OPT_DEBUG },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "hook", required_argument, NULL, OPT_HOOK },
		{ "help-hook", no_argument, NULL, OPT_HELP_HOOK },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "interactive-debug", optional_argument, NULL, OPT_IGNORED_ARG },
		{ "skip-crc-compare", no_argument, NULL, OPT_IGNORED },
		{ "trace-on-oops", no_argument, NULL, OPT_IGNORED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool list = false, show_testlist = false, describe = false;
	const char *pattern = NULL, *env;
	int failed = 0, succeeded = 0, skipped = 0, matched = 0, c, ret;

	command_str = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);

	stderr_sentinel = getenv("IGT_SENTINEL_ON_STDERR") != NULL;
	env = getenv("IGT_LOG_LEVEL");
	if (env && !strcmp(env, "debug"))
		verbose = true;
	env = getenv("IGT_DEVICE");
	if (env && *env)
		device_filter = strdup(env);

	for (size_t i = 0; i < count; i++) {
		if (!valid_subtest_name(subtests[i].name)) {
			fprintf(stderr, "%s: invalid subtest name \"%s\"\n",
				command_str, subtests[i].name);
			return IGT_EXIT_INVALID;
		}
	}

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LIST:
			list = true;
			break;
		case OPT_SHOW_TESTLIST:
			show_testlist = true;
			break;
		case OPT_RUN:
			pattern = optarg;
			break;
		case OPT_DYNAMIC:
			/* igt_runner passes it for "binary@subtest@dynamic"
			 * entries; these tests have none. */
			break;
		case OPT_DESCRIBE:
			describe = true;
			if (optarg)
				pattern = optarg;
			break;
		case OPT_HELP_DESC:
			printf("%s\n", description ? description : "");
			return IGT_EXIT_SUCCESS;
		case OPT_DEBUG:
			verbose = true;
			break;
		case OPT_DEVICE:
			free(device_filter);
			device_filter = strdup(optarg);
			break;
		case OPT_HOOK:
		case OPT_IGNORED_ARG:
		case OPT_IGNORED:
			break;
		case OPT_HELP_HOOK:
			printf("--hook is accepted and ignored by %s\n", IGT_LITE_VERSION);
			return IGT_EXIT_SUCCESS;
		case OPT_VERSION:
			print_version();
			return IGT_EXIT_SUCCESS;
		case 'h':
			usage(stdout, description);
			return IGT_EXIT_SUCCESS;
		default:
			usage(stderr, NULL);
			return IGT_EXIT_INVALID;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", command_str, argv[optind]);
		usage(stderr, NULL);
		return IGT_EXIT_INVALID;
	}

	/* Listing: stdout carries only the names; igt_runner reads every
	 * whitespace-separated word of it as a subtest. */
	if (list || show_testlist || describe) {
		for (size_t i = 0; i < count; i++) {
			if (!subtest_selected(subtests[i].name, pattern))
				continue;
			matched++;
			if (describe)
				printf("SUB %s %s:\n  %s\n\n", subtests[i].name, command_str,
				       subtests[i].desc ? subtests[i].desc : "NO DOCUMENTATION!");
			else if (show_testlist)
				printf("igt@%s@%s\n", command_str, subtests[i].name);
			else
				printf("%s\n", subtests[i].name);
		}
		if (pattern && !matched) {
			fprintf(stderr, "Unknown subtest: %s\n", pattern);
			return IGT_EXIT_INVALID;
		}
		return IGT_EXIT_SUCCESS;
	}

	for (size_t i = 0; i < count; i++)
		if (subtest_selected(subtests[i].name, pattern))
			matched++;
	if (pattern && !matched) {
		fprintf(stderr, "Unknown subtest: %s\n", pattern);
		return IGT_EXIT_INVALID;
	}

	igt_kmsg("%s: executing\n", command_str);
	print_version();

	for (size_t i = 0; i < count; i++) {
		if (!subtest_selected(subtests[i].name, pattern))
			continue;
		switch (run_subtest(&subtests[i])) {
		case R_SUCCESS:
			succeeded++;
			break;
		case R_SKIP:
			skipped++;
			break;
		default:
			failed++;
			break;
		}
	}

	if (failed)
		ret = IGT_EXIT_FAILURE;
	else if (succeeded)
		ret = IGT_EXIT_SUCCESS;
	else
		ret = IGT_EXIT_SKIP;
	igt_debug("%d passed, %d failed, %d skipped\n", succeeded, failed, skipped);
	igt_kmsg("%s: exiting, ret=%d\n", command_str, ret);
	return ret;
}

int igt_sysfs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

bool igt_sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return true;
}

/* ---- pvgpu module parameters and capabilities ------------------------- */

#define PVGPU_PARAM_DIR	"/sys/module/pvgpu/parameters/"

unsigned long long igt_pvgpu_param(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), PVGPU_PARAM_DIR "%s", name);
	igt_require_f(igt_sysfs_read(path, buf, sizeof(buf)), "no %s\n", path);
	return strtoull(buf, NULL, 10);
}

/* The parameters igt_pvgpu_param_set() changed, as they were, in order. */
#define SAVED_PARAMS_MAX	4
static char saved_param_path[SAVED_PARAMS_MAX][128];
static char saved_param_value[SAVED_PARAMS_MAX][32];
static unsigned int saved_params;

void igt_pvgpu_param_restore(void)
{
	/* Last changed first: the same parameter twice ends as it began. */
	while (saved_params) {
		saved_params--;
		igt_sysfs_write(saved_param_path[saved_params],
				saved_param_value[saved_params]);
	}
}

static void restore_param(int sig)
{
	(void)sig;
	igt_pvgpu_param_restore();
}

void igt_pvgpu_param_set(const char *name, unsigned long long value)
{
	unsigned int i = saved_params;
	char buf[32];

	igt_assert(i < SAVED_PARAMS_MAX);
	snprintf(saved_param_path[i], sizeof(saved_param_path[i]),
		 PVGPU_PARAM_DIR "%s", name);
	igt_assert(igt_sysfs_read(saved_param_path[i], saved_param_value[i],
				  sizeof(saved_param_value[i])));
	if (!i)
		igt_install_exit_handler(restore_param);
	saved_params++;
	snprintf(buf, sizeof(buf), "%llu", value);
	igt_assert_err(igt_sysfs_write(saved_param_path[i], buf), 0);
}

/* ---- fault injection (fault_attr) ------------------------------------- */

/* A hook's directory: the device's debugfs directory and the hook's name. */
#define FAULT_DIR_MAX	(PATH_MAX + 64)

/* The hooks igt_pvgpu_fault_inject() armed, for the exit handler. */
static char fault_armed[4][FAULT_DIR_MAX];

static void fault_dir(const char *name, char *out, size_t len)
{
	char dir[PATH_MAX];

	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	igt_assert_f(snprintf(out, len, "%s/%s", dir, name) < (int)len,
		     "path of %s too long\n", name);
}

static int fault_write(const char *dir, const char *file, const char *val)
{
	char path[FAULT_DIR_MAX + 32];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return igt_sysfs_write(path, val);
}

/* Probability first: nothing fails while the rest is put back. */
static int fault_disable_dir(const char *dir)
{
	int ret = fault_write(dir, "probability", "0");

	return ret ? ret : fault_write(dir, "times", "1");
}

static void fault_disable_armed(int sig)
{
	(void)sig;
	for (size_t i = 0; i < sizeof(fault_armed) / sizeof(fault_armed[0]); i++) {
		int ret;

		if (!fault_armed[i][0])
			continue;
		ret = fault_disable_dir(fault_armed[i]);
		if (ret)
			igt_warn("cannot disable %s: %s\n", fault_armed[i], igt_errname(ret));
		fault_armed[i][0] = 0;
	}
}

void igt_pvgpu_fault_require(const char *name)
{
	char dir[FAULT_DIR_MAX], path[FAULT_DIR_MAX + 32];

	fault_dir(name, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/probability", dir);
	igt_require_f(access(path, W_OK) == 0,
		      "no writable fault-injection hook %s: needs root and a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS\n",
		      dir);
}

void igt_pvgpu_fault_inject(const char *name, int times)
{
	char dir[FAULT_DIR_MAX], val[16];
	size_t i, free_slot = SIZE_MAX;

	igt_pvgpu_fault_require(name);
	fault_dir(name, dir, sizeof(dir));
	for (i = 0; i < sizeof(fault_armed) / sizeof(fault_armed[0]); i++) {
		if (!strcmp(fault_armed[i], dir))
			break;
		if (!fault_armed[i][0] && free_slot == SIZE_MAX)
			free_slot = i;
	}
	if (i == sizeof(fault_armed) / sizeof(fault_armed[0])) {
		igt_assert_f(free_slot != SIZE_MAX, "too many fault-injection hooks armed\n");
		snprintf(fault_armed[free_slot], sizeof(fault_armed[free_slot]), "%s", dir);
		igt_install_exit_handler(fault_disable_armed);
	}

	snprintf(val, sizeof(val), "%d", times);
	igt_assert_err(fault_write(dir, "probability", "0"), 0);
	igt_assert_err(fault_write(dir, "verbose", "1"), 0);
	igt_assert_err(fault_write(dir, "interval", "1"), 0);
	igt_assert_err(fault_write(dir, "times", val), 0);
	igt_assert_err(fault_write(dir, "probability", "100"), 0);
}

void igt_pvgpu_fault_disable(const char *name)
{
	char dir[FAULT_DIR_MAX];

	fault_dir(name, dir, sizeof(dir));
	igt_assert_err(fault_disable_dir(dir), 0);
}

int igt_pvgpu_fault_times(const char *name)
{
	char dir[FAULT_DIR_MAX], path[FAULT_DIR_MAX + 32], val[32];

	fault_dir(name, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/times", dir);
	igt_assert_f(igt_sysfs_read(path, val, sizeof(val)), "cannot read %s\n", path);
	return atoi(val);
}

FILE *igt_pvgpu_debugfs_fopen(const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	FILE *f;

	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	igt_assert_f(snprintf(path, sizeof(path), "%s/%s", dir, name) <
		     (int)sizeof(path), "path of %s too long\n", name);
	f = fopen(path, "r");
	igt_require_f(f, "no %s\n", path);
	return f;
}

unsigned long long igt_pvgpu_fw_cap(const char *name)
{
	char line[256];
	size_t len = strlen(name);
	unsigned long long v = 0;
	bool found = false;
	FILE *f = igt_pvgpu_debugfs_fopen("fw_caps");

	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ':') {
			v = strtoull(line + len + 1, NULL, 0);
			found = true;
		}
	}
	fclose(f);
	igt_require_f(found, "no %s in fw_caps\n", name);
	return v;
}
