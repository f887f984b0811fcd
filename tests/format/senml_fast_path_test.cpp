// Differential tests of the SenML shortcuts against the general code they stand for:
// - the SenML CBOR reader's one-pass plain records (`senml_cbor_reader::plain_record`), against
//   the general map reader given the same record as an indefinite-length map (which the one-pass
//   path never takes, and which keeps every offset inside the record the same);
// - the SenML JSON reader's (`senml_json_reader::plain_record`), against the general code given
//   the same record with a space before its '}' (likewise);
// - the first record of a pack taken in one pass, against the general code, by what it leaves
//   for the records after it (the base name, the version);
// - the whole SenML CBOR reader with its one-pass paths (`basic_senml_cbor_reader<true>`: the
//   first record, `instance_next`, `plain_next`, `plain_record`) against the general code alone
//   (`basic_senml_cbor_reader<false>`) on the same bytes: random packs of the shapes the one-pass
//   paths take, their near misses, and corruptions of them;
// - `path_builder::of` (a plain "bn" in one step) against feeding the characters;
// - `append_plain_ids` against `path_builder`, `take_plain_ids_n` (short names in one step)
//   against the loop of `take_plain_ids`.

#include <lwm2m/format/senml_cbor.hpp>
#include <lwm2m/format/senml_json.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>
#include "../support/sanitized.hpp"
#include "../support/test_schema.hpp"

namespace {

using lwm2m::data_type;
using lwm2m::errc;
using lwm2m::multiplicity;
using lwm2m::operations;
using lwm2m::path;
using lwm2m::resource_def;
using lwm2m::value_range;
using lwm2m::format::record;
using lwm2m::format::senml_cbor_reader;
namespace sd = lwm2m::format::senml::detail;

using lwm2m::test::res;
using lwm2m::test::range;

constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(1, data_type::string), res(2, data_type::string), res(3, data_type::string),
    res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::integer, true, range(0, 7)),
    res(7, data_type::integer, true), res(9, data_type::integer, false, range(0, 100)),
    res(10, data_type::integer), res(11, data_type::integer, true), res(12, data_type::float_),
    res(13, data_type::time), res(14, data_type::string), res(15, data_type::objlnk),
    res(16, data_type::string), res(17, data_type::unsigned_integer));
constexpr lwm2m::object_view schema_list[] = {device};
constexpr lwm2m::schema_registry schemas{schema_list};

/** The CBOR head of major type `major` with argument `n` (RFC 8949 §3: shortest form). */
std::string head(unsigned major, std::uint64_t n) {
    std::string out;
    const auto m = static_cast<char>(major << 5);
    if (n < 24) {
        out.push_back(static_cast<char>(m | static_cast<char>(n)));
    } else if (n <= 0xFF) {
        out.push_back(static_cast<char>(m | 24));
        out.push_back(static_cast<char>(n));
    } else {
        out.push_back(static_cast<char>(m | 25));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xFF));
    }
    return out;
}
std::string text(std::string_view s) { return head(3, s.size()) + std::string(s); }
std::string bytes(std::initializer_list<int> b) {
    std::string out;
    for (const int x : b) out.push_back(static_cast<char>(x));
    return out;
}

struct read_result {
    std::vector<record> records;
    std::optional<lwm2m::error> error;
};

template <class Reader = senml_cbor_reader>
read_result read(std::string_view payload, const path& base, const lwm2m::schema_registry* registry) {
    Reader reader(lwm2m::as_bytes(payload), base, registry);
    read_result out;
    for (int guard = 0; guard < 1000; ++guard) {
        auto r = reader.next();
        if (!r) {
            out.error = r.error();
            return out;
        }
        if (!*r) return out;
        out.records.push_back(**r);
    }
    FAIL("reader does not end");
    return out;
}

/**
 * `a` (read in one pass) and `b` (the same records in a form only the general code takes) hold
 * the same records, or the same error at the same offset: one byte further in `b` from
 * `shift_from` on, where its extra byte has come before. Returns the number of records.
 */
int check_same_reading(const read_result& a, const read_result& b, std::size_t shift_from) {
    REQUIRE(a.records.size() == b.records.size());
    for (std::size_t i = 0; i < a.records.size(); ++i) CHECK(a.records[i] == b.records[i]);
    REQUIRE(a.error.has_value() == b.error.has_value());
    if (a.error) {
        CHECK(lwm2m::name(a.error->code) == lwm2m::name(b.error->code));
        const std::size_t shift = a.error->offset >= shift_from ? 1 : 0;
        CHECK(a.error->offset + shift == b.error->offset);
    }
    return static_cast<int>(a.records.size());
}

// Names: plain ids (which the one-pass path takes) and every way of not being plain.
const std::vector<std::string> names = {
    "0", "1", "6/0", "6/1", "7/1", "9", "10", "11/0", "13", "14", "16", "17", "4", "5", "12", "15", "99", "6",
    "0/1", "06", "00", "6//0", "6/", "/6", "65534", "65535", "99999", "1/2/3", "1/2", "", "x", "6/0a", "\xc3\xa9",
    "\xff", "9/0", "3/0/9", "0123456789012345678901234"};

