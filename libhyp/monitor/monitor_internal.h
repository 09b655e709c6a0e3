/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What monitor.c shares with monitor_fgt.c (not public).
 */
#ifndef HYP_MONITOR_INTERNAL_H
#define HYP_MONITOR_INTERNAL_H

#include <hyp/monitor.h>

/* Add a protected range and tighten stage 2 over it (lock held). */
int hyp_monitor_protect(struct hyp_monitor *mon, uint64_t ipa, uint64_t size,
                        unsigned prot, unsigned action);

/* Compare VBAR_EL1 with its last value, log a change and, after the lock,
 * undo it. Returns its value from now on. */
uint64_t hyp_monitor_check_vbar(struct hyp_monitor *mon, struct hyp_vcpu *vcpu,
                                struct hyp_monitor_vcpu *mv, uint64_t vbar);

/* Log one system call: its SVC at @pc, syndrome @esr (EC 0x15 or 0x11). */
void hyp_monitor_record_svc(struct hyp_monitor *mon, struct hyp_vcpu *vcpu, uint64_t pc,
                            uint64_t esr);

#endif /* HYP_MONITOR_INTERNAL_H */
