/*
 * QTest testcase for the pvgpu PCI device (qemu-device/ + firmware-model/).
 *
 * Drives the device the way the guest driver does, without a guest: PCI
 * enable, MSI-X into guest RAM, the boot handshake with a boot descriptor,
 * rings, log and caps in guest memory, PING round trips over the H2F/F2H
 * rings, error paths (malformed messages, bad boot descriptors, bad access
 * sizes, DMA with bus mastering off), resets and property validation.
 *
 * The queue tests do what a driver does with MMIO and guest memory only:
 * GPU page tables, address spaces, queues with rptr/wptr words, commands
 * in their rings, doorbells in BAR2, and completion through SIGNAL fences,
 * F2H events and the MSI-X interrupt.
 *
 * Built inside QEMU's tree by scripts/build-qemu.sh (tests/qtest/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "qobject/qbool.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qobject/qlist.h"
#include "qobject/qjson.h"
#include "qapi/error.h"
#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"

#include "pvgpu_regs.h"
#include "pvgpu_fwif.h"
#include "pvgpu_cmd_emit.h"
#include "pvgpu_pt_format.h"

#define MSI_DATA        0x4f4b5652u     /* what vector 0 writes to RAM */
#define RING_SIZE       0x1000u
#define LOG_SIZE        0x1000u
#define CAPS_SIZE       0x1000u
#define PAGE            0x1000u
#define WAIT_ITERS      20000           /* x 10 us of virtual time */

/* Guest-physical layout of the shared memory, one 4 KiB page each. */
enum {
    PG_BOOT, PG_H2F_DESC, PG_H2F, PG_F2H_DESC, PG_F2H, PG_LOG, PG_CAPS,
    PG_SCRATCH, PG_COUNT
};

typedef struct Pvgpu {
    QTestState *qts;
    QGuestAllocator alloc;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar0, bar2;
    uint64_t bar2_size;
    uint64_t msi_addr;
    uint64_t mem;               /* PG_COUNT pages, 4 KiB aligned */
    uint32_t next_seqno;
    uint32_t last_event_seqno;
    GArray *stash;              /* TMsg: F2H messages taken, not yet used */
} Pvgpu;

/* An F2H message taken off the ring and kept for a test to look at. */
typedef struct TMsg {
    uint16_t opcode;
    uint16_t kind;
    uint32_t seqno;
    uint32_t status;
    uint32_t len;               /* payload bytes */
    uint8_t payload[PVGPU_MSG_MAX_PAYLOAD_DW * 4];
} TMsg;

static uint64_t pg(Pvgpu *p, int page)
{
    return p->mem + (uint64_t)page * PAGE;
}

/* --- Device access ------------------------------------------------------ */

static uint32_t rd(Pvgpu *p, uint32_t reg)
{
    return qpci_io_readl(p->dev, p->bar0, reg);
}

static void wr(Pvgpu *p, uint32_t reg, uint32_t val)
{
    qpci_io_writel(p->dev, p->bar0, reg, val);
}

static uint32_t mem_rd32(Pvgpu *p, uint64_t addr)
{
    return qtest_readl(p->qts, addr);
}

static void mem_wr32(Pvgpu *p, uint64_t addr, uint32_t val)
{
    qtest_writel(p->qts, addr, val);
}

static void find_pvgpu(QPCIDevice *dev, int devfn, void *data)
{
    QPCIDevice **found = data;

    g_assert_null(*found);
    *found = dev;
}

/* Program MSI-X vector 0 to write MSI_DATA to p->msi_addr in guest RAM. */
static void setup_msix(Pvgpu *p)
{
    uint64_t entry = p->dev->msix_table_off + PVGPU_MSIX_VECTOR_FW * 16;
    uint32_t ctrl;

    qpci_io_writel(p->dev, p->bar0, entry + PCI_MSIX_ENTRY_LOWER_ADDR,
                   (uint32_t)p->msi_addr);
    qpci_io_writel(p->dev, p->bar0, entry + PCI_MSIX_ENTRY_UPPER_ADDR,
                   p->msi_addr >> 32);
    qpci_io_writel(p->dev, p->bar0, entry + PCI_MSIX_ENTRY_DATA, MSI_DATA);
    ctrl = qpci_io_readl(p->dev, p->bar0,
                         entry + PCI_MSIX_ENTRY_VECTOR_CTRL);
    qpci_io_writel(p->dev, p->bar0, entry + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   ctrl & ~PCI_MSIX_ENTRY_CTRL_MASKBIT);
    mem_wr32(p, p->msi_addr, 0);
}

/* Enable the function: memory decoding, bus mastering, MSI-X, BARs. */
static void enable_device(Pvgpu *p)
{
    qpci_device_enable(p->dev);
    qpci_msix_enable(p->dev);          /* maps BAR0, which holds the table */
    p->bar0 = p->dev->msix_table_bar;
    p->bar2 = qpci_iomap(p->dev, PVGPU_BAR_DOORBELLS, &p->bar2_size);
    setup_msix(p);
}

static Pvgpu *pvgpu_start(const char *extra)
{
    Pvgpu *p = g_new0(Pvgpu, 1);
    uint64_t raw;

    p->qts = qtest_initf("-machine q35 -nodefaults -bios qboot.rom "
                         "-device pvgpu%s", extra ? extra : "");
    pc_alloc_init(&p->alloc, p->qts, ALLOC_NO_FLAGS);
    p->bus = qpci_new_pc(p->qts, &p->alloc);
    qpci_device_foreach(p->bus, PVGPU_PCI_VENDOR_ID, PVGPU_PCI_DEVICE_ID,
                        find_pvgpu, &p->dev);
    g_assert_nonnull(p->dev);

    p->msi_addr = guest_alloc(&p->alloc, 4);
    raw = guest_alloc(&p->alloc, (PG_COUNT + 1) * PAGE);
    p->mem = QEMU_ALIGN_UP(raw, PAGE);
    qtest_memset(p->qts, p->mem, 0, PG_COUNT * PAGE);
    p->next_seqno = 1;

    enable_device(p);
    return p;
}

static void pvgpu_stop(Pvgpu *p)
{
    if (p->stash) {
        g_array_free(p->stash, true);
    }
    qpci_msix_disable(p->dev);
    g_free(p->dev);
    qpci_free_pc(p->bus);
    alloc_destroy(&p->alloc);
    qtest_quit(p->qts);
    g_free(p);
}

/*
 * Wait until vector 0 fires (its message lands in RAM), consume it and
 * return IRQ_STATUS, acknowledged. The firmware runs in a bottom half of
 * QEMU's main loop; the virtual clock only moves when we step it.
 */
static uint32_t wait_irq(Pvgpu *p)
{
    uint32_t status;
    int i;

    for (i = 0; i < WAIT_ITERS; i++) {
        if (mem_rd32(p, p->msi_addr) == MSI_DATA) {
            break;
        }
        qtest_clock_step(p->qts, 10 * 1000);
    }
    g_assert_cmpint(i, <, WAIT_ITERS);
    mem_wr32(p, p->msi_addr, 0);
    status = rd(p, PVGPU_REG_IRQ_STATUS);
    wr(p, PVGPU_REG_IRQ_ACK, status);
    return status;
}

/* Poll FW_STATUS until it leaves @from (no interrupt needed). */
static uint32_t wait_state_change(Pvgpu *p, uint32_t from)
{
    uint32_t st = from;
    int i;

    for (i = 0; i < WAIT_ITERS && st == from; i++) {
        qtest_clock_step(p->qts, 10 * 1000);
        st = rd(p, PVGPU_REG_FW_STATUS);
    }
    return st;
}

/* --- Boot ------------------------------------------------------------- */

static void default_boot_desc(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    memset(d, 0, sizeof(*d));
    d->magic = cpu_to_le32(PVGPU_BOOT_MAGIC);
    d->iface_version = cpu_to_le32(PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR,
                                                       PVGPU_IFACE_MINOR));
    d->h2f_desc = cpu_to_le64(pg(p, PG_H2F_DESC));
    d->h2f_base = cpu_to_le64(pg(p, PG_H2F));
    d->h2f_size = cpu_to_le32(RING_SIZE);
    d->f2h_desc = cpu_to_le64(pg(p, PG_F2H_DESC));
    d->f2h_base = cpu_to_le64(pg(p, PG_F2H));
    d->f2h_size = cpu_to_le32(RING_SIZE);
    d->log_base = cpu_to_le64(pg(p, PG_LOG));
    d->log_size = cpu_to_le32(LOG_SIZE);
    d->caps_base = cpu_to_le64(pg(p, PG_CAPS));
    d->caps_size = cpu_to_le32(CAPS_SIZE);
}

/* Write @d at @desc_addr, start the boot and wait for its outcome. */
static uint32_t boot_with(Pvgpu *p, const struct pvgpu_boot_desc *d,
                          uint64_t desc_addr)
{
    uint32_t irq;

    if (d) {
        qtest_memwrite(p->qts, desc_addr, d, sizeof(*d));
    }
    /* Both rings empty, status clear. */
    qtest_memset(p->qts, pg(p, PG_H2F_DESC), 0, PAGE);
    qtest_memset(p->qts, pg(p, PG_F2H_DESC), 0, PAGE);
    p->next_seqno = 1;
    p->last_event_seqno = 0;

    wr(p, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
    wr(p, PVGPU_REG_FW_BOOT_DESC_LO, (uint32_t)desc_addr);
    wr(p, PVGPU_REG_FW_BOOT_DESC_HI, desc_addr >> 32);
    wr(p, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);
    irq = wait_irq(p);
    g_assert_cmphex(irq & PVGPU_IRQ_FW_STATE, ==, PVGPU_IRQ_FW_STATE);
    return rd(p, PVGPU_REG_FW_STATUS);
}

static void boot_ok(Pvgpu *p)
{
    struct pvgpu_boot_desc d;

    default_boot_desc(p, &d);
    g_assert_cmpuint(boot_with(p, &d, pg(p, PG_BOOT)), ==,
                     PVGPU_FW_STATE_RUNNING);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_NONE);
}

/* --- Rings ------------------------------------------------------------ */

static uint32_t ring_ptr(Pvgpu *p, int desc_page, size_t field)
{
    return mem_rd32(p, pg(p, desc_page) + field);
}

static void ring_set(Pvgpu *p, int desc_page, size_t field, uint32_t v)
{
    mem_wr32(p, pg(p, desc_page) + field, v);
}

/* Copy @len bytes into a ring at @off, wrapping at the end. */
static void ring_write(Pvgpu *p, int ring_page, uint32_t off, const void *buf,
                       uint32_t len)
{
    const uint8_t *b = buf;

    while (len) {
        uint32_t chunk = MIN(len, RING_SIZE - off);

        qtest_memwrite(p->qts, pg(p, ring_page) + off, b, chunk);
        b += chunk;
        len -= chunk;
        off = (off + chunk) & (RING_SIZE - 1);
    }
}

static void ring_read(Pvgpu *p, int ring_page, uint32_t off, void *buf,
                      uint32_t len)
{
    uint8_t *b = buf;

    while (len) {
        uint32_t chunk = MIN(len, RING_SIZE - off);

        qtest_memread(p->qts, pg(p, ring_page) + off, b, chunk);
        b += chunk;
        len -= chunk;
        off = (off + chunk) & (RING_SIZE - 1);
    }
}

/* Queue one H2F message (header + payload) without ringing. */
static void h2f_queue(Pvgpu *p, const struct pvgpu_msg_hdr *hdr,
                      const void *payload, uint32_t payload_len)
{
    uint32_t tail = ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, tail));

    ring_write(p, PG_H2F, tail, hdr, sizeof(*hdr));
    tail = (tail + sizeof(*hdr)) & (RING_SIZE - 1);
    if (payload_len) {
        ring_write(p, PG_H2F, tail, payload, payload_len);
        tail = (tail + payload_len) & (RING_SIZE - 1);
    }
    ring_set(p, PG_H2F_DESC, offsetof(struct pvgpu_ring_desc, tail), tail);
}

static void queue_ping(Pvgpu *p, uint64_t cookie)
{
    struct pvgpu_msg_hdr hdr = {
        .opcode = cpu_to_le16(PVGPU_H2F_PING),
        .len = cpu_to_le16(sizeof(struct pvgpu_msg_ping) / 4),
        .seqno = cpu_to_le32(p->next_seqno++),
        .kind = cpu_to_le16(PVGPU_MSG_KIND_REQUEST),
    };
    struct pvgpu_msg_ping ping = { .cookie = cpu_to_le64(cookie) };

    h2f_queue(p, &hdr, &ping, sizeof(ping));
}

static void ring_doorbell(Pvgpu *p)
{
    qpci_io_writel(p->dev, p->bar2, PVGPU_DOORBELL_GROUP_KERNEL *
                   PVGPU_DOORBELL_PAGE_SIZE + PVGPU_DOORBELL_H2F, 1);
}

/*
 * Take the next F2H message; false if F2H is empty. @payload gets up to
 * @max bytes of the payload.
 */
static bool f2h_take(Pvgpu *p, struct pvgpu_msg_hdr *hdr, void *payload,
                     uint32_t max)
{
    uint32_t head = ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, head));
    uint32_t tail = ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, tail));
    uint32_t len;

    g_assert_cmpuint(head, <, RING_SIZE);
    g_assert_cmpuint(tail, <, RING_SIZE);
    g_assert_cmpuint(tail % 4, ==, 0);
    if (head == tail) {
        return false;
    }
    ring_read(p, PG_F2H, head, hdr, sizeof(*hdr));
    len = le16_to_cpu(hdr->len) * 4;
    g_assert_cmpuint(len, <=, PVGPU_MSG_MAX_PAYLOAD_DW * 4);
    g_assert_cmpuint(len, <=, max);
    if (len) {
        ring_read(p, PG_F2H, (head + sizeof(*hdr)) & (RING_SIZE - 1),
                  payload, len);
    }
    head = (head + sizeof(*hdr) + len) & (RING_SIZE - 1);
    ring_set(p, PG_F2H_DESC, offsetof(struct pvgpu_ring_desc, head), head);
    return true;
}

/* Wait for F2H messages: an interrupt with the F2H cause. */
static void wait_f2h(Pvgpu *p)
{
    uint32_t irq = wait_irq(p);

    g_assert_cmphex(irq & PVGPU_IRQ_F2H, ==, PVGPU_IRQ_F2H);
}

/* The device clock (QEMU's virtual clock), LO latches HI. */
static uint64_t read_timestamp(Pvgpu *p)
{
    uint32_t lo = rd(p, PVGPU_REG_TIMESTAMP_LO);

    return ((uint64_t)rd(p, PVGPU_REG_TIMESTAMP_HI) << 32) | lo;
}

/* Send @n pings in one doorbell and check every response, in order. */
static void ping_batch(Pvgpu *p, unsigned int n, uint64_t cookie_base)
{
    uint32_t first = p->next_seqno;
    unsigned int got = 0;
    uint64_t t0 = read_timestamp(p);

    for (unsigned int i = 0; i < n; i++) {
        queue_ping(p, cookie_base + i);
    }
    ring_doorbell(p);

    while (got < n) {
        struct pvgpu_msg_hdr hdr;
        struct pvgpu_msg_ping resp;

        if (!f2h_take(p, &hdr, &resp, sizeof(resp))) {
            wait_f2h(p);
            continue;
        }
        g_assert_cmpuint(le16_to_cpu(hdr.kind), ==, PVGPU_MSG_KIND_RESPONSE);
        g_assert_cmphex(le16_to_cpu(hdr.opcode), ==, PVGPU_H2F_PING);
        g_assert_cmpuint(le32_to_cpu(hdr.seqno), ==, first + got);
        g_assert_cmpuint(le32_to_cpu(hdr.status), ==, PVGPU_STATUS_OK);
        g_assert_cmpuint(le16_to_cpu(hdr.len), ==, sizeof(resp) / 4);
        g_assert_cmphex(le64_to_cpu(resp.cookie), ==, cookie_base + got);
        g_assert_cmpuint(le64_to_cpu(resp.fw_timestamp_ns), >=, t0);
        got++;
    }
    /* Everything consumed: H2F head caught up with the tail. */
    g_assert_cmphex(ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, head)), ==,
                    ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, tail)));
}

/* --- Tests ------------------------------------------------------------ */

static void test_identity(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    uint64_t t0;

    g_assert_cmphex(qpci_config_readw(p->dev, PCI_VENDOR_ID), ==,
                    PVGPU_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(p->dev, PCI_DEVICE_ID), ==,
                    PVGPU_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readb(p->dev, PCI_REVISION_ID), ==,
                    PVGPU_PCI_REVISION);
    g_assert_cmphex(qpci_config_readw(p->dev, PCI_CLASS_DEVICE), ==,
                    PVGPU_PCI_CLASS);
    g_assert_cmpuint(qpci_msix_table_size(p->dev), ==, PVGPU_MSIX_VECTORS);
    g_assert_cmphex(p->dev->msix_table_off, ==, PVGPU_MSIX_TABLE_OFFSET);
    g_assert_cmphex(p->dev->msix_pba_off, ==, PVGPU_MSIX_PBA_OFFSET);
    g_assert_cmphex(p->bar2_size, ==, 64 * PVGPU_DOORBELL_PAGE_SIZE);

    g_assert_cmphex(rd(p, PVGPU_REG_ID), ==, PVGPU_ID_MAGIC);
    g_assert_cmphex(rd(p, PVGPU_REG_VERSION), ==,
                    PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR, PVGPU_IFACE_MINOR));
    g_assert_cmphex(rd(p, PVGPU_REG_HWCAPS), ==,
                    PVGPU_HWCAP_MSIX | PVGPU_HWCAP_PAGE_FAULTS);
    g_assert_cmpuint(rd(p, PVGPU_REG_DOORBELL_COUNT), ==, 64);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);
    g_assert_cmpuint(rd(p, PVGPU_REG_IRQ_STATUS), ==, 0);

    wr(p, PVGPU_REG_SCRATCH, 0xcafef00d);
    g_assert_cmphex(rd(p, PVGPU_REG_SCRATCH), ==, 0xcafef00d);

    /* The device clock is QEMU's virtual clock. */
    t0 = read_timestamp(p);
    qtest_clock_step(p->qts, 1000 * 1000);
    g_assert_cmpuint(read_timestamp(p) - t0, >=, 1000 * 1000);
    pvgpu_stop(p);
}

static void test_properties(void)
{
    Pvgpu *p = pvgpu_start(",doorbells=16,page-faults=off,va-bits=39,"
                           "copy-slots=1,compute-slots=8,priorities=3,"
                           "max-queues=100,timeslice-us=2000");
    struct pvgpu_fw_caps caps;

    g_assert_cmpuint(rd(p, PVGPU_REG_DOORBELL_COUNT), ==, 16);
    g_assert_cmphex(p->bar2_size, ==, 16 * PVGPU_DOORBELL_PAGE_SIZE);
    g_assert_cmphex(rd(p, PVGPU_REG_HWCAPS), ==, PVGPU_HWCAP_MSIX);
    boot_ok(p);
    qtest_memread(p->qts, pg(p, PG_CAPS), &caps, sizeof(caps));
    g_assert_cmpuint(le32_to_cpu(caps.va_bits), ==, 39);
    g_assert_cmpuint(le32_to_cpu(caps.flags) & PVGPU_FW_CAP_PAGE_FAULTS, ==,
                     0);
    g_assert_cmpuint(le32_to_cpu(caps.num_doorbells), ==, 16);
    g_assert_cmpuint(le32_to_cpu(caps.num_priorities), ==, 3);
    g_assert_cmpuint(le32_to_cpu(caps.max_queues), ==, 100);
    g_assert_cmpuint(le32_to_cpu(caps.timeslice_default_us), ==, 2000);
    g_assert_cmpuint(le32_to_cpu(caps.num_engine_classes), ==, 2);
    for (int i = 0; i < 2; i++) {
        uint32_t cls = le32_to_cpu(caps.engines[i].engine_class);
        uint32_t slots = le32_to_cpu(caps.engines[i].num_slots);

        g_assert_cmpuint(slots, ==,
                         cls == PVGPU_ENGINE_CLASS_COPY ? 1 : 8);
    }
    pvgpu_stop(p);
}