// A value's key and item: the forms the one-pass path takes and many it leaves to the general code.
const std::vector<std::string> values = {
    bytes({0x02, 0x00}), bytes({0x02, 0x05}), bytes({0x02, 0x17}), bytes({0x02, 0x18, 0x64}),
    bytes({0x02, 0x18, 0xC8}), bytes({0x02, 0x19, 0x0E, 0xD8}), bytes({0x02, 0x1A, 0x65, 0x53, 0xF1, 0x00}),
    bytes({0x02, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF}), bytes({0x02, 0x1B, 0, 0, 0, 1, 0, 0, 0, 0}),
    bytes({0x02, 0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), bytes({0x02, 0x20}),
    bytes({0x02, 0x37}), bytes({0x02, 0x38, 0x05}), bytes({0x02, 0xF9, 0x3C, 0x00}),
    bytes({0x02, 0xFA, 0x3F, 0xC0, 0x00, 0x00}), bytes({0x02, 0xC4, 0x82, 0x21, 0x19, 0x6A, 0xB3}),
    bytes({0x02, 0x1C}), bytes({0x02, 0xF5}), bytes({0x02, 0x61, 0x31}),
    "\x03" + text("U"), "\x03" + text("Open Mobile Alliance"), "\x03" + text(""),
    "\x03" + text("a text of more than twenty-three characters"), "\x03" + text("caf\xc3\xa9"),
    "\x03" + text("bad \xff utf-8"), "\x03" + text("66:0"), bytes({0x03, 0x42, 0x61, 0x62}), bytes({0x03, 0x01}),
    bytes({0x03, 0x7F, 0x61, 0x62, 0xFF}), bytes({0x04, 0xF4}), bytes({0x04, 0xF5}), bytes({0x04, 0x00}),
    bytes({0x04, 0xF6}), bytes({0x08, 0x42, 0x61, 0x62}), bytes({0x08, 0x61, 0x61}), "\x09" + text("x"),
    bytes({0x06, 0x01}), bytes({0x00, 0x61, 0x31}), "\x21" + text("/3/0/"), "\x63vlo" + text("66:0")};

// The first record: "bn" alone, or with fields that leave later records to the general code.
const std::vector<std::string> first_records = {
    bytes({0xA1, 0x21}) + text("/3/0/"),
    bytes({0xA1, 0x21}) + text("/3/"),
    bytes({0xA1, 0x21}) + text("/3/0"),
    bytes({0xA1, 0x21}) + text("/4/0/"),
    bytes({0xA1, 0x21}) + text("/"),
    bytes({0xA1, 0x21}) + text("/3/0/1/"),
    bytes({0xA1, 0x21}) + text("/3/00/"),
    bytes({0xA2, 0x21}) + text("/3/0/") + bytes({0x22, 0x01}),
    bytes({0xA2, 0x21}) + text("/3/0/") + bytes({0x24, 0x0A}),
    bytes({0xA2, 0x21}) + text("/3/0/") + bytes({0x20, 0x0A}),
    bytes({0xA1, 0x20, 0x0A}),
};

} // namespace

TEST_CASE("SenML CBOR one-pass records read as the general code reads them (definite vs indefinite map)") {
    const path bases[] = {*path::make(3, 0), path{}, *path::make(3)};
    int compared = 0, records_read = 0;
    int combination = 0;  // every one, or a sample under sanitizers (support/sanitized.hpp)
    for (const std::string& first : first_records) {
        for (const std::string& name : names) {
            for (const std::string& v : values) {
                if (!lwm2m::test::sampled(combination++)) continue;
                // [first, {0: name, value}, {0: "1", 3: "x"}]: the record under test as a map of
                // two pairs (0xA2, the one-pass form) and as an indefinite map (0xBF ... 0xFF).
                const std::string body = std::string(1, '\0') + text(name) + v;
                const std::string trailer = bytes({0xA2, 0x00, 0x61, 0x31, 0x03, 0x61, 0x78});
                const std::string definite = "\x83" + first + "\xA2" + body + trailer;
                const std::string indefinite = "\x83" + first + "\xBF" + body + "\xFF" + trailer;
                const std::size_t trailer_at = 1 + first.size() + 1 + body.size();
                for (const path& base : bases) {
                    for (const lwm2m::schema_registry* registry : {&schemas, static_cast<const lwm2m::schema_registry*>(nullptr)}) {
                        const read_result a = read(definite, base, registry);
                        const read_result b = read(indefinite, base, registry);
                        CAPTURE(name);
                        CAPTURE(v.size());
                        CAPTURE(static_cast<int>(static_cast<unsigned char>(v[0])));
                        CAPTURE(base.text().view());
                        CAPTURE(first.size());
                        records_read += check_same_reading(a, b, trailer_at);
                        ++compared;
                    }
                }
            }
        }
    }
    CHECK(compared > lwm2m::test::scaled(10000));
    CHECK(records_read > lwm2m::test::scaled(1000));
}

