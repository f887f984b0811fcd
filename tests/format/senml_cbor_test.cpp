#include <lwm2m/format/senml_cbor.hpp>

#include <doctest/doctest.h>

#include <lwm2m/format/senml_json.hpp>
#include <lwm2m/format/codec.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "../support/test_schema.hpp"

namespace {

using lwm2m::bytes_view;
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
using lwm2m::format::record;
using lwm2m::format::senml_cbor_reader;
using lwm2m::format::senml_json_reader;

// ---- schemas (local) ------------------------------------------------------------------------

using lwm2m::test::res;
using lwm2m::test::range;

constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(1, data_type::string), res(2, data_type::string), res(3, data_type::string),
    res(6, data_type::integer, true, range(0, 7)), res(7, data_type::integer, true), res(8, data_type::integer, true),
    res(9, data_type::integer, false, range(0, 100)), res(10, data_type::integer), res(11, data_type::integer, true),
    res(13, data_type::time), res(14, data_type::string), res(16, data_type::string));

constexpr auto all_types = lwm2m::make_object(
    lwm2m::object_info{9000, "AllTypes", {1, 0}, multiplicity::multiple, lwm2m::presence::optional, {}},
    res(0, data_type::string), res(1, data_type::integer), res(2, data_type::unsigned_integer),
    res(3, data_type::float_), res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::time),
    res(7, data_type::objlnk), res(8, data_type::corelnk), res(9, data_type::none),
    res(10, data_type::string, true), res(11, data_type::integer, true), res(12, data_type::unsigned_integer, true),
    res(13, data_type::float_, true), res(14, data_type::boolean, true), res(15, data_type::opaque, true),
    res(16, data_type::time, true), res(17, data_type::objlnk, true), res(18, data_type::corelnk, true),
    res(20, data_type::integer, false, range(0, 100)));

constexpr lwm2m::object_view schema_list[] = {device, all_types};
constexpr lwm2m::schema_registry schemas{schema_list};

// ---- helpers --------------------------------------------------------------------------------

path P(std::string_view text) { return lwm2m::parse_path(text).value(); }

/** Bytes from hex (spaces allowed). */
std::string H(std::string_view hex) {
    std::string compact;
    for (char c : hex)
        if (c != ' ') compact.push_back(c);
    std::string out(compact.size() / 2, '\0');
    // No doctest assertion here: the test vectors below are built before main().
    if (!lwm2m::from_hex(compact, std::as_writable_bytes(std::span(out)))) return "bad hex";
    return out;
}
std::string hex_of(std::string_view bytes) {
    std::string out(bytes.size() * 2, '\0');
    (void)lwm2m::to_hex(lwm2m::as_bytes(bytes), out);
    return out;
}

struct read_result {
    std::vector<record> records;
    std::optional<lwm2m::error> error;
};

template <class Reader>
read_result drain(Reader& reader) {
    read_result out;
    for (int guard = 0; guard < 100000; ++guard) {
        auto r = reader.next();
        if (!r) {
            out.error = r.error();
            auto again = reader.next();
            CHECK(!again.has_value());
            if (!again) CHECK(again.error() == r.error());
            return out;
        }
        if (!*r) {
            CHECK(!reader.next().value().has_value());
            return out;
        }
        out.records.push_back(**r);
    }
    FAIL("reader does not end");
    return out;
}

read_result read_cbor(std::string_view payload, const path& base = path{},
                      const lwm2m::schema_registry* registry = nullptr) {
    senml_cbor_reader reader(lwm2m::as_bytes(payload), base, registry);
    return drain(reader);
}
read_result read_cbor_paths(std::string_view payload, const path& base = path{},
                            const lwm2m::schema_registry* registry = nullptr) {
    senml_cbor_reader reader(lwm2m::as_bytes(payload), base, senml_cbor_reader::path_list_mode, registry);
    return drain(reader);
}
read_result read_json(std::string_view payload, const path& base = path{},
                      const lwm2m::schema_registry* registry = nullptr) {
    senml_json_reader reader(lwm2m::as_bytes(payload), base, registry);
    return drain(reader);
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
bool same_record(const record& a, const record& b) {
    return a.path == b.path && a.time == b.time && same_value(a.value, b.value);
}
bool same_records(const std::vector<record>& a, const std::vector<record>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_record(a[i], b[i])) return false;
    return true;
}

std::string write_cbor(std::span<const record> records, const path& base) {
    std::vector<std::byte> buf(65536);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_senml_cbor(records, base, out);
    if (!ok) MESSAGE(lwm2m::name(ok.error().code) << " at " << ok.error().offset);
    REQUIRE(ok.has_value());
    auto n = out.finish();
    REQUIRE(n.has_value());
    auto size = lwm2m::format::senml_cbor_size(records, base);
    REQUIRE(size.has_value());
    CHECK(*size == *n);
    return std::string(reinterpret_cast<const char*>(buf.data()), *n);
}
std::string write_json(std::span<const record> records, const path& base) {
    std::vector<std::byte> buf(65536);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_senml_json(records, base, out);
    if (!ok) MESSAGE(lwm2m::name(ok.error().code) << " at " << ok.error().offset);
    REQUIRE(ok.has_value());
    auto n = out.finish();
    REQUIRE(n.has_value());
    return std::string(reinterpret_cast<const char*>(buf.data()), *n);
}
lwm2m::error write_cbor_error(std::span<const record> records, const path& base) {
    std::vector<std::byte> buf(4096);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_senml_cbor(records, base, out);
    REQUIRE(!ok.has_value());
    CHECK(out.total() == 0);
    return ok.error();
}

void check_error(std::string_view payload, const path& base, errc code, std::size_t offset,
                 const lwm2m::schema_registry* registry = nullptr) {
    CAPTURE(hex_of(payload));
    const auto r = read_cbor(payload, base, registry);
    REQUIRE(r.error.has_value());
    CHECK(lwm2m::name(r.error->code) == lwm2m::name(code));
    CHECK(r.error->offset == offset);
}

record rec(std::string_view p, value v, std::optional<double> t = std::nullopt) { return record{P(p), v, t}; }

// LwM2M 1.1 Core Table 7.4.4-2 (Device) in SenML CBOR, as Eclipse Wakaama's tests give it:
// [{-2: "/3/0/", 0: "0", 3: "Open Mobile Alliance"}, {0: "1", 3: "Lightweight M2M Client"}, ...]
const std::string table_2 = H(
    "90a321652f332f302f00613003744f70656e204d6f62696c6520416c6c69616e6365a200613103764c69676874776569676874204d324d"
    "20436c69656e74a20061320369333435303030313233a20061330363312e30a20063362f300201a20063362f310205a20063372f300219"
    "0ed8a20063372f3102191388a20063382f3002187da20063382f3102190384a2006139021864a200623130020fa2006431312f300200a2"
    "00623133021a5182428fa20062313403662b30323a3030a200623136036155");
