/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entry of a test guest: the arm64 Image header, the boot CPU's and the
 * secondaries' entry at EL1, an identity-mapped stage-1 MMU set-up, and the
 * EL1 exception vectors, which save the interrupted context and hand it to
 * guest_exception_entry() in C.
 *
 * Entered at EL1 with the MMU off, x0 = the DTB (boot CPU) or x0 = the
 * CPU_ON context id (secondaries).
 */

/* Per-CPU stack bytes; guest_stacks in runtime.c has the same size. */
#define STACK_SIZE   8192
#define MAX_CPUS     8

/* MAIR_EL1: attr0 Device-nGnRnE, attr1 Normal write-back RW-allocate. */
#define MAIR_VALUE   0xff00
/*
 * TCR_EL1: T0SZ = 31 (8 GiB: the identity-mapped low 4 GiB plus the EL0
 * window at 4 GiB; walks start at level 1), inner/outer write-back
 * cacheable, inner shareable walks, 4 KiB granule, EPD1 (no TTBR1 walks),
 * IPS = 32 bits.
 */
#define TCR_VALUE    ((31 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))
/* SCTLR_EL1: RES1 bits, M (MMU), C (data cache), I (instruction cache). */
#define SCTLR_VALUE  (0x30d00800 | (1 << 0) | (1 << 2) | (1 << 12))
/* CPACR_EL1.FPEN = 0b11: picolibc's string functions may use SIMD. */
#define CPACR_VALUE  (3 << 20)

/* Level-1 block descriptors (1 GiB). */
#define BLK_VALID    (1 << 0)
#define BLK_ATTR(i)  ((i) << 2)
#define BLK_SH_INNER (3 << 8)
#define BLK_AF       (1 << 10)
#define BLK_XN       ((1 << 53) | (1 << 54))
#define BLK_DEVICE(pa) ((pa) | BLK_VALID | BLK_ATTR(0) | BLK_AF | BLK_XN)
#define BLK_NORMAL(pa) ((pa) | BLK_VALID | BLK_ATTR(1) | BLK_SH_INNER | BLK_AF)
/* Table descriptor (levels 0..2). */
#define TABLE_DESC   3

/* SPSR for entering EL0 (EL0t, AArch64) with D, A, I and F masked. */
#define SPSR_EL0_MASKED 0x3c0
/* The SVC immediate and x8 of the EL0 exit trampoline (see runtime.c). */
#define EL0_EXIT_SVC    0xfff

.macro mov_imm reg, val
    movz    \reg, #((\val) & 0xffff)
    movk    \reg, #(((\val) >> 16) & 0xffff), lsl #16
.endm

.macro adr_l reg, sym
    adrp    \reg, \sym
    add     \reg, \reg, :lo12:\sym
.endm

/* SP = top of the stack of slot \slot. Clobbers x9, x10. */
.macro set_stack slot
    adr_l   x9, guest_stacks
    add     x10, \slot, #1
    add     x9, x9, x10, lsl #13     /* STACK_SIZE == 1 << 13 */
    mov     sp, x9
.endm

/* EL1 state every CPU needs before C. Clobbers x9. */
.macro el1_init
    msr     daifset, #0xf
    mov_imm x9, CPACR_VALUE
    msr     cpacr_el1, x9
    adr_l   x9, guest_vectors
    msr     vbar_el1, x9
    isb
.endm

/* Identity map through guest_pgtable, caches on. Clobbers x9. */
.macro mmu_on
    adr_l   x9, guest_pgtable
    msr     ttbr0_el1, x9
    mov_imm x9, MAIR_VALUE
    msr     mair_el1, x9
    mov_imm x9, TCR_VALUE
    msr     tcr_el1, x9
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mov_imm x9, SCTLR_VALUE
    msr     sctlr_el1, x9
    isb
    ic      iallu
    dsb     nsh
    isb
.endm

    .section .text.head, "ax"
    .globl _start
_start:
    b       primary_entry              /* code0 */
    .long   0                          /* code1 */
    .quad   GUEST_TEXT_OFFSET          /* text_offset (from guest.ld) */
    .quad   __guest_image_size         /* image_size, including BSS */
    .quad   (1 << 1)                   /* flags: LE, 4 KiB pages, 2 MiB base */
    .quad   0, 0, 0                    /* res2..res4 */
    .ascii  "ARM\x64"                  /* magic */
    .long   0                          /* res5 */

primary_entry:
    mov     x19, x0                    /* DTB */
    msr     daifset, #0xf
    /* Running where we were linked? adr is PC-relative, the literal is not. */
    adr     x1, _start
    ldr     x2, =_start
    cmp     x1, x2
    b.eq    1f
    /* No: only PC-relative code from here (no MMU, no absolute pointers). */
    adrp    x9, guest_stacks + STACK_SIZE
    add     x9, x9, :lo12:(guest_stacks + STACK_SIZE)
    mov     sp, x9
    mov     x0, x1
    mov     x1, x2
    bl      guest_bad_load             /* does not return */
