/* SPDX-License-Identifier: MIT */
/*
 * igt_lite: a small test harness that speaks IGT's test protocol, so that
 * igt_runner runs pvgpu's guest tests beside IGT's own. Written for pvgpu,
 * plain C11 + glibc, no dependency on IGT's library. See
 * tests/guest/README.md for the protocol it implements.
 *
 * A test binary is a table of subtests and IGT_LITE_MAIN():
 *
 *	static void test_foo(void) { ... igt_assert(x == 1); ... }
 *	static const struct igt_lite_subtest subtests[] = {
 *		{ "foo", test_foo, "checks foo" },
 *	};
 *	IGT_LITE_MAIN("what this binary tests", subtests)
 *
 * Each subtest runs in its own forked process: an assertion failure, skip,
 * crash or hang ends that subtest only. Subtest names use [a-z0-9_-].
 */
#ifndef IGT_LITE_H
#define IGT_LITE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit codes, as igt_runner reads them. */
#define IGT_EXIT_SUCCESS	0
#define IGT_EXIT_SKIP		77
#define IGT_EXIT_INVALID	79	/* unknown subtest / bad usage */
#define IGT_EXIT_FAILURE	98
#define IGT_EXIT_ABORT		112	/* igt_runner stops the whole run */

struct igt_lite_subtest {
	const char *name;
	void (*func)(void);
	const char *desc;
};

int igt_lite_main(int argc, char **argv, const struct igt_lite_subtest *subtests,
		  size_t count, const char *description);

#define IGT_LITE_MAIN(description, table)					\
	int main(int argc, char **argv)						\
	{									\
		return igt_lite_main(argc, argv, table,				\
				     sizeof(table) / sizeof((table)[0]),	\
				     description);				\
	}

/* ---- results ---------------------------------------------------------- */

#define IGT_NORETURN __attribute__((noreturn))
#define IGT_PRINTF(a, b) __attribute__((format(printf, a, b)))

IGT_NORETURN IGT_PRINTF(6, 7)
void __igt_fail_assert(const char *file, int line, const char *func,
		       const char *cond, int err, const char *fmt, ...);
IGT_NORETURN IGT_PRINTF(5, 6)
void __igt_skip_check(const char *file, int line, const char *func,
		      const char *cond, const char *fmt, ...);

/* Fail the current subtest: cond false. errno at that point is printed. */
#define igt_assert(cond)							\
	do {									\
		if (!(cond))							\
			__igt_fail_assert(__FILE__, __LINE__, __func__, #cond,	\
					  errno, NULL);				\
	} while (0)

#define igt_assert_f(cond, ...)							\
	do {									\
		if (!(cond))							\
			__igt_fail_assert(__FILE__, __LINE__, __func__, #cond,	\
					  errno, __VA_ARGS__);			\
	} while (0)

#define igt_fail_f(...)								\
	__igt_fail_assert(__FILE__, __LINE__, __func__, "failure", errno,	\
			  __VA_ARGS__)

