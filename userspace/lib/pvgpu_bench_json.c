// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_json: see pvgpu_bench_json.h.
 *
 * Options, extra conditions and figures arrive in any order during the
 * run; each list is kept in its own memory stream and the document is
 * assembled at close, so the file never holds a half-written result.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "pvgpu_bench_json.h"

/* A list of JSON members or elements, comma-separated as they come. */
struct json_list {
	char *buf;
	size_t len;
	FILE *f;
	int count;
};

struct pvgpu_bench_json {
	FILE *out;
	char *path;
	char *benchmark;
	char timestamp[32];
	struct json_list options, conds, figures;
};

static int list_open(struct json_list *l)
{
	l->f = open_memstream(&l->buf, &l->len);
	return l->f ? 0 : -errno;
}

/* The text of @l so far (NUL-terminated), the stream staying open. */
static const char *list_text(struct json_list *l)
{
	fflush(l->f);
	return l->buf ? l->buf : "";
}

static void list_free(struct json_list *l)
{
	if (l->f)
		fclose(l->f);
	free(l->buf);
}

/* Starts the next item of @l: the separator and indentation. */
static FILE *list_next(struct json_list *l, const char *indent)
{
	fprintf(l->f, "%s\n%s", l->count++ ? "," : "", indent);
	return l->f;
}

/* Length of the valid UTF-8 sequence at @s, 0 if there is none. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * @s as a JSON string: quotes, backslashes and control characters escaped,
 * a byte that is not part of valid UTF-8 replaced by U+FFFD; NULL as null.
 */
static void put_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*p) {
		size_t n;

		switch (*p) {
		case '"':  fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\b': fputs("\\b", f); p++; continue;
		case '\f': fputs("\\f", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
			continue;
		}
		n = utf8_len(p);
		if (!n) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

/* A number; JSON has no NaN or infinity, they become null. */
static void put_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("null", f);
}

/* Frees @j and everything it holds (open's failure path and close). */
static void json_free(struct pvgpu_bench_json *j)
{
	list_free(&j->options);
	list_free(&j->conds);
	list_free(&j->figures);
	free(j->benchmark);
	free(j->path);
	free(j);
}

struct pvgpu_bench_json *pvgpu_bench_json_open(const char *path,
					       const char *benchmark)
{
	struct pvgpu_bench_json *j;
	struct tm tm;
	time_t now = time(NULL);

	if (!path)
		return NULL;
	j = calloc(1, sizeof(*j));
	if (!j || !(j->path = strdup(path)) ||
	    !(j->benchmark = strdup(benchmark)) || list_open(&j->options) ||
	    list_open(&j->conds) || list_open(&j->figures)) {
		fprintf(stderr, "%s: out of memory\n", path);
		goto fail;
	}
	j->out = fopen(path, "w");
	if (!j->out) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (gmtime_r(&now, &tm))
		strftime(j->timestamp, sizeof(j->timestamp),
			 "%Y-%m-%dT%H:%M:%SZ", &tm);
	return j;

fail:
	if (j)
		json_free(j);
	return NULL;
}

void pvgpu_bench_json_options(struct pvgpu_bench_json *j,
			      const struct pvgpu_bench_opt *opts, size_t n_opts)
{
	char key[64];

	if (!j)
		return;
	for (size_t i = 0; i < n_opts; i++) {
		FILE *f = list_next(&j->options, "      ");

		if (opts[i].letter)
			snprintf(key, sizeof(key), "-%c", opts[i].letter);
		else
			snprintf(key, sizeof(key), "--%s", opts[i].name);
		put_str(f, key);
		fputs(": ", f);
		if (opts[i].flag)
			fputs(*opts[i].flag ? "true" : "false", f);
		else if (opts[i].str)
			put_str(f, *opts[i].str);
		else
			fprintf(f, "%ld", *opts[i].value);
	}
}

void pvgpu_bench_json_cond_str(struct pvgpu_bench_json *j, const char *key,
			       const char *value)
{
	FILE *f;

	if (!j)
		return;
	f = list_next(&j->conds, "    ");
	put_str(f, key);
	fputs(": ", f);
	put_str(f, value);
}

void pvgpu_bench_json_cond_long(struct pvgpu_bench_json *j, const char *key,
				long value)
{
	FILE *f;

	if (!j)
		return;
	f = list_next(&j->conds, "    ");
	put_str(f, key);
	fprintf(f, ": %ld", value);
}

void pvgpu_bench_json_cond_per_cpu(struct pvgpu_bench_json *j, const char *key,
				   const unsigned long long *counts, size_t n)
{
	const char *sep = "";
	FILE *f;

	if (!j)
		return;
	f = list_next(&j->conds, "    ");
	put_str(f, key);
	fputs(": {", f);
	for (size_t i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		fprintf(f, "%s\"cpu%zu\": %llu", sep, i, counts[i]);
		sep = ", ";
	}
	fputc('}', f);
}

void pvgpu_bench_json_figure(struct pvgpu_bench_json *j, const char *name,
			     const char *label, const char *unit, size_t n,
			     const struct pvgpu_stats *s)
{
	const struct { const char *key; double v; } spread[] = {
		{ "median", s->median }, { "p10", s->p10 }, { "p90", s->p90 },
		{ "p99", s->p99 }, { "min", s->min }, { "max", s->max },
		{ "mean", s->mean }, { "stddev", s->stddev },
	};
	FILE *f;

	if (!j)
		return;
	f = list_next(&j->figures, "    ");
	fputs("{\"name\": ", f);
	put_str(f, name);
	fputs(", \"label\": ", f);
	put_str(f, label);
	fputs(", \"unit\": ", f);
	put_str(f, unit);
	fprintf(f, ", \"n\": %zu", n);
	for (size_t i = 0; i < sizeof(spread) / sizeof(spread[0]); i++) {
		fprintf(f, ", \"%s\": ", spread[i].key);
		put_num(f, spread[i].v);
	}
	fputc('}', f);
}

void pvgpu_bench_json_value(struct pvgpu_bench_json *j, const char *name,
			    const char *label, const char *unit, double value)
{
	struct pvgpu_stats s = {
		.median = value, .p10 = value, .p90 = value, .p99 = value,
		.min = value, .max = value, .mean = value, .stddev = 0,
	};

	pvgpu_bench_json_figure(j, name, label, unit, 1, &s);
}

/* The CPU the process may only run on, -1 if it may run on several. */
static int pinned_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) || CPU_COUNT(&set) != 1)
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	return -1;
}