TEST_CASE("SenML CBOR one-pass records opened by \"bn\" read as the general code reads them") {
    const std::vector<std::string> base_names = {"/3/0/", "/3/", "/", "/3/0", "/4/0/", "/3/00/", "/3/0/1/", "", "x",
                                                 "/3/0//", "/3/65535/", "\xc3\xa9/", "/3/0/1/2/"};
    // Records before: none, or ones that leave the pack plain or not.
    const std::vector<std::string> befores = {"", bytes({0xA1, 0x22, 0x01}), bytes({0xA1, 0x24, 0x01}),
                                              bytes({0xA1, 0x20, 0x0A}), bytes({0xA1, 0x21}) + text("/3/1/")};
    const path bases[] = {*path::make(3, 0), path{}};
    int compared = 0, records_read = 0;
    int combination = 0;  // every one, or a sample under sanitizers (support/sanitized.hpp)
    for (const std::string& before : befores) {
        for (const std::string& bn : base_names) {
            for (const std::string& name : names) {
                for (const std::string& v : values) {
                    if (!lwm2m::test::sampled(combination++)) continue;
                    const std::string body = "\x21" + text(bn) + std::string(1, '\0') + text(name) + v;
                    const std::string trailer = bytes({0xA2, 0x00, 0x61, 0x31, 0x03, 0x61, 0x78});
                    const std::string count = before.empty() ? "\x82" : "\x83";
                    const std::string definite = count + before + "\xA3" + body + trailer;
                    const std::string indefinite = count + before + "\xBF" + body + "\xFF" + trailer;
                    const std::size_t trailer_at = 1 + before.size() + 1 + body.size();
                    for (const path& base : bases) {
                        const read_result a = read(definite, base, &schemas);
                        const read_result b = read(indefinite, base, &schemas);
                        CAPTURE(bn);
                        CAPTURE(name);
                        CAPTURE(static_cast<int>(static_cast<unsigned char>(v[0])));
                        CAPTURE(before.size());
                        records_read += check_same_reading(a, b, trailer_at);
                        ++compared;
                    }
                }
            }
        }
    }
    CHECK(compared > lwm2m::test::scaled(10000));
    CHECK(records_read > lwm2m::test::scaled(1000));
}

TEST_CASE("SenML CBOR one-pass records: the Device pack, and errors at the general code's offsets") {
    // [{-2: "/3/0/", 0: "0", 3: "Open"}, {0: "9", 2: 100}, {0: "6/0", 2: 1}, {0: "13", 2: 1700000000}, {0: "4", 4: true}]
    const std::string pack = "\x85" + bytes({0xA3, 0x21}) + text("/3/0/") + bytes({0x00}) + text("0") + "\x03" + text("Open") +
                             bytes({0xA2, 0x00, 0x61, '9', 0x02, 0x18, 0x64}) +
                             bytes({0xA2, 0x00, 0x63, '6', '/', '0', 0x02, 0x01}) +
                             bytes({0xA2, 0x00, 0x62, '1', '3', 0x02, 0x1A, 0x65, 0x53, 0xF1, 0x00}) +
                             bytes({0xA2, 0x00, 0x61, '4', 0x04, 0xF5});
    const read_result r = read(pack, *path::make(3, 0), &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 5);
    CHECK(r.records[1].path == *path::make(3, 0, 9));
    CHECK(r.records[1].value == lwm2m::value::of_integer(100));
    CHECK(r.records[2].path == *path::make(3, 0, 6, 0));
    CHECK(r.records[3].value == lwm2m::value::of_time(1700000000));
    CHECK(r.records[3].time == std::nullopt);
    CHECK(r.records[4].value == lwm2m::value::of_boolean(true));

    // Errors the schema finds in a one-pass record: offsets of the name and of the value.
    const std::string start = "\x82" + bytes({0xA1, 0x21}) + text("/3/0/");
    const std::size_t at = start.size();  // the record's map head
    auto error_of = [&](const std::string& record) {
        const read_result e = read(start + record, *path::make(3, 0), &schemas);
        REQUIRE(e.error.has_value());
        return *e.error;
    };
    lwm2m::error e = error_of(bytes({0xA2, 0x00, 0x62, '9', '9', 0x02, 0x01}));
    CHECK(e.code == errc::resource_not_in_schema);
    CHECK(e.offset == at + 2);
    e = error_of(bytes({0xA2, 0x00, 0x61, '6', 0x02, 0x01}));
    CHECK(e.code == errc::invalid_nesting);
    CHECK(e.offset == at + 2);
    e = error_of(bytes({0xA2, 0x00, 0x61, '9', 0x02, 0x18, 0xC8}));
    CHECK(e.code == errc::number_out_of_range);
    CHECK(e.offset == at + 5);
    // Truncated in the name or the value: the general code's error.
    e = error_of(bytes({0xA2, 0x00, 0x63, '6', '/'}));
    CHECK(e.code == errc::truncated_value);
    CHECK(e.offset == at + 2);
    e = error_of(bytes({0xA2, 0x00, 0x61, '9', 0x02, 0x19, 0x01}));
    CHECK(e.code == errc::truncated_value);
    CHECK(e.offset == at + 5);
}

