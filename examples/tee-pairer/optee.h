/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The subset of the OP-TEE SMC and message ABI that the TEE pairer, its
 * trusted OS and its test guests speak: the numbers of OP-TEE's public
 * optee_smc.h and optee_msg.h (as Linux 6.1's drivers/tee/optee uses them),
 * the GlobalPlatform TEE Client API result codes, and the two services
 * Linux looks for on the TEE bus. Plus the pairer's own call: the one with
 * which a trusted OS answers a call (TEE_PAIRER_RETURN_FID).
 */
#ifndef TEE_PAIRER_OPTEE_H
#define TEE_PAIRER_OPTEE_H

#include <stdint.h>

/*
 * The trusted OS answers the call it runs with an HVC (or SMC): x0 this ID,
 * x1..x4 the answer's a0..a3, which the pairer hands to the caller's
 * x0..x3. The HVC "returns" with the next call in x0..x7. Its first one,
 * after boot, says the vCPU is ready (its answer is dropped). Vendor-
 * specific hypervisor service, fast call, SMC32.
 */
#define TEE_PAIRER_RETURN_FID 0x86000020u

/*
 * A yielding call runs this long (us) before the pairer suspends it for an
 * interrupt its GPOS has to take (OP-TEE's foreign-interrupt return): a
 * GPOS's tick due in a call's first TEE_PAIRER_PREEMPT_US waits for then.
 */
#define TEE_PAIRER_PREEMPT_US 2000u

/* No call runs longer (us): then it fails and the TEE is restarted. */
#define TEE_PAIRER_BUDGET_US 2000000u

/* SMCCC function IDs (32-bit calling convention, owner Trusted OS 50 or 63). */
#define OPTEE_SMC_CALLS_UID             0xbf00ff01u /* fast, owner 63 */
#define OPTEE_SMC_CALLS_REVISION        0xbf00ff03u
#define OPTEE_SMC_GET_OS_UUID           0xb2000000u /* fast, owner 50 */
#define OPTEE_SMC_GET_OS_REVISION       0xb2000001u
#define OPTEE_SMC_GET_SHM_CONFIG        0xb2000007u
#define OPTEE_SMC_EXCHANGE_CAPABILITIES 0xb2000009u
#define OPTEE_SMC_DISABLE_SHM_CACHE     0xb200000au
#define OPTEE_SMC_ENABLE_SHM_CACHE      0xb200000bu
#define OPTEE_SMC_CALL_RETURN_FROM_RPC  0x32000003u /* yielding, owner 50 */
#define OPTEE_SMC_CALL_WITH_ARG         0x32000004u
/* Bit 31 of a function ID: a fast call, which runs to its end. */
#define OPTEE_SMC_FAST_CALL             0x80000000u

/* The API's UID (CALLS_UID) and revision (CALLS_REVISION). */
#define OPTEE_MSG_UID_0          0x384fb3e0u
#define OPTEE_MSG_UID_1          0xe7f811e3u
#define OPTEE_MSG_UID_2          0xaf630002u
#define OPTEE_MSG_UID_3          0xa5d5c51bu
#define OPTEE_MSG_REVISION_MAJOR 2u
#define OPTEE_MSG_REVISION_MINOR 0u

/* a0 of an answer. */
#define OPTEE_SMC_RETURN_OK               0x0u
#define OPTEE_SMC_RETURN_ETHREAD_LIMIT    0x1u
#define OPTEE_SMC_RETURN_EBUSY            0x2u
#define OPTEE_SMC_RETURN_ERESUME          0x3u
#define OPTEE_SMC_RETURN_EBADADDR         0x4u
#define OPTEE_SMC_RETURN_EBADCMD          0x5u
#define OPTEE_SMC_RETURN_ENOMEM           0x6u
#define OPTEE_SMC_RETURN_ENOTAVAIL        0x7u
#define OPTEE_SMC_RETURN_UNKNOWN_FUNCTION 0xffffffffu
/* A yielding call suspended so that normal world takes an interrupt; a1..a3
 * must come back in CALL_RETURN_FROM_RPC to resume it. */
#define OPTEE_SMC_RETURN_RPC_FOREIGN_INTR 0xffff0004u

/* EXCHANGE_CAPABILITIES: secure world's capabilities (a1). */
#define OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM 0x1u
/* GET_SHM_CONFIG: normal cached memory. */
#define OPTEE_SMC_SHM_CACHED                1u

/* struct optee_msg_arg: the argument of CALL_WITH_ARG, in shared memory. */
struct optee_msg_param {
    uint64_t attr;
    uint64_t u[3]; /* value a, b, c; or tmem buf_ptr, size, shm_ref */
};
struct optee_msg_arg {
    uint32_t cmd;
    uint32_t func;
    uint32_t session;
    uint32_t cancel_id;
    uint32_t pad;
    uint32_t ret;
    uint32_t ret_origin;
    uint32_t num_params;
    struct optee_msg_param params[];
};

#define OPTEE_MSG_CMD_OPEN_SESSION      0u
#define OPTEE_MSG_CMD_INVOKE_COMMAND    1u
#define OPTEE_MSG_CMD_CLOSE_SESSION     2u
#define OPTEE_MSG_CMD_CANCEL            3u
#define OPTEE_MSG_ATTR_TYPE_NONE        0x0u
#define OPTEE_MSG_ATTR_TYPE_VALUE_IN    0x1u
#define OPTEE_MSG_ATTR_TYPE_VALUE_OUT   0x2u
#define OPTEE_MSG_ATTR_TYPE_VALUE_INOUT 0x3u
#define OPTEE_MSG_ATTR_TYPE_TMEM_IN     0x9u
#define OPTEE_MSG_ATTR_TYPE_TMEM_OUT    0xau
#define OPTEE_MSG_ATTR_TYPE_TMEM_INOUT  0xbu
#define OPTEE_MSG_ATTR_TYPE_MASK        0xffu
#define OPTEE_MSG_ATTR_META             0x100u

/* GlobalPlatform TEE Client API results and origins. */
#define TEEC_SUCCESS              0x00000000u
#define TEEC_ERROR_GENERIC        0xffff0000u
#define TEEC_ERROR_BAD_PARAMETERS 0xffff0006u
#define TEEC_ERROR_BAD_STATE      0xffff0007u
#define TEEC_ERROR_ITEM_NOT_FOUND 0xffff0008u
#define TEEC_ERROR_NOT_SUPPORTED  0xffff000au
#define TEEC_ERROR_OUT_OF_MEMORY  0xffff000cu
#define TEEC_ERROR_SHORT_BUFFER   0xffff0010u
#define TEEC_ERROR_COMMUNICATION  0xffff000eu
#define TEEC_ORIGIN_TEE           3u
#define TEEC_ORIGIN_TRUSTED_APP   4u

/* UUIDs as the 16 bytes Linux passes (big-endian fields, RFC 4122 order). */
/* The device-enumeration pseudo-TA: command 0 lists the TEE bus's devices. */
#define PTA_DEVICE_ENUM_UUID                                                             \
    {                                                                                    \
        0x70, 0x11, 0xa6, 0x88, 0xdd, 0xde, 0x40, 0x53, 0xa5, 0xa9, 0x7b, 0x3c, 0x4d,    \
            0xdf, 0x13, 0xb8                                                             \
    }
#define PTA_CMD_GET_DEVICES      0u
#define PTA_CMD_GET_DEVICES_SUPP 1u
/* The RNG service that Linux's optee-rng binds to. */
#define TA_RNG_UUID                                                                      \
    {                                                                                    \
        0xab, 0x7a, 0x61, 0x7c, 0xb8, 0xe7, 0x4d, 0x8f, 0x83, 0x01, 0xd0, 0x9b, 0x61,    \
            0x03, 0x6b, 0x64                                                             \
    }
#define TA_RNG_CMD_GET_ENTROPY  0u
#define TA_RNG_CMD_GET_RNG_INFO 1u
/* The pairer's test service (not on the TEE bus): 0 echo, 1 busy, 2 fault. */
#define TA_TEST_UUID                                                                     \
    {                                                                                    \
        0x1b, 0xee, 0x0a, 0x1e, 0x15, 0x5e, 0x4a, 0x1b, 0x9e, 0x7a, 0x1e, 0xe0, 0x00,    \
            0x00, 0x00, 0x15                                                             \
    }
#define TA_TEST_CMD_ECHO  0u /* value a in -> a + 1 out in the same param */
#define TA_TEST_CMD_BUSY  1u /* spin for value a ms */
#define TA_TEST_CMD_FAULT 2u /* touch unmapped memory */

#endif /* TEE_PAIRER_OPTEE_H */
