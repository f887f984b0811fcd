// model/objlnk_text.hpp: the "ObjID:InstID" text of an object link (LwM2M 1.1 Core §7.4.4, §7.4.5).
#include <lwm2m/model/objlnk_text.hpp>

#include <doctest/doctest.h>

#include <array>
#include <optional>
#include <string_view>

namespace {

std::optional<lwm2m::objlnk> parse(std::string_view s) { return lwm2m::parse_objlnk(lwm2m::as_bytes(s)); }

/** The parser fed characters, as the JSON readers feed decoded text; usable at compile time. */
constexpr std::optional<lwm2m::objlnk> parse_chars(std::string_view s) {
    lwm2m::objlnk_parser p;
    for (const char c : s) p.put(c);
    return p.finish();
}

std::string_view text_of(lwm2m::objlnk l, std::array<char, lwm2m::max_objlnk_text>& buf) {
    return {buf.data(), lwm2m::format_objlnk(l, buf.data())};
}

} // namespace

TEST_CASE("objlnk text: ids of 1 to 5 digits up to 65535, leading zeros, the null link") {
    CHECK(parse("66:0") == lwm2m::objlnk{66, 0});
    CHECK(parse("0:0") == lwm2m::objlnk{0, 0});
    CHECK(parse("00066:00001") == lwm2m::objlnk{66, 1});
    CHECK(parse("65535:65535")->is_null());
    for (const std::string_view bad : {"", ":", "1:", ":1", "1", "1:2:3", "65536:0", "0:65536", "000001:0", "1 :2",
                                       "-1:2", "1:+2", "a:b", "1:2 "}) {
        CAPTURE(bad);
        CHECK_FALSE(parse(bad).has_value());
    }
}

TEST_CASE("objlnk text: format_objlnk writes the shortest form, and it parses back") {
    std::array<char, lwm2m::max_objlnk_text> buf{};
    CHECK(text_of({66, 0}, buf) == "66:0");
    CHECK(text_of({65535, 65535}, buf) == "65535:65535");
    CHECK(text_of({0, 10000}, buf) == "0:10000");
    for (const std::uint16_t o : {0, 9, 10, 99, 100, 1000, 9999, 10000, 65534, 65535})
        for (const std::uint16_t i : {0, 1, 65535}) {
            const lwm2m::objlnk l{o, i};
            CHECK(parse(text_of(l, buf)) == l);
        }
    // Usable at compile time, as the formats' constexpr readers use it.
    static_assert(parse_chars("3:4") == lwm2m::objlnk{3, 4});
    static_assert(!parse_chars("3").has_value());
    static_assert(!parse_chars("3:4:5").has_value());
}
