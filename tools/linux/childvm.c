/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * childvm: create, invoke and destroy a child VM from Linux userspace, with
 * no kernel change (docs/bindings/child-vms.md, "From Linux userspace").
 *
 *   childvm [-a] CONFIG.dtb IMAGE
 *
 * The VM this runs in needs a hypercall page and a child-VM pool
 * (`hypercall-page`, `child-vm-pool`: docs/bindings/partitioner.md). Its
 * device tree names both: /hypercall@<addr> (compatible
 * "libhyp,hypercall-page") and /reserved-memory/child-vm-pool@<addr>
 * (compatible "libhyp,child-vm-pool", no-map: Linux does not use that RAM
 * and it is not System RAM, so /dev/mem maps it under STRICT_DEVMEM, as it
 * maps the page). The program puts the configuration, the image and a page
 * to share into the pool, and makes the child-VM calls through slot 0 of
 * the page: CHILD_CREATE with memory from the top of the pool,
 * CHILD_SHARE of that page, CHILD_INVOKE (again while the reason is
 * INTERRUPTED), prints what the child wrote into the shared page, its
 * state and its measurement, then CHILD_DESTROY; it checks that the memory
 * came back zeroed and can be given to a second child. With -a it also
 * attacks: it reads donated memory in a forked process (which must die of
 * SIGBUS), and invokes and destroys a handle that is not its child.
 *
 * /dev/mem maps these pages as Device memory: every access here is an
 * aligned 64-bit load or store (no memcpy). Built static by
 * scripts/mkinitramfs; its lines start with "childvm: ".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hyp/abi/childvm.h> /* only the ABI's numbers: */
#include <hyp/abi/hcpage.h>  /* scripts/mkinitramfs passes -I include */

#define PAGE         4096ull
#define CHILD_SHARED 0x10000000ull /* where the child sees the shared page */

static volatile uint64_t *page; /* the hypercall page */
static volatile uint64_t *pool; /* the child-VM pool */
static uint64_t pool_pa, pool_size;
static int failures;

static void fail(const char *fmt, const char *what, long long v)
{
    printf("childvm: FAILED: ");
    printf(fmt, what, v);
    printf("\n");
    failures++;
}

/* One call through slot 0: x0 = fid, x1.. = args; res[0..4] = x0..x4. */
static void call(uint32_t fid, const uint64_t *args, unsigned nargs, int64_t res[5])
{
    volatile uint64_t *s = page + HYP_HCPAGE_SLOT(0) / 8;

    s[HYP_HCPAGE_FID / 8] = fid;
    for (unsigned i = 1; i <= 7; i++)
        s[HYP_HCPAGE_ARG(i) / 8] = i <= nargs ? args[i - 1] : 0;
    s[HYP_HCPAGE_CALL / 8] = 1;
    for (unsigned i = 0; i < 5; i++)
        res[i] = (int64_t)s[HYP_HCPAGE_RES(i) / 8];
}

/* A whole file, read into memory. */
static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
        fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 8)) == NULL ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        printf("childvm: cannot read %s: %s\n", path, strerror(errno));
        exit(2);
    }
    fclose(f);
    memset(buf + n, 0, 8);
    *size = (size_t)n;
    return buf;
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The child configuration's `memory` (its root's only node, a 64-bit size). */
static uint64_t config_memory(const uint8_t *dtb, size_t size)
{
    uint32_t off, strings, end;
    int depth = 0;

    if (size < 40 || be32(dtb) != 0xd00dfeed || be32(dtb + 4) > size)
        return 0;
    off = be32(dtb + 8);
    strings = be32(dtb + 12);
    end = off + be32(dtb + 36);
    while (off + 4 <= end && end <= size) {
        uint32_t token = be32(dtb + off);

        off += 4;
        if (token == 1) { /* FDT_BEGIN_NODE: a name, padded */
            depth++;
            off += (uint32_t)strlen((const char *)dtb + off) + 1;
            off = (off + 3) & ~3u;
        } else if (token == 2) {
            depth--;
        } else if (token == 3) { /* FDT_PROP: length, name offset, value */
            uint32_t len = be32(dtb + off), name = be32(dtb + off + 4);

            if (depth == 2 && len == 8 && strings + name < size &&
                strcmp((const char *)dtb + strings + name, "memory") == 0)
                return be64(dtb + off + 8);
            off += 8 + ((len + 3) & ~3u);
        } else if (token != 4) {
            break;
        }
    }
    return 0;
}

/* `reg` (one 64-bit address and size) of the first node in @dir whose name
 * starts with @prefix; false if none. */
static int find_node(const char *dir, const char *prefix, uint64_t *addr, uint64_t *size)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;

    while (d != NULL && !found && (e = readdir(d)) != NULL) {
        char path[512];
        uint8_t reg[16];
        FILE *f;

        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s/reg", dir, e->d_name);
        if ((f = fopen(path, "rb")) == NULL)
            continue;
        if (fread(reg, 1, sizeof(reg), f) == sizeof(reg)) {
            *addr = be64(reg);
            *size = be64(reg + 8);
            found = 1;
        }
        fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return found;
}

