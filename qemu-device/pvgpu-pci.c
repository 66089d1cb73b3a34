/*
 * pvgpu: paravirtual GPU with a firmware-scheduled queue model.
 *
 * This file is the thin QEMU glue around the firmware model
 * (firmware-model/, plain C + GLib): it owns the PCI function, the BARs,
 * MSI-X, the virtual-clock timer, the bottom half the firmware runs in,
 * migration and reset, and forwards everything else to the model.
 *
 * BAR0: 4 KiB register block (pvgpu_fw_reg_read/write) and the reserved
 *       4 KiB after it (the model logs any access there as a guest error),
 *       then the MSI-X table and PBA.
 * BAR2: one 4 KiB doorbell page per group, PVGPU_DOORBELLS_PER_PAGE dword
 *       doorbells each: a write at group * 4 KiB + index * 4 rings doorbell
 *       id PVGPU_DOORBELL_ID(group, index) (pvgpu_fw_doorbell).
 *
 * Register and doorbell writes only latch state in the model and ask for
 * a kick. The firmware's work (DMA, message handling, engines) runs in two
 * places:
 *
 * - inline, at the end of a doorbell write, under a small budget
 *   (PVGPU_FW_RUN_BUDGET_INLINE): a ping, a TLB invalidation or a short
 *   job completes and raises its MSI-X inside the write, the way QEMU's
 *   simplest devices do, instead of paying a hop through the main loop
 *   (docs/latency.rst has the measurements that decided it). Property
 *   x-doorbell-inline=off turns it off, for comparison;
 * - in a bottom half in QEMU's main loop, beside the vCPUs, as real
 *   firmware runs beside the CPU: whatever the inline run left (budget
 *   used up), register writes, the timer, injections, resume.
 *
 * Both hold the BQL, both are guarded against re-entrancy through the
 * device's own MMIO (the MMIO dispatch's and qemu_bh_new_guarded's
 * mem_reentrancy_guard), and neither does anything while the VM is not
 * running (stopped, or loading an incoming migration): the work waits
 * until the VM runs again.
 *
 * Specification: docs/registers.rst, docs/firmware-protocol.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/pvgpu/pvgpu-config.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "hw/resettable.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "system/runstate.h"
#include "trace.h"

#include "backend_virgl.h"
#include "pvgpu_fw_model.h"
#include "pvgpu_fw_sched_state.h"
#include "pvgpu_fw_migrate.h"

#define TYPE_PVGPU "pvgpu"
OBJECT_DECLARE_TYPE(PvgpuState, PvgpuClass, PVGPU)

struct PvgpuClass {
    PCIDeviceClass parent_class;
    DeviceRealize parent_dc_realize;
};

struct PvgpuState {
    PCIDevice parent_obj;

    MemoryRegion bar0;          /* container: registers + MSI-X */
    MemoryRegion regs;
    MemoryRegion doorbells;     /* BAR2 */

    PvgpuFw *fw;
    PvgpuFwState *fw_state;     /* inside fw, described by vmstate */
    PvgpuFwQueueState *queues;  /* inside fw: max_queues entries */
    PvgpuFwSchedState *sched_state;     /* inside fw */
    QEMUBH *run_bh;
    QEMUTimer *timer;
    VMChangeStateEntry *vmstate_change;
    /* The timer expired: the next run of run_bh tells the model. */
    bool timer_expired;
    /* run_bh was scheduled while the VM was not running. */
    bool run_deferred;
    /* In a doorbell write: the model's kick asks for an inline run. */
    bool in_doorbell;
    bool doorbell_kicked;
    /* Property x-doorbell-inline: run the firmware inside doorbell writes. */
    bool doorbell_inline;
    /* In pvgpu_post_load: the model's complaints are the stream's. */
    bool loading;
    char *load_error;

    /* Properties: the device's shape (PvgpuFwConfig). */
    uint32_t copy_slots;
    uint32_t compute_slots;
    uint32_t num_priorities;
    uint32_t max_queues;
    uint32_t num_doorbells;
    uint32_t va_bits;
    bool page_faults;
    uint32_t timeslice_us;
    uint32_t watchdog_ms;
    uint32_t preempt_timeout_us;
    uint32_t wait_poll_us;
    uint64_t seed;
    bool guest_inject;          /* x-guest-inject: PVGPU_REG_TEST_INJECT */
    /*
     * Execution backend of the compute kernels: "cpu" (the model's own
     * loops) or "virgl" (a pvgpu-virgl-worker process running them through
     * virglrenderer on the host GPU, docs/virgl.rst). Not migrated: both
     * give the same bytes, and the worker holds no state.
     */
    char *backend;
    char *virgl_worker;         /* the worker's path */
    uint32_t virgl_timeout_ms;  /* deadline of one request */
    FwVirgl *virgl;

    bool mig_page_faults;       /* the source's page_faults, for checking */
    /*
     * The bound address spaces and the registered queues as the stream
     * carries them (pvgpu_fw_migrate.h), not the model's whole tables:
     * built by pre_save, freed by post_save; allocated by the load (after
     * the counts passed pvgpu_mig_num_*_valid()), scattered into the
     * model and freed by post_load (else by the next pre_load or
     * unrealize).
     */
    int32_t mig_num_as;
    PvgpuFwAsRecord *mig_as;
    int32_t mig_num_queues;
    PvgpuFwQueueRecord *mig_queues;

    /*
     * Fault injection over QOM (x-inject-hang-engine, x-inject-crash) that
     * needs firmware work (log DMA, interrupts): set by the property,
     * applied by run_bh while the VM runs. Migrated (subsection).
     */
    uint32_t inject_hang_pending;       /* engine class indices */
    bool inject_crash_pending;
    /*
     * The same for x-inject-unhang-engine and x-inject-wedge-engine
     * (subsection pvgpu/inject-pending-engines). An unhang cancels the
     * hangs and wedges pending before it; applied first, so a hang set
     * after it still happens.
     */
    uint32_t inject_unhang_pending;
    uint32_t inject_wedge_pending;
};

/* Any change to PvgpuFwState must be mirrored in vmstate_pvgpu_fw below. */
/*
 * The same for the scheduler's state (vmstate_pvgpu_queue, _exec_ctx,
 * _sched): FwExecCtx is the engine's (firmware-model/engine.h).
 */
QEMU_BUILD_BUG_ON(sizeof(FwFault) != 8 + 2 * 4);
QEMU_BUILD_BUG_ON(sizeof(FwExecCtx) != 216);
QEMU_BUILD_BUG_ON(sizeof(PvgpuFwQueueState) != 10 * 4 + 8 * 8 + 216);
QEMU_BUILD_BUG_ON(sizeof(PvgpuFwSchedState) != 5 * 8 + 10 * 4);
QEMU_BUILD_BUG_ON(sizeof(PvgpuFwState) != 14 * 4 + 6 * 8 + 4 * 4 +
                  PVGPU_FW_MAX_AS * sizeof(PvgpuFwAs));
QEMU_BUILD_BUG_ON(sizeof(PvgpuFwAs) != 8 + 2 * 4);
/* The migration records: an index (and padding) before the entry. */
QEMU_BUILD_BUG_ON(sizeof(PvgpuFwQueueRecord) !=
                  8 + sizeof(PvgpuFwQueueState));
QEMU_BUILD_BUG_ON(sizeof(PvgpuFwAsRecord) != 8 + sizeof(PvgpuFwAs));

/* --- Platform callbacks of the firmware model ------------------------- */

static int pvgpu_plat_dma_read(void *opaque, uint64_t addr, void *buf,
                               size_t len)
{
    PvgpuState *s = opaque;
    MemTxResult r;

    if (len == 0) {
        return 0;
    }
    if (addr + len - 1 < addr) {
        return -1;
    }
    r = pci_dma_read(PCI_DEVICE(s), addr, buf, len);
    trace_pvgpu_dma(0, addr, len, r);
    return r == MEMTX_OK ? 0 : -1;
}

