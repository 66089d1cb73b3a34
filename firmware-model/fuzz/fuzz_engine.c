/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_engine: a booted firmware with two address spaces (faultable and
 * not), three registered queues, and then the input as guest actions:
 * ring contents (commands, batch calls, dispatches), data pages, raw page
 * table entries, doorbells, queue requests (deregister, suspend, reset,
 * fault replies, ...), clock advances and timer firing.
 */
#include "fuzz_common.h"
#include "sched_helpers.h"

#define MAX_ACTIONS	96
#define NQ		3
/*
 * The fake driver's channel lives below this; GPU pages never point there
 * (a guest may do that, but then the harness could not read F2H).
 */
#define GPU_LOW_LIMIT	0x100000ull
#define FZ_RAM		(8ull << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	fz_init();
	return 0;
}

/* Every command of pvgpu_cmds.h, at its (minimum) length. */
#define FZ_CMD(name, op, len_dw, flags, engines, attrs) \
	{ PVGPU_CMD_##name, PVGPU_CMD_LEN_##name },
static const struct { uint8_t op, len; } cmds[] = {
	PVGPU_CMD_TABLE(FZ_CMD)
};
#undef FZ_CMD

/* A GPU VA, mostly inside the mapped data area. */
static uint64_t va(Fz *f)
{
	uint8_t k = fz_u8(f);

	if (k < 200)
		return SH_DATA_VA + (fz_u32(f) % SH_DATA_SIZE &
				      ~(!(k & 6) ? 0u : (k & 1) ? 7u : 3u));
	if (k < 230)
		return SH_RING_VA + fz_u32(f);
	return fz_u64(f);
}

/* Data-area offset of a GPU VA the harness picked in the data area. */
#define DATA_OFF(v)	((v) - SH_DATA_VA)

static unsigned int gen_cmd(Sh *t, Fz *f, uint32_t *dw, unsigned int depth);

/* Kernel arguments for @kernel at data offset @off (in the data area). */
static void gen_kargs(Sh *t, Fz *f, uint64_t off)
{
	uint64_t k[4];

	for (unsigned int i = 0; i < 3; i++)
		k[i] = (fz_u8(f) & 7) ? SH_DATA_VA + (fz_u32(f) % SH_DATA_SIZE
						      & ~3u) : fz_u64(f);
	k[3] = (fz_u8(f) & 3) ? fz_u8(f) : fz_u64(f);	/* n, or n + result */
	if (off + sizeof(k) <= SH_DATA_SIZE) {
		memcpy(t->fp->ram + t->data_pa + off, k, sizeof(k));
		fz_wrote(t->data_pa + off, sizeof(k));
	}
}

/* A batch buffer of a few commands at data offset @off. */
static void gen_batch(Sh *t, Fz *f, uint64_t off, unsigned int depth)
{
	unsigned int ncmd = 1 + fz_u8(f) % 4;
	uint32_t dw[32];

	for (unsigned int c = 0; c < ncmd; c++) {
		unsigned int n = gen_cmd(t, f, dw, depth + 1);

		if (off + n * 4 > SH_DATA_SIZE)
			return;
		memcpy(t->fp->ram + t->data_pa + off, dw, n * 4);
		fz_wrote(t->data_pa + off, n * 4);
		off += n * 4;
	}
	if (off + 4 <= SH_DATA_SIZE && (fz_u8(f) & 3)) {
		struct pvgpu_cmd_stream s;

		pvgpu_cmd_stream_init(&s, dw, G_N_ELEMENTS(dw));
		pvgpu_emit_batch_return(&s);
		memcpy(t->fp->ram + t->data_pa + off, dw, s.len * 4);
		fz_wrote(t->data_pa + off, s.len * 4);
	}
}

/* One command (dwords into @dw, returns the count, at most 32). */
static unsigned int gen_cmd(Sh *t, Fz *f, uint32_t *dw, unsigned int depth)
{
	uint8_t sel = fz_u8(f);
	unsigned int n, i = 1;
	uint8_t op;

	if (sel >= 240) {	/* raw dwords */
		n = 1 + fz_u8(f) % 8;
		for (unsigned int j = 0; j < n; j++)
			dw[j] = fz_u32(f);
		return n;
	}
	op = cmds[sel % G_N_ELEMENTS(cmds)].op;
	n = cmds[sel % G_N_ELEMENTS(cmds)].len;
	if ((sel & 0xc0) == 0xc0)
		n = fz_u8(f) % 32;	/* wrong length */
	if (!n)
		n = 1;
	dw[0] = PVGPU_CMD_HDR(op, (sel & 0xc0) == 0x80 ? fz_u8(f) : 0, n);
	if (op == PVGPU_CMD_DISPATCH && n >= 4) {
		uint64_t a = SH_DATA_VA + (fz_u16(f) % 0x1000) * 64;

		dw[1] = fz_u8(f) % 6;
		if (fz_u8(f) & 1)
			gen_kargs(t, f, DATA_OFF(a));
		else
			a = va(f);
		memcpy(&dw[2], &a, 8);
		i = 4;
	} else if (op == PVGPU_CMD_BATCH_CALL && n >= 3) {
		uint64_t a = SH_DATA_VA + 0x40000 + (fz_u16(f) % 0x1000) * 64;

		if (depth < 10 && (fz_u8(f) & 1))
			gen_batch(t, f, DATA_OFF(a), depth);
		else
			a = va(f);
		memcpy(&dw[1], &a, 8);
		i = 3;
	}
	for (; i < n; i += 2) {
		uint8_t how = fz_u8(f) % 4;
		uint64_t a = how == 1 ? fz_u64(f) : how == 2 ? fz_u16(f) :
			     va(f);

		dw[i] = (uint32_t)a;
		if (i + 1 < n)
			dw[i + 1] = a >> 32;
	}
	return n;
}

static void ring_write(Sh *t, ShQueue *q, Fz *f)
{
	GpuRing *r = &q->ring;
	unsigned int ncmd = 1 + fz_u8(f) % 8;
	uint32_t dw[32];

	for (unsigned int c = 0; c < ncmd; c++) {
		unsigned int n = gen_cmd(t, f, dw, 0);

		for (unsigned int j = 0; j < n; j++) {
			fake_ram_wr32(t->fp, r->pa + r->tail, dw[j]);
			r->tail = (r->tail + 4) & (r->size - 1);
		}
	}
	if (fz_u8(f) == 0xff)
		fake_ram_wr32(t->fp, r->wptr_addr, fz_u32(f));
	else
		gpu_ring_publish(r);
}

static void request(Sh *t, Fz *f)
{
	static const uint16_t ops[] = {
		PVGPU_H2F_QUEUE_DEREGISTER, PVGPU_H2F_QUEUE_SUSPEND,
		PVGPU_H2F_QUEUE_RESUME, PVGPU_H2F_QUEUE_SET_PRIORITY,
		PVGPU_H2F_QUEUE_SET_TIMESLICE, PVGPU_H2F_QUEUE_RESET,
		PVGPU_H2F_QUEUE_QUERY, PVGPU_H2F_PAGE_FAULT_REPLY,
		PVGPU_H2F_TLB_INVALIDATE, PVGPU_H2F_AS_UNBIND,
		PVGPU_H2F_AS_BIND, PVGPU_H2F_QUEUE_REGISTER,
	};
	uint8_t sel = fz_u8(f);
	uint16_t op = ops[sel % G_N_ELEMENTS(ops)];
	uint32_t p[8] = { 0 };
	uint16_t len = 2;
	uint32_t qid = fz_u8(f) % (NQ + 1);

	p[0] = qid;
	switch (op) {
	case PVGPU_H2F_QUEUE_SET_PRIORITY:
	case PVGPU_H2F_QUEUE_SET_TIMESLICE:
		p[1] = (sel & 0x80) ? fz_u32(f) : fz_u8(f) % 8;
		break;
	case PVGPU_H2F_PAGE_FAULT_REPLY: {
		/* Answer the latest fault of that queue, mostly. */
		const ShEvent *e = NULL;
		unsigned int k = sh_count_events(t, PVGPU_F2H_EVT_PAGE_FAULT,
						 qid);

		if (k)
			e = sh_find_event(t, PVGPU_F2H_EVT_PAGE_FAULT, qid,
					  k - 1);
		p[1] = e && !(sel & 0x80) ? e->payload[1] : fz_u32(f);
		p[2] = fz_u8(f) % 4;
		len = 4;
		break;
	}
	case PVGPU_H2F_TLB_INVALIDATE:
		p[0] = 1 + fz_u8(f) % 2;
		fz_bytes(f, &p[2], 16);
		len = 6;
		break;
	case PVGPU_H2F_AS_UNBIND:
		p[0] = fz_u8(f) % 4;
		break;
	case PVGPU_H2F_AS_BIND: {
		uint64_t root = (sel & 0x80) ? fz_u64(f) : t->vm.root;

		p[0] = fz_u8(f) % 4;
		p[1] = fz_u8(f) % 4;	/* flags (struct pvgpu_msg_as_bind) */
		memcpy(&p[2], &root, 8);
		len = 4;
		break;
	}
	case PVGPU_H2F_QUEUE_REGISTER: {
		struct pvgpu_queue_desc d;
		uint64_t desc;

		qid = qid % NQ;
		p[0] = qid;
		sh_desc(t, qid, t->q[qid].engine_class, fz_u8(f) % 4, &d);
		if (sel & 0x80)
			fz_bytes(f, &d, sizeof(d));
		desc = gpu_alloc(t->g, sizeof(d), 64);
		memcpy(t->fp->ram + desc, &d, sizeof(d));
		fz_wrote(desc, sizeof(d));
		memcpy(&p[2], &desc, 8);
		len = 4;
		break;
	}
	default:
		break;
	}
	if (fake_driver_send(&t->g->d, op, p, len, NULL))
		fake_driver_doorbell(&t->g->d);
}

/*
 * The entry at @level on the way to @va, or the entry where the (possibly
 * corrupted) walk stops above it. The harness's own walk: gpu_vm_pte_addr()
 * asserts on tables the fuzzer broke.
 */
static uint64_t pte_slot(Sh *t, GpuVm *vm, uint64_t v, uint32_t level)
{
	uint64_t table = vm->root;

	for (uint32_t l = vm->levels - 1;; l--) {
		uint64_t a = table + PVGPU_PT_INDEX(v, l) * 8, pte, next;

		if (l == level)
			return a;
		pte = fake_ram_rd64(t->fp, a);
		next = pte & PVGPU_PTE_ADDR_MASK;
		if (!(pte & PVGPU_PTE_VALID) ||
		    (pte & (PVGPU_PTE_LEAF | PVGPU_PTE_NULL)) ||
		    next < GPU_LOW_LIMIT || next + GPU_4K > t->fp->ram_size)
			return a;
		table = next;
	}
}

static void pte_write(Sh *t, Fz *f)
{
	GpuVm *vm = (fz_u8(f) & 1) ? &t->vm_nf : &t->vm;
	uint64_t v = SH_DATA_VA + (fz_u32(f) % SH_DATA_SIZE);
	uint32_t level = fz_u8(f) % vm->levels;
	uint64_t a = pte_slot(t, vm, v, level);
	uint64_t old = fake_ram_rd64(t->fp, a), pte;
	uint8_t k = fz_u8(f);

	if (k < 64)		/* flip flag and reserved bits */
		pte = old ^ (fz_u8(f) & 0xff) ^ ((uint64_t)fz_u16(f) << 52);
	else if (k < 128)	/* point elsewhere in RAM */
		pte = (old & 0xfff) | ((GPU_LOW_LIMIT + ((uint64_t)fz_u32(f)
			<< 12)) & PVGPU_PTE_ADDR_MASK & (FZ_RAM - 1));
	else if (k < 160)	/* point at another table / data page */
		pte = (old & 0xfff) | (t->data_pa + (fz_u16(f) % 256) * GPU_4K);
	else			/* anything, outside RAM too */
		pte = fz_u64(f);
	if ((pte & PVGPU_PTE_ADDR_MASK) < GPU_LOW_LIMIT)
		pte |= GPU_LOW_LIMIT;
	fake_ram_wr64(t->fp, a, pte);
}

/* sh_new() with less RAM (8 MiB; fuzz_common.h clears what an input wrote). */
static Sh *fz_sh_new(void)
{
	PvgpuFwConfig cfg;

	sh_config(&cfg);
	cfg.num_doorbells = 4;	/* 1024 pages: a 4 MiB memset per reset */
	cfg.max_queues = 64;	/* the table is cleared per reset too */
	/* One compute slot: the two compute queues contend (preemption). */
	for (uint32_t c = 0; c < cfg.num_engine_classes; c++) {
		if (cfg.engine_class[c] == PVGPU_ENGINE_CLASS_COMPUTE)
			cfg.slots[c] = 1;
	}
	return sh_new_sized(&cfg, FZ_RAM);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Fz f = { data, size };
	Sh *t;

	t = fz_sh_new();
	g_assert_cmpuint(sh_register(t, 0, PVGPU_ENGINE_CLASS_COMPUTE, 1, 0),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_full(t, 1, PVGPU_ENGINE_CLASS_COMPUTE, 2,
					  100, 0, &t->vm_nf),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 2, PVGPU_ENGINE_CLASS_COPY, 3, 0), ==,
			 PVGPU_STATUS_OK);

	for (unsigned int i = 0; i < MAX_ACTIONS && f.n; i++) {
		uint8_t op = fz_u8(&f);
		ShQueue *q = &t->q[fz_u8(&f) % NQ];

		switch (op % 11) {
		case 0:
		case 1:
			ring_write(t, q, &f);
			break;
		case 2: {	/* data pages: batch buffers, kernel args */
			uint32_t off = fz_u32(&f) % SH_DATA_SIZE;
			uint32_t len = fz_u8(&f);

			if (off + len > SH_DATA_SIZE)
				len = SH_DATA_SIZE - off;
			if (op & 0x80) {	/* a batch of commands */
				uint32_t dw[32];
				unsigned int n = gen_cmd(t, &f, dw, 0);

				off &= ~3u;
				if (off + n * 4 > SH_DATA_SIZE)
					off = SH_DATA_SIZE - n * 4;
				memcpy(t->fp->ram + t->data_pa + off, dw,
				       n * 4);
				len = n * 4;
			} else {
				fz_bytes(&f, t->fp->ram + t->data_pa + off,
					 len);
			}
			fz_wrote(t->data_pa + off, len);
			break;
		}
		case 3:
			pte_write(t, &f);
			break;
		case 4:
			sh_ring(t, (op & 0x80) ? fz_u32(&f) : q->doorbell);
			fz_run(t->fp);
			break;
		case 5:
			fz_advance(t->fp, fz_u32(&f) & 0x3ffffff);
			break;
		case 6:
			for (unsigned int k = fz_u8(&f) % 16; k; k--)
				fz_fire(t->fp);
			break;
		case 7:
			request(t, &f);
			fz_run(t->fp);
			break;
		case 8:
			fz_run(t->fp);
			sh_pump(t);
			break;
		case 9:
			pvgpu_fw_inject(t->fw, fz_u8(&f) % 11, fz_u8(&f));
			break;
		case 10:	/* rptr written by the guest */
			fake_ram_wr32(t->fp, q->ring.rptr_addr, fz_u32(&f));
			break;
		}
	}
	for (unsigned int k = 0; k < 8; k++)
		fz_fire(t->fp);
	sh_pump(t);
	/*
	 * RAM the helpers wrote directly: the fake driver's, and what
	 * gpu_alloc() handed out (tables, rings, descriptors) but the data
	 * area, which the writes above report page by page.
	 */
	fz_wrote_driver(&t->g->d);
	fz_wrote(GPU_LOW_LIMIT, t->data_pa - GPU_LOW_LIMIT);
	fz_wrote(t->data_pa + SH_DATA_SIZE,
		 t->g->next_pa - (t->data_pa + SH_DATA_SIZE));
	sh_free(t);
	return 0;
}
