/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test guest for the partitioner's child VMs (docs/bindings/child-vms.md),
 * run as the VM "parent" of examples/partitioner/configs/qemu-virt-child.dts
 * (64 MiB, "create-vms" with at most 2 children in 4 MiB). It makes every
 * call with good and hostile arguments and checks each status, then attacks:
 * it reads memory it donated (an external abort), lets a child read the
 * parent's memory (the child dies), invokes a dead child, destroys and
 * checks the memory comes back zeroed; a child makes a grandchild of its
 * own, invokes and destroys it; its second vCPU tries to destroy and
 * invoke a child while the first runs it (busy). With "role=other" on its
 * command line it is instead a second VM that creates a child of its own
 * and tries every call on the first VM's children (none exists for it);
 * that VM has a `public-key` (RFC 8032 TEST 2's), so its child's image must
 * end with a signature of the launch measurement: it tries without one and
 * with a flipped bit (refused, -9), then signs with the key's secret here.
 * Prints TAP.
 *
 * The child's image is child_code below: position-independent code that,
 * at each invocation, does what x1 says with x2 and x3, and answers with
 * CHILD_RETURN (or CHILD_YIELD), its results in x1..x3.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <hyp/childvm.h>
#include <hyp/ed25519.h>
#include "lib/guest.h"

#define MiB      (1ull << 20)
/* The parent's RAM starts at 0x40000000; its image, stack and DTB lie in
 * the first few MiB. These lie well above. */
#define RAM      0x40000000ull
#define CFG      (RAM + 32 * MiB)
#define IMG      (RAM + 33 * MiB)
#define MEM1     (RAM + 40 * MiB)
#define MEM2     (RAM + 42 * MiB)
#define SHARED   (RAM + 48 * MiB)
#define CHILD_SH 0x10000000ull /* where the child sees the shared page */

/* The child: x1 = command, x2, x3 = its operands. */
__asm__(".pushsection .rodata.child, \"a\"\n"
        ".balign 4\n"
        ".global child_code\n"
        "child_code:\n"
        "1:  cmp x1, #1\n"
        "    b.eq 2f\n"
        "    cmp x1, #2\n"
        "    b.eq 3f\n"
        "    cmp x1, #5\n"
        "    b.eq 4f\n"
        "    cmp x1, #6\n"
        "    b.eq 5f\n"
        "    cmp x1, #4\n"
        "    b.eq 6f\n"
        "    cmp x1, #7\n"
        "    b.eq 7f\n"
        "    cmp x1, #8\n"
        "    b.eq 12f\n"
        "    mov x1, #0xbad\n"
        "    b 9f\n"
        "2:  add x1, x2, #1\n" /* 1: x2 + 1 */
        "    mov x2, x3\n"
        "    mov x3, #0x77\n"
        "    b 9f\n"
        "3:  mov x1, #0x1e1d\n" /* 2: yield */
        "    movz x0, #0x0027\n"
        "    movk x0, #0xc600, lsl #16\n"
        "    hvc #0\n"
        "    b 1b\n"
        "4:  str x3, [x2]\n" /* 5: write x3 at x2 */
        "    mov x1, x3\n"
        "    b 9f\n"
        "5:  ldr x1, [x2]\n" /* 6: read at x2 */
        "    b 9f\n"
        "6:  b 6b\n"       /* 4: spin */
        "7:  adr x4, 8f\n" /* 7: a line on its console */
        "    mov x5, #0x9000000\n"
        "10: ldrb w6, [x4], #1\n"
        "    cbz w6, 11f\n"
        "    str w6, [x5]\n"
        "    b 10b\n"
        "12: mov x1, x2\n" /* 8: a grandchild from the config at x2 (x3 bytes) */
        "    mov x2, x3\n"
        "    movz x3, #0x4000, lsl #16\n" /* its image: this code */
        "    mov x4, #0x400\n"
        "    movz x5, #0x4008, lsl #16\n" /* 256 KiB of this child's memory */
        "    movz x6, #0x4, lsl #16\n"
        "    movz x0, #0x0021\n"
        "    movk x0, #0xc600, lsl #16\n"
        "    hvc #0\n"
        "    cbnz x0, 13f\n"
        "    mov x7, x1\n"
        "    movz x0, #0x0022\n" /* invoke it: 99 + 1 */
        "    movk x0, #0xc600, lsl #16\n"
        "    mov x2, #1\n"
        "    mov x3, #99\n"
        "    hvc #0\n"
        "    mov x8, x2\n"
        "    movz x0, #0x0023\n" /* destroy it */
        "    movk x0, #0xc600, lsl #16\n"
        "    mov x1, x7\n"
        "    hvc #0\n"
        "    mov x1, x8\n"
        "    mov x2, x0\n"
        "    b 9f\n"
        "13: mov x2, x0\n"
        "    mov x1, #0\n"
        "    b 9f\n"
        "11: mov x1, #0\n"
        "9:  movz x0, #0x0026\n" /* CHILD_RETURN */
        "    movk x0, #0xc600, lsl #16\n"
        "    hvc #0\n"
        "    b 1b\n"
        "8:  .asciz \"hello from a child VM\\n\"\n"
        "    .balign 4\n"
        ".global child_code_end\n"
        "child_code_end:\n"
        ".popsection\n");
extern const uint8_t child_code[], child_code_end[];

struct res {
    int64_t x[5];
};

static struct res hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                      uint64_t a5, uint64_t a6)
{
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    register uint64_t x4 __asm__("x4") = a4;
    register uint64_t x5 __asm__("x5") = a5;
    register uint64_t x6 __asm__("x6") = a6;
    struct res r;

    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5),
                       "+r"(x6)
                     :
                     : "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
                       "x17", "memory");
    r.x[0] = (int64_t)x0;
    r.x[1] = (int64_t)x1;
    r.x[2] = (int64_t)x2;
    r.x[3] = (int64_t)x3;
    r.x[4] = (int64_t)x4;
    return r;
}