// Table 7.4.4-3: [{-2: "/72/", -3: 25462634, 0: "1/2", 2: 22.4, 6: -5}, {0: "1/2", 2: 22.9, 6: -30}, ...]
const std::string table_3 = H(
    "83a521642f37322f221a0184876a0063312f3202fb40366666666666660624a30063312f3202fb4036e6666666666606381da3006331"
    "2f3202fb403819999999999a063831");
// Table 7.4.4-4: [{-2: "/", 0: "65/0/0/0", "vlo": "66:0"}, ...]
const std::string table_4 = H(
    "8ca321612f006836352f302f302f3063766c6f6436363a30a2006836352f302f302f3163766c6f6436363a31a2006636352f302f3103"
    "6d38363133383030373535353030a2006636352f302f320201a2006636362f302f30036a6d795365727669636531a2006636362f302f"
    "31036f496e7465726e65742e31352e323334a2006636362f302f3263766c6f6436373a30a2006636362f312f30036a6d795365727669"
    "636532a2006636362f312f31036f496e7465726e65742e31352e323335a2006636362f312f3263766c6f6b36353533353a3635353335"
    "a2006636372f302f30036b38352e37362e37362e3834a2006636372f302f31036d38352e37362e3235352e323535");
// Table 7.4.4-5: [{-2: "/3/0/0", 3: "Open Mobile Alliance"}]
const std::string table_5 = H("81a221662f332f302f3003744f70656e204d6f62696c6520416c6c69616e6365");
// Table 7.4.4-6: [{0: "/3/0/0"}, {0: "/3/0/9"}, {0: "/1/0/1"}]
const std::string table_6 = H("83a100662f332f302f30a100662f332f302f39a100662f312f302f31");
// Table 7.4.4-7: [{0: "/3/0/0", 3: "Open Mobile Alliance"}, {0: "/3/0/9", 2: 95}, {0: "/1/0/1", 2: 86400}]
const std::string table_7 = H(
    "83a200662f332f302f3003744f70656e204d6f62696c6520416c6c69616e6365a200662f332f302f3902185fa200662f312f302f3102"
    "1a00015180");
// Table 7.4.4-8: [{0: "/3311/0/5850", 4: false}, {0: "/3311/1/5850", 4: false}, {0: "/3311/2/5851", 2: 20},
//                 {0: "/3308/0/5900", 2: 18}]
const std::string table_8 = H(
    "84a2006c2f333331312f302f3538353004f4a2006c2f333331312f312f3538353004f4a2006c2f333331312f322f35383531021"
    "4a2006c2f333330382f302f353930300212");

} // namespace

// ---- RFC 8428 §6 ----------------------------------------------------------------------------