TEST_CASE("SenML JSON one-pass records read as the general code reads them (compact vs a space before '}')") {
    const std::vector<std::string> json_names = {
        "0", "1", "6/0", "6/1", "9", "10", "11/0", "13", "14", "16", "17", "4", "5", "12", "15", "99", "6", "0/1",
        "06", "6//0", "6/", "/6", "65534", "65535", "1/2/3", "", "x", "\\u0036", "\xc3\xa9", "9/0", "3/0/9"};
    const std::vector<std::string> json_values = {
        R"("v":0)", R"("v":1)", R"("v":100)", R"("v":200)", R"("v":1700000000)", R"("v":123456789012345678)",
        R"("v":1234567890123456789)", R"("v":12345678901234567890)", R"("v":-5)", R"("v":1.5)", R"("v":1e3)",
        R"("v":01)", R"("v":0.0)", R"("v":true)", R"("v":"1")", R"("vs":"U")", R"("vs":"")",
        R"("vs":"Open Mobile Alliance")", R"("vs":"a\"b")", "\"vs\":\"caf\xc3\xa9\"", R"("vs":"\u00e9")",
        R"("vs":"66:0")", R"("vs":1)", R"("vb":true)", R"("vb":false)", R"("vb":1)", R"("vb":tru)", R"("vd":"YWI")",
        R"("vlo":"66:0")", R"("t":1)", R"("n":"1")", R"("x":1)", R"("bn":"/3/0/")", R"("v":1,"t":5)",
        R"("vs" : "U")"};
    const std::vector<std::string> json_firsts = {
        R"({"bn":"/3/0/"})", R"({"bn":"/3/"})", R"({"bn":"/3/0"})", R"({"bn":"/4/0/"})", R"({"bn":"/"})",
        R"({"bn":"/3/0/1/"})", R"({"bn":"/3/0/","bt":1})", R"({"bn":"/3/0/","bv":10})", R"({"bver":10})",
        R"({"bn":"/3/0/","n":"0","vs":"x"})"};
    const path bases[] = {*path::make(3, 0), path{}, *path::make(3)};
    int compared = 0, records_read = 0;
    int combination = 0;  // every one, or a sample under sanitizers (support/sanitized.hpp)
    // The first record with a "bn" too: {"bn":...,"n":...,value} (one pass when "bn" is plain).
    const std::vector<std::string> json_base_names = {"/3/0/", "/3/", "/", "/3/0", "/4/0/", "/3/00/", "/3/0/1/",
                                                      "", "x", "/3/0//", "\\u002f3/0/", "\xc3\xa9/"};
    const std::vector<std::string> json_befores = {"", R"({"bt":1},)", R"({"bv":1},)", R"({"bver":10},)",
                                                   R"({"bn":"/3/1/"},)"};
    for (const std::string& before : json_befores) {
    for (const std::string& bn : json_base_names) {
        for (const std::string& name : json_names) {
            for (const std::string& v : json_values) {
                if (!lwm2m::test::sampled(combination++)) continue;
                const std::string body = before + R"({"bn":")" + bn + R"(","n":")" + name + R"(",)" + v;
                const std::string trailer = R"(,{"n":"1","vs":"x"}])";
                const std::string compact = "[" + body + "}" + trailer;
                const std::string spaced = "[" + body + " }" + trailer;
                const std::size_t trailer_at = 1 + body.size() + 1;
                for (const path& base : bases) {
                    const read_result a = read<lwm2m::format::senml_json_reader>(compact, base, &schemas);
                    const read_result b = read<lwm2m::format::senml_json_reader>(spaced, base, &schemas);
                    CAPTURE(compact);
                    CAPTURE(base.text().view());
                    records_read += check_same_reading(a, b, trailer_at);
                    ++compared;
                }
            }
        }
    }
    }
    for (const std::string& first : json_firsts) {
        for (const std::string& name : json_names) {
            for (const std::string& v : json_values) {
                if (!lwm2m::test::sampled(combination++)) continue;
                const std::string body = R"({"n":")" + name + R"(",)" + v;
                const std::string trailer = R"(,{"n":"1","vs":"x"}])";
                const std::string compact = "[" + first + "," + body + "}" + trailer;
                const std::string spaced = "[" + first + "," + body + " }" + trailer;
                const std::size_t trailer_at = 1 + first.size() + 1 + body.size() + 1;
                for (const path& base : bases) {
                    for (const lwm2m::schema_registry* registry : {&schemas, static_cast<const lwm2m::schema_registry*>(nullptr)}) {
                        const read_result a = read<lwm2m::format::senml_json_reader>(compact, base, registry);
                        const read_result b = read<lwm2m::format::senml_json_reader>(spaced, base, registry);
                        CAPTURE(compact);
                        CAPTURE(base.text().view());
                        records_read += check_same_reading(a, b, trailer_at);
                        ++compared;
                    }
                }
            }
        }
    }
    CHECK(compared > lwm2m::test::scaled(10000));
    CHECK(records_read > lwm2m::test::scaled(1000));
}

TEST_CASE("path_builder::of gives the state the characters give, for plain and other base names") {
    std::mt19937 rng(20240611);
    const std::string_view alphabet = "/0123456789x";
    for (int i = 0; i < 20000; ++i) {
        std::string t;
        const int length = static_cast<int>(rng() % 12);
        for (int k = 0; k < length; ++k) t.push_back(alphabet[rng() % (k == 0 ? 1 + alphabet.size() / 6 : alphabet.size())]);
        if (rng() % 2 == 0 && !t.empty()) t.back() = '/';
        CAPTURE(t);
        const sd::text_field f{t, lwm2m::text_encoding::raw, 0};
        sd::path_builder fed;
        fed.put(f);
        sd::path_builder one = sd::path_builder::of(f);
        CHECK(one.at_segment_start() == fed.at_segment_start());
        CHECK(one.completed() == fed.completed());
        // The same continuation gives the same path or the same error.
        for (const std::string_view more : {std::string_view{}, std::string_view{"1/2"}, std::string_view{"/"},
                                            std::string_view{"0"}, std::string_view{"05"}}) {
            sd::path_builder a = one, b = fed;
            for (const char c : more) {
                a.put(c);
                b.put(c);
            }
            const auto ra = a.finish();
            const auto rb = b.finish();
            REQUIRE(ra.has_value() == rb.has_value());
            if (ra) CHECK(*ra == *rb);
            else CHECK(ra.error().code == rb.error().code);
        }
    }
}

