/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The test guests' runtime: PL011 console and stdio, TAP output, exception
 * capture, SMCCC calls, secondary CPUs, time, device tree and GICv3 set-up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include "guest.h"

/* PL011 registers. */
#define UART_DR      0x00
#define UART_FR      0x18
#define UART_FR_TXFF (1U << 5)
#define UART_FR_RXFE (1U << 4)

/* GICv3 distributor and redistributor registers. */
#define GICD_CTLR            0x0000
#define GICD_CTLR_RWP        (1U << 31)
#define GICD_CTLR_ARE_NS     (1U << 4)
#define GICD_CTLR_GRP1NS     (1U << 1)
#define GICR_TYPER           0x0008
#define GICR_TYPER_VLPIS     (1ULL << 1)
#define GICR_TYPER_LAST      (1ULL << 4)
#define GICR_WAKER           0x0014
#define GICR_WAKER_PSLEEP    (1U << 1)
#define GICR_WAKER_CASLEEP   (1U << 2)
#define GICR_SGI_BASE        0x10000
#define GICR_IGROUPR0        0x0080
#define GICR_ISENABLER0      0x0100
#define GICR_IPRIORITYR      0x0400
#define GICR_FRAME_SIZE      0x20000
#define GICR_FRAME_SIZE_VLPI 0x40000
/* GICv2 (IHI 0048B): distributor (banked word 0 for SGIs and PPIs) and the
 * memory-mapped CPU interface. */
#define GICD_V2_ENABLE       (1U << 0)
#define GICD_ISENABLER0      0x0100
#define GICD_IPRIORITYR      0x0400
#define GICC_CTLR            0x0000
#define GICC_CTLR_ENABLE     (1U << 0)
#define GICC_PMR             0x0004
#define GICC_IAR             0x000c
#define GICC_EOIR            0x0010

/* CNTV_CTL_EL0.IMASK */
#define CNT_CTL_IMASK (1U << 1)

/* Vector indices (offset / 0x80) guest_exception_entry() gets. */
#define VEC_CUR_SPX_SYNC 4
#define VEC_CUR_SPX_IRQ  5
#define VEC_LOWER64_SYNC 8

/*
 * EL0 window (start.S maps guest_el0_l3 at EL0_VA_BASE): the guest image
 * from page 0, the EL0 stack in the last EL0_STACK_PAGES pages.
 */
#define EL0_VA_BASE     0x100000000ULL
#define EL0_PAGES       512
#define EL0_STACK_PAGES 2
#define PAGE_SIZE       4096ULL
/* Level-3 page descriptor bits. */
#define PTE_PAGE        3ULL
#define PTE_ATTR(i)     ((uint64_t)(i) << 2)
#define PTE_AP_EL0      (1ULL << 6) /* AP[1]: EL0 access */
#define PTE_AP_RO       (1ULL << 7) /* AP[2]: read-only */
#define PTE_SH_INNER    (3ULL << 8)
#define PTE_AF          (1ULL << 10)
#define PTE_PXN         (1ULL << 53)
#define PTE_UXN         (1ULL << 54)
#define PTE_NORMAL_EL0                                                                   \
    (PTE_PAGE | PTE_ATTR(1) | PTE_SH_INNER | PTE_AF | PTE_AP_EL0 | PTE_PXN)
/* The exit SVC of guest_el0_exit (start.S), and SPSR for EL1h, DAIF masked. */
#define EL0_EXIT_SVC     0xfff
#define SPSR_EL1H_MASKED 0x3c5
#define SVC_LOG_LEN      8

#define LINE_MAX_LEN 256

/* Saved by start.S on exception entry. */
struct exc_frame {
    uint64_t x[31];
    uint64_t elr;
    uint64_t spsr;
    uint64_t pad;
};

struct guest_cpu {
    /* Exception capture (guest_expect_exception). */
    volatile bool armed;
    volatile bool taken;
    struct guest_exception exc;
    /* IRQs. */
    volatile unsigned irq_count;
    volatile uint32_t last_intid;
    /* SVCs from EL0. */
    volatile unsigned svc_count;
    struct guest_svc svc_log[SVC_LOG_LEN];
    /* Secondary start-up. */
    void (*fn)(uint64_t context_id);
    /* Console line being assembled. */
    char line[LINE_MAX_LEN];
    size_t line_len;
    /* picolibc TLS block (errno). */
    char tls[256] __attribute__((aligned(64)));
};