static volatile uint64_t *map(int fd, uint64_t pa, uint64_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)pa);

    if (p == MAP_FAILED) {
        printf("childvm: cannot map 0x%llx+0x%llx from /dev/mem: %s\n",
               (unsigned long long)pa, (unsigned long long)size, strerror(errno));
        exit(2);
    }
    return p;
}

/* Copy @size bytes to the pool at @off, by aligned 64-bit stores. */
static void put(uint64_t off, const uint8_t *src, size_t size)
{
    for (size_t i = 0; i < size; i += 8) {
        uint64_t w;

        memcpy(&w, src + i, 8); /* src has 8 readable bytes past its end */
        pool[(off + i) / 8] = w;
    }
}

/* Words of the pool at [off, off + size) that are not zero. */
static uint64_t nonzero(uint64_t off, uint64_t size)
{
    uint64_t n = 0;

    for (uint64_t i = 0; i < size; i += 8)
        n += pool[(off + i) / 8] != 0;
    return n;
}

static int create(uint64_t cfg_pa, size_t cfg_size, uint64_t img_pa, size_t img_size,
                  uint64_t mem_pa, uint64_t mem_size, int64_t res[5])
{
    uint64_t args[6] = {cfg_pa, cfg_size, img_pa, img_size, mem_pa, mem_size};

    call(HYP_CHILDVM_FID_CREATE, args, 6, res);
    return (int)res[0];
}

