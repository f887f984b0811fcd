#pragma once
// Payload bytes written in tests as text: `hex("C8 00 14")` (anything but hex digits is
// ignored; an odd digit count fails the test), `text_bytes("abc")`, `concat({a, b})`.
#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

namespace lwm2m::test {

inline std::vector<std::byte> hex(std::string_view text) {
    std::vector<std::byte> out;
    int hi = -1;
    for (char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else continue;
        if (hi < 0) hi = v;
        else {
            out.push_back(static_cast<std::byte>(hi * 16 + v));
            hi = -1;
        }
    }
    REQUIRE(hi < 0);
    return out;
}

inline std::vector<std::byte> text_bytes(std::string_view s) {
    std::vector<std::byte> out;
    for (char c : s) out.push_back(static_cast<std::byte>(c));
    return out;
}

inline std::vector<std::byte> concat(std::initializer_list<std::vector<std::byte>> parts) {
    std::vector<std::byte> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

} // namespace lwm2m::test