/* Wrong-size, unaligned and out-of-range accesses never crash QEMU. */
static void test_bad_access(void)
{
    Pvgpu *p = pvgpu_start(NULL);

    wr(p, PVGPU_REG_SCRATCH, 0x11223344);
    g_assert_cmphex(qpci_io_readb(p->dev, p->bar0, PVGPU_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readw(p->dev, p->bar0, PVGPU_REG_ID), ==, 0);
    g_assert_cmphex(qpci_io_readl(p->dev, p->bar0, PVGPU_REG_ID + 2), ==, 0);
    qpci_io_readq(p->dev, p->bar0, PVGPU_REG_ID);
    qpci_io_writeb(p->dev, p->bar0, PVGPU_REG_SCRATCH, 0xff);
    qpci_io_writew(p->dev, p->bar0, PVGPU_REG_SCRATCH, 0xffff);
    qpci_io_writel(p->dev, p->bar0, PVGPU_REG_SCRATCH + 1, 0xffffffff);
    /* qtest splits this one into two 32-bit writes (unknown registers) */
    qpci_io_writeq(p->dev, p->bar0, 0x40, ~0ull);
    g_assert_cmphex(rd(p, PVGPU_REG_SCRATCH), ==, 0x11223344);

    /* Read-only and unknown registers, the hole before the MSI-X table. */
    wr(p, PVGPU_REG_ID, 0);
    wr(p, PVGPU_REG_FW_STATUS, PVGPU_FW_STATE_RUNNING);
    wr(p, 0x0ffc, 0xdeadbeef);
    g_assert_cmphex(rd(p, 0x0ffc), ==, 0);
    qpci_io_writel(p->dev, p->bar0, 0x1ffc, 0xdeadbeef);
    qpci_io_readl(p->dev, p->bar0, 0x1ffc);
    qpci_io_readl(p->dev, p->bar0, 0x0ffe);
    wr(p, PVGPU_REG_FW_CTRL, 0x80000000);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);

    /* Doorbells: reads are zero; odd writes are ignored. */
    g_assert_cmphex(qpci_io_readl(p->dev, p->bar2, 0), ==, 0);
    qpci_io_writel(p->dev, p->bar2, 0, 1);     /* firmware not running */
    qpci_io_writel(p->dev, p->bar2, 63 * PVGPU_DOORBELL_PAGE_SIZE + 0xffc, 1);
    qpci_io_writel(p->dev, p->bar2, 8, 1);
    qpci_io_writeb(p->dev, p->bar2, 1, 1);
    qpci_io_writeq(p->dev, p->bar2, 0x10, ~0ull);

    g_assert_cmphex(rd(p, PVGPU_REG_ID), ==, PVGPU_ID_MAGIC);
    g_assert_cmphex(rd(p, PVGPU_REG_SCRATCH), ==, 0x11223344);
    pvgpu_stop(p);
}

/*
 * The reserved half of the register area (0x1000..0x1fff, before the MSI-X
 * table) is not a silent hole: accesses read 0, change nothing and are
 * logged as guest errors like any unknown register.
 */
static void test_bar0_reserved(void)
{
    g_autofree char *path = g_strdup_printf("%s/pvgpu-guest-errors-%d.log",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *extra = g_strdup_printf(" -d guest_errors -D %s", path);
    g_autofree char *log = NULL;
    Pvgpu *p;

    unlink(path);
    p = pvgpu_start(extra);
    wr(p, PVGPU_REG_SCRATCH, 0x12345678);
    g_assert_cmphex(rd(p, 0x1000), ==, 0);
    wr(p, 0x1800, 0xdeadbeef);
    g_assert_cmphex(rd(p, 0x1ffc), ==, 0);
    g_assert_cmphex(rd(p, 0x1800), ==, 0);
    g_assert_cmphex(rd(p, PVGPU_REG_SCRATCH), ==, 0x12345678);
    g_assert_cmphex(rd(p, PVGPU_REG_ID), ==, PVGPU_ID_MAGIC);
    pvgpu_stop(p);

    g_assert_true(g_file_get_contents(path, &log, NULL, NULL));
    unlink(path);
    if (g_test_verbose()) {
        g_test_message("guest errors: %s", log);
    }
    g_assert_nonnull(strstr(log, "BAR0 offset 0x1000"));
    g_assert_nonnull(strstr(log, "0xdeadbeef to unknown register at BAR0 "
                            "offset 0x1800"));
    g_assert_nonnull(strstr(log, "BAR0 offset 0x1ffc"));
}

static void test_boot_caps(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    struct pvgpu_fw_caps caps;
    struct pvgpu_log_desc log;
    char text[64];

    boot_ok(p);
    qtest_memread(p->qts, pg(p, PG_CAPS), &caps, sizeof(caps));
    g_assert_cmpuint(le32_to_cpu(caps.size), ==, sizeof(caps));
    g_assert_cmphex(le32_to_cpu(caps.iface_version), ==,
                    PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR, PVGPU_IFACE_MINOR));
    g_assert_cmpuint(le32_to_cpu(caps.fw_version), !=, 0);
    g_assert_cmphex(le32_to_cpu(caps.flags), ==, PVGPU_FW_CAP_PAGE_FAULTS);
    g_assert_cmpuint(le32_to_cpu(caps.va_bits), ==, 48);
    g_assert_cmphex(le32_to_cpu(caps.page_sizes) & (1u << 12), ==, 1u << 12);
    g_assert_cmpuint(le32_to_cpu(caps.num_priorities), ==, 4);
    g_assert_cmpuint(le32_to_cpu(caps.max_queues), ==, 1024);
    g_assert_cmpuint(le32_to_cpu(caps.num_doorbells), ==, 64);
    g_assert_cmpuint(le32_to_cpu(caps.timeslice_default_us), ==, 1000);
    g_assert_cmpuint(le32_to_cpu(caps.num_engine_classes), ==, 2);
    g_assert_cmpuint(le32_to_cpu(caps.engines[0].engine_class), ==,
                     PVGPU_ENGINE_CLASS_COPY);
    g_assert_cmpuint(le32_to_cpu(caps.engines[0].num_slots), ==, 2);
    g_assert_cmpuint(le32_to_cpu(caps.engines[1].engine_class), ==,
                     PVGPU_ENGINE_CLASS_COMPUTE);
    g_assert_cmpuint(le32_to_cpu(caps.engines[1].num_slots), ==, 4);

    /* The firmware wrote its banner into the log. */
    qtest_memread(p->qts, pg(p, PG_LOG), &log, sizeof(log));
    g_assert_cmpuint(le32_to_cpu(log.write_offset), >, 0);
    qtest_memread(p->qts, pg(p, PG_LOG) + sizeof(log), text, sizeof(text));
    text[sizeof(text) - 1] = 0;
    g_assert_nonnull(strstr(text, "firmware"));

    /* BOOT while running is refused and changes nothing. */
    wr(p, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);
    qtest_clock_step(p->qts, 100 * 1000);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    pvgpu_stop(p);
}

static void test_ping(void)
{
    Pvgpu *p = pvgpu_start(NULL);

    boot_ok(p);
    ping_batch(p, 1, 0x0123456789abcdefull);
    /* More than one run's budget, wrapping both rings several times. */
    for (int i = 0; i < 6; i++) {
        ping_batch(p, 100, 0x1000ull * i);
    }
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    pvgpu_stop(p);
}

/*
 * F2H full: requests wait on H2F (backpressure) instead of being lost, and
 * are served once the driver drains F2H.
 */
static void test_ping_backpressure(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    struct pvgpu_msg_hdr hdr;
    struct pvgpu_msg_ping resp;
    const unsigned int batch = 100;    /* 3200 bytes of requests/responses */
    unsigned int got = 0;
    int idle = 0;
    uint32_t fhead, ftail;

    boot_ok(p);
    for (unsigned int i = 0; i < batch; i++) {
        queue_ping(p, i);
    }
    ring_doorbell(p);
    wait_f2h(p);
    /* F2H now holds 100 responses; 100 more cannot all fit. */
    for (unsigned int i = 0; i < batch; i++) {
        queue_ping(p, batch + i);
    }
    ring_doorbell(p);
    qtest_clock_step(p->qts, 1000 * 1000);
    fhead = ring_ptr(p, PG_F2H_DESC, offsetof(struct pvgpu_ring_desc, head));
    ftail = ring_ptr(p, PG_F2H_DESC, offsetof(struct pvgpu_ring_desc, tail));
    g_assert_cmpuint((ftail - fhead) & (RING_SIZE - 1), <=, RING_SIZE - 4);
    g_assert_cmphex(ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, head)), !=,
                    ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, tail)));

    while (got < 2 * batch) {
        if (!f2h_take(p, &hdr, &resp, sizeof(resp))) {
            g_assert_cmpint(++idle, <, WAIT_ITERS);
            qtest_clock_step(p->qts, 100 * 1000);
            continue;
        }
        g_assert_cmpuint(le16_to_cpu(hdr.kind), ==, PVGPU_MSG_KIND_RESPONSE);
        g_assert_cmpuint(le32_to_cpu(hdr.seqno), ==, 1 + got);
        g_assert_cmphex(le64_to_cpu(resp.cookie), ==, got);
        got++;
    }
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    pvgpu_stop(p);
}

static void test_unknown_opcode(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    struct pvgpu_msg_hdr hdr = {
        .opcode = cpu_to_le16(0x7777),
        .len = 0,
        .seqno = cpu_to_le32(42),
        .kind = cpu_to_le16(PVGPU_MSG_KIND_REQUEST),
    };
    struct pvgpu_msg_hdr resp;

    boot_ok(p);
    h2f_queue(p, &hdr, NULL, 0);
    ring_doorbell(p);
    wait_f2h(p);
    g_assert_true(f2h_take(p, &resp, NULL, 0));
    g_assert_cmpuint(le16_to_cpu(resp.kind), ==, PVGPU_MSG_KIND_RESPONSE);
    g_assert_cmphex(le16_to_cpu(resp.opcode), ==, 0x7777);
    g_assert_cmpuint(le32_to_cpu(resp.seqno), ==, 42);
    g_assert_cmpuint(le32_to_cpu(resp.status), ==, PVGPU_STATUS_ENOSYS);
    /* The channel still works. */
    ping_batch(p, 3, 77);
    pvgpu_stop(p);
}

static void expect_ring_error(Pvgpu *p, uint32_t bad_offset,
                              const struct pvgpu_msg_hdr *bad)
{
    struct pvgpu_msg_hdr hdr;
    struct pvgpu_evt_ring_error evt;
    uint32_t words[2];

    wait_f2h(p);
    g_assert_true(f2h_take(p, &hdr, &evt, sizeof(evt)));
    g_assert_cmpuint(le16_to_cpu(hdr.kind), ==, PVGPU_MSG_KIND_EVENT);
    g_assert_cmphex(le16_to_cpu(hdr.opcode), ==, PVGPU_F2H_EVT_RING_ERROR);
    g_assert_cmpuint(le32_to_cpu(hdr.seqno), ==, ++p->last_event_seqno);
    g_assert_cmphex(le32_to_cpu(evt.reason), ==, PVGPU_RING_STATUS_MALFORMED);
    g_assert_cmphex(le32_to_cpu(evt.offset), ==, bad_offset);
    memcpy(words, bad, sizeof(words));
    g_assert_cmphex(evt.word0, ==, words[0]);
    g_assert_cmphex(evt.word1, ==, words[1]);
    g_assert_cmphex(ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, status)) &
                    PVGPU_RING_STATUS_MALFORMED, ==,
                    PVGPU_RING_STATUS_MALFORMED);
    /* Drained: head == tail. */
    g_assert_cmphex(ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, head)), ==,
                    ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, tail)));
}

static void test_malformed(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    struct pvgpu_msg_hdr bad_kind = {
        .opcode = cpu_to_le16(PVGPU_H2F_PING),
        .len = cpu_to_le16(4),
        .seqno = cpu_to_le32(0x55),
        .kind = cpu_to_le16(PVGPU_MSG_KIND_EVENT),
    };
    struct pvgpu_msg_hdr too_long = {
        .opcode = cpu_to_le16(PVGPU_H2F_PING),
        .len = cpu_to_le16(PVGPU_MSG_MAX_PAYLOAD_DW + 1),
        .seqno = cpu_to_le32(0x66),
        .kind = cpu_to_le16(PVGPU_MSG_KIND_REQUEST),
    };
    struct pvgpu_msg_ping payload = { 0 };
    uint32_t off;

    boot_ok(p);
    ping_batch(p, 2, 1);

    off = ring_ptr(p, PG_H2F_DESC, offsetof(struct pvgpu_ring_desc, tail));
    h2f_queue(p, &bad_kind, &payload, sizeof(payload));
    queue_ping(p, 99);          /* drained with the bad message */
    ring_doorbell(p);
    expect_ring_error(p, off, &bad_kind);

    off = ring_ptr(p, PG_H2F_DESC, offsetof(struct pvgpu_ring_desc, tail));
    h2f_queue(p, &too_long, NULL, 0);
    ring_doorbell(p);
    expect_ring_error(p, off, &too_long);

    /* Nothing else came out, and the channel recovers. */
    g_assert_cmphex(ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, head)), ==,
                    ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, tail)));
    ring_set(p, PG_H2F_DESC, offsetof(struct pvgpu_ring_desc, status), 0);
    ping_batch(p, 5, 1000);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    pvgpu_stop(p);
}

typedef void (*DescMutator)(Pvgpu *p, struct pvgpu_boot_desc *d);

static void mut_magic(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->magic = cpu_to_le32(0x12345678);
}

static void mut_version(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->iface_version = cpu_to_le32(PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR + 1,
                                                       0));
}

static void mut_flags(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->flags = cpu_to_le32(1);
}

static void mut_ring_size(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->h2f_size = cpu_to_le32(0x1800);
}

static void mut_ring_align(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->f2h_base = cpu_to_le64(pg(p, PG_F2H) + 0x40);
}

static void mut_ring_overlap(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->f2h_base = cpu_to_le64(pg(p, PG_H2F));
}

static void mut_ring_not_ram(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->h2f_base = cpu_to_le64(0xfff00000000ull);
}

static void mut_log_size(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->log_size = cpu_to_le32(0x200);
}

static void mut_caps_size(Pvgpu *p, struct pvgpu_boot_desc *d)
{
    d->caps_size = cpu_to_le32(sizeof(struct pvgpu_fw_caps) - 4);
}

static const struct {
    const char *name;
    DescMutator mutate;
    uint32_t err;
} bad_descs[] = {
    { "magic", mut_magic, PVGPU_FW_ERR_BAD_MAGIC },
    { "version", mut_version, PVGPU_FW_ERR_BAD_VERSION },
    { "flags", mut_flags, PVGPU_FW_ERR_BAD_VERSION },
    { "ring-size", mut_ring_size, PVGPU_FW_ERR_BAD_RING },
    { "ring-align", mut_ring_align, PVGPU_FW_ERR_BAD_RING },
    { "ring-overlap", mut_ring_overlap, PVGPU_FW_ERR_BAD_RING },
    { "ring-not-ram", mut_ring_not_ram, PVGPU_FW_ERR_BAD_RING },
    { "log-size", mut_log_size, PVGPU_FW_ERR_BAD_LOG },
    { "caps-size", mut_caps_size, PVGPU_FW_ERR_BAD_CAPS },
};

static void test_bad_boot(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    struct pvgpu_boot_desc d;

    /* Misaligned descriptor address. */
    default_boot_desc(p, &d);
    qtest_memwrite(p->qts, pg(p, PG_BOOT), &d, sizeof(d));
    g_assert_cmpuint(boot_with(p, NULL, pg(p, PG_BOOT) + 8), ==,
                     PVGPU_FW_STATE_ERROR);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_DESC_ALIGN);

    /* Descriptor outside guest RAM. */
    g_assert_cmpuint(boot_with(p, NULL, 0xfff00000000ull), ==,
                     PVGPU_FW_STATE_ERROR);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_DESC_DMA);

    for (size_t i = 0; i < G_N_ELEMENTS(bad_descs); i++) {
        if (g_test_verbose()) {
            g_test_message("bad boot descriptor: %s", bad_descs[i].name);
        }
        default_boot_desc(p, &d);
        bad_descs[i].mutate(p, &d);
        g_assert_cmpuint(boot_with(p, &d, pg(p, PG_BOOT)), ==,
                         PVGPU_FW_STATE_ERROR);
        g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, bad_descs[i].err);
    }

    /* A ring that is not empty at boot. */
    default_boot_desc(p, &d);
    qtest_memwrite(p->qts, pg(p, PG_BOOT), &d, sizeof(d));
    qtest_memset(p->qts, pg(p, PG_H2F_DESC), 0, PAGE);
    qtest_memset(p->qts, pg(p, PG_F2H_DESC), 0, PAGE);
    ring_set(p, PG_H2F_DESC, offsetof(struct pvgpu_ring_desc, tail), 0x20);
    wr(p, PVGPU_REG_FW_BOOT_DESC_LO, (uint32_t)pg(p, PG_BOOT));
    wr(p, PVGPU_REG_FW_BOOT_DESC_HI, pg(p, PG_BOOT) >> 32);
    wr(p, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);
    g_assert_cmphex(wait_irq(p) & PVGPU_IRQ_FW_STATE, ==, PVGPU_IRQ_FW_STATE);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_ERROR);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_BAD_RING);

    /* After all that, a good descriptor boots. */
    boot_ok(p);
    ping_batch(p, 1, 5);
    pvgpu_stop(p);
}

/* Bus mastering off: the device's DMA must fail (and no MSI arrives). */
static void test_no_bus_master(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    struct pvgpu_boot_desc d;
    uint16_t cmd;
    uint32_t st;

    default_boot_desc(p, &d);
    qtest_memwrite(p->qts, pg(p, PG_BOOT), &d, sizeof(d));
    cmd = qpci_config_readw(p->dev, PCI_COMMAND);
    qpci_config_writew(p->dev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);

    wr(p, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
    wr(p, PVGPU_REG_FW_BOOT_DESC_LO, (uint32_t)pg(p, PG_BOOT));
    wr(p, PVGPU_REG_FW_BOOT_DESC_HI, pg(p, PG_BOOT) >> 32);
    wr(p, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);
    st = wait_state_change(p, PVGPU_FW_STATE_BOOTING);
    g_assert_cmpuint(st, ==, PVGPU_FW_STATE_ERROR);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_DESC_DMA);
    g_assert_cmphex(rd(p, PVGPU_REG_IRQ_STATUS) & PVGPU_IRQ_FW_STATE, ==,
                    PVGPU_IRQ_FW_STATE);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    wr(p, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);

    /* Bus mastering back on: boot works. */
    qpci_config_writew(p->dev, PCI_COMMAND, cmd);
    boot_ok(p);
    ping_batch(p, 2, 9);
    pvgpu_stop(p);
}

/* IRQ_MASK: a masked cause stays pending and fires once unmasked. */
static void test_irq_mask(void)
{
    Pvgpu *p = pvgpu_start(NULL);

    boot_ok(p);
    wr(p, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_FW_STATE);
    queue_ping(p, 1);
    ring_doorbell(p);
    for (int i = 0; i < 100 &&
         !(rd(p, PVGPU_REG_IRQ_STATUS) & PVGPU_IRQ_F2H); i++) {
        qtest_clock_step(p->qts, 10 * 1000);
    }
    g_assert_cmphex(rd(p, PVGPU_REG_IRQ_STATUS) & PVGPU_IRQ_F2H, ==,
                    PVGPU_IRQ_F2H);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    wr(p, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
    g_assert_cmphex(wait_irq(p) & PVGPU_IRQ_F2H, ==, PVGPU_IRQ_F2H);
    pvgpu_stop(p);
}

static void test_reset(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    uint32_t st;

    boot_ok(p);
    ping_batch(p, 4, 0x10);

    /* Firmware reset: back to OFF (signalled), then a fresh boot works. */
    wr(p, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
    g_assert_cmphex(wait_irq(p) & PVGPU_IRQ_FW_STATE, ==, PVGPU_IRQ_FW_STATE);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);
    queue_ping(p, 1);           /* doorbell while OFF: ignored */
    ring_doorbell(p);
    qtest_clock_step(p->qts, 100 * 1000);
    g_assert_cmphex(ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, tail)), ==,
                    ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, head)));
    boot_ok(p);
    ping_batch(p, 4, 0x20);

    /* RESET | BOOT in one write restarts the firmware. */
    qtest_memset(p->qts, pg(p, PG_H2F_DESC), 0, PAGE);
    qtest_memset(p->qts, pg(p, PG_F2H_DESC), 0, PAGE);
    p->next_seqno = 1;
    wr(p, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET | PVGPU_FW_CTRL_BOOT);
    st = wait_state_change(p, PVGPU_FW_STATE_BOOTING);
    g_assert_cmpuint(st, ==, PVGPU_FW_STATE_RUNNING);
    wr(p, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
    mem_wr32(p, p->msi_addr, 0);
    ping_batch(p, 4, 0x30);

    /* Device (system) reset: registers back to their defaults. */
    wr(p, PVGPU_REG_SCRATCH, 0x5a5a5a5a);
    qtest_system_reset(p->qts);
    g_assert_cmphex(qpci_config_readw(p->dev, PCI_VENDOR_ID), ==,
                    PVGPU_PCI_VENDOR_ID);
    p->dev->msix_enabled = false;
    enable_device(p);
    g_assert_cmphex(rd(p, PVGPU_REG_ID), ==, PVGPU_ID_MAGIC);
    g_assert_cmpuint(rd(p, PVGPU_REG_SCRATCH), ==, 0);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);
    g_assert_cmpuint(rd(p, PVGPU_REG_IRQ_MASK), ==, 0);
    g_assert_cmpuint(rd(p, PVGPU_REG_IRQ_STATUS), ==, 0);
    boot_ok(p);
    ping_batch(p, 4, 0x40);
    pvgpu_stop(p);
}

