// Embedded profile: the toolkit used the way firmware uses it.
//
// Built with -fno-exceptions -fno-rtti -Os (and no sanitizer), linked, and then checked by
// cmake/check_symbols.cmake: the binary must contain no operator new/delete, malloc family,
// __cxa_throw, typeinfo or __gxx_personality symbol. The same file is cross-compiled for a
// Cortex-M4 when arm-none-eabi-g++ is installed.
//
// Every input comes from argv so that nothing is constant-folded away; each `exercise_*`
// function covers one layer and returns 0 on success. Add one per layer as layers appear.
// Run (ctest embedded_profile_run): embedded_profile <hex> [<hex>...]

// Firmware routes precondition failures to its own handler instead of <cassert>.
#define LWM2M_ASSERT(cond) ((cond) ? static_cast<void>(0) : __builtin_trap())

#include <lwm2m/bytes.hpp>
#include <lwm2m/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

// Vocabulary: hex in, bytes, big-endian integers, hex out; the text must round-trip.
int exercise_bytes(std::string_view hex) {
    std::array<std::byte, 64> bin{};
    const auto n = lwm2m::from_hex(hex, bin);
    if (!n) return 10 + static_cast<int>(n.error().code);

    std::array<char, 2 * bin.size()> text{};
    const auto m = lwm2m::to_hex(lwm2m::bytes_view(bin.data(), *n), text);
    if (!m) return 2;
    for (std::size_t i = 0; i < *m; ++i) {
        const char c = hex[i];
        const char lower = (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
        if (text[i] != lower) return 3;
    }

    const std::size_t k = *n < 8 ? *n : 8;
    const std::uint64_t v = lwm2m::load_be(lwm2m::bytes_view(bin.data(), k));
    std::array<std::byte, 8> again{};
    lwm2m::store_be(v, lwm2m::mutable_bytes(again.data(), lwm2m::uint_length(v)));
    if (lwm2m::load_be(lwm2m::bytes_view(again.data(), lwm2m::uint_length(v))) != v) return 4;
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    int rc = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (const int r = exercise_bytes(arg)) rc = r;
    }
    return rc;
}
