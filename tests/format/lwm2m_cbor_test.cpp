#include <lwm2m/format/lwm2m_cbor.hpp>

#include <doctest/doctest.h>

#include <lwm2m/format/cbor/writer.hpp>
#include <lwm2m/format/content_format.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "../support/test_schema.hpp"

namespace {

using lwm2m::data_type;
using lwm2m::errc;
using lwm2m::multiplicity;
using lwm2m::objlnk;
using lwm2m::operations;
using lwm2m::path;
using lwm2m::resource_def;
using lwm2m::text_encoding;
using lwm2m::value;
using lwm2m::value_kind;
using lwm2m::value_range;
using lwm2m::format::lwm2m_cbor_reader;
using lwm2m::format::record;
using bytes = std::vector<std::byte>;

// ---- schemas --------------------------------------------------------------------------------

using lwm2m::test::res;
using lwm2m::test::range;

constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(1, data_type::string), res(2, data_type::string), res(3, data_type::string),
    res(4, data_type::none), res(6, data_type::integer, true, range(0, 7)), res(7, data_type::integer, true),
    res(8, data_type::integer, true), res(9, data_type::integer, false, range(0, 100)), res(10, data_type::integer),
    res(11, data_type::integer, true), res(13, data_type::time), res(14, data_type::string),
    res(16, data_type::string), res(22, data_type::objlnk, true));

constexpr auto all_types = lwm2m::make_object(
    lwm2m::object_info{9000, "AllTypes", {1, 0}, multiplicity::multiple, lwm2m::presence::optional, {}},
    res(0, data_type::string), res(1, data_type::integer), res(2, data_type::unsigned_integer),
    res(3, data_type::float_), res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::time),
    res(7, data_type::objlnk), res(8, data_type::corelnk), res(9, data_type::none),
    res(10, data_type::string, true), res(11, data_type::integer, true), res(12, data_type::unsigned_integer, true),
    res(13, data_type::float_, true), res(14, data_type::boolean, true), res(15, data_type::opaque, true),
    res(16, data_type::time, true), res(17, data_type::objlnk, true), res(18, data_type::corelnk, true),
    res(20, data_type::integer, false, range(0, 100)), res(21, data_type::string, false, range(0, 5)),
    res(22, data_type::opaque, false, range(0, 3)));

constexpr lwm2m::object_view schema_list[] = {device, all_types};
constexpr lwm2m::schema_registry schemas{schema_list};

// ---- helpers --------------------------------------------------------------------------------

path P(std::string_view text) { return lwm2m::parse_path(text).value(); }

bytes H(std::string_view hex) {
    std::string digits;
    for (const char c : hex)
        if (c != ' ') digits.push_back(c);
    bytes out(digits.size() / 2);
    REQUIRE(lwm2m::from_hex(digits, out).has_value());
    return out;
}

std::string to_hex(lwm2m::bytes_view b) {
    std::string s(b.size() * 2, '0');
    REQUIRE(lwm2m::to_hex(b, s).has_value());
    return s;
}

struct read_result {
    std::vector<record> records;
    std::optional<lwm2m::error> error;
    bytes storage;  // the payload the records view, when read from hex
};

read_result read_cbor(lwm2m::bytes_view payload, const path& base = path{},
                      const lwm2m::schema_registry* registry = nullptr) {
    lwm2m_cbor_reader reader(payload, base, registry);
    read_result out;
    for (int guard = 0; guard < 100000; ++guard) {
        auto r = reader.next();
        if (!r) {
            out.error = r.error();
            auto again = reader.next();  // errors are sticky
            CHECK(!again.has_value());
            if (!again) CHECK(again.error() == r.error());
            return out;
        }
        if (!*r) {
            CHECK(!reader.next().value().has_value());  // stays at the end
            return out;
        }
        out.records.push_back(**r);
    }
    FAIL("reader does not end");
    return out;
}

/** Reads hex text; the result keeps the payload bytes its records view. */
read_result read_hex(std::string_view hex, const path& base = path{}, const lwm2m::schema_registry* registry = nullptr) {
    bytes payload = H(hex);
    read_result r = read_cbor(payload, base, registry);
    r.storage = std::move(payload);  // moving keeps the buffer the records point into
    return r;
}

std::string decoded(const value& v) {
    std::string s;
    auto n = lwm2m::for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); });
    REQUIRE(n.has_value());
    return s;
}

bool same_value(const value& a, const value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.is_bytes()) return decoded(a) == decoded(b);
    return a == b;
}

bool same_records(const std::vector<record>& a, const std::vector<record>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].path != b[i].path || a[i].time != b[i].time || !same_value(a[i].value, b[i].value)) return false;
    return true;
}

bytes write_cbor(std::span<const record> records, const path& base) {
    // Exactly the size the writer predicts: a write past it is an ASan report, not a pass.
    auto size = lwm2m::format::lwm2m_cbor_size(records, base);
    REQUIRE(size.has_value());
    bytes buf(*size);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_lwm2m_cbor(records, base, out);
    REQUIRE(ok.has_value());
    auto n = out.finish();
    REQUIRE(n.has_value());
    CHECK(*size == *n);
    return buf;
}

lwm2m::error write_error(std::span<const record> records, const path& base) {
    bytes buf(4096);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_lwm2m_cbor(records, base, out);
    REQUIRE(!ok.has_value());
    CHECK(out.total() == 0);  // nothing written
    return ok.error();
}

void check_error(std::string_view hex, const path& base, errc code, std::size_t offset,
                 const lwm2m::schema_registry* registry = nullptr) {
    CAPTURE(hex);
    const bytes payload = H(hex);
    const auto r = read_cbor(payload, base, registry);
    REQUIRE(r.error.has_value());
    CHECK(lwm2m::name(r.error->code) == lwm2m::name(code));
    CHECK(r.error->offset == offset);
}