/* Wait until the migration on @qts reaches "completed". */
static void wait_migration_done(QTestState *qts)
{
    for (int i = 0; i < 3000; i++) {
        QDict *rsp = qtest_qmp(qts, "{'execute': 'query-migrate'}");
        QDict *ret = qdict_get_qdict(rsp, "return");
        const char *status = ret && qdict_haskey(ret, "status") ?
                             qdict_get_str(ret, "status") : "none";
        bool done = !strcmp(status, "completed");

        g_assert_cmpstr(status, !=, "failed");
        qobject_unref(rsp);
        if (done) {
            return;
        }
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

/*
 * A destination QEMU loaded from @uri: the device, its config space
 * (BARs, bus mastering, MSI-X) and guest RAM come from the stream, so
 * nothing is reprogrammed here.
 */
static Pvgpu *pvgpu_incoming_with(Pvgpu *src, const char *uri,
                                  const char *extra)
{
    Pvgpu *p = g_new0(Pvgpu, 1);
    uint8_t cap;

    p->qts = qtest_initf("-machine q35 -nodefaults -bios qboot.rom "
                         "-device pvgpu%s -incoming %s", extra, uri);
    wait_migration_done(p->qts);
    pc_alloc_init(&p->alloc, p->qts, ALLOC_NO_FLAGS);
    p->bus = qpci_new_pc(p->qts, &p->alloc);
    qpci_device_foreach(p->bus, PVGPU_PCI_VENDOR_ID, PVGPU_PCI_DEVICE_ID,
                        find_pvgpu, &p->dev);
    g_assert_nonnull(p->dev);
    g_assert_cmphex(qpci_config_readw(p->dev, PCI_COMMAND) &
                    PCI_COMMAND_MASTER, ==, PCI_COMMAND_MASTER);
    cap = qpci_find_capability(p->dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmphex(qpci_config_readw(p->dev, cap + PCI_MSIX_FLAGS) &
                    PCI_MSIX_FLAGS_ENABLE, ==, PCI_MSIX_FLAGS_ENABLE);

    p->bar0.addr = qpci_config_readl(p->dev, PCI_BASE_ADDRESS_0) &
                   PCI_BASE_ADDRESS_MEM_MASK;
    p->bar2.addr = qpci_config_readl(p->dev, PCI_BASE_ADDRESS_2) &
                   PCI_BASE_ADDRESS_MEM_MASK;
    g_assert_cmphex(p->bar0.addr, ==, src->bar0.addr);
    g_assert_cmphex(p->bar2.addr, ==, src->bar2.addr);
    p->dev->msix_enabled = true;
    p->dev->msix_table_bar = p->bar0;
    p->dev->msix_pba_bar = p->bar0;
    p->dev->msix_table_off = PVGPU_MSIX_TABLE_OFFSET;
    p->dev->msix_pba_off = PVGPU_MSIX_PBA_OFFSET;

    p->msi_addr = src->msi_addr;
    p->mem = src->mem;
    p->next_seqno = src->next_seqno;
    p->last_event_seqno = src->last_event_seqno;
    return p;
}

static Pvgpu *pvgpu_incoming(Pvgpu *src, const char *uri)
{
    return pvgpu_incoming_with(src, uri, "");
}

/*
 * Migration with work in flight: F2H is full and 100 requests wait on H2F
 * (backpressure) when the source stops; the destination serves them all,
 * in order, once its driver drains F2H.
 */
static void test_migrate(void)
{
    Pvgpu *src = pvgpu_start(NULL);
    Pvgpu *dst;
    g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    struct pvgpu_msg_hdr hdr;
    struct pvgpu_msg_ping resp;
    const unsigned int batch = 100;
    unsigned int got = 0;
    uint32_t h2f_head;
    int idle = 0;

    boot_ok(src);
    ping_batch(src, 3, 0x77);
    wr(src, PVGPU_REG_SCRATCH, 0x600df00d);
    for (unsigned int i = 0; i < batch; i++) {
        queue_ping(src, i);
    }
    ring_doorbell(src);
    wait_f2h(src);
    for (unsigned int i = 0; i < batch; i++) {
        queue_ping(src, batch + i);
    }
    ring_doorbell(src);
    qtest_clock_step(src->qts, 20 * 1000);
    /* Requests are still waiting on H2F. */
    g_assert_cmphex(ring_ptr(src, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, head)), !=,
                    ring_ptr(src, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, tail)));

    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);
    dst = pvgpu_incoming(src, uri);
    unlink(path);

    /*
     * The source was stopped, so the destination waits for 'cont'. Until
     * then its firmware must not run, although post_load and doorbells ask
     * for it: drain F2H and ring H2F, and nothing is served.
     */
    while (f2h_take(dst, &hdr, &resp, sizeof(resp))) {
        g_assert_cmpuint(le16_to_cpu(hdr.kind), ==, PVGPU_MSG_KIND_RESPONSE);
        g_assert_cmpuint(le32_to_cpu(hdr.seqno), ==, 4 + got);
        g_assert_cmphex(le64_to_cpu(resp.cookie), ==, got);
        got++;
    }
    g_assert_cmpuint(got, >, 0);
    h2f_head = ring_ptr(dst, PG_H2F_DESC,
                        offsetof(struct pvgpu_ring_desc, head));
    ring_doorbell(dst);
    qtest_clock_step(dst->qts, 1000 * 1000);
    g_assert_false(f2h_take(dst, &hdr, &resp, sizeof(resp)));
    g_assert_cmphex(ring_ptr(dst, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, head)), ==,
                    h2f_head);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'cont'}");

    g_assert_cmphex(rd(dst, PVGPU_REG_SCRATCH), ==, 0x600df00d);
    g_assert_cmpuint(rd(dst, PVGPU_REG_FW_STATUS), ==,
                     PVGPU_FW_STATE_RUNNING);
    g_assert_cmphex(rd(dst, PVGPU_REG_IRQ_MASK), ==, PVGPU_IRQ_ALL);
    while (got < 2 * batch) {
        if (!f2h_take(dst, &hdr, &resp, sizeof(resp))) {
            g_assert_cmpint(++idle, <, WAIT_ITERS);
            qtest_clock_step(dst->qts, 100 * 1000);
            continue;
        }
        g_assert_cmpuint(le16_to_cpu(hdr.kind), ==, PVGPU_MSG_KIND_RESPONSE);
        g_assert_cmpuint(le32_to_cpu(hdr.seqno), ==, 4 + got);
        g_assert_cmphex(le64_to_cpu(resp.cookie), ==, got);
        got++;
    }
    /* The channel and its interrupt work on the destination. */
    mem_wr32(dst, dst->msi_addr, 0);
    wr(dst, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
    ping_batch(dst, 10, 0x4242);

    pvgpu_stop(dst);
    pvgpu_stop(src);
}

/* --- Queues ------------------------------------------------------------ */

/*
 * Keep an F2H message for later (take_msg()). Events must come in seqno
 * order without a gap: these tests never let F2H overflow.
 */
static void stash_msg(Pvgpu *p, const struct pvgpu_msg_hdr *hdr,
                      const void *payload)
{
    TMsg m = {
        .opcode = le16_to_cpu(hdr->opcode),
        .kind = le16_to_cpu(hdr->kind),
        .seqno = le32_to_cpu(hdr->seqno),
        .status = le32_to_cpu(hdr->status),
        .len = le16_to_cpu(hdr->len) * 4,
    };

    g_assert_cmpuint(m.len, <=, sizeof(m.payload));
    memcpy(m.payload, payload, m.len);
    if (m.kind == PVGPU_MSG_KIND_EVENT) {
        g_assert_cmpuint(m.seqno, ==, p->last_event_seqno + 1);
        p->last_event_seqno = m.seqno;
    } else {
        g_assert_cmpuint(m.kind, ==, PVGPU_MSG_KIND_RESPONSE);
    }
    if (!p->stash) {
        p->stash = g_array_new(false, true, sizeof(TMsg));
    }
    g_array_append_val(p->stash, m);
}

/*
 * Send one request and wait for its response; returns its status. Events
 * met on the way are counted in @idle_events (QUEUE_IDLE) when non-NULL,
 * and kept for take_msg().
 */
static uint32_t request(Pvgpu *p, uint16_t opcode, const void *payload,
                        uint32_t len, void *resp, uint32_t resp_max,
                        unsigned int *idle_events)
{
    struct pvgpu_msg_hdr hdr = {
        .opcode = cpu_to_le16(opcode),
        .len = cpu_to_le16(len / 4),
        .seqno = cpu_to_le32(p->next_seqno),
        .kind = cpu_to_le16(PVGPU_MSG_KIND_REQUEST),
    };
    uint32_t seqno = p->next_seqno++;

    h2f_queue(p, &hdr, payload, len);
    ring_doorbell(p);
    for (int i = 0; i < WAIT_ITERS; i++) {
        uint8_t buf[PVGPU_MSG_MAX_PAYLOAD_DW * 4];

        if (!f2h_take(p, &hdr, buf, sizeof(buf))) {
            qtest_clock_step(p->qts, 10 * 1000);
            continue;
        }
        if (le16_to_cpu(hdr.kind) == PVGPU_MSG_KIND_EVENT) {
            if (idle_events &&
                le16_to_cpu(hdr.opcode) == PVGPU_F2H_EVT_QUEUE_IDLE) {
                (*idle_events)++;
            }
            stash_msg(p, &hdr, buf);
            continue;
        }
        g_assert_cmphex(le16_to_cpu(hdr.opcode), ==, opcode);
        g_assert_cmpuint(le32_to_cpu(hdr.seqno), ==, seqno);
        if (resp) {
            g_assert_cmpuint(le16_to_cpu(hdr.len) * 4, <=, resp_max);
            memcpy(resp, buf, le16_to_cpu(hdr.len) * 4);
        }
        return le32_to_cpu(hdr.status);
    }
    g_assert_not_reached();
}

static struct pvgpu_msg_queue_state query_queue(Pvgpu *p, uint32_t id)
{
    struct pvgpu_msg_queue m = { .queue_id = cpu_to_le32(id) };
    struct pvgpu_msg_queue_state st;

    g_assert_cmpuint(request(p, PVGPU_H2F_QUEUE_QUERY, &m, sizeof(m), &st,
                             sizeof(st), NULL), ==, PVGPU_STATUS_OK);
    return st;
}

/* GPU memory of the queue test: page tables, ring, data, pointers. */
enum { QP_ROOT, QP_L2, QP_L1, QP_L0, QP_RING, QP_DATA, QP_PTRS, QP_COUNT };
#define Q_RING_VA       0x40000000ull
#define Q_DATA_VA       (Q_RING_VA + PAGE)
#define Q_ID            3
/* A doorbell id: dword 1 of the kernel's doorbell page. */
#define Q_DOORBELL      PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, 1)

static uint64_t qpg(uint64_t base, int page)
{
    return base + (uint64_t)page * PAGE;
}

/*
 * Four-level page tables (48-bit VA) mapping the ring and the data page,
 * bound as address space 1.
 */
static void queue_vm_setup(Pvgpu *p, uint64_t base)
{
    struct pvgpu_msg_as_bind bind = {
        .asid = cpu_to_le32(1),
        .pt_root = cpu_to_le64(qpg(base, QP_ROOT)),
    };
    uint64_t va = Q_RING_VA;

    qtest_memset(p->qts, base, 0, QP_COUNT * PAGE);
    qtest_writeq(p->qts, qpg(base, QP_ROOT) + 8 * PVGPU_PT_INDEX(va, 3),
                 qpg(base, QP_L2) | PVGPU_PTE_VALID);
    qtest_writeq(p->qts, qpg(base, QP_L2) + 8 * PVGPU_PT_INDEX(va, 2),
                 qpg(base, QP_L1) | PVGPU_PTE_VALID);
    qtest_writeq(p->qts, qpg(base, QP_L1) + 8 * PVGPU_PT_INDEX(va, 1),
                 qpg(base, QP_L0) | PVGPU_PTE_VALID);
    qtest_writeq(p->qts, qpg(base, QP_L0) + 8 * PVGPU_PT_INDEX(va, 0),
                 qpg(base, QP_RING) | PVGPU_PTE_VALID | PVGPU_PTE_WRITABLE);
    qtest_writeq(p->qts, qpg(base, QP_L0) +
                 8 * PVGPU_PT_INDEX(Q_DATA_VA, 0),
                 qpg(base, QP_DATA) | PVGPU_PTE_VALID | PVGPU_PTE_WRITABLE);
    g_assert_cmpuint(request(p, PVGPU_H2F_AS_BIND, &bind, sizeof(bind),
                             NULL, 0, NULL), ==, PVGPU_STATUS_OK);
}

static void queue_register(Pvgpu *p, uint64_t base)
{
    struct pvgpu_queue_desc d = {
        .engine_class = cpu_to_le32(PVGPU_ENGINE_CLASS_COMPUTE),
        .priority = cpu_to_le32(1),
        .asid = cpu_to_le32(1),
        .ring_addr = cpu_to_le64(Q_RING_VA),
        .ring_size = cpu_to_le32(PAGE),
        .doorbell = cpu_to_le32(Q_DOORBELL),
        .rptr_addr = cpu_to_le64(qpg(base, QP_PTRS)),
        .wptr_addr = cpu_to_le64(qpg(base, QP_PTRS) + 4),
    };
    struct pvgpu_msg_queue_register m = {
        .queue_id = cpu_to_le32(Q_ID),
        .desc_addr = cpu_to_le64(qpg(base, QP_PTRS) + 64),
    };

    qtest_memwrite(p->qts, qpg(base, QP_PTRS) + 64, &d, sizeof(d));
    g_assert_cmpuint(request(p, PVGPU_H2F_QUEUE_REGISTER, &m, sizeof(m),
                             NULL, 0, NULL), ==, PVGPU_STATUS_OK);
}

/* Append dwords at the queue's ring offset *@tail, publish, doorbell. */
static void queue_submit(Pvgpu *p, uint64_t base, uint32_t *tail,
                         const uint32_t *dw, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        mem_wr32(p, qpg(base, QP_RING) + *tail, dw[i]);
        *tail = (*tail + 4) & (PAGE - 1);
    }
    mem_wr32(p, qpg(base, QP_PTRS) + 4, *tail);
    qpci_io_writel(p->dev, p->bar2, PVGPU_DOORBELL_BAR_OFFSET(Q_DOORBELL), 1);
}

/*
 * Migration with a queue in the middle of a 5 ms DELAY in a hardware slot:
 * on the destination the DELAY's rest runs out on time, the commands after
 * it run, the idle event comes, and the queue takes new work through its
 * doorbell.
 */
static void test_migrate_queue(void)
{
    Pvgpu *src = pvgpu_start(NULL);
    Pvgpu *dst;
    g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-q-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    const uint32_t work[] = {
        PVGPU_CMD_HDR(PVGPU_CMD_DELAY, 0, PVGPU_CMD_LEN_DELAY),
        5000000, 0,
        PVGPU_CMD_HDR(PVGPU_CMD_TIMESTAMP, 0, PVGPU_CMD_LEN_TIMESTAMP),
        (uint32_t)(Q_DATA_VA + 8), (uint32_t)((Q_DATA_VA + 8) >> 32),
        PVGPU_CMD_HDR(PVGPU_CMD_STORE32, 0, PVGPU_CMD_LEN_STORE32),
        (uint32_t)Q_DATA_VA, (uint32_t)(Q_DATA_VA >> 32), 0xc0ffee,
    };
    const uint32_t more[] = {
        PVGPU_CMD_HDR(PVGPU_CMD_STORE32, 0, PVGPU_CMD_LEN_STORE32),
        (uint32_t)(Q_DATA_VA + 4), (uint32_t)(Q_DATA_VA >> 32), 0x5ca1ab1e,
    };
    struct pvgpu_msg_queue_state st;
    unsigned int idle = 0;
    uint64_t base, t0;
    uint32_t tail = 0;
    int i;

    base = QEMU_ALIGN_UP(guest_alloc(&src->alloc, (QP_COUNT + 1) * PAGE),
                         PAGE);
    boot_ok(src);
    queue_vm_setup(src, base);
    queue_register(src, base);
    st = query_queue(src, Q_ID);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_IDLE);

    t0 = read_timestamp(src);
    queue_submit(src, base, &tail, work, G_N_ELEMENTS(work));
    qtest_clock_step(src->qts, 1000 * 1000);
    st = query_queue(src, Q_ID);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_RESIDENT);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 0);

    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);
    dst = pvgpu_incoming(src, uri);
    unlink(path);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'cont'}");

    st = query_queue(dst, Q_ID);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_RESIDENT);
    for (i = 0; i < WAIT_ITERS && mem_rd32(dst, qpg(base, QP_DATA)) !=
         0xc0ffee; i++) {
        qtest_clock_step(dst->qts, 100 * 1000);
    }
    g_assert_cmpint(i, <, WAIT_ITERS);
    /* The DELAY took its 5 ms of device time, across the migration. */
    g_assert_cmpuint(qtest_readq(dst->qts, qpg(base, QP_DATA) + 8), >=,
                     t0 + 5000000);
    st = query_queue(dst, Q_ID);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_IDLE);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 3);
    g_assert_cmpuint(le32_to_cpu(st.rptr), ==, sizeof(work));
    g_assert_cmpuint(mem_rd32(dst, qpg(base, QP_PTRS)), ==, sizeof(work));

    /* The doorbell page still belongs to the queue. */
    queue_submit(dst, base, &tail, more, G_N_ELEMENTS(more));
    for (i = 0; i < WAIT_ITERS && mem_rd32(dst, qpg(base, QP_DATA) + 4) !=
         0x5ca1ab1e; i++) {
        qtest_clock_step(dst->qts, 10 * 1000);
    }
    g_assert_cmpint(i, <, WAIT_ITERS);
    st = query_queue(dst, Q_ID);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 4);
    {
        struct pvgpu_msg_queue m = { .queue_id = cpu_to_le32(Q_ID) };

        g_assert_cmpuint(request(dst, PVGPU_H2F_QUEUE_DEREGISTER, &m,
                                 sizeof(m), NULL, 0, &idle), ==,
                         PVGPU_STATUS_OK);
    }
    pvgpu_stop(dst);
    pvgpu_stop(src);
}

/* A destination of another shape refuses the stream (and exits). */
static void test_migrate_mismatch(void)
{
    static const char *const other[] = {
        ",doorbells=16", ",page-faults=off", ",compute-slots=2",
        ",watchdog-ms=100",
    };
    Pvgpu *src = pvgpu_start(NULL);
    g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);

    boot_ok(src);
    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);

    for (size_t i = 0; i < G_N_ELEMENTS(other); i++) {
        QTestState *dst = qtest_initf("-machine q35 -nodefaults "
                                      "-bios qboot.rom -device pvgpu%s "
                                      "-incoming defer", other[i]);

        qtest_set_expected_status(dst, EXIT_FAILURE);
        qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                                 "'arguments': {'uri': %s}}", uri);
        qtest_wait_qemu(dst);
        qtest_quit(dst);
    }
    unlink(path);
    pvgpu_stop(src);
}

/*
 * A stream whose firmware state is inconsistent (FW_STATUS out of range) is
 * refused by post_load: the destination exits, reporting a migration error
 * on stderr, and the refusal is not (also) logged as a guest error.
 */
static void test_migrate_corrupt(void)
{
    static const uint8_t magic[4] = { 0xfe, 0xed, 0xc0, 0xde };
    Pvgpu *src = pvgpu_start(NULL);
    g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-bad-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *logpath = g_strdup_printf("%s.log", path);
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    g_autofree char *stream = NULL;
    g_autofree char *log = NULL;
    g_autoptr(GError) err = NULL;
    QTestState *dst;
    uint8_t *at = NULL;
    gsize len;

    boot_ok(src);
    /* vmstate_pvgpu_fw: ..., fw_status, fw_error, scratch (big-endian). */
    wr(src, PVGPU_REG_SCRATCH, 0xfeedc0de);
    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);

    g_assert_true(g_file_get_contents(path, &stream, &len, NULL));
    for (gsize i = 12; i + 4 <= len; i++) {
        if (!memcmp(stream + i, magic, 4)) {
            g_assert_null(at);
            at = (uint8_t *)stream + i - 8;
        }
    }
    g_assert_nonnull(at);
    g_assert_cmphex(ldl_be_p(at), ==, PVGPU_FW_STATE_RUNNING);
    stl_be_p(at, PVGPU_FW_STATE_HALTED + 5);
    g_assert_true(g_file_set_contents(path, stream, len, &err));

    unlink(logpath);
    dst = qtest_initf("-machine q35 -nodefaults -bios qboot.rom "
                      "-device pvgpu -incoming defer "
                      "-d guest_errors -D %s", logpath);
    qtest_set_expected_status(dst, EXIT_FAILURE);
    qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s}}", uri);
    qtest_wait_qemu(dst);
    qtest_quit(dst);
    unlink(path);
    if (g_file_get_contents(logpath, &log, NULL, NULL)) {
        g_assert_null(strstr(log, "rejected"));
    }
    unlink(logpath);
    pvgpu_stop(src);
}

/* --- Queues end to end --------------------------------------------------- */

/*
 * GPU memory of the end-to-end queue tests: one 4 KiB page each, page i at
 * guest-physical g->base + i * PAGE and, where mapped, at GPU VA
 * G_VA + i * PAGE. G_VA is 2 MiB aligned and everything fits in one
 * level-0 table. GP_HOLE follows GP_FILL so that a FILL can run from a
 * mapped page into it; it is left unmapped (the fault tests). GP_PTRS holds
 * the queues' rptr/wptr words and descriptors: guest-physical, not mapped.
 */
enum {
    GP_ROOT, GP_L2, GP_L1, GP_L0,
    GP_RING0, GP_RING1, GP_RING2, GP_BATCH, GP_ARGS,
    GP_SRC, GP_DST, GP_FILL, GP_HOLE, GP_A, GP_B, GP_C, GP_C2, GP_FENCE,
    GP_PTRS, GP_COUNT
};
#define GP_FIRST_MAPPED GP_RING0
#define G_VA            0x00007f1234400000ull
#define G_QUEUES        (GP_BATCH - GP_RING0)   /* one per ring page */
#define E2E_POLLS       200     /* x 10 us: "nothing happens" checks */

typedef struct Gpu {
    Pvgpu *p;
    uint64_t base;
    uint32_t asid;
} Gpu;

/* A queue as the test driver knows it. */
typedef struct TQueue {
    uint32_t id;
    uint32_t doorbell;          /* doorbell id */
    int ring;                   /* GP_RING* */
    uint32_t wptr;              /* the driver's copy */
} TQueue;