TEST_CASE("SenML CBOR RFC 8428 §6 example: verbatim bytes, and with LwM2M names") {
    // The dump of §6 (the §5.1.2 pack): 195 bytes.
    const std::string verbatim =
        H("87 a7 21 78 1b") + "urn:dev:ow:10e2073a0108006:" + H("22 fb 41 d3 03 a1 5b 00 10 62 23 61 41 20 05 00 67") +
        "voltage" + H("01 61 56 02 fb 40 5e 06 66 66 66 66 66") + H("a3 00 67") + "current" +
        H("06 24 02 fb 3f f3 33 33 33 33 33 33") + H("a3 00 67") + "current" + H("06 23 02 fb 3f f4 cc cc cc cc cc cd") +
        H("a3 00 67") + "current" + H("06 22 02 fb 3f f6 66 66 66 66 66 66") + H("a3 00 67") + "current" +
        H("06 21 02 f9 3e 00") + H("a3 00 67") + "current" + H("06 20 02 fb 3f f9 99 99 99 99 99 9a") + H("a3 00 67") +
        "current" + H("06 00 02 fb 3f fb 33 33 33 33 33 33");
    REQUIRE(verbatim.size() == 0xc3);
    // "urn:dev:ow:...:" + "voltage" is no LwM2M path: the error points at "n" (0x30).
    check_error(verbatim, path{}, errc::path_syntax, 0x30);

    // The same bytes with bn "/3316/0/" and the names 5700 (voltage), 5701 (current).
    const std::string pack =
        H("87 a7 21 68") + "/3316/0/" + H("22 fb 41 d3 03 a1 5b 00 10 62 23 61 41 20 05 00 64") + "5700" +
        H("01 61 56 02 fb 40 5e 06 66 66 66 66 66") + H("a3 00 64") + "5701" + H("06 24 02 fb 3f f3 33 33 33 33 33 33") +
        H("a3 00 64") + "5701" + H("06 23 02 fb 3f f4 cc cc cc cc cc cd") + H("a3 00 64") + "5701" +
        H("06 22 02 fb 3f f6 66 66 66 66 66 66") + H("a3 00 64") + "5701" + H("06 21 02 f9 3e 00") + H("a3 00 64") +
        "5701" + H("06 20 02 fb 3f f9 99 99 99 99 99 9a") + H("a3 00 64") + "5701" + H("06 00 02 fb 3f fb 33 33 33 33 33 33");
    const auto r = read_cbor(pack, P("/3316/0"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 7);
    const double bt = 1276020076.001;
    CHECK(same_record(r.records[0], rec("/3316/0/5700", value::of_float(120.1), bt)));
    const double values[] = {1.2, 1.3, 1.4, 1.5, 1.6, 1.7};
    for (int i = 0; i < 6; ++i) {
        CAPTURE(i);
        CHECK(same_record(r.records[static_cast<std::size_t>(i) + 1],
                          rec("/3316/0/5701", value::of_float(values[i]), bt + (i < 5 ? -5.0 + i : 0.0))));
    }
    // The same pack in SenML JSON reads as the same records.
    const auto j = read_json(R"([{"bn":"/3316/0/","bt":1.276020076001e+09,"bu":"A","bver":5,"n":"5700","u":"V","v":120.1},)"
                             R"({"n":"5701","t":-5,"v":1.2},{"n":"5701","t":-4,"v":1.3},{"n":"5701","t":-3,"v":1.4},)"
                             R"({"n":"5701","t":-2,"v":1.5},{"n":"5701","t":-1,"v":1.6},{"n":"5701","v":1.7}])",
                             P("/3316/0"));
    REQUIRE(!j.error);
    CHECK(same_records(j.records, r.records));
}

// ---- LwM2M examples -------------------------------------------------------------------------

TEST_CASE("SenML CBOR LwM2M 1.1 Core Table 7.4.4-2: Device, and the writer gives the same bytes") {
    const auto r = read_cbor(table_2, P("/3/0"), &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 16);
    CHECK(same_record(r.records[0], rec("/3/0/0", value::of_string("Open Mobile Alliance"))));
    CHECK(same_record(r.records[7], rec("/3/0/7/1", value::of_integer(5000))));
    CHECK(same_record(r.records[13], rec("/3/0/13", value::of_time(1367491215))));
    CHECK(same_record(r.records[15], rec("/3/0/16", value::of_string("U"))));
    CHECK(write_cbor(r.records, P("/3/0")) == table_2);
}

TEST_CASE("SenML CBOR LwM2M 1.1 Core Table 7.4.4-3: timestamped values") {
    const auto r = read_cbor(table_3, P("/72"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 3);
    CHECK(same_record(r.records[0], rec("/72/1/2", value::of_float(22.4), 25462629)));
    CHECK(same_record(r.records[1], rec("/72/1/2", value::of_float(22.9), 25462604)));
    CHECK(same_record(r.records[2], rec("/72/1/2", value::of_float(24.1), 25462584)));
}

TEST_CASE("SenML CBOR LwM2M 1.1 Core Table 7.4.4-4: the text key vlo, and the writer's root form") {
    const auto r = read_cbor(table_4);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 12);
    CHECK(same_record(r.records[1], rec("/65/0/0/1", value::of_objlnk(objlnk{66, 1}))));
    CHECK(r.records[9].value.as_objlnk().is_null());
    CHECK(write_cbor(r.records, path{}) == table_4);
}

TEST_CASE("SenML CBOR LwM2M 1.1 Core Tables 7.4.4-5 to 7.4.4-8") {
    const auto single = read_cbor(table_5, P("/3/0/0"));
    REQUIRE(!single.error);
    REQUIRE(single.records.size() == 1);
    CHECK(write_cbor(single.records, P("/3/0/0")) == table_5);

    const auto list = read_cbor_paths(table_6);
    REQUIRE(!list.error);
    REQUIRE(list.records.size() == 3);
    CHECK(list.records[1] == rec("/3/0/9", value{}));
    CHECK(read_cbor(table_6).error == lwm2m::error{errc::invalid_senml, 1});
    CHECK(same_records(read_cbor_paths(write_cbor(list.records, path{})).records, list.records));

    const auto response = read_cbor(table_7);
    REQUIRE(!response.error);
    REQUIRE(response.records.size() == 3);
    CHECK(same_record(response.records[2], rec("/1/0/1", value::of_integer(86400))));

    const auto write = read_cbor(table_8);
    REQUIRE(!write.error);
    REQUIRE(write.records.size() == 4);
    CHECK(same_record(write.records[1], rec("/3311/1/5850", value::of_boolean(false))));
    CHECK(same_record(write.records[2], rec("/3311/2/5851", value::of_integer(20))));
}

TEST_CASE("SenML CBOR labels in any order are written back in order bn, n, t, value (Wakaama case)") {
    // [{0: "1", 2: 1234, -2: "/12/0/", -3: 1234567}, {0: "3", 2: 56.789}, {0: "2/0", 2: 0.23}, {0: "2/1", 2: -52.0006}]
    const std::string unordered = H(
        "84a4006131021904d221662f31322f302f221a0012d687a200613302fb404c64fdf3b645a2a20063322f3002fb3fcd70a3d70a3d71a2"
        "0063322f3102fbc04a0013a92a3055");
    auto r = read_cbor(unordered, P("/12/0"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 4);
    CHECK(same_record(r.records[0], rec("/12/0/1", value::of_integer(1234), 1234567)));
    for (auto& x : r.records) x.time.reset();
    CHECK(hex_of(write_cbor(r.records, P("/12/0"))) ==
          "84a321662f31322f302f006131021904d2a200613302fb404c64fdf3b645a2a20063322f3002fb3fcd70a3d70a3d71a20063322f3102"
          "fbc04a0013a92a3055");
    // With the times: "t" (key 6) before the value.
    r.records[0].time = 1234567;
    CHECK(hex_of(write_cbor(std::span(r.records).first(1), P("/12/0"))) == "81a421662f31322f302f006131061a0012d687021904d2");
}

// ---- CBOR specifics -------------------------------------------------------------------------

TEST_CASE("SenML CBOR numbers: integers, half/single/double floats, decimal fractions") {
    // [{-2: "/9000/0/", 0: "1", 2: X}] with X varied.
    const auto one = [](std::string_view value_hex) {
        return H("81 a3 21 68") + "/9000/0/" + H("00 61 31 02") + H(value_hex);
    };
    struct number_case {
        std::string_view hex;
        value expected;
    };
    const number_case cases[] = {
        {"00", value::of_integer(0)},
        {"17", value::of_integer(23)},
        {"1b 7fffffffffffffff", value::of_integer(std::numeric_limits<std::int64_t>::max())},
        {"1b 8000000000000000", value::of_unsigned(9223372036854775808u)},
        {"1b ffffffffffffffff", value::of_unsigned(std::numeric_limits<std::uint64_t>::max())},
        {"20", value::of_integer(-1)},
        {"3b 7fffffffffffffff", value::of_integer(std::numeric_limits<std::int64_t>::min())},
        {"3b 8000000000000000", value::of_float(-9223372036854775809.0)},
        {"f9 3e00", value::of_float(1.5)},
        {"f9 7bff", value::of_float(65504.0)},
        {"f9 0001", value::of_float(5.960464477539063e-8)},
        {"f9 8000", value::of_float(-0.0)},
        {"fa 47c35000", value::of_float(100000.0)},
        {"fb 3ff199999999999a", value::of_float(1.1)},
        {"f9 7c00", value::of_float(std::numeric_limits<double>::infinity())},
        {"f9 7e00", value::of_float(std::nan(""))},
        {"c4 82 21 19 6ab3", value::of_float(273.15)},       // 4([-2, 27315])
        {"c4 82 02 38 63", value::of_float(-10000.0)},        // 4([2, -100])
        {"c4 82 3b 7fffffffffffffff 01", value::of_float(0)}, // underflow... see below
    };
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        const auto r = read_cbor(one(c.hex));
        if (c.hex.starts_with("c4 82 3b")) {
            // 1e-9223372036854775808 is below the smallest double: out of range.
            REQUIRE(r.error);
            CHECK(r.error->code == errc::number_out_of_range);
            CHECK(r.error->offset == 16);
            continue;
        }
        REQUIRE(!r.error);
        REQUIRE(r.records.size() == 1);
        CHECK(r.records[0].value == c.expected);
    }
    // A decimal fraction with the largest negative mantissa, -2^64.
    const auto big = read_cbor(one("c4 82 00 3b ffffffffffffffff"));
    REQUIRE(!big.error);
    CHECK(big.records[0].value == value::of_float(-18446744073709551616.0));
    // bt and t accept every number form too.
    const auto timed = read_cbor(H("81 a3 00 66") + "/1/0/1" + H("02 01 06 c4 82 20 0f"));
    REQUIRE(!timed.error);
    CHECK(*timed.records[0].time == 1.5);
}

TEST_CASE("SenML CBOR keys: unknown integer keys and text keys ignored, vlo and '_' recognised") {
    // {0: "/1/0/1", 9: [1, 2], -7: {1: 2}, "n": "/2/0/0", "x": h'00', 2: 5}
    const std::string ignored =
        H("81 a6 00 66") + "/1/0/1" + H("09 82 01 02 26 a1 01 02 61") + "n" + H("66") + "/2/0/0" + H("61 78 41 00 02 05");
    const auto r = read_cbor(ignored);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0] == rec("/1/0/1", value::of_integer(5)));
    // A text key that spells a JSON label is an extension label in CBOR: no name here.
    CHECK(read_cbor(H("81 a2 61") + "n" + H("66") + "/1/0/1" + H("02 05")).error == lwm2m::error{errc::invalid_senml, 1});
    // '_' at the end: must be understood.
    const std::string mandatory = H("81 a3 00 66") + "/1/0/1" + H("64") + "foo_" + H("01 02 05");
    check_error(mandatory, path{}, errc::unknown_mandatory_label, 10);
    // Keys of other types.
    check_error(H("81 a1 41 00 00"), path{}, errc::invalid_senml, 2);
    check_error(H("81 a1 f4 00"), path{}, errc::invalid_senml, 2);
    // A text key in chunks (RFC 8949 §3.2.3) is a text key like any other: "n" names nothing.
    CHECK(read_cbor(H("81 a2 7f 61 6e ff 66") + "/1/0/1" + H("02 05")).error == lwm2m::error{errc::invalid_senml, 1});
    // RFC 8949 §3.2.2: an ignored value may be indefinite-length, also as the last pair of a
    // definite map (its "break" then completes the map too): {0: "/1/0/1", 2: 5, "x": [_ 1]}.
    const auto last = read_cbor(H("81 a3 00 66") + "/1/0/1" + H("02 05 61") + "x" + H("9f 01 ff"));
    REQUIRE(!last.error);
    REQUIRE(last.records.size() == 1);
    CHECK(last.records[0] == rec("/1/0/1", value::of_integer(5)));
    // A "break" where the ignored value should be is still malformed.
    check_error(H("81 a3 00 66") + "/1/0/1" + H("02 05 61") + "x" + H("ff"), path{}, errc::invalid_cbor, 14);
}