static int pvgpu_plat_dma_write(void *opaque, uint64_t addr, const void *buf,
                                size_t len)
{
    PvgpuState *s = opaque;
    MemTxResult r;

    if (len == 0) {
        return 0;
    }
    if (addr + len - 1 < addr) {
        return -1;
    }
    r = pci_dma_write(PCI_DEVICE(s), addr, buf, len);
    trace_pvgpu_dma(1, addr, len, r);
    return r == MEMTX_OK ? 0 : -1;
}

static void pvgpu_plat_raise_irq(void *opaque, unsigned int vector)
{
    PvgpuState *s = opaque;
    PCIDevice *pdev = PCI_DEVICE(s);

    if (vector >= PVGPU_MSIX_VECTORS) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pvgpu: firmware raised unknown vector %u\n", vector);
        return;
    }
    if (!msix_enabled(pdev)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "pvgpu: interrupt on vector %u dropped: MSI-X is not "
                      "enabled (the driver must use MSI-X)\n", vector);
        trace_pvgpu_irq(vector, false);
        return;
    }
    trace_pvgpu_irq(vector, true);
    msix_notify(pdev, vector);
}

static uint64_t pvgpu_plat_clock_ns(void *opaque)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void pvgpu_plat_timer_arm(void *opaque, uint64_t deadline_ns)
{
    PvgpuState *s = opaque;

    trace_pvgpu_timer_arm(deadline_ns);
    if (deadline_ns >= INT64_MAX) {
        timer_del(s->timer);
    } else {
        timer_mod(s->timer, deadline_ns);
    }
}

static void pvgpu_plat_kick(void *opaque)
{
    PvgpuState *s = opaque;

    if (s->in_doorbell) {
        /* pvgpu_doorbell_write() runs the firmware when the model returns. */
        s->doorbell_kicked = true;
        return;
    }
    qemu_bh_schedule(s->run_bh);
}

static void pvgpu_plat_guest_error(void *opaque, const char *msg)
{
    PvgpuState *s = opaque;

    /* The model may already name itself. */
    if (g_str_has_prefix(msg, "pvgpu: ")) {
        msg += strlen("pvgpu: ");
    }
    if (s->loading) {
        /*
         * A rejected migration stream is not the guest's doing:
         * pvgpu_post_load() reports it once, as a migration error.
         */
        if (!s->load_error) {
            s->load_error = g_strdup(msg);
        }
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "pvgpu: %s\n", msg);
}

static void pvgpu_plat_trace(void *opaque, const char *what, uint64_t a,
                             uint64_t b)
{
    trace_pvgpu_fw_event(what, a, b);
}

static const PvgpuFwPlatform pvgpu_platform = {
    .dma_read = pvgpu_plat_dma_read,
    .dma_write = pvgpu_plat_dma_write,
    .raise_irq = pvgpu_plat_raise_irq,
    .clock_ns = pvgpu_plat_clock_ns,
    .timer_arm = pvgpu_plat_timer_arm,
    .kick = pvgpu_plat_kick,
    .guest_error = pvgpu_plat_guest_error,
    .trace = pvgpu_plat_trace,
};

/*
 * Injections that make the firmware work (x-inject-hang-engine logs to the
 * guest's log buffer, x-inject-crash logs, forgets the queues and raises
 * FW_STATE), applied from run_bh while the VM runs.
 */
static void pvgpu_inject_apply(PvgpuState *s)
{
    const PvgpuFwConfig *cfg = pvgpu_fw_config(s->fw);
    uint32_t c;

    while (s->inject_unhang_pending) {
        c = ctz32(s->inject_unhang_pending);
        s->inject_unhang_pending &= ~(1u << c);
        trace_pvgpu_inject_apply("unhang-engine", cfg->engine_class[c]);
        if (pvgpu_fw_inject(s->fw, PVGPU_FW_INJECT_UNHANG_ENGINE,
                            cfg->engine_class[c]) < 0) {
            g_assert_not_reached();
        }
    }
    while (s->inject_hang_pending) {
        c = ctz32(s->inject_hang_pending);
        s->inject_hang_pending &= ~(1u << c);
        trace_pvgpu_inject_apply("hang-engine", cfg->engine_class[c]);
        /* Checked when set or loaded: cannot fail. */
        if (pvgpu_fw_inject(s->fw, PVGPU_FW_INJECT_HANG_ENGINE,
                            cfg->engine_class[c]) < 0) {
            g_assert_not_reached();
        }
    }
    while (s->inject_wedge_pending) {
        c = ctz32(s->inject_wedge_pending);
        s->inject_wedge_pending &= ~(1u << c);
        trace_pvgpu_inject_apply("wedge-engine", cfg->engine_class[c]);
        if (pvgpu_fw_inject(s->fw, PVGPU_FW_INJECT_WEDGE_ENGINE,
                            cfg->engine_class[c]) < 0) {
            g_assert_not_reached();
        }
    }
    if (s->inject_crash_pending) {
        s->inject_crash_pending = false;
        trace_pvgpu_inject_apply("crash", 1);
        pvgpu_fw_inject_crash(s->fw);
    }
}

/*
 * The only place the firmware runs (DMA, MSI-X): a bottom half guarded
 * against re-entrancy (qemu_bh_new_guarded), scheduled by the model's kick,
 * by the timer and on VM resume.
 */
static void pvgpu_run_bh(void *opaque)
{
    PvgpuState *s = opaque;

    if (!runstate_is_running()) {
        /*
         * Stopped, or still loading an incoming migration: guest memory
         * and the device state must not change. Resumed by
         * pvgpu_vm_state_change().
         */
        s->run_deferred = true;
        trace_pvgpu_run_deferred();
        return;
    }
    s->run_deferred = false;
    trace_pvgpu_run(s->timer_expired);
    pvgpu_inject_apply(s);
    if (s->timer_expired) {
        /*
         * Still after the deadline: the virtual clock never goes back.
         * timer_expired() runs the firmware itself.
         */
        s->timer_expired = false;
        pvgpu_fw_timer_expired(s->fw);
    } else {
        pvgpu_fw_run(s->fw);
    }
}

static void pvgpu_timer_cb(void *opaque)
{
    PvgpuState *s = opaque;

    trace_pvgpu_timer_expired();
    s->timer_expired = true;
    qemu_bh_schedule(s->run_bh);
}

static void pvgpu_vm_state_change(void *opaque, bool running, RunState state)
{
    PvgpuState *s = opaque;

    trace_pvgpu_vm_state(running, state);
    if (running && (s->run_deferred || s->timer_expired)) {
        qemu_bh_schedule(s->run_bh);
    }
}

/* --- BAR0 registers ---------------------------------------------------- */

/*
 * The register region covers everything before the MSI-X table: the 4 KiB
 * register block and the reserved 4 KiB after it, so that every access
 * there reaches the model, which logs it as a guest error (and reads 0)
 * the way pvgpu_regs.h promises, instead of vanishing in a hole of the BAR.
 */
#define PVGPU_REGS_REGION_SIZE  PVGPU_MSIX_TABLE_OFFSET
QEMU_BUILD_BUG_ON(PVGPU_REGS_SIZE > PVGPU_REGS_REGION_SIZE);

static uint64_t pvgpu_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    PvgpuState *s = opaque;
    uint32_t val = pvgpu_fw_reg_read(s->fw, addr, size);

    trace_pvgpu_mmio_read(addr, size, val);
    return val;
}

static void pvgpu_regs_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PvgpuState *s = opaque;

    trace_pvgpu_mmio_write(addr, size, val);
    if (addr == PVGPU_REG_TEST_INJECT && size == 4) {
        trace_pvgpu_test_inject(PVGPU_TEST_INJECT_OP(val),
                                PVGPU_TEST_INJECT_CLASS(val),
                                s->guest_inject);
    }
    pvgpu_fw_reg_write(s->fw, addr, val, size);
}

/*
 * Every access of 1, 2 or 4 bytes, aligned or not, reaches the model, so it
 * can log wrong-size accesses as guest errors (they are ignored or read as
 * zero). 8-byte accesses are refused by the memory core (read as zero).
 */
