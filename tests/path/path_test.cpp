// Tests of the path layer: lwm2m::path, parse_path, parse_path_segments, formatting, literals.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/path.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace doctest {
template <>
struct StringMaker<lwm2m::path> {
    static String convert(const lwm2m::path& p) {
        const auto t = p.text();
        return String(t.data(), static_cast<String::size_type>(t.size()));
    }
};
} // namespace doctest

namespace {

using lwm2m::errc;
using lwm2m::error;
using lwm2m::parse_path;
using lwm2m::parse_path_segments;
using lwm2m::path;
using lwm2m::path_level;
using namespace lwm2m::literals;

// ---- helpers ---------------------------------------------------------------------------------

/// splitmix64: tiny fixed-seed PRNG so the random tests are reproducible everywhere.
struct splitmix64 {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
};

/// An id biased towards the interesting values: small ones, powers of ten, the top of the range.
std::uint16_t random_id(splitmix64& rng) {
    switch (rng.below(6)) {
    case 0: return static_cast<std::uint16_t>(rng.below(10));
    case 1: return static_cast<std::uint16_t>(rng.below(100));
    case 2: {
        constexpr std::uint16_t edges[] = {0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65533, 65534};
        return edges[rng.below(std::size(edges))];
    }
    default: return static_cast<std::uint16_t>(rng.below(65535)); // 0..65534
    }
}

path random_path(splitmix64& rng) {
    path p;
    const auto depth = rng.below(5);
    for (std::uint64_t i = 0; i < depth; ++i) p = p.child(random_id(rng)).value();
    return p;
}

/// Reference ordering: lexicographic over the id sequences, shorter first on a tie.
int reference_compare(const path& a, const path& b) {
    std::vector<std::uint16_t> x, y;
    for (std::size_t i = 0; i < a.depth(); ++i) x.push_back(a.id(i));
    for (std::size_t i = 0; i < b.depth(); ++i) y.push_back(b.id(i));
    if (x < y) return -1;
    if (y < x) return 1;
    return 0;
}

std::string format_string(const path& p) {
    std::array<char, path::max_text_length> buf{};
    const auto n = p.format_to(buf);
    REQUIRE(n.has_value());
    return std::string(buf.data(), *n);
}

/// Errors are compared as text ("path_syntax at 3") so that doctest prints both sides without a
/// StringMaker for the shared lwm2m::error type (which other test files might also define).
std::string describe(const error& e) { return std::string(lwm2m::name(e.code)) + " at " + std::to_string(e.offset); }
std::string err(errc code, std::size_t offset) { return describe(error{code, offset}); }

/// Stands in for a CoAP option view: not a string, but implicitly convertible to std::string_view.
struct fake_option {
    std::string_view value;
    operator std::string_view() const { return value; } // NOLINT(google-explicit-constructor)
};

// ---- compile-time checks ---------------------------------------------------------------------

static_assert(sizeof(path) <= 10);
static_assert(std::is_trivially_copyable_v<path>);
static_assert(path::max_text_length == 24);
static_assert(path{}.is_root() && path{}.level() == path_level::root);
static_assert(path::make(65534, 65534, 65534, 65534)->text_length() == path::max_text_length);

// constexpr parsing and formatting
static_assert(parse_path("/").value() == path{});
static_assert(parse_path("/3/0/1")->level() == path_level::resource);
static_assert(parse_path("/3/0/1")->resource_id() == 1);
static_assert(parse_path("/65534/0/7/65534")->resource_instance_id() == 65534);
static_assert(parse_path("/3/").error() == error{errc::path_syntax, 3});
static_assert(parse_path("/65535").error() == error{errc::path_id_out_of_range, 1});
static_assert(parse_path("/1/2/3/4/5").error() == error{errc::path_too_deep, 9});
static_assert(parse_path("/3/x").error() == error{errc::path_invalid_number, 3});
static_assert(parse_path("3").error() == error{errc::path_syntax, 0});
static_assert(path::make(3, 0, 1)->text().view() == "/3/0/1");
static_assert(path{}.text().view() == "/");
static_assert(parse_path_segments({"3", "0"}).value() == path::make(3, 0).value());
static_assert(parse_path_segments({"lwm2m", "3"}, "/lwm2m").value() == path::make(3).value());
static_assert(parse_path_segments({"x"}, "/lwm2m").error() == error{errc::path_root_mismatch, 0});
static_assert(path::make(3, 0)->segments()[1].view() == "0");

// literals are constants
constexpr path device_manufacturer = "/3/0/0"_path;
static_assert(device_manufacturer == path::make(3, 0, 0).value());
static_assert("/"_path.is_root());
static_assert("/65534/65534/65534/65534"_path.depth() == 4);
static_assert(lwm2m::path_literal<"/3/0"> == path::make(3, 0).value());
static_assert(lwm2m::path_literal<"/"> == path{});

// ordering, prefix, parent / child
static_assert("/"_path < "/0"_path && "/0"_path < "/0/0"_path && "/0/0"_path < "/0/0/0"_path);
static_assert("/0/0/0"_path < "/0/1"_path && "/0/1"_path < "/1"_path);
static_assert("/3"_path.is_prefix_of("/3/0/1"_path) && !"/3/0/1"_path.is_prefix_of("/3"_path));
static_assert("/3/0/1"_path.parent() == "/3/0"_path);
static_assert("/3/0"_path.child(1).value() == "/3/0/1"_path);
static_assert("/3/0/1/2"_path.child(0).error() == error{errc::path_too_deep, 4});

// strong ids
static_assert(path::make(lwm2m::object_id{3}, lwm2m::instance_id{0}, lwm2m::resource_id{1}).value() == "/3/0/1"_path);

// ---- construction and accessors --------------------------------------------------------------

TEST_CASE("path: the default path is the root / (LwM2M 1.1 Core §6)") {
    const path p;
    CHECK(p.is_root());
    CHECK(p.level() == path_level::root);
    CHECK(p.depth() == 0);
    CHECK_FALSE(p.has_object());
    CHECK_FALSE(p.has_instance());
    CHECK_FALSE(p.has_resource());
    CHECK_FALSE(p.has_resource_instance());
    CHECK(p == path::root());
    CHECK(path::make().value() == p);
}

TEST_CASE("path: accessors at each level /O, /O/I, /O/I/R, /O/I/R/RI (LwM2M 1.1 Core §6)") {
    const path o = path::make(3).value();
    CHECK(o.level() == path_level::object);
    CHECK(o.object_id() == 3);
    CHECK(o.has_object());
    CHECK_FALSE(o.has_instance());

    const path oi = path::make(3, 1).value();
    CHECK(oi.level() == path_level::instance);
    CHECK(oi.object_id() == 3);
    CHECK(oi.instance_id() == 1);
    CHECK(oi.has_instance());
    CHECK_FALSE(oi.has_resource());

    const path oir = path::make(3, 1, 7).value();
    CHECK(oir.level() == path_level::resource);
    CHECK(oir.resource_id() == 7);
    CHECK(oir.has_resource());
    CHECK_FALSE(oir.has_resource_instance());

    const path oiri = path::make(3, 1, 7, 65534).value();
    CHECK(oiri.level() == path_level::resource_instance);
    CHECK(oiri.depth() == 4);
    CHECK(oiri.object_id() == 3);
    CHECK(oiri.instance_id() == 1);
    CHECK(oiri.resource_id() == 7);
    CHECK(oiri.resource_instance_id() == 65534);
    CHECK(oiri.has_resource_instance());
    CHECK(oiri.id(0) == 3);
    CHECK(oiri.id(3) == 65534);
}

TEST_CASE("path::make: ids 0..65534; 65535 (MAX_ID) is reserved (LwM2M 1.1 Core §6)") {
    CHECK(path::make(0).has_value());
    CHECK(path::make(65534).has_value());
    CHECK(describe(path::make(65535).error()) == err(errc::path_id_out_of_range, 0));
    CHECK(describe(path::make(3, 65535).error()) == err(errc::path_id_out_of_range, 1));
    CHECK(describe(path::make(3, 0, -1).error()) == err(errc::path_id_out_of_range, 2));
    CHECK(describe(path::make(3, 0, 1, 70000L).error()) == err(errc::path_id_out_of_range, 3));
    CHECK(describe(path::make(std::uint64_t{1} << 32 | 3u).error()) == err(errc::path_id_out_of_range, 0));
    CHECK(describe(path::make(std::int8_t{-1}).error()) == err(errc::path_id_out_of_range, 0));
    CHECK(path::make(std::uint8_t{255}).value().object_id() == 255);
    // the first bad argument is reported
    CHECK(describe(path::make(65535, -1).error()) == err(errc::path_id_out_of_range, 0));
}

TEST_CASE("path::make with strong ids (object_id, instance_id, resource_id, resource_instance_id)") {
    using lwm2m::instance_id;
    using lwm2m::object_id;
    using lwm2m::resource_id;
    using lwm2m::resource_instance_id;
    CHECK(path::make(object_id{3}).value() == "/3"_path);
    CHECK(path::make(object_id{3}, instance_id{0}).value() == "/3/0"_path);
    CHECK(path::make(object_id{3}, instance_id{0}, resource_id{11}).value() == "/3/0/11"_path);
    CHECK(path::make(object_id{3}, instance_id{0}, resource_id{11}, resource_instance_id{2}).value() ==
          "/3/0/11/2"_path);
    CHECK(describe(path::make(object_id{65535}).error()) == err(errc::path_id_out_of_range, 0));
    CHECK(describe(path::make(object_id{3}, instance_id{65535}).error()) == err(errc::path_id_out_of_range, 1));
    CHECK(describe(path::make(object_id{3}, instance_id{0}, resource_id{65535}).error()) ==
          err(errc::path_id_out_of_range, 2));
    CHECK(describe(path::make(object_id{3}, instance_id{0}, resource_id{1}, resource_instance_id{65535}).error()) ==
          err(errc::path_id_out_of_range, 3));
}

// ---- parent / child / prefix -----------------------------------------------------------------

TEST_CASE("path: parent, prefix and child walk the object tree (LwM2M 1.1 Core §6)") {
    const path ri = "/3/0/7/1"_path;
    CHECK(ri.parent() == "/3/0/7"_path);
    CHECK(ri.parent().parent() == "/3/0"_path);
    CHECK(ri.parent().parent().parent() == "/3"_path);
    CHECK(ri.parent().parent().parent().parent() == path{});
    CHECK(ri.prefix(path_level::root) == path{});
    CHECK(ri.prefix(path_level::object) == "/3"_path);
    CHECK(ri.prefix(path_level::instance) == "/3/0"_path);
    CHECK(ri.prefix(path_level::resource) == "/3/0/7"_path);
    CHECK(ri.prefix(path_level::resource_instance) == ri);

    CHECK(path{}.child(3).value() == "/3"_path);
    CHECK("/3"_path.child(0).value() == "/3/0"_path);
    CHECK("/3/0"_path.child(65534).value() == "/3/0/65534"_path);
    CHECK("/3/0/7"_path.child(1).value() == ri);
    // child().parent() is the identity
    CHECK("/3/0/7"_path.child(9)->parent() == "/3/0/7"_path);
}

TEST_CASE("path::child errors: too deep past /O/I/R/RI, ids out of 0..65534") {
    CHECK(describe("/3/0/7/1"_path.child(0).error()) == err(errc::path_too_deep, 4));
    CHECK(describe(path{}.child(65535).error()) == err(errc::path_id_out_of_range, 0));
    CHECK(describe("/3"_path.child(-1).error()) == err(errc::path_id_out_of_range, 1));
    CHECK(describe("/3/0"_path.child(100000u).error()) == err(errc::path_id_out_of_range, 2));
    CHECK(describe("/3/0/1"_path.child(65535).error()) == err(errc::path_id_out_of_range, 3));
    // depth is checked before the id
    CHECK(describe("/3/0/7/1"_path.child(65535).error()) == err(errc::path_too_deep, 4));
}

// ---- prefix relation -------------------------------------------------------------------------

TEST_CASE("path::is_prefix_of: root prefixes everything, a path prefixes itself and its descendants") {
    const path root;
    const path paths[] = {root, "/0"_path, "/3"_path, "/3/0"_path, "/3/0/1"_path, "/3/0/1/2"_path, "/3/1"_path};
    for (const auto& p : paths) {
        CHECK(root.is_prefix_of(p));
        CHECK(p.is_prefix_of(p));
    }
    CHECK("/3"_path.is_prefix_of("/3/0/1/2"_path));
    CHECK("/3/0"_path.is_prefix_of("/3/0/1"_path));
    CHECK_FALSE("/3/0"_path.is_prefix_of("/3/1"_path));
    CHECK_FALSE("/3/0"_path.is_prefix_of("/3"_path));
    CHECK_FALSE("/3"_path.is_prefix_of(root));
    CHECK_FALSE("/3"_path.is_prefix_of("/30"_path)); // ids, not text
    CHECK_FALSE("/3/0/1"_path.is_prefix_of("/3/0/10"_path));
    CHECK_FALSE("/0"_path.is_prefix_of("/3/0"_path));
}

// ---- ordering --------------------------------------------------------------------------------

TEST_CASE("path ordering: lexicographic by ids, a path before its descendants") {
    const path sorted[] = {
        path{},         "/0"_path,     "/0/0"_path,   "/0/0/0"_path,   "/0/0/0/0"_path,
        "/0/0/0/1"_path, "/0/0/1"_path, "/0/1"_path,   "/0/65534"_path, "/1"_path,
        "/1/0"_path,    "/2"_path,     "/10"_path,    "/65534"_path,   "/65534/65534/65534/65534"_path,
    };
    for (std::size_t i = 0; i < std::size(sorted); ++i) {
        for (std::size_t j = 0; j < std::size(sorted); ++j) {
            CAPTURE(i);
            CAPTURE(j);
            CHECK((sorted[i] < sorted[j]) == (i < j));
            CHECK((sorted[i] == sorted[j]) == (i == j));
            CHECK(((sorted[i] <=> sorted[j]) == std::strong_ordering::equal) == (i == j));
        }
    }
}

TEST_CASE("path ordering agrees with a reference lexicographic compare on random paths") {
    splitmix64 rng{0x5EED0001};
    for (int n = 0; n < 3000; ++n) {
        const path a = random_path(rng);
        // half the time b shares a prefix with a, so that ties and prefixes are exercised
        path b = rng.below(2) ? a.prefix(static_cast<path_level>(rng.below(a.depth() + 1))) : random_path(rng);
        while (b.depth() < 4 && rng.below(2)) b = b.child(rng.below(3)).value();
        const int ref = reference_compare(a, b);
        CAPTURE(a);
        CAPTURE(b);
        CHECK((a < b) == (ref < 0));
        CHECK((a == b) == (ref == 0));
        CHECK((a > b) == (ref > 0));
        // a prefix sorts before (or equal to) what it prefixes
        if (a.is_prefix_of(b)) CHECK(a <= b);
    }
}

// ---- parse_path ------------------------------------------------------------------------------

TEST_CASE("parse_path: valid text forms / /O /O/I /O/I/R /O/I/R/RI (LwM2M 1.1 Core §6)") {
    CHECK(parse_path("/").value() == path{});
    CHECK(parse_path("/0").value() == path::make(0).value());
    CHECK(parse_path("/3/0").value() == path::make(3, 0).value());
    CHECK(parse_path("/3/0/1").value() == path::make(3, 0, 1).value());
    CHECK(parse_path("/3/0/1/0").value() == path::make(3, 0, 1, 0).value());
    CHECK(parse_path("/65534/65534/65534/65534").value() == path::make(65534, 65534, 65534, 65534).value());
    CHECK(parse_path("/10/100/1000/10000").value() == path::make(10, 100, 1000, 10000).value());
}

TEST_CASE("parse_path errors carry the exact errc and the byte offset of the bad segment") {
    struct bad_case {
        std::string_view text;
        errc code;
        std::size_t offset;
    };
    const bad_case cases[] = {
        // syntax: missing leading '/', empty segments, trailing '/'
        {"", errc::path_syntax, 0},
        {"3", errc::path_syntax, 0},
        {"3/0", errc::path_syntax, 0},
        {" /3", errc::path_syntax, 0},
        {"//", errc::path_syntax, 1},
        {"//3", errc::path_syntax, 1},
        {"/3//0", errc::path_syntax, 3},
        {"/3/", errc::path_syntax, 3},
        {"/3/0/", errc::path_syntax, 5},
        {"/3/0/1/2/", errc::path_syntax, 9}, // trailing '/' is syntax even at full depth
        {"/65534/", errc::path_syntax, 7},
        // non-canonical numbers
        {"/x", errc::path_invalid_number, 1},
        {"/3/x", errc::path_invalid_number, 3},
        {"/3/0x1", errc::path_invalid_number, 3},
        {"/03", errc::path_invalid_number, 1},
        {"/00", errc::path_invalid_number, 1},
        {"/3/00001", errc::path_invalid_number, 3},
        {"/-1", errc::path_invalid_number, 1},
        {"/+1", errc::path_invalid_number, 1},
        {"/ 1", errc::path_invalid_number, 1},
        {"/1 ", errc::path_invalid_number, 1},
        {"/3/0/1/%31", errc::path_invalid_number, 7},
        {"/3/0?x", errc::path_invalid_number, 3},
        {"/3\\0", errc::path_invalid_number, 1},
        {"/99999999999999999999x", errc::path_invalid_number, 1}, // syntax beats range
        {"/099999", errc::path_invalid_number, 1},                // leading zero beats range
        {std::string_view{"/3\0", 3}, errc::path_invalid_number, 1},
        // range
        {"/65535", errc::path_id_out_of_range, 1},
        {"/3/65535", errc::path_id_out_of_range, 3},
        {"/3/0/1/70000", errc::path_id_out_of_range, 7},
        {"/99999999999999999999", errc::path_id_out_of_range, 1},
        // depth
        {"/1/2/3/4/5", errc::path_too_deep, 9},
        {"/1/2/3/4/x", errc::path_too_deep, 9}, // the fifth segment is one too many whatever it holds
        {"/1/2/3/4/5/6", errc::path_too_deep, 9},
        // the first bad segment wins
        {"/x/65535", errc::path_invalid_number, 1},
        {"/65535/x", errc::path_id_out_of_range, 1},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.text));
        const auto r = parse_path(c.text);
        REQUIRE_FALSE(r.has_value());
        CHECK(describe(r.error()) == err(c.code, c.offset));
    }
}