record rec(std::string_view p, value v, std::optional<double> t = std::nullopt) { return record{P(p), v, t}; }

/** The 14 records of shared/bench-data/device-3-0.senml.json (Device /3/0). */
std::vector<record> bench_device() {
    return {rec("/3/0/0", value::of_string("Open Mobile Alliance")),
            rec("/3/0/1", value::of_string("Lightweight M2M Client")),
            rec("/3/0/2", value::of_string("345000123")),
            rec("/3/0/3", value::of_string("1.0")),
            rec("/3/0/6/0", value::of_integer(1)),
            rec("/3/0/6/1", value::of_integer(5)),
            rec("/3/0/7/0", value::of_integer(3800)),
            rec("/3/0/7/1", value::of_integer(5000)),
            rec("/3/0/9", value::of_integer(100)),
            rec("/3/0/10", value::of_integer(15)),
            rec("/3/0/11/0", value::of_integer(0)),
            rec("/3/0/13", value::of_integer(1700000000)),
            rec("/3/0/14", value::of_string("+01:00")),
            rec("/3/0/16", value::of_string("U"))};
}

constexpr std::string_view oma = "744f70656e204d6f62696c6520416c6c69616e6365";  // "Open Mobile Alliance"

} // namespace

// ---- LwM2M 1.2 Core §7.4.7 -------------------------------------------------------------------

TEST_CASE("LwM2M CBOR 1.2 §7.4.7: {3: {0: {0: \"Open Mobile Alliance\", 7: {0: 3800, 1: 5000}}}}") {
    // The nested-map example: one map level per path level, from the Object id down.
    const bytes payload = H("a1 03 a1 00 a2 00" + std::string(oma) + "07 a2 00 190ed8 01 191388");
    const std::vector<record> expected = {rec("/3/0/0", value::of_string("Open Mobile Alliance")),
                                          rec("/3/0/7/0", value::of_integer(3800)),
                                          rec("/3/0/7/1", value::of_integer(5000))};
    for (const path& base : {path{}, P("/3"), P("/3/0")}) {
        CAPTURE(base.text().view());
        const auto r = read_cbor(payload, base);
        REQUIRE(!r.error);
        CHECK(same_records(r.records, expected));
        const auto typed = read_cbor(payload, base, &schemas);
        REQUIRE(!typed.error);
        CHECK(same_records(typed.records, expected));
    }
    const auto part = read_cbor(payload, P("/3/0/7"));
    REQUIRE(part.error);  // /3/0/0 is not under /3/0/7
    CHECK(part.error->code == errc::invalid_nesting);
    CHECK(part.error->offset == 5);
    // Our writer compresses the single-child chain /3 → /3/0 into one key [3, 0].
    CHECK(to_hex(write_cbor(expected, P("/3/0"))) == "a1820300a200" + std::string(oma) + "07a200190ed801191388");
}

TEST_CASE("LwM2M CBOR 1.2 §7.4.7 path compression: every key form of the same resource") {
    // Each payload is {/13/26/1: 42} (and /13/26/1/2 for the last) written another way.
    const struct {
        std::string_view hex;
        std::string_view diagnostic;
    } forms[] = {
        {"a1 83 0d 181a 01 182a", "{[13, 26, 1]: 42}"},
        {"bf 9f 0d 181a 01 ff 182a ff", "{_ [_ 13, 26, 1]: 42}"},
        {"a1 0d a1 181a a1 01 182a", "{13: {26: {1: 42}}}"},
        {"a1 81 0d a1 81 181a a1 81 01 182a", "{[13]: {[26]: {[1]: 42}}}"},
        {"bf 9f 0d ff bf 9f 181a ff bf 9f 01 ff 182a ff ff ff", "{_ [_ 13]: {_ [_ 26]: {_ [_ 1]: 42}}}"},
        {"a1 82 0d 181a a1 01 182a", "{[13, 26]: {1: 42}}"},
        {"a1 0d a1 82 181a 01 182a", "{13: {[26, 1]: 42}}"},
        {"a2 0d a0 82 0d 181a a1 01 182a", "{13: {}, [13, 26]: {1: 42}}"},
        {"a1 0d bf 181a bf 01 182a ff ff", "{13: {_ 26: {_ 1: 42}}}"},
    };
    for (const auto& f : forms) {
        CAPTURE(f.diagnostic);
        for (const path& base : {path{}, P("/13"), P("/13/26"), P("/13/26/1")}) {
            const auto r = read_hex(f.hex, base);
            REQUIRE(!r.error);
            CHECK(same_records(r.records, {rec("/13/26/1", value::of_integer(42))}));
        }
    }
    // A resource instance at the deepest level, with a decimal fraction (RFC 8949 §3.4.4) 4([-1, 45]).
    const auto ri = read_hex("a1 81 0d a1 81 181a a1 81 01 a1 81 02 c4 82 20 182d", P("/13/26/1/2"));
    REQUIRE(!ri.error);
    CHECK(same_records(ri.records, {rec("/13/26/1/2", value::of_float(4.5))}));
    // Keys mixing forms in one map, and two objects under the root (Read-Composite style).
    const auto mixed = read_hex("a2 83 0d 181a 01 182a 82 0d 181a a1 81 02 15", P("/13/26"));
    REQUIRE(!mixed.error);
    CHECK(same_records(mixed.records, {rec("/13/26/1", value::of_integer(42)), rec("/13/26/2", value::of_integer(21))}));
    const auto composite = read_hex("a2 0d a1 181a a1 01 01 0e a1 181b a1 02 02");
    REQUIRE(!composite.error);
    CHECK(same_records(composite.records,
                       {rec("/13/26/1", value::of_integer(1)), rec("/14/27/2", value::of_integer(2))}));
    // Duplicate paths are not detected: both values are returned.
    const auto dup = read_hex("a2 83 03 00 00 61 61 03 a1 00 a1 00 61 62");
    REQUIRE(!dup.error);
    CHECK(dup.records.size() == 2);
}

