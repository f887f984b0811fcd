# Fails if a binary references or defines a heap, exception or RTTI symbol.
#
#   cmake -DBINARY=<file> [-DNM=<nm>] -P cmake/check_symbols.cmake
#
# Used by the ctest tests embedded_symbol_check (host binary), embedded_symbol_check_arm
# (Cortex-M ELF) and embedded_symbol_check_selftest (a binary that calls new: must fail).
# Symbols are read with `nm -C` (demangled); both defined and undefined ones count.

if(NOT DEFINED BINARY)
    message(FATAL_ERROR "check_symbols: pass -DBINARY=<file>")
endif()
if(NOT EXISTS "${BINARY}")
    message(FATAL_ERROR "check_symbols: ${BINARY} does not exist")
endif()
if(NOT DEFINED NM OR NM STREQUAL "")
    set(NM nm)
endif()

# One regular expression per forbidden symbol, matched against the whole name with any
# version suffix (@GLIBCXX_3.4) removed. Both the demangled and the mangled spellings are
# listed: llvm-nm (CMAKE_NM with clang) does not demangle versioned symbols such as
# _Znwm@GLIBCXX_3.4, so relying on `-C` alone lets `operator new` through.
set(forbidden
    "^operator new"  "^_Zn[wa]"      # new, new[], nothrow and aligned forms
    "^operator delete" "^_Zd[la]"
    "^malloc$"
    "^calloc$"
    "^realloc$"
    "^free$"
    "^__cxa_throw$"
    "^__cxa_allocate_exception$"
    "^typeinfo" "^_ZT[IS]"           # "typeinfo for T", "typeinfo name for T"
    "^__gxx_personality")

execute_process(
    COMMAND "${NM}" -C "${BINARY}"
    OUTPUT_VARIABLE nm_out
    ERROR_VARIABLE nm_err
    RESULT_VARIABLE nm_rc)
if(NOT nm_rc EQUAL 0 OR nm_out STREQUAL "")
    message(FATAL_ERROR "check_symbols: `${NM} -C ${BINARY}` failed (${nm_rc}): ${nm_err}")
endif()

# Make each line a list element: escape ';' and replace brackets, which would otherwise
# glue list elements together (a "[" without "]" hides the following separators).
string(REPLACE ";" "\\;" nm_out "${nm_out}")
string(REPLACE "[" "(" nm_out "${nm_out}")
string(REPLACE "]" ")" nm_out "${nm_out}")
string(REPLACE "\n" ";" lines "${nm_out}")
set(count 0)
set(bad "")
foreach(line IN LISTS lines)
    # "<address> <type> <name>" or "<spaces> U <name>"
    if(NOT line MATCHES "^[0-9a-fA-F ]* [A-Za-z?-] (.+)$")
        continue()
    endif()
    set(name "${CMAKE_MATCH_1}")
    string(REGEX REPLACE "@.*$" "" name "${name}")
    math(EXPR count "${count} + 1")
    foreach(pattern IN LISTS forbidden)
        if(name MATCHES "${pattern}")
            list(APPEND bad "${line}")
            break()
        endif()
    endforeach()
endforeach()

if(count EQUAL 0)
    message(FATAL_ERROR "check_symbols: no symbols read from ${BINARY} (stripped?)")
endif()
if(bad)
    list(JOIN bad "\n  " bad_text)
    message(FATAL_ERROR
        "check_symbols: forbidden symbols (heap, exceptions or RTTI) in ${BINARY}:\n  ${bad_text}")
endif()
message(STATUS "check_symbols: ${BINARY}: ${count} symbols, none forbidden")