/* A child configuration at CFG; returns its size. */
static uint64_t config_caps(const char *label, uint64_t memory, bool creator)
{
    void *fdt = (void *)(uintptr_t)CFG;
    int vm;

    if (fdt_create_empty_tree(fdt, 4096) != 0 ||
        (vm = fdt_add_subnode(fdt, 0, "vm")) < 0 ||
        fdt_setprop_string(fdt, vm, "compatible", "libhyp,vm") != 0 ||
        fdt_setprop_string(fdt, vm, "label", label) != 0 ||
        fdt_setprop_u64(fdt, vm, "memory", memory) != 0 ||
        fdt_setprop_empty(fdt, vm, "vpl011") != 0)
        tap_bail("cannot write a child configuration");
    if (creator && (fdt_setprop_string(fdt, vm, "capabilities", "create-vms") != 0 ||
                    fdt_setprop_u32(fdt, vm, "max-child-vms", 1) != 0 ||
                    fdt_setprop_u64(fdt, vm, "max-child-memory", 256 * 1024) != 0))
        tap_bail("cannot write a child configuration");
    if (fdt_pack(fdt) != 0)
        tap_bail("cannot write a child configuration");
    return fdt_totalsize(fdt);
}

static uint64_t config(const char *label, uint64_t memory)
{
    return config_caps(label, memory, false);
}

static uint64_t image_size(void)
{
    return (uint64_t)(child_code_end - child_code);
}

static int64_t create(uint64_t cfg_size, uint64_t img, uint64_t img_size, uint64_t mem,
                      uint64_t mem_size, uint64_t *handle)
{
    struct res r =
        hvc(HYP_CHILDVM_FID_CREATE, CFG, cfg_size, img, img_size, mem, mem_size);

    if (handle != NULL)
        *handle = (uint64_t)r.x[1];
    return r.x[0];
}

static void expect(int64_t got, int64_t want, const char *what)
{
    tap_ok(got == want, "%s: %lld (want %lld)", what, (long long)got, (long long)want);
}

