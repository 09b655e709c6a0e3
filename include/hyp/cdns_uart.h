/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file cdns_uart.h
 * @brief Polled driver for the Cadence UART (Xilinx Zynq / ZynqMP "xuartps").
 *
 * A console driver for hyp_port::console (include/hyp/port.h): a port whose
 * console is a Cadence UART points at ::hyp_cdns_uart_console. Register
 * layout from the Zynq UltraScale+ TRM (UG1085, UART chapter).
 */
#ifndef HYP_CDNS_UART_H
#define HYP_CDNS_UART_H

#include <hyp/port.h>

/** The Cadence UART as a console driver. */
extern const struct hyp_console_ops hyp_cdns_uart_console;

#endif /* HYP_CDNS_UART_H */