TEST_CASE("append_plain_ids takes exactly the names path_builder accepts, with the same path") {
    std::mt19937 rng(8428);
    const std::string_view alphabet = "/0123456789x";
    const path starts[] = {path{}, *path::make(3), *path::make(3, 0), *path::make(3, 0, 1), *path::make(3, 0, 1, 2)};
    int taken = 0;
    for (int i = 0; i < 40000; ++i) {
        std::string t;
        const int length = static_cast<int>(rng() % 14);
        for (int k = 0; k < length; ++k) t.push_back(alphabet[rng() % alphabet.size()]);
        if (rng() % 4 == 0) t = std::to_string(rng() % 70000);
        const path& start = starts[rng() % std::size(starts)];
        CAPTURE(t);
        CAPTURE(start.text().view());
        std::string bn = std::string(start.text().view());
        if (!start.is_root()) bn.push_back('/');
        sd::path_builder b;
        for (const char c : bn + t) b.put(c);
        const auto parsed = b.finish();
        path p = start;
        const bool plain = sd::append_plain_ids(p, t);
        CHECK(plain == (parsed.has_value() && !t.empty()));
        if (plain) {
            CHECK(p == *parsed);
            ++taken;
        } else {
            CHECK(p == start);  // untouched
        }
    }
    CHECK(taken > 1000);
}

TEST_CASE("take_plain_ids_n (short names in one step) takes what take_plain_ids takes, with the same ids") {
    std::mt19937 rng(7);
    const std::string_view alphabet = "/0123456789x";
    int taken = 0;
    for (int i = 0; i < 60000; ++i) {
        std::string t;
        const int length = static_cast<int>(rng() % 7);
        for (int k = 0; k < length; ++k) t.push_back(alphabet[rng() % alphabet.size()]);
        const std::size_t depth0 = rng() % 5;
        std::uint64_t lanes0 = 0xFFFFFFFFFFFFFFFFu;
        for (std::size_t d = 0; d < depth0; ++d) lanes0 ^= std::uint64_t{0xFFFFu ^ (rng() % 100)} << (16 * d);
        CAPTURE(t);
        CAPTURE(depth0);
        std::uint64_t lanes_a = lanes0, lanes_b = lanes0;
        std::size_t depth_a = depth0, depth_b = depth0;
        // Exactly the n characters: the text is copied so that nothing after it can be read.
        const std::vector<char> copy(t.begin(), t.end());
        const bool a = sd::take_plain_ids_n(lanes_a, depth_a, copy.data(), copy.size());
        const bool b = sd::take_plain_ids(lanes_b, depth_b, t.data(), t.data() + t.size());
        REQUIRE(a == b);
        if (a) {
            CHECK(lanes_a == lanes_b);
            CHECK(depth_a == depth_b);
            ++taken;
        } else {
            CHECK(lanes_a == lanes0);  // untouched
            CHECK(depth_a == depth0);
        }
    }
    CHECK(taken > 5000);
}

