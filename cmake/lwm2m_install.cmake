# Install rules: headers, exported target lwm2m::lwm2m, package config + version files and a
# pkg-config file. Header-only, so everything but the headers goes to the datadir (share/).

include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(LWM2M_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/lwm2m"
    CACHE STRING "Where lwm2mConfig.cmake is installed (relative to the prefix)")
set(LWM2M_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
    CACHE STRING "Where lwm2m.pc is installed (relative to the prefix)")

install(TARGETS lwm2m
    EXPORT lwm2mTargets
    FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(EXPORT lwm2mTargets
    NAMESPACE lwm2m::
    DESTINATION "${LWM2M_INSTALL_CMAKEDIR}")

configure_package_config_file(
    "${CMAKE_CURRENT_LIST_DIR}/lwm2mConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/lwm2mConfig.cmake"
    INSTALL_DESTINATION "${LWM2M_INSTALL_CMAKEDIR}")

# 0.x releases may break the API at every minor version.
if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(lwm2m_compatibility SameMinorVersion)
else()
    set(lwm2m_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/lwm2mConfigVersion.cmake"
    COMPATIBILITY ${lwm2m_compatibility}
    ARCH_INDEPENDENT)

install(FILES
    "${PROJECT_BINARY_DIR}/lwm2mConfig.cmake"
    "${PROJECT_BINARY_DIR}/lwm2mConfigVersion.cmake"
    DESTINATION "${LWM2M_INSTALL_CMAKEDIR}")

# pkg-config: an absolute CMAKE_INSTALL_INCLUDEDIR is used as is.
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(LWM2M_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
    set(LWM2M_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/lwm2m.pc.in" "${PROJECT_BINARY_DIR}/lwm2m.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/lwm2m.pc" DESTINATION "${LWM2M_INSTALL_PKGCONFIGDIR}")