TEST_CASE("SenML CBOR indefinite-length pack and records are accepted") {
    // [_ {_ 0: "/1/0/1", 2: 5}, {0: "/1/0/2", 4: true}]
    const std::string pack = H("9f bf 00 66") + "/1/0/1" + H("02 05 ff a2 00 66") + "/1/0/2" + H("04 f5 ff");
    const auto r = read_cbor(pack);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[1] == rec("/1/0/2", value::of_boolean(true)));
    CHECK(read_cbor(H("9f ff")).records.empty());
    CHECK(read_cbor(H("80")).records.empty());
}

TEST_CASE("SenML CBOR indefinite-length strings (RFC 8949 §3.2.3): vs, vd, n, bn, keys") {
    // [{-2: (_ "/9000", "/0/"), 0: (_ "", "0"), 3: (_ "ab", "c\xc3\xa9")},
    //  {0: (_ "5"), 8: (_ h'00ff', h'10')}, {0: "8", 3: (_ )}, {0: "3", 2: 4([_ -2, 1025])}]
    const std::string pack = H("84 a3 21 7f 65") + "/9000" + H("63") + "/0/" + H("ff 00 7f 60 61 30 ff 03 7f 62") + "ab" +
                             H("63") + "c\xc3\xa9" + H("ff a2 00 7f 61 35 ff 08 5f 42 00ff 41 10 ff a2 00 61 38 03 7f ff") +
                             H("a2 00 61 33 02 c4 9f 21 19 0401 ff");
    const auto r = read_cbor(pack, path{}, &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 4);
    CHECK(r.records[0].path == P("/9000/0/0"));
    const value& text = r.records[0].value;
    CHECK(text.kind() == value_kind::string);
    CHECK(text.encoding() == text_encoding::cbor_chunks);
    // The view spans the chunks between the 0x7F head and the "break", in the payload.
    CHECK(text.encoded_bytes().data() == lwm2m::as_bytes(pack).data() + 23);
    CHECK(text.encoded_bytes().size() == 7);
    CHECK(decoded(text) == "abc\xc3\xa9");
    CHECK(lwm2m::value_byte_size(text).value() == 5);
    // Stored encodings differ, so the values differ (value::operator==); the bytes do not.
    CHECK(text != value::of_string("abc\xc3\xa9"));
    CHECK(same_value(text, value::of_string("abc\xc3\xa9")));
    CHECK(r.records[1].path == P("/9000/0/5"));
    CHECK(r.records[1].value.kind() == value_kind::opaque);
    CHECK(r.records[1].value.encoding() == text_encoding::cbor_chunks);
    CHECK(decoded(r.records[1].value) == std::string("\x00\xff\x10", 3));
    // No chunk: the empty string, raw (a single chunk is viewed raw too: "5" above).
    CHECK(r.records[2] == rec("/9000/0/8", value::of_corelnk("")));
    CHECK(r.records[3] == rec("/9000/0/3", value::of_float(10.25)));  // an indefinite decimal fraction
    // Written again, the strings are definite: the same records as from the definite pack.
    const std::string definite = write_cbor(r.records, path{});
    const auto again = read_cbor(definite, path{}, &schemas);
    REQUIRE(!again.error);
    CHECK(again.records[0].value == value::of_string("abc\xc3\xa9"));
    CHECK(same_records(again.records, r.records));
    CHECK(write_json(r.records, P("/9000/0")) == R"([{"bn":"/9000/0/","n":"0","vs":"abcé"},{"n":"5","vd":"AP8Q"},)"
                                                 R"({"n":"8","vs":""},{"n":"3","v":10.25}])");
}

