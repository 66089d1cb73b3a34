/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel API guest-driver/pvgpu_pt.c uses, in userspace, for the host
 * test of the page-table writer (tests/host/pt). Every <linux/...> and
 * <drm/...> header pvgpu_pt.c includes resolves to a one-line file in this
 * directory that includes this one.
 *
 * - Allocations are counted (shim_allocs), so a test can see leaks.
 * - WARN_ON_ONCE()/WARN_ONCE() count (shim_warns) and print to stderr
 *   instead of warning once: a test asserts on the count.
 * - Table pages come from struct ptd_mem_ops (pt_drv.h) when a test set
 *   one, so the "DMA address" the driver writes into the tables is a
 *   guest-physical address of the fake platform's RAM that the firmware
 *   model walks; without one, host memory with its pointer as address.
 * - Locks are no-ops (single thread); drm_printf() appends to a buffer.
 */
#ifndef PT_SHIM_H
#define PT_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
typedef unsigned long long __le64;
typedef unsigned long long dma_addr_t;

#define __maybe_unused		__attribute__((unused))

/* The hosts this runs on are little-endian, as the tables are. */
#define le64_to_cpu(x)		(x)
#define cpu_to_le64(x)		(x)
#define READ_ONCE(x)		(*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define BIT(n)			(1ul << (n))
#define SZ_1K			1024
#define SZ_4K			4096
#define PAGE_SIZE		4096
#define U32_MAX			0xffffffffu
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define min(a, b)		((a) < (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)

#define EINVAL			22
#define ENOMEM			12
#define ENOSPC			28
#define ENOENT			2
#define EIO			5
#define ENODEV			19

/*
 * Kconfig options as the kernel tests them. The host tests run under
 * ASan, as the guest suite's debug kernel runs under KASAN: the driver's
 * checks for debug kernels are on here too.
 */
#define CONFIG_KASAN		1
#define __ARG_PLACEHOLDER_1	0,
#define __take_second_arg(__ignored, val, ...) val
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
#define ___is_defined(val)	____is_defined(__ARG_PLACEHOLDER_##val)
#define IS_ENABLED(option)	___is_defined(option)

/* The first byte of @p[0..n) that is not @c, NULL if there is none. */
static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return (void *)(b + i);
	return NULL;
}

/* --- WARN -------------------------------------------------------------- */

extern int shim_warns;
#define WARN_ON_ONCE(c) ({						\
	bool __c = (c);							\
	if (__c) {							\
		shim_warns++;						\
		fprintf(stderr, "WARN %s:%d\n", __FILE__, __LINE__);	\
	}								\
	__c;								\
})
#define WARN_ONCE(c, ...)	WARN_ON_ONCE(c)
#define WARN_ON(c)		WARN_ON_ONCE(c)

/* --- Lists ------------------------------------------------------------- */

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD(n)	struct list_head n = { &n, &n }

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline void __list_add(struct list_head *n, struct list_head *p,
			      struct list_head *nx)
{
	nx->prev = n;
	n->next = nx;
	n->prev = p;
	p->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *h)
{
	__list_add(n, h, h->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	__list_add(n, h->prev, h);
}

static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = NULL;
	e->prev = NULL;
}

static inline void list_del_init(struct list_head *e)
{
	list_del(e);
	INIT_LIST_HEAD(e);
}

static inline void list_move(struct list_head *e, struct list_head *h)
{
	list_del(e);
	list_add(e, h);
}