TEST_CASE("LwM2M CBOR: Device /3/0 of the bench data (14 records) round trip") {
    const std::vector<record> device_records = bench_device();
    const bytes cbor = write_cbor(device_records, P("/3/0"));
    // {[3, 0]: {0: "Open Mobile Alliance", 1: "Lightweight M2M Client", 2: "345000123", 3: "1.0",
    //  6: {0: 1, 1: 5}, 7: {0: 3800, 1: 5000}, 9: 100, 10: 15, [11, 0]: 0, 13: 1700000000,
    //  14: "+01:00", 16: "U"}}
    CHECK(to_hex(cbor) ==
          "a1820300ac00744f70656e204d6f62696c6520416c6c69616e636501764c69676874776569676874204d324d20436c69"
          "656e7402693334353030303132330363312e3006a20001010507a200190ed8011913880918640a0f820b00000d1a6553"
          "f1000e662b30313a3030106155");
    CHECK(cbor.size() == 109);
    const auto r = read_cbor(cbor, P("/3/0"));
    REQUIRE(!r.error);
    CHECK(same_records(r.records, device_records));
    const auto typed = read_cbor(cbor, P("/3/0"), &schemas);
    REQUIRE(!typed.error);
    CHECK(typed.records[11].value == value::of_time(1700000000));
    // Written back typed, Current Time carries tag 1 (epoch-based date/time): 0d c1 1a6553f100.
    std::string typed_hex = to_hex(cbor);
    typed_hex.replace(typed_hex.find("0d1a6553f100"), 12, "0dc11a6553f100");
    CHECK(to_hex(write_cbor(typed.records, P("/3/0"))) == typed_hex);
    const bytes typed_cbor = write_cbor(typed.records, P("/3/0"));
    CHECK(same_records(read_cbor(typed_cbor, P("/3/0")).records, typed.records));  // Time without the schema
    // The same records for requests on /3 and / (Read-Composite): the same bytes, keys are absolute.
    CHECK(write_cbor(device_records, P("/3")) == cbor);
    CHECK(write_cbor(device_records, path{}) == cbor);
}

TEST_CASE("LwM2M CBOR: the Content-Format number") {
    using lwm2m::format::content_format;
    CHECK(static_cast<unsigned>(content_format::lwm2m_cbor) == 11544);
    CHECK(lwm2m::format::name(content_format::lwm2m_cbor) == "lwm2m-cbor");
}

// ---- values ---------------------------------------------------------------------------------------

TEST_CASE("LwM2M CBOR: leaf values of every CBOR kind (no schema)") {
    const struct {
        std::string_view hex;
        value expected;
    } cases[] = {
        {"00", value::of_integer(0)},
        {"17", value::of_integer(23)},
        {"1818", value::of_integer(24)},
        {"19ffff", value::of_integer(65535)},
        {"1a00010000", value::of_integer(65536)},
        {"1b7fffffffffffffff", value::of_integer(INT64_MAX)},
        {"1b8000000000000000", value::of_unsigned(0x8000000000000000ULL)},
        {"1bffffffffffffffff", value::of_unsigned(UINT64_MAX)},
        {"20", value::of_integer(-1)},
        {"3818", value::of_integer(-25)},
        {"3b7fffffffffffffff", value::of_integer(INT64_MIN)},
        {"f93e00", value::of_float(1.5)},
        {"f90000", value::of_float(0.0)},
        {"f98000", value::of_float(-0.0)},
        {"fa47c35000", value::of_float(100000.0)},
        {"fb3fb999999999999a", value::of_float(0.1)},
        {"f97c00", value::of_float(INFINITY)},
        {"f97e00", value::of_float(NAN)},
        {"f4", value::of_boolean(false)},
        {"f5", value::of_boolean(true)},
        {"f6", value::of_none()},
        {"c11a6553f100", value::of_time(1700000000)},
        {"c1f93c00", value::of_float(1.0)},
        {"c48221196ab3", value::of_float(273.15)},
        {"c4820119012c", value::of_float(3000.0)},
    };
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        const auto r = read_hex("a1 83 0d 00 01" + std::string(c.hex));
        REQUIRE(!r.error);
        REQUIRE(r.records.size() == 1);
        CHECK(r.records[0].path == P("/13/0/1"));
        CHECK(r.records[0].value == c.expected);
        CHECK(!r.records[0].time);
    }
    const auto text = read_hex("a2 83 0d 00 01 63 e282ac 83 0d 00 02 43 00ff10");
    REQUIRE(!text.error);
    CHECK(text.records[0].value.kind() == value_kind::string);
    CHECK(text.records[0].value.raw_text() == "\xe2\x82\xac");
    CHECK(text.records[1].value.kind() == value_kind::opaque);
    CHECK(to_hex(text.records[1].value.encoded_bytes()) == "00ff10");
    const auto link = read_hex("a1 83 0d 00 01 64 333a3130");
    REQUIRE(!link.error);
    CHECK(link.records[0].value.raw_text() == "3:10");  // a string without the schema
}