/* Read by start.S to map a secondary's MPIDR to its slot. */
uint64_t guest_cpu_mpidr[GUEST_MAX_CPUS];

static struct guest_cpu cpus[GUEST_MAX_CPUS];
static struct guest_spinlock console_lock;
static unsigned tap_count;
static const void *boot_fdt;
static uint64_t boot_fdt_addr;
static bool bare_metal;
static bool smccc_1_1;

/* From start.S and guest.ld. */
extern char guest_secondary_entry[];
extern char __tls_size[];
extern char __guest_start[], __guest_end[];
extern char guest_el0_exit[], guest_el0_return[];
extern uint64_t guest_el0_l3[EL0_PAGES];
uint64_t guest_el0_call(uint64_t entry, uint64_t arg, uint64_t sp, uint64_t lr);
/* Called from start.S. */
void guest_boot(uint64_t dtb) __attribute__((noreturn));
void guest_secondary_boot(uint64_t context_id, uint64_t slot) __attribute__((noreturn));
void guest_bad_load(uint64_t runtime, uint64_t link) __attribute__((noreturn));
void guest_exception_entry(struct exc_frame *frame, uint64_t vector);
/* picolibc's TLS set-up. */
void _init_tls(void *tls);
void _set_tls(void *tls);

static inline uint32_t mmio_read32(uint64_t addr)
{
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)addr = v;
}

static inline uint64_t mmio_read64(uint64_t addr)
{
    return *(volatile uint64_t *)(uintptr_t)addr;
}

static inline void mmio_write8(uint64_t addr, uint8_t v)
{
    *(volatile uint8_t *)(uintptr_t)addr = v;
}

static inline void cpu_yield(void)
{
    __asm__ volatile("yield" ::: "memory");
}

/* --- console ---------------------------------------------------------------------- */

/* The PL011: QEMU virt's until guest_boot() finds the DTB's (another board's
 * hypervisor puts the guest's virtual PL011 where that board's UART is). */
uint64_t guest_uart_base = GUEST_UART_BASE;

static void uart_putc(char c)
{
    while (mmio_read32(guest_uart_base + UART_FR) & UART_FR_TXFF)
        ;
    mmio_write32(guest_uart_base + UART_DR, (uint8_t)c);
}

static void uart_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            uart_putc('\r');
        uart_putc(s[i]);
    }
}

void guest_spin_lock(struct guest_spinlock *lock)
{
    while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
            cpu_yield();
    }
}