TEST_CASE("parse_path: random text over '/', digits and junk never crashes; success is canonical") {
    splitmix64 rng{0x5EED0002};
    constexpr std::string_view alphabet = "//////0000123456789x -";
    for (int n = 0; n < 5000; ++n) {
        std::string s;
        const auto len = rng.below(16);
        for (std::uint64_t i = 0; i < len; ++i) s += alphabet[rng.below(alphabet.size())];
        const auto r = parse_path(s);
        CAPTURE(s);
        if (r) {
            CHECK(format_string(*r) == s); // canonical: the only spelling of that path
        } else {
            CHECK(r.error().offset <= s.size());
        }
    }
}

// ---- formatting ------------------------------------------------------------------------------

TEST_CASE("path::format_to writes the text form and reports the size needed") {
    std::array<char, 32> buf{};
    CHECK(path{}.format_to(buf).value() == 1);
    CHECK(std::string_view(buf.data(), 1) == "/");

    const path p = "/3/0/1"_path;
    CHECK(p.text_length() == 6);
    REQUIRE(p.format_to(std::span<char>(buf.data(), 6)).value() == 6);
    CHECK(std::string_view(buf.data(), 6) == "/3/0/1");

    CHECK(describe(p.format_to(std::span<char>(buf.data(), 5)).error()) == err(errc::buffer_too_small, 6));
    CHECK(describe(p.format_to(std::span<char>{}).error()) == err(errc::buffer_too_small, 6));
    CHECK(describe(path{}.format_to(std::span<char>{}).error()) == err(errc::buffer_too_small, 1));

    const path longest = path::make(65534, 65534, 65534, 65534).value();
    CHECK(longest.text_length() == path::max_text_length);
    std::array<char, path::max_text_length> exact{};
    REQUIRE(longest.format_to(exact).value() == path::max_text_length);
    CHECK(std::string_view(exact.data(), exact.size()) == "/65534/65534/65534/65534");
    CHECK(describe(longest.format_to(std::span<char>(exact.data(), 23)).error()) == err(errc::buffer_too_small, 24));
}