TEST_CASE("LwM2M CBOR: values typed by the schema") {
    const bytes payload = H(
        "a1 82 1923 28 00 ab"     // {[9000, 0]: {11 pairs
        " 00 64 74657874"         //   0: "text"
        " 01 26"                  //   1: -7
        " 02 07"                  //   2: 7 (Unsigned)
        " 03 16"                  //   3: 22 (Float)
        " 04 f5"                  //   4: true
        " 05 44 000102ff"         //   5: h'000102ff'
        " 06 1a6553f100"          //   6: 1700000000 (Time)
        " 07 63 333a30"           //   7: "3:0" (Objlnk)
        " 08 66 3c2f332f303e"     //   8: "</3/0>" (Corelnk)
        " 0f a1 00 f6"            //   15: {0: null}
        " 11 a1 00 63 343a31"     //   17: {0: "4:1"}
        "");
    const auto r = read_cbor(payload, P("/9000/0"), &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 11);
    CHECK(r.records[0].value.raw_text() == "text");
    CHECK(r.records[1].value == value::of_integer(-7));
    CHECK(r.records[2].value == value::of_unsigned(7));
    CHECK(r.records[3].value == value::of_float(22.0));
    CHECK(r.records[4].value == value::of_boolean(true));
    CHECK(r.records[5].value.kind() == value_kind::opaque);
    CHECK(r.records[6].value == value::of_time(1700000000));
    CHECK(r.records[7].value == value::of_objlnk({3, 0}));
    CHECK(r.records[8].value.kind() == value_kind::corelnk);
    CHECK(r.records[9].path == P("/9000/0/15/0"));
    CHECK(r.records[9].value.kind() == value_kind::none);  // null stays none
    CHECK(r.records[10].path == P("/9000/0/17/0"));
    CHECK(r.records[10].value == value::of_objlnk({4, 1}));
    // Written back: Objlnk as text, the Float 22.0 as a half, the single-child levels compressed.
    CHECK(to_hex(write_cbor(r.records, P("/9000/0"))) ==
          "a18219232800ab" "006474657874" "0126" "0207" "03f94d80" "04f5" "0544000102ff" "06c11a6553f100"
          "0763333a30" "08663c2f332f303e" "820f00f6" "82110063343a31");
}

// ---- errors -----------------------------------------------------------------------------------------

TEST_CASE("LwM2M CBOR indefinite-length strings (RFC 8949 §3.2.3) are values, zero-copy") {
    // {[3, 0]: {_ 0: (_ "Open ", "Mobile", " Alliance"), 1: (_ ), [22, 0]: (_ "3", ":0")},
    //  [9000, 0]: {0: (_ "one"), 5: (_ h'00', h'ff10')}, 9000: {1: {3: 4([_ -1, 15])}}}
    const bytes payload = H("a3 82 03 00 bf 00 7f 65 4f70656e20 66 4d6f62696c65 69 20416c6c69616e6365 ff"
                            "01 7f ff 82 16 00 7f 61 33 62 3a30 ff ff"
                            "82 1923 28 00 a2 00 7f 63 6f6e65 ff 05 5f 41 00 42 ff10 ff"
                            "19 2328 a1 01 a1 03 c4 9f 20 0f ff");
    for (const lwm2m::schema_registry* registry : {static_cast<const lwm2m::schema_registry*>(nullptr), &schemas}) {
        const auto r = read_cbor(payload, path{}, registry);
        REQUIRE(!r.error);
        REQUIRE(r.records.size() == 6);
        CHECK(r.records[0].path == P("/3/0/0"));
        const value& text = r.records[0].value;
        CHECK(text.encoding() == text_encoding::cbor_chunks);
        CHECK(text.encoded_bytes().data() == payload.data() + 7);  // the chunks, in the payload
        CHECK(text.encoded_bytes().size() == 23);
        CHECK(decoded(text) == "Open Mobile Alliance");
        CHECK(r.records[1] == rec("/3/0/1", value::of_string("")));  // (_ ): the empty string, raw
        if (registry != nullptr) CHECK(r.records[2] == rec("/3/0/22/0", value::of_objlnk(objlnk{3, 0})));
        else CHECK(decoded(r.records[2].value) == "3:0");
        CHECK(r.records[3] == rec("/9000/0/0", value::of_string("one")));  // one chunk: its contents, raw
        CHECK(r.records[3].value.encoded_bytes().data() == payload.data() + 54);
        CHECK(r.records[4].value.kind() == value_kind::opaque);
        CHECK(r.records[4].value.encoding() == text_encoding::cbor_chunks);
        CHECK(decoded(r.records[4].value) == std::string("\x00\xff\x10", 3));
        CHECK(r.records[5] == rec("/9000/1/3", value::of_float(1.5)));  // an indefinite decimal fraction
        // Written again, the strings are definite and joined.
        const bytes definite = write_cbor(r.records, path{});  // (the records read view it)
        const auto again = read_cbor(definite, path{}, registry);
        REQUIRE(!again.error);
        CHECK(again.records[0].value == value::of_string("Open Mobile Alliance"));
        CHECK(same_records(again.records, r.records));
    }
}

TEST_CASE("LwM2M CBOR self-described tag 55799 (RFC 8949 §3.4.6) before the outer map is skipped") {
    const auto plain = read_hex("a1 83 03 00 00 61 78");
    REQUIRE(!plain.error);
    for (const char* tagged : {"d9d9f7 a1 83 03 00 00 61 78", "d9d9f7 d9d9f7 a1 83 03 00 00 61 78"}) {
        const auto r = read_hex(tagged);
        REQUIRE(!r.error);
        CHECK(r.records == plain.records);
    }
    check_error("d9d9f6 a1 83 03 00 00 61 78", path{}, errc::invalid_cbor, 0);  // another tag
    check_error("d9d9f7", path{}, errc::truncated_value, 3);
}