static const MemoryRegionOps pvgpu_regs_ops = {
    .read = pvgpu_regs_read,
    .write = pvgpu_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 4,
        .unaligned = true,
    },
};

/* --- BAR2 doorbells ---------------------------------------------------- */

static uint64_t pvgpu_doorbell_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void pvgpu_doorbell_write(void *opaque, hwaddr addr, uint64_t val,
                                 unsigned size)
{
    PvgpuState *s = opaque;
    uint32_t group = addr / PVGPU_DOORBELL_PAGE_SIZE;
    uint32_t offset = addr % PVGPU_DOORBELL_PAGE_SIZE;

    trace_pvgpu_doorbell(group, offset,
                         PVGPU_DOORBELL_ID(group, offset / PVGPU_DOORBELL_SIZE),
                         val);
    s->in_doorbell = true;
    s->doorbell_kicked = false;
    pvgpu_fw_doorbell(s->fw, group, offset, val);
    s->in_doorbell = false;
    if (!s->doorbell_kicked) {
        return;
    }
    /*
     * A vCPU writes only while the VM runs, but a qtest or a debugger's
     * write can come while it is stopped; a pending injection or an
     * expired timer must be applied first: both are the bottom half's.
     */
    if (!s->doorbell_inline || !runstate_is_running() ||
        s->timer_expired || s->inject_hang_pending ||
        s->inject_crash_pending || s->inject_unhang_pending ||
        s->inject_wedge_pending) {
        qemu_bh_schedule(s->run_bh);
        return;
    }
    /*
     * Inside the MMIO dispatch of this device: its re-entrancy guard is
     * engaged, so DMA the firmware aims at the device's own BARs fails
     * like any bad address. Work beyond the budget kicks run_bh.
     */
    trace_pvgpu_run_inline();
    pvgpu_fw_run_budget(s->fw, PVGPU_FW_RUN_BUDGET_INLINE);
}