1:
    el1_init
    /* Zero BSS (the MMU is still off). */
    adr_l   x9, __guest_bss_start
    adr_l   x10, __guest_bss_end
2:  cmp     x9, x10
    b.hs    3f
    stp     xzr, xzr, [x9], #16
    b       2b
3:
    mov     x20, #0
    set_stack x20
    msr     tpidr_el1, x20
    mmu_on
    mov     x0, x19
    bl      guest_boot                 /* does not return */
4:  wfi
    b       4b

/* CPU_ON entry point: x0 = context id. */
    .text
    .globl guest_secondary_entry
    .balign 8
guest_secondary_entry:
    mov     x19, x0
    el1_init
    /* Find this CPU's slot: guest_cpu_mpidr[slot] == MPIDR affinity. */
    mrs     x1, mpidr_el1
    ldr     x2, =0xff00ffffff          /* Aff3..Aff0 */
    and     x1, x1, x2
    adr_l   x3, guest_cpu_mpidr
    mov     x20, #1
1:  cmp     x20, #MAX_CPUS
    b.hs    9f
    ldr     x4, [x3, x20, lsl #3]
    cmp     x4, x1
    b.eq    2f
    add     x20, x20, #1
    b       1b
2:
    set_stack x20
    msr     tpidr_el1, x20
    mmu_on
    mov     x0, x19
    mov     x1, x20
    bl      guest_secondary_boot       /* does not return */
9:  /* Not a CPU we prepared: park. */
    wfe
    b       9b

/*
 * Exception vectors. Each entry saves x0/x1, puts its index (0..15) in x1 and
 * joins vector_common, which saves the rest, calls
 * guest_exception_entry(frame, index) and returns with ERET (using the
 * frame's ELR, which C may have moved past the faulting instruction).
 */
#define FRAME_SIZE 272   /* x0..x30, ELR, SPSR, padding */

.macro vector index
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\index
    b       vector_common
.endm

    .section .text.vectors, "ax"
    .balign 2048
    .globl guest_vectors
guest_vectors:
    vector 0
    vector 1
    vector 2
    vector 3
    vector 4
    vector 5
    vector 6
    vector 7
    vector 8
    vector 9
    vector 10
    vector 11
    vector 12
    vector 13
    vector 14
    vector 15

vector_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x30, x2, [sp, #240]
    str     x3, [sp, #256]
    mov     x0, sp
    bl      guest_exception_entry
    ldp     x30, x2, [sp, #240]
    ldr     x3, [sp, #256]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret

/*
 * uint64_t guest_el0_call(uint64_t entry, uint64_t arg, uint64_t sp, uint64_t lr)
 *
 * Runs entry(arg) at EL0 (DAIF masked) with SP_EL0 = sp and x30 = lr, the
 * EL0 address of guest_el0_exit. The runtime's SVC handler turns that exit
 * SVC into an exception return to guest_el0_return at EL1, with SP_EL1
 * where this function left it and x0 = entry's result.
 */
    .text
    .globl guest_el0_call
    .balign 4
guest_el0_call:
    stp     x29, x30, [sp, #-112]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mrs     x9, daif
    str     x9, [sp, #96]
    msr     daifset, #0xf
    msr     sp_el0, x2
    msr     elr_el1, x0
    mov     x9, #SPSR_EL0_MASKED
    msr     spsr_el1, x9
    mov     x0, x1
    mov     x30, x3
    mov     x29, #0
    eret

    .globl guest_el0_return
guest_el0_return:
    ldr     x9, [sp, #96]
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #112
    msr     daif, x9
    ret

/* Where an EL0 function returns to (through its EL0 alias): the exit SVC. */
    .globl guest_el0_exit
guest_el0_exit:
    mov     x8, #EL0_EXIT_SVC
    svc     #EL0_EXIT_SVC
1:  b       1b

/*
 * Identity map of the low 4 GiB in 1 GiB blocks: devices below RAM, RAM
 * (0x40000000..0x7fffffff) Normal cacheable, the rest Device. Above it, at
 * 4 GiB, the EL0 window: one level-2 entry, a level-3 table that runtime.c
 * fills with EL0 aliases of the guest image and of an EL0 stack.
 */
    .section .data.pgtable, "aw"
    .balign 4096
    .globl guest_pgtable
guest_pgtable:
    .quad   BLK_DEVICE(0x00000000)
    .quad   BLK_NORMAL(0x40000000)
    .quad   BLK_DEVICE(0x80000000)
    .quad   BLK_DEVICE(0xc0000000)
    .quad   guest_el0_l2 + TABLE_DESC
    .fill   507, 8, 0
    .balign 4096
guest_el0_l2:
    .quad   guest_el0_l3 + TABLE_DESC
    .fill   511, 8, 0

    .section .bss.guest_el0_l3, "aw", %nobits
    .balign 4096
    .globl guest_el0_l3
guest_el0_l3:
    .space  4096

    .section .bss.guest_stacks, "aw", %nobits
    .balign 16
    .globl guest_stacks
guest_stacks:
    .space  STACK_SIZE * MAX_CPUS