int main(int argc, char **argv)
{
    int attack = argc > 1 && strcmp(argv[1], "-a") == 0;
    uint64_t page_pa, page_size, cfg_off = 0, img_off, sh_off, mem_off, mem_size;
    uint64_t args[4];
    int64_t res[5];
    size_t cfg_size, img_size;
    uint8_t *cfg, *img;
    char text[256];
    unsigned interruptions = 0;
    unsigned handle;
    int fd;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 3 + attack) {
        printf("usage: childvm [-a] CONFIG.dtb IMAGE\n");
        return 2;
    }
    cfg = slurp(argv[1 + attack], &cfg_size);
    img = slurp(argv[2 + attack], &img_size);
    mem_size = config_memory(cfg, cfg_size);
    if (!find_node("/proc/device-tree", "hypercall@", &page_pa, &page_size) ||
        !find_node("/proc/device-tree/reserved-memory", "child-vm-pool@", &pool_pa,
                   &pool_size)) {
        printf("childvm: no /hypercall@ or /reserved-memory/child-vm-pool@ node: this VM "
               "has no hypercall page or child-VM pool\n");
        return 2;
    }
    if ((fd = open("/dev/mem", O_RDWR | O_SYNC)) < 0) {
        printf("childvm: cannot open /dev/mem: %s\n", strerror(errno));
        return 2;
    }
    page = map(fd, page_pa, PAGE);
    pool = map(fd, pool_pa, pool_size);
    call(HYP_CHILDVM_FID_VERSION, NULL, 0, res);
    printf("childvm: hypercall page at 0x%llx (magic %s, version %#llx), child-VM calls "
           "version %lld.%lld, pool 0x%llx..0x%llx\n",
           (unsigned long long)page_pa,
           page[HYP_HCPAGE_REG_MAGIC / 8] == HYP_HCPAGE_MAGIC ? "ok" : "BAD",
           (unsigned long long)page[HYP_HCPAGE_REG_VERSION / 8], (long long)res[0] >> 16,
           (long long)res[0] & 0xffff, (unsigned long long)pool_pa,
           (unsigned long long)(pool_pa + pool_size - 1));

    /* The pool: configuration, image, the shared page, then the child's
     * memory at its top. */
    img_off = HYP_CHILDVM_CONFIG_MAX;
    sh_off = (img_off + img_size + PAGE - 1) & ~(PAGE - 1);
    mem_off = pool_size - mem_size;
    if (mem_size == 0 || mem_size % PAGE || cfg_size > HYP_CHILDVM_CONFIG_MAX ||
        sh_off + PAGE > mem_off) {
        printf("childvm: the configuration (memory %#llx) or image (%zu bytes) does not "
               "fit the pool\n",
               (unsigned long long)mem_size, img_size);
        return 2;
    }
    put(cfg_off, cfg, cfg_size);
    put(img_off, img, img_size);
    for (uint64_t i = 0; i < PAGE; i += 8)
        pool[(sh_off + i) / 8] = 0;

    if (create(pool_pa + cfg_off, cfg_size, pool_pa + img_off, img_size,
               pool_pa + mem_off, mem_size, res) != 0) {
        fail("%s: %lld", "create", res[0]);
        return 1;
    }
    handle = (unsigned)res[1];
    printf("childvm: created child %u from %s (%zu bytes) and %s (%zu bytes), memory "
           "0x%llx..0x%llx\n",
           handle, argv[1 + attack], cfg_size, argv[2 + attack], img_size,
           (unsigned long long)(pool_pa + mem_off),
           (unsigned long long)(pool_pa + mem_off + mem_size - 1));
    args[0] = handle;
    args[1] = pool_pa + sh_off;
    args[2] = PAGE;
    args[3] = CHILD_SHARED;
    {
        uint64_t share[5] = {handle, pool_pa + sh_off, PAGE, CHILD_SHARED, 1};

        call(HYP_CHILDVM_FID_SHARE, share, 5, res);
    }
    printf("childvm: share: %lld (page 0x%llx, the child's 0x%llx)\n", (long long)res[0],
           (unsigned long long)(pool_pa + sh_off), (unsigned long long)CHILD_SHARED);
    if (res[0] != 0)
        fail("%s: %lld", "share", res[0]);

    /* Invoke: x1 = where the child sees the page, x2 = its size, x3 = 42. */
    args[1] = CHILD_SHARED;
    args[2] = PAGE;
    args[3] = 42;
    for (;;) {
        call(HYP_CHILDVM_FID_INVOKE, args, 4, res);
        if (res[0] != 0 || res[1] != HYP_CHILDVM_INTERRUPTED)
            break;
        interruptions++;
    }
    printf("childvm: invoke: %lld, reason %lld, results %#llx %#llx %#llx (%u "
           "interruptions)\n",
           (long long)res[0], (long long)res[1], (unsigned long long)res[2],
           (unsigned long long)res[3], (unsigned long long)res[4], interruptions);
    if (res[0] != 0 || res[1] != 1)
        fail("%s: status or reason %lld", "invoke", res[0] != 0 ? res[0] : res[1]);
    for (unsigned i = 0; i < sizeof(text); i += 8) {
        uint64_t w = pool[(sh_off + i) / 8];

        memcpy(text + i, &w, 8);
    }
    text[sizeof(text) - 1] = '\0';
    printf("childvm: the child wrote: \"%s\"\n", text);

    call(HYP_CHILDVM_FID_QUERY, args, 1, res);
    printf("childvm: query: %lld, state %lld, memory %lld KiB, %lld children\n",
           (long long)res[0], (long long)res[1], (long long)res[2] >> 10,
           (long long)res[3]);
    call(HYP_CHILDVM_FID_MEASURE, args, 1, res);
    printf("childvm: measurement %016llx%016llx%016llx%016llx\n",
           (unsigned long long)res[1], (unsigned long long)res[2],
           (unsigned long long)res[3], (unsigned long long)res[4]);

    if (attack) {
        pid_t pid;
        int status = 0;

        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            uint64_t w = pool[mem_off / 8]; /* donated: must abort */

            printf("childvm: read donated memory: %#llx (LEAK)\n", (unsigned long long)w);
            _exit(0);
        }
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status))
            printf("childvm: reading donated memory killed the reader: signal %d (%s)\n",
                   WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            fail("%s: the reader exited %lld", "donated memory read",
                 WEXITSTATUS(status));
        args[0] = handle + 1;
        call(HYP_CHILDVM_FID_INVOKE, args, 4, res);
        printf("childvm: invoke of handle %u (not mine): %lld\n", handle + 1,
               (long long)res[0]);
        if (res[0] != HYP_CHILDVM_NO_CHILD)
            fail("%s: %lld", "invoke of another handle", res[0]);
        call(HYP_CHILDVM_FID_DESTROY, args, 1, res);
        printf("childvm: destroy of handle %u (not mine): %lld\n", handle + 1,
               (long long)res[0]);
        if (res[0] != HYP_CHILDVM_NO_CHILD)
            fail("%s: %lld", "destroy of another handle", res[0]);
        args[0] = handle;
    }

    call(HYP_CHILDVM_FID_DESTROY, args, 1, res);
    printf("childvm: destroy: %lld\n", (long long)res[0]);
    if (res[0] != 0)
        fail("%s: %lld", "destroy", res[0]);
    printf("childvm: its memory after destroy: %llu KiB, %llu non-zero words\n",
           (unsigned long long)(mem_size >> 10),
           (unsigned long long)nonzero(mem_off, mem_size));
    /* The memory is the parent's again: a second child can have it. */
    if (create(pool_pa + cfg_off, cfg_size, pool_pa + img_off, img_size,
               pool_pa + mem_off, mem_size, res) == 0) {
        int64_t second = res[1];

        args[0] = (uint64_t)second;
        call(HYP_CHILDVM_FID_DESTROY, args, 1, res);
        printf("childvm: second create: 0 (child %lld), destroy: %lld\n",
               (long long)second, (long long)res[0]);
    } else {
        fail("%s: %lld", "second create", res[0]);
    }
    printf("childvm: %s\n", failures ? "FAILED" : "done");
    return failures ? 1 : 0;
}