/* 4-byte doorbell writes; an 8-byte write rings two dwords. */
static const MemoryRegionOps pvgpu_doorbell_ops = {
    .read = pvgpu_doorbell_read,
    .write = pvgpu_doorbell_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

/* --- Device lifecycle -------------------------------------------------- */

static void pvgpu_build_config(PvgpuState *s, PvgpuFwConfig *cfg)
{
    uint32_t i;

    pvgpu_fw_config_default(cfg);
    for (i = 0; i < cfg->num_engine_classes && i < PVGPU_MAX_ENGINE_CLASSES;
         i++) {
        switch (cfg->engine_class[i]) {
        case PVGPU_ENGINE_CLASS_COPY:
            cfg->slots[i] = s->copy_slots;
            break;
        case PVGPU_ENGINE_CLASS_COMPUTE:
            cfg->slots[i] = s->compute_slots;
            break;
        }
    }
    cfg->num_priorities = s->num_priorities;
    cfg->max_queues = s->max_queues;
    cfg->num_doorbells = s->num_doorbells;
    cfg->va_bits = s->va_bits;
    cfg->page_faults = s->page_faults;
    cfg->timeslice_default_us = s->timeslice_us;
    cfg->watchdog_ms = s->watchdog_ms;
    cfg->preempt_timeout_us = s->preempt_timeout_us;
    cfg->wait_poll_us = s->wait_poll_us;
    cfg->seed = s->seed;
    cfg->guest_inject = s->guest_inject;
}

/* The property behind a field pvgpu_fw_config_check() names, if any. */
static const char *pvgpu_config_property(const char *field)
{
    static const struct {
        const char *field, *prop;
    } map[] = {
        { "slots", "copy-slots or compute-slots" },
        { "num_priorities", "priorities" },
        { "max_queues", "max-queues" },
        { "num_doorbells", "doorbells" },
        { "va_bits", "va-bits" },
        { "timeslice", "timeslice-us" },
        { "watchdog_ms", "watchdog-ms" },
        { "preempt_timeout_us", "preempt-timeout-us" },
        { "wait_poll_us", "wait-poll-us" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (g_str_has_prefix(field, map[i].field)) {
            return map[i].prop;
        }
    }
    return NULL;
}

/* Undo pvgpu_new_backend(): the model first, it may still arm or kick. */
static void pvgpu_free_backend(PvgpuState *s)
{
    if (s->fw) {
        pvgpu_fw_free(s->fw);
        s->fw = NULL;
        s->fw_state = NULL;
        s->queues = NULL;
        s->sched_state = NULL;
    }
    if (s->timer) {
        timer_free(s->timer);
        s->timer = NULL;
    }
    if (s->run_bh) {
        qemu_bh_delete(s->run_bh);
        s->run_bh = NULL;
    }
    g_clear_pointer(&s->virgl, fw_virgl_free);
    s->timer_expired = false;
    s->run_deferred = false;
    s->inject_hang_pending = 0;
    s->inject_crash_pending = false;
    s->inject_unhang_pending = 0;
    s->inject_wedge_pending = 0;
    g_clear_pointer(&s->load_error, g_free);
}

/*
 * backend=virgl: start the worker now, so a host without a usable GL fails
 * the device's creation with the worker's reason rather than the guest's
 * first kernel.
 */
static bool pvgpu_new_virgl(PvgpuState *s, Error **errp)
{
    g_autofree char *err = NULL;
    const char *path = s->virgl_worker;

    if (!s->backend || !strcmp(s->backend, "cpu")) {
        return true;
    }
    if (strcmp(s->backend, "virgl")) {
        error_setg(errp, "pvgpu: backend '%s' is not one of cpu, virgl",
                   s->backend);
        return false;
    }
#ifdef PVGPU_VIRGL_WORKER_PATH
    if (!path || !*path) {
        path = PVGPU_VIRGL_WORKER_PATH;
    }
#endif
    if (!path || !*path) {
        error_setg(errp, "pvgpu: backend=virgl needs virgl-worker=PATH "
                   "(this QEMU was built without virglrenderer)");
        return false;
    }
    if (!s->virgl_timeout_ms || s->virgl_timeout_ms > 60000) {
        error_setg(errp, "pvgpu: virgl-timeout-ms %" PRIu32 " is out of "
                   "range (1..60000)", s->virgl_timeout_ms);
        return false;
    }
    s->virgl = fw_virgl_new(path, s->virgl_timeout_ms, &err);
    if (!s->virgl) {
        error_setg(errp, "pvgpu: backend=virgl: %s", err);
        return false;
    }
    trace_pvgpu_virgl_started(fw_virgl_renderer(s->virgl));
    pvgpu_fw_set_virgl(s->fw, s->virgl);
    return true;
}

/*
 * The bottom half and the timer exist before the model: creating it resets
 * it, and a reset may arm the timer or kick.
 */
static bool pvgpu_new_backend(PvgpuState *s, const PvgpuFwConfig *cfg,
                              Error **errp)
{
    uint32_t n;

    s->run_bh = qemu_bh_new_guarded(pvgpu_run_bh, s,
                                    &DEVICE(s)->mem_reentrancy_guard);
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, pvgpu_timer_cb, s);
    s->fw = pvgpu_fw_new(cfg, &pvgpu_platform, s);
    if (!s->fw) {
        error_setg(errp, "pvgpu: cannot create the firmware model");
        pvgpu_free_backend(s);
        return false;
    }
    if (!pvgpu_new_virgl(s, errp)) {
        pvgpu_free_backend(s);
        return false;
    }
    s->fw_state = pvgpu_fw_state(s->fw);
    s->queues = pvgpu_fw_queue_states(s->fw, &n);
    assert(n == s->max_queues);
    s->sched_state = pvgpu_fw_sched_state(s->fw);
    return true;
}

/*
 * The PCI Express capability, with the errors of pcie_cap_init() passed
 * on (pcie_endpoint_cap_init() only prints them). The port type is chosen
 * as pcie_endpoint_cap_init() does: a root complex integrated endpoint on
 * a root bus, else an endpoint.
 */
static bool pvgpu_pcie_cap_init(PCIDevice *pdev, Error **errp)
{
    PCIBus *bus = pci_get_bus(pdev);
    uint8_t type = PCI_EXP_TYPE_ENDPOINT;

    if (pci_bus_is_express(bus) && pci_bus_is_root(bus)) {
        type = PCI_EXP_TYPE_RC_END;
    }
    if (pcie_cap_init(pdev, 0, type, 0, errp) < 0) {
        error_prepend(errp, "pvgpu: cannot add the PCI Express capability: ");
        return false;
    }
    return true;
}

static void pvgpu_realize(PCIDevice *pdev, Error **errp)
{
    ERRP_GUARD();
    PvgpuState *s = PVGPU(pdev);
    PvgpuFwConfig cfg;
    const char *bad;
    unsigned int v;

    pvgpu_build_config(s, &cfg);
    bad = pvgpu_fw_config_check(&cfg);
    if (bad) {
        const char *prop = pvgpu_config_property(bad);

        if (prop) {
            error_setg(errp, "pvgpu: invalid device shape: %s (property %s)",
                       bad, prop);
        } else {
            error_setg(errp, "pvgpu: invalid device shape: %s", bad);
        }
        error_append_hint(errp, "See -device pvgpu,help for the ranges.\n");
        return;
    }

    if (!pvgpu_new_backend(s, &cfg, errp)) {
        return;
    }

    /* No INTx (interrupt pin 0): the device signals MSI-X only. */
    if (pci_is_express(pdev) && !pvgpu_pcie_cap_init(pdev, errp)) {
        goto fail_backend;
    }

    memory_region_init(&s->bar0, OBJECT(s), "pvgpu-bar0", PVGPU_BAR0_SIZE);
    memory_region_init_io(&s->regs, OBJECT(s), &pvgpu_regs_ops, s,
                          "pvgpu-regs", PVGPU_REGS_REGION_SIZE);
    memory_region_add_subregion(&s->bar0, 0, &s->regs);

    memory_region_init_io(&s->doorbells, OBJECT(s), &pvgpu_doorbell_ops, s,
                          "pvgpu-doorbells",
                          (uint64_t)s->num_doorbells *
                          PVGPU_DOORBELL_PAGE_SIZE);

    /* msix_init() changes nothing when it fails. */
    if (msix_init(pdev, PVGPU_MSIX_VECTORS,
                  &s->bar0, PVGPU_BAR_REGS, PVGPU_MSIX_TABLE_OFFSET,
                  &s->bar0, PVGPU_BAR_REGS, PVGPU_MSIX_PBA_OFFSET,
                  0, errp) < 0) {
        error_prepend(errp, "pvgpu: cannot set up MSI-X: ");
        goto fail_pcie;
    }
    for (v = 0; v < PVGPU_MSIX_VECTORS; v++) {
        msix_vector_use(pdev, v);
    }

    pci_register_bar(pdev, PVGPU_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->bar0);
    pci_register_bar(pdev, PVGPU_BAR_DOORBELLS,
                     PCI_BASE_ADDRESS_SPACE_MEMORY, &s->doorbells);
    s->vmstate_change = qemu_add_vm_change_state_handler(pvgpu_vm_state_change,
                                                         s);
    return;

fail_pcie:
    /*
     * The memory regions are the device's QOM children: they go with it.
     * The capability is only removed by pvgpu_exit(), which a device that
     * failed to realize never gets.
     */
    if (pci_is_express(pdev)) {
        pcie_cap_exit(pdev);
    }
fail_backend:
    pvgpu_free_backend(s);
}

static void pvgpu_exit(PCIDevice *pdev)
{
    PvgpuState *s = PVGPU(pdev);

    if (s->vmstate_change) {
        qemu_del_vm_change_state_handler(s->vmstate_change);
        s->vmstate_change = NULL;
    }
    msix_uninit(pdev, &s->bar0, &s->bar0);
    if (pci_is_express(pdev)) {
        pcie_cap_exit(pdev);
    }
    pvgpu_free_backend(s);
    /* Left by a load that failed before post_load. */
    g_clear_pointer(&s->mig_as, g_free);
    g_clear_pointer(&s->mig_queues, g_free);
}

/*
 * Hybrid conventional/express device: a PCIe capability (and 4 KiB of
 * config space) when plugged into a PCI Express bus, as virtio-pci does.
 */
static void pvgpu_dc_realize(DeviceState *dev, Error **errp)
{
    PvgpuClass *pc = PVGPU_GET_CLASS(dev);
    PCIDevice *pdev = PCI_DEVICE(dev);
    BusState *bus = qdev_get_parent_bus(dev);

    if (bus && pci_bus_is_express(PCI_BUS(bus))) {
        pdev->cap_present |= QEMU_PCI_CAP_EXPRESS;
    }
    pc->parent_dc_realize(dev, errp);
}

static void pvgpu_reset_hold(Object *obj, ResetType type)
{
    PvgpuState *s = PVGPU(obj);

    trace_pvgpu_reset();
    if (!s->fw) {
        return;
    }
    qemu_bh_cancel(s->run_bh);
    timer_del(s->timer);
    s->timer_expired = false;
    s->run_deferred = false;
    /* A device reset clears every injection (docs/fault-injection.rst). */
    s->inject_hang_pending = 0;
    s->inject_crash_pending = false;
    s->inject_unhang_pending = 0;
    s->inject_wedge_pending = 0;
    pvgpu_fw_reset(s->fw);
}

/* --- Migration --------------------------------------------------------- */

static void pvgpu_mig_records_free(PvgpuState *s)
{
    g_clear_pointer(&s->mig_as, g_free);
    g_clear_pointer(&s->mig_queues, g_free);
    s->mig_num_as = 0;
    s->mig_num_queues = 0;
}

static int pvgpu_pre_save(void *opaque)
{
    PvgpuState *s = opaque;
    uint32_t n;

    s->mig_page_faults = s->page_faults;
    pvgpu_mig_records_free(s);
    s->mig_as = pvgpu_fw_save_address_spaces(s->fw, &n);
    s->mig_num_as = n;
    s->mig_queues = pvgpu_fw_save_queues(s->fw, &n);
    s->mig_num_queues = n;
    return 0;
}

static int pvgpu_post_save(void *opaque)
{
    pvgpu_mig_records_free(opaque);
    return 0;
}

/*
 * The stream is about to overwrite the model's state in place: until
 * pvgpu_post_load() accepts it, the model trusts nothing it derived from
 * the old state (a load that fails half way is cleared by the next reset).
 */
static int pvgpu_pre_load(void *opaque)
{
    PvgpuState *s = opaque;

    pvgpu_mig_records_free(s);
    pvgpu_fw_pre_load(s->fw);
    return 0;
}

/*
 * Between each count and its records (VMSTATE_VALIDATE): the load
 * allocates the records by the count, so a count the device cannot hold
 * is refused before it is used. Ids and entries are the model's to check
 * (pvgpu_fw_load_queues() and _address_spaces(), from post_load).
 */
static bool pvgpu_mig_num_as_valid(void *opaque, int version_id)
{
    PvgpuState *s = opaque;
    uint32_t max = pvgpu_fw_config(s->fw)->max_address_spaces;

    if (s->mig_num_as < 0 || (uint32_t)s->mig_num_as > max) {
        error_report("pvgpu: migration: %d address spaces, the device has "
                     "%u", s->mig_num_as, max);
        return false;
    }
    return true;
}

static bool pvgpu_mig_num_queues_valid(void *opaque, int version_id)
{
    PvgpuState *s = opaque;

    /* max_queues was checked equal to the source's. */
    if (s->mig_num_queues < 0 ||
        (uint32_t)s->mig_num_queues > s->max_queues) {
        error_report("pvgpu: migration: %d queues, the device has %u",
                     s->mig_num_queues, s->max_queues);
        return false;
    }
    return true;
}

/*
 * Runs while the VM is not running (incoming migration): whatever the model
 * restarts (kick, timer) waits for the VM to run, see pvgpu_run_bh().
 * A refusal is reported once, as a migration error; the model's own
 * explanation (a guest error otherwise) becomes its text.
 */
static int pvgpu_post_load(void *opaque, int version_id)
{
    PvgpuState *s = opaque;
    g_autofree char *why = NULL;
    int ret;

    if (s->mig_page_faults != s->page_faults) {
        error_report("pvgpu: migration: page-faults=%s on the source, "
                     "%s here", s->mig_page_faults ? "on" : "off",
                     s->page_faults ? "on" : "off");
        return -EINVAL;
    }
    if ((s->inject_hang_pending | s->inject_unhang_pending |
         s->inject_wedge_pending) >>
        pvgpu_fw_config(s->fw)->num_engine_classes) {
        error_report("pvgpu: migration: pending engine hang names a missing "
                     "engine class");
        return -EINVAL;
    }
    if (s->inject_hang_pending || s->inject_crash_pending ||
        s->inject_unhang_pending || s->inject_wedge_pending) {
        /* Applied by run_bh once the VM runs. */
        qemu_bh_schedule(s->run_bh);
    }
    /*
     * pvgpu_fw_post_load() re-arms the timer from the loaded deadlines: an
     * expiry seen here before the load is stale.
     */
    s->timer_expired = false;
    s->loading = true;
    ret = pvgpu_fw_load_address_spaces(s->fw, s->mig_as, s->mig_num_as);
    if (!ret) {
        ret = pvgpu_fw_load_queues(s->fw, s->mig_queues, s->mig_num_queues);
    }
    if (!ret) {
        ret = pvgpu_fw_post_load(s->fw);
    }
    s->loading = false;
    pvgpu_mig_records_free(s);
    why = g_steal_pointer(&s->load_error);
    if (ret) {
        /* The model's text says "migrated firmware state rejected: ..." */
        error_report("pvgpu: %s",
                     why ? why : "migrated firmware state rejected");
        return -EINVAL;
    }
    if (why) {
        /* Accepted, yet the model had something to say. */
        qemu_log_mask(LOG_GUEST_ERROR, "pvgpu: %s\n", why);
    }
    return 0;
}

/* A GPU address space (mmu.c); post_load checks them. */
static const VMStateDescription vmstate_pvgpu_as = {
    .name = "pvgpu/as",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(pt_root, PvgpuFwAs),
        VMSTATE_UINT32(flags, PvgpuFwAs),
        VMSTATE_UINT32(bound, PvgpuFwAs),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_pvgpu_fw = {
    .name = "pvgpu/fw",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(irq_status, PvgpuFwState),
        VMSTATE_UINT32(irq_mask, PvgpuFwState),
        VMSTATE_UINT32(fw_status, PvgpuFwState),
        VMSTATE_UINT32(fw_error, PvgpuFwState),
        VMSTATE_UINT32(scratch, PvgpuFwState),
        VMSTATE_UINT32(timestamp_hi_latch, PvgpuFwState),
        VMSTATE_UINT32(boot_desc_lo, PvgpuFwState),
        VMSTATE_UINT32(boot_desc_hi, PvgpuFwState),
        VMSTATE_UINT32(log_level, PvgpuFwState),
        VMSTATE_UINT32(h2f_pending, PvgpuFwState),
        VMSTATE_UINT32(boot_pending, PvgpuFwState),
        VMSTATE_UINT32(f2h_event_seqno, PvgpuFwState),
        VMSTATE_UINT32(log_write_offset, PvgpuFwState),
        VMSTATE_UINT32(log_wrap_count, PvgpuFwState),
        VMSTATE_UINT64(h2f_desc, PvgpuFwState),
        VMSTATE_UINT64(h2f_base, PvgpuFwState),
        VMSTATE_UINT64(f2h_desc, PvgpuFwState),
        VMSTATE_UINT64(f2h_base, PvgpuFwState),
        VMSTATE_UINT64(log_base, PvgpuFwState),
        VMSTATE_UINT64(caps_base, PvgpuFwState),
        VMSTATE_UINT32(h2f_size, PvgpuFwState),
        VMSTATE_UINT32(f2h_size, PvgpuFwState),
        VMSTATE_UINT32(log_size, PvgpuFwState),
        VMSTATE_UINT32(caps_size, PvgpuFwState),
        /* as[]: the bound ones only, vmstate_pvgpu_as_record below. */
        VMSTATE_END_OF_LIST()
    },
};

/* A bound address space, tagged with its asid (pvgpu_fw_migrate.h). */
static const VMStateDescription vmstate_pvgpu_as_record = {
    .name = "pvgpu/as-record",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(asid, PvgpuFwAsRecord),
        VMSTATE_STRUCT(as, PvgpuFwAsRecord, 1, vmstate_pvgpu_as, PvgpuFwAs),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_pvgpu_fault = {
    .name = "pvgpu/fault",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(va, FwFault),
        VMSTATE_UINT32(access, FwFault),
        VMSTATE_UINT32(reason, FwFault),
        VMSTATE_END_OF_LIST()
    },
};

/* A queue's execution context (engine.h): where it is in its commands. */
static const VMStateDescription vmstate_pvgpu_exec_ctx = {
    .name = "pvgpu/exec-ctx",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(asid, FwExecCtx),
        VMSTATE_UINT32(engine_class, FwExecCtx),
        VMSTATE_UINT64(ring_addr, FwExecCtx),
        VMSTATE_UINT32(ring_size, FwExecCtx),
        VMSTATE_UINT32(privileged, FwExecCtx),
        VMSTATE_UINT64(rptr_addr, FwExecCtx),
        VMSTATE_UINT64(wptr_addr, FwExecCtx),
        VMSTATE_UINT64(fence_addr, FwExecCtx),
        VMSTATE_UINT32(rptr, FwExecCtx),
        VMSTATE_UINT32(batch_depth, FwExecCtx),
        VMSTATE_UINT64_ARRAY(batch_pc, FwExecCtx, FW_MAX_BATCH_DEPTH),
        VMSTATE_UINT32(batch_cmds, FwExecCtx),
        VMSTATE_UINT64(cmd_progress, FwExecCtx),
        VMSTATE_UINT64(delay_until_ns, FwExecCtx),
        VMSTATE_UINT64(delay_remaining_ns, FwExecCtx),
        VMSTATE_UINT32(delay_flags, FwExecCtx),
        VMSTATE_UINT64(commands_done, FwExecCtx),
        VMSTATE_UINT64(retired, FwExecCtx),
        VMSTATE_STRUCT(fault, FwExecCtx, 1, vmstate_pvgpu_fault, FwFault),
        VMSTATE_UINT32(error, FwExecCtx),
        VMSTATE_UINT64(error_addr, FwExecCtx),
        VMSTATE_UINT32(error_dw0, FwExecCtx),
        VMSTATE_END_OF_LIST()
    },
};