static uint64_t gpa(Gpu *g, int page)
{
    return g->base + (uint64_t)page * PAGE;
}

static uint64_t gva(int page)
{
    return G_VA + (uint64_t)page * PAGE;
}

static void gpu_map(Gpu *g, int page)
{
    qtest_writeq(g->p->qts, gpa(g, GP_L0) + 8 * PVGPU_PT_INDEX(gva(page), 0),
                 gpa(g, page) | PVGPU_PTE_VALID | PVGPU_PTE_WRITABLE);
}

/*
 * Four-level page tables (48-bit VA, docs/page-tables.rst) mapping every
 * page from GP_FIRST_MAPPED on but GP_HOLE and GP_PTRS, bound as @asid
 * with @flags (PVGPU_AS_*).
 */
static Gpu gpu_setup(Pvgpu *p, uint32_t asid, uint32_t flags)
{
    Gpu g = { .p = p, .asid = asid };
    struct pvgpu_msg_as_bind bind = {
        .asid = cpu_to_le32(asid),
        .flags = cpu_to_le32(flags),
    };

    g.base = QEMU_ALIGN_UP(guest_alloc(&p->alloc, (GP_COUNT + 1) * PAGE),
                           PAGE);
    qtest_memset(p->qts, g.base, 0, GP_COUNT * PAGE);
    g_assert_cmpuint(PVGPU_PT_INDEX(gva(0), 0), ==, 0);
    qtest_writeq(p->qts, gpa(&g, GP_ROOT) + 8 * PVGPU_PT_INDEX(G_VA, 3),
                 gpa(&g, GP_L2) | PVGPU_PTE_VALID);
    qtest_writeq(p->qts, gpa(&g, GP_L2) + 8 * PVGPU_PT_INDEX(G_VA, 2),
                 gpa(&g, GP_L1) | PVGPU_PTE_VALID);
    qtest_writeq(p->qts, gpa(&g, GP_L1) + 8 * PVGPU_PT_INDEX(G_VA, 1),
                 gpa(&g, GP_L0) | PVGPU_PTE_VALID);
    for (int i = GP_FIRST_MAPPED; i < GP_PTRS; i++) {
        if (i != GP_HOLE) {
            gpu_map(&g, i);
        }
    }
    bind.pt_root = cpu_to_le64(gpa(&g, GP_ROOT));
    g_assert_cmpuint(request(p, PVGPU_H2F_AS_BIND, &bind, sizeof(bind),
                             NULL, 0, NULL), ==, PVGPU_STATUS_OK);
    return g;
}

/* The queue's rptr and wptr words and its descriptor, in GP_PTRS. */
static uint64_t tq_rptr_pa(Gpu *g, const TQueue *q)
{
    return gpa(g, GP_PTRS) + 16 * (q->ring - GP_RING0);
}

static uint64_t tq_wptr_pa(Gpu *g, const TQueue *q)
{
    return tq_rptr_pa(g, q) + 4;
}

static uint64_t tq_desc_pa(Gpu *g, const TQueue *q)
{
    return gpa(g, GP_PTRS) + 0x800 + 64 * (q->ring - GP_RING0);
}

static TQueue tq_register(Gpu *g, uint32_t id, uint32_t engine_class,
                          int ring, uint32_t doorbell)
{
    TQueue q = { .id = id, .doorbell = doorbell, .ring = ring };
    struct pvgpu_queue_desc d = {
        .engine_class = cpu_to_le32(engine_class),
        .priority = cpu_to_le32(1),
        .asid = cpu_to_le32(g->asid),
        .ring_addr = cpu_to_le64(gva(ring)),
        .ring_size = cpu_to_le32(PAGE),
        .doorbell = cpu_to_le32(doorbell),
    };
    struct pvgpu_msg_queue_register m = {
        .queue_id = cpu_to_le32(id),
        .desc_addr = cpu_to_le64(tq_desc_pa(g, &q)),
    };

    g_assert_cmpint(ring, >=, GP_RING0);
    g_assert_cmpint(ring, <, GP_RING0 + G_QUEUES);
    d.rptr_addr = cpu_to_le64(tq_rptr_pa(g, &q));
    d.wptr_addr = cpu_to_le64(tq_wptr_pa(g, &q));
    mem_wr32(g->p, tq_rptr_pa(g, &q), 0);
    mem_wr32(g->p, tq_wptr_pa(g, &q), 0);
    qtest_memwrite(g->p->qts, tq_desc_pa(g, &q), &d, sizeof(d));
    g_assert_cmpuint(request(g->p, PVGPU_H2F_QUEUE_REGISTER, &m, sizeof(m),
                             NULL, 0, NULL), ==, PVGPU_STATUS_OK);
    return q;
}

/* Ring the queue's doorbell: a 32-bit write at its dword of BAR2. */
static void tq_doorbell(Gpu *g, const TQueue *q)
{
    uint64_t off = (uint64_t)PVGPU_DOORBELL_GROUP(q->doorbell) *
                   PVGPU_DOORBELL_PAGE_SIZE +
                   PVGPU_DOORBELL_OFFSET(q->doorbell);

    g_assert_cmphex(off, ==, PVGPU_DOORBELL_BAR_OFFSET(q->doorbell));
    g_assert_cmphex(off + 4, <=, g->p->bar2_size);
    qpci_io_writel(g->p->dev, g->p->bar2, off, 1);
}

/* Write commands at the queue's wptr (wrapping), publish wptr; no doorbell. */
static void tq_write(Gpu *g, TQueue *q, const uint32_t *dw, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        mem_wr32(g->p, gpa(g, q->ring) + q->wptr, dw[i]);
        q->wptr = (q->wptr + 4) & (PAGE - 1);
    }
    mem_wr32(g->p, tq_wptr_pa(g, q), q->wptr);
}

static void tq_submit(Gpu *g, TQueue *q, const uint32_t *dw, unsigned int n)
{
    tq_write(g, q, dw, n);
    tq_doorbell(g, q);
}

static struct pvgpu_msg_queue_state tq_query(Gpu *g, const TQueue *q)
{
    return query_queue(g->p, q->id);
}

/* --- Command building -------------------------------------------------- */

/*
 * Commands for a ring or a batch buffer, encoded by pvgpu_cmd_emit.h:
 * C_EMIT(&c, store32, va, value) appends pvgpu_emit_store32(), asserting
 * it fits.
 */
typedef struct Cmds {
    uint32_t dw[128];
    unsigned int n;
} Cmds;

#define C_EMIT(c, cmd, ...)                                             \
    do {                                                                \
        struct pvgpu_cmd_stream s_;                                     \
        bool ok_;                                                       \
                                                                        \
        pvgpu_cmd_stream_init(&s_, (c)->dw, G_N_ELEMENTS((c)->dw));     \
        s_.len = (c)->n;                                                \
        ok_ = pvgpu_emit_##cmd(&s_, ##__VA_ARGS__);                     \
        g_assert_true(ok_);                                             \
        (c)->n = s_.len;                                                \
    } while (0)

/* --- Completion: events and the interrupt ------------------------------ */

/* Take every F2H message into the stash. */
static void f2h_drain(Pvgpu *p)
{
    struct pvgpu_msg_hdr hdr;
    uint8_t buf[PVGPU_MSG_MAX_PAYLOAD_DW * 4];

    while (f2h_take(p, &hdr, buf, sizeof(buf))) {
        stash_msg(p, &hdr, buf);
    }
}

/*
 * Take the first kept message of @kind and @opcode; for events, of queue
 * @qid (their first payload dword). Its payload goes to @payload (exactly
 * @len bytes). False if there is none.
 */
static bool take_msg(Pvgpu *p, uint16_t kind, uint16_t opcode, uint32_t qid,
                     void *payload, uint32_t len, TMsg *out)
{
    for (guint i = 0; p->stash && i < p->stash->len; i++) {
        TMsg *m = &g_array_index(p->stash, TMsg, i);
        uint32_t id;

        if (m->kind != kind || m->opcode != opcode) {
            continue;
        }
        if (kind == PVGPU_MSG_KIND_EVENT) {
            g_assert_cmpuint(m->len, >=, 4);
            memcpy(&id, m->payload, 4);
            if (le32_to_cpu(id) != qid) {
                continue;
            }
        }
        g_assert_cmpuint(m->len, ==, len);
        memcpy(payload, m->payload, len);
        if (out) {
            *out = *m;
        }
        g_array_remove_index(p->stash, i);
        return true;
    }
    return false;
}

/*
 * Start of a submission: no interrupt pending, nothing on F2H (kept for
 * later). Whatever the firmware writes to F2H from now on signals MSI-X.
 */
static void irq_quiesce(Pvgpu *p)
{
    mem_wr32(p, p->msi_addr, 0);
    wr(p, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
    f2h_drain(p);
}

/*
 * Wait as an interrupt-driven driver does for event @opcode of queue @qid:
 * for each MSI-X message, acknowledge IRQ_STATUS, then drain F2H. Call
 * irq_quiesce() before the submission, so the event can only have come
 * with an interrupt. Bounded: wait_irq() gives up after WAIT_ITERS steps
 * (2 ms of virtual time).
 */
static void wait_event(Pvgpu *p, uint16_t opcode, uint32_t qid,
                       void *payload, uint32_t len)
{
    for (int n = 0; n < 100; n++) {
        if (take_msg(p, PVGPU_MSG_KIND_EVENT, opcode, qid, payload, len,
                     NULL)) {
            return;
        }
        /*
         * An interrupt may find nothing new (its messages were drained
         * after an earlier one): a driver takes that in its stride.
         */
        wait_irq(p);
        f2h_drain(p);
    }
    g_assert_not_reached();
}

/* The SIGNAL event of @q: @va got @value. */
static void wait_signal(Gpu *g, const TQueue *q, uint64_t va, uint64_t value)
{
    struct pvgpu_evt_queue_signal evt;

    wait_event(g->p, PVGPU_F2H_EVT_QUEUE_SIGNAL, q->id, &evt, sizeof(evt));
    g_assert_cmpuint(le32_to_cpu(evt.flags), ==, 0);
    g_assert_cmphex(le64_to_cpu(evt.addr), ==, va);
    g_assert_cmphex(le64_to_cpu(evt.value), ==, value);
}

/* The IDLE event of @q: it caught up with the wptr it was given. */
static void wait_idle(Gpu *g, const TQueue *q)
{
    struct pvgpu_evt_queue_idle evt;
    struct pvgpu_msg_queue_state st;

    wait_event(g->p, PVGPU_F2H_EVT_QUEUE_IDLE, q->id, &evt, sizeof(evt));
    g_assert_cmphex(le32_to_cpu(evt.rptr), ==, q->wptr);
    g_assert_cmphex(mem_rd32(g->p, tq_rptr_pa(g, q)), ==, q->wptr);
    st = tq_query(g, q);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_IDLE);
    g_assert_cmphex(le32_to_cpu(st.rptr), ==, q->wptr);
}

/* The QUEUE_ERROR event of @q; the queue is in ERROR. */
static struct pvgpu_evt_queue_error wait_queue_error(Gpu *g, const TQueue *q,
                                                     uint32_t error)
{
    struct pvgpu_evt_queue_error evt;
    struct pvgpu_msg_queue_state st;

    wait_event(g->p, PVGPU_F2H_EVT_QUEUE_ERROR, q->id, &evt, sizeof(evt));
    g_assert_cmpuint(le32_to_cpu(evt.error), ==, error);
    g_assert_cmpuint(le32_to_cpu(evt.guilty), ==, 1);
    g_assert_cmpuint(le32_to_cpu(evt.asid), ==, g->asid);
    /* Only a wedged engine class (x-inject-wedge-engine) sets flags. */
    g_assert_cmpuint(le32_to_cpu(evt.flags), ==, 0);
    st = tq_query(g, q);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_ERROR);
    return evt;
}

/* Let the device run a while (virtual time); for "nothing happens". */
static void idle_steps(Pvgpu *p)
{
    for (int i = 0; i < E2E_POLLS; i++) {
        qtest_clock_step(p->qts, 10 * 1000);
    }
}

/*
 * A privileged (kernel) queue, across a migration: the firmware reads its
 * ring at a guest-physical address no GPU VA maps, FENCE writes the
 * guest-physical fence and raises a SIGNAL event marked FENCE, and a FENCE
 * inside a batch (a user command) stops the queue with PRIVILEGED without
 * writing the fence.
 */
static void test_privileged_queue(void)
{
    Pvgpu *src = pvgpu_start(NULL);
    Pvgpu *dst;
    g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-pq-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    const uint64_t batch_va = Q_DATA_VA + 0x800;
    const uint32_t work[] = {
        PVGPU_CMD_HDR(PVGPU_CMD_DELAY, 0, PVGPU_CMD_LEN_DELAY),
        5000000, 0,
        PVGPU_CMD_HDR(PVGPU_CMD_FENCE, PVGPU_CMD_FENCE_IRQ,
                      PVGPU_CMD_LEN_FENCE), 7, 0,
    };
    const uint32_t forge[] = {
        PVGPU_CMD_HDR(PVGPU_CMD_BATCH_CALL, 0, PVGPU_CMD_LEN_BATCH_CALL),
        (uint32_t)batch_va, (uint32_t)(batch_va >> 32),
        PVGPU_CMD_HDR(PVGPU_CMD_FENCE, PVGPU_CMD_FENCE_IRQ,
                      PVGPU_CMD_LEN_FENCE), 9, 0,
    };
    struct pvgpu_evt_queue_signal sig;
    struct pvgpu_evt_queue_error err;
    uint64_t base, fence;
    uint32_t tail = 0;
    int i;

    base = QEMU_ALIGN_UP(guest_alloc(&src->alloc, (QP_COUNT + 1) * PAGE),
                         PAGE);
    fence = qpg(base, QP_PTRS) + 8;
    boot_ok(src);
    queue_vm_setup(src, base);
    {
        struct pvgpu_queue_desc d = {
            .engine_class = cpu_to_le32(PVGPU_ENGINE_CLASS_COMPUTE),
            .priority = cpu_to_le32(1),
            .asid = cpu_to_le32(1),
            .ring_addr = cpu_to_le64(qpg(base, QP_RING)),
            .ring_size = cpu_to_le32(PAGE),
            .doorbell = cpu_to_le32(Q_DOORBELL),
            .rptr_addr = cpu_to_le64(qpg(base, QP_PTRS)),
            .wptr_addr = cpu_to_le64(qpg(base, QP_PTRS) + 4),
            .flags = cpu_to_le32(PVGPU_QUEUE_DESC_PRIVILEGED),
            .fence_addr = cpu_to_le64(fence),
        };
        struct pvgpu_msg_queue_register m = {
            .queue_id = cpu_to_le32(Q_ID),
            .desc_addr = cpu_to_le64(qpg(base, QP_PTRS) + 64),
        };

        /* The ring's GPU mapping goes: only its physical address works. */
        qtest_writeq(src->qts, qpg(base, QP_L0) +
                     8 * PVGPU_PT_INDEX(Q_RING_VA, 0), 0);
        qtest_memwrite(src->qts, qpg(base, QP_PTRS) + 64, &d, sizeof(d));
        g_assert_cmpuint(request(src, PVGPU_H2F_QUEUE_REGISTER, &m,
                                 sizeof(m), NULL, 0, NULL), ==,
                         PVGPU_STATUS_OK);
    }
    queue_submit(src, base, &tail, work, G_N_ELEMENTS(work));
    qtest_clock_step(src->qts, 1000 * 1000);
    g_assert_cmpuint(qtest_readq(src->qts, fence), ==, 0);

    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);
    dst = pvgpu_incoming(src, uri);
    unlink(path);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'cont'}");

    for (i = 0; i < WAIT_ITERS && qtest_readq(dst->qts, fence) != 7; i++) {
        qtest_clock_step(dst->qts, 100 * 1000);
    }
    g_assert_cmpint(i, <, WAIT_ITERS);
    wait_event(dst, PVGPU_F2H_EVT_QUEUE_SIGNAL, Q_ID, &sig, sizeof(sig));
    g_assert_cmphex(le32_to_cpu(sig.flags), ==, PVGPU_EVT_SIGNAL_FENCE);
    g_assert_cmphex(le64_to_cpu(sig.addr), ==, fence);
    g_assert_cmpuint(le64_to_cpu(sig.value), ==, 7);

    /* A user batch forging the next value: refused, nothing written. */
    mem_wr32(dst, qpg(base, QP_DATA) + 0x800,
             PVGPU_CMD_HDR(PVGPU_CMD_FENCE, 0, PVGPU_CMD_LEN_FENCE));
    mem_wr32(dst, qpg(base, QP_DATA) + 0x804, 8);
    mem_wr32(dst, qpg(base, QP_DATA) + 0x808, 0);
    queue_submit(dst, base, &tail, forge, G_N_ELEMENTS(forge));
    wait_event(dst, PVGPU_F2H_EVT_QUEUE_ERROR, Q_ID, &err, sizeof(err));
    g_assert_cmpuint(le32_to_cpu(err.error), ==, PVGPU_QUEUE_ERR_PRIVILEGED);
    g_assert_cmphex(le64_to_cpu(err.cmd_va), ==, batch_va);
    g_assert_cmpuint(qtest_readq(dst->qts, fence), ==, 7);
    pvgpu_stop(dst);
    pvgpu_stop(src);
}

/* The next SIGNAL event of @qid is PROGRESS of @progress at @retired. */
static void wait_progress(Pvgpu *p, uint32_t qid, uint64_t progress,
                          uint64_t retired)
{
    struct pvgpu_evt_queue_signal sig;

    wait_event(p, PVGPU_F2H_EVT_QUEUE_SIGNAL, qid, &sig, sizeof(sig));
    g_assert_cmphex(le32_to_cpu(sig.flags), ==, PVGPU_EVT_SIGNAL_PROGRESS);
    g_assert_cmphex(le64_to_cpu(sig.addr), ==, progress);
    g_assert_cmpuint(le64_to_cpu(sig.value), ==, retired);
}

/*
 * A user queue (ring in its GPU address space) with a progress block,
 * across a migration: registration sets retired to 0, every rptr
 * write-back adds the ring bytes, notify_at crossed raises a SIGNAL event
 * marked PROGRESS, and on the destination retired counts on from where it
 * was.
 */
static void test_queue_progress(void)
{
    Pvgpu *src = pvgpu_start(NULL);
    Pvgpu *dst;
    g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-prog-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    const uint32_t work[] = {
        PVGPU_CMD_HDR(PVGPU_CMD_STORE32, 0, PVGPU_CMD_LEN_STORE32),
        (uint32_t)Q_DATA_VA, (uint32_t)(Q_DATA_VA >> 32), 1,
        PVGPU_CMD_HDR(PVGPU_CMD_STORE32, 0, PVGPU_CMD_LEN_STORE32),
        (uint32_t)(Q_DATA_VA + 4), (uint32_t)(Q_DATA_VA >> 32), 2,
        PVGPU_CMD_HDR(PVGPU_CMD_DELAY, 0, PVGPU_CMD_LEN_DELAY),
        5000000, 0,
        PVGPU_CMD_HDR(PVGPU_CMD_STORE32, 0, PVGPU_CMD_LEN_STORE32),
        (uint32_t)(Q_DATA_VA + 8), (uint32_t)(Q_DATA_VA >> 32), 3,
    };
    /* Bytes of the two stores before the DELAY. */
    const uint64_t head = 2 * PVGPU_CMD_LEN_STORE32 * 4;
    uint64_t base, progress;
    uint32_t tail = 0;
    int i;

    base = QEMU_ALIGN_UP(guest_alloc(&src->alloc, (QP_COUNT + 1) * PAGE),
                         PAGE);
    /* After rptr, wptr; before the descriptor at +64. */
    progress = qpg(base, QP_PTRS) + 16;
    boot_ok(src);
    queue_vm_setup(src, base);
    {
        struct pvgpu_queue_desc d = {
            .engine_class = cpu_to_le32(PVGPU_ENGINE_CLASS_COMPUTE),
            .priority = cpu_to_le32(1),
            .asid = cpu_to_le32(1),
            .ring_addr = cpu_to_le64(Q_RING_VA),
            .ring_size = cpu_to_le32(PAGE),
            .doorbell = cpu_to_le32(Q_DOORBELL),
            .rptr_addr = cpu_to_le64(qpg(base, QP_PTRS)),
            .wptr_addr = cpu_to_le64(qpg(base, QP_PTRS) + 4),
            .fence_addr = cpu_to_le64(progress),
        };
        struct pvgpu_msg_queue_register m = {
            .queue_id = cpu_to_le32(Q_ID),
            .desc_addr = cpu_to_le64(qpg(base, QP_PTRS) + 64),
        };

        /* Misaligned, then a good one over a stale retired. */
        d.fence_addr = cpu_to_le64(progress + 8);
        qtest_memwrite(src->qts, qpg(base, QP_PTRS) + 64, &d, sizeof(d));
        g_assert_cmpuint(request(src, PVGPU_H2F_QUEUE_REGISTER, &m,
                                 sizeof(m), NULL, 0, NULL), ==,
                         PVGPU_STATUS_EFAULT);
        d.fence_addr = cpu_to_le64(progress);
        qtest_memwrite(src->qts, qpg(base, QP_PTRS) + 64, &d, sizeof(d));
        qtest_writeq(src->qts, progress, 0xdeadbeef);
        g_assert_cmpuint(request(src, PVGPU_H2F_QUEUE_REGISTER, &m,
                                 sizeof(m), NULL, 0, NULL), ==,
                         PVGPU_STATUS_OK);
    }
    g_assert_cmpuint(qtest_readq(src->qts, progress), ==, 0);
    qtest_writeq(src->qts, progress + 8, head);
    irq_quiesce(src);
    queue_submit(src, base, &tail, work, G_N_ELEMENTS(work));
    wait_progress(src, Q_ID, progress, head);
    /* In the DELAY: the stores retired, nothing after them. */
    qtest_clock_step(src->qts, 1000 * 1000);
    g_assert_cmpuint(qtest_readq(src->qts, progress), ==, head);
    g_assert_cmpuint(mem_rd32(src, qpg(base, QP_PTRS)), ==, head);
    g_assert_cmpuint(mem_rd32(src, qpg(base, QP_DATA) + 8), ==, 0);

    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);
    dst = pvgpu_incoming(src, uri);
    unlink(path);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'cont'}");

    /* The driver moves notify_at to the end of the work. */
    qtest_writeq(dst->qts, progress + 8, sizeof(work));
    for (i = 0; i < WAIT_ITERS &&
         mem_rd32(dst, qpg(base, QP_DATA) + 8) != 3; i++) {
        qtest_clock_step(dst->qts, 100 * 1000);
    }
    g_assert_cmpint(i, <, WAIT_ITERS);
    wait_progress(dst, Q_ID, progress, sizeof(work));
    g_assert_cmpuint(qtest_readq(dst->qts, progress), ==, sizeof(work));
    g_assert_cmpuint(mem_rd32(dst, qpg(base, QP_PTRS)), ==, sizeof(work));
    g_assert_cmpuint(qtest_readq(dst->qts, progress + 8), ==, sizeof(work));
    pvgpu_stop(dst);
    pvgpu_stop(src);
}

