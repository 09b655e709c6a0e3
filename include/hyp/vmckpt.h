/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmckpt.h
 * @brief Pausing a VM built by vmbuild.h and writing its checkpoint.
 *
 * The checkpoint (format: checkpoint.h, docs/checkpoint.md) goes into a RAM
 * region outside every VM that the board saves: on QEMU, a
 * `/reserved-memory` node with compatible `"libhyp,checkpoint-store"`,
 * which the validator keeps VM memory away from and which the test saves
 * with the monitor's `pmemsave`. Whether a VM may be checkpointed at all is
 * hyp_ckpt_vm_allowed()'s to say, once, at boot. Target only; neither call
 * is on an exit path (the run loop's hook calls hyp_vmckpt_pause() on the
 * EL2 tick after hyp_vmbuild::checkpoint_request was set).
 */
#ifndef HYP_VMCKPT_H
#define HYP_VMCKPT_H

#include <stddef.h>
#include <hyp/platform.h>
#include <hyp/vmbuild.h>

/**
 * @brief Find the checkpoint store in the boot DTB.
 * @param dtb   The boot DTB.
 * @param store Receives the region (physical, page-aligned).
 * @return ::HYP_OK; ::HYP_ENOENT without one; ::HYP_EFORMAT for a bad `reg`.
 */
int hyp_vmckpt_store(const void *dtb, struct hyp_range *store);

/**
 * @brief Pause the calling CPU's vCPU for its VM's checkpoint.
 *
 * Called on each CPU of the VM, between two runs of its vCPU. Saves what
 * lives in the CPU (EL1 system registers, q8..q31, FPSR, FPCR, the virtual
 * CPU interface) and waits until every vCPU of the VM that is not off has
 * done the same; the last one reads the guest's virtual count and writes
 * the checkpoint into @p store (mapped read-write at EL2 by the caller).
 * The VM's other vCPUs stay off, so no CPU_ON can start one meanwhile.
 * Other VMs run on. The VM does not run again on this boot: the caller
 * parks the CPU afterwards (hyp_vmbuild_cpu_park()).
 * @param b       The VM.
 * @param vcpu    Its vCPU on the calling CPU.
 * @param store   The checkpoint store.
 * @param msg     On the writer: a line saying where the checkpoint went (or
 *                why it failed); "" on the others.
 * @param msg_len Bytes at @p msg.
 * @return ::HYP_OK; on the writer, an error of the checkpoint writer
 *         (::HYP_ENOMEM when the store is too small) or of hyp_el2_map().
 */
int hyp_vmckpt_pause(struct hyp_vmbuild *b, struct hyp_vcpu *vcpu,
                     const struct hyp_range *store, char *msg, size_t msg_len);

/**
 * @brief Resume a VM just built from its `multiboot,checkpoint` module.
 *
 * Called once, on the boot CPU, after hyp_vmbuild_create() and before the
 * VM's CPUs run. Parses the module (hyp_ckpt_parse()), refuses it if it
 * was taken with another configuration (hyp_ckpt_match() against
 * hyp_ckpt_vm_fingerprint()), another counter frequency or other vCPU
 * affinities; otherwise restores the VM's RAM, virtual GIC, virtual PL011
 * and vCPUs (registers, EL1 state, power) over what hyp_vmbuild_create()
 * set up, and keeps for hyp_vmckpt_resume_cpu() what only its CPUs can
 * load: CNTVOFF_EL2 (the physical count when the first of its CPUs gets
 * there, minus the checkpoint's guest count, the same for all its vCPUs,
 * so that guest time goes on from the pause), q8..q31, FPSR, FPCR and the
 * virtual CPU interface.
 * @param b       The VM.
 * @param msg     Receives a line saying what happened (the reason for a
 *                refusal); "" without a checkpoint module.
 * @param msg_len Bytes at @p msg.
 * @return ::HYP_OK (resumed); ::HYP_ENOENT (no checkpoint module: boot it
 *         as usual); another error (refused: the VM must not run).
 */
int hyp_vmckpt_resume(struct hyp_vmbuild *b, char *msg, size_t msg_len);

/**
 * @brief Load the calling CPU's part of a resumed VM's state.
 *
 * On each CPU of the VM, after hyp_vmbuild_cpu_prepare() and before its
 * vCPU first runs; does nothing for a VM that was not resumed.
 * @param b    The VM.
 * @param vcpu Index of the vCPU pinned to the calling CPU.
 */
void hyp_vmckpt_resume_cpu(struct hyp_vmbuild *b, unsigned vcpu);

#endif /* HYP_VMCKPT_H */
