# SPDX-License-Identifier: BSD-2-Clause
#
# `hyp-config ckpt show` and `ckpt check` on sample checkpoints and configs
# (included from tests/tools/CMakeLists.txt after libhyp_tool_test()).
# make_ckpt writes them with the library's writer: a good one, damaged,
# truncated and trailing variants (which also seed fuzz_ckpt), and one of
# linux-a in tests/unit/dts-config/ckpt-detach.dts.
add_executable(make_ckpt ${CMAKE_CURRENT_LIST_DIR}/make_ckpt.c)
target_compile_options(make_ckpt PRIVATE ${LIBHYP_WARNINGS})
target_link_libraries(make_ckpt PRIVATE libhyp_host)
set(LIBHYP_CKPT_SAMPLES ${CMAKE_CURRENT_BINARY_DIR}/ckpt CACHE INTERNAL "sample checkpoints")
set(ckpt_files good damaged truncated trailing linux-a)
list(TRANSFORM ckpt_files PREPEND ${LIBHYP_CKPT_SAMPLES}/)
list(TRANSFORM ckpt_files APPEND .ckpt)
add_custom_command(OUTPUT ${ckpt_files}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${LIBHYP_CKPT_SAMPLES}
  COMMAND make_ckpt ${LIBHYP_CKPT_SAMPLES} ${dts_config}/ckpt-detach.dtb 0
  DEPENDS make_ckpt config_dtbs COMMENT "make_ckpt: sample checkpoints" VERBATIM)
add_custom_target(ckpt_samples ALL DEPENDS ${ckpt_files})

set(ckpt ${LIBHYP_CKPT_SAMPLES})
libhyp_tool_test(ckpt-show RC 0 ARGS ckpt show ${ckpt}/good.ckpt
  EXPECT "good.ckpt: checkpoint version 1 of VM \"sample\", [0-9]+ bytes\n"
         "guest time: 625000000 ticks at 62500000 Hz \\(10.000 s\\)\n"
         "vcpu 0: on, mpidr 0x0, pc 0x50001000 EL1h, sctlr 0x30d0198d"
         "ram 0: 0x50000000..0x5000ffff, 1 of 16 pages stored\n"
         "vgic: GICv3, 32 SPIs, GICD_CTLR 0x53, [0-9]+ enabled, 1 pending, 0 active\n"
         "vuart 0: UARTCR 0x301, 3 input bytes waiting\n"
         "digest: [0-9a-f]+\n")
libhyp_tool_test(ckpt-damaged RC 1 ARGS ckpt show ${ckpt}/damaged.ckpt
  EXPECT "damaged.ckpt: refused: digest mismatch: the checkpoint is damaged\n"
  REJECT "vcpu 0")
libhyp_tool_test(ckpt-truncated RC 1 ARGS ckpt show ${ckpt}/truncated.ckpt
  EXPECT "truncated.ckpt: refused: truncated: record of type 0x4 at offset 0x[0-9a-f]+ needs")
libhyp_tool_test(ckpt-trailing RC 1 ARGS ckpt show ${ckpt}/trailing.ckpt
  EXPECT "refused: 8 bytes after the end record")
libhyp_tool_test(ckpt-not-a-checkpoint RC 1 ARGS ckpt show ${CMAKE_CURRENT_LIST_FILE}
  EXPECT "refused: not a checkpoint: bad magic")
libhyp_tool_test(ckpt-usage RC 2 ARGS ckpt list x EXPECT "usage: hyp-config ckpt show FILE")

# Which VMs may be checkpointed, and which checkpoints fit which VM.
set(detach ${dts_config}/ckpt-detach.dtb)
libhyp_tool_test(ckpt-check-allowed RC 0 ARGS ckpt check ${hyp} ${detach} linux-a
  EXPECT "^vm@0 \\(linux-a\\): checkpointable\n$")
libhyp_tool_test(ckpt-check-fits RC 0 ARGS ckpt check ${hyp} ${detach} linux-a ${ckpt}/linux-a.ckpt
  EXPECT "linux-a.ckpt: fits vm@0 \\(linux-a\\)\n")
libhyp_tool_test(ckpt-check-other-config RC 1
  ARGS ckpt check ${hyp} ${dts_config}/ckpt-other.dtb linux-a ${ckpt}/linux-a.ckpt
  EXPECT "linux-a.ckpt: refused for vm@0 \\(linux-a\\): taken with RAM 0x40000000\\+0x10000000, the VM has 0x40000000\\+0x8000000\n"
  REJECT "fits")
libhyp_tool_test(ckpt-check-other-vm RC 1 ARGS ckpt check ${hyp} ${detach} 0 ${ckpt}/good.ckpt
  EXPECT "good.ckpt: refused for vm@0 \\(linux-a\\): taken with 1 vCPUs, the VM has 2\n")
libhyp_tool_test(ckpt-check-damaged RC 1 ARGS ckpt check ${hyp} ${detach} vm@0 ${ckpt}/damaged.ckpt
  EXPECT "damaged.ckpt: refused: digest mismatch")
libhyp_tool_test(ckpt-check-passthrough RC 1
  ARGS ckpt check ${hyp} ${dts_config}/good-3vm.dtb linux-a
  EXPECT "vm@0 \\(linux-a\\): not checkpointable: passed-through /virtio_mmio@a000000 is not marked safe to detach \\(checkpoint-detach\\)\n"
  REJECT "checkpointable\n")
libhyp_tool_test(ckpt-check-shared RC 1 ARGS ckpt check ${hyp} ${detach} linux-b
  EXPECT "vm@1 \\(linux-b\\): not checkpointable: it shares shm-b-bare with another VM")
libhyp_tool_test(ckpt-check-bad-detach RC 1 ARGS ckpt check ${hyp} ${detach} bare
  EXPECT "vm@2 \\(bare\\): checkpoint-detach: entry 0 is not one of its passthrough devices")