TEST_CASE("LwM2M CBOR errors: CBOR syntax and the outer map") {
    check_error("", path{}, errc::truncated_value, 0);
    check_error("01", path{}, errc::invalid_cbor, 0);
    check_error("80", path{}, errc::invalid_cbor, 0);
    check_error("61 61", path{}, errc::invalid_cbor, 0);
    check_error("a0 00", path{}, errc::invalid_cbor, 1);        // bytes after the map
    check_error("a1 03", path{}, errc::truncated_value, 0);     // 1 pair cannot fit in 1 byte
    check_error("bf 03", path{}, errc::truncated_value, 2);     // the value is missing
    check_error("a2 83 03 00 00 01", path{}, errc::truncated_value, 6);
    check_error("bf 1c", path{}, errc::invalid_cbor, 1);        // reserved additional information 28
    check_error("a1 03 ff 00", path{}, errc::invalid_cbor, 2);  // break in a definite map
    check_error("a1 83 03 00 00 78", path{}, errc::truncated_value, 5);
    check_error("a1 83 03 00 00 65 61", path{}, errc::truncated_value, 5);
    check_error("bf 83 03 00 00 01", path{}, errc::truncated_value, 6);  // no break
}

TEST_CASE("LwM2M CBOR errors: keys") {
    check_error("a1 61 61 01", path{}, errc::invalid_cbor, 1);           // text key (Gateway prefix)
    check_error("a1 20 01", path{}, errc::invalid_cbor, 1);              // negative id
    check_error("a1 f9 4200 01", path{}, errc::invalid_cbor, 1);         // float id
    check_error("a1 80 01", path{}, errc::invalid_cbor, 1);              // empty array
    check_error("a1 9f ff 01", path{}, errc::invalid_cbor, 1);           // empty indefinite array
    check_error("a1 82 03 61 61 01", path{}, errc::invalid_cbor, 3);     // text in an array key
    check_error("a1 82 03 a0 01", path{}, errc::invalid_cbor, 3);        // map in an array key
    check_error("a1 19 ffff 01", path{}, errc::path_id_out_of_range, 1);  // 65535 is reserved
    check_error("a1 82 03 1a 00010000 01", path{}, errc::path_id_out_of_range, 3);
    check_error("a1 85 01 02 03 04 05 06", path{}, errc::path_too_deep, 6);
    check_error("a1 84 01 02 03 04 a1 05 06", path{}, errc::path_too_deep, 7);
    check_error("a1 01 a1 02 a1 03 a1 04 a1 05 06", path{}, errc::path_too_deep, 9);
}

TEST_CASE("LwM2M CBOR errors: paths against the request path and the levels") {
    check_error("a1 82 04 00 a1 00 01", P("/3/0"), errc::invalid_nesting, 1);
    check_error("a1 03 a1 01 a1 00 01", P("/3/0"), errc::invalid_nesting, 3);
    check_error("a1 83 03 00 01 01", P("/3/0/0"), errc::invalid_nesting, 1);
    check_error("a1 82 03 00 a1 00 01", P("/3/0/1"), errc::invalid_nesting, 5);
    check_error("a1 82 03 00 01", path{}, errc::not_resource_instance_level, 1);
    check_error("a1 03 01", path{}, errc::not_resource_instance_level, 1);
    check_error("a1 03 a1 00 01", P("/3"), errc::not_resource_instance_level, 3);
}

TEST_CASE("LwM2M CBOR errors: leaf values") {
    check_error("a1 83 03 00 01 80", path{}, errc::invalid_cbor, 5);              // an array
    check_error("a1 83 03 00 01 9f ff", path{}, errc::invalid_cbor, 5);           // an indefinite array
    // Indefinite-length strings (RFC 8949 §3.2.3): chunks of the same major type, definite,
    // each text chunk UTF-8 by itself, closed by a "break".
    check_error("a1 83 03 00 01 7f 41 61 ff", path{}, errc::invalid_cbor, 6);     // a byte chunk in text
    check_error("a1 83 03 00 01 5f 61 61 ff", path{}, errc::invalid_cbor, 6);     // a text chunk in bytes
    check_error("a1 83 03 00 01 7f 7f ff ff", path{}, errc::invalid_cbor, 6);     // an indefinite chunk
    check_error("a1 83 03 00 01 7f 61 c3 61 a9 ff", path{}, errc::invalid_utf8, 7);  // é split over two chunks
    check_error("a1 83 03 00 01 7f 61 61", path{}, errc::truncated_value, 8);     // no "break"
    check_error("bf 83 03 00 01 5f 41 00 ff", path{}, errc::truncated_value, 9);  // the map's "break" is the string's
    check_error("a1 83 03 00 01 d9 d9 f7 01", path{}, errc::invalid_cbor, 5);     // tag 55799 inside
    check_error("a1 83 03 00 01 c4 9f 21 19 0401 01 ff", path{}, errc::invalid_cbor, 11);  // 4([_ e, m, x])
    check_error("a1 83 03 00 01 f7", path{}, errc::invalid_cbor, 5);              // undefined
    check_error("a1 83 03 00 01 f0", path{}, errc::invalid_cbor, 5);              // simple(16)
    check_error("a1 83 03 00 01 c0 61 61", path{}, errc::invalid_cbor, 5);        // tag 0
    check_error("a1 83 03 00 01 c2 41 01", path{}, errc::invalid_cbor, 5);        // tag 2 (bignum)
    check_error("a1 83 03 00 01 c1 61 61", path{}, errc::invalid_cbor, 6);        // tag 1 on a text
    check_error("a1 83 03 00 01 c1 1b 8000000000000000", path{}, errc::number_out_of_range, 6);
    check_error("a1 83 03 00 01 c4 81 01", path{}, errc::invalid_cbor, 6);        // tag 4 of one element
    check_error("a1 83 03 00 01 c4 82 01 f9 3c00", path{}, errc::invalid_cbor, 8);  // float mantissa
    check_error("a1 83 03 00 01 c4 82 f9 3c00 01", path{}, errc::invalid_cbor, 7);  // float exponent
    check_error("a1 83 03 00 01 c4 82 19 0400 01", path{}, errc::number_out_of_range, 5);  // 1e1024
    check_error("a1 83 03 00 01 62 c3 28", path{}, errc::invalid_utf8, 6);
    check_error("a1 83 03 00 01 64 61 62 ed a0", path{}, errc::invalid_utf8, 8);  // truncated sequence
    check_error("a1 83 03 00 01 3b 8000000000000000", path{}, errc::number_out_of_range, 5);
}

