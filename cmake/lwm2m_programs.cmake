# Common settings for the project's own programs (tests, fuzzers, benchmarks, examples).
# None of this is exported: consumers of lwm2m::lwm2m never see these flags.

include_guard(GLOBAL)

# ---- warnings: every program of ours links this ----------------------------------------
add_library(lwm2m_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(lwm2m_warnings INTERFACE -Wall -Wextra -Wpedantic)
    if(LWM2M_WERROR)
        target_compile_options(lwm2m_warnings INTERFACE -Werror)
    endif()
elseif(MSVC)
    target_compile_options(lwm2m_warnings INTERFACE /W4 /permissive-)
    if(LWM2M_WERROR)
        target_compile_options(lwm2m_warnings INTERFACE /WX)
    endif()
endif()

# ---- sanitizers (LWM2M_SANITIZE=address,undefined in the asan preset) --------------------
# Kept out of CMAKE_CXX_FLAGS so that the embedded profile, whose symbols are checked for
# malloc/operator new, is never built with a sanitizer runtime.
add_library(lwm2m_sanitize INTERFACE)
if(LWM2M_SANITIZE)
    target_compile_options(lwm2m_sanitize INTERFACE
        -fsanitize=${LWM2M_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(lwm2m_sanitize INTERFACE -fsanitize=${LWM2M_SANITIZE})
endif()

# lwm2m_add_program(<target> <sources>... [NO_SANITIZE])
#   An executable of ours: links lwm2m::lwm2m and the warnings (and the sanitizers unless
#   NO_SANITIZE). Every program knows where the repository is (LWM2M_SOURCE_DIR).
function(lwm2m_add_program target)
    cmake_parse_arguments(PARSE_ARGV 1 arg "NO_SANITIZE" "" "")
    add_executable(${target} ${arg_UNPARSED_ARGUMENTS})
    target_link_libraries(${target} PRIVATE lwm2m::lwm2m lwm2m_warnings)
    if(NOT arg_NO_SANITIZE)
        target_link_libraries(${target} PRIVATE lwm2m_sanitize)
    endif()
    target_compile_definitions(${target} PRIVATE LWM2M_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endfunction()

# lwm2m_find_libcoap()
#   Looks for libcoap-3-notls once (pkg-config). Afterwards `TARGET PkgConfig::COAP` tells
#   whether it was found.
function(lwm2m_find_libcoap)
    get_property(searched GLOBAL PROPERTY LWM2M_LIBCOAP_SEARCHED)
    if(searched)
        return()
    endif()
    set_property(GLOBAL PROPERTY LWM2M_LIBCOAP_SEARCHED TRUE)
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
        pkg_check_modules(COAP QUIET IMPORTED_TARGET GLOBAL libcoap-3-notls)
    endif()
    if(TARGET PkgConfig::COAP)
        message(STATUS "lwm2m: libcoap-3-notls ${COAP_VERSION} found")
    else()
        message(STATUS "lwm2m: libcoap-3-notls not found: programs that need it are skipped")
    endif()
endfunction()

# lwm2m_use_libcoap(<target>)
#   Links libcoap and defines LWM2M_HAVE_LIBCOAP=1. Call only when PkgConfig::COAP exists.
function(lwm2m_use_libcoap target)
    target_link_libraries(${target} PRIVATE PkgConfig::COAP)
    target_compile_definitions(${target} PRIVATE LWM2M_HAVE_LIBCOAP=1)
endfunction()

# lwm2m_use_openssl(<target>)
#   Links OpenSSL (the opt-in DTLS adapter, transport/dtls_openssl.hpp) and defines
#   LWM2M_HAVE_OPENSSL=1 when OpenSSL is found; returns FALSE in <found-var> otherwise.
function(lwm2m_use_openssl target found_var)
    find_package(OpenSSL QUIET)
    if(OPENSSL_FOUND)
        target_link_libraries(${target} PRIVATE OpenSSL::SSL OpenSSL::Crypto)
        target_compile_definitions(${target} PRIVATE LWM2M_HAVE_OPENSSL=1)
        set(${found_var} TRUE PARENT_SCOPE)
    else()
        set(${found_var} FALSE PARENT_SCOPE)
    endif()
endfunction()