/* One entry of the queue table; post_load checks them all. */
static const VMStateDescription vmstate_pvgpu_queue = {
    .name = "pvgpu/queue",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(registered, PvgpuFwQueueState),
        VMSTATE_UINT32(state, PvgpuFwQueueState),
        VMSTATE_UINT32(flags, PvgpuFwQueueState),
        VMSTATE_UINT32(priority, PvgpuFwQueueState),
        VMSTATE_UINT32(timeslice_us, PvgpuFwQueueState),
        VMSTATE_UINT32(doorbell, PvgpuFwQueueState),
        VMSTATE_UINT32(slot, PvgpuFwQueueState),
        VMSTATE_UINT32(exec_status, PvgpuFwQueueState),
        VMSTATE_UINT32(fault_seqno, PvgpuFwQueueState),
        VMSTATE_UINT32(reserved, PvgpuFwQueueState),
        VMSTATE_UINT64(run_seq, PvgpuFwQueueState),
        VMSTATE_UINT64(resident_since_ns, PvgpuFwQueueState),
        VMSTATE_UINT64(preempt_deadline_ns, PvgpuFwQueueState),
        VMSTATE_UINT64(wd_since_ns, PvgpuFwQueueState),
        VMSTATE_UINT64(wd_accum_ns, PvgpuFwQueueState),
        VMSTATE_UINT64(wd_commands, PvgpuFwQueueState),
        VMSTATE_UINT64(busy_ns, PvgpuFwQueueState),
        VMSTATE_UINT64(preemptions, PvgpuFwQueueState),
        VMSTATE_STRUCT(ctx, PvgpuFwQueueState, 1, vmstate_pvgpu_exec_ctx,
                       FwExecCtx),
        VMSTATE_END_OF_LIST()
    },
};