static void test_errors(uint64_t n)
{
    uint64_t img = image_size();

    expect(hvc(HYP_CHILDVM_FID_QUERY, 16, 0, 0, 0, 0, 0).x[0], HYP_CHILDVM_NO_CHILD,
           "query of no child");
    expect(hvc(HYP_CHILDVM_FID_INVOKE, 16, 0, 0, 0, 0, 0).x[0], HYP_CHILDVM_NO_CHILD,
           "invoke of no child");
    expect(hvc(HYP_CHILDVM_FID_DESTROY, 3, 0, 0, 0, 0, 0).x[0], HYP_CHILDVM_NO_CHILD,
           "destroy of a static VM's number");
    expect(create(0, IMG, img, MEM1, MiB, NULL), HYP_CHILDVM_INVALID,
           "create: empty config");
    expect(create(n, IMG, 0, MEM1, MiB, NULL), HYP_CHILDVM_INVALID,
           "create: empty image");
    expect(create(n, IMG, img, MEM1 + 0x800, MiB, NULL), HYP_CHILDVM_INVALID,
           "create: unaligned memory");
    expect(create(n, IMG, img, 0x09000000, MiB, NULL), HYP_CHILDVM_INVALID,
           "create: device memory");
    expect(create(n, IMG, img, RAM + 64 * MiB - MiB / 2, MiB, NULL), HYP_CHILDVM_INVALID,
           "create: memory past the VM's RAM");
    expect(create(n, MEM1 + 4096, img, MEM1, MiB, NULL), HYP_CHILDVM_INVALID,
           "create: image inside the memory given");
    expect(create(n, IMG, img, MEM1, 2 * MiB, NULL), HYP_CHILDVM_INVALID,
           "create: config's memory is not the memory given");
    expect(create(n, IMG, MiB, MEM1, MiB, NULL), HYP_CHILDVM_BAD_IMAGE,
           "create: image larger than the memory");
    expect(create(64, IMG, img, MEM1, MiB, NULL), HYP_CHILDVM_BAD_CONFIG,
           "create: truncated config");
    expect(create(n, IMG, img, IMG, 4096, NULL), HYP_CHILDVM_INVALID,
           "create: image in the memory");
    memset((void *)(uintptr_t)(CFG + 4096), 0x5a, 256);
    *(volatile uint64_t *)(uintptr_t)CFG ^= 1; /* the magic */
    expect(create(n, IMG, img, MEM1, MiB, NULL), HYP_CHILDVM_BAD_CONFIG,
           "create: not a DTB");
    n = config("big", 8 * MiB);
    expect(create(n, IMG, img, MEM1, 8 * MiB, NULL), HYP_CHILDVM_NO_MEMORY,
           "create: more than max-child-memory");
}

/* The parent's second vCPU, while the first runs a child that spins. */
static struct {
    volatile uint64_t handle;         /* the child to attack, 0 before */
    volatile bool done;               /* the second vCPU has reported */
    volatile int64_t destroy, invoke; /* what it got while the child ran */
} race;

static bool running(void *arg)
{
    (void)arg;
    return hvc(HYP_CHILDVM_FID_QUERY, race.handle, 0, 0, 0, 0, 0).x[1] == 3;
}

static void second_vcpu(uint64_t context)
{
    (void)context;
    while (race.handle == 0)
        __asm__ volatile("yield" ::: "memory");
    if (guest_wait(running, NULL, 3000000)) {
        race.destroy = hvc(HYP_CHILDVM_FID_DESTROY, race.handle, 0, 0, 0, 0, 0).x[0];
        race.invoke = hvc(HYP_CHILDVM_FID_INVOKE, race.handle, 1, 0, 0, 0, 0).x[0];
    }
    race.done = true;
    for (;;)
        __asm__ volatile("wfi" ::: "memory");
}

static bool race_done(void *arg)
{
    (void)arg;
    return race.done;
}

/* Destroy and invoke from another CPU while the child runs: busy. */
static void test_race(uint64_t h)
{
    struct res r;

    race.destroy = race.invoke = 1;
    guest_cpu_prepare(1, 1, second_vcpu);
    r = hvc(0xC4000003u, 1, guest_secondary_entry_pa(), 0, 0, 0, 0); /* CPU_ON */
    if (r.x[0] != 0) {
        tap_skip("no second vCPU", "destroy and invoke of a running child are busy");
        return;
    }
    race.handle = h;
    r = hvc(HYP_CHILDVM_FID_INVOKE, h, 4, 0, 0, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == HYP_CHILDVM_FAULTED,
           "child-c spinning past its budget is stopped");
    tap_ok(guest_wait(race_done, NULL, 3000000) && race.destroy == HYP_CHILDVM_BUSY &&
               race.invoke == HYP_CHILDVM_BUSY,
           "from the other vCPU meanwhile: destroy %lld, invoke %lld (want -7, -7)",
           (long long)race.destroy, (long long)race.invoke);
}

/* A child creates, invokes and destroys a grandchild of its own: the image
 * carries the grandchild's configuration at 0x1000. */
