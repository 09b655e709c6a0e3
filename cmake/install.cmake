# SPDX-License-Identifier: BSD-2-Clause
#
# `cmake --install` of a target build: headers, libhyp.a, linker script,
# ports, toolchain file and a CMake package, so that an out-of-tree project
# does find_package(libhyp) and libhyp_add_hypervisor().
include(GNUInstallDirs)
set(LIBHYP_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/libhyp)
set(LIBHYP_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/libhyp)

install(TARGETS libhyp EXPORT libhypTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/hyp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/hyp/config.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hyp)
install(FILES ${LIBHYP_LINKER_SCRIPT} DESTINATION ${LIBHYP_INSTALL_DATADIR})
install(DIRECTORY ports/ DESTINATION ${LIBHYP_INSTALL_DATADIR}/ports)
install(EXPORT libhypTargets NAMESPACE libhyp:: DESTINATION ${LIBHYP_INSTALL_CMAKEDIR})
install(FILES cmake/aarch64-picolibc.cmake cmake/libhyp-fdt.cmake
              cmake/libhyp-functions.cmake cmake/libhypConfig.cmake
        DESTINATION ${LIBHYP_INSTALL_CMAKEDIR})
include(CMakePackageConfigHelpers)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/libhypConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/libhypConfigVersion.cmake
        DESTINATION ${LIBHYP_INSTALL_CMAKEDIR})