/* A registered queue, tagged with its id (pvgpu_fw_migrate.h). */
static const VMStateDescription vmstate_pvgpu_queue_record = {
    .name = "pvgpu/queue-record",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(id, PvgpuFwQueueRecord),
        VMSTATE_STRUCT(q, PvgpuFwQueueRecord, 1, vmstate_pvgpu_queue,
                       PvgpuFwQueueState),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * Wedged engine classes (x-inject-wedge-engine): sent only while one is,
 * so a stream without one loads on a device that does not know wedges,
 * and a device that does not know them refuses one that has some.
 * pvgpu_fw_post_load() checks the mask.
 */
static bool pvgpu_sched_wedge_needed(void *opaque)
{
    PvgpuFwSchedState *st = opaque;

    return st->wedge_mask != 0;
}

static const VMStateDescription vmstate_pvgpu_sched_wedge = {
    .name = "pvgpu/sched/wedge",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pvgpu_sched_wedge_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(wedge_mask, PvgpuFwSchedState),
        VMSTATE_END_OF_LIST()
    },
};

/* The scheduler's global state, fault injection included. */
static const VMStateDescription vmstate_pvgpu_sched = {
    .name = "pvgpu/sched",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(run_seq, PvgpuFwSchedState),
        VMSTATE_UINT64(next_poll_ns, PvgpuFwSchedState),
        VMSTATE_UINT64(prng, PvgpuFwSchedState),
        VMSTATE_UINT64(irq_delay_ns, PvgpuFwSchedState),
        VMSTATE_UINT64(irq_due_ns, PvgpuFwSchedState),
        VMSTATE_UINT32(poll_now, PvgpuFwSchedState),
        VMSTATE_UINT32(hang_mask, PvgpuFwSchedState),
        VMSTATE_UINT32(drop_doorbells, PvgpuFwSchedState),
        VMSTATE_UINT32(lose_irqs, PvgpuFwSchedState),
        VMSTATE_UINT32(fail_fault_replies, PvgpuFwSchedState),
        VMSTATE_UINT32(drop_doorbell_ppm, PvgpuFwSchedState),
        VMSTATE_UINT32(lose_irq_ppm, PvgpuFwSchedState),
        /*
         * Was 'reserved', always 0 (post-load refused anything else): a
         * stream from before x-inject-drop-fault-events loads as "none to
         * drop", and a device that does not know it refuses a stream with
         * some pending. So the layout and the version stay as they are.
         */
        VMSTATE_UINT32(drop_fault_events, PvgpuFwSchedState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_pvgpu_sched_wedge,
        NULL
    },
};

/* Injections set while the VM was stopped, not applied yet. */
static bool pvgpu_inject_pending_needed(void *opaque)
{
    PvgpuState *s = opaque;

    return s->inject_hang_pending || s->inject_crash_pending;
}

static const VMStateDescription vmstate_pvgpu_inject_pending = {
    .name = "pvgpu/inject-pending",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pvgpu_inject_pending_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(inject_hang_pending, PvgpuState),
        VMSTATE_BOOL(inject_crash_pending, PvgpuState),
        VMSTATE_END_OF_LIST()
    },
};

/* The same for engine unhangs and wedges (own subsection: compatible). */
static bool pvgpu_inject_pending_engines_needed(void *opaque)
{
    PvgpuState *s = opaque;

    return s->inject_unhang_pending || s->inject_wedge_pending;
}