TEST_CASE("Chunked CBOR strings converted to TLV, text, opaque and the JSON formats give the joined bytes") {
    using lwm2m::format::content_format;
    struct source {
        content_format format;
        std::string text;    // /3/0/0 = (_ "ab", "c\xc3\xa9")
        std::string opaque;  // /5/0/0 = (_ h'01', h'02ff')
    };
    const source sources[] = {
        {content_format::senml_cbor, H("81 a2 21 66") + "/3/0/0" + H("03 7f 62") + "ab" + H("63") + "c\xc3\xa9" + H("ff"),
         H("81 a2 21 66") + "/5/0/0" + H("08 5f 41 01 42 02ff ff")},
        {content_format::lwm2m_cbor, H("a1 83 03 00 00 7f 62") + "ab" + H("63") + "c\xc3\xa9" + H("ff"),
         H("a1 83 05 00 00 5f 41 01 42 02ff ff")},
        {content_format::cbor, H("7f 62") + "ab" + H("63") + "c\xc3\xa9" + H("ff"), H("5f 41 01 42 02ff ff")},
    };
    const auto convert = [](content_format from, const std::string& payload, content_format to, std::string_view base) {
        std::array<record, 4> scratch{};
        std::vector<std::byte> buf(256);
        lwm2m::format::output_window out(buf);
        const auto ok = lwm2m::format::convert(from, lwm2m::as_bytes(payload), to, P(base), &schemas, scratch, out);
        REQUIRE(ok.has_value());
        return std::string(reinterpret_cast<const char*>(buf.data()), out.finish().value());
    };
    for (const source& s : sources) {
        CAPTURE(static_cast<int>(s.format));
        CHECK(convert(s.format, s.text, content_format::text, "/3/0/0") == "abc\xc3\xa9");
        CHECK(convert(s.format, s.text, content_format::tlv, "/3/0/0") == H("c5 00") + "abc\xc3\xa9");
        CHECK(convert(s.format, s.text, content_format::senml_json, "/3/0/0") == "[{\"bn\":\"/3/0/0\",\"vs\":\"abc\xc3\xa9\"}]");
        CHECK(convert(s.format, s.text, content_format::oma_json, "/3/0/0") ==
              "{\"bn\":\"/3/0/\",\"e\":[{\"n\":\"0\",\"sv\":\"abc\xc3\xa9\"}]}");
        CHECK(convert(s.format, s.text, content_format::cbor, "/3/0/0") == H("65") + "abc\xc3\xa9");
        CHECK(convert(s.format, s.opaque, content_format::opaque, "/5/0/0") == H("01 02 ff"));
        CHECK(convert(s.format, s.opaque, content_format::tlv, "/5/0/0") == H("c3 00 01 02 ff"));
        CHECK(convert(s.format, s.opaque, content_format::text, "/5/0/0") == "AQL/");
    }
}

TEST_CASE("SenML CBOR chunked keys are decoded: \"vlo\", and a trailing '_'") {
    // {0: "/1/0/1", (_ "v", "lo"): (_ "3:", "0")}
    const auto link = read_cbor(H("81 a2 00 66") + "/1/0/1" + H("7f 61 76 62") + "lo" + H("ff 7f 62") + "3:" + H("61 30 ff"));
    REQUIRE(!link.error);
    REQUIRE(link.records.size() == 1);
    CHECK(link.records[0] == rec("/1/0/1", value::of_objlnk(objlnk{3, 0})));
    // (_ "fo", "o_"): must be understood (RFC 8428 §4.4), at the key.
    check_error(H("81 a3 00 66") + "/1/0/1" + H("02 05 7f 62") + "fo" + H("62") + "o_" + H("ff 01"), path{},
                errc::unknown_mandatory_label, 12);
    // (_ "vl", "ox"), (_ "vlo", "x"): extension labels, ignored.
    for (const std::string& key : {H("7f 62") + "vl" + H("62") + "ox" + H("ff"), H("7f 63") + "vlo" + H("61") + "x" + H("ff")}) {
        const auto r = read_cbor(H("81 a3 00 66") + "/1/0/1" + H("02 05") + key + H("01"));
        REQUIRE(!r.error);
        CHECK(r.records.size() == 1);
    }
}

TEST_CASE("SenML CBOR self-described tag 55799 (RFC 8949 §3.4.6) before the pack is skipped") {
    const std::string pack = H("82 a3 21 65") + "/3/0/" + H("00 61 30 03 61 78 a2 00 61 31 02 05");
    const auto plain = read_cbor(pack);
    REQUIRE(!plain.error);
    for (const std::string& tagged : {H("d9 d9 f7") + pack, H("d9 d9 f7 d9 d9 f7") + pack}) {
        const auto r = read_cbor(tagged);
        REQUIRE(!r.error);
        CHECK(r.records == plain.records);
    }
    // Another tag there is refused, and so is 55799 alone.
    check_error(H("d9 d9 f6") + pack, path{}, errc::invalid_senml, 0);
    check_error(H("d9 d9 f7"), path{}, errc::truncated_value, 3);
}

TEST_CASE("SenML CBOR values: opaque zero-copy, strings as UTF-8 text") {
    const std::string pack = H("82 a3 21 68") + "/9000/0/" + H("00 61 35 08 43 00 ff 10 a2 00 61 30 03 63") + "\xc3\xa9!";
    const auto r = read_cbor(pack, P("/9000/0"), &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[0].value.kind() == value_kind::opaque);
    CHECK(r.records[0].value.encoding() == text_encoding::raw);
    CHECK(r.records[0].value.encoded_bytes().data() == lwm2m::as_bytes(pack).data() + 17);  // a view of the payload
    CHECK(decoded(r.records[0].value) == std::string("\x00\xff\x10", 3));
    CHECK(r.records[1].value == value::of_string("\xc3\xa9!"));
    CHECK(write_cbor(r.records, P("/9000/0")) == pack);
}

