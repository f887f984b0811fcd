// encoding/base64.hpp: base64_stream (bytes fed one at a time) against the RFC 4648 §10 test
// vectors and against base64_encode, in both alphabets.
#include <lwm2m/encoding/base64.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace {

using lwm2m::encoding::base64_alphabet;

std::string streamed(std::string_view in, base64_alphabet a) {
    std::string out;
    lwm2m::encoding::base64_stream b64{a, [&out](char c) { out.push_back(c); }};
    for (const char c : in) b64.put(static_cast<std::byte>(c));
    b64.finish();
    return out;
}

std::string whole(std::string_view in, base64_alphabet a) {
    std::array<char, 64> buf{};
    const auto n = lwm2m::encoding::base64_encode(lwm2m::as_bytes(in), a, buf);
    REQUIRE(n.has_value());
    return std::string(buf.data(), *n);
}

} // namespace

TEST_CASE("base64_stream: the RFC 4648 §10 vectors, padded in base64 and unpadded in base64url") {
    const std::string_view in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const std::string_view standard[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    const std::string_view url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (std::size_t i = 0; i < std::size(in); ++i) {
        CAPTURE(in[i]);
        CHECK(streamed(in[i], base64_alphabet::standard) == standard[i]);
        CHECK(streamed(in[i], base64_alphabet::url) == url[i]);
    }
}

TEST_CASE("base64_stream writes what base64_encode writes, for every length and byte value") {
    std::string in;
    for (int n = 0; n < 40; ++n) {
        CAPTURE(n);
        CHECK(streamed(in, base64_alphabet::standard) == whole(in, base64_alphabet::standard));
        CHECK(streamed(in, base64_alphabet::url) == whole(in, base64_alphabet::url));
        in.push_back(static_cast<char>(0xFB - 37 * n));  // every 6-bit digit shows up, '+'/'/' and '-'/'_' included
    }
}