int pvgpu_bench_json_close(struct pvgpu_bench_json *j)
{
	struct utsname u;
	FILE *f;
	int cpu, ret = 0;

	if (!j)
		return 0;
	f = j->out;
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	cpu = pinned_cpu();

	fputs("{\n  \"schema\": \"pvgpu-bench/1\",\n  \"benchmark\": ", f);
	put_str(f, j->benchmark);
	fputs(",\n  \"conditions\": {\n    \"timestamp\": ", f);
	put_str(f, j->timestamp[0] ? j->timestamp : NULL);
	fputs(",\n    \"kernel_release\": ", f);
	put_str(f, u.release[0] ? u.release : NULL);
	fputs(",\n    \"machine\": ", f);
	put_str(f, u.machine[0] ? u.machine : NULL);
	fprintf(f, ",\n    \"cpus_online\": %ld,\n    \"cpu_pinned\": ",
		sysconf(_SC_NPROCESSORS_ONLN));
	if (cpu >= 0)
		fprintf(f, "%d", cpu);
	else
		fputs("null", f);
	fprintf(f, ",\n    \"options\": {%s%s}", list_text(&j->options),
		j->options.count ? "\n    " : "");
	if (j->conds.count)
		fprintf(f, ",%s", list_text(&j->conds));
	fprintf(f, "\n  },\n  \"figures\": [%s%s]\n}\n",
		list_text(&j->figures), j->figures.count ? "\n  " : "");

	if (ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		fprintf(stderr, "%s: %s\n", j->path, strerror(-ret));
	json_free(j);
	return ret;
}
