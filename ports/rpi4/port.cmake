# SPDX-License-Identifier: BSD-2-Clause
#
# Build facts of the rpi4 port, read by libhyp_add_hypervisor().

# Where the image runs: RAM starts at 0 on the BCM2711; QEMU's raspi4b (like
# U-Boot's booti) loads an arm64 Image with text_offset 0 at RAM base + 2 MiB.
set(LIBHYP_PORT_LOAD_ADDRESS 0x200000)
# Extra compiler flags for code built for this board.
set(LIBHYP_PORT_CFLAGS -mcpu=cortex-a72)
# The machine needs QEMU 10 (bookworm's 7.2 has no raspi4b): the generated
# IMAGE-qemu.sh runs LIBHYP_QEMU10, else scripts/setup's copy in the cache.
set(LIBHYP_PORT_QEMU_VERSION 10)
# How to run it: the board's own DTB from Debian's kernel package, which
# scripts/setup puts in the cache (QEMU fills in /memory@0 as the firmware
# would); -no-reboot turns the watchdog's reset (power-off) into an exit.
set(LIBHYP_PORT_QEMU_ARGS
    -M raspi4b -m 2G -no-reboot
    -dtb "\"\${LIBHYP_CACHE:-\$HOME/.cache/libhyp}/dtbs/broadcom/bcm2711-rpi-4-b.dtb\""
    -nographic -monitor none -serial stdio)