TEST_CASE("path::text returns a small fixed buffer with view()") {
    CHECK(path{}.text().view() == "/");
    CHECK("/3"_path.text().view() == "/3");
    CHECK("/3/0/1/0"_path.text().view() == "/3/0/1/0");
    CHECK("/10/100/1000/10000"_path.text().view() == "/10/100/1000/10000");
    const auto t = "/65534/65534/65534/65534"_path.text();
    CHECK(t.size() == 24);
    CHECK(std::string_view(t.data(), t.size()) == "/65534/65534/65534/65534");
}

TEST_CASE("path::segments yields one decimal Uri-Path value per id (RFC 7252 §6.4)") {
    std::vector<std::string> got;
    for (auto seg : "/3/0/65534/10"_path.segments()) got.emplace_back(seg.view());
    CHECK(got == std::vector<std::string>{"3", "0", "65534", "10"});

    CHECK(path{}.segments().empty());
    CHECK(path{}.segments().size() == 0);
    CHECK(path{}.segments().begin() == path{}.segments().end());

    const auto segs = "/5/1"_path.segments();
    CHECK(segs.size() == 2);
    CHECK(segs[0].view() == "5");
    CHECK(segs[1].view() == "1");
    CHECK(std::ranges::distance(segs) == 2);

    // the range owns a copy of the path: it stays valid after the path is gone
    const auto from_temporary = parse_path("/1/22/333").value().segments();
    auto it = from_temporary.begin();
    CHECK((*it++).view() == "1");
    CHECK((*it).view() == "22");
    ++it;
    CHECK((*it).view() == "333");
    CHECK(++it == from_temporary.end());
}