static void test_nested(void)
{
    uint64_t g = config("grandchild", 256 * 1024), n, h = 0;
    struct res r;

    memcpy((void *)(uintptr_t)(IMG + 0x1000), (const void *)(uintptr_t)CFG, g);
    n = config_caps("child-n", MiB, true);
    expect(create(n, IMG, 0x1000 + g, MEM1, MiB, &h), 0,
           "create a child that may create");
    r = hvc(HYP_CHILDVM_FID_INVOKE, h, 8, RAM + 0x1000, g, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == HYP_CHILDVM_RETURNED && r.x[2] == 100 && r.x[3] == 0,
           "it created, invoked (99 + 1 = %lld) and destroyed (%lld) a grandchild",
           (long long)r.x[2], (long long)r.x[3]);
    expect(hvc(HYP_CHILDVM_FID_QUERY, h, 0, 0, 0, 0, 0).x[3], 0,
           "query: no grandchild left");
    expect(hvc(HYP_CHILDVM_FID_DESTROY, h, 0, 0, 0, 0, 0).x[0], 0, "destroy it");
    memcpy((void *)(uintptr_t)IMG, child_code, image_size());
}

static void test_child(void)
{
    uint64_t n = config("child-a", MiB), h = 0, h2 = 0;
    volatile uint64_t *donated = (volatile uint64_t *)(uintptr_t)(MEM1 + 8192);
    volatile uint64_t *shared = (volatile uint64_t *)(uintptr_t)SHARED;
    struct guest_exception e;
    struct res r, m1, m2;
    bool took;

    memcpy((void *)(uintptr_t)IMG, child_code, image_size());
    *donated = 0x1111;
    expect(create(n, IMG, image_size(), MEM1, MiB, &h), 0, "create a child of 1 MiB");
    tap_ok(h >= 16, "its handle is %llu", (unsigned long long)h);
    r = hvc(HYP_CHILDVM_FID_QUERY, h, 0, 0, 0, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == 1 && r.x[2] == (int64_t)MiB && r.x[3] == 0,
           "query: created, 1 MiB, no children (%lld %lld %lld %lld)", (long long)r.x[0],
           (long long)r.x[1], (long long)r.x[2], (long long)r.x[3]);
    m1 = hvc(HYP_CHILDVM_FID_MEASURE, h, 0, 0, 0, 0, 0);
    tap_ok(m1.x[0] == 0 && (m1.x[1] | m1.x[2] | m1.x[3] | m1.x[4]) != 0,
           "measure: %016llx%016llx%016llx%016llx", (unsigned long long)m1.x[1],
           (unsigned long long)m1.x[2], (unsigned long long)m1.x[3],
           (unsigned long long)m1.x[4]);
    expect(create(n, IMG, image_size(), MEM1 + MiB / 2, MiB, NULL), HYP_CHILDVM_BUSY,
           "create: memory overlapping a child's");
    expect(create(n, IMG, image_size(), MEM2, MiB, &h2), 0, "a second, identical child");
    m2 = hvc(HYP_CHILDVM_FID_MEASURE, h2, 0, 0, 0, 0, 0);
    tap_ok(memcmp(&m1.x[1], &m2.x[1], 32) == 0,
           "same image and config, same measurement");
    expect(create(n, IMG, image_size(), MEM2 + 2 * MiB, MiB, NULL), HYP_CHILDVM_NO_MEMORY,
           "create: a third child (max-child-vms is 2)");
    expect(hvc(HYP_CHILDVM_FID_DESTROY, h2, 0, 0, 0, 0, 0).x[0], 0, "destroy the second");

    /* The donated memory is gone from the parent. */
    guest_expect_exception();
    (void)*donated;
    took = guest_took_exception(&e);
    tap_ok(took && ((e.esr >> 26) & 0x3f) == 0x25,
           "reading donated memory aborts (ESR_EL1 %#llx)", (unsigned long long)e.esr);

    /* Calls into the child, through a shared page too. */
    expect(hvc(HYP_CHILDVM_FID_SHARE, h, SHARED, 4096, RAM + 8192, 1, 0).x[0],
           HYP_CHILDVM_INVALID, "share at an address inside the child's memory");
    expect(hvc(HYP_CHILDVM_FID_SHARE, h, MEM1, 4096, CHILD_SH, 1, 0).x[0],
           HYP_CHILDVM_BUSY, "share of donated memory");
    expect(hvc(HYP_CHILDVM_FID_SHARE, h, SHARED, 4096, CHILD_SH, 1, 0).x[0], 0,
           "share a page");
    *shared = 0;
    r = hvc(HYP_CHILDVM_FID_INVOKE, h, 5, CHILD_SH, 0xc0ffee, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == HYP_CHILDVM_RETURNED && r.x[2] == 0xc0ffee &&
               *shared == 0xc0ffee,
           "the child wrote %#llx into the shared page (status %lld, reason %lld)",
           (unsigned long long)*shared, (long long)r.x[0], (long long)r.x[1]);
    expect(hvc(HYP_CHILDVM_FID_UNSHARE, h, SHARED, 4096, 0, 0, 0).x[0], 0, "unshare it");
    r = hvc(HYP_CHILDVM_FID_INVOKE, h, 7, 0, 0, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == HYP_CHILDVM_RETURNED,
           "the child prints a line on its console");
    r = hvc(HYP_CHILDVM_FID_INVOKE, h, 1, 41, 7, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == HYP_CHILDVM_RETURNED && r.x[2] == 42 && r.x[3] == 7 &&
               r.x[4] == 0x77,
           "invoke: returned 42, 7, 0x77 (%lld %lld %lld %lld %lld)", (long long)r.x[0],
           (long long)r.x[1], (long long)r.x[2], (long long)r.x[3], (long long)r.x[4]);
    r = hvc(HYP_CHILDVM_FID_QUERY, h, 0, 0, 0, 0, 0);
    expect(r.x[1], 2, "query: ready");
    r = hvc(HYP_CHILDVM_FID_INVOKE, h, 2, 0, 0, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == HYP_CHILDVM_YIELDED && r.x[2] == 0x1e1d,
           "invoke: yielded");
    /* What was shared is no longer there; the parent's memory never was. */
    r = hvc(HYP_CHILDVM_FID_INVOKE, h, 6, CHILD_SH, 0, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == HYP_CHILDVM_FAULTED,
           "the child reading the unshared page dies (reason %lld)", (long long)r.x[1]);
    expect(hvc(HYP_CHILDVM_FID_INVOKE, h, 1, 0, 0, 0, 0).x[0], HYP_CHILDVM_DENIED,
           "a dead child cannot be invoked");
    expect(hvc(HYP_CHILDVM_FID_QUERY, h, 0, 0, 0, 0, 0).x[1], 5, "query: faulted");
    expect(hvc(HYP_CHILDVM_FID_DESTROY, h, 0, 0, 0, 0, 0).x[0], 0, "destroy it");
    guest_expect_exception();
    took = *donated != 0;
    took = guest_took_exception(NULL) || took;
    tap_ok(!took, "its memory is back, zeroed");
    expect(hvc(HYP_CHILDVM_FID_QUERY, h, 0, 0, 0, 0, 0).x[0], HYP_CHILDVM_NO_CHILD,
           "query after destroy");

    test_nested();

    /* A child that reads its parent's memory dies; one that spins, too. */
    n = config("child-b", MiB);
    expect(create(n, IMG, image_size(), MEM1, MiB, &h), 0, "create child-b");
    r = hvc(HYP_CHILDVM_FID_INVOKE, h, 6, RAM + 32 * MiB, 0, 0, 0);
    tap_ok(r.x[0] == 0 && r.x[1] == HYP_CHILDVM_FAULTED,
           "child-b reading the parent's memory dies");
    expect(hvc(HYP_CHILDVM_FID_DESTROY, h, 0, 0, 0, 0, 0).x[0], 0, "destroy child-b");
    expect(create(n, IMG, image_size(), MEM1, MiB, &h), 0, "create child-c");
    test_race(h);
    expect(hvc(HYP_CHILDVM_FID_DESTROY, h, 0, 0, 0, 0, 0).x[0], 0, "destroy child-c");
}