/* --- What the stream carries ---------------------------------------------- */

/* Bytes of the fields of a vmdesc "fields" list (compressed arrays too). */
static uint64_t vmdesc_fields_bytes(QList *fields)
{
    uint64_t sum = 0;
    QListEntry *e;

    QLIST_FOREACH_ENTRY(fields, e) {
        QDict *f = qobject_to(QDict, qlist_entry_obj(e));
        uint64_t n = qdict_haskey(f, "array_len") ?
                     qdict_get_int(f, "array_len") : 1;

        sum += n * qdict_get_int(f, "size");
    }
    return sum;
}

/*
 * The pvgpu device's share of the migration stream in @path, as the
 * stream's own description says: the JSON QEMU appends after the last
 * section (QEMU_VM_VMDESCRIPTION, what scripts/analyze-migration.py reads)
 * gives the bytes of every field and subsection of every device.
 */
static uint64_t pvgpu_stream_bytes(const char *path)
{
    static const char key[] = "{\"configuration\"";
    g_autofree char *stream = NULL;
    g_autofree char *json = NULL;
    QDict *desc;
    QListEntry *e;
    uint64_t sum = 0;
    bool found = false;
    gsize len, at = 0;

    g_assert_true(g_file_get_contents(path, &stream, &len, NULL));
    for (gsize i = 5; i + strlen(key) <= len; i++) {
        if (!memcmp(stream + i, key, strlen(key))) {
            at = i;
        }
    }
    /* QEMU_VM_VMDESCRIPTION (6), its length (be32), the JSON. */
    g_assert_cmpuint(at, >, 0);
    g_assert_cmpuint((uint8_t)stream[at - 5], ==, 6);
    g_assert_cmpuint(at + ldl_be_p(stream + at - 4), <=, len);
    json = g_strndup(stream + at, ldl_be_p(stream + at - 4));
    desc = qobject_to(QDict, qobject_from_json(json, &error_abort));
    QLIST_FOREACH_ENTRY(qdict_get_qlist(desc, "devices"), e) {
        QDict *dev = qobject_to(QDict, qlist_entry_obj(e));
        QList *subs = qdict_get_qlist(dev, "subsections");
        QListEntry *sub;

        if (strcmp(qdict_get_str(dev, "vmsd_name"), "pvgpu")) {
            continue;
        }
        g_assert_false(found);
        found = true;
        g_assert_cmpint(qdict_get_int(dev, "version"), ==, 6);
        sum += vmdesc_fields_bytes(qdict_get_qlist(dev, "fields"));
        if (subs) {
            QLIST_FOREACH_ENTRY(subs, sub) {
                sum += vmdesc_fields_bytes(qdict_get_qlist(
                    qobject_to(QDict, qlist_entry_obj(sub)), "fields"));
            }
        }
    }
    g_assert_true(found);
    qobject_unref(desc);
    return sum;
}

#define BIG_SHAPE       ",max-queues=65536"
#define BIG_QUEUES      65536u

/*
 * The device's part of the stream follows the queues the guest
 * registered, not the shape: on the largest one (65536 queue ids, a
 * table of over 20 MB that version 5 sent whole) it holds one record per
 * registered queue, 0, 1 or 64 here, and the 64 all arrive.
 */
static void test_migrate_compact(void)
{
    static const unsigned int counts[] = { 0, 1, 64 };
    uint64_t bytes[G_N_ELEMENTS(counts)];
    uint64_t record;

    for (size_t k = 0; k < G_N_ELEMENTS(counts); k++) {
        Pvgpu *src = pvgpu_start(BIG_SHAPE);
        Pvgpu *dst;
        g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-n-%d",
                                                g_get_tmp_dir(), getpid());
        g_autofree char *uri = g_strdup_printf("file:%s", path);
        struct pvgpu_msg_queue m = { .queue_id = cpu_to_le32(5) };
        Gpu g;

        boot_ok(src);
        g = gpu_setup(src, 1, 0);
        for (unsigned int i = 0; i < counts[k]; i++) {
            /* Ids spread over the table; one ring is enough to register. */
            tq_register(&g, i * 1021, PVGPU_ENGINE_CLASS_COPY, GP_RING0,
                        PVGPU_DOORBELL_ID(2, i));
        }
        qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
        qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                                 "'arguments': {'uri': %s}}", uri);
        wait_migration_done(src->qts);
        bytes[k] = pvgpu_stream_bytes(path);
        g_test_message("max-queues=65536, %u queues: %" PRIu64
                       " bytes of pvgpu state", counts[k], bytes[k]);

        dst = pvgpu_incoming_with(src, uri, BIG_SHAPE);
        unlink(path);
        qtest_qmp_assert_success(dst->qts, "{'execute': 'cont'}");
        for (unsigned int i = 0; i < counts[k]; i++) {
            struct pvgpu_msg_queue_state st = query_queue(dst, i * 1021);

            g_assert_cmpuint(le32_to_cpu(st.state), ==,
                             PVGPU_QUEUE_STATE_IDLE);
        }
        g_assert_cmpuint(request(dst, PVGPU_H2F_QUEUE_QUERY, &m, sizeof(m),
                                 NULL, 0, NULL), ==, PVGPU_STATUS_ENOENT);
        pvgpu_stop(dst);
        pvgpu_stop(src);
    }
    /* Each queue costs one record, the same for every queue. */
    record = bytes[1] - bytes[0];
    g_assert_cmpuint(bytes[1], >, bytes[0]);
    g_assert_cmpuint(bytes[2] - bytes[0], ==, 64 * record);
    /* A record is a table entry and its id; the whole table is gone. */
    g_assert_cmpuint(bytes[2] * 100, <, (uint64_t)BIG_QUEUES * (record - 4));
}

/*
 * Queue records a guest could not have produced -- an id repeated or at
 * max-queues, a count the device cannot hold (also a negative one), a
 * record of a free entry -- are a migration error: the destination exits
 * cleanly (no crash, no write outside the table), and the refusal is not
 * logged as a guest error.
 */
static void test_migrate_bad_records(void)
{
    enum { DUP_ID, ID_LIMIT, COUNT_HUGE, COUNT_NEGATIVE, FREE_ENTRY, NBAD };
    static const uint32_t ids[2] = { 0x3a7, 0x3b9 };
    Pvgpu *src = pvgpu_start(NULL);
    g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-rec-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *bad_path = g_strdup_printf("%s.bad", path);
    g_autofree char *logpath = g_strdup_printf("%s.log", path);
    g_autofree char *src_uri = g_strdup_printf("file:%s", path);
    g_autofree char *uri = g_strdup_printf("file:%s", bad_path);
    g_autofree char *stream = NULL;
    uint8_t *rec[2] = { NULL, NULL };
    uint8_t pattern[2][8];
    gsize len;
    Gpu g;

    boot_ok(src);
    g = gpu_setup(src, 1, 0);
    for (int i = 0; i < 2; i++) {
        tq_register(&g, ids[i], PVGPU_ENGINE_CLASS_COPY, GP_RING0,
                    PVGPU_DOORBELL_ID(2, i));
        /* A record starts with its id and registered (big-endian). */
        stl_be_p(pattern[i], ids[i]);
        stl_be_p(pattern[i] + 4, 1);
    }
    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", src_uri);
    wait_migration_done(src->qts);
    g_assert_true(g_file_get_contents(path, &stream, &len, NULL));
    unlink(path);
    for (gsize at = 4; at + 8 <= len; at++) {
        for (int i = 0; i < 2; i++) {
            if (!memcmp(stream + at, pattern[i], 8)) {
                g_assert_null(rec[i]);
                rec[i] = (uint8_t *)stream + at;
            }
        }
    }
    g_assert_nonnull(rec[0]);
    g_assert_nonnull(rec[1]);
    g_assert_true(rec[0] < rec[1]);
    /* The count comes right before the first record. */
    g_assert_cmpuint(ldl_be_p(rec[0] - 4), ==, 2);

    for (int bad = 0; bad < NBAD; bad++) {
        g_autofree char *copy = g_memdup2(stream, len);
        g_autofree char *log = NULL;
        uint8_t *r0 = (uint8_t *)copy + (rec[0] - (uint8_t *)stream);
        uint8_t *r1 = (uint8_t *)copy + (rec[1] - (uint8_t *)stream);
        QTestState *dst;

        switch (bad) {
        case DUP_ID:
            stl_be_p(r1, ids[0]);
            break;
        case ID_LIMIT:
            stl_be_p(r1, 1024);         /* the default max-queues */
            break;
        case COUNT_HUGE:
            stl_be_p(r0 - 4, INT32_MAX);
            break;
        case COUNT_NEGATIVE:
            stl_be_p(r0 - 4, UINT32_MAX);
            break;
        case FREE_ENTRY:
            stl_be_p(r0 + 4, 0);
            break;
        }
        g_assert_true(g_file_set_contents(bad_path, copy, len, NULL));
        unlink(logpath);
        dst = qtest_initf("-machine q35 -nodefaults -bios qboot.rom "
                          "-device pvgpu -incoming defer "
                          "-d guest_errors -D %s", logpath);
        qtest_set_expected_status(dst, EXIT_FAILURE);
        qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                                 "'arguments': {'uri': %s}}", uri);
        qtest_wait_qemu(dst);
        qtest_quit(dst);
        if (g_file_get_contents(logpath, &log, NULL, NULL)) {
            g_assert_null(strstr(log, "rejected"));
        }
        unlink(logpath);
    }
    unlink(bad_path);
    pvgpu_stop(src);
}

/* --- The tests ------------------------------------------------------------ */

/*
 * A copy queue (STORE32, COPY, FILL, a batch buffer, SIGNAL) on a doorbell
 * of the kernel's page and a compute queue (DISPATCH VECTOR_ADD_U32,
 * SIGNAL_32) on a user page: fences in memory, SIGNAL events with MSI-X,
 * the data, rptr and the idle events.
 */
static void test_queue_submit(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    Gpu g;
    TQueue cq, kq;
    Cmds cc = { .n = 0 }, kc = { .n = 0 }, batch = { .n = 0 };
    struct pvgpu_kargs_vector_add args;
    const uint32_t n = 1024;
    const uint64_t c_va = gva(GP_C) + 0x800;     /* straddles GP_C2 */
    uint8_t src[PAGE], buf[PAGE];
    uint32_t a[1024], b[1024], c[1024];
    struct pvgpu_msg_queue_state st;

    boot_ok(p);
    g = gpu_setup(p, 1, 0);
    cq = tq_register(&g, 7, PVGPU_ENGINE_CLASS_COPY, GP_RING0,
                     PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, 1));
    kq = tq_register(&g, 8, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING1,
                     PVGPU_DOORBELL_ID(3, 0));

    /* Data the CPU provides. */
    for (int i = 0; i < PAGE; i++) {
        src[i] = i * 7 + 3;
    }
    qtest_memwrite(p->qts, gpa(&g, GP_SRC), src, sizeof(src));
    for (uint32_t i = 0; i < n; i++) {
        a[i] = i * 0x01010101u;
        b[i] = 0xfffff000u + i * 3;
    }
    qtest_memwrite(p->qts, gpa(&g, GP_A), a, sizeof(a));
    qtest_memwrite(p->qts, gpa(&g, GP_B), b, sizeof(b));
    args = (struct pvgpu_kargs_vector_add) {
        .a = cpu_to_le64(gva(GP_A)),
        .b = cpu_to_le64(gva(GP_B)),
        .c = cpu_to_le64(c_va),
        .n = cpu_to_le64(n),
    };
    qtest_memwrite(p->qts, gpa(&g, GP_ARGS), &args, sizeof(args));

    /* A batch buffer the copy queue calls. */
    C_EMIT(&batch, store32, gva(GP_FENCE) + 16, 0xba7c4);
    C_EMIT(&batch, batch_return);
    qtest_memwrite(p->qts, gpa(&g, GP_BATCH), batch.dw, batch.n * 4);

    C_EMIT(&cc, store32, gva(GP_FENCE) + 8, 0x5700e32);
    C_EMIT(&cc, copy, gva(GP_SRC) + 0x10, gva(GP_DST) + 3, PAGE - 0x10);
    C_EMIT(&cc, fill, gva(GP_FILL), PAGE, 0xa5a55a5a);
    C_EMIT(&cc, batch_call, gva(GP_BATCH));
    C_EMIT(&cc, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE),
           0x1122334455667788ull);

    C_EMIT(&kc, dispatch, PVGPU_KERNEL_VECTOR_ADD_U32, gva(GP_ARGS));
    C_EMIT(&kc, signal, PVGPU_CMD_SIGNAL_IRQ | PVGPU_CMD_SIGNAL_32,
           gva(GP_FENCE) + 0x40, 0xabcdef0012345678ull);

    irq_quiesce(p);
    tq_submit(&g, &cq, cc.dw, cc.n);
    tq_submit(&g, &kq, kc.dw, kc.n);

    wait_signal(&g, &cq, gva(GP_FENCE), 0x1122334455667788ull);
    g_assert_cmphex(qtest_readq(p->qts, gpa(&g, GP_FENCE)), ==,
                    0x1122334455667788ull);
    wait_signal(&g, &kq, gva(GP_FENCE) + 0x40, 0x12345678);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x40), ==, 0x12345678);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x44), ==, 0);

    /* Everything before a SIGNAL completed before it. */
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 8), ==, 0x5700e32);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 16), ==, 0xba7c4);
    qtest_memread(p->qts, gpa(&g, GP_DST), buf, sizeof(buf));
    g_assert_cmpuint(buf[0] | buf[1] | buf[2], ==, 0);
    g_assert_cmpmem(buf + 3, PAGE - 0x10, src + 0x10, PAGE - 0x10);
    for (int i = 3 + PAGE - 0x10; i < PAGE; i++) {
        g_assert_cmpuint(buf[i], ==, 0);
    }
    for (int i = 0; i < PAGE; i += 4) {
        g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FILL) + i), ==, 0xa5a55a5a);
    }
    qtest_memread(p->qts, gpa(&g, GP_C) + 0x800, c, sizeof(c));
    for (uint32_t i = 0; i < n; i++) {
        g_assert_cmphex(le32_to_cpu(c[i]), ==, a[i] + b[i]);
    }
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_C)), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_C2) + 0x800), ==, 0);

    /* Both queues consumed their rings and went idle. */
    wait_idle(&g, &cq);
    wait_idle(&g, &kq);
    st = tq_query(&g, &cq);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 7);
    st = tq_query(&g, &kq);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 2);

    /* More work through the same doorbell. */
    cc.n = 0;
    C_EMIT(&cc, store32, gva(GP_FENCE) + 24, 0x2222);
    C_EMIT(&cc, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 2);
    irq_quiesce(p);
    tq_submit(&g, &cq, cc.dw, cc.n);
    wait_signal(&g, &cq, gva(GP_FENCE), 2);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 24), ==, 0x2222);
    wait_idle(&g, &cq);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    pvgpu_stop(p);
}

/*
 * Malformed commands stop their queue with QUEUE_ERROR ILLEGAL_CMD naming
 * the command; the commands before it ran, the ones after it do not, and
 * the device keeps serving other queues and the message channel.
 */
static void test_queue_illegal_cmd(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    Gpu g;
    TQueue bad, bad_len, good;
    Cmds c = { .n = 0 };
    struct pvgpu_evt_queue_error evt;
    uint32_t hdr;

    boot_ok(p);
    g = gpu_setup(p, 2, 0);
    bad = tq_register(&g, 1, PVGPU_ENGINE_CLASS_COPY, GP_RING0,
                      PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, 2));
    bad_len = tq_register(&g, 2, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING1,
                          PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, 3));
    good = tq_register(&g, 3, PVGPU_ENGINE_CLASS_COPY, GP_RING2,
                       PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, 4));

    /* An unknown opcode after a good command. */
    hdr = PVGPU_CMD_HDR(0x7f, 0, 1);
    C_EMIT(&c, store32, gva(GP_FENCE) + 0x80, 1);
    C_EMIT(&c, cmd, 0x7f, 0, 1, NULL);
    C_EMIT(&c, store32, gva(GP_FENCE) + 0x84, 2);
    irq_quiesce(p);
    tq_submit(&g, &bad, c.dw, c.n);
    evt = wait_queue_error(&g, &bad, PVGPU_QUEUE_ERR_ILLEGAL_CMD);
    g_assert_cmpuint(le32_to_cpu(evt.engine_class), ==,
                     PVGPU_ENGINE_CLASS_COPY);
    g_assert_cmphex(le64_to_cpu(evt.cmd_va), ==, gva(GP_RING0) + 16);
    g_assert_cmphex(le32_to_cpu(evt.cmd_dw0), ==, hdr);
    g_assert_cmphex(le32_to_cpu(evt.rptr), ==, 16);
    g_assert_cmphex(mem_rd32(p, tq_rptr_pa(&g, &bad)), ==, 16);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x80), ==, 1);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x84), ==, 0);

    /* A known command with the wrong length. */
    c.n = 0;
    hdr = PVGPU_CMD_HDR(PVGPU_CMD_STORE32, 0, PVGPU_CMD_LEN_STORE32 + 1);
    C_EMIT(&c, cmd, PVGPU_CMD_STORE32, 0, PVGPU_CMD_LEN_STORE32 + 1,
           (const uint32_t[]){ (uint32_t)(gva(GP_FENCE) + 0x88),
                               (uint32_t)((gva(GP_FENCE) + 0x88) >> 32),
                               3, 0 });
    irq_quiesce(p);
    tq_submit(&g, &bad_len, c.dw, c.n);
    evt = wait_queue_error(&g, &bad_len, PVGPU_QUEUE_ERR_ILLEGAL_CMD);
    g_assert_cmpuint(le32_to_cpu(evt.engine_class), ==,
                     PVGPU_ENGINE_CLASS_COMPUTE);
    g_assert_cmphex(le64_to_cpu(evt.cmd_va), ==, gva(GP_RING1));
    g_assert_cmphex(le32_to_cpu(evt.cmd_dw0), ==, hdr);
    g_assert_cmphex(le32_to_cpu(evt.rptr), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x88), ==, 0);

    /* A stopped queue ignores its doorbell. */
    irq_quiesce(p);
    tq_doorbell(&g, &bad);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x84), ==, 0);

    /* Another queue still works, and so does the channel. */
    c.n = 0;
    C_EMIT(&c, store32, gva(GP_FENCE) + 0x8c, 4);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 5);
    irq_quiesce(p);
    tq_submit(&g, &good, c.dw, c.n);
    wait_signal(&g, &good, gva(GP_FENCE), 5);
    g_assert_cmphex(qtest_readq(p->qts, gpa(&g, GP_FENCE)), ==, 5);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x8c), ==, 4);
    wait_idle(&g, &good);
    g_assert_cmpuint(le32_to_cpu(tq_query(&g, &bad).state), ==,
                     PVGPU_QUEUE_STATE_ERROR);
    ping_batch(p, 2, 0x1111);
    pvgpu_stop(p);
}

/*
 * On an address space without recoverable faults, an access to an unmapped
 * VA stops the queue with QUEUE_ERROR PAGE_FAULT and the fault's details:
 * a write (STORE32) and a read (COPY source).
 */