TEST_CASE("LwM2M CBOR errors with a schema (offset of the last key, or of the value)") {
    check_error("a1 83 03 00 05 01", path{}, errc::resource_not_in_schema, 1, &schemas);
    check_error("a1 82 03 00 a1 06 01", path{}, errc::invalid_nesting, 5, &schemas);      // multiple at /O/I/R
    check_error("a1 84 03 00 09 00 01", path{}, errc::invalid_nesting, 1, &schemas);      // single at /O/I/R/RI
    check_error("a1 83 03 00 09 61 31", path{}, errc::type_mismatch, 5, &schemas);
    check_error("a1 83 03 00 09 f9 3e00", path{}, errc::type_mismatch, 5, &schemas);
    check_error("a1 83 03 00 09 18 65", path{}, errc::number_out_of_range, 5, &schemas);   // 101 > 100
    check_error("a1 83 03 00 04 01", path{}, errc::type_mismatch, 5, &schemas);           // executable
    check_error("a1 84 03 00 16 00 61 78", path{}, errc::invalid_objlnk, 6, &schemas);    // "x" for Objlnk
    check_error("a1 83 1923 28 00 02 20", path{}, errc::number_out_of_range, 7, &schemas); // -1 Unsigned
    check_error("a1 83 1923 28 00 15 66 616263646566", path{}, errc::number_out_of_range, 7, &schemas);
    check_error("a1 83 1923 28 00 16 44 00010203", path{}, errc::number_out_of_range, 7, &schemas);
    check_error("a1 83 1923 28 00 00 41 00", path{}, errc::type_mismatch, 7, &schemas);    // bytes for String
    // Chunked values by their joined bytes: the range, the object link.
    check_error("a1 83 1923 28 00 15 7f 63 616263 63 646566 ff", path{}, errc::number_out_of_range, 7, &schemas);
    check_error("a1 83 1923 28 00 16 5f 42 0001 42 0203 ff", path{}, errc::number_out_of_range, 7, &schemas);
    check_error("a1 84 03 00 16 00 7f 61 33 62 3a 78 ff", path{}, errc::invalid_objlnk, 6, &schemas);
    // Objects the registry does not know are read without typing.
    const auto r = read_hex("a1 83 04 00 05 61 61", path{}, &schemas);
    REQUIRE(!r.error);
    CHECK(r.records[0].value.kind() == value_kind::string);
}

// ---- writer -------------------------------------------------------------------------------------

TEST_CASE("LwM2M CBOR writer: shapes for each request level") {
    CHECK(to_hex(write_cbor(std::vector<record>{}, P("/3/0"))) == "a0");
    // GET /3/0/9: {[3, 0, 9]: 100}
    CHECK(to_hex(write_cbor(std::vector<record>{rec("/3/0/9", value::of_integer(100))}, P("/3/0/9"))) ==
          "a183030009" "1864");
    // GET /3/0/7: {[3, 0, 7]: {0: 3800, 1: 5000}}
    CHECK(to_hex(write_cbor(std::vector<record>{rec("/3/0/7/0", value::of_integer(3800)),
                                                rec("/3/0/7/1", value::of_integer(5000))},
                            P("/3/0/7"))) == "a183030007" "a2" "00190ed8" "01191388");
    // GET /3/0/7/1: {[3, 0, 7, 1]: 5000}
    CHECK(to_hex(write_cbor(std::vector<record>{rec("/3/0/7/1", value::of_integer(5000))}, P("/3/0/7/1"))) ==
          "a18403000701" "191388");
    // GET /3 with two instances: {3: {[0, 0]: "a", [1, 0]: "b"}}
    CHECK(to_hex(write_cbor(std::vector<record>{rec("/3/0/0", value::of_string("a")),
                                                rec("/3/1/0", value::of_string("b"))},
                            P("/3"))) == "a103a2" "82000061" "61" "82010061" "62");
    // Read-Composite of two objects: {[3, 0, 9]: 100, [4, 0, 0]: 1}
    CHECK(to_hex(write_cbor(std::vector<record>{rec("/3/0/9", value::of_integer(100)),
                                                rec("/4/0/0", value::of_integer(1))},
                            path{})) == "a2" "830300091864" "8304000001");
}

TEST_CASE("LwM2M CBOR writer: value encodings and values kept encoded by other readers") {
    const std::vector<record> records = {
        rec("/9000/0/0", value::of_string("a\\nb", text_encoding::json_escaped)),
        rec("/9000/0/1", value::of_integer(INT64_MIN)),
        rec("/9000/0/2", value::of_unsigned(UINT64_MAX)),
        rec("/9000/0/3", value::of_float(1.5)),
        rec("/9000/0/5", value::of_opaque(lwm2m::as_bytes(std::string_view{"AQID"}), text_encoding::base64)),
        rec("/9000/0/6", value::of_time(-2), 12.5),  // the time is not written
        rec("/9000/0/7", value::of_objlnk({65535, 65535})),
        rec("/9000/0/8", value::of_corelnk("</1>")),
        rec("/9000/0/13/0", value::of_float(100000.0)),
        rec("/9000/0/13/1", value::of_float(0.1)),
        rec("/9000/0/13/2", value::of_float(NAN)),
        rec("/9000/0/13/3", value::of_float(-INFINITY)),
        rec("/9000/0/15/0", value::of_opaque(lwm2m::as_bytes(std::string_view{"-_8"}), text_encoding::base64url)),
        rec("/9000/0/17/0", value::of_none()),
    };
    CHECK(to_hex(write_cbor(records, P("/9000/0"))) ==
          "a18219232800ab"
          "0063610a62"
          "013b7fffffffffffffff"
          "021bffffffffffffffff"
          "03f93e00"
          "0543010203"
          "06c121"
          "076b36353533353a3635353335"
          "08643c2f313e"
          "0da4" "00fa47c35000" "01fb3fb999999999999a" "02f97e00" "03f9fc00"
          "820f0042fbff"
          "821100f6");
}