static inline void list_move_tail(struct list_head *e, struct list_head *h)
{
	list_del(e);
	list_add_tail(e, h);
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void list_splice_tail(struct list_head *l, struct list_head *h)
{
	struct list_head *first = l->next, *last = l->prev, *at = h->prev;

	if (list_empty(l))
		return;
	first->prev = at;
	at->next = first;
	last->next = h;
	h->prev = last;
}

#define container_of(p, t, m)	((t *)((char *)(p) - offsetof(t, m)))
#define list_entry(p, t, m)	container_of(p, t, m)
#define list_first_entry(h, t, m) list_entry((h)->next, t, m)
#define list_for_each_entry(p, h, m)					\
	for (p = list_entry((h)->next, __typeof__(*p), m); &p->m != (h); \
	     p = list_entry(p->m.next, __typeof__(*p), m))
#define list_for_each_entry_safe(p, n, h, m)				\
	for (p = list_entry((h)->next, __typeof__(*p), m),		\
	     n = list_entry(p->m.next, __typeof__(*p), m);		\
	     &p->m != (h);						\
	     p = n, n = list_entry(n->m.next, __typeof__(*n), m))

/* --- Locks (one thread) ------------------------------------------------ */

typedef int spinlock_t;
#define spin_lock_init(l)	(*(l) = 0)
#define spin_lock(l)		((void)(l))
#define spin_unlock(l)		((void)(l))
struct mutex {
	int unused;
};
#define mutex_lock(l)		((void)(l))
#define mutex_unlock(l)		((void)(l))
#define lockdep_assert_held(l)	((void)(l))
#define cond_resched()		do { } while (0)

/* --- Memory ------------------------------------------------------------ */

#define GFP_KERNEL		0
/* Memory-cgroup accounting has no meaning on the host. */
#define GFP_KERNEL_ACCOUNT	0
#define __GFP_ZERO		0

extern long shim_allocs;

static inline void *kzalloc(size_t n, int gfp __maybe_unused)
{
	void *p = calloc(1, n);

	if (p)
		shim_allocs++;
	return p;
}

static inline void *kcalloc(size_t n, size_t s, int gfp __maybe_unused)
{
	void *p = calloc(n, s);

	if (p)
		shim_allocs++;
	return p;
}

static inline void kfree(const void *p)
{
	if (p)
		shim_allocs--;
	free((void *)p);
}

/* A table page: CPU view and the address the device sees. */
struct page {
	void *mem;
	dma_addr_t dma;
};

struct page *alloc_page(int gfp);

/* The host test's "RAM": large enough never to limit a preallocation. */
static inline unsigned long totalram_pages(void)
{
	return 1ul << 30;
}
void __free_page(struct page *p);

static inline void *page_address(struct page *p)
{
	return p->mem;
}

struct device {
	int unused;
};

enum dma_data_direction { DMA_TO_DEVICE };

static inline dma_addr_t dma_map_page(struct device *d __maybe_unused,
				      struct page *p, size_t o,
				      size_t s __maybe_unused,
				      int dir __maybe_unused)
{
	return p->dma + o;
}

static inline void dma_unmap_page(struct device *d __maybe_unused,
				  dma_addr_t a __maybe_unused,
				  size_t s __maybe_unused,
				  int dir __maybe_unused)
{
}

static inline int dma_mapping_error(struct device *d __maybe_unused,
				    dma_addr_t a __maybe_unused)
{
	return 0;
}

static inline bool dma_need_sync(struct device *d __maybe_unused,
				 dma_addr_t a __maybe_unused)
{
	return false;
}

#define dma_wmb()		__sync_synchronize()

/* --- Scatterlists: DMA address and length only ------------------------- */

struct scatterlist {
	u64 addr;
	u32 len;
};

struct sg_table {
	struct scatterlist *sgl;
	unsigned int nents, orig_nents;
};

#define sg_dma_address(s)	((s)->addr)
#define sg_dma_len(s)		((s)->len)

static inline struct scatterlist *sg_next(struct scatterlist *s)
{
	return s + 1;
}

/* --- DRM printing ------------------------------------------------------ */

struct drm_printer {
	int unused;
};

/* drm_printf() output, for tests that look at it. */
extern char shim_print_buf[4096];
void shim_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define drm_printf(p, ...)	((void)(p), shim_printf(__VA_ARGS__))
#define drm_err(d, ...)		((void)(d), fprintf(stderr, __VA_ARGS__))

#endif /* PT_SHIM_H */