static void test_queue_fatal_fault(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    Gpu g;
    TQueue wq, rq, ok;
    Cmds c = { .n = 0 };
    struct pvgpu_evt_queue_error evt;

    boot_ok(p);
    g = gpu_setup(p, 3, 0);
    wq = tq_register(&g, 20, PVGPU_ENGINE_CLASS_COPY, GP_RING0,
                     PVGPU_DOORBELL_ID(1, 0));
    rq = tq_register(&g, 21, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING1,
                     PVGPU_DOORBELL_ID(1, 1));
    ok = tq_register(&g, 22, PVGPU_ENGINE_CLASS_COPY, GP_RING2,
                     PVGPU_DOORBELL_ID(1, 2));

    C_EMIT(&c, store32, gva(GP_FENCE), 1);
    C_EMIT(&c, store32, gva(GP_HOLE) + 0x24, 2);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE) + 8, 3);
    irq_quiesce(p);
    tq_submit(&g, &wq, c.dw, c.n);
    evt = wait_queue_error(&g, &wq, PVGPU_QUEUE_ERR_PAGE_FAULT);
    g_assert_cmphex(le64_to_cpu(evt.fault_va), ==, gva(GP_HOLE) + 0x24);
    g_assert_cmpuint(le32_to_cpu(evt.fault_access), ==, PVGPU_ACCESS_WRITE);
    g_assert_cmpuint(le32_to_cpu(evt.fault_reason), ==,
                     PVGPU_FAULT_NOT_PRESENT);
    g_assert_cmphex(le64_to_cpu(evt.cmd_va), ==, gva(GP_RING0) + 16);
    g_assert_cmphex(le32_to_cpu(evt.cmd_dw0), ==,
                    PVGPU_CMD_HDR(PVGPU_CMD_STORE32, 0,
                                  PVGPU_CMD_LEN_STORE32));
    g_assert_cmphex(le32_to_cpu(evt.rptr), ==, 16);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE)), ==, 1);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_HOLE) + 0x24), ==, 0);
    g_assert_cmphex(qtest_readq(p->qts, gpa(&g, GP_FENCE) + 8), ==, 0);

    /* A read: the first byte of the source that is not mapped. */
    c.n = 0;
    C_EMIT(&c, copy, gva(GP_HOLE) - 0x100, gva(GP_DST), 0x200);
    irq_quiesce(p);
    tq_submit(&g, &rq, c.dw, c.n);
    evt = wait_queue_error(&g, &rq, PVGPU_QUEUE_ERR_PAGE_FAULT);
    g_assert_cmphex(le64_to_cpu(evt.fault_va), ==, gva(GP_HOLE));
    g_assert_cmpuint(le32_to_cpu(evt.fault_access), ==, PVGPU_ACCESS_READ);
    g_assert_cmpuint(le32_to_cpu(evt.fault_reason), ==,
                     PVGPU_FAULT_NOT_PRESENT);
    g_assert_cmphex(le64_to_cpu(evt.cmd_va), ==, gva(GP_RING1));
    g_assert_cmpuint(le32_to_cpu(evt.engine_class), ==,
                     PVGPU_ENGINE_CLASS_COMPUTE);

    /* The device carries on. */
    c.n = 0;
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE) + 8, 4);
    irq_quiesce(p);
    tq_submit(&g, &ok, c.dw, c.n);
    wait_signal(&g, &ok, gva(GP_FENCE) + 8, 4);
    wait_idle(&g, &ok);
    pvgpu_stop(p);
}

/*
 * On a faultable address space a FILL that runs into an unmapped page
 * stalls the queue (EVT_PAGE_FAULT) after the page before it was filled;
 * the driver maps the page, invalidates the TLB and answers RETRY, and the
 * FILL completes from where it stopped, followed by the rest of the ring.
 */
static void test_queue_fault_retry(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    Gpu g;
    TQueue q, other;
    Cmds c = { .n = 0 };
    struct pvgpu_evt_page_fault evt;
    struct pvgpu_msg_tlb_invalidate inv = {
        .asid = cpu_to_le32(4),
        .va = cpu_to_le64(gva(GP_HOLE)),
        .size = cpu_to_le64(PAGE),
    };
    struct pvgpu_msg_fault_reply reply = {
        .queue_id = cpu_to_le32(30),
        .action = cpu_to_le32(PVGPU_FAULT_REPLY_RETRY),
    };
    struct pvgpu_msg_queue_state st;

    boot_ok(p);
    g = gpu_setup(p, 4, PVGPU_AS_FAULTABLE);
    q = tq_register(&g, 30, PVGPU_ENGINE_CLASS_COPY, GP_RING0,
                    PVGPU_DOORBELL_ID(2, 5));
    other = tq_register(&g, 31, PVGPU_ENGINE_CLASS_COPY, GP_RING1,
                        PVGPU_DOORBELL_ID(2, 6));

    C_EMIT(&c, fill, gva(GP_FILL), 2 * PAGE, 0x600dfa11);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 9);
    irq_quiesce(p);
    tq_submit(&g, &q, c.dw, c.n);
    wait_event(p, PVGPU_F2H_EVT_PAGE_FAULT, q.id, &evt, sizeof(evt));
    g_assert_cmpuint(le32_to_cpu(evt.fault_seqno), ==, 1);
    g_assert_cmphex(le64_to_cpu(evt.va), ==, gva(GP_HOLE));
    g_assert_cmpuint(le32_to_cpu(evt.access), ==, PVGPU_ACCESS_WRITE);
    g_assert_cmpuint(le32_to_cpu(evt.reason), ==, PVGPU_FAULT_NOT_PRESENT);
    g_assert_cmpuint(le32_to_cpu(evt.asid), ==, 4);
    g_assert_cmpuint(le32_to_cpu(evt.engine_class), ==,
                     PVGPU_ENGINE_CLASS_COPY);
    st = tq_query(&g, &q);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_FAULTED);
    g_assert_cmphex(le32_to_cpu(st.rptr), ==, 0);
    /* The chunk before the fault is done; nothing was written after it. */
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FILL)), ==, 0x600dfa11);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FILL) + PAGE - 4), ==, 0x600dfa11);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_HOLE)), ==, 0);
    g_assert_cmphex(qtest_readq(p->qts, gpa(&g, GP_FENCE)), ==, 0);

    /* Only the faulting queue stalls. */
    c.n = 0;
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE) + 8, 10);
    irq_quiesce(p);
    tq_submit(&g, &other, c.dw, c.n);
    wait_signal(&g, &other, gva(GP_FENCE) + 8, 10);

    /* Map the page, invalidate, RETRY. */
    gpu_map(&g, GP_HOLE);
    g_assert_cmpuint(request(p, PVGPU_H2F_TLB_INVALIDATE, &inv, sizeof(inv),
                             NULL, 0, NULL), ==, PVGPU_STATUS_OK);
    irq_quiesce(p);
    reply.fault_seqno = evt.fault_seqno;
    g_assert_cmpuint(request(p, PVGPU_H2F_PAGE_FAULT_REPLY, &reply,
                             sizeof(reply), NULL, 0, NULL), ==,
                     PVGPU_STATUS_OK);
    wait_signal(&g, &q, gva(GP_FENCE), 9);
    g_assert_cmphex(qtest_readq(p->qts, gpa(&g, GP_FENCE)), ==, 9);
    for (int i = 0; i < 2 * PAGE; i += 4) {
        g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FILL) + i), ==, 0x600dfa11);
    }
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_A)), ==, 0);
    wait_idle(&g, &q);
    st = tq_query(&g, &q);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 2);

    /* A second reply to the same fault is stale. */
    g_assert_cmpuint(request(p, PVGPU_H2F_PAGE_FAULT_REPLY, &reply,
                             sizeof(reply), NULL, 0, NULL), ==,
                     PVGPU_STATUS_EINVAL);
    pvgpu_stop(p);
}

/*
 * Two queues with doorbells in the same BAR2 page (its first and last
 * dword): each doorbell starts its own queue only.
 */
static void test_queue_shared_doorbell_page(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    const uint32_t group = 5;
    Gpu g;
    TQueue qa, qb;
    Cmds ca = { .n = 0 }, cb = { .n = 0 };
    struct pvgpu_msg_queue_state st;

    boot_ok(p);
    g = gpu_setup(p, 5, 0);
    qa = tq_register(&g, 40, PVGPU_ENGINE_CLASS_COPY, GP_RING0,
                     PVGPU_DOORBELL_ID(group, 0));
    qb = tq_register(&g, 41, PVGPU_ENGINE_CLASS_COPY, GP_RING1,
                     PVGPU_DOORBELL_ID(group, PVGPU_DOORBELLS_PER_PAGE - 1));
    g_assert_cmpuint(PVGPU_DOORBELL_GROUP(qa.doorbell), ==,
                     PVGPU_DOORBELL_GROUP(qb.doorbell));

    C_EMIT(&ca, store32, gva(GP_FENCE) + 0x100, 0xaaaa);
    C_EMIT(&ca, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 0xa);
    C_EMIT(&cb, store32, gva(GP_FENCE) + 0x104, 0xbbbb);
    C_EMIT(&cb, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE) + 8, 0xb);
    /* Both rings hold work and both wptrs are published. */
    tq_write(&g, &qa, ca.dw, ca.n);
    tq_write(&g, &qb, cb.dw, cb.n);

    /* A dword of the page no queue owns: nothing. */
    irq_quiesce(p);
    qpci_io_writel(p->dev, p->bar2,
                   PVGPU_DOORBELL_BAR_OFFSET(PVGPU_DOORBELL_ID(group, 500)),
                   1);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x100), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x104), ==, 0);

    /* A's doorbell runs A, not B. */
    tq_doorbell(&g, &qa);
    wait_signal(&g, &qa, gva(GP_FENCE), 0xa);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x100), ==, 0xaaaa);
    wait_idle(&g, &qa);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x104), ==, 0);
    g_assert_cmphex(qtest_readq(p->qts, gpa(&g, GP_FENCE) + 8), ==, 0);
    st = tq_query(&g, &qb);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_IDLE);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 0);

    /* B's doorbell runs B. */
    irq_quiesce(p);
    tq_doorbell(&g, &qb);
    wait_signal(&g, &qb, gva(GP_FENCE) + 8, 0xb);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x104), ==, 0xbbbb);
    wait_idle(&g, &qb);
    st = tq_query(&g, &qa);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 2);
    pvgpu_stop(p);
}

/*
 * The firmware runs inside the doorbell write (docs/latency.rst): a job
 * that writes to the device's own doorbell page through a GPU mapping of
 * BAR2 must not ring a doorbell from within the doorbell write. The MMIO
 * re-entrancy guard refuses that DMA, which the queue sees as a fatal
 * fault on a page outside RAM; the device carries on.
 */
static void test_queue_self_dma(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    Gpu g;
    TQueue q, ok;
    Cmds c = { .n = 0 };
    struct pvgpu_evt_queue_error evt;
    uint32_t db = PVGPU_DOORBELL_ID(1, 3);

    boot_ok(p);
    g = gpu_setup(p, 7, 0);
    q = tq_register(&g, 60, PVGPU_ENGINE_CLASS_COPY, GP_RING0, db);
    ok = tq_register(&g, 61, PVGPU_ENGINE_CLASS_COPY, GP_RING1,
                     PVGPU_DOORBELL_ID(1, 4));
    qtest_writeq(p->qts, gpa(&g, GP_L0) + 8 * PVGPU_PT_INDEX(gva(GP_HOLE), 0),
                 (p->bar2.addr + PVGPU_DOORBELL_GROUP(db) *
                  PVGPU_DOORBELL_PAGE_SIZE) |
                 PVGPU_PTE_VALID | PVGPU_PTE_WRITABLE);

    C_EMIT(&c, store32, gva(GP_HOLE) + PVGPU_DOORBELL_OFFSET(db), 1);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 1);
    irq_quiesce(p);
    tq_submit(&g, &q, c.dw, c.n);
    evt = wait_queue_error(&g, &q, PVGPU_QUEUE_ERR_PAGE_FAULT);
    g_assert_cmphex(le64_to_cpu(evt.fault_va), ==,
                    gva(GP_HOLE) + PVGPU_DOORBELL_OFFSET(db));
    g_assert_cmpuint(le32_to_cpu(evt.fault_reason), ==, PVGPU_FAULT_BAD_PA);
    g_assert_cmphex(qtest_readq(p->qts, gpa(&g, GP_FENCE)), ==, 0);

    c.n = 0;
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE) + 8, 2);
    irq_quiesce(p);
    tq_submit(&g, &ok, c.dw, c.n);
    wait_signal(&g, &ok, gva(GP_FENCE) + 8, 2);
    wait_idle(&g, &ok);
    pvgpu_stop(p);
}

/*
 * While the VM is stopped the firmware does not run: a queue doorbell and
 * an H2F request wait, with no DMA and no interrupt, until 'cont'.
 */
static void test_queue_vm_stopped(void)
{
    Pvgpu *p = pvgpu_start(NULL);
    Gpu g;
    TQueue q;
    Cmds c = { .n = 0 };
    TMsg m;
    struct pvgpu_msg_ping resp;
    uint32_t h2f_head;

    boot_ok(p);
    g = gpu_setup(p, 6, 0);
    q = tq_register(&g, 50, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING0,
                    PVGPU_DOORBELL_ID(4, 9));
    C_EMIT(&c, store32, gva(GP_FENCE) + 0x10, 0x57);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 0x5709);

    qtest_qmp_assert_success(p->qts, "{'execute': 'stop'}");
    irq_quiesce(p);
    tq_submit(&g, &q, c.dw, c.n);
    h2f_head = ring_ptr(p, PG_H2F_DESC,
                        offsetof(struct pvgpu_ring_desc, head));
    queue_ping(p, 0x5709);
    ring_doorbell(p);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x10), ==, 0);
    g_assert_cmphex(mem_rd32(p, tq_rptr_pa(&g, &q)), ==, 0);
    g_assert_cmphex(ring_ptr(p, PG_H2F_DESC,
                             offsetof(struct pvgpu_ring_desc, head)), ==,
                    h2f_head);
    g_assert_cmphex(ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, head)), ==,
                    ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, tail)));

    qtest_qmp_assert_success(p->qts, "{'execute': 'cont'}");
    wait_signal(&g, &q, gva(GP_FENCE), 0x5709);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x10), ==, 0x57);
    wait_idle(&g, &q);
    f2h_drain(p);
    g_assert_true(take_msg(p, PVGPU_MSG_KIND_RESPONSE, PVGPU_H2F_PING, 0,
                           &resp, sizeof(resp), &m));
    g_assert_cmpuint(m.status, ==, PVGPU_STATUS_OK);
    g_assert_cmphex(le64_to_cpu(resp.cookie), ==, 0x5709);
    pvgpu_stop(p);
}

/*
 * Start QEMU with -device @dev and no qtest server; it is killed after
 * @secs seconds if it runs. Returns the exit status, stderr in @err.
 */
static int run_qemu_with(const char *dev, const char *secs, char **err)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    const char *argv[] = {
        "timeout", secs, qemu, "-machine", "q35", "-bios", "qboot.rom",
        "-accel", "qtest",
        "-nodefaults", "-display", "none", "-device", dev, NULL
    };
    g_autofree char *out = NULL;
    g_autoptr(GError) gerr = NULL;
    int status;

    g_assert_nonnull(qemu);
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, &out, err, &status, &gerr));
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Bad shapes fail realize: QEMU refuses to start, with a clear error. */
static void test_bad_shape(void)
{
    static const char *const bad[] = {
        "doorbells=3", "doorbells=1", "doorbells=2048", "va-bits=20",
        "va-bits=64", "priorities=1", "priorities=9", "copy-slots=0",
        "compute-slots=65", "max-queues=0", "timeslice-us=1",
        "watchdog-ms=3600001", "preempt-timeout-us=0", "wait-poll-us=0",
    };
    g_autofree char *err = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *dev = g_strdup_printf("pvgpu,%s", bad[i]);
        g_autofree char *msg = NULL;
        int status = run_qemu_with(dev, "20", &msg);

        if (g_test_verbose()) {
            g_test_message("%s: exit %d: %s", dev, status, msg);
        }
        g_assert_cmpint(status, ==, 1);
        g_assert_nonnull(strstr(msg, "pvgpu: invalid device shape"));
    }

    /* The same command line with a good shape runs (until killed). */
    g_assert_cmpint(run_qemu_with("pvgpu,doorbells=4", "2", &err), ==, 124);
    g_assert_null(strstr(err, "invalid device shape"));
}

/* --- Fault injection over QMP (docs/fault-injection.rst) ---------------- */

#define GPU0            "/machine/peripheral/gpu0"
/* pvgpu_incoming() and pvgpu_start(NULL): the only -device, no id. */
#define GPU_ANON        "/machine/peripheral-anon/device[0]"

/* qom-set @prop of @path to @val (a reference it takes); the response. */
static QDict *qom_set(Pvgpu *p, const char *path, const char *prop,
                      QObject *val)
{
    return qtest_qmp(p->qts, "{'execute': 'qom-set', 'arguments': "
                     "{'path': %s, 'property': %s, 'value': %p}}",
                     path, prop, val);
}

static void qom_set_ok(Pvgpu *p, const char *path, const char *prop,
                       QObject *val)
{
    QDict *rsp = qom_set(p, path, prop, val);

    if (qdict_haskey(rsp, "error")) {
        g_test_message("qom-set %s: %s", prop,
                       qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"));
    }
    g_assert_false(qdict_haskey(rsp, "error"));
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/* qom-set must fail with a QMP error whose text contains @what. */
static void qom_set_err(Pvgpu *p, const char *path, const char *prop,
                        QObject *val, const char *what)
{
    QDict *rsp = qom_set(p, path, prop, val);
    QDict *err = qdict_get_qdict(rsp, "error");
    const char *desc;

    g_assert_nonnull(err);
    desc = qdict_get_str(err, "desc");
    if (g_test_verbose()) {
        g_test_message("qom-set %s: %s", prop, desc);
    }
    if (what) {
        g_assert_nonnull(strstr(desc, what));
    }
    qobject_unref(rsp);
}

static uint64_t qom_get_u64(Pvgpu *p, const char *path, const char *prop)
{
    QDict *rsp = qtest_qmp(p->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': %s, 'property': %s}}", path, prop);
    QNum *n = qobject_to(QNum, qdict_get(rsp, "return"));
    uint64_t v = 0;

    g_assert_nonnull(n);
    g_assert_true(qnum_get_try_uint(n, &v));
    qobject_unref(rsp);
    return v;
}

#define U(v)    QOBJECT(qnum_from_uint(v))
#define I(v)    QOBJECT(qnum_from_int(v))

/*
 * x-inject-drop-doorbells: the queue's doorbell is ignored twice (the count
 * goes down, nothing runs); the H2F doorbell is never dropped; the third
 * ring runs the queue.
 */
static void test_inject_drop_doorbells(void)
{
    Pvgpu *p = pvgpu_start(",id=gpu0");
    Gpu g;
    TQueue q;
    Cmds c = { .n = 0 };

    boot_ok(p);
    g = gpu_setup(p, 3, 0);
    q = tq_register(&g, 20, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING0,
                    PVGPU_DOORBELL_ID(2, 3));
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-doorbells"), ==, 0);
    qom_set_ok(p, GPU0, "x-inject-drop-doorbells", U(2));
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-doorbells"), ==, 2);

    C_EMIT(&c, store32, gva(GP_FENCE) + 0x20, 0x11);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 0x22);
    irq_quiesce(p);
    tq_submit(&g, &q, c.dw, c.n);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x20), ==, 0);
    g_assert_cmphex(mem_rd32(p, tq_rptr_pa(&g, &q)), ==, 0);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-doorbells"), ==, 1);

    /* The kernel's H2F doorbell does not count. */
    ping_batch(p, 2, 0xd00b);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-doorbells"), ==, 1);
    g_assert_cmpuint(le32_to_cpu(tq_query(&g, &q).state), ==,
                     PVGPU_QUEUE_STATE_IDLE);

    irq_quiesce(p);
    tq_doorbell(&g, &q);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x20), ==, 0);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-doorbells"), ==, 0);

    /* Used up: the next ring runs the queue. */
    tq_doorbell(&g, &q);
    wait_signal(&g, &q, gva(GP_FENCE), 0x22);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x20), ==, 0x11);
    wait_idle(&g, &q);
    pvgpu_stop(p);
}

/*
 * x-inject-drop-fault-events: the queue stalls on the fault, but its
 * PAGE_FAULT event is lost without a trace (no message, no interrupt, no
 * overflow, no gap in the event numbers: stash_msg() checks). QUEUE_QUERY
 * shows the fault; answering the seqno it gives lets the queue finish.
 */
