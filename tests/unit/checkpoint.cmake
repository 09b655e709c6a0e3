# SPDX-License-Identifier: BSD-2-Clause
#
# VM checkpoints (libhyp/vm/checkpoint.c, libhyp/vgic/vgic_ckpt.c), included
# from tests/unit/CMakeLists.txt.
libhyp_unit_test(checkpoint SOURCES test_checkpoint.c)