TEST_CASE("SenML one-pass first records leave the pack as the general code leaves it") {
    // The first record, opened by a plain "bn", read in one pass (compact JSON / a definite CBOR
    // map) or by the general code (a space before its '}' / an indefinite map), then records
    // that depend on what it set: the base name (a record without "n" is named by it), the
    // version (a later "bver" must match: none was given, so 10), the count.
    const std::vector<std::string> json_nexts = {
        R"({"vs":"x"})",          R"({"n":"1","vs":"x"})",          R"({"bver":10,"n":"1","vs":"x"})",
        R"({"bver":9,"n":"1","vs":"x"})", R"({"n":"6/0","v":1,"t":5})", R"({"bn":"/3/0/1","vs":"x"})",
        R"({"bn":"/3/1/","n":"1","vs":"x"})", R"({"n":"99","v":1})",   R"({"bt":5,"n":"13","v":1})",
        R"({"n":"1","vs":"x","u":"m"})"};
    const std::vector<std::string> json_firsts = {R"({"bn":"/3/0/","n":"0","vs":"Open")", R"({"bn":"/3/0/","n":"9","v":100)",
                                                  R"({"bn":"/3/0/","n":"6/0","v":1)", R"({"bn":"/","n":"3/0/13","v":1700000000)",
                                                  R"({"bn":"/3/0/","n":"9","v":200)", R"({"bn":"/3/0/","n":"4","vb":true)"};
    int compared = 0;
    for (const std::string& first : json_firsts) {
        for (const std::string& next : json_nexts) {
            const std::string compact = "[" + first + "}," + next + "]";
            const std::string spaced = "[" + first + " }," + next + "]";
            for (const path& base : {*path::make(3, 0), path{}}) {
                for (const lwm2m::schema_registry* registry : {&schemas, static_cast<const lwm2m::schema_registry*>(nullptr)}) {
                    CAPTURE(compact);
                    const read_result a = read<lwm2m::format::senml_json_reader>(compact, base, registry);
                    const read_result b = read<lwm2m::format::senml_json_reader>(spaced, base, registry);
                    check_same_reading(a, b, 1 + first.size());
                    ++compared;
                }
            }
        }
    }
    const std::vector<std::string> cbor_nexts = {
        "\xA1\x03" + text("x"),
        "\xA2" + std::string(1, '\0') + text("1") + "\x03" + text("x"),
        "\xA3\x20\x0A" + std::string(1, '\0') + text("1") + "\x03" + text("x"),
        "\xA3\x20\x09" + std::string(1, '\0') + text("1") + "\x03" + text("x"),
        "\xA3" + std::string(1, '\0') + text("6/0") + bytes({0x02, 0x01, 0x06, 0x05}),
        "\xA2\x21" + text("/3/0/1") + "\x03" + text("x"),
        "\xA3\x21" + text("/3/1/") + std::string(1, '\0') + text("1") + "\x03" + text("x"),
        "\xA2" + std::string(1, '\0') + text("99") + bytes({0x02, 0x01}),
        "\xA3\x22\x05" + std::string(1, '\0') + text("13") + bytes({0x02, 0x01})};
    const std::vector<std::string> cbor_firsts = {
        "\x21" + text("/3/0/") + std::string(1, '\0') + text("0") + "\x03" + text("Open"),
        "\x21" + text("/3/0/") + std::string(1, '\0') + text("9") + bytes({0x02, 0x18, 0x64}),
        "\x21" + text("/3/0/") + std::string(1, '\0') + text("6/0") + bytes({0x02, 0x01}),
        "\x21" + text("/") + std::string(1, '\0') + text("3/0/13") + bytes({0x02, 0x1A, 0x65, 0x53, 0xF1, 0x00}),
        "\x21" + text("/3/0/") + std::string(1, '\0') + text("9") + bytes({0x02, 0x18, 0xC8}),
        "\x21" + text("/3/0/") + std::string(1, '\0') + text("4") + bytes({0x04, 0xF5})};
    for (const std::string& first : cbor_firsts) {
        for (const std::string& next : cbor_nexts) {
            const std::string definite = "\x82\xA3" + first + next;
            const std::string indefinite = "\x82\xBF" + first + "\xFF" + next;
            for (const path& base : {*path::make(3, 0), path{}}) {
                for (const lwm2m::schema_registry* registry : {&schemas, static_cast<const lwm2m::schema_registry*>(nullptr)}) {
                    CAPTURE(first.size());
                    CAPTURE(next.size());
                    const read_result a = read(definite, base, registry);
                    const read_result b = read(indefinite, base, registry);
                    check_same_reading(a, b, 2 + first.size());
                    ++compared;
                }
            }
        }
    }
    // An array head that counts more records than the bytes can hold is an error before the
    // first record (the general code's truncated_value at 0), however plain that record is.
    for (const std::string& first : cbor_firsts) {
        for (const char count : {'\x81', '\x82', '\x91', '\x97'}) {
            const std::string definite = std::string(1, count) + "\xA3" + first;  // the records view it
            const std::string indefinite = std::string(1, count) + "\xBF" + first + "\xFF";
            const read_result a = read(definite, *path::make(3, 0), &schemas);
            const read_result b = read(indefinite, *path::make(3, 0), &schemas);
            CAPTURE(static_cast<int>(static_cast<unsigned char>(count)));
            check_same_reading(a, b, 2 + first.size());
            ++compared;
        }
    }
    CHECK(compared > 200);
}

namespace {

using one_pass_cbor_reader = lwm2m::format::detail::basic_senml_cbor_reader<true>;
using general_cbor_reader = lwm2m::format::detail::basic_senml_cbor_reader<false>;

/** A random SenML CBOR pack of the shapes the one-pass paths take, and their near misses. */
struct cbor_pack_generator {
    std::mt19937_64 rng;
    unsigned below(unsigned n) { return static_cast<unsigned>(rng() % n); }
    template <class T, std::size_t N>
    const T& pick(const T (&items)[N]) { return items[below(N)]; }

    std::string digits(unsigned max) { return std::to_string(below(max)); }

    /** A name: mostly "R", "RR", "R/I", "RR/I" (the object-instance shapes), else anything near. */
    std::string name() {
        switch (below(12)) {
        case 0: case 1: case 2: return digits(10);
        case 3: case 4: return std::to_string(10 + below(90));
        case 5: case 6: return digits(10) + "/" + digits(10);
        case 7: return std::to_string(10 + below(90)) + "/" + digits(10);
        case 8: {  // characters of names, shuffled: leading zeros, '/' anywhere, too long, ...
            std::string n;
            const unsigned length = below(7);
            for (unsigned k = 0; k < length; ++k) n.push_back("0123456789//x"[below(13)]);
            return n;
        }
        case 9: return digits(10) + "/" + std::to_string(below(70000));
        case 10: return std::to_string(below(70000));
        default: {
            static const char* const odd[] = {"", "0/0/0", "1/2/3", "\xc3\xa9", "6/0/", "/6", "06", "6/01", ":", "9/"};
            return pick(odd);
        }
        }
    }

