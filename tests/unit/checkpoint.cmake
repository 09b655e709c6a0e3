# SPDX-License-Identifier: BSD-2-Clause
#
# VM checkpoints (libhyp/vm/checkpoint.c, libhyp/vgic/vgic_ckpt.c), included
# from tests/unit/CMakeLists.txt.
# and the partitioner's side (libhyp/config/ckpt_config.c) over the configs
# of vmconfig.cmake (included before this file).
libhyp_unit_test(checkpoint SOURCES test_checkpoint.c ARGS ${config_dtb_dir})
add_dependencies(test_checkpoint config_dtbs)
