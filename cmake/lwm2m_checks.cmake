# Build-level checks on the headers: self-containment, ODR, and the embedded profile whose
# binary must contain no heap, exception or RTTI symbol.

include_guard(GLOBAL)

set(LWM2M_SELF_CONTAINED_DIR "${PROJECT_SOURCE_DIR}/tests/self_contained")

# lwm2m_generate_self_contained_sources(<out-var>)
#   One generated .cpp per header of headers.txt, including only that header (twice).
function(lwm2m_generate_self_contained_sources out_var)
    set(sources "")
    foreach(header IN LISTS LWM2M_HEADERS)
        string(REGEX REPLACE "^include/" "" HEADER "${header}")
        string(REGEX REPLACE "[/.]" "_" stem "${HEADER}")
        set(out "${CMAKE_CURRENT_BINARY_DIR}/self_contained/${stem}.cpp")
        configure_file("${LWM2M_SELF_CONTAINED_DIR}/header.cpp.in" "${out}" @ONLY)
        list(APPEND sources "${out}")
    endforeach()
    set(${out_var} "${sources}" PARENT_SCOPE)
endfunction()

# lwm2m_add_self_contained_check(<target> [COMPILE_OPTIONS <opt>...])
#   An object library compiling every header alone; building it is the test.
function(lwm2m_add_self_contained_check target)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "COMPILE_OPTIONS")
    lwm2m_generate_self_contained_sources(sources)
    add_library(${target} OBJECT ${sources})
    target_link_libraries(${target} PRIVATE lwm2m::lwm2m lwm2m_warnings)
    target_compile_options(${target} PRIVATE ${arg_COMPILE_OPTIONS})
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        # Nobody debugs these objects: skip debug info, which is a good part of their cost.
        target_compile_options(${target} PRIVATE -g0)
    endif()
endfunction()

# lwm2m_add_odr_check(<target>)
#   Links two translation units that each include every header (the second without
#   exceptions and RTTI).
function(lwm2m_add_odr_check target)
    set(INCLUDES "")
    foreach(header IN LISTS LWM2M_HEADERS)
        string(REGEX REPLACE "^include/" "" rel "${header}")
        string(APPEND INCLUDES "#include <${rel}>\n")
    endforeach()
    set(MAIN "int main() { return 0; }")
    configure_file("${LWM2M_SELF_CONTAINED_DIR}/all_headers.cpp.in"
        "${CMAKE_CURRENT_BINARY_DIR}/self_contained/all_headers_a.cpp" @ONLY)
    set(MAIN "")
    configure_file("${LWM2M_SELF_CONTAINED_DIR}/all_headers.cpp.in"
        "${CMAKE_CURRENT_BINARY_DIR}/self_contained/all_headers_b.cpp" @ONLY)
    add_executable(${target}
        "${CMAKE_CURRENT_BINARY_DIR}/self_contained/all_headers_a.cpp"
        "${CMAKE_CURRENT_BINARY_DIR}/self_contained/all_headers_b.cpp")
    target_link_libraries(${target} PRIVATE lwm2m::lwm2m lwm2m_warnings)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        # The second TU also proves every header builds without exceptions and RTTI.
        set_source_files_properties("${CMAKE_CURRENT_BINARY_DIR}/self_contained/all_headers_b.cpp"
            PROPERTIES COMPILE_OPTIONS "-fno-exceptions;-fno-rtti")
    endif()
endfunction()

set(LWM2M_EMBEDDED_FLAGS -fno-exceptions -fno-rtti -Os)
set(LWM2M_CHECK_SYMBOLS "${PROJECT_SOURCE_DIR}/cmake/check_symbols.cmake")

# lwm2m_add_embedded_program(<target> <source>)
#   A host program built like firmware: no exceptions, no RTTI, -Os, no sanitizers.
function(lwm2m_add_embedded_program target source)
    add_executable(${target} "${source}")
    target_link_libraries(${target} PRIVATE lwm2m::lwm2m lwm2m_warnings)
    target_compile_options(${target} PRIVATE ${LWM2M_EMBEDDED_FLAGS})
endfunction()

# lwm2m_add_symbol_check(<test-name> <binary> [NM <nm>] [WILL_FAIL])
function(lwm2m_add_symbol_check name binary)
    cmake_parse_arguments(PARSE_ARGV 2 arg "WILL_FAIL" "NM" "")
    if(NOT arg_NM)
        set(arg_NM "${CMAKE_NM}")
    endif()
    add_test(NAME ${name}
        COMMAND "${CMAKE_COMMAND}" "-DNM=${arg_NM}" "-DBINARY=${binary}" -P "${LWM2M_CHECK_SYMBOLS}")
    set_tests_properties(${name} PROPERTIES LABELS embedded)
    if(arg_WILL_FAIL)
        set_tests_properties(${name} PROPERTIES WILL_FAIL TRUE)
    endif()
endfunction()

# lwm2m_add_arm_embedded_check(<target> <source> <test-name>)
#   Cross-compiles and links <source> for a Cortex-M4 (newlib-nano, no syscalls) with the
#   embedded flags at build time, and checks the ELF's symbols in the ctest test <test-name>.
function(lwm2m_add_arm_embedded_check target source test_name)
    set(elf "${CMAKE_CURRENT_BINARY_DIR}/${target}.elf")
    add_custom_command(
        OUTPUT "${elf}"
        COMMAND "${LWM2M_ARM_CXX}" -std=c++20 -mcpu=cortex-m4 -mthumb
                ${LWM2M_EMBEDDED_FLAGS} -ffunction-sections -fdata-sections
                -Wall -Wextra -Wpedantic -Werror
                "-I${PROJECT_SOURCE_DIR}/include"
                --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections
                -MD -MF "${elf}.d" "${source}" -o "${elf}"
        DEPENDS "${source}"
        DEPFILE "${elf}.d"
        WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
        COMMENT "Cross-compiling ${target} for Cortex-M4"
        VERBATIM)
    add_custom_target(${target} ALL DEPENDS "${elf}")
    lwm2m_add_symbol_check(${test_name} "${elf}" NM "${LWM2M_ARM_NM}")
endfunction()