    /** A value pair: mostly "v" small integers, "vs" short texts, "vb"; else other forms. */
    std::string value_pair() {
        switch (below(14)) {
        case 0: case 1: return bytes({0x02}) + head(0, below(4) == 0 ? rng() % 70000 : below(30));
        case 2: return bytes({0x02}) + head(1, below(30));
        case 3: {  // 32- and 64-bit integers
            std::string v = bytes({0x02, below(2) == 0 ? 0x1A : 0x3A});
            for (int k = 0; k < 4; ++k) v.push_back(static_cast<char>(below(256)));
            return v;
        }
        case 4: case 5: {  // a text, mostly ASCII, sometimes of a longer head
            std::string t;
            const unsigned length = below(5) == 0 ? below(40) : below(12);
            for (unsigned k = 0; k < length; ++k) t.push_back(below(15) == 0 ? static_cast<char>(0x80 + below(128)) : static_cast<char>('a' + below(26)));
            return "\x03" + text(t);
        }
        case 6: return bytes({0x04, below(3) == 0 ? static_cast<int>(below(256)) : 0xF4 + static_cast<int>(below(2))});
        case 7: return bytes({0x02, 0xFB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0});
        case 8: return bytes({0x08, 0x42, 0x61, 0x62});
        case 9: return "\x63vlo" + text(below(2) == 0 ? "3:0" : "x");
        case 10: return bytes({0x02, 0x1B, 0, 0, 0, 0, 0, 0, 0, static_cast<int>(below(256))});
        case 11: return bytes({0x06, 0x01, 0x02, 0x05});  // "t" then "v"
        case 12: return bytes({static_cast<int>(below(0x40))}) + head(0, below(30));  // another key
        default: return "\x03" + text("66:0");
        }
    }

    /** A record the test schema's Device takes as it is (when "bn" is "/3/0/"). */
    std::string typed_record() {
        const auto integer = [&](unsigned max) { return bytes({0x02}) + head(0, below(max + 1)); };
        const auto instance = [&] { return "/" + digits(4); };
        std::string n, v;
        switch (below(9)) {
        case 0: n = pick({"0", "1", "2", "3", "14", "16"}); v = "\x03" + text(std::string(below(24), 'a' + static_cast<char>(below(26)))); break;
        case 1: n = "4"; v = bytes({0x04, 0xF4 + static_cast<int>(below(2))}); break;
        case 2: n = "9"; v = integer(100); break;
        case 3: n = "10"; v = integer(70000); break;
        case 4: n = "6" + instance(); v = integer(7); break;
        case 5: n = pick({"7", "11"}) + instance(); v = integer(5000); break;
        case 6: n = "13"; v = bytes({0x02, 0x1A, 0x65, 0x53, 0xF1, static_cast<int>(below(256))}); break;
        case 7: n = "17"; v = integer(300); break;
        default: n = "9"; v = integer(200); break;  // sometimes out of range
        }
        return "\xA2" + std::string(1, '\0') + text(n) + v;
    }
    template <std::size_t N>
    std::string pick(const std::string (&items)[N]) { return items[below(N)]; }

    std::string record() {
        if (typed_) return typed_record();
        const unsigned shape = below(16);
        if (shape < 12) return "\xA2" + std::string(1, '\0') + text(name()) + value_pair();
        if (shape == 12) return "\xA2" + value_pair() + std::string(1, '\0') + text(name());  // value first
        if (shape == 13) return "\xA1" + std::string(1, '\0') + text(name());                  // no value
        if (shape == 14) return "\xA3" + std::string(1, '\0') + text(name()) + value_pair() + bytes({0x07, 0x01});
        return "\xA2\x21" + text(pick(base_names)) + std::string(1, '\0') + text(name());     // a new "bn", no value
    }

    static constexpr const char* base_names[] = {"/3/0/", "/3/0/", "/3/0/", "/3/1/", "/4/0/", "/3/", "/", "/3/0/6/", "/3/0", "/03/0/", "/3/65535/"};

    std::string first_record() {
        if (typed_) {  // "bn" /3/0/ and a typed record
            const std::string r = typed_record();
            return "\xA3\x21" + text("/3/0/") + r.substr(1);
        }
        switch (below(6)) {
        case 0: case 1: case 2:  // "bn", "n" and a value: what `first_record` takes
            return "\xA3\x21" + text(pick(base_names)) + std::string(1, '\0') + text(name()) + value_pair();
        case 3: return "\xA1\x21" + text(pick(base_names));  // "bn" alone
        case 4: return "\xA2\x21" + text(pick(base_names)) + bytes({0x22, 0x01});  // and "bv"
        default: return record();
        }
    }

    bool typed_ = false;  // records the schema takes (`typed_record`)

    std::string pack() {
        typed_ = below(2) == 0;
        const unsigned n = 1 + below(12);
        std::string body = first_record();
        for (unsigned k = 1; k < n; ++k) body += record();
        const unsigned count_shape = typed_ ? 3 : below(10);
        if (count_shape == 0) return "\x9F" + body + "\xFF";                // indefinite
        const unsigned count = count_shape == 1 ? n + 1 : count_shape == 2 ? n - 1 : n;  // wrong counts too
        return head(4, count) + body;
    }