/* "role=other": a second VM that may create VMs too tries the first one's
 * children (handles 16 and up, but its own) for as long as the first runs
 * its tests; every call must fail as if they did not exist. */
static void other_vm(void)
{
    /* The secret key of RFC 8032's TEST 2; its public key is in the
     * configuration (qemu-virt-child.dts). */
    static const uint8_t secret[HYP_ED25519_SECRET_KEY_SIZE] = {
        0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3,
        0x46, 0xec, 0x11, 0x4e, 0x0f, 0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab,
        0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};
    uint64_t n = config("mine", MiB), mine = 0, tries = 0, leaks = 0, end, regs[4];
    uint64_t body = image_size(), t0;
    int64_t rc;
    uint8_t *sig = (uint8_t *)(uintptr_t)(IMG + body), digest[HYP_SHA256_SIZE];
    struct res m;

    memcpy((void *)(uintptr_t)IMG, child_code, body);
    memset(sig, 0, HYP_CHILDVM_SIG_SIZE);
    expect(create(n, IMG, body, MEM1, MiB, &mine), HYP_CHILDVM_BAD_SIGNATURE,
           "create with an unsigned image (this VM has a public key)");
    expect(create(n, IMG, body + HYP_CHILDVM_SIG_SIZE, MEM1, MiB, &mine),
           HYP_CHILDVM_BAD_SIGNATURE, "create with a zero signature");
    hyp_childvm_measure((const void *)(uintptr_t)CFG, n, child_code, body, digest);
    hyp_ed25519_sign(sig, digest, sizeof(digest), secret);
    sig[17] ^= 4;
    expect(create(n, IMG, body + HYP_CHILDVM_SIG_SIZE, MEM1, MiB, &mine),
           HYP_CHILDVM_BAD_SIGNATURE, "create with one bit of the signature flipped");
    sig[17] ^= 4;
    t0 = guest_now_us();
    rc = create(n, IMG, body + HYP_CHILDVM_SIG_SIZE, MEM1, MiB, &mine);
    printf("# signed create (1 MiB, with the Ed25519 check at EL2): %llu us\n",
           (unsigned long long)(guest_now_us() - t0));
    expect(rc, 0, "create my own child (signed image)");
    m = hvc(HYP_CHILDVM_FID_MEASURE, mine, 0, 0, 0, 0, 0);
    hyp_childvm_digest_regs(digest, regs);
    tap_ok(m.x[0] == 0 && memcmp(&m.x[1], regs, sizeof(regs)) == 0,
           "its measurement is what was signed (the image without its signature)");
    end = guest_now_us() + 3000000;
    while (guest_now_us() < end) {
        for (uint64_t h = 16; h < 24; h++) {
            if (h == mine)
                continue;
            leaks +=
                hvc(HYP_CHILDVM_FID_QUERY, h, 0, 0, 0, 0, 0).x[0] != HYP_CHILDVM_NO_CHILD;
            leaks += hvc(HYP_CHILDVM_FID_MEASURE, h, 0, 0, 0, 0, 0).x[0] !=
                     HYP_CHILDVM_NO_CHILD;
            leaks += hvc(HYP_CHILDVM_FID_INVOKE, h, 1, 0, 0, 0, 0).x[0] !=
                     HYP_CHILDVM_NO_CHILD;
            leaks += hvc(HYP_CHILDVM_FID_SHARE, h, SHARED, 4096, CHILD_SH, 1, 0).x[0] !=
                     HYP_CHILDVM_NO_CHILD;
            leaks += hvc(HYP_CHILDVM_FID_DESTROY, h, 0, 0, 0, 0, 0).x[0] !=
                     HYP_CHILDVM_NO_CHILD;
            tries += 5;
        }
    }
    tap_ok(leaks == 0,
           "%llu calls on the other VM's handles: %llu did not get NO_CHILD",
           (unsigned long long)tries, (unsigned long long)leaks);
    expect(hvc(HYP_CHILDVM_FID_INVOKE, mine, 1, 1, 0, 0, 0).x[2], 2,
           "my own child still answers");
    expect(hvc(HYP_CHILDVM_FID_DESTROY, mine, 0, 0, 0, 0, 0).x[0], 0,
           "destroy my own child");
    tap_done();
}

