/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "gpu_helpers.h"

/* Allocations start above the fake driver's shared memory. */
#define GPU_ALLOC_BASE		0x100000ull

typedef struct GpuEvent {
	uint16_t opcode;
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
} GpuEvent;

/* --- Environment ------------------------------------------------------- */

GpuEnv *gpu_env_new(const PvgpuFwConfig *cfg, uint64_t ram_size)
{
	GpuEnv *g = g_new0(GpuEnv, 1);

	g->fp = fake_platform_new_sized(cfg, ram_size ? ram_size :
					GPU_RAM_DEFAULT);
	g->fw = g->fp->fw;
	g->next_pa = GPU_ALLOC_BASE;
	g->events = g_queue_new();
	fake_driver_init(&g->d, g->fp);
	g_assert_cmpuint(fake_driver_boot(&g->d), ==, PVGPU_FW_STATE_RUNNING);
	fake_reg_write(g->fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	return g;
}

void gpu_env_free(GpuEnv *g)
{
	g_queue_free_full(g->events, g_free);
	fake_platform_free(g->fp);
	g_free(g);
}

uint64_t gpu_alloc(GpuEnv *g, uint64_t size, uint64_t align)
{
	uint64_t pa;

	g_assert_true(align && !(align & (align - 1)));
	pa = (g->next_pa + align - 1) & ~(align - 1);
	g_assert_cmpuint(pa + size, <=, g->fp->ram_size);
	memset(g->fp->ram + pa, 0, size);
	g->next_pa = pa + size;
	return pa;
}

/* --- Requests ---------------------------------------------------------- */

void gpu_doorbell(GpuEnv *g, uint32_t db)
{
	pvgpu_fw_doorbell(g->fw, PVGPU_DOORBELL_GROUP(db),
			  PVGPU_DOORBELL_OFFSET(db), 1);
}

uint32_t gpu_request(GpuEnv *g, uint16_t opcode, const void *payload,
		     uint16_t len_dw, void *resp)
{
	uint32_t buf[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_msg_hdr hdr;
	uint32_t seqno;

	g_assert_true(fake_driver_send(&g->d, opcode, payload, len_dw,
				       &seqno));
	fake_driver_doorbell(&g->d);
	fake_platform_run(g->fp);
	for (;;) {
		g_assert_true(fake_driver_recv(&g->d, &hdr, buf));
		if (GUINT16_FROM_LE(hdr.kind) == PVGPU_MSG_KIND_EVENT) {
			GpuEvent *e = g_new0(GpuEvent, 1);

			e->opcode = GUINT16_FROM_LE(hdr.opcode);
			memcpy(e->payload, buf, GUINT16_FROM_LE(hdr.len) * 4);
			g_queue_push_tail(g->events, e);
			continue;
		}
		g_assert_cmphex(GUINT16_FROM_LE(hdr.opcode), ==, opcode);
		g_assert_cmpuint(GUINT32_FROM_LE(hdr.seqno), ==, seqno);
		if (resp)
			memcpy(resp, buf, GUINT16_FROM_LE(hdr.len) * 4);
		return GUINT32_FROM_LE(hdr.status);
	}
}

uint32_t gpu_as_bind(GpuEnv *g, uint32_t asid, uint64_t pt_root,
		     uint32_t flags)
{
	struct pvgpu_msg_as_bind m = {
		.asid = GUINT32_TO_LE(asid),
		.flags = GUINT32_TO_LE(flags),
		.pt_root = GUINT64_TO_LE(pt_root),
	};

	return gpu_request(g, PVGPU_H2F_AS_BIND, &m, sizeof(m) / 4, NULL);
}

uint32_t gpu_as_unbind(GpuEnv *g, uint32_t asid)
{
	struct pvgpu_msg_as_unbind m = { .asid = GUINT32_TO_LE(asid) };

	return gpu_request(g, PVGPU_H2F_AS_UNBIND, &m, sizeof(m) / 4, NULL);
}

uint32_t gpu_tlb_invalidate(GpuEnv *g, uint32_t asid, uint64_t va,
			    uint64_t size)
{
	struct pvgpu_msg_tlb_invalidate m = {
		.asid = GUINT32_TO_LE(asid),
		.flags = GUINT32_TO_LE(size ? 0 : PVGPU_TLB_INV_ALL),
		.va = GUINT64_TO_LE(va),
		.size = GUINT64_TO_LE(size),
	};

	return gpu_request(g, PVGPU_H2F_TLB_INVALIDATE, &m, sizeof(m) / 4,
			   NULL);
}

bool gpu_next_event(GpuEnv *g, uint16_t *opcode, void *payload)
{
	GpuEvent *e = g_queue_pop_head(g->events);
	struct pvgpu_msg_hdr hdr;

	if (e) {
		*opcode = e->opcode;
		memcpy(payload, e->payload, sizeof(e->payload));
		g_free(e);
		return true;
	}
	if (!fake_driver_recv(&g->d, &hdr, payload))
		return false;
	g_assert_cmpuint(GUINT16_FROM_LE(hdr.kind), ==, PVGPU_MSG_KIND_EVENT);
	*opcode = GUINT16_FROM_LE(hdr.opcode);
	return true;
}

/* --- Page tables ------------------------------------------------------- */

void gpu_vm_init(GpuVm *vm, GpuEnv *g, uint32_t asid)
{
	vm->g = g;
	vm->asid = asid;
	vm->levels = PVGPU_PT_LEVELS(pvgpu_fw_config(g->fw)->va_bits);
	vm->root = gpu_alloc(g, GPU_4K, GPU_4K);
}

uint32_t gpu_vm_bind(GpuVm *vm, uint32_t flags)
{
	return gpu_as_bind(vm->g, vm->asid, vm->root, flags);
}

static uint32_t page_level(uint64_t page_size)
{
	switch (page_size) {
	case GPU_4K:
		return 0;
	case GPU_2M:
		return 1;
	case GPU_1G:
		return 2;
	}
	g_assert_not_reached();
}

/*
 * Address of the entry for @va at @level; missing tables above it are
 * allocated if @create, else asserted.
 */
static uint64_t pte_addr(GpuVm *vm, uint64_t va, uint32_t level, bool create)
{
	FakePlatform *fp = vm->g->fp;
	uint64_t table = vm->root;

	g_assert_cmpuint(level, <, vm->levels);
	for (uint32_t l = vm->levels - 1; l > level; l--) {
		uint64_t addr = table + 8 * PVGPU_PT_INDEX(va, l);
		uint64_t pte = fake_ram_rd64(fp, addr);

		if (!(pte & PVGPU_PTE_VALID)) {
			g_assert_true(create);
			pte = gpu_alloc(vm->g, GPU_4K, GPU_4K) |
			      PVGPU_PTE_VALID;
			fake_ram_wr64(fp, addr, pte);
		}
		/* A large page where a table is needed: a test bug. */
		g_assert_false(pte & PVGPU_PTE_LEAF);
		table = pte & PVGPU_PTE_ADDR_MASK;
	}
	return table + 8 * PVGPU_PT_INDEX(va, level);
}

uint64_t gpu_vm_pte_addr(GpuVm *vm, uint64_t va, uint32_t level)
{
	return pte_addr(vm, va, level, false);
}

void gpu_vm_map(GpuVm *vm, uint64_t va, uint64_t pa, uint64_t size,
		uint64_t page_size, uint64_t pte_flags)
{
	uint32_t level = page_level(page_size);
	bool null = pte_flags & PVGPU_PTE_NULL;

	g_assert_cmphex(pte_flags & ~(PVGPU_PTE_WRITABLE | PVGPU_PTE_NULL), ==,
			0);
	g_assert_cmphex((va | size | (null ? 0 : pa)) & (page_size - 1), ==,
			0);
	for (uint64_t off = 0; off < size; off += page_size) {
		uint64_t pte = pte_flags | PVGPU_PTE_VALID |
			       (level ? PVGPU_PTE_LEAF : 0) |
			       (null ? 0 : pa + off);

		fake_ram_wr64(vm->g->fp, pte_addr(vm, va + off, level, true),
			      pte);
	}
}

void gpu_vm_unmap(GpuVm *vm, uint64_t va, uint64_t size, uint64_t page_size)
{
	uint32_t level = page_level(page_size);

	for (uint64_t off = 0; off < size; off += page_size)
		fake_ram_wr64(vm->g->fp, pte_addr(vm, va + off, level, false),
			      0);
}

uint64_t gpu_vm_alloc(GpuVm *vm, uint64_t va, uint64_t size,
		      uint64_t pte_flags)
{
	uint64_t pa;

	size = (size + GPU_4K - 1) & ~(GPU_4K - 1);
	pa = gpu_alloc(vm->g, size, GPU_4K);
	gpu_vm_map(vm, va, pa, size, GPU_4K, pte_flags);
	return pa;
}

/* The test's own walk: physical address of @va, *left bytes in its page. */
static uint64_t cpu_translate(GpuVm *vm, uint64_t va, uint64_t *left)
{
	uint64_t table = vm->root;

	for (int l = vm->levels - 1; l >= 0; l--) {
		uint64_t pte = fake_ram_rd64(vm->g->fp,
					     table + 8 * PVGPU_PT_INDEX(va, l));
		uint64_t size = PVGPU_PT_LEVEL_SIZE(l);

		if (!(pte & PVGPU_PTE_VALID))
			g_error("test bug: VA 0x%" G_GINT64_MODIFIER "x not "
				"mapped", va);
		if (l == 0 || (pte & PVGPU_PTE_LEAF)) {
			if (pte & PVGPU_PTE_NULL)
				g_error("test bug: VA 0x%" G_GINT64_MODIFIER
					"x is a NULL page", va);
			*left = size - (va & (size - 1));
			return (pte & PVGPU_PTE_ADDR_MASK) + (va & (size - 1));
		}
		table = pte & PVGPU_PTE_ADDR_MASK;
	}
	g_assert_not_reached();
}

static void cpu_access(GpuVm *vm, uint64_t va, void *rbuf, const void *wbuf,
		       uint64_t len)
{
	uint8_t *r = rbuf;
	const uint8_t *w = wbuf;

	while (len) {
		uint64_t left, pa = cpu_translate(vm, va, &left);
		uint64_t n = MIN(len, left);

		g_assert_cmpuint(pa + n, <=, vm->g->fp->ram_size);
		if (r) {
			memcpy(r, vm->g->fp->ram + pa, n);
			r += n;
		} else {
			memcpy(vm->g->fp->ram + pa, w, n);
			w += n;
		}
		va += n;
		len -= n;
	}
}

void gpu_vm_write(GpuVm *vm, uint64_t va, const void *buf, uint64_t len)
{
	cpu_access(vm, va, NULL, buf, len);
}

void gpu_vm_read(GpuVm *vm, uint64_t va, void *buf, uint64_t len)
{
	cpu_access(vm, va, buf, NULL, len);
}

uint32_t gpu_vm_rd32(GpuVm *vm, uint64_t va)
{
	uint32_t v;

	gpu_vm_read(vm, va, &v, sizeof(v));
	return GUINT32_FROM_LE(v);
}

uint64_t gpu_vm_rd64(GpuVm *vm, uint64_t va)
{
	uint64_t v;

	gpu_vm_read(vm, va, &v, sizeof(v));
	return GUINT64_FROM_LE(v);
}

void gpu_vm_wr32(GpuVm *vm, uint64_t va, uint32_t v)
{
	v = GUINT32_TO_LE(v);
	gpu_vm_write(vm, va, &v, sizeof(v));
}

void gpu_vm_wr64(GpuVm *vm, uint64_t va, uint64_t v)
{
	v = GUINT64_TO_LE(v);
	gpu_vm_write(vm, va, &v, sizeof(v));
}

/* --- Command streams --------------------------------------------------- */

GArray *gpu_cmds_new(void)
{
	return g_array_new(FALSE, FALSE, sizeof(guint32));
}

void gpu_cmd_raw(GArray *c, const uint32_t *dw, unsigned int n)
{
	g_array_append_vals(c, dw, n);
}

/*
 * Room for @n dwords at the end of @c, as a stream for pvgpu_cmd_emit.h;
 * gpu_cmd_end() asserts the command fit and gives back what it left.
 */
static struct pvgpu_cmd_stream gpu_cmd_begin(GArray *c, uint32_t n)
{
	struct pvgpu_cmd_stream s;
	guint old = c->len;

	g_array_set_size(c, old + n);
	pvgpu_cmd_stream_init(&s, &g_array_index(c, uint32_t, old), n);
	return s;
}

static void gpu_cmd_end(GArray *c, const struct pvgpu_cmd_stream *s,
			bool ok)
{
	g_assert_true(ok);
	g_array_set_size(c, c->len - s->cap + s->len);
}

/* Append pvgpu_emit_<cmd>(..., @...) to @c. */
#define GPU_CMD(c, cmd, ...)						\
	do {								\
		struct pvgpu_cmd_stream s_ =				\
			gpu_cmd_begin(c, PVGPU_CMD_MAX_LEN);		\
		bool ok_ = pvgpu_emit_##cmd(&s_, ##__VA_ARGS__);	\
									\
		gpu_cmd_end(c, &s_, ok_);				\
	} while (0)

void gpu_cmd_nop(GArray *c, uint32_t len_dw)
{
	struct pvgpu_cmd_stream s;

	g_assert_cmpuint(len_dw, >=, 1);
	s = gpu_cmd_begin(c, len_dw);
	gpu_cmd_end(c, &s, pvgpu_emit_nop(&s, len_dw));
}

void gpu_cmd_store32(GArray *c, uint64_t addr, uint32_t value)
{
	GPU_CMD(c, store32, addr, value);
}

void gpu_cmd_store64(GArray *c, uint64_t addr, uint64_t value)
{
	GPU_CMD(c, store64, addr, value);
}

void gpu_cmd_copy(GArray *c, uint64_t src, uint64_t dst, uint64_t size)
{
	GPU_CMD(c, copy, src, dst, size);
}

void gpu_cmd_fill(GArray *c, uint64_t dst, uint64_t size, uint32_t pattern)
{
	GPU_CMD(c, fill, dst, size, pattern);
}

void gpu_cmd_atomic(GArray *c, uint32_t op, uint64_t addr, uint64_t operand,
		    uint64_t compare, uint64_t result)
{
	GPU_CMD(c, atomic, op, addr, operand, compare, result);
}

void gpu_cmd_wait(GArray *c, uint32_t flags, uint64_t addr, uint64_t value,
		  uint64_t mask, uint32_t op)
{
	GPU_CMD(c, wait, flags, addr, value, mask, op);
}

void gpu_cmd_signal(GArray *c, uint32_t flags, uint64_t addr,
		    uint64_t value)
{
	GPU_CMD(c, signal, flags, addr, value);
}

void gpu_cmd_timestamp(GArray *c, uint64_t addr)
{
	GPU_CMD(c, timestamp, addr);
}

void gpu_cmd_batch_call(GArray *c, uint64_t addr)
{
	GPU_CMD(c, batch_call, addr);
}

void gpu_cmd_batch_return(GArray *c)
{
	GPU_CMD(c, batch_return);
}

void gpu_cmd_dispatch(GArray *c, uint32_t kernel, uint64_t args)
{
	GPU_CMD(c, dispatch, kernel, args);
}

void gpu_cmd_delay(GArray *c, uint32_t flags, uint64_t ns)
{
	GPU_CMD(c, delay, flags, ns);
}

void gpu_cmd_fence(GArray *c, uint32_t flags, uint64_t value)
{
	GPU_CMD(c, fence, flags, value);
}

void gpu_vm_write_cmds(GpuVm *vm, uint64_t va, GArray *c)
{
	for (guint i = 0; i < c->len; i++)
		gpu_vm_wr32(vm, va + 4ull * i, g_array_index(c, uint32_t, i));
}

/* --- Rings ------------------------------------------------------------- */

void gpu_ring_init(GpuRing *r, GpuVm *vm, uint64_t va, uint32_t size)
{
	memset(r, 0, sizeof(*r));
	r->vm = vm;
	r->va = va;
	r->size = size;
	r->pa = gpu_vm_alloc(vm, va, size, PVGPU_PTE_WRITABLE);
	/* rptr and wptr in one page, as a driver might put them. */
	r->rptr_addr = gpu_alloc(vm->g, 64, 64);
	r->wptr_addr = r->rptr_addr + 4;
}

void gpu_ring_set_start(GpuRing *r, uint32_t off)
{
	g_assert_cmpuint(off, <, r->size);
	r->tail = off;
	fake_ram_wr32(r->vm->g->fp, r->rptr_addr, off);
	fake_ram_wr32(r->vm->g->fp, r->wptr_addr, off);
}

void gpu_ring_write(GpuRing *r, GArray *c)
{
	uint32_t rptr = gpu_ring_rptr(r);
	uint32_t used = (r->tail - rptr) & (r->size - 1);

	g_assert_cmpuint(c->len * 4, <=, r->size - 4 - used);
	for (guint i = 0; i < c->len; i++) {
		fake_ram_wr32(r->vm->g->fp, r->pa + r->tail,
			      g_array_index(c, uint32_t, i));
		r->tail = (r->tail + 4) & (r->size - 1);
	}
}

void gpu_ring_publish(GpuRing *r)
{
	fake_ram_wr32(r->vm->g->fp, r->wptr_addr, r->tail);
}

void gpu_ring_submit(GpuRing *r, GArray *c)
{
	gpu_ring_write(r, c);
	gpu_ring_publish(r);
}

uint32_t gpu_ring_rptr(GpuRing *r)
{
	return fake_ram_rd32(r->vm->g->fp, r->rptr_addr);
}

void gpu_ring_exec_ctx(GpuRing *r, uint32_t engine_class, FwExecCtx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->asid = r->vm->asid;
	ctx->engine_class = engine_class;
	ctx->ring_addr = r->va;
	ctx->ring_size = r->size;
	ctx->rptr_addr = r->rptr_addr;
	ctx->wptr_addr = r->wptr_addr;
	ctx->rptr = gpu_ring_rptr(r);
}

void gpu_test_add_uint_cases(const char *prefix, const unsigned int *values,
			     size_t n, GTestDataFunc func)
{
	for (size_t i = 0; i < n; i++) {
		char *path = g_strdup_printf("%s%u", prefix, values[i]);

		g_test_add_data_func(path, GUINT_TO_POINTER(values[i]), func);
		g_free(path);
	}
}