    void corrupt(std::string& p) {
        if (p.empty()) return;
        const std::size_t at = below(static_cast<unsigned>(p.size()));
        switch (below(5)) {
        case 0: p[at] = static_cast<char>(below(256)); break;
        case 1: p[at] = static_cast<char>(p[at] ^ (1 << below(8))); break;
        case 2: p.erase(at, 1); break;
        case 3: p.insert(at, 1, static_cast<char>(below(256))); break;
        default: p.resize(at); break;  // truncated
        }
    }
};

/**
 * The one-pass reader and the general code read `payload` alike: same records, same error at
 * the same offset. The payload is read from a heap block of exactly its size, so that a
 * sanitized build sees a read past its end. Returns the records read; counts an error.
 */
int one_pass_agrees_with_general(std::string_view payload, const path& base, const lwm2m::schema_registry* registry,
                                 int& errors) {
    const std::unique_ptr<char[]> exact(new char[payload.size()]);
    if (!payload.empty()) std::memcpy(exact.get(), payload.data(), payload.size());
    const std::string_view bytes{exact.get(), payload.size()};
    const read_result fast = read<one_pass_cbor_reader>(bytes, base, registry);
    const read_result general = read<general_cbor_reader>(bytes, base, registry);
    REQUIRE(fast.records.size() == general.records.size());
    for (std::size_t i = 0; i < fast.records.size(); ++i) CHECK(fast.records[i] == general.records[i]);
    REQUIRE(fast.error.has_value() == general.error.has_value());
    if (fast.error) {
        CHECK(lwm2m::name(fast.error->code) == lwm2m::name(general.error->code));
        CHECK(fast.error->offset == general.error->offset);
        ++errors;
    }
    return static_cast<int>(general.records.size());
}

} // namespace

TEST_CASE("SenML CBOR reader: every prefix of a pack of each one-pass shape reads as the general code reads it (differential)") {
    // Names "R", "RR", "R/I", "RR/I" and others, values "v" of each head, "vs", "vb": cut after
    // every byte, the one-pass paths must neither read past the end nor decide otherwise.
    std::string body = "\xA3\x21" + text("/3/0/") + std::string(1, '\0') + text("0") + "\x03" + text("Open");
    const std::string records[] = {
        bytes({0xA2, 0x00, 0x61, '9', 0x02, 0x18, 0x64}),      bytes({0xA2, 0x00, 0x62, '1', '0', 0x02, 0x19, 0x0E, 0xD8}),
        bytes({0xA2, 0x00, 0x63, '6', '/', '0', 0x02, 0x01}), bytes({0xA2, 0x00, 0x64, '1', '1', '/', '0', 0x02, 0x00}),
        bytes({0xA2, 0x00, 0x62, '1', '3', 0x02, 0x1A, 0x65, 0x53, 0xF1, 0x00}),
        bytes({0xA2, 0x00, 0x61, '4', 0x04, 0xF5}),           bytes({0xA2, 0x00, 0x62, '1', '6', 0x03, 0x61, 'U'}),
        bytes({0xA2, 0x00, 0x63, '1', '0', '0', 0x02, 0x01}),  bytes({0xA2, 0x00, 0x64, '7', '/', '1', '2', 0x02, 0x01})};
    int errors = 0, compared = 0;
    for (const std::string& r : records) body += r;
    const std::string pack = head(4, 1 + std::size(records)) + body;
    for (std::size_t cut = 0; cut <= pack.size(); ++cut) {
        for (const lwm2m::schema_registry* registry : {&schemas, static_cast<const lwm2m::schema_registry*>(nullptr)}) {
            CAPTURE(cut);
            one_pass_agrees_with_general(std::string_view{pack}.substr(0, cut), *path::make(3, 0), registry, errors);
            ++compared;
        }
    }
    // Each record alone after the first, cut after every byte.
    for (const std::string& r : records) {
        const std::string one = "\x82" + body.substr(0, body.find('\xA2')) + r;
        for (std::size_t cut = one.size() - r.size(); cut <= one.size(); ++cut) {
            CAPTURE(cut);
            one_pass_agrees_with_general(std::string_view{one}.substr(0, cut), *path::make(3, 0), &schemas, errors);
            ++compared;
        }
    }
    CHECK(errors > compared / 2);  // the cut packs
}

TEST_CASE("SenML CBOR reader: the one-pass paths read every pack as the general code alone reads it (differential)") {
    cbor_pack_generator gen{std::mt19937_64{0x5e4d1cb0u}};
    const path bases[] = {*path::make(3, 0), path{}, *path::make(3), *path::make(3, 0, 6), *path::make(4, 0)};
    int records = 0, errors = 0, corrupted = 0, whole_packs = 0;
    for (int iteration = 0; iteration < lwm2m::test::scaled(40000); ++iteration) {
        std::string payload = gen.pack();
        if (gen.below(4) == 0) {
            const unsigned changes = 1 + gen.below(3);
            for (unsigned k = 0; k < changes; ++k) gen.corrupt(payload);
            ++corrupted;
        }
        const path& base = gen.typed_ && gen.below(2) == 0 ? bases[0] : bases[gen.below(std::size(bases))];
        const lwm2m::schema_registry* registry = gen.below(4) == 0 ? nullptr : &schemas;
        CAPTURE(iteration);
        const int errors_before = errors;
        records += one_pass_agrees_with_general(payload, base, registry, errors);
        if (errors == errors_before) ++whole_packs;
    }
    CHECK(records > lwm2m::test::scaled(40000));
    CHECK(errors > lwm2m::test::scaled(5000));
    CHECK(whole_packs > lwm2m::test::scaled(5000));
    CHECK(corrupted > lwm2m::test::scaled(5000));
}