TEST_CASE("SenML CBOR errors: every code with its offset") {
    const std::string name = H("66") + "/1/0/1";  // 7 bytes
    struct error_case {
        std::string payload;
        errc code;
        std::size_t offset;
    };
    const error_case cases[] = {
        // structure
        {H("a1 00 00"), errc::invalid_senml, 0},
        {H("81 01"), errc::invalid_senml, 1},
        {H("82 a2 00") + name + H("02 01 80"), errc::invalid_senml, 12},
        {H("81 a2 00") + name + H("02 01 00"), errc::invalid_cbor, 12},
        {H("81 a2 00") + name + H("02"), errc::truncated_value, 11},
        {H("82 a2 00") + name + H("02 01"), errc::truncated_value, 12},
        {H("81 a2 00") + name + H("02 1c"), errc::invalid_cbor, 11},
        {"", errc::truncated_value, 0},
        {H("9f a2 00") + name + H("02 01"), errc::truncated_value, 12},
        // label types
        {H("81 a2 00 01 02 01"), errc::invalid_senml, 3},
        {H("81 a2 00") + name + H("02 61 31"), errc::invalid_senml, 11},
        {H("81 a2 00") + name + H("02 c1 01"), errc::invalid_senml, 11},         // tag 1
        {H("81 a2 00") + name + H("02 c2 41 01"), errc::invalid_senml, 11},      // bignum
        {H("81 a2 00") + name + H("02 c4 81 01"), errc::invalid_senml, 12},      // 4([1])
        {H("81 a2 00") + name + H("02 c4 82 f9 3c00 01"), errc::invalid_senml, 13},
        {H("81 a2 00") + name + H("02 c4 82 01 c2 41 01"), errc::invalid_senml, 14},
        {H("81 a2 00") + name + H("03 41 61"), errc::invalid_senml, 11},         // vs as bytes
        {H("81 a2 00") + name + H("03 7f 41 61 ff"), errc::invalid_cbor, 12},    // a byte chunk in text
        {H("81 a2 00") + name + H("03 7f 7f ff ff"), errc::invalid_cbor, 12},    // an indefinite chunk
        {H("81 a2 00") + name + H("03 7f 61 61"), errc::truncated_value, 14},    // no "break"
        {H("81 a2 00") + name + H("08 5f 61 61 ff"), errc::invalid_cbor, 12},    // a text chunk in bytes
        {H("81 a2 00") + name + H("03 5f 41 61 ff"), errc::invalid_senml, 11},   // vs as chunked bytes
        {H("81 a2 00") + name + H("08 7f 61 61 ff"), errc::invalid_senml, 11},   // vd as chunked text
        {H("81 a2 00") + name + H("03 7f 61 61 61 c3 61 a9 ff"), errc::invalid_utf8, 15},  // é split: each chunk alone
        {H("81 a2 00 7f 62 2f 31 62 ff 31 ff 02 01"), errc::invalid_utf8, 8},  // in a name's chunk
        {H("81 a2 00 7f 62 2f 31 62 2f 78 ff 02 01"), errc::path_invalid_number, 3},  // "/1/x" in chunks
        {H("d9 d9 f7 a1 00 00"), errc::invalid_senml, 3},                            // tag 55799, then no array
        {H("81 d9 d9 f7 a2 00") + name + H("02 01"), errc::invalid_senml, 1},         // 55799 before a record
        {H("81 a2 00") + name + H("02 d9 d9 f7 01"), errc::invalid_senml, 11},      // 55799 before a value
        {H("81 a2 00") + name + H("02 c4 9f 21 19 0401 01 ff"), errc::invalid_senml, 17},  // 4([_ e, m, x])
        {H("81 a2 00") + name + H("08 61 61"), errc::invalid_senml, 11},         // vd as text
        {H("81 a2 00") + name + H("04 01"), errc::invalid_senml, 11},
        {H("81 a2 00") + name + H("63 76 6c 6f 01"), errc::invalid_senml, 14},   // vlo as number
        {H("81 a3 00") + name + H("02 01 20 fb 4024000000000000"), errc::invalid_senml, 13},  // bver 10.0
        {H("81 a3 00") + name + H("02 01 20 20"), errc::invalid_senml, 13},       // bver -1
        {H("81 a3 00") + name + H("02 01 20 0b"), errc::invalid_senml, 13},       // bver 11
        {H("81 a3 00") + name + H("02 01 01 01"), errc::invalid_senml, 13},       // u
        {H("81 a3 00") + name + H("02 01 06 f5"), errc::invalid_senml, 13},       // t
        // records
        {H("81 a1 02 01"), errc::invalid_senml, 1},
        {H("81 a3 00") + name + H("02 01 03 61 61"), errc::invalid_senml, 12},
        {H("81 a3 00") + name + H("00") + name + H("02 01"), errc::duplicate_entry, 10},
        {H("81 a1 00") + name, errc::invalid_senml, 1},
        {H("81 a2 00") + name, errc::truncated_value, 10},
        {H("81 a2 00 66") + "/1/0/x" + H("02 01"), errc::path_invalid_number, 3},
        {H("81 a2 00 64") + "/1/0" + H("02 01"), errc::not_resource_instance_level, 3},
        {H("81 a2 00 62") + "\xff\x31" + H("02 01"), errc::invalid_utf8, 4},
        {H("81 a2 00") + name + H("03 62 61 c3"), errc::invalid_utf8, 13},
        {H("81 a2 00") + name + H("63 76 6c 6f 63 31 3a 78"), errc::invalid_objlnk, 14},
        {H("81 a3 00") + name + H("02 01 06 f9 7c00"), errc::number_out_of_range, 13},  // time +inf
        {H("81 a2 00") + name + H("02 c4 82 19 ffff 01"), errc::number_out_of_range, 11},  // 1e65535
    };
    for (const auto& c : cases) check_error(c.payload, path{}, c.code, c.offset);
    // Records must lie under the request path.
    check_error(H("81 a2 00") + name + H("02 01"), P("/1/1"), errc::invalid_nesting, 3);
    // Path lists reject values.
    CHECK(read_cbor_paths(H("81 a2 00") + name + H("02 01")).error == lwm2m::error{errc::invalid_senml, 10});
    // With a schema.
    check_error(H("81 a2 00 69") + "/9000/0/9" + H("02 01"), path{}, errc::type_mismatch, 14, &schemas);
    check_error(H("81 a2 00 6a") + "/9000/0/20" + H("02 18 65"), path{}, errc::number_out_of_range, 15, &schemas);
    check_error(H("81 a2 00 6a") + "/9000/0/99" + H("02 01"), path{}, errc::resource_not_in_schema, 3, &schemas);
}

