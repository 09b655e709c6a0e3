# SPDX-License-Identifier: BSD-2-Clause
#
# Build facts of the zcu102 port, read by libhyp_add_hypervisor().

# Where the image runs: RAM starts at 0 on the ZynqMP, and QEMU (like U-Boot's
# booti) loads an arm64 Image with text_offset 0 at RAM base + 2 MiB.
set(LIBHYP_PORT_LOAD_ADDRESS 0x200000)
# Extra compiler flags for code built for this board.
set(LIBHYP_PORT_CFLAGS -mcpu=cortex-a53)
# The board DTB QEMU's xlnx-zcu102 does not make itself (built from
# ports/zcu102/zcu102.dts into the build tree).
set(LIBHYP_PORT_DTS ${CMAKE_CURRENT_LIST_DIR}/zcu102.dts)
# How to run it: qemu-system-aarch64 followed by these arguments, then
# `-kernel IMAGE.bin`. @DTB@ is replaced by the compiled board DTB.
set(LIBHYP_PORT_QEMU_ARGS
    -M xlnx-zcu102,virtualization=on -m 2G -dtb @DTB@
    -nographic -monitor none -serial stdio -serial null)