/* Typed comparisons that print both values. */
#define __igt_assert_cmp(T, fmt, a, op, b)					\
	do {									\
		T __a = (a), __b = (b);						\
		if (!(__a op __b))						\
			__igt_fail_assert(__FILE__, __LINE__, __func__,		\
					  #a " " #op " " #b, errno,		\
					  "%s = " fmt ", %s = " fmt "\n",	\
					  #a, __a, #b, __b);			\
	} while (0)

#define igt_assert_eq(a, b)	__igt_assert_cmp(long long, "%lld", a, ==, b)
#define igt_assert_neq(a, b)	__igt_assert_cmp(long long, "%lld", a, !=, b)
#define igt_assert_lt(a, b)	__igt_assert_cmp(long long, "%lld", a, <, b)
#define igt_assert_lte(a, b)	__igt_assert_cmp(long long, "%lld", a, <=, b)
#define igt_assert_gt(a, b)	__igt_assert_cmp(long long, "%lld", a, >, b)
#define igt_assert_gte(a, b)	__igt_assert_cmp(long long, "%lld", a, >=, b)
#define igt_assert_eq_u64(a, b)	__igt_assert_cmp(unsigned long long, "%#llx", a, ==, b)
#define igt_assert_neq_u64(a, b) __igt_assert_cmp(unsigned long long, "%#llx", a, !=, b)
#define igt_assert_lte_u64(a, b) __igt_assert_cmp(unsigned long long, "%llu", a, <=, b)

/* An errno-style result (0 or -errno) must equal @expected (0 or -EXXX). */
#define igt_assert_err(ret, expected)						\
	do {									\
		int __r = (ret), __e = (expected);				\
		if (__r != __e)							\
			__igt_fail_assert(__FILE__, __LINE__, __func__,		\
					  #ret " == " #expected, errno,		\
					  "got %d (%s), expected %d (%s)\n",	\
					  __r, igt_errname(__r), __e,		\
					  igt_errname(__e));			\
	} while (0)

/* Skip the current subtest unless cond holds. */
#define igt_require(cond)							\
	do {									\
		if (!(cond))							\
			__igt_skip_check(__FILE__, __LINE__, __func__, #cond,	\
					 NULL);					\
	} while (0)

#define igt_require_f(cond, ...)						\
	do {									\
		if (!(cond))							\
			__igt_skip_check(__FILE__, __LINE__, __func__, #cond,	\
					 __VA_ARGS__);				\
	} while (0)

#define igt_skip(...)								\
	__igt_skip_check(__FILE__, __LINE__, __func__, NULL, __VA_ARGS__)

/* ---- logging ---------------------------------------------------------- */
/*
 * igt_info/igt_debug go to stdout. igt_warn goes to stderr: igt_runner
 * turns a passing subtest that wrote anything to stderr into "warn", so use
 * it only for what deserves that.
 */
IGT_PRINTF(1, 2) void igt_info(const char *fmt, ...);
IGT_PRINTF(1, 2) void igt_debug(const char *fmt, ...);
IGT_PRINTF(1, 2) void igt_warn(const char *fmt, ...);

/* "EINVAL" for -EINVAL or EINVAL, "0" for 0. */
const char *igt_errname(int err);

/* Name of the running subtest, NULL outside one. */
const char *igt_subtest_name(void);
const char *igt_test_name(void);

/* Monotonic time in nanoseconds. */
uint64_t igt_nsec_now(void);

/* Write a line to the kernel log (/dev/kmsg) with the "[IGT] " prefix. */
IGT_PRINTF(1, 2) void igt_kmsg(const char *fmt, ...);

/*
 * Tell igt_runner to ignore kernel messages that match @regex (GRegex/PCRE
 * syntax) from now until the current subtest ends; otherwise a message of
 * warning level or worse turns a pass into dmesg-warn. Only for messages a
 * subtest provokes on purpose. The kernel escapes backslashes in the
 * /dev/kmsg records igt_runner reads, so @regex must not contain any: write
 * [(] rather than \(.
 */
void igt_emit_ignore_dmesg_regex(const char *regex);

/* ---- cleanup ---------------------------------------------------------- */
/*
 * igt_install_exit_handler() registers @fn to run when the subtest's
 * process ends: after success, a failed assertion or a skip, from whichever
 * thread ends it (not after a crash or the subtest timeout's SIGKILL).
 * Handlers run once each, last installed first, with @sig 0; a handler that
 * fails does not keep the others from running. igt_fork() helpers do not
 * run their parent's handlers. For global state a subtest must put back
 * whatever happens: module parameters, driver binding.
 */
typedef void (*igt_exit_handler_t)(int sig);
void igt_install_exit_handler(igt_exit_handler_t fn);

/* ---- processes -------------------------------------------------------- */
/*
 * igt_fork() starts a helper process that runs fn(idx, arg) and exits 0;
 * an assertion failure in it makes it exit IGT_EXIT_FAILURE. The helper dies
 * with its parent. igt_waitchildren() waits for every helper and fails the
 * subtest if any did not exit 0.
 */
pid_t igt_fork(void (*fn)(int idx, void *arg), int idx, void *arg);
void igt_waitchildren(void);

/* ---- pvgpu devices ---------------------------------------------------- */
/*
 * Open the pvgpu render / primary node, or skip the subtest if there is
 * none. The node comes from --device / IGT_DEVICE when given (drm:PATH,
 * sys:PATH or a plain /dev/dri path; the sibling node of the same device is
 * used for the other kind), otherwise from a scan of /dev/dri for a node
 * whose DRM_IOCTL_VERSION name is "pvgpu". If IGT_FORCE_DRIVER names another
 * driver, the subtest skips. @path (may be NULL) receives the node path.
 */
int igt_open_pvgpu_render(char *path, size_t len);
int igt_open_pvgpu_primary(char *path, size_t len);

/*
 * The pvgpu device's DRM debugfs directory, /sys/kernel/debug/dri/<minor>
 * (or whichever directory there names the pvgpu driver), into @out;
 * debugfs is mounted if it is not. Skips without a device or debugfs.
 */
void igt_pvgpu_debugfs_dir(char *out, size_t len);

/* The device's debugfs file @name, open for reading; skips without it. */
FILE *igt_pvgpu_debugfs_fopen(const char *name);

/* Writes @val to a sysfs (or debugfs) file in one write(); 0 or -errno. */
int igt_sysfs_write(const char *path, const char *val);
/*
 * Reads a small sysfs file into @buf (@len bytes, NUL terminated) with
 * trailing newlines and spaces dropped; false if it cannot be read.
 */
bool igt_sysfs_read(const char *path, char *buf, size_t len);

/* A pvgpu module parameter's value; skips when the driver has none. */
unsigned long long igt_pvgpu_param(const char *name);
/*
 * Sets a pvgpu module parameter; an exit handler puts the old value back
 * when the subtest ends. Up to four parameters per subtest.
 */
void igt_pvgpu_param_set(const char *name, unsigned long long value);
/* Puts the parameters igt_pvgpu_param_set() changed back now. */
void igt_pvgpu_param_restore(void);
/* A "NAME: VALUE" line of the device's debugfs fw_caps; skips without it. */
unsigned long long igt_pvgpu_fw_cap(const char *name);

/*
 * The driver's fault-injection hooks (docs/driver.rst): directories of the
 * kernel's fault-injection framework (a struct fault_attr each:
 * probability, interval, times, verbose, ...) in the device's debugfs
 * directory, named fail_*. They exist only in a kernel built with
 * CONFIG_FAULT_INJECTION_DEBUG_FS, and are shared by every pvgpu device.
 *
 * igt_pvgpu_fault_require() skips the subtest, saying why, unless hook
 * @name is there and writable (root). igt_pvgpu_fault_inject() requires it
 * too, then makes the next @times calls that reach the hook fail
 * (probability 100, interval 1; -1: every call until disabled), with one
 * kernel notice per failure (verbose 1); an exit handler disables it when
 * the subtest ends. igt_pvgpu_fault_disable() disables it now: probability
 * 0, times 1, the framework's defaults. igt_pvgpu_fault_times() is what is
 * left of @times.
 */
void igt_pvgpu_fault_require(const char *name);
void igt_pvgpu_fault_inject(const char *name, int times);
void igt_pvgpu_fault_disable(const char *name);
int igt_pvgpu_fault_times(const char *name);

#endif /* IGT_LITE_H */