TEST_CASE("SenML CBOR writer: shortest integers and floats, time, transcoded text") {
    const std::vector<record> recs = {
        rec("/9000/0/1", value::of_integer(-1)),
        rec("/9000/0/1", value::of_integer(std::numeric_limits<std::int64_t>::min())),
        rec("/9000/0/2", value::of_unsigned(std::numeric_limits<std::uint64_t>::max())),
        rec("/9000/0/3", value::of_float(22.5)),
        rec("/9000/0/3", value::of_float(100000.0)),
        rec("/9000/0/3", value::of_float(0.1)),
        rec("/9000/0/3", value::of_float(std::nan(""))),
        rec("/9000/0/6", value::of_time(1700000000), 1.5),
        rec("/9000/0/5", value::of_opaque(lwm2m::as_bytes("AQID"), text_encoding::base64url)),
        rec("/9000/0/0", value::of_string("a\\n", text_encoding::json_escaped)),
        rec("/9000/0/7", value::of_objlnk(objlnk{3, 0})),
        rec("/9000/0/4", value::of_boolean(true), -2.0),
    };
    CHECK(hex_of(write_cbor(recs, P("/9000/0"))) == hex_of(H("8c"
                                                             "a3 21 68 2f393030302f302f 00 61 31 02 20"
                                                             "a2 00 61 31 02 3b 7fffffffffffffff"
                                                             "a2 00 61 32 02 1b ffffffffffffffff"
                                                             "a2 00 61 33 02 f9 4da0"
                                                             "a2 00 61 33 02 fa 47c35000"
                                                             "a2 00 61 33 02 fb 3fb999999999999a"
                                                             "a2 00 61 33 02 f9 7e00"
                                                             "a3 00 61 36 06 f9 3e00 02 1a 6553f100"
                                                             "a2 00 61 35 08 43 010203"
                                                             "a2 00 61 30 03 62 610a"
                                                             "a2 00 61 37 63 766c6f 63 333a30"
                                                             "a3 00 61 34 06 21 04 f5")));
}

TEST_CASE("SenML CBOR writer errors, with the record index") {
    const std::byte raw[] = {std::byte{0x01}};
    const std::vector<record> untyped = {rec("/3/0/1", value::of_integer(1)), rec("/3/0/2", value::of_untyped(raw))};
    CHECK(write_cbor_error(untyped, P("/3/0")) == lwm2m::error{errc::type_mismatch, 1});
    const std::vector<record> outside = {rec("/4/0/1", value::of_integer(1))};
    CHECK(write_cbor_error(outside, P("/3/0")) == lwm2m::error{errc::invalid_argument, 0});
    const std::vector<record> high = {rec("/3", value::of_integer(1))};
    CHECK(write_cbor_error(high, path{}) == lwm2m::error{errc::invalid_argument, 0});
    const std::vector<record> nan_time = {rec("/3/0/1", value::of_integer(1), std::nan(""))};
    CHECK(write_cbor_error(nan_time, P("/3")) == lwm2m::error{errc::number_out_of_range, 0});
    const std::vector<record> bad_utf8 = {rec("/3/0/1", value::of_integer(1)), rec("/3/0/1", value::of_corelnk("\xff"))};
    CHECK(write_cbor_error(bad_utf8, P("/3")) == lwm2m::error{errc::invalid_utf8, 1});
    const std::vector<record> bad_b64 = {rec("/3/0/1", value::of_opaque(lwm2m::as_bytes("*"), text_encoding::base64url))};
    CHECK(write_cbor_error(bad_b64, P("/3")) == lwm2m::error{errc::invalid_base64, 0});
    // A NaN or infinite Float is fine in CBOR.
    const std::vector<record> inf = {rec("/3/0/1", value::of_float(-std::numeric_limits<double>::infinity()))};
    CHECK(same_records(read_cbor(write_cbor(inf, P("/3"))).records, inf));
}

TEST_CASE("SenML CBOR writer in Block2-sized windows gives the same bytes") {
    const auto records = read_cbor(table_2, P("/3/0")).records;
    for (std::size_t block : {16u, 64u, 1024u}) {
        std::string joined;
        for (std::size_t skip = 0; skip < table_2.size(); skip += block) {
            std::vector<std::byte> buf(block);
            lwm2m::format::output_window out(buf, skip);
            REQUIRE(lwm2m::format::write_senml_cbor(records, P("/3/0"), out).has_value());
            CHECK(out.total() == table_2.size());
            joined.append(reinterpret_cast<const char*>(buf.data()), out.written());
        }
        CHECK(joined == table_2);
    }
}

// ---- JSON <-> CBOR --------------------------------------------------------------------------

TEST_CASE("SenML JSON <-> CBOR: the spec tables convert to the spec bytes") {
    struct table_case {
        std::string_view json;
        const std::string* cbor;
        std::string_view base;
    };
    const table_case cases[] = {
        {R"([{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1","vs":"Lightweight M2M Client"},)"
         R"({"n":"2","vs":"345000123"},{"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},)"
         R"({"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},)"
         R"({"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},{"n":"13","v":1367491215},)"
         R"({"n":"14","vs":"+02:00"},{"n":"16","vs":"U"}])",
         &table_2, "/3/0"},
        {R"([{"bn":"/","n":"65/0/0/0","vlo":"66:0"},{"n":"65/0/0/1","vlo":"66:1"},)"
         R"({"n":"65/0/1","vs":"8613800755500"},{"n":"65/0/2","v":1},{"n":"66/0/0","vs":"myService1"},)"
         R"({"n":"66/0/1","vs":"Internet.15.234"},{"n":"66/0/2","vlo":"67:0"},{"n":"66/1/0","vs":"myService2"},)"
         R"({"n":"66/1/1","vs":"Internet.15.235"},{"n":"66/1/2","vlo":"65535:65535"},)"
         R"({"n":"67/0/0","vs":"85.76.76.84"},{"n":"67/0/1","vs":"85.76.255.255"}])",
         &table_4, "/"},
        {R"([{"bn":"/3/0/0","vs":"Open Mobile Alliance"}])", &table_5, "/3/0/0"},
    };
    for (const auto& c : cases) {
        const path base = P(c.base);
        const auto from_json = read_json(c.json, base);
        REQUIRE(!from_json.error);
        CHECK(write_cbor(from_json.records, base) == *c.cbor);
        const auto from_cbor = read_cbor(*c.cbor, base);
        REQUIRE(!from_cbor.error);
        CHECK(write_json(from_cbor.records, base) == c.json);
        CHECK(same_records(from_json.records, from_cbor.records));
    }
}

// ---- random round trips -----------------------------------------------------------------

namespace {

struct generator {
    std::mt19937_64 rng;
    std::deque<std::string> storage;

