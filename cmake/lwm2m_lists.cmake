# Reading the shared file lists in cmake/lists/*.txt (the one source of truth for CMake and
# Meson): one entry per line, whole-line `#` comments and blank lines ignored.

include_guard(GLOBAL)

set(LWM2M_LISTS_DIR "${CMAKE_CURRENT_LIST_DIR}/lists")

# lwm2m_read_list(<var> <file>)
#   Sets <var> to the entries of <file> (relative to cmake/lists/ unless absolute), each entry
#   being the whole line with surrounding blanks removed. Re-runs CMake when the file changes.
function(lwm2m_read_list var file)
    if(NOT IS_ABSOLUTE "${file}")
        set(file "${LWM2M_LISTS_DIR}/${file}")
    endif()
    set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
    file(STRINGS "${file}" lines)
    set(entries "")
    foreach(line IN LISTS lines)
        string(STRIP "${line}" line)
        if(line STREQUAL "" OR line MATCHES "^#")
            continue()
        endif()
        list(APPEND entries "${line}")
    endforeach()
    set(${var} "${entries}" PARENT_SCOPE)
endfunction()

# Flags that may follow the sources of an entry (benchmarks.txt, examples.txt):
#   coap        needs libcoap-3-notls: built only when it is found, with LWM2M_HAVE_LIBCOAP=1
#   standalone  (benchmarks) has its own main(): not linked with benchmark_main, not run by ctest
set(LWM2M_ENTRY_FLAGS coap openssl standalone)

# lwm2m_split_entry(<entry> <name-var> <sources-var> <flags-var> [NAMED])
#   Splits one list entry into its tokens.
#   Without NAMED (benchmarks.txt):  <source> [more sources] [flags]  -> name = source basename
#   With NAMED (examples/interop):   <name> <source> [more sources] [flags]
#   Sources are returned as absolute paths, flags (see LWM2M_ENTRY_FLAGS) as a list.
function(lwm2m_split_entry entry name_var sources_var flags_var)
    cmake_parse_arguments(PARSE_ARGV 4 arg "NAMED" "" "")
    separate_arguments(tokens UNIX_COMMAND "${entry}")
    set(flags "")
    foreach(flag IN LISTS LWM2M_ENTRY_FLAGS)
        if(flag IN_LIST tokens)
            list(APPEND flags ${flag})
            list(REMOVE_ITEM tokens ${flag})
        endif()
    endforeach()
    if(arg_NAMED)
        list(POP_FRONT tokens name)
    else()
        list(GET tokens 0 first)
        get_filename_component(name "${first}" NAME_WE)
    endif()
    if(NOT tokens)
        message(FATAL_ERROR "lwm2m: list entry '${entry}' names no source file")
    endif()
    set(sources "")
    foreach(src IN LISTS tokens)
        if(NOT EXISTS "${PROJECT_SOURCE_DIR}/${src}")
            message(FATAL_ERROR "lwm2m: list entry '${entry}': ${src} does not exist")
        endif()
        list(APPEND sources "${PROJECT_SOURCE_DIR}/${src}")
    endforeach()
    set(${name_var} "${name}" PARENT_SCOPE)
    set(${sources_var} "${sources}" PARENT_SCOPE)
    set(${flags_var} "${flags}" PARENT_SCOPE)
endfunction()

# lwm2m_read_sources(<var> <file>)
#   Like lwm2m_read_list() for lists of plain source paths; returns absolute paths and fails
#   early (at configure time) on a path that does not exist.
function(lwm2m_read_sources var file)
    lwm2m_read_list(entries "${file}")
    set(sources "")
    foreach(src IN LISTS entries)
        if(NOT EXISTS "${PROJECT_SOURCE_DIR}/${src}")
            message(FATAL_ERROR "lwm2m: ${file} lists ${src}, which does not exist")
        endif()
        list(APPEND sources "${PROJECT_SOURCE_DIR}/${src}")
    endforeach()
    set(${var} "${sources}" PARENT_SCOPE)
endfunction()
