// Standalone driver for instruction counting (bench/callgrind.sh): runs ONE named operation N
// times over one reference datagram of bench/data, with no benchmark framework around it.
//
//   callgrind_driver <operation> <message> <N>
//   callgrind_driver --list
//
// operation: ours-parse-walk | ours-build-builder | ours-build-writer | floor-parse-walk
//            | libcoap-parse-walk | libcoap-parse-walk-alloc | libcoap-build   (libcoap-* need LWM2M_HAVE_LIBCOAP)
// message:   register | response | notify
//
// Instructions per operation = (I(N = 1001) - I(N = 1)) / 1000: everything outside the loop
// (start-up, loading the data, the first-call costs of the dynamic linker) cancels out.
// Each call goes through a function the optimiser may not look into or hoist out of the loop.

#include "bench_data.hpp"
#include "coap_ops.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#if defined(__clang__)
#define LWM2M_OPAQUE __attribute__((noinline))
#else
#define LWM2M_OPAQUE __attribute__((noipa))
#endif

namespace {

using namespace lwm2m;
using namespace lwm2m::bench;

template <class T>
inline void keep(T& v) noexcept {
    asm volatile("" : "+r,m"(v) : : "memory");
}

std::array<std::byte, 1500> out_buffer{};

// One function per operation, opaque to the optimiser, so every iteration does the whole work.
LWM2M_OPAQUE std::uint64_t op_ours_parse_walk(bytes_view d) { return ours_parse_walk(d); }
LWM2M_OPAQUE std::uint64_t op_floor_parse_walk(bytes_view d) { return floor_parse_walk(d); }
LWM2M_OPAQUE std::uint64_t op_ours_build_builder(const message_fields& f) { return ours_build_builder(f, out_buffer); }
LWM2M_OPAQUE std::uint64_t op_ours_build_writer(const message_fields& f) { return ours_build_writer(f, out_buffer); }
#if LWM2M_BENCH_LIBCOAP
LWM2M_OPAQUE std::uint64_t op_libcoap_parse_walk(coap_pdu_t* pdu, bytes_view d) { return libcoap_parse_walk(pdu, d); }
LWM2M_OPAQUE std::uint64_t op_libcoap_parse_walk_alloc(bytes_view d) { return libcoap_parse_walk_alloc(d); }
LWM2M_OPAQUE std::uint64_t op_libcoap_build(const message_fields& f) { return libcoap_build(f); }
#endif

constexpr std::string_view operations[] = {
    "ours-parse-walk", "ours-build-builder", "ours-build-writer", "floor-parse-walk",
#if LWM2M_BENCH_LIBCOAP
    "libcoap-parse-walk", "libcoap-parse-walk-alloc", "libcoap-build",
#endif
};

int usage() {
    std::fprintf(stderr, "usage: callgrind_driver <operation> <register|response|notify> <N>\n       callgrind_driver --list\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::string_view{argv[1]} == "--list") {
        for (std::string_view op : operations) std::printf("%.*s\n", static_cast<int>(op.size()), op.data());
        return 0;
    }
    if (argc != 4) return usage();
    const std::string_view op = argv[1];
    const std::string_view msg = argv[2];
    const long n = std::strtol(argv[3], nullptr, 10);
    if (n < 0) return usage();

    const reference_datagram* ref = nullptr;
    for (const reference_datagram& r : coap_references())
        if (r.name == msg) ref = &r;
    if (ref == nullptr) return usage();

    bytes_view d = ref->view();
    const message_fields fields = extract_fields(d);
    const message_fields* f = &fields;
    check_equivalence(msg, d);  // same work in every run (N = 0 included), so it cancels out

    std::uint64_t sink = 0;
    if (op == "ours-parse-walk") {
        for (long i = 0; i < n; ++i) { keep(d); sink += op_ours_parse_walk(d); }
    } else if (op == "floor-parse-walk") {
        for (long i = 0; i < n; ++i) { keep(d); sink += op_floor_parse_walk(d); }
    } else if (op == "ours-build-builder") {
        for (long i = 0; i < n; ++i) { keep(f); sink += op_ours_build_builder(*f); }
    } else if (op == "ours-build-writer") {
        for (long i = 0; i < n; ++i) { keep(f); sink += op_ours_build_writer(*f); }
#if LWM2M_BENCH_LIBCOAP
    } else if (op == "libcoap-parse-walk") {
        coap_pdu_t* pdu = libcoap_new_rx_pdu();
        for (long i = 0; i < n; ++i) { keep(d); sink += op_libcoap_parse_walk(pdu, d); }
        coap_delete_pdu(pdu);
    } else if (op == "libcoap-parse-walk-alloc") {
        for (long i = 0; i < n; ++i) { keep(d); sink += op_libcoap_parse_walk_alloc(d); }
    } else if (op == "libcoap-build") {
        for (long i = 0; i < n; ++i) { keep(f); sink += op_libcoap_build(*f); }
#endif
    } else {
        return usage();
    }
    keep(sink);
    return sink == 0 && n > 0 ? 1 : 0;
}