// ---- parse_path_segments ---------------------------------------------------------------------

TEST_CASE("parse_path_segments: Uri-Path options, no option is the root (RFC 7252 §6.4)") {
    CHECK(parse_path_segments(std::array<std::string_view, 0>{}).value() == path{});
    CHECK(parse_path_segments({"3"}).value() == "/3"_path);
    CHECK(parse_path_segments({"3", "0", "1", "2"}).value() == "/3/0/1/2"_path);

    // any input range of things convertible to std::string_view
    const std::array<const char*, 3> c_strings{"3", "0", "1"};
    CHECK(parse_path_segments(c_strings).value() == "/3/0/1"_path);
    const std::vector<std::string> strings{"5", "0"};
    CHECK(parse_path_segments(strings).value() == "/5/0"_path);
    const std::list<std::string_view> list{"1", "0", "1"};
    CHECK(parse_path_segments(list).value() == "/1/0/1"_path);
    const std::string_view views[] = {"65534", "65534"};
    CHECK(parse_path_segments(std::span<const std::string_view>(views)).value() == "/65534/65534"_path);
    // a user type that converts to std::string_view, like a CoAP option view
    // (std::views::transform is not used here: clang 14 cannot compile libstdc++ 12's <ranges> views)
    const fake_option options[] = {{"lwm2m"}, {"3"}, {"0"}};
    CHECK(parse_path_segments(options, "/lwm2m").value() == "/3/0"_path);
    CHECK(parse_path_segments(std::span<const fake_option>(options).subspan(1)).value() == "/3/0"_path);
}

