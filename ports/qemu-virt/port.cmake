# SPDX-License-Identifier: BSD-2-Clause
#
# Build facts of the qemu-virt port, read by libhyp_add_hypervisor().

# Where the image runs: QEMU loads an arm64 Image with text_offset 0 at
# RAM base (0x40000000) + 2 MiB.
set(LIBHYP_PORT_LOAD_ADDRESS 0x40200000)
# Extra compiler flags for code built for this board.
set(LIBHYP_PORT_CFLAGS -mcpu=cortex-a57)
# How to run it: qemu-system-aarch64 followed by these arguments, then
# `-kernel IMAGE.bin`.
set(LIBHYP_PORT_QEMU_ARGS
    -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 4 -m 1G
    -nographic -monitor none -serial stdio)