TEST_CASE("LwM2M CBOR writer errors (offset = record index), nothing written") {
    const auto check = [](std::vector<record> records, const path& base, errc code, std::size_t index) {
        const lwm2m::error e = write_error(records, base);
        CHECK(lwm2m::name(e.code) == lwm2m::name(code));
        CHECK(e.offset == index);
    };
    const record a = rec("/3/0/1", value::of_string("a"));
    check({a, rec("/3/0/0", value::of_string("b"))}, P("/3/0"), errc::invalid_argument, 1);     // not sorted
    check({a, a}, P("/3/0"), errc::invalid_argument, 1);                                         // twice
    check({rec("/3/0/6", value::of_integer(1)), rec("/3/0/6/0", value::of_integer(1))}, P("/3/0"),
          errc::invalid_argument, 1);                                                            // map and value
    check({rec("/4/0/0", value::of_integer(1))}, P("/3"), errc::invalid_argument, 0);
    check({a, rec("/3/1", value::of_integer(1))}, P("/3"), errc::invalid_argument, 1);
    check({a, rec("/3/0/2", value::of_untyped({}))}, P("/3/0"), errc::type_mismatch, 1);
    check({a, rec("/3/0/2", value::of_string("\xc3"))}, P("/3/0"), errc::invalid_utf8, 1);
    check({a, rec("/3/0/2", value::of_corelnk("\\x", text_encoding::json_escaped))}, P("/3/0"), errc::invalid_json, 1);
    check({a, rec("/3/0/2", value::of_opaque(lwm2m::as_bytes(std::string_view{"A="}), text_encoding::base64))},
          P("/3/0"), errc::invalid_base64, 1);
}

TEST_CASE("LwM2M CBOR writer: a Block2 window of the body is the matching slice") {
    const std::vector<record> records = bench_device();
    const bytes whole = write_cbor(records, P("/3/0"));
    for (std::size_t block = 16; block <= 64; block *= 2) {
        for (std::size_t num = 0; num * block < whole.size(); ++num) {
            bytes buf(block);
            lwm2m::format::output_window out(buf, num * block);
            REQUIRE(lwm2m::format::write_lwm2m_cbor(records, P("/3/0"), out).has_value());
            CHECK(out.total() == whole.size());
            CHECK(std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(out.written()),
                             whole.begin() + static_cast<std::ptrdiff_t>(num * block)));
        }
    }
    bytes small(10);
    lwm2m::format::output_window out(small);
    REQUIRE(lwm2m::format::write_lwm2m_cbor(records, P("/3/0"), out).has_value());
    CHECK(out.finish().error() == lwm2m::error{errc::buffer_too_small, whole.size()});
}

// ---- random round trips -------------------------------------------------------------------------

namespace {

value random_value(std::mt19937_64& rng, data_type type, std::vector<std::string>& keep) {
    const auto pick = [&](std::uint64_t n) { return rng() % n; };
    if (pick(16) == 0) return value::of_none();
    switch (type) {
    case data_type::string:
    case data_type::corelnk: {
        static constexpr std::string_view pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\x01",
                                                      "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "</1>"};
        std::string s;
        const std::size_t n = pick(40);
        for (std::size_t i = 0; i < n; ++i) s += pieces[pick(std::size(pieces))];
        keep.push_back(s);
        return type == data_type::string ? value::of_string(keep.back()) : value::of_corelnk(keep.back());
    }
    case data_type::integer: {
        const std::int64_t choices[] = {0, -1, 23, 24, -24, -25, 255, 256, 65535, 65536, INT64_MIN, INT64_MAX,
                                        static_cast<std::int64_t>(rng()), static_cast<std::int64_t>(rng() >> pick(64))};
        return value::of_integer(choices[pick(std::size(choices))]);
    }
    case data_type::unsigned_integer: {
        const std::uint64_t choices[] = {0, 23, 24, 0xFFFFFFFFULL, 0x100000000ULL, UINT64_MAX, rng(), rng() >> pick(64)};
        return value::of_unsigned(choices[pick(std::size(choices))]);
    }
    case data_type::float_: {
        std::uint64_t bits = rng();
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        const auto bits32 = static_cast<std::uint32_t>(rng());
        float f = 0;
        std::memcpy(&f, &bits32, sizeof f);
        const double choices[] = {0.0, -0.0, 1.5, 65504.0, 5.960464477539063e-08, 100000.0, 0.1, 1e300,
                                  INFINITY, -INFINITY, d, static_cast<double>(f)};
        return value::of_float(choices[pick(std::size(choices))]);
    }
    case data_type::boolean: return value::of_boolean(pick(2) == 1);
    case data_type::opaque: {
        std::string s;
        const std::size_t n = pick(300);
        for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(pick(256)));
        keep.push_back(s);
        return value::of_opaque(lwm2m::as_bytes(keep.back()));
    }
    case data_type::time: return value::of_time(static_cast<std::int64_t>(rng()) >> pick(64));
    case data_type::objlnk:
        return value::of_objlnk({static_cast<std::uint16_t>(pick(65536)), static_cast<std::uint16_t>(pick(65536))});
    case data_type::none: break;
    }
    return value::of_none();
}