TEST_CASE("parse_path_segments errors carry the segment index") {
    CHECK(describe(parse_path_segments({""}).error()) == err(errc::path_syntax, 0));
    CHECK(describe(parse_path_segments({"3", ""}).error()) == err(errc::path_syntax, 1));
    CHECK(describe(parse_path_segments({"3", "x"}).error()) == err(errc::path_invalid_number, 1));
    CHECK(describe(parse_path_segments({"3", "0", "01"}).error()) == err(errc::path_invalid_number, 2));
    CHECK(describe(parse_path_segments({"3/0"}).error()) == err(errc::path_invalid_number, 0)); // '/' inside an option
    CHECK(describe(parse_path_segments({"-0"}).error()) == err(errc::path_invalid_number, 0));
    CHECK(describe(parse_path_segments({"3", "65535"}).error()) == err(errc::path_id_out_of_range, 1));
    CHECK(describe(parse_path_segments({"3", "0", "1", "0", "0"}).error()) == err(errc::path_too_deep, 4));
    CHECK(describe(parse_path_segments({"3", "0", "1", "0", ""}).error()) == err(errc::path_syntax, 4));
}

TEST_CASE("parse_path_segments with an alternate root, e.g. </lwm2m>;rt=\"oma.lwm2m\" (LwM2M 1.1 Core, Register)") {
    // single-segment alternate root
    CHECK(parse_path_segments({"lwm2m"}, "/lwm2m").value() == path{});
    CHECK(parse_path_segments({"lwm2m", "3", "0"}, "/lwm2m").value() == "/3/0"_path);
    CHECK(parse_path_segments({"lwm2m", "3", "0", "1", "2"}, "/lwm2m").value() == "/3/0/1/2"_path);
    // spellings of the same root
    CHECK(parse_path_segments({"lwm2m", "3"}, "lwm2m").value() == "/3"_path);
    CHECK(parse_path_segments({"lwm2m", "3"}, "/lwm2m/").value() == "/3"_path);
    // empty or "/" means no alternate root
    CHECK(parse_path_segments({"3"}, "").value() == "/3"_path);
    CHECK(parse_path_segments({"3"}, "/").value() == "/3"_path);
    CHECK(parse_path_segments(std::array<std::string_view, 0>{}, "/").value() == path{});
    // multi-segment alternate root
    CHECK(parse_path_segments({"a", "b"}, "/a/b").value() == path{});
    CHECK(parse_path_segments({"a", "b", "3", "0"}, "/a/b").value() == "/3/0"_path);

    // mismatches: offset is the index of the first differing segment, or the count if too short
    CHECK(describe(parse_path_segments({"3", "0"}, "/lwm2m").error()) == err(errc::path_root_mismatch, 0));
    CHECK(describe(parse_path_segments({"LWM2M", "3"}, "/lwm2m").error()) == err(errc::path_root_mismatch, 0));
    CHECK(describe(parse_path_segments({"lwm2m2", "3"}, "/lwm2m").error()) == err(errc::path_root_mismatch, 0));
    CHECK(describe(parse_path_segments(std::array<std::string_view, 0>{}, "/lwm2m").error()) ==
          err(errc::path_root_mismatch, 0));
    CHECK(describe(parse_path_segments({"a"}, "/a/b").error()) == err(errc::path_root_mismatch, 1));
    CHECK(describe(parse_path_segments({"a", "c", "3"}, "/a/b").error()) == err(errc::path_root_mismatch, 1));
    CHECK(describe(parse_path_segments({"b", "a"}, "/a/b").error()) == err(errc::path_root_mismatch, 0));

    // id errors after the root count the root segments in the index
    CHECK(describe(parse_path_segments({"lwm2m", "x"}, "/lwm2m").error()) == err(errc::path_invalid_number, 1));
    CHECK(describe(parse_path_segments({"a", "b", "3", ""}, "/a/b").error()) == err(errc::path_syntax, 3));
    CHECK(describe(parse_path_segments({"a", "b", "3", "65535"}, "/a/b").error()) ==
          err(errc::path_id_out_of_range, 3));
    CHECK(describe(parse_path_segments({"lwm2m", "1", "2", "3", "4", "5"}, "/lwm2m").error()) ==
          err(errc::path_too_deep, 5));
}