static const VMStateDescription vmstate_pvgpu_inject_pending_engines = {
    .name = "pvgpu/inject-pending-engines",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pvgpu_inject_pending_engines_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(inject_unhang_pending, PvgpuState),
        VMSTATE_UINT32(inject_wedge_pending, PvgpuState),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_pvgpu = {
    .name = "pvgpu",
    /*
     * 2: the queue table and the scheduler's state.
     * 3: no QEMUTimer: every deadline is in the firmware state (device
     *    clock) and pvgpu_fw_post_load() re-arms the timer for the first
     *    one (fw_timer_update()), which made the migrated timer redundant.
     * 4: privileged queues: every execution context carries privileged
     *    and fence_addr (interface 1.2).
     * 5: user queues' progress blocks (retired), and rptr passes a ring
     *    BATCH_CALL only when its batch returned: a version-4 context
     *    saved inside a batch has rptr past the call already, so it is
     *    refused rather than misread.
     * 6: the stream carries the registered queues and the bound address
     *    spaces only, as records tagged with their index, instead of the
     *    whole tables (max_queues entries of 304 bytes, 19.9 MB at
     *    max-queues=65536, and 256 of 16 bytes). A version-5 stream is
     *    refused.
     */
    .version_id = 6,
    .minimum_version_id = 6,
    .pre_save = pvgpu_pre_save,
    .post_save = pvgpu_post_save,
    .pre_load = pvgpu_pre_load,
    .post_load = pvgpu_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, PvgpuState),
        VMSTATE_MSIX(parent_obj, PvgpuState),
        /* The shape must match on both sides. */
        VMSTATE_UINT32_EQUAL(copy_slots, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(compute_slots, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(num_priorities, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(max_queues, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(num_doorbells, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(va_bits, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(timeslice_us, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(watchdog_ms, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(preempt_timeout_us, PvgpuState, NULL),
        VMSTATE_UINT32_EQUAL(wait_poll_us, PvgpuState, NULL),
        VMSTATE_BOOL(mig_page_faults, PvgpuState),
        VMSTATE_STRUCT_POINTER(fw_state, PvgpuState, vmstate_pvgpu_fw,
                               PvgpuFwState),
        /* Records, not tables: each count is checked before its load. */
        VMSTATE_INT32(mig_num_as, PvgpuState),
        VMSTATE_VALIDATE("address-space count", pvgpu_mig_num_as_valid),
        VMSTATE_STRUCT_VARRAY_ALLOC(mig_as, PvgpuState, mig_num_as, 1,
                                    vmstate_pvgpu_as_record,
                                    PvgpuFwAsRecord),
        VMSTATE_INT32(mig_num_queues, PvgpuState),
        VMSTATE_VALIDATE("queue count", pvgpu_mig_num_queues_valid),
        VMSTATE_STRUCT_VARRAY_ALLOC(mig_queues, PvgpuState, mig_num_queues,
                                    1, vmstate_pvgpu_queue_record,
                                    PvgpuFwQueueRecord),
        VMSTATE_STRUCT_POINTER(sched_state, PvgpuState, vmstate_pvgpu_sched,
                               PvgpuFwSchedState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_pvgpu_inject_pending,
        &vmstate_pvgpu_inject_pending_engines,
        NULL
    },
};

/* --- Fault injection over QOM (docs/fault-injection.rst) ------------- */

/*
 * Counted and probabilistic injections: read/write, the value read is
 * what is left (counts go down as they are used). They only change the
 * scheduler's migrated state (PvgpuFwSchedState) and kick run_bh, so they
 * take effect at once, also while the VM is stopped.
 */
typedef struct PvgpuInjectProp {
    const char *name;
    PvgpuFwInject what;
    uint64_t max;
    size_t offset;              /* in PvgpuFwSchedState */
    size_t size;                /* 4 or 8 */
    const char *desc;
} PvgpuInjectProp;

#define INJ_FIELD(f) offsetof(PvgpuFwSchedState, f), \
                     sizeof(((PvgpuFwSchedState *)0)->f)

static const PvgpuInjectProp pvgpu_inject_props[] = {
    { "x-inject-drop-doorbells", PVGPU_FW_INJECT_DROP_DOORBELLS, UINT32_MAX,
      INJ_FIELD(drop_doorbells),
      "fault injection: ignore the next N queue doorbells (reads: left)" },
    { "x-inject-lose-irqs", PVGPU_FW_INJECT_LOSE_IRQS, UINT32_MAX,
      INJ_FIELD(lose_irqs),
      "fault injection: the next N interrupts set IRQ_STATUS but send no "
      "MSI-X message (reads: left)" },
    { "x-inject-delay-irqs-ns", PVGPU_FW_INJECT_DELAY_IRQS, 10000000000ull,
      INJ_FIELD(irq_delay_ns),
      "fault injection: deliver every interrupt N ns late "
      "(0..10000000000, 0 = on time)" },
    { "x-inject-fail-fault-replies", PVGPU_FW_INJECT_FAIL_FAULT_REPLIES,
      UINT32_MAX, INJ_FIELD(fail_fault_replies),
      "fault injection: treat the next N PAGE_FAULT_REPLYs as FAIL "
      "(reads: left)" },
    { "x-inject-drop-fault-events", PVGPU_FW_INJECT_DROP_FAULT_EVENTS,
      UINT32_MAX, INJ_FIELD(drop_fault_events),
      "fault injection: lose the next N PAGE_FAULT events: the queue still "
      "stalls, QUEUE_QUERY shows the fault (reads: left)" },
    { "x-inject-drop-doorbell-ppm", PVGPU_FW_INJECT_DROP_DOORBELL_PPM, 1000000,
      INJ_FIELD(drop_doorbell_ppm),
      "fault injection: drop each queue doorbell with probability "
      "N / 1000000 (PRNG seeded by 'x-seed')" },
    { "x-inject-lose-irq-ppm", PVGPU_FW_INJECT_LOSE_IRQ_PPM, 1000000,
      INJ_FIELD(lose_irq_ppm),
      "fault injection: lose each interrupt with probability N / 1000000 "
      "(PRNG seeded by 'x-seed')" },
};

/* Injections act on the running model: none before realize. */
static bool pvgpu_inject_check_realized(PvgpuState *s, const char *name,
                                        Error **errp)
{
    if (!s->fw) {
        error_setg(errp, "pvgpu: %s can only be set at run time (qom-set) "
                   "on a realized device", name);
        return false;
    }
    return true;
}

static void pvgpu_inject_get(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    PvgpuState *s = PVGPU(obj);
    const PvgpuInjectProp *ip = opaque;
    uint64_t val = 0;

    if (s->sched_state) {
        const uint8_t *f = (const uint8_t *)s->sched_state + ip->offset;

        if (ip->size == 8) {
            val = *(const uint64_t *)f;
        } else {
            val = *(const uint32_t *)f;
        }
    }
    visit_type_uint64(v, name, &val, errp);
}

static void pvgpu_inject_set(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    PvgpuState *s = PVGPU(obj);
    const PvgpuInjectProp *ip = opaque;
    uint64_t val;
    int ret;

    if (!visit_type_uint64(v, name, &val, errp)) {
        return;
    }
    if (!pvgpu_inject_check_realized(s, name, errp)) {
        return;
    }
    if (val > ip->max) {
        trace_pvgpu_inject(name, val, -1);
        error_setg(errp, "pvgpu: %s: %" PRIu64 " is out of range "
                   "(0..%" PRIu64 ")", name, val, ip->max);
        return;
    }
    /* Latches the value and kicks run_bh: no DMA, no interrupt here. */
    ret = pvgpu_fw_inject(s->fw, ip->what, val);
    trace_pvgpu_inject(name, val, ret);
    if (ret < 0) {
        error_setg(errp, "pvgpu: %s: the firmware refused %" PRIu64,
                   name, val);
    }
}

/* What a write-only engine-class property asks for (its opaque). */
typedef enum PvgpuEngineInject {
    PVGPU_ENGINE_INJECT_HANG,
    PVGPU_ENGINE_INJECT_UNHANG,
    PVGPU_ENGINE_INJECT_WEDGE,
} PvgpuEngineInject;

/*
 * x-inject-hang-engine, x-inject-unhang-engine, x-inject-wedge-engine:
 * write-only, an engine class (PVGPU_ENGINE_CLASS_*: 0 COPY, 1 COMPUTE).
 * Checked here, applied by run_bh (pvgpu_inject_apply()).
 */
static void pvgpu_inject_engine_set(Object *obj, Visitor *v, const char *name,
                                    void *opaque, Error **errp)
{
    PvgpuState *s = PVGPU(obj);
    PvgpuEngineInject kind = GPOINTER_TO_UINT(opaque);
    const PvgpuFwConfig *cfg;
    uint32_t cls, c;

    if (!visit_type_uint32(v, name, &cls, errp)) {
        return;
    }
    if (!pvgpu_inject_check_realized(s, name, errp)) {
        return;
    }
    cfg = pvgpu_fw_config(s->fw);
    for (c = 0; c < cfg->num_engine_classes; c++) {
        if (cfg->engine_class[c] == cls) {
            break;
        }
    }
    if (c == cfg->num_engine_classes) {
        trace_pvgpu_inject(name, cls, -1);
        error_setg(errp, "pvgpu: %s: no engine class %" PRIu32, name, cls);
        error_append_hint(errp, "Engine classes: 0 (copy), 1 (compute).\n");
        return;
    }
    switch (kind) {
    case PVGPU_ENGINE_INJECT_HANG:
        s->inject_hang_pending |= 1u << c;
        break;
    case PVGPU_ENGINE_INJECT_UNHANG:
        /* Ends what was asked before it, as if applied in order. */
        s->inject_hang_pending &= ~(1u << c);
        s->inject_wedge_pending &= ~(1u << c);
        s->inject_unhang_pending |= 1u << c;
        break;
    case PVGPU_ENGINE_INJECT_WEDGE:
        s->inject_wedge_pending |= 1u << c;
        break;
    }
    trace_pvgpu_inject(name, cls, 0);
    qemu_bh_schedule(s->run_bh);
}

/* x-hung-engines: read-only, the classes hung now (bit = class index). */
static void pvgpu_hung_engines_get(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    PvgpuState *s = PVGPU(obj);
    uint32_t mask = s->fw ? pvgpu_fw_hung_engines(s->fw) : 0;

    visit_type_uint32(v, name, &mask, errp);
}

/* x-inject-crash: write-only, true halts the firmware (FW_ERROR CRASHED). */
static void pvgpu_inject_crash_set(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    PvgpuState *s = PVGPU(obj);
    bool crash;

    if (!visit_type_bool(v, name, &crash, errp)) {
        return;
    }
    if (!pvgpu_inject_check_realized(s, name, errp)) {
        return;
    }
    if (!crash) {
        trace_pvgpu_inject(name, 0, -1);
        error_setg(errp, "pvgpu: %s: only true (crash the firmware) can be "
                   "written", name);
        return;
    }
    s->inject_crash_pending = true;
    trace_pvgpu_inject(name, 1, 0);
    qemu_bh_schedule(s->run_bh);
}

/*
 * x-inject-backend-gl-error, x-inject-backend-hang: write-only, true makes
 * the virgl worker's next kernel chunk fail in virglrenderer, or the worker
 * stop answering (then the chunk misses virgl-timeout-ms). Either fails the
 * queue that runs it with PVGPU_QUEUE_ERR_BACKEND; the next chunk runs on a
 * fresh worker where needed.
 */
static void pvgpu_inject_backend_set(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    PvgpuState *s = PVGPU(obj);
    uint32_t op = GPOINTER_TO_UINT(opaque);
    bool on;

    if (!visit_type_bool(v, name, &on, errp)) {
        return;
    }
    if (!pvgpu_inject_check_realized(s, name, errp)) {
        return;
    }
    if (!s->virgl) {
        error_setg(errp, "pvgpu: %s needs backend=virgl", name);
        return;
    }
    if (!on) {
        error_setg(errp, "pvgpu: %s: only true can be written", name);
        return;
    }
    if (!fw_virgl_inject(s->virgl, op)) {
        error_setg(errp, "pvgpu: %s: the virgl worker did not take it", name);
        return;
    }
    trace_pvgpu_inject(name, 1, 0);
}

static void pvgpu_inject_class_init(ObjectClass *klass)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(pvgpu_inject_props); i++) {
        const PvgpuInjectProp *ip = &pvgpu_inject_props[i];

        object_class_property_add(klass, ip->name, "uint64",
                                  pvgpu_inject_get, pvgpu_inject_set, NULL,
                                  (void *)ip);
        object_class_property_set_description(klass, ip->name, ip->desc);
    }
    object_class_property_add(klass, "x-inject-hang-engine", "uint32",
                              NULL, pvgpu_inject_engine_set, NULL,
                              GUINT_TO_POINTER(PVGPU_ENGINE_INJECT_HANG));
    object_class_property_set_description(klass, "x-inject-hang-engine",
        "fault injection (write-only): engine class N (0 copy, 1 compute) "
        "hangs until the watchdog or a preemption timeout resets it");
    object_class_property_add(klass, "x-inject-unhang-engine", "uint32",
                              NULL, pvgpu_inject_engine_set, NULL,
                              GUINT_TO_POINTER(PVGPU_ENGINE_INJECT_UNHANG));
    object_class_property_set_description(klass, "x-inject-unhang-engine",
        "fault injection (write-only): engine class N hangs no more "
        "(injected hang or wedge); it goes on where it stopped");
    object_class_property_add(klass, "x-inject-wedge-engine", "uint32",
                              NULL, pvgpu_inject_engine_set, NULL,
                              GUINT_TO_POINTER(PVGPU_ENGINE_INJECT_WEDGE));
    object_class_property_set_description(klass, "x-inject-wedge-engine",
        "fault injection (write-only): engine class N hangs, and queue "
        "resets do not end it: only a firmware or device reset, or "
        "x-inject-unhang-engine");
    object_class_property_add(klass, "x-hung-engines", "uint32",
                              pvgpu_hung_engines_get, NULL, NULL, NULL);
    object_class_property_set_description(klass, "x-hung-engines",
        "fault injection (read-only): bitmask of the engine classes hung "
        "now, bit = class index (bit 0 copy, bit 1 compute)");
    object_class_property_add(klass, "x-inject-backend-gl-error", "bool",
                              NULL, pvgpu_inject_backend_set, NULL,
                              GUINT_TO_POINTER(PVGPU_VW_OP_INJECT_GL_ERROR));
    object_class_property_set_description(klass, "x-inject-backend-gl-error",
        "fault injection (write-only, backend=virgl): the next kernel chunk "
        "fails in virglrenderer (queue error BACKEND, GL)");
    object_class_property_add(klass, "x-inject-backend-hang", "bool",
                              NULL, pvgpu_inject_backend_set, NULL,
                              GUINT_TO_POINTER(PVGPU_VW_OP_INJECT_HANG));
    object_class_property_set_description(klass, "x-inject-backend-hang",
        "fault injection (write-only, backend=virgl): the virgl worker stops "
        "answering; the next kernel chunk times out (queue error BACKEND, "
        "TIMEOUT) and a new worker takes over");
    object_class_property_add(klass, "x-inject-crash", "bool",
                              NULL, pvgpu_inject_crash_set, NULL, NULL);
    object_class_property_set_description(klass, "x-inject-crash",
        "fault injection (write-only): true halts the firmware "
        "(FW_STATUS HALTED, FW_ERROR CRASHED)");
}

/* --- QOM --------------------------------------------------------------- */

/* The device's shape: names, types and defaults from PVGPU_FW_CONFIG_TABLE. */
#define PVGPU_PROP(field, type, prop, member, def, min, max) \
    DEFINE_PROP_##type(prop, PvgpuState, field, def),
static const Property pvgpu_properties[] = {
    PVGPU_FW_CONFIG_TABLE(PVGPU_PROP)
    DEFINE_PROP_BOOL("x-doorbell-inline", PvgpuState, doorbell_inline, true),
    DEFINE_PROP_STRING("backend", PvgpuState, backend),
    DEFINE_PROP_STRING("virgl-worker", PvgpuState, virgl_worker),
    DEFINE_PROP_UINT32("virgl-timeout-ms", PvgpuState, virgl_timeout_ms, 1000),
};
#undef PVGPU_PROP

static void pvgpu_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    PvgpuClass *pc = PVGPU_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = pvgpu_realize;
    k->exit = pvgpu_exit;
    k->vendor_id = PVGPU_PCI_VENDOR_ID;
    k->device_id = PVGPU_PCI_DEVICE_ID;
    k->revision = PVGPU_PCI_REVISION;
    k->class_id = PVGPU_PCI_CLASS;

    device_class_set_parent_realize(dc, pvgpu_dc_realize,
                                    &pc->parent_dc_realize);
    rc->phases.hold = pvgpu_reset_hold;
    dc->vmsd = &vmstate_pvgpu;
    dc->desc = "pvgpu paravirtual GPU (firmware-scheduled queues)";
    device_class_set_props(dc, pvgpu_properties);
    object_class_property_set_description(klass, "copy-slots",
        "hardware slots of the copy engine class (1..64)");
    object_class_property_set_description(klass, "compute-slots",
        "hardware slots of the compute engine class (1..64)");
    object_class_property_set_description(klass, "priorities",
        "queue priority levels, the highest is realtime (2..8)");
    object_class_property_set_description(klass, "max-queues",
        "queues the firmware can hold registered (1..65536)");
    object_class_property_set_description(klass, "doorbells",
        "4 KiB doorbell pages in BAR2, incl. the kernel's group 0 "
        "(power of two, 2..1024)");
    object_class_property_set_description(klass, "va-bits",
        "GPU virtual address width (32..57)");
    object_class_property_set_description(klass, "page-faults",
        "recoverable GPU page faults");
    object_class_property_set_description(klass, "timeslice-us",
        "default scheduling quantum in microseconds (100..100000)");
    object_class_property_set_description(klass, "watchdog-ms",
        "reset a queue that makes no progress for this long "
        "(0..3600000, 0 = off)");
    object_class_property_set_description(klass, "preempt-timeout-us",
        "reset a queue that does not leave its slot this long after "
        "being asked (1..10000000)");
    object_class_property_set_description(klass, "wait-poll-us",
        "how often queues blocked in WAIT are re-checked (1..1000000)");
    object_class_property_set_description(klass, "x-seed",
        "seed of the firmware's PRNG (probabilistic fault injection)");
    object_class_property_set_description(klass, "x-guest-inject",
        "the guest may inject faults through register TEST_INJECT "
        "(HWCAPS.TEST_INJECT), for driver reset tests");
    object_class_property_set_description(klass, "backend",
        "where the compute kernels run: cpu (default) or virgl (the host "
        "GPU through virglrenderer, in a pvgpu-virgl-worker process)");
    object_class_property_set_description(klass, "virgl-worker",
        "backend=virgl: path of pvgpu-virgl-worker (default: the one "
        "built with this QEMU)");
    object_class_property_set_description(klass, "virgl-timeout-ms",
        "backend=virgl: a kernel chunk not done in this time fails its "
        "queue (PVGPU_QUEUE_ERR_BACKEND) and the worker is restarted "
        "(1..60000)");
    object_class_property_set_description(klass, "x-doorbell-inline",
        "run the firmware inside doorbell writes, under a small budget "
        "(off: always in a main-loop bottom half, for comparison)");
    pvgpu_inject_class_init(klass);
    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);
}

static const TypeInfo pvgpu_info = {
    .name = TYPE_PVGPU,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PvgpuState),
    .class_size = sizeof(PvgpuClass),
    .class_init = pvgpu_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void pvgpu_register_types(void)
{
    type_register_static(&pvgpu_info);
}

type_init(pvgpu_register_types)
