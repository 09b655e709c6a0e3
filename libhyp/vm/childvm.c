/* SPDX-License-Identifier: BSD-2-Clause */
/* Child VMs: the launch measurement and the ABI's status codes
 * (include/hyp/childvm.h). */
#include <hyp/childvm.h>
#include <hyp/error.h>

static void put_size(struct hyp_sha256 *s, size_t size)
{
    uint8_t le[8];

    for (unsigned i = 0; i < 8; i++)
        le[i] = (uint8_t)((uint64_t)size >> (8 * i));
    hyp_sha256_update(s, le, sizeof(le));
}

void hyp_childvm_measure(const void *config, size_t config_size, const void *image,
                         size_t image_size, uint8_t digest[HYP_SHA256_SIZE])
{
    struct hyp_sha256 s;

    hyp_sha256_init(&s);
    hyp_sha256_update(&s, HYP_CHILDVM_MEASURE_TAG, sizeof(HYP_CHILDVM_MEASURE_TAG));
    put_size(&s, config_size);
    hyp_sha256_update(&s, config, config_size);
    put_size(&s, image_size);
    hyp_sha256_update(&s, image, image_size);
    hyp_sha256_final(&s, digest);
}

void hyp_childvm_digest_regs(const uint8_t digest[HYP_SHA256_SIZE], uint64_t regs[4])
{
    for (unsigned r = 0; r < 4; r++) {
        regs[r] = 0;
        for (unsigned i = 0; i < 8; i++)
            regs[r] = regs[r] << 8 | digest[8 * r + i];
    }
}

int hyp_childvm_abi_error(int err)
{
    switch (err) {
    case HYP_OK:
        return HYP_CHILDVM_SUCCESS;
    case HYP_EINVAL:
    case HYP_EALIGN:
    case HYP_ERANGE:
    case HYP_EEXIST:
        return HYP_CHILDVM_INVALID;
    case HYP_EPERM:
        return HYP_CHILDVM_DENIED;
    case HYP_ENOMEM:
        return HYP_CHILDVM_NO_MEMORY;
    case HYP_EFORMAT:
        return HYP_CHILDVM_BAD_CONFIG;
    case HYP_EBUSY:
        return HYP_CHILDVM_BUSY;
    case HYP_ENOENT:
        return HYP_CHILDVM_NO_CHILD;
    default:
        return HYP_CHILDVM_NOT_SUPPORTED;
    }
}
