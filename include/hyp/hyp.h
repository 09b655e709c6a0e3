/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file hyp.h
 * @brief Everything a hypervisor built on libhyp usually needs, in one include.
 */
#ifndef HYP_HYP_H
#define HYP_HYP_H

#include <hyp/config.h>
#include <hyp/error.h>
#include <hyp/platform.h>
#include <hyp/cpu.h>
#include <hyp/console.h>
#include <hyp/spinlock.h>
#include <hyp/panic.h>
#include <hyp/psci.h>
#include <hyp/port.h>

#endif /* HYP_HYP_H */