/* Counter ticks to nanoseconds. */
static uint64_t ns(uint64_t ticks)
{
    return ticks * 1000000000ull / sysreg_read(cntfrq_el0);
}

static uint64_t now(void)
{
    __asm__ volatile("isb" ::: "memory");
    return sysreg_read(cntvct_el0);
}

/* "role=bench" (bench/child-vms.py, bench/configs/partitioner-child.dts):
 * the time to create, first invoke and destroy a child of 1 MiB and of
 * 64 MiB, and an invoke/return round trip against null hypercalls.
 * Figures only: nothing is judged but the calls' success. */
static void bench(void)
{
    static const uint64_t sizes[2] = {MiB, 64 * MiB};
    const uint64_t big = RAM + 128 * MiB;
    enum { ROUNDS = 5, CALLS = 1000 };

    memcpy((void *)(uintptr_t)IMG, child_code, image_size());
    for (unsigned k = 0; k < 2; k++) {
        uint64_t t[3] = {0, 0, 0}, h = 0, n = config("bench", sizes[k]);
        bool ok = true;

        for (unsigned i = 0; i < ROUNDS; i++) {
            uint64_t t0 = now(), t1, t2, t3;

            ok = ok && create(n, IMG, image_size(), big, sizes[k], &h) == 0;
            t1 = now();
            ok = ok && hvc(HYP_CHILDVM_FID_INVOKE, h, 1, 1, 0, 0, 0).x[1] ==
                           HYP_CHILDVM_RETURNED;
            t2 = now();
            ok = ok && hvc(HYP_CHILDVM_FID_DESTROY, h, 0, 0, 0, 0, 0).x[0] == 0;
            t3 = now();
            t[0] += t1 - t0;
            t[1] += t2 - t1;
            t[2] += t3 - t2;
        }
        tap_ok(ok, "%llu MiB child: %u creations, first invocations, destructions",
               (unsigned long long)(sizes[k] >> 20), ROUNDS);
        printf("# bench child-%lluM create=%llu first-invoke=%llu destroy=%llu ns "
               "(mean of %u)\n",
               (unsigned long long)(sizes[k] >> 20),
               (unsigned long long)ns(t[0] / ROUNDS),
               (unsigned long long)ns(t[1] / ROUNDS),
               (unsigned long long)ns(t[2] / ROUNDS), ROUNDS);
    }
    {
        uint64_t n = config("bench", MiB), h = 0, t0, t1, t2, t3;
        bool ok = create(n, IMG, image_size(), big, MiB, &h) == 0;

        ok = ok &&
             hvc(HYP_CHILDVM_FID_INVOKE, h, 1, 1, 0, 0, 0).x[1] == HYP_CHILDVM_RETURNED;
        t0 = now();
        for (unsigned i = 0; ok && i < CALLS; i++)
            ok = hvc(HYP_CHILDVM_FID_INVOKE, h, 1, i, 0, 0, 0).x[2] == (int64_t)i + 1;
        t1 = now();
        for (unsigned i = 0; i < CALLS; i++)
            (void)hvc(0x80000000u, 0, 0, 0, 0, 0, 0); /* SMCCC_VERSION */
        t2 = now();
        for (unsigned i = 0; i < CALLS; i++)
            (void)hvc(HYP_CHILDVM_FID_VERSION, 0, 0, 0, 0, 0, 0);
        t3 = now();
        ok = ok && hvc(HYP_CHILDVM_FID_DESTROY, h, 0, 0, 0, 0, 0).x[0] == 0;
        tap_ok(ok, "%u invocations of a ready child", CALLS);
        printf("# bench child-roundtrip invoke=%llu smccc-version=%llu "
               "child-version=%llu ns "
               "(mean of %u)\n",
               (unsigned long long)ns((t1 - t0) / CALLS),
               (unsigned long long)ns((t2 - t1) / CALLS),
               (unsigned long long)ns((t3 - t2) / CALLS), CALLS);
    }
    tap_done();
}

void guest_main(void)
{
    uint64_t fdt = guest_fdt_addr();
    const void *tree = guest_fdt();
    int chosen = tree ? fdt_path_offset(tree, "/chosen") : -1;
    const char *args = chosen >= 0 ? fdt_getprop(tree, chosen, "bootargs", NULL) : NULL;
    uint64_t n;

    if (args != NULL && strstr(args, "role=other") != NULL)
        other_vm();
    if (args != NULL && strstr(args, "role=bench") != NULL)
        bench();
    if (fdt >= CFG && fdt < SHARED + 4096)
        tap_bail("the DTB lies where the test keeps its buffers");
    expect(hvc(HYP_CHILDVM_FID_VERSION, 0, 0, 0, 0, 0, 0).x[0], 0x10000, "version 1.0");
    expect(hvc(0xC600002A, 0, 0, 0, 0, 0, 0).x[0], HYP_CHILDVM_NOT_SUPPORTED,
           "reserved ID");
    memcpy((void *)(uintptr_t)IMG, child_code, image_size());
    n = config("child-a", MiB);
    test_errors(n);
    test_child();
    tap_done();
}
