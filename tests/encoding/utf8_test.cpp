// encoding/utf8.hpp: copy_text_bits (the copy that also tells whether the bytes are ASCII)
// against a byte loop, for every length a TLV or SenML writer copies in one piece and every
// position of a non-ASCII byte.
#include <lwm2m/encoding/utf8.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

TEST_CASE("copy_text_bits copies exactly n bytes and finds every non-ASCII byte") {
    using lwm2m::encoding::detail::copy_text_bits;
    using lwm2m::encoding::detail::non_ascii_bits;
    constexpr std::size_t guard = 16;
    for (std::size_t n = 0; n <= 300; ++n) {
        CAPTURE(n);
        // The source alone in a buffer of its size (ASan sees a read past it); ASCII bytes.
        std::vector<std::byte> src(n);
        for (std::size_t i = 0; i < n; ++i) src[i] = static_cast<std::byte>(0x20 + (i * 7 + n) % 95);
        // n + 1 cases: all ASCII, then one byte at each position made non-ASCII.
        for (std::size_t bad = 0; bad <= n; ++bad) {
            CAPTURE(bad);
            std::vector<std::byte> s = src;
            if (bad < n) s[bad] = static_cast<std::byte>(0x80 | (bad & 0x7F));
            std::vector<std::byte> dst(n + 2 * guard, std::byte{0xA5});
            const std::uint64_t bits = copy_text_bits(dst.data() + guard, s.data(), n);
            CHECK(((bits & non_ascii_bits) == 0) == (bad == n));
            bool same = true;  // the bytes copied, nothing written around them
            for (std::size_t i = 0; i < dst.size(); ++i) {
                const std::byte want = i >= guard && i < guard + n ? s[i - guard] : std::byte{0xA5};
                same = same && dst[i] == want;
            }
            CHECK(same);
        }
    }
}