// ---- round trips -----------------------------------------------------------------------------

TEST_CASE("round trip of 5000 seeded random paths: format -> parse, segments -> parse_path_segments") {
    splitmix64 rng{0x5EED0003};
    for (int n = 0; n < 5000; ++n) {
        const path p = random_path(rng);
        CAPTURE(p);

        // text
        const std::string text = format_string(p);
        CHECK(text.size() == p.text_length());
        CHECK(p.text().view() == text);
        CHECK(parse_path(text).value() == p);

        // Uri-Path segments, plain and under an alternate root
        std::vector<std::string> segs;
        for (auto s : p.segments()) segs.emplace_back(s.view());
        CHECK(segs.size() == p.depth());
        CHECK(parse_path_segments(segs).value() == p);
        std::vector<std::string> rooted{"lwm2m", "v1"};
        rooted.insert(rooted.end(), segs.begin(), segs.end());
        CHECK(parse_path_segments(rooted, "/lwm2m/v1").value() == p);

        // rebuilding through make / child gives the same path
        path rebuilt;
        for (std::size_t i = 0; i < p.depth(); ++i) rebuilt = rebuilt.child(p.id(i)).value();
        CHECK(rebuilt == p);

        // a trailing '/' is rejected at the offset of the empty segment
        if (!p.is_root()) CHECK(describe(parse_path(text + "/").error()) == err(errc::path_syntax, text.size() + 1));
    }
}

} // namespace