void guest_spin_unlock(struct guest_spinlock *lock)
{
    __atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

static struct guest_cpu *this_cpu(void)
{
    return &cpus[guest_cpu_slot()];
}

static void console_write_line(const char *s, size_t len)
{
    guest_spin_lock(&console_lock);
    uart_write(s, len);
    guest_spin_unlock(&console_lock);
}

static int console_put(char c, FILE *file)
{
    struct guest_cpu *cpu = this_cpu();

    (void)file;
    cpu->line[cpu->line_len++] = c;
    if (c == '\n' || cpu->line_len == sizeof(cpu->line)) {
        console_write_line(cpu->line, cpu->line_len);
        cpu->line_len = 0;
    }
    return (unsigned char)c;
}

static FILE console_stream =
    FDEV_SETUP_STREAM(console_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &console_stream;
FILE *const stdout = &console_stream;
FILE *const stderr = &console_stream;

/* --- TAP ---------------------------------------------------------------------------- */

static void tap_line(const char *status, const char *directive, const char *fmt,
                     va_list ap)
{
    char desc[LINE_MAX_LEN - 48];
    char line[LINE_MAX_LEN];
    int len;

    vsnprintf(desc, sizeof(desc), fmt, ap);
    guest_spin_lock(&console_lock);
    len = snprintf(line, sizeof(line), "%s %u - %s%s\n", status, ++tap_count, desc,
                   directive);
    if (len >= (int)sizeof(line)) {
        len = sizeof(line) - 1;
        line[len - 1] = '\n';
    }
    uart_write(line, (size_t)len);
    guest_spin_unlock(&console_lock);
}

void tap_ok(bool pass, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tap_line(pass ? "ok" : "not ok", "", fmt, ap);
    va_end(ap);
}

void tap_skip(const char *reason, const char *fmt, ...)
{
    char directive[80];
    va_list ap;

    snprintf(directive, sizeof(directive), " # SKIP %s", reason);
    va_start(ap, fmt);
    tap_line("ok", directive, fmt, ap);
    va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
    char line[LINE_MAX_LEN];
    va_list ap;
    int len;

    line[0] = '#';
    line[1] = ' ';
    va_start(ap, fmt);
    len = vsnprintf(line + 2, sizeof(line) - 3, fmt, ap);
    va_end(ap);
    if (len < 0)
        len = 0;
    len += 2;
    if (len > (int)sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    console_write_line(line, (size_t)len);
}

void tap_done(void)
{
    char line[32];
    int len;

    guest_spin_lock(&console_lock);
    len = snprintf(line, sizeof(line), "1..%u\n", tap_count);
    uart_write(line, (size_t)len);
    guest_spin_unlock(&console_lock);
    psci_system_off();
}

void tap_bail(const char *fmt, ...)
{
    char desc[LINE_MAX_LEN - 48];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    tap_ok(false, "%s", desc);
    console_write_line("Bail out!\n", 10);
    psci_system_off();
}

/* --- exceptions ----------------------------------------------------------------------
 */

void guest_expect_exception(void)
{
    struct guest_cpu *cpu = this_cpu();

    cpu->taken = false;
    cpu->armed = true;
    __asm__ volatile("" ::: "memory");
}

bool guest_took_exception(struct guest_exception *out)
{
    struct guest_cpu *cpu = this_cpu();
    bool taken;

    __asm__ volatile("" ::: "memory");
    cpu->armed = false;
    taken = cpu->taken;
    cpu->taken = false;
    if (taken && out != NULL)
        *out = cpu->exc;
    return taken;
}

unsigned guest_irq_count(void)
{
    return this_cpu()->irq_count;
}

uint32_t guest_last_intid(void)
{
    return this_cpu()->last_intid;
}

static const char *const vector_names[16] = {
    "sync, current EL, SP_EL0", "IRQ, current EL, SP_EL0",
    "FIQ, current EL, SP_EL0",  "SError, current EL, SP_EL0",
    "sync, current EL, SP_EL1", "IRQ, current EL, SP_EL1",
    "FIQ, current EL, SP_EL1",  "SError, current EL, SP_EL1",
    "sync, lower EL, AArch64",  "IRQ, lower EL, AArch64",
    "FIQ, lower EL, AArch64",   "SError, lower EL, AArch64",
    "sync, lower EL, AArch32",  "IRQ, lower EL, AArch32",
    "FIQ, lower EL, AArch32",   "SError, lower EL, AArch32",
};

static void irq_handler_run(uint32_t intid); /* "IRQ handler hook", at the end */

/* GICv2: the CPU interface found by guest_gic_init_ppi(); 0 on a GICv3. */
static uint64_t gicc_base;

static void handle_irq(struct guest_cpu *cpu)
{
    uint64_t iar = gicc_base ? mmio_read32(gicc_base + GICC_IAR)
                             : sysreg_read(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
    uint32_t intid = (uint32_t)(iar & (gicc_base ? 0x3ff : 0xffffff));

    if (intid >= 1020 && intid <= 1023)
        return; /* spurious */
    cpu->last_intid = intid;
    cpu->irq_count++;
    /* Most guests enable only the virtual timer's interrupt: quiet it. */
    sysreg_write(cntv_ctl_el0, CNT_CTL_IMASK);
    __asm__ volatile("isb");
    irq_handler_run(intid);
    if (gicc_base) {
        mmio_write32(gicc_base + GICC_EOIR, (uint32_t)iar);
        return;
    }
    sysreg_write(S3_0_C12_C12_1, iar); /* ICC_EOIR1_EL1 */
    __asm__ volatile("isb");
}

static void handle_el0_svc(struct guest_cpu *cpu, struct exc_frame *frame, uint64_t esr)
{
    struct guest_svc *svc;

    if ((esr & 0xffff) == EL0_EXIT_SVC) {
        /* guest_run_el0's function returned: back to EL1, x0 = its result. */
        frame->elr = (uint64_t)(uintptr_t)guest_el0_return;
        frame->spsr = SPSR_EL1H_MASKED;
        return;
    }
    svc = &cpu->svc_log[cpu->svc_count % SVC_LOG_LEN];
    svc->nr = frame->x[8];
    for (unsigned i = 0; i < 6; i++)
        svc->args[i] = frame->x[i];
    svc->pc = frame->elr;
    svc->imm = (uint32_t)(esr & 0xffff);
    cpu->svc_count++;
    /* ELR_EL1 already points after the SVC. */
}

void guest_exception_entry(struct exc_frame *frame, uint64_t vector)
{
    struct guest_cpu *cpu = this_cpu();
    uint64_t esr = sysreg_read(esr_el1);
    uint64_t far = sysreg_read(far_el1);

    if (vector == VEC_CUR_SPX_SYNC && cpu->armed) {
        cpu->exc.esr = esr;
        cpu->exc.far = far;
        cpu->exc.elr = frame->elr;
        cpu->armed = false;
        cpu->taken = true;
        if (ESR_EC(esr) == EC_IABT_CUR)
            frame->elr = frame->x[30]; /* back to after the BL/BLR */
        else
            frame->elr += 4; /* skip the faulting instruction */
        return;
    }
    if (vector == VEC_LOWER64_SYNC && ESR_EC(esr) == EC_SVC64) {
        handle_el0_svc(cpu, frame, esr);
        return;
    }
    if (vector == VEC_CUR_SPX_IRQ) {
        handle_irq(cpu);
        return;
    }
    tap_bail("unexpected exception (%s) on CPU slot %u: ESR_EL1 0x%08llx EC 0x%02llx "
             "ELR_EL1 0x%llx FAR_EL1 0x%llx",
             vector_names[vector & 15], guest_cpu_slot(), (unsigned long long)esr,
             (unsigned long long)ESR_EC(esr), (unsigned long long)frame->elr,
             (unsigned long long)far);
}

/* --- EL0 ---------------------------------------------------------------------------- */

/* EL0 stack, aliased into the EL0 window; PXN at EL1 there, as EL0 can write it. */
static uint8_t el0_stack[EL0_STACK_PAGES * PAGE_SIZE] __attribute__((aligned(4096)));

static uint64_t el0_alias(const void *p)
{
    return EL0_VA_BASE + ((uint64_t)(uintptr_t)p - (uint64_t)(uintptr_t)__guest_start);
}

/*
 * Fills the EL0 window's level-3 table: the image read-only and executable
 * at EL0 only, the stack read-write at EL0 and never executable. The entries
 * go from invalid to valid, so no TLB maintenance is needed.
 */
static void el0_map(void)
{
    uint64_t start = (uint64_t)(uintptr_t)__guest_start;
    uint64_t pages =
        ((uint64_t)(uintptr_t)__guest_end - start + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t stack = (uint64_t)(uintptr_t)el0_stack;

    if (guest_el0_l3[0] != 0)
        return;
    if (pages > EL0_PAGES - EL0_STACK_PAGES)
        tap_bail("guest image of %llu pages does not fit the EL0 window",
                 (unsigned long long)pages);
    for (uint64_t i = 0; i < pages; i++)
        guest_el0_l3[i] = (start + i * PAGE_SIZE) | PTE_NORMAL_EL0 | PTE_AP_RO;
    for (uint64_t i = 0; i < EL0_STACK_PAGES; i++)
        guest_el0_l3[EL0_PAGES - EL0_STACK_PAGES + i] =
            (stack + i * PAGE_SIZE) | PTE_NORMAL_EL0 | PTE_UXN;
    __asm__ volatile("dsb ishst\n"
                     "isb" ::
                         : "memory");
}

uint64_t guest_run_el0(uint64_t (*fn)(uint64_t arg), uint64_t arg)
{
    el0_map();
    return guest_el0_call(el0_alias((const void *)fn), arg,
                          EL0_VA_BASE + EL0_PAGES * PAGE_SIZE, el0_alias(guest_el0_exit));
}

unsigned guest_svc_count(void)
{
    return this_cpu()->svc_count;
}

bool guest_svc_get(unsigned n, struct guest_svc *out)
{
    struct guest_cpu *cpu = this_cpu();

    if (n >= cpu->svc_count || cpu->svc_count - n > SVC_LOG_LEN)
        return false;
    *out = cpu->svc_log[n % SVC_LOG_LEN];
    return true;
}

/* --- console input ------------------------------------------------------------------ */

int guest_console_getc(void)
{
    if (mmio_read32(guest_uart_base + UART_FR) & UART_FR_RXFE)
        return -1;
    return (int)(mmio_read32(guest_uart_base + UART_DR) & 0xff);
}

/* --- SMCCC
 * ------------------------------------------------------------------------------ */

static struct smccc_res smccc_raw(enum smccc_conduit conduit, uint32_t fid, uint64_t a1,
                                  uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    struct smccc_res res;

    /* SMCCC 1.0 lets the callee corrupt x4..x17; assume it does. */
    if (conduit == CONDUIT_HVC)
        __asm__ volatile("hvc #0"
                         : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                         :
                         : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
                           "x14", "x15", "x16", "x17", "memory");
    else
        __asm__ volatile("smc #0"
                         : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                         :
                         : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
                           "x14", "x15", "x16", "x17", "memory");
    res.a0 = (int64_t)x0;
    res.a1 = (int64_t)x1;
    res.a2 = (int64_t)x2;
    res.a3 = (int64_t)x3;
    res.undefined = false;
    res.esr = 0;
    return res;
}

struct smccc_res smccc_call(enum smccc_conduit conduit, uint32_t fid, uint64_t a1,
                            uint64_t a2, uint64_t a3)
{
    struct guest_exception exc;
    struct smccc_res res;

    guest_expect_exception();
    res = smccc_raw(conduit, fid, a1, a2, a3);
    if (guest_took_exception(&exc)) {
        res.undefined = true;
        res.esr = exc.esr;
    }
    return res;
}

bool guest_bare_metal(void)
{
    return bare_metal;
}

bool guest_smccc_1_1(void)
{
    return smccc_1_1;
}

void psci_system_off(void)
{
    smccc_raw(CONDUIT_HVC, PSCI_SYSTEM_OFF, 0, 0, 0);
    /* Only reached without PSCI. */
    console_write_line("guest: SYSTEM_OFF returned; halting\n", 36);
    for (;;)
        __asm__ volatile("wfi");
}

/* --- CPUs
 * ---------------------------------------------------------------------------------- */

unsigned guest_cpu_slot(void)
{
    return (unsigned)sysreg_read(tpidr_el1);
}

uint64_t guest_read_mpidr(void)
{
    return sysreg_read(mpidr_el1) & 0xff00ffffffULL;
}

uint64_t guest_secondary_entry_pa(void)
{
    /* The guest runs identity-mapped at its link address. */
    return (uint64_t)(uintptr_t)guest_secondary_entry;
}

static void clean_dcache(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)63;

    for (; a < (uintptr_t)p + len; a += 64)
        __asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb sy" ::: "memory");
}

void guest_cpu_prepare(unsigned slot, uint64_t mpidr, void (*fn)(uint64_t context_id))
{
    if (slot == 0 || slot >= GUEST_MAX_CPUS)
        tap_bail("guest_cpu_prepare: bad slot %u", slot);
    cpus[slot].fn = fn;
    guest_cpu_mpidr[slot] = mpidr & 0xff00ffffffULL;
    /* The secondary reads these with its MMU (and caches) still off. */
    clean_dcache(&cpus[slot], sizeof(cpus[slot]));
    clean_dcache(guest_cpu_mpidr, sizeof(guest_cpu_mpidr));
}

static void init_tls(unsigned slot)
{
    if ((uintptr_t)__tls_size > sizeof(cpus[slot].tls))
        tap_bail("TLS block of %lu bytes does not fit", (unsigned long)__tls_size);
    _init_tls(cpus[slot].tls);
    _set_tls(cpus[slot].tls);
}

void guest_secondary_boot(uint64_t context_id, uint64_t slot)
{
    init_tls((unsigned)slot);
    cpus[slot].fn(context_id);
    smccc_raw(CONDUIT_HVC, PSCI_CPU_OFF, 0, 0, 0);
    tap_bail("CPU_OFF returned on CPU slot %u", (unsigned)slot);
}

/* --- time
 * ----------------------------------------------------------------------------------- */

uint64_t guest_now_us(void)
{
    uint64_t freq = sysreg_read(cntfrq_el0);
    uint64_t cnt;

    __asm__ volatile("isb");
    cnt = sysreg_read(cntvct_el0);
    if (freq == 0)
        freq = 62500000; /* QEMU virt's default if firmware left CNTFRQ unset */
    return cnt / freq * 1000000 + cnt % freq * 1000000 / freq;
}

bool guest_wait(bool (*cond)(void *arg), void *arg, uint64_t timeout_us)
{
    uint64_t start = guest_now_us();

    for (;;) {
        if (cond(arg))
            return true;
        if (guest_now_us() - start > timeout_us)
            return cond(arg);
        cpu_yield();
    }
}

/* --- device tree
 * ----------------------------------------------------------------------------- */

const void *guest_fdt(void)
{
    return boot_fdt;
}

uint32_t guest_virtual_timer_intid(void)
{
    const void *fdt = guest_fdt();
    const fdt32_t *irqs;
    int node, len;

    /* interrupts = <secure phys>, <non-secure phys>, <virtual>, <hyp>; 3 cells each. */
    node = fdt ? fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer") : -1;
    irqs = node >= 0 ? fdt_getprop(fdt, node, "interrupts", &len) : NULL;
    if (irqs == NULL || len < 9 * 4 || fdt32_to_cpu(irqs[6]) != 1)
        return 27;
    return 16 + fdt32_to_cpu(irqs[7]);
}

static uint64_t fdt_cells(const fdt32_t *p, int cells);

bool guest_fdt_reg(const void *fdt, int node, unsigned index, uint64_t *addr,
                   uint64_t *size)
{
    int parent = fdt_parent_offset(fdt, node);
    int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent), len;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

    if (reg == NULL || ac < 1 || ac > 2 || sc < 1 || sc > 2 ||
        len < (int)((index + 1) * (unsigned)(ac + sc) * sizeof(fdt32_t)))
        return false;
    reg += index * (unsigned)(ac + sc);
    *addr = fdt_cells(reg, ac);
    if (size != NULL)
        *size = fdt_cells(reg + ac, sc);
    return true;
}

uint64_t guest_fdt_addr(void)
{
    return boot_fdt_addr;
}

static uint64_t fdt_cells(const fdt32_t *p, int cells)
{
    uint64_t v = 0;

    for (int i = 0; i < cells; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

/* --- GIC (v3 or v2)
 * ----------------------------------------------------------------------------------- */

static uint64_t find_redistributor(uint64_t base, uint64_t size)
{
    uint64_t mpidr = guest_read_mpidr();
    uint64_t aff = ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff);

    for (uint64_t off = 0; off < size;) {
        uint64_t typer = mmio_read64(base + off + GICR_TYPER);

        if ((typer >> 32) == aff)
            return base + off;
        if (typer & GICR_TYPER_LAST)
            break;
        off += (typer & GICR_TYPER_VLPIS) ? GICR_FRAME_SIZE_VLPI : GICR_FRAME_SIZE;
    }
    return 0;
}

static bool gicd_settled(void *arg)
{
    return !(mmio_read32((uint64_t)(uintptr_t)arg + GICD_CTLR) & GICD_CTLR_RWP);
}

static bool gicr_awake(void *arg)
{
    return !(mmio_read32((uint64_t)(uintptr_t)arg + GICR_WAKER) & GICR_WAKER_CASLEEP);
}

/* The DTB's GIC node: its version, and the first two reg entries. */
static unsigned gic_node(const void *fdt, uint64_t *frame0, uint64_t *frame1,
                         uint64_t *frame1_size)
{
    static const char *const v2[] = {"arm,gic-400", "arm,cortex-a15-gic", "arm,gic-v2"};
    const fdt32_t *reg;
    int node, parent, ac, sc, len;
    unsigned version = 3;

    node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
    for (unsigned i = 0; i < 3 && node < 0; i++) {
        node = fdt_node_offset_by_compatible(fdt, -1, v2[i]);
        version = 2;
    }
    if (node < 0) {
        tap_diag("no GICv3 or GICv2 node in the DTB");
        return 0;
    }
    parent = fdt_parent_offset(fdt, node);
    ac = fdt_address_cells(fdt, parent);
    sc = fdt_size_cells(fdt, parent);
    reg = fdt_getprop(fdt, node, "reg", &len);
    if (reg == NULL || ac < 1 || ac > 2 || sc < 1 || sc > 2 ||
        len < (int)(2 * (ac + sc) * sizeof(fdt32_t))) {
        tap_diag("GICv%u node has no usable reg", version);
        return 0;
    }
    *frame0 = fdt_cells(reg, ac);
    *frame1 = fdt_cells(reg + ac + sc, ac);
    *frame1_size = fdt_cells(reg + 2 * ac + sc, sc);
    return version;
}

unsigned guest_gic_version(void)
{
    uint64_t a, b, c;

    return boot_fdt != NULL ? gic_node(boot_fdt, &a, &b, &c) : 0;
}

/* GICv2: distributor on (group 0), the PPI enabled in the banked word,
 * the CPU interface on. */
static bool gicv2_init_ppi(uint64_t gicd, uint64_t gicc, uint32_t intid)
{
    mmio_write32(gicd + GICD_CTLR, mmio_read32(gicd + GICD_CTLR) | GICD_V2_ENABLE);
    mmio_write8(gicd + GICD_IPRIORITYR + intid, 0xa0);
    mmio_write32(gicd + GICD_ISENABLER0, 1U << intid);
    mmio_write32(gicc + GICC_PMR, 0xff);
    mmio_write32(gicc + GICC_CTLR, GICC_CTLR_ENABLE);
    gicc_base = gicc;
    return true;
}

bool guest_gic_init_ppi(uint32_t intid)
{
    const void *fdt = boot_fdt;
    uint64_t gicd, gicr, gicr_size, rd;
    unsigned version;

    if (fdt == NULL || intid < 16 || intid > 31)
        return false;
    version = gic_node(fdt, &gicd, &gicr, &gicr_size);
    if (version == 0)
        return false;

    /* A hypervisor may describe a GIC it does not (yet) let the guest reach. */
    {
        struct guest_exception exc;

        guest_expect_exception();
        (void)mmio_read32(gicd + GICD_CTLR);
        if (guest_took_exception(&exc)) {
            tap_diag("GICv%u distributor at 0x%llx is not accessible (ESR_EL1 0x%llx)",
                     version, (unsigned long long)gicd, (unsigned long long)exc.esr);
            return false;
        }
    }
    if (version == 2)
        return gicv2_init_ppi(gicd, gicr, intid);

    /* Distributor: affinity routing, group 1 on. */
    mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_GRP1NS);
    if (!guest_wait(gicd_settled, (void *)(uintptr_t)gicd, 100000))
        tap_diag("GICD_CTLR.RWP stuck");

    rd = find_redistributor(gicr, gicr_size);
    if (rd == 0) {
        tap_diag("no redistributor for MPIDR 0x%llx",
                 (unsigned long long)guest_read_mpidr());
        return false;
    }
    mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PSLEEP);
    if (!guest_wait(gicr_awake, (void *)(uintptr_t)rd, 100000))
        tap_diag("GICR_WAKER.ChildrenAsleep stuck");
    mmio_write32(rd + GICR_SGI_BASE + GICR_IGROUPR0,
                 mmio_read32(rd + GICR_SGI_BASE + GICR_IGROUPR0) | (1U << intid));
    mmio_write8(rd + GICR_SGI_BASE + GICR_IPRIORITYR + intid, 0xa0);
    mmio_write32(rd + GICR_SGI_BASE + GICR_ISENABLER0, 1U << intid);

    /* CPU interface: system registers, all priorities, group 1 on. */
    sysreg_write(S3_0_C12_C12_5, sysreg_read(S3_0_C12_C12_5) | 1); /* ICC_SRE_EL1 */
    __asm__ volatile("isb");
    sysreg_write(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1 */
    sysreg_write(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
    __asm__ volatile("isb");
    return true;
}

/* --- failures outside the tests
 * ------------------------------------------------------------- */

/* Stack protector and libc exits end the run as a TAP failure. */
void __stack_chk_fail(void) __attribute__((noreturn));
void __stack_chk_fail(void)
{
    tap_bail("stack smashing detected");
}

void _exit(int status) __attribute__((noreturn));
void _exit(int status)
{
    tap_bail("_exit(%d) called", status);
}

static void early_puts(const char *s)
{
    while (*s != '\0') {
        if (*s == '\n')
            uart_putc('\r');
        uart_putc(*s++);
    }
}

static void early_puthex(uint64_t v)
{
    early_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4)
        uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

/*
 * Entered with the MMU off at the wrong address: only PC-relative code and
 * string literals work here, so no stdio.
 */
void guest_bad_load(uint64_t runtime, uint64_t link)
{
    early_puts("not ok 1 - guest loaded at ");
    early_puthex(runtime);
    early_puts(" but linked at ");
    early_puthex(link);
    early_puts("\nBail out!\n");
    smccc_raw(CONDUIT_HVC, PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}

/* --- boot
 * ---------------------------------------------------------------------------------- */

/*
 * Without a hypervisor (bare QEMU with neither EL2 nor EL3) SMC is UNDEFINED
 * at EL1, and QEMU's built-in PSCI answers SMCCC_VERSION through HVC with
 * NOT_SUPPORTED (SMCCC 1.0). A hypervisor traps SMC (HCR_EL2.TSC) and speaks
 * SMCCC 1.1 or later. Both must hold to call it bare metal; the diagnostic
 * line lets a test runner insist on one or the other.
 */
static void probe_hypervisor(void)
{
    struct smccc_res smc = smccc_call(CONDUIT_SMC, PSCI_VERSION, 0, 0, 0);
    struct smccc_res hvc = smccc_call(CONDUIT_HVC, SMCCC_VERSION, 0, 0, 0);

    smccc_1_1 = !hvc.undefined && (int32_t)hvc.a0 >= 0x10001;
    bare_metal = smc.undefined && !smccc_1_1;
    if (smc.undefined)
        tap_diag("probe: SMC PSCI_VERSION is UNDEFINED (ESR_EL1 0x%08llx)",
                 (unsigned long long)smc.esr);
    else
        tap_diag("probe: SMC PSCI_VERSION returned 0x%llx", (unsigned long long)smc.a0);
    if (hvc.undefined)
        tap_diag("probe: HVC SMCCC_VERSION is UNDEFINED (ESR_EL1 0x%08llx)",
                 (unsigned long long)hvc.esr);
    else
        tap_diag("probe: HVC SMCCC_VERSION returned %d", (int)(int32_t)hvc.a0);
    tap_diag("running %s",
             bare_metal ? "without a hypervisor (bare QEMU)" : "under a hypervisor");
}

void guest_boot(uint64_t dtb)
{
    init_tls(0);
    guest_cpu_mpidr[0] = guest_read_mpidr();
    boot_fdt_addr = dtb;
    if (dtb != 0 && fdt_check_header((const void *)(uintptr_t)dtb) == 0)
        boot_fdt = (const void *)(uintptr_t)dtb;
    if (boot_fdt != NULL) {
        int uart = fdt_node_offset_by_compatible(boot_fdt, -1, "arm,pl011");
        uint64_t base;

        if (uart >= 0 && guest_fdt_reg(boot_fdt, uart, 0, &base, NULL))
            guest_uart_base = base;
    }
    tap_diag("guest image 0x%llx..0x%llx, DTB at 0x%llx%s, MPIDR 0x%llx",
             (unsigned long long)(uintptr_t)__guest_start,
             (unsigned long long)(uintptr_t)__guest_end, (unsigned long long)dtb,
             boot_fdt != NULL ? "" : " (no valid DTB)",
             (unsigned long long)guest_cpu_mpidr[0]);
    probe_hypervisor();
    guest_main();
    tap_done();
}

/* --- IRQ handler hook --------------------------------------------------------------- */

/* One hook for every CPU; read in the IRQ path, so written whole. */
static void (*volatile irq_handler)(uint32_t intid);

void guest_set_irq_handler(void (*fn)(uint32_t intid))
{
    irq_handler = fn;
    __asm__ volatile("dsb ish" ::: "memory");
}

static void irq_handler_run(uint32_t intid)
{
    void (*fn)(uint32_t intid) = irq_handler;

    if (fn != NULL)
        fn(intid);
}