static void test_inject_drop_fault_events(void)
{
    Pvgpu *p = pvgpu_start(",id=gpu0");
    Gpu g;
    TQueue q;
    Cmds c = { .n = 0 };
    struct pvgpu_evt_page_fault evt;
    struct pvgpu_msg_tlb_invalidate inv = {
        .asid = cpu_to_le32(4),
        .va = cpu_to_le64(gva(GP_HOLE)),
        .size = cpu_to_le64(PAGE),
    };
    struct pvgpu_msg_fault_reply reply = {
        .queue_id = cpu_to_le32(30),
        .action = cpu_to_le32(PVGPU_FAULT_REPLY_RETRY),
    };
    struct pvgpu_msg_queue_state st;

    boot_ok(p);
    g = gpu_setup(p, 4, PVGPU_AS_FAULTABLE);
    q = tq_register(&g, 30, PVGPU_ENGINE_CLASS_COPY, GP_RING0,
                    PVGPU_DOORBELL_ID(2, 5));
    st = tq_query(&g, &q);
    g_assert_cmpuint(le32_to_cpu(st.fault_seqno), ==, 0);
    g_assert_cmphex(le64_to_cpu(st.fault_va), ==, 0);
    g_assert_cmpuint(le32_to_cpu(st.fault_access), ==, 0);
    g_assert_cmpuint(le32_to_cpu(st.fault_reason), ==, 0);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-fault-events"), ==,
                     0);
    qom_set_ok(p, GPU0, "x-inject-drop-fault-events", U(1));
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-fault-events"), ==,
                     1);

    C_EMIT(&c, store32, gva(GP_HOLE) + 0x40, 0x5a);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 9);
    irq_quiesce(p);
    tq_submit(&g, &q, c.dw, c.n);
    idle_steps(p);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-fault-events"), ==,
                     0);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmphex(rd(p, PVGPU_REG_IRQ_STATUS), ==, 0);
    f2h_drain(p);
    g_assert_false(take_msg(p, PVGPU_MSG_KIND_EVENT, PVGPU_F2H_EVT_PAGE_FAULT,
                            q.id, &evt, sizeof(evt), NULL));
    g_assert_cmphex(ring_ptr(p, PG_F2H_DESC,
                             offsetof(struct pvgpu_ring_desc, status)) &
                    PVGPU_RING_STATUS_OVERFLOW, ==, 0);

    st = tq_query(&g, &q);
    g_assert_cmpuint(le32_to_cpu(st.state), ==, PVGPU_QUEUE_STATE_FAULTED);
    g_assert_cmpuint(le32_to_cpu(st.fault_seqno), ==, 1);
    g_assert_cmphex(le64_to_cpu(st.fault_va), ==, gva(GP_HOLE) + 0x40);
    g_assert_cmpuint(le32_to_cpu(st.fault_access), ==, PVGPU_ACCESS_WRITE);
    g_assert_cmpuint(le32_to_cpu(st.fault_reason), ==,
                     PVGPU_FAULT_NOT_PRESENT);
    g_assert_cmpuint(le32_to_cpu(st.fault_reserved), ==, 0);

    /* Map the page, invalidate, RETRY the fault the query named. */
    gpu_map(&g, GP_HOLE);
    g_assert_cmpuint(request(p, PVGPU_H2F_TLB_INVALIDATE, &inv, sizeof(inv),
                             NULL, 0, NULL), ==, PVGPU_STATUS_OK);
    irq_quiesce(p);
    reply.fault_seqno = st.fault_seqno;
    g_assert_cmpuint(request(p, PVGPU_H2F_PAGE_FAULT_REPLY, &reply,
                             sizeof(reply), NULL, 0, NULL), ==,
                     PVGPU_STATUS_OK);
    wait_signal(&g, &q, gva(GP_FENCE), 9);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_HOLE) + 0x40), ==, 0x5a);
    wait_idle(&g, &q);
    st = tq_query(&g, &q);
    g_assert_cmpuint(le64_to_cpu(st.commands_done), ==, 2);
    g_assert_cmpuint(le32_to_cpu(st.fault_seqno), ==, 0);
    g_assert_cmphex(le64_to_cpu(st.fault_va), ==, 0);
    g_assert_cmpuint(le32_to_cpu(st.fault_access), ==, 0);
    g_assert_cmpuint(le32_to_cpu(st.fault_reason), ==, 0);
    pvgpu_stop(p);
}

/*
 * x-inject-lose-irqs: the response arrives and IRQ_STATUS shows F2H, but no
 * MSI-X message; the next interrupt is delivered again.
 */
static void test_inject_lose_irqs(void)
{
    Pvgpu *p = pvgpu_start(",id=gpu0");
    struct pvgpu_msg_hdr hdr;
    struct pvgpu_msg_ping resp;

    boot_ok(p);
    qom_set_ok(p, GPU0, "x-inject-lose-irqs", U(1));
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-lose-irqs"), ==, 1);
    irq_quiesce(p);
    queue_ping(p, 0x1055);
    ring_doorbell(p);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmphex(rd(p, PVGPU_REG_IRQ_STATUS) & PVGPU_IRQ_F2H, ==,
                    PVGPU_IRQ_F2H);
    g_assert_true(f2h_take(p, &hdr, &resp, sizeof(resp)));
    g_assert_cmphex(le16_to_cpu(hdr.opcode), ==, PVGPU_H2F_PING);
    g_assert_cmphex(le64_to_cpu(resp.cookie), ==, 0x1055);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-lose-irqs"), ==, 0);

    wr(p, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
    ping_batch(p, 3, 0x2055);
    pvgpu_stop(p);
}

/*
 * SELFTEST_IRQ: the MSI-X message is written inside the register write
 * (no clock step between the two), in every firmware state, and neither
 * lost nor delayed by the firmware's interrupt fault injection.
 */
static void selftest_irq_now(Pvgpu *p)
{
    mem_wr32(p, p->msi_addr, 0);
    wr(p, PVGPU_REG_SELFTEST_IRQ, 1);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, MSI_DATA);
    mem_wr32(p, p->msi_addr, 0);
    g_assert_cmphex(rd(p, PVGPU_REG_IRQ_STATUS) & PVGPU_IRQ_SELFTEST, ==,
                    PVGPU_IRQ_SELFTEST);
    wr(p, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);
    g_assert_cmphex(rd(p, PVGPU_REG_IRQ_STATUS) & PVGPU_IRQ_SELFTEST, ==, 0);
}

static void test_selftest_irq(void)
{
    Pvgpu *p = pvgpu_start(",id=gpu0");

    /* Firmware OFF, cause masked: pending, no message. */
    wr(p, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL & ~PVGPU_IRQ_SELFTEST);
    mem_wr32(p, p->msi_addr, 0);
    wr(p, PVGPU_REG_SELFTEST_IRQ, 1);
    g_assert_cmphex(rd(p, PVGPU_REG_IRQ_STATUS), ==, PVGPU_IRQ_SELFTEST);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);
    /* Unmasked, it signals at once, like any pending cause. */
    wr(p, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, MSI_DATA);
    wr(p, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);
    selftest_irq_now(p);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);

    /* RUNNING, with interrupts lost and delayed by injection. */
    boot_ok(p);
    irq_quiesce(p);
    selftest_irq_now(p);
    qom_set_ok(p, GPU0, "x-inject-lose-irqs", U(1));
    selftest_irq_now(p);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-lose-irqs"), ==, 1);
    qom_set_ok(p, GPU0, "x-inject-lose-irqs", U(0));
    qom_set_ok(p, GPU0, "x-inject-delay-irqs-ns", U(5 * 1000 * 1000));
    selftest_irq_now(p);
    qom_set_ok(p, GPU0, "x-inject-delay-irqs-ns", U(0));

    /* The firmware noticed nothing: its channel still works. */
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    ping_batch(p, 3, 0x5e1f);
    pvgpu_stop(p);
}

/* x-inject-delay-irqs-ns: the message comes that much later; 0 ends it. */
static void test_inject_delay_irqs(void)
{
    Pvgpu *p = pvgpu_start(",id=gpu0");
    const uint64_t delay = 5 * 1000 * 1000;
    uint64_t t0;

    boot_ok(p);
    qom_set_ok(p, GPU0, "x-inject-delay-irqs-ns", U(delay));
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-delay-irqs-ns"), ==,
                     delay);
    irq_quiesce(p);
    t0 = read_timestamp(p);
    queue_ping(p, 0xde1a);
    ring_doorbell(p);
    idle_steps(p);              /* 2 ms */
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    g_assert_cmphex(rd(p, PVGPU_REG_IRQ_STATUS) & PVGPU_IRQ_F2H, ==,
                    PVGPU_IRQ_F2H);
    wait_f2h(p);
    g_assert_cmpuint(read_timestamp(p) - t0, >=, delay);
    f2h_drain(p);

    qom_set_ok(p, GPU0, "x-inject-delay-irqs-ns", U(0));
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-delay-irqs-ns"), ==, 0);
    ping_batch(p, 2, 0xde1b);
    pvgpu_stop(p);
}

/*
 * x-inject-crash: FW_STATUS HALTED, FW_ERROR CRASHED, with an FW_STATE
 * interrupt. Set while the VM is stopped, it waits for 'cont'.
 */
static void test_inject_crash(void)
{
    Pvgpu *p = pvgpu_start(",id=gpu0");
    uint32_t irq;

    boot_ok(p);
    irq_quiesce(p);
    qtest_qmp_assert_success(p->qts, "{'execute': 'stop'}");
    qom_set_ok(p, GPU0, "x-inject-crash", QOBJECT(qbool_from_bool(true)));
    idle_steps(p);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    qtest_qmp_assert_success(p->qts, "{'execute': 'cont'}");

    irq = wait_irq(p);
    g_assert_cmphex(irq & PVGPU_IRQ_FW_STATE, ==, PVGPU_IRQ_FW_STATE);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_HALTED);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_CRASHED);

    /* A device reset recovers, and clears every injection. */
    qom_set_ok(p, GPU0, "x-inject-drop-doorbells", U(5));
    qom_set_ok(p, GPU0, "x-inject-drop-fault-events", U(5));
    qtest_system_reset(p->qts);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-doorbells"), ==, 0);
    g_assert_cmpuint(qom_get_u64(p, GPU0, "x-inject-drop-fault-events"), ==,
                     0);
    p->dev->msix_enabled = false;
    enable_device(p);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);
    boot_ok(p);
    ping_batch(p, 2, 0xc4a5);
    pvgpu_stop(p);
}

/*
 * x-inject-hang-engine: the compute class stops executing; the watchdog
 * (watchdog-ms=10) resets it: QUEUE_ERROR HANG, guilty. The hang ends
 * with the reset, and the copy class never hung.
 */
static void test_inject_hang_engine(void)
{
    Pvgpu *p = pvgpu_start(",id=gpu0,watchdog-ms=10");
    Gpu g;
    TQueue hung, after, copy;
    Cmds c = { .n = 0 };
    struct pvgpu_evt_queue_error evt;

    boot_ok(p);
    g = gpu_setup(p, 4, 0);
    hung = tq_register(&g, 30, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING0,
                       PVGPU_DOORBELL_ID(2, 4));
    after = tq_register(&g, 31, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING1,
                        PVGPU_DOORBELL_ID(2, 5));
    copy = tq_register(&g, 32, PVGPU_ENGINE_CLASS_COPY, GP_RING2,
                       PVGPU_DOORBELL_ID(2, 6));
    qom_set_ok(p, GPU0, "x-inject-hang-engine", U(PVGPU_ENGINE_CLASS_COMPUTE));

    C_EMIT(&c, store32, gva(GP_FENCE) + 0x30, 0x33);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 0x44);
    irq_quiesce(p);
    tq_submit(&g, &hung, c.dw, c.n);
    evt = wait_queue_error(&g, &hung, PVGPU_QUEUE_ERR_HANG);
    g_assert_cmpuint(le32_to_cpu(evt.engine_class), ==,
                     PVGPU_ENGINE_CLASS_COMPUTE);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x30), ==, 0);

    c.n = 0;
    C_EMIT(&c, store32, gva(GP_FENCE) + 0x40, 0x55);
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE) + 0x48, 0x66);
    irq_quiesce(p);
    tq_submit(&g, &after, c.dw, c.n);
    wait_signal(&g, &after, gva(GP_FENCE) + 0x48, 0x66);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x40), ==, 0x55);
    wait_idle(&g, &after);

    c.n = 0;
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE) + 0x50, 0x77);
    irq_quiesce(p);
    tq_submit(&g, &copy, c.dw, c.n);
    wait_signal(&g, &copy, gva(GP_FENCE) + 0x50, 0x77);
    wait_idle(&g, &copy);
    pvgpu_stop(p);
}

/*
 * x-inject-unhang-engine, x-inject-wedge-engine and x-hung-engines: the
 * read-back follows hang, wedge and unhang (applied by the bottom half:
 * idle_steps() lets it run). An unhung class goes on where it stopped: the
 * queue completes with no QUEUE_ERROR. A wedged class stays hung across
 * the watchdog's queue resets, whose events say so
 * (ENGINE_RESET_FAILED): a second queue on it hangs too. FW_CTRL.RESET
 * ends the wedge.
 */
static void test_inject_unhang_wedge(void)
{
    Pvgpu *p = pvgpu_start(",id=gpu0,watchdog-ms=10");
    const uint32_t compute = 1u << PVGPU_ENGINE_CLASS_COMPUTE;
    const uint32_t copy = 1u << PVGPU_ENGINE_CLASS_COPY;
    struct pvgpu_evt_queue_error evt;
    Gpu g;
    TQueue a, b, c;
    Cmds cmds = { .n = 0 };
    QDict *rsp;

    boot_ok(p);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, 0);
    qom_set_ok(p, GPU0, "x-inject-hang-engine", U(PVGPU_ENGINE_CLASS_COMPUTE));
    idle_steps(p);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, compute);
    qom_set_ok(p, GPU0, "x-inject-wedge-engine", U(PVGPU_ENGINE_CLASS_COPY));
    idle_steps(p);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==,
                    compute | copy);
    qom_set_ok(p, GPU0, "x-inject-unhang-engine", U(PVGPU_ENGINE_CLASS_COPY));
    idle_steps(p);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, compute);

    /* Refused values; read-only and write-only properties. */
    qom_set_err(p, GPU0, "x-inject-unhang-engine", U(2), "no engine class 2");
    qom_set_err(p, GPU0, "x-inject-wedge-engine", U(2), "no engine class 2");
    qom_set_err(p, GPU0, "x-inject-wedge-engine", I(-1), NULL);
    qom_set_err(p, GPU0, "x-hung-engines", U(0), NULL);
    rsp = qtest_qmp(p->qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': %s, 'property': 'x-inject-wedge-engine'}}",
                    GPU0);
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(p->qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': %s, 'property': 'x-inject-unhang-engine'}}",
                    GPU0);
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    idle_steps(p);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, compute);

    /* Hung for 2 ms (the watchdog takes 10): then it goes on. */
    g = gpu_setup(p, 6, 0);
    a = tq_register(&g, 50, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING0,
                    PVGPU_DOORBELL_ID(2, 8));
    b = tq_register(&g, 51, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING1,
                    PVGPU_DOORBELL_ID(2, 9));
    c = tq_register(&g, 52, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING2,
                    PVGPU_DOORBELL_ID(2, 10));
    C_EMIT(&cmds, store32, gva(GP_FENCE) + 0x10, 0x1);
    C_EMIT(&cmds, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 0x2);
    irq_quiesce(p);
    tq_submit(&g, &a, cmds.dw, cmds.n);
    idle_steps(p);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x10), ==, 0);
    g_assert_cmphex(mem_rd32(p, p->msi_addr), ==, 0);
    qom_set_ok(p, GPU0, "x-inject-unhang-engine",
               U(PVGPU_ENGINE_CLASS_COMPUTE));
    wait_signal(&g, &a, gva(GP_FENCE), 0x2);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x10), ==, 0x1);
    wait_idle(&g, &a);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, 0);

    /* Wedged: the watchdog resets the queue, the class stays hung. */
    qom_set_ok(p, GPU0, "x-inject-wedge-engine",
               U(PVGPU_ENGINE_CLASS_COMPUTE));
    cmds.n = 0;
    C_EMIT(&cmds, store32, gva(GP_FENCE) + 0x20, 0x3);
    irq_quiesce(p);
    tq_submit(&g, &b, cmds.dw, cmds.n);
    wait_event(p, PVGPU_F2H_EVT_QUEUE_ERROR, b.id, &evt, sizeof(evt));
    g_assert_cmpuint(le32_to_cpu(evt.error), ==, PVGPU_QUEUE_ERR_HANG);
    g_assert_cmpuint(le32_to_cpu(evt.guilty), ==, 1);
    g_assert_cmpuint(le32_to_cpu(evt.engine_class), ==,
                     PVGPU_ENGINE_CLASS_COMPUTE);
    g_assert_cmphex(le32_to_cpu(evt.flags), ==,
                    PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, compute);

    cmds.n = 0;
    C_EMIT(&cmds, store32, gva(GP_FENCE) + 0x30, 0x4);
    irq_quiesce(p);
    tq_submit(&g, &c, cmds.dw, cmds.n);
    wait_event(p, PVGPU_F2H_EVT_QUEUE_ERROR, c.id, &evt, sizeof(evt));
    g_assert_cmpuint(le32_to_cpu(evt.error), ==, PVGPU_QUEUE_ERR_HANG);
    g_assert_cmphex(le32_to_cpu(evt.flags), ==,
                    PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x20), ==, 0);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_FENCE) + 0x30), ==, 0);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, compute);

    /* A firmware reset ends it. */
    wr(p, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, 0);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);
    pvgpu_stop(p);
}

/* Guest errors of a QEMU started with -d guest_errors -D @path. */
static char *guest_errors(const char *path)
{
    char *log = NULL;

    g_assert_true(g_file_get_contents(path, &log, NULL, NULL));
    unlink(path);
    if (g_test_verbose()) {
        g_test_message("guest errors: %s", log);
    }
    return log;
}

/*
 * PVGPU_REG_TEST_INJECT with x-guest-inject=on: HWCAPS announces it;
 * writes hang, wedge and unhang classes at once (the read and
 * x-hung-engines agree), bad values are guest errors that change nothing,
 * CRASH halts the firmware with an FW_STATE interrupt. It works with the
 * firmware OFF (the boot clears the hang) and HALTED; a device reset
 * clears what it set.
 */
static void test_guest_inject(void)
{
    g_autofree char *path = g_strdup_printf("%s/pvgpu-guest-inject-%d.log",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *extra = g_strdup_printf(",id=gpu0,x-guest-inject=on "
                                             "-d guest_errors -D %s", path);
    g_autofree char *log = NULL;
    const uint32_t compute = 1u << PVGPU_ENGINE_CLASS_COMPUTE;
    const uint32_t copy = 1u << PVGPU_ENGINE_CLASS_COPY;
    Pvgpu *p;
    uint32_t irq;

    unlink(path);
    p = pvgpu_start(extra);
    g_assert_cmphex(rd(p, PVGPU_REG_HWCAPS), ==,
                    PVGPU_HWCAP_MSIX | PVGPU_HWCAP_PAGE_FAULTS |
                    PVGPU_HWCAP_TEST_INJECT);
    /* OFF: it works, and the boot starts with healthy engines. */
    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_WEDGE_ENGINE,
                         PVGPU_ENGINE_CLASS_COMPUTE));
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, compute);
    boot_ok(p);
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, 0);

    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_HANG_ENGINE,
                         PVGPU_ENGINE_CLASS_COMPUTE));
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, compute);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, compute);
    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_WEDGE_ENGINE,
                         PVGPU_ENGINE_CLASS_COPY));
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, compute | copy);

    /* Refused: unknown op, missing class, reserved bits, CRASH's class. */
    wr(p, PVGPU_REG_TEST_INJECT, PVGPU_TEST_INJECT(9, 0));
    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE, 5));
    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE,
                         PVGPU_ENGINE_CLASS_COPY) | 0x10000);
    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 1));
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, compute | copy);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);

    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE,
                         PVGPU_ENGINE_CLASS_COPY));
    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE,
                         PVGPU_ENGINE_CLASS_COMPUTE));
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, 0);
    ping_batch(p, 2, 0x7e57);

    /* CRASH: like x-inject-crash. */
    irq_quiesce(p);
    wr(p, PVGPU_REG_TEST_INJECT, PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 0));
    irq = wait_irq(p);
    g_assert_cmphex(irq & PVGPU_IRQ_FW_STATE, ==, PVGPU_IRQ_FW_STATE);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_HALTED);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_CRASHED);

    /* HALTED: still safe; a device reset clears what it set. */
    wr(p, PVGPU_REG_TEST_INJECT, PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 0));
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_HALTED);
    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_HANG_ENGINE,
                         PVGPU_ENGINE_CLASS_COPY));
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, copy);
    qtest_system_reset(p->qts);
    p->dev->msix_enabled = false;
    enable_device(p);
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, 0);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_OFF);
    pvgpu_stop(p);

    log = guest_errors(path);
    g_assert_nonnull(strstr(log, "TEST_INJECT: unknown op 9"));
    g_assert_nonnull(strstr(log, "TEST_INJECT: no engine class 5"));
    g_assert_nonnull(strstr(log, "TEST_INJECT: reserved bits 0x10000"));
    g_assert_nonnull(strstr(log, "TEST_INJECT: CRASH takes engine class 0"));
    g_assert_null(strstr(log, "disabled"));
}

/*
 * Without x-guest-inject (the default): HWCAPS does not announce the
 * register, it reads 0 even with an engine hung, and writes are guest
 * errors that inject nothing.
 */
static void test_guest_inject_off(void)
{
    g_autofree char *path = g_strdup_printf("%s/pvgpu-guest-inject-off-%d.log",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *extra = g_strdup_printf(",id=gpu0 -d guest_errors -D %s",
                                             path);
    g_autofree char *log = NULL;
    Pvgpu *p;

    unlink(path);
    p = pvgpu_start(extra);
    boot_ok(p);
    g_assert_cmphex(rd(p, PVGPU_REG_HWCAPS) & PVGPU_HWCAP_TEST_INJECT, ==, 0);
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, 0);
    wr(p, PVGPU_REG_TEST_INJECT,
       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_HANG_ENGINE,
                         PVGPU_ENGINE_CLASS_COMPUTE));
    wr(p, PVGPU_REG_TEST_INJECT, PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 0));
    idle_steps(p);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==, 0);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);

    qom_set_ok(p, GPU0, "x-inject-hang-engine", U(PVGPU_ENGINE_CLASS_COPY));
    idle_steps(p);
    g_assert_cmphex(qom_get_u64(p, GPU0, "x-hung-engines"), ==,
                    1u << PVGPU_ENGINE_CLASS_COPY);
    g_assert_cmphex(rd(p, PVGPU_REG_TEST_INJECT), ==, 0);
    ping_batch(p, 2, 0x0ff0);
    pvgpu_stop(p);

    log = guest_errors(path);
    g_assert_nonnull(strstr(log, "write of 0x102 to TEST_INJECT ignored: "
                            "test injection is disabled"));
    g_assert_nonnull(strstr(log, "write of 0x1 to TEST_INJECT ignored"));
}