    std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); }
    bool coin() { return below(2) == 0; }
    std::int64_t any_int() {
        switch (below(4)) {
        case 0: return static_cast<std::int64_t>(rng());
        case 1: return static_cast<std::int64_t>(below(2001)) - 1000;
        case 2: return std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(below(3));
        default: return std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(below(3));
        }
    }
    double any_double(bool finite_only) {
        switch (below(7)) {
        case 0: return static_cast<double>(any_int());
        case 1: return static_cast<double>(any_int()) / 1024.0;
        case 2: return std::ldexp(static_cast<double>(below(1u << 20)), static_cast<int>(below(60)) - 30);
        case 3: {  // single precision
            float f = 0;
            do f = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
            while (!std::isfinite(f));
            return static_cast<double>(f);
        }
        case 4:
            if (!finite_only) return coin() ? -std::numeric_limits<double>::infinity() : std::nan("");
            [[fallthrough]];
        default: {
            double d = 0;
            do d = std::bit_cast<double>(rng());
            while (!std::isfinite(d));
            return d;
        }
        }
    }
    std::string_view any_text() {
        std::string s;
        const std::size_t n = below(24);
        for (std::size_t i = 0; i < n; ++i) {
            switch (below(8)) {
            case 0: s.push_back(static_cast<char>(below(0x20))); break;
            case 1: s.push_back(coin() ? '"' : '\\'); break;
            case 2: s += "\xc3\xa9"; break;
            case 3: s += "\xe2\x82\xac"; break;
            case 4: s += "\xf0\x9f\x98\x80"; break;
            default: s.push_back(static_cast<char>(0x20 + below(0x5f))); break;
            }
        }
        storage.push_back(std::move(s));
        return storage.back();
    }
    bytes_view any_bytes() {
        std::string s;
        const std::size_t n = below(40);
        for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(below(256)));
        storage.push_back(std::move(s));
        return lwm2m::as_bytes(storage.back());
    }
    value any_value(data_type t, bool finite_only) {
        switch (t) {
        case data_type::string: return value::of_string(any_text());
        case data_type::corelnk: return value::of_corelnk(any_text());
        case data_type::integer: return value::of_integer(any_int());
        case data_type::time: return value::of_time(any_int());
        case data_type::unsigned_integer: return value::of_unsigned(coin() ? rng() : below(1000));
        case data_type::float_: return value::of_float(any_double(finite_only));
        case data_type::boolean: return value::of_boolean(coin());
        case data_type::opaque: return value::of_opaque(any_bytes());
        case data_type::objlnk:
            return value::of_objlnk(objlnk{static_cast<std::uint16_t>(below(65536)), static_cast<std::uint16_t>(below(65536))});
        case data_type::none: break;
        }
        return value{};
    }
    std::vector<record> pack(path& base, bool finite_only) {
        const std::uint16_t instance = static_cast<std::uint16_t>(below(3));
        const auto& resources = all_types.resources;
        switch (below(4)) {
        case 0: base = path{}; break;
        case 1: base = P("/9000"); break;
        default: base = path::make(9000, instance).value(); break;
        }
        std::vector<record> out;
        const std::size_t n = below(12);
        for (std::size_t i = 0; i < n; ++i) {
            const resource_def& r = resources[below(resources.size())];
            if (r.type == data_type::none) continue;
            const std::uint16_t inst = base.depth() >= 2 ? instance : static_cast<std::uint16_t>(below(3));
            path p = path::make(9000, inst, r.id).value();
            if (r.is_multiple()) p = p.child(below(coin() ? 3 : 65535)).value();
            std::optional<double> t;
            if (below(3) == 0) t = coin() ? static_cast<double>(any_int() / 1024) : any_double(true);
            value v = any_value(r.type, finite_only);
            if (r.range.present) v = value::of_integer(static_cast<std::int64_t>(below(101)));
            out.push_back(record{p, v, t});
        }
        if (coin() && !out.empty()) {
            base = out[0].path;
            out.resize(1);
        }
        return out;
    }
};

value untyped_view(const value& v) {
    switch (v.kind()) {
    case value_kind::time: return value::of_integer(v.as_time());
    case value_kind::unsigned_integer:
        if (v.as_unsigned() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return value::of_integer(static_cast<std::int64_t>(v.as_unsigned()));
        return v;
    case value_kind::corelnk: return value::of_string(lwm2m::as_chars(v.encoded_bytes()), v.encoding());
    default: return v;
    }
}

} // namespace

TEST_CASE("SenML CBOR random round trips: decode(encode(x)) == x, with and without schema") {
    generator g{std::mt19937_64{0xc0b0}, {}};
    std::size_t total_records = 0;
    for (int iteration = 0; iteration < 1500; ++iteration) {
        path base;
        const std::vector<record> records = g.pack(base, false);
        CAPTURE(iteration);
        const std::string payload = write_cbor(records, base);
        CAPTURE(hex_of(payload));
        const auto typed = read_cbor(payload, base, &schemas);
        REQUIRE(!typed.error);
        REQUIRE(same_records(typed.records, records));
        const auto plain = read_cbor(payload, base);
        REQUIRE(!plain.error);
        std::vector<record> expected = records;
        for (auto& r : expected) r.value = untyped_view(r.value);
        REQUIRE(same_records(plain.records, expected));
        std::vector<record> paths = records;
        for (auto& r : paths) r.value = value{};
        const auto list = read_cbor_paths(write_cbor(paths, base), base, &schemas);
        REQUIRE(!list.error);
        REQUIRE(list.records == paths);
        total_records += records.size();
    }
    CHECK(total_records > 4000);
}

TEST_CASE("SenML JSON <-> CBOR random conversions give the same records") {
    generator g{std::mt19937_64{0x15011}, {}};
    for (int iteration = 0; iteration < 1000; ++iteration) {
        path base;
        const std::vector<record> records = g.pack(base, true);
        CAPTURE(iteration);
        // JSON -> records -> CBOR -> records
        const std::string json = write_json(records, base);
        CAPTURE(json);
        const auto from_json = read_json(json, base, &schemas);
        REQUIRE(!from_json.error);
        const std::string cbor = write_cbor(from_json.records, base);
        const auto from_cbor = read_cbor(cbor, base, &schemas);
        REQUIRE(!from_cbor.error);
        REQUIRE(same_records(from_cbor.records, records));
        // CBOR -> records -> JSON -> records, without schema too
        const std::string cbor_again = write_cbor(records, base);  // the records read view it
        const auto plain_cbor = read_cbor(cbor_again, base);
        REQUIRE(!plain_cbor.error);
        const std::string json_again = write_json(plain_cbor.records, base);
        const auto plain_json = read_json(json_again, base);
        REQUIRE(!plain_json.error);
        REQUIRE(same_records(plain_json.records, plain_cbor.records));
        // The converted JSON is the JSON the records give directly.
        REQUIRE(write_json(from_cbor.records, base) == json);
    }
}