/** Random sorted records of `all_types` under `base`, no path twice. */
std::vector<record> random_records(std::mt19937_64& rng, const path& base, std::vector<std::string>& keep) {
    constexpr std::uint16_t singles[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 20};
    constexpr std::uint16_t multiples[] = {10, 11, 12, 13, 14, 15, 16, 17, 18};
    std::vector<record> records;
    const std::size_t count = rng() % 20;
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint16_t instance =
            base.has_instance() ? base.instance_id() : static_cast<std::uint16_t>(rng() % 3 == 0 ? rng() % 65535 : rng() % 3);
        const bool multiple = rng() % 2 == 0;
        const std::uint16_t rid = multiple ? multiples[rng() % std::size(multiples)] : singles[rng() % std::size(singles)];
        const data_type type = all_types.find(rid)->type;
        value v = random_value(rng, type, keep);
        if (rid == 20 && v.kind() == value_kind::integer) v = value::of_integer(static_cast<std::int64_t>(rng() % 101));
        const path p = multiple ? *path::make(9000, instance, rid, rng() % 4 == 0 ? rng() % 65535 : rng() % 3)
                                : *path::make(9000, instance, rid);
        records.push_back(record{p, v, std::nullopt});
    }
    std::stable_sort(records.begin(), records.end(), [](const record& a, const record& b) { return a.path < b.path; });
    records.erase(std::unique(records.begin(), records.end(), [](const record& a, const record& b) { return a.path == b.path; }),
                  records.end());
    return records;
}

/**
 * Another encoder of the same records, choosing at random among the forms the reader must accept:
 * how many ids each key takes, a single id as a number or a one-element array, definite or
 * indefinite maps and arrays. Records sorted, no path twice, none an ancestor of another.
 */
void encode_any(std::mt19937_64& rng, lwm2m::format::cbor::writer& w, std::span<const record> records,
                std::size_t lo, std::size_t hi, std::size_t depth) {
    std::vector<std::pair<std::size_t, std::size_t>> runs;  // [begin, end) with the same key path
    // Choose the key length per run: take ids while they are shared, stop at random.
    std::vector<std::size_t> key_end;
    for (std::size_t i = lo; i < hi;) {
        std::size_t end = i + 1;
        while (end < hi && records[end].path.id(depth) == records[i].path.id(depth)) ++end;
        // Ids shared by all of [i, end): at least depth + 1.
        std::size_t shared = records[i].path.depth();
        for (std::size_t k = i + 1; k < end; ++k) {
            std::size_t n = 0;
            while (n < shared && n < records[k].path.depth() && records[k].path.id(n) == records[i].path.id(n)) ++n;
            shared = n;
        }
        const std::size_t take = depth + 1 + rng() % (shared - depth);
        // Split the run where the chosen key differs (it cannot: the run shares `take` ids).
        runs.emplace_back(i, end);
        key_end.push_back(take);
        i = end;
    }
    const bool indefinite = rng() % 2 == 0;
    if (indefinite) w.raw(std::byte{0xBF});
    else w.map(runs.size());
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const auto [b, e] = runs[r];
        const path& p = records[b].path;
        const std::size_t take = key_end[r];
        const std::size_t n = take - depth;
        const int form = static_cast<int>(rng() % 3);
        if (n == 1 && form == 0) {
            w.unsigned_integer(p.id(depth));
        } else if (form == 2) {
            w.raw(std::byte{0x9F});
            for (std::size_t k = depth; k < take; ++k) w.unsigned_integer(p.id(k));
            w.raw(std::byte{0xFF});
        } else {
            w.array(n);
            for (std::size_t k = depth; k < take; ++k) w.unsigned_integer(p.id(k));
        }
        if (e - b == 1 && take == p.depth()) {
            lwm2m::format::lwm2m_cbor::detail::put_value(w, records[b].value);
        } else {
            encode_any(rng, w, records, b, e, take);
        }
    }
    if (indefinite) w.raw(std::byte{0xFF});
}

} // namespace

TEST_CASE("LwM2M CBOR: 2000 seeded random record sets round trip, in every key form") {
    std::mt19937_64 rng(0x6c776d3263626f72ULL);  // "lwm2mcbor"
    const path bases[] = {path{}, P("/9000"), P("/9000/1")};
    for (int iteration = 0; iteration < 2000; ++iteration) {
        CAPTURE(iteration);
        std::vector<std::string> keep;
        keep.reserve(512);
        const path base = bases[rng() % std::size(bases)];
        const std::vector<record> records = random_records(rng, base, keep);
        const bytes cbor = write_cbor(records, base);
        CAPTURE(to_hex(cbor));
        // Typed with the schema: the same records.
        const auto typed = read_cbor(cbor, base, &schemas);
        REQUIRE(!typed.error);
        CHECK(same_records(typed.records, records));
        // Untyped: the same paths; written again, the same bytes.
        const auto raw = read_cbor(cbor, base);
        REQUIRE(!raw.error);
        REQUIRE(raw.records.size() == records.size());
        for (std::size_t i = 0; i < records.size(); ++i) CHECK(raw.records[i].path == records[i].path);
        CHECK(write_cbor(raw.records, base) == cbor);
        CHECK(write_cbor(typed.records, base) == cbor);
        // Any other encoding of the same records reads the same.
        if (!records.empty()) {
            // Measure with a copy of the generator, then write the same choices for real.
            auto measuring_rng = rng;
            lwm2m::format::output_window measure{lwm2m::mutable_bytes{}};
            lwm2m::format::cbor::writer m{measure};
            encode_any(measuring_rng, m, records, 0, records.size(), 0);
            bytes other(measure.total());
            lwm2m::format::output_window out(other);
            lwm2m::format::cbor::writer w{out};
            encode_any(rng, w, records, 0, records.size(), 0);
            REQUIRE(out.total() == other.size());
            CAPTURE(to_hex(other));
            const auto again = read_cbor(other, base, &schemas);
            REQUIRE(!again.error);
            CHECK(same_records(again.records, records));
        }
    }
}