/*
 * A wedge migrates: one the firmware has (pvgpu/sched/wedge) and one set
 * while the source was stopped, not applied yet
 * (pvgpu/inject-pending-engines), which the destination applies at 'cont'.
 */
static void test_inject_wedge_migrate(void)
{
    Pvgpu *src = pvgpu_start(NULL);
    Pvgpu *dst;
    g_autofree char *path = g_strdup_printf("%s/pvgpu-wedge-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    const uint32_t compute = 1u << PVGPU_ENGINE_CLASS_COMPUTE;
    const uint32_t copy = 1u << PVGPU_ENGINE_CLASS_COPY;

    boot_ok(src);
    qom_set_ok(src, GPU_ANON, "x-inject-wedge-engine",
               U(PVGPU_ENGINE_CLASS_COMPUTE));
    idle_steps(src);
    g_assert_cmphex(qom_get_u64(src, GPU_ANON, "x-hung-engines"), ==,
                    compute);
    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qom_set_ok(src, GPU_ANON, "x-inject-wedge-engine",
               U(PVGPU_ENGINE_CLASS_COPY));
    idle_steps(src);
    g_assert_cmphex(qom_get_u64(src, GPU_ANON, "x-hung-engines"), ==,
                    compute);
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);
    dst = pvgpu_incoming(src, uri);
    unlink(path);

    g_assert_cmphex(qom_get_u64(dst, GPU_ANON, "x-hung-engines"), ==,
                    compute);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'cont'}");
    idle_steps(dst);
    g_assert_cmphex(qom_get_u64(dst, GPU_ANON, "x-hung-engines"), ==,
                    compute | copy);
    /* A firmware reset ends them. */
    wr(dst, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
    g_assert_cmphex(qom_get_u64(dst, GPU_ANON, "x-hung-engines"), ==, 0);
    pvgpu_stop(dst);
    pvgpu_stop(src);
}

/*
 * Invalid values: a QMP error, and nothing changes. Before realize (on
 * the command line) the properties are refused.
 */
static void test_inject_invalid(void)
{
    static const struct {
        const char *prop;
        int64_t val;
        const char *what;
    } bad[] = {
        { "x-inject-hang-engine", 2, "no engine class 2" },
        { "x-inject-hang-engine", -1, NULL },
        { "x-inject-drop-doorbells", -1, NULL },
        { "x-inject-drop-doorbells", 1ll << 32, "out of range" },
        { "x-inject-lose-irqs", 1ll << 32, "out of range" },
        { "x-inject-fail-fault-replies", 1ll << 32, "out of range" },
        { "x-inject-drop-fault-events", 1ll << 32, "out of range" },
        { "x-inject-delay-irqs-ns", 10000000001ll, "out of range" },
        { "x-inject-drop-doorbell-ppm", 1000001, "out of range" },
        { "x-inject-lose-irq-ppm", 1000001, "out of range" },
    };
    static const char *const counters[] = {
        "x-inject-drop-doorbells", "x-inject-lose-irqs",
        "x-inject-delay-irqs-ns", "x-inject-fail-fault-replies",
        "x-inject-drop-doorbell-ppm", "x-inject-lose-irq-ppm",
        "x-inject-drop-fault-events",
    };
    Pvgpu *p = pvgpu_start(",id=gpu0,watchdog-ms=10");
    QDict *rsp;
    Gpu g;
    TQueue q;
    Cmds c = { .n = 0 };
    g_autofree char *msg = NULL;

    boot_ok(p);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        qom_set_err(p, GPU0, bad[i].prop, I(bad[i].val), bad[i].what);
    }
    qom_set_err(p, GPU0, "x-inject-hang-engine",
                QOBJECT(qstring_from_str("compute")), NULL);
    qom_set_err(p, GPU0, "x-inject-crash", QOBJECT(qbool_from_bool(false)),
                "only true");
    qom_set_err(p, GPU0, "x-inject-crash", U(1), NULL);
    /* Write-only. */
    rsp = qtest_qmp(p->qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': %s, 'property': 'x-inject-hang-engine'}}", GPU0);
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);

    for (size_t i = 0; i < G_N_ELEMENTS(counters); i++) {
        g_assert_cmpuint(qom_get_u64(p, GPU0, counters[i]), ==, 0);
    }
    idle_steps(p);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_NONE);
    ping_batch(p, 2, 0xbad0);
    /* No engine hangs: a compute queue runs past the watchdog. */
    g = gpu_setup(p, 5, 0);
    q = tq_register(&g, 40, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING0,
                    PVGPU_DOORBELL_ID(2, 7));
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 0x88);
    irq_quiesce(p);
    tq_submit(&g, &q, c.dw, c.n);
    wait_signal(&g, &q, gva(GP_FENCE), 0x88);
    wait_idle(&g, &q);
    pvgpu_stop(p);

    g_assert_cmpint(run_qemu_with("pvgpu,x-inject-drop-doorbells=1", "20",
                                  &msg), ==, 1);
    g_assert_nonnull(strstr(msg, "at run time"));
}

/* --- The virgl execution backend (docs/virgl.rst) ---------------------- */

/*
 * The worker the device should use: PVGPU_VIRGL_WORKER (scripts/run-qtest.sh
 * sets it when QEMU was built with virglrenderer). NULL: skip, saying why.
 */
static const char *virgl_worker(void)
{
    const char *w = g_getenv("PVGPU_VIRGL_WORKER");

    if (!w || !*w) {
        g_test_skip("PVGPU_VIRGL_WORKER unset: this QEMU has no virgl "
                    "worker (built without virglrenderer)");
        return NULL;
    }
    return w;
}

/* A 1024-element VECTOR_ADD at GP_A + GP_B -> GP_C on compute queue @q. */
static void virgl_add(Gpu *g, TQueue *q, uint32_t salt, bool expect_ok)
{
    Pvgpu *p = g->p;
    Cmds c = { .n = 0 };
    struct pvgpu_kargs_vector_add args = {
        .a = cpu_to_le64(gva(GP_A)),
        .b = cpu_to_le64(gva(GP_B)),
        .c = cpu_to_le64(gva(GP_C)),
        .n = cpu_to_le64(1024),
    };
    uint32_t a[1024], b[1024], out[1024];

    for (uint32_t i = 0; i < 1024; i++) {
        a[i] = cpu_to_le32(i * 0x9e3779b9u + salt);
        b[i] = cpu_to_le32(~i ^ salt);
    }
    qtest_memwrite(p->qts, gpa(g, GP_A), a, sizeof(a));
    qtest_memwrite(p->qts, gpa(g, GP_B), b, sizeof(b));
    qtest_memset(p->qts, gpa(g, GP_C), 0, sizeof(out));
    qtest_memwrite(p->qts, gpa(g, GP_ARGS), &args, sizeof(args));
    C_EMIT(&c, dispatch, PVGPU_KERNEL_VECTOR_ADD_U32, gva(GP_ARGS));
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), salt);
    irq_quiesce(p);
    tq_submit(g, q, c.dw, c.n);
    if (!expect_ok) {
        return;
    }
    wait_signal(g, q, gva(GP_FENCE), salt);
    qtest_memread(p->qts, gpa(g, GP_C), out, sizeof(out));
    for (uint32_t i = 0; i < 1024; i++) {
        g_assert_cmphex(le32_to_cpu(out[i]), ==,
                        le32_to_cpu(a[i]) + le32_to_cpu(b[i]));
    }
}

/*
 * backend=virgl runs kernels on the host GPU (HWCAPS says so); a
 * virglrenderer error injected at run time, and a worker that stops
 * answering, each fail only the queue that ran the kernel, with
 * QUEUE_ERROR BACKEND and the cause in fault_reason; a queue after them
 * gets a working backend again.
 */
static void test_virgl_backend(void)
{
    const char *w = virgl_worker();
    g_autofree char *dev = NULL;
    struct pvgpu_evt_queue_error evt;
    Pvgpu *p;
    Gpu g;
    TQueue q1, q2, q3;

    if (!w) {
        return;
    }
    dev = g_strdup_printf(",id=gpu0,backend=virgl,virgl-worker=%s,"
                          "virgl-timeout-ms=300", w);
    p = pvgpu_start(dev);
    g_assert_cmphex(rd(p, PVGPU_REG_HWCAPS) & PVGPU_HWCAP_BACKEND_VIRGL, ==,
                    PVGPU_HWCAP_BACKEND_VIRGL);
    boot_ok(p);
    g = gpu_setup(p, 1, 0);
    q1 = tq_register(&g, 1, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING0,
                     PVGPU_DOORBELL_ID(3, 0));
    virgl_add(&g, &q1, 0x1001, true);

    qom_set_ok(p, GPU0, "x-inject-backend-gl-error",
               QOBJECT(qbool_from_bool(true)));
    virgl_add(&g, &q1, 0x1002, false);
    evt = wait_queue_error(&g, &q1, PVGPU_QUEUE_ERR_BACKEND);
    g_assert_cmpuint(le32_to_cpu(evt.guilty), ==, 1);
    g_assert_cmpuint(le32_to_cpu(evt.fault_reason), ==, PVGPU_BACKEND_ERR_GL);
    g_assert_cmphex(PVGPU_CMD_OPCODE(le32_to_cpu(evt.cmd_dw0)), ==,
                    PVGPU_CMD_DISPATCH);
    g_assert_cmphex(mem_rd32(p, gpa(&g, GP_C)), ==, 0);

    q2 = tq_register(&g, 2, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING1,
                     PVGPU_DOORBELL_ID(3, 1));
    virgl_add(&g, &q2, 0x2001, true);

    qom_set_ok(p, GPU0, "x-inject-backend-hang",
               QOBJECT(qbool_from_bool(true)));
    virgl_add(&g, &q2, 0x2002, false);
    evt = wait_queue_error(&g, &q2, PVGPU_QUEUE_ERR_BACKEND);
    g_assert_cmpuint(le32_to_cpu(evt.fault_reason), ==,
                     PVGPU_BACKEND_ERR_TIMEOUT);

    q3 = tq_register(&g, 3, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING2,
                     PVGPU_DOORBELL_ID(3, 2));
    virgl_add(&g, &q3, 0x3001, true);
    g_assert_cmpuint(rd(p, PVGPU_REG_FW_STATUS), ==, PVGPU_FW_STATE_RUNNING);
    pvgpu_stop(p);
}

/*
 * Migration with a busy compute queue on the virgl backend: the queue is
 * in a DELAY with a VECTOR_ADD behind it when the source stops; the
 * destination (virgl again, or cpu: data) runs the kernel to the same
 * result. Nothing of the worker is in the stream.
 */
static void test_virgl_migrate(gconstpointer data)
{
    bool dst_virgl = GPOINTER_TO_UINT(data);
    const char *w = virgl_worker();
    g_autofree char *dev = NULL, *dst_dev = NULL;
    g_autofree char *path = g_strdup_printf("%s/pvgpu-migrate-virgl-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);
    struct pvgpu_kargs_vector_add args = {
        .a = cpu_to_le64(gva(GP_A)),
        .b = cpu_to_le64(gva(GP_B)),
        .c = cpu_to_le64(gva(GP_C)),
        .n = cpu_to_le64(1024),
    };
    uint32_t a[1024], b[1024], out[1024];
    Cmds c = { .n = 0 };
    Pvgpu *src, *dst;
    Gpu g, gd;
    TQueue q;

    if (!w) {
        return;
    }
    dev = g_strdup_printf(",backend=virgl,virgl-worker=%s", w);
    dst_dev = dst_virgl ? g_strdup(dev) : g_strdup(",backend=cpu");
    src = pvgpu_start(dev);
    boot_ok(src);
    g = gpu_setup(src, 1, 0);
    q = tq_register(&g, 1, PVGPU_ENGINE_CLASS_COMPUTE, GP_RING0,
                    PVGPU_DOORBELL_ID(3, 0));
    virgl_add(&g, &q, 0x4001, true);

    for (uint32_t i = 0; i < 1024; i++) {
        a[i] = cpu_to_le32(i * 77 + 1);
        b[i] = cpu_to_le32(0x80000000u - i);
    }
    qtest_memwrite(src->qts, gpa(&g, GP_A), a, sizeof(a));
    qtest_memwrite(src->qts, gpa(&g, GP_B), b, sizeof(b));
    qtest_memset(src->qts, gpa(&g, GP_C), 0, sizeof(out));
    qtest_memwrite(src->qts, gpa(&g, GP_ARGS), &args, sizeof(args));
    C_EMIT(&c, delay, 0, 5000000);
    C_EMIT(&c, dispatch, PVGPU_KERNEL_VECTOR_ADD_U32, gva(GP_ARGS));
    C_EMIT(&c, signal, PVGPU_CMD_SIGNAL_IRQ, gva(GP_FENCE), 0x4002);
    irq_quiesce(src);
    tq_submit(&g, &q, c.dw, c.n);
    qtest_clock_step(src->qts, 1000 * 1000);
    g_assert_cmpuint(le32_to_cpu(tq_query(&g, &q).state), ==,
                     PVGPU_QUEUE_STATE_RESIDENT);
    g_assert_cmphex(mem_rd32(src, gpa(&g, GP_C)), ==, 0);

    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);
    dst = pvgpu_incoming_with(src, uri, dst_dev);
    unlink(path);
    g_assert_cmphex(rd(dst, PVGPU_REG_HWCAPS) & PVGPU_HWCAP_BACKEND_VIRGL,
                    ==, dst_virgl ? PVGPU_HWCAP_BACKEND_VIRGL : 0);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'cont'}");
    gd = g;
    gd.p = dst;
    wait_signal(&gd, &q, gva(GP_FENCE), 0x4002);
    qtest_memread(dst->qts, gpa(&gd, GP_C), out, sizeof(out));
    for (uint32_t i = 0; i < 1024; i++) {
        g_assert_cmphex(le32_to_cpu(out[i]), ==,
                        le32_to_cpu(a[i]) + le32_to_cpu(b[i]));
    }
    pvgpu_stop(dst);
    pvgpu_stop(src);
}

/*
 * A bad backend name, and a worker that cannot run, stop the device's
 * creation with the reason; backend=cpu (the default) has no virgl bit.
 */
static void test_virgl_refused(void)
{
    g_autofree char *msg = NULL, *msg2 = NULL;
    Pvgpu *p;

    g_assert_cmpint(run_qemu_with("pvgpu,backend=vulkan", "20", &msg), ==, 1);
    g_assert_nonnull(strstr(msg, "backend 'vulkan' is not one of"));
    g_assert_cmpint(run_qemu_with("pvgpu,backend=virgl,"
                                  "virgl-worker=/nonexistent/worker", "20",
                                  &msg2), ==, 1);
    g_assert_nonnull(strstr(msg2, "backend=virgl"));
    p = pvgpu_start(",backend=cpu");
    g_assert_cmphex(rd(p, PVGPU_REG_HWCAPS) & PVGPU_HWCAP_BACKEND_VIRGL, ==,
                    0);
    pvgpu_stop(p);
}

/*
 * Injection state migrates: counts and probabilities (the firmware's
 * state) and a crash set while the source was stopped (the device's
 * pending subsection), which happens on the destination at 'cont'.
 */
static void test_inject_migrate(void)
{
    Pvgpu *src = pvgpu_start(NULL);
    Pvgpu *dst;
    g_autofree char *path = g_strdup_printf("%s/pvgpu-inject-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("file:%s", path);

    boot_ok(src);
    qom_set_ok(src, GPU_ANON, "x-inject-drop-doorbells", U(3));
    qom_set_ok(src, GPU_ANON, "x-inject-fail-fault-replies", U(4));
    qom_set_ok(src, GPU_ANON, "x-inject-drop-fault-events", U(6));
    qom_set_ok(src, GPU_ANON, "x-inject-lose-irq-ppm", U(1000));
    qtest_qmp_assert_success(src->qts, "{'execute': 'stop'}");
    qom_set_ok(src, GPU_ANON, "x-inject-crash", QOBJECT(qbool_from_bool(true)));
    qtest_qmp_assert_success(src->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': %s}}", uri);
    wait_migration_done(src->qts);
    dst = pvgpu_incoming(src, uri);
    unlink(path);

    g_assert_cmpuint(qom_get_u64(dst, GPU_ANON, "x-inject-drop-doorbells"), ==,
                     3);
    g_assert_cmpuint(qom_get_u64(dst, GPU_ANON, "x-inject-fail-fault-replies"),
                     ==, 4);
    g_assert_cmpuint(qom_get_u64(dst, GPU_ANON, "x-inject-drop-fault-events"),
                     ==, 6);
    g_assert_cmpuint(qom_get_u64(dst, GPU_ANON, "x-inject-lose-irq-ppm"), ==,
                     1000);
    qtest_clock_step(dst->qts, 1000 * 1000);
    g_assert_cmpuint(rd(dst, PVGPU_REG_FW_STATUS), ==,
                     PVGPU_FW_STATE_RUNNING);
    qtest_qmp_assert_success(dst->qts, "{'execute': 'cont'}");
    g_assert_cmpuint(wait_state_change(dst, PVGPU_FW_STATE_RUNNING), ==,
                     PVGPU_FW_STATE_HALTED);
    g_assert_cmpuint(rd(dst, PVGPU_REG_FW_ERROR), ==, PVGPU_FW_ERR_CRASHED);
    pvgpu_stop(dst);
    pvgpu_stop(src);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/pvgpu/identity", test_identity);
    qtest_add_func("/pvgpu/properties", test_properties);
    qtest_add_func("/pvgpu/bad-access", test_bad_access);
    qtest_add_func("/pvgpu/bar0-reserved", test_bar0_reserved);
    qtest_add_func("/pvgpu/boot-caps", test_boot_caps);
    qtest_add_func("/pvgpu/bad-boot", test_bad_boot);
    qtest_add_func("/pvgpu/no-bus-master", test_no_bus_master);
    qtest_add_func("/pvgpu/ping", test_ping);
    qtest_add_func("/pvgpu/ping-backpressure", test_ping_backpressure);
    qtest_add_func("/pvgpu/unknown-opcode", test_unknown_opcode);
    qtest_add_func("/pvgpu/malformed", test_malformed);
    qtest_add_func("/pvgpu/irq-mask", test_irq_mask);
    qtest_add_func("/pvgpu/reset", test_reset);
    qtest_add_func("/pvgpu/migrate", test_migrate);
    qtest_add_func("/pvgpu/migrate-queue", test_migrate_queue);
    qtest_add_func("/pvgpu/queue/privileged", test_privileged_queue);
    qtest_add_func("/pvgpu/queue/progress", test_queue_progress);
    qtest_add_func("/pvgpu/migrate-mismatch", test_migrate_mismatch);
    qtest_add_func("/pvgpu/migrate-corrupt", test_migrate_corrupt);
    qtest_add_func("/pvgpu/migrate-compact", test_migrate_compact);
    qtest_add_func("/pvgpu/migrate-bad-records", test_migrate_bad_records);
    qtest_add_func("/pvgpu/queue/submit", test_queue_submit);
    qtest_add_func("/pvgpu/queue/illegal-cmd", test_queue_illegal_cmd);
    qtest_add_func("/pvgpu/queue/fatal-fault", test_queue_fatal_fault);
    qtest_add_func("/pvgpu/queue/fault-retry", test_queue_fault_retry);
    qtest_add_func("/pvgpu/queue/shared-doorbell-page",
                   test_queue_shared_doorbell_page);
    qtest_add_func("/pvgpu/queue/vm-stopped", test_queue_vm_stopped);
    qtest_add_func("/pvgpu/queue/self-dma", test_queue_self_dma);
    qtest_add_func("/pvgpu/virgl/backend", test_virgl_backend);
    qtest_add_func("/pvgpu/virgl/refused", test_virgl_refused);
    qtest_add_data_func("/pvgpu/virgl/migrate-to-virgl", GUINT_TO_POINTER(1),
                        test_virgl_migrate);
    qtest_add_data_func("/pvgpu/virgl/migrate-to-cpu", GUINT_TO_POINTER(0),
                        test_virgl_migrate);
    qtest_add_func("/pvgpu/bad-shape", test_bad_shape);
    qtest_add_func("/pvgpu/inject/drop-doorbells",
                   test_inject_drop_doorbells);
    qtest_add_func("/pvgpu/selftest-irq", test_selftest_irq);
    qtest_add_func("/pvgpu/inject/drop-fault-events",
                   test_inject_drop_fault_events);
    qtest_add_func("/pvgpu/inject/lose-irqs", test_inject_lose_irqs);
    qtest_add_func("/pvgpu/inject/delay-irqs", test_inject_delay_irqs);
    qtest_add_func("/pvgpu/inject/crash", test_inject_crash);
    qtest_add_func("/pvgpu/inject/hang-engine", test_inject_hang_engine);
    qtest_add_func("/pvgpu/inject/unhang-wedge", test_inject_unhang_wedge);
    qtest_add_func("/pvgpu/inject/guest-register", test_guest_inject);
    qtest_add_func("/pvgpu/inject/guest-register-off",
                   test_guest_inject_off);
    qtest_add_func("/pvgpu/inject/wedge-migrate", test_inject_wedge_migrate);
    qtest_add_func("/pvgpu/inject/invalid", test_inject_invalid);
    qtest_add_func("/pvgpu/inject/migrate", test_inject_migrate);

    return g_test_run();
}
