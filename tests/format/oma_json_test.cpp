#include <lwm2m/format/oma_json.hpp>

#include <doctest/doctest.h>

#include <lwm2m/format/content_format.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
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
using lwm2m::format::oma_json_reader;
using lwm2m::format::record;

// ---- schemas (local, so the tests do not depend on the generated OMA objects) --------------

using lwm2m::test::res;
using lwm2m::test::range;

// Device (3) as LwM2M 1.0 defines it.
constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(1, data_type::string), res(2, data_type::string), res(3, data_type::string),
    res(4, data_type::none), res(6, data_type::integer, true, range(0, 7)), res(7, data_type::integer, true),
    res(8, data_type::integer, true), res(9, data_type::integer, false, range(0, 100)), res(10, data_type::integer),
    res(11, data_type::integer, true), res(13, data_type::time), res(14, data_type::string),
    res(15, data_type::string), res(16, data_type::string));

// The made-up objects 66 and 67 of the LwM2M 1.0 §6.4.3/§6.4.4 object-link examples.
constexpr auto object_66 = lwm2m::make_object(
    lwm2m::object_info{66, "Service", {1, 0}, multiplicity::multiple, lwm2m::presence::optional, {}},
    res(0, data_type::string), res(1, data_type::string), res(2, data_type::objlnk));

// Every data type, single (0..9) and multiple (10..18), some with ranges.
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

constexpr lwm2m::object_view schema_list[] = {device, object_66, all_types};
constexpr lwm2m::schema_registry schemas{schema_list};

// ---- helpers --------------------------------------------------------------------------------

path P(std::string_view text) { return lwm2m::parse_path(text).value(); }

struct read_result {
    std::vector<record> records;
    std::optional<lwm2m::error> error;
};

read_result read_json(std::string_view payload, const path& base = path{},
                      const lwm2m::schema_registry* registry = nullptr, bool resource_instance_zero = false) {
    oma_json_reader reader(lwm2m::as_bytes(payload), base, registry);
    if (resource_instance_zero) reader.read_resource_instance_zero_as_resource();
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

std::string decoded(const value& v) {
    std::string s;
    auto n = lwm2m::for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); });
    REQUIRE(n.has_value());
    return s;
}

/** Same kind and same decoded content (a JSON-escaped "sv" equals the raw string). */
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

std::string write_json(std::span<const record> records, const path& base) {
    // Exactly the size the writer predicts: a write past it is an ASan report, not a pass.
    auto size = lwm2m::format::oma_json_size(records, base);
    REQUIRE(size.has_value());
    std::vector<std::byte> buf(*size);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_oma_json(records, base, out);
    REQUIRE(ok.has_value());
    auto n = out.finish();
    REQUIRE(n.has_value());
    CHECK(*size == *n);
    return std::string(reinterpret_cast<const char*>(buf.data()), *n);
}

lwm2m::error write_error(std::span<const record> records, const path& base) {
    std::vector<std::byte> buf(4096);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_oma_json(records, base, out);
    REQUIRE(!ok.has_value());
    CHECK(out.total() == 0);  // nothing written
    return ok.error();
}

void check_error(std::string_view payload, const path& base, errc code, std::size_t offset,
                 const lwm2m::schema_registry* registry = nullptr) {
    CAPTURE(payload);
    const auto r = read_json(payload, base, registry);
    REQUIRE(r.error.has_value());
    CHECK(lwm2m::name(r.error->code) == lwm2m::name(code));
    CHECK(r.error->offset == offset);
}

/** Offset of the `nth` occurrence of `needle` in `hay`. */
std::size_t at(std::string_view hay, std::string_view needle, int nth = 0) {
    std::size_t p = hay.find(needle);
    while (nth-- > 0 && p != std::string_view::npos) p = hay.find(needle, p + 1);
    REQUIRE(p != std::string_view::npos);
    return p;
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

// The Device object instance example of LwM2M 1.0 §6.4.4 ("Single Object Instance Request"),
// pretty-printed as the specification shows it.
constexpr std::string_view spec_device = R"({"bn":"/3/0/",
"e":[
{"n":"0","sv":"Open Mobile Alliance"},
{"n":"1","sv":"Lightweight M2M Client"},
{"n":"2","sv":"345000123"},
{"n":"3","sv":"1.0"},
{"n":"6/0","v":1},
{"n":"6/1","v":5},
{"n":"7/0","v":3800},
{"n":"7/1","v":5000},
{"n":"8/0","v":125},
{"n":"8/1","v":900},
{"n":"9","v":100},
{"n":"10","v":15},
{"n":"11/0","v":0},
{"n":"13","v":1367491215},
{"n":"14","sv":"+02:00"},
{"n":"16","sv":"U"}]
})";

} // namespace

// ---- LwM2M 1.0 §6.4.4 examples ---------------------------------------------------------------

TEST_CASE("OMA JSON LwM2M 1.0 §6.4.4 Device object instance example, without and with schema") {
    const std::vector<record> expected = {
        rec("/3/0/0", value::of_string("Open Mobile Alliance")), rec("/3/0/1", value::of_string("Lightweight M2M Client")),
        rec("/3/0/2", value::of_string("345000123")),            rec("/3/0/3", value::of_string("1.0")),
        rec("/3/0/6/0", value::of_integer(1)),                   rec("/3/0/6/1", value::of_integer(5)),
        rec("/3/0/7/0", value::of_integer(3800)),                rec("/3/0/7/1", value::of_integer(5000)),
        rec("/3/0/8/0", value::of_integer(125)),                 rec("/3/0/8/1", value::of_integer(900)),
        rec("/3/0/9", value::of_integer(100)),                   rec("/3/0/10", value::of_integer(15)),
        rec("/3/0/11/0", value::of_integer(0)),                  rec("/3/0/13", value::of_integer(1367491215)),
        rec("/3/0/14", value::of_string("+02:00")),              rec("/3/0/16", value::of_string("U"))};
    for (const path& base : {P("/3/0"), P("/3"), path{}}) {
        CAPTURE(base.text().view());
        const auto r = read_json(spec_device, base);
        REQUIRE(!r.error);
        CHECK(same_records(r.records, expected));
    }
    // With the schema, Current Time (13) is a Time.
    const auto typed = read_json(spec_device, P("/3/0"), &schemas);
    REQUIRE(!typed.error);
    REQUIRE(typed.records.size() == 16);
    CHECK(typed.records[13].value == value::of_time(1367491215));
    CHECK(typed.records[10].value == value::of_integer(100));
    CHECK(typed.records[0].value.raw_text() == "Open Mobile Alliance");

    // Written back for GET /3/0: the same payload without the line breaks.
    std::string compact;
    for (const char c : spec_device)
        if (c != '\n') compact.push_back(c);
    CHECK(write_json(typed.records, P("/3/0")) == compact);
}

TEST_CASE("OMA JSON LwM2M 1.0 §6.4.4 object links: GET /66 with \"ov\"") {
    // The object-link example of LwM2M 1.0 §6.4.4 (objects 66/67 of the §6.4.3 TLV example).
    constexpr std::string_view payload =
        R"({"bn":"/66/","e":[{"n":"0/0","sv":"myService1"},{"n":"0/1","sv":"Internet.15.234"},)"
        R"({"n":"0/2","ov":"67:0"},{"n":"1/0","sv":"myService2"},{"n":"1/1","sv":"Internet.15.235"},)"
        R"({"n":"1/2","ov":"65535:65535"}]})";
    const std::vector<record> expected = {
        rec("/66/0/0", value::of_string("myService1")), rec("/66/0/1", value::of_string("Internet.15.234")),
        rec("/66/0/2", value::of_objlnk({67, 0})),       rec("/66/1/0", value::of_string("myService2")),
        rec("/66/1/1", value::of_string("Internet.15.235")), rec("/66/1/2", value::of_objlnk({65535, 65535}))};
    const auto r = read_json(payload, P("/66"));
    REQUIRE(!r.error);
    CHECK(same_records(r.records, expected));
    CHECK(r.records[5].value.as_objlnk().is_null());
    const auto typed = read_json(payload, P("/66"), &schemas);
    REQUIRE(!typed.error);
    CHECK(same_records(typed.records, expected));
    CHECK(write_json(r.records, P("/66")) == payload);
}

TEST_CASE("OMA JSON LwM2M 1.0 §6.4.4 historical notification: \"bt\" after \"e\", relative \"t\", no \"n\"") {
    // The shape of the §6.4.4 notification example: one resource, three timestamped values, the
    // base time written after the entries, the entries named by "bn" alone.
    constexpr std::string_view payload =
        R"({"bn":"/3303/0/5700","e":[{"v":22.4,"t":-5},{"v":22.9,"t":-30},{"v":24.1,"t":-50}],"bt":25462634})";
    const auto r = read_json(payload, P("/3303/0/5700"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 3);
    CHECK(same_records(r.records, {rec("/3303/0/5700", value::of_float(22.4), 25462629.0),
                                   rec("/3303/0/5700", value::of_float(22.9), 25462604.0),
                                   rec("/3303/0/5700", value::of_float(24.1), 25462584.0)}));
    // The writer puts "bt" first (the first record's time) and the differences in "t", and
    // names every entry (bn one id above the resource).
    CHECK(write_json(r.records, P("/3303/0/5700")) ==
          R"({"bn":"/3303/0/","bt":25462629,"e":[{"n":"5700","v":22.4},{"n":"5700","v":22.9,"t":-25},)"
          R"({"n":"5700","v":24.1,"t":-45}]})");
    // The draft form with names relative to the object instance.
    constexpr std::string_view relative =
        R"({"e":[{"n":"5700","v":22.4,"t":-5},{"n":"5700","v":22.9,"t":-30}],"bt":25462634})";
    const auto rr = read_json(relative, P("/3303/0"));
    REQUIRE(!rr.error);
    CHECK(same_records(rr.records, {rec("/3303/0/5700", value::of_float(22.4), 25462629.0),
                                    rec("/3303/0/5700", value::of_float(22.9), 25462604.0)}));
}

TEST_CASE("OMA JSON: Device /3/0 of the bench data (14 records) round trip") {
    const std::vector<record> device_records = bench_device();
    const std::string json = write_json(device_records, P("/3/0"));
    CHECK(json ==
          R"({"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"1","sv":"Lightweight M2M Client"},)"
          R"({"n":"2","sv":"345000123"},{"n":"3","sv":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},)"
          R"({"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},)"
          R"({"n":"13","v":1700000000},{"n":"14","sv":"+01:00"},{"n":"16","sv":"U"}]})");
    const auto r = read_json(json, P("/3/0"));
    REQUIRE(!r.error);
    CHECK(same_records(r.records, device_records));
    // Read with the schema, 13 is a Time; written again, the same bytes.
    const auto typed = read_json(json, P("/3/0"), &schemas);
    REQUIRE(!typed.error);
    CHECK(typed.records[11].value == value::of_time(1700000000));
    CHECK(write_json(typed.records, P("/3/0")) == json);
    // From the object and from the root.
    CHECK(write_json(device_records, P("/3")).rfind(R"({"bn":"/3/","e":[{"n":"0/0","sv")", 0) == 0);
    CHECK(write_json(device_records, path{}).rfind(R"({"bn":"/","e":[{"n":"3/0/0","sv")", 0) == 0);
    for (const path& base : {P("/3"), path{}}) {
        const std::string written = write_json(device_records, base);
        const auto again = read_json(written, base);
        REQUIRE(!again.error);
        CHECK(same_records(again.records, device_records));
    }
}

TEST_CASE("OMA JSON: the legacy Content-Format 1543 is the same format") {
    using lwm2m::format::content_format;
    CHECK(lwm2m::format::canonical(content_format::json_legacy) == content_format::oma_json);
    CHECK(static_cast<unsigned>(content_format::oma_json) == 11543);
    CHECK(lwm2m::format::name(content_format::json_legacy) == "oma-json");
}

// ---- names ------------------------------------------------------------------------------------

TEST_CASE("OMA JSON: \"bn\" with and without trailing slash, absent, root; \"n\" with a leading slash") {
    const std::vector<record> one = {rec("/3/0/7/1", value::of_integer(5000))};
    for (std::string_view payload : {
             std::string_view{R"({"bn":"/3/0/","e":[{"n":"7/1","v":5000}]})"},
             std::string_view{R"({"bn":"/3/0","e":[{"n":"7/1","v":5000}]})"},
             std::string_view{R"({"bn":"/3/0","e":[{"n":"/7/1","v":5000}]})"},
             std::string_view{R"({"bn":"/","e":[{"n":"3/0/7/1","v":5000}]})"},
             std::string_view{R"({"bn":"/3/0/7/1","e":[{"v":5000}]})"},
             std::string_view{R"({"bn":"/3/0/7/1","e":[{"n":"","v":5000}]})"},
             std::string_view{R"({"e":[{"n":"3/0/7/1","v":5000}]})"},
             std::string_view{R"({"bn":"","e":[{"n":"/3/0/7/1","v":5000}]})"},
             std::string_view{R"({"bn":"\/3\/0\/","e":[{"n":"7\u002f1","v":5000}]})"},
             std::string_view{R"( { "e" : [ { "v" : 5000 , "n" : "7/1" } ] , "bn" : "/3/0" } )"},
         }) {
        CAPTURE(payload);
        const auto r = read_json(payload);
        REQUIRE(!r.error);
        CHECK(same_records(r.records, one));
    }
    // Without "bn", names are relative to the request path (as Leshan and Wakaama read them).
    const auto r = read_json(R"({"e":[{"n":"1","v":5000}]})", P("/3/0/7"));
    REQUIRE(!r.error);
    CHECK(same_records(r.records, one));
    const auto whole = read_json(R"({"e":[{"v":5000}]})", P("/3/0/7/1"));
    REQUIRE(!whole.error);
    CHECK(same_records(whole.records, one));
}

TEST_CASE("OMA JSON: empty entry array, unknown members ignored, escaped strings stay escaped") {
    auto r = read_json(R"({"bn":"/3/0/","e":[]})", P("/3/0"));
    REQUIRE(!r.error);
    CHECK(r.records.empty());
    r = read_json(R"({"ver":1,"e":[{"n":"0","x":[1,{"y":2}],"sv":"a"}],"z":{"e":1}})", P("/3/0"));
    REQUIRE(!r.error);
    CHECK(same_records(r.records, {rec("/3/0/0", value::of_string("a"))}));
    r = read_json(R"({"e":[{"n":"0","sv":"say \"hi\"\n\u00e9"}]})", P("/3/0"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0].value.encoding() == text_encoding::json_escaped);
    CHECK(decoded(r.records[0].value) == "say \"hi\"\n\xc3\xa9");
    // Written back escaped again.
    CHECK(write_json(r.records, P("/3/0")) == R"({"bn":"/3/0/","e":[{"n":"0","sv":"say \"hi\"\n)"
                                                "\xc3\xa9"
                                                R"("}]})");
}

TEST_CASE("OMA JSON: numbers of \"v\": integer literals, floats, unsigned above INT64_MAX") {
    const auto r = read_json(
        R"({"bn":"/9000/0/","e":[{"n":"1","v":-9223372036854775808},{"n":"2","v":18446744073709551615},)"
        R"({"n":"3","v":1.5e3},{"n":"3","v":22.0},{"n":"1","v":-0},{"n":"3","v":1e400000}]})",
        P("/9000/0"));
    REQUIRE(r.error);  // the last one
    CHECK(r.error->code == errc::number_out_of_range);
    REQUIRE(r.records.size() == 5);
    CHECK(r.records[0].value == value::of_integer(INT64_MIN));
    CHECK(r.records[1].value == value::of_unsigned(UINT64_MAX));
    CHECK(r.records[2].value == value::of_float(1500.0));
    CHECK(r.records[3].value == value::of_float(22.0));
    CHECK(r.records[4].value == value::of_integer(0));
    const auto big = read_json(R"({"bn":"/9000/0/","e":[{"n":"3","v":18446744073709551616}]})", P("/9000/0"));
    REQUIRE(!big.error);
    CHECK(big.records[0].value == value::of_float(18446744073709551616.0));
}

// ---- schema typing ------------------------------------------------------------------------------

TEST_CASE("OMA JSON: values typed by the schema, opaque as base64 in \"sv\"") {
    constexpr std::string_view payload =
        R"({"bn":"/9000/1/","e":[{"n":"0","sv":"text"},{"n":"1","v":-7},{"n":"2","v":7},{"n":"3","v":22},)"
        R"({"n":"4","bv":true},{"n":"5","sv":"AAEC/w=="},{"n":"6","v":1700000000},{"n":"7","ov":"3:0"},)"
        R"({"n":"8","sv":"</3/0>"},{"n":"17/0","sv":"4:1"},{"n":"15/0","sv":""}]})";
    const auto r = read_json(payload, P("/9000/1"), &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 11);
    CHECK(r.records[0].value.raw_text() == "text");
    CHECK(r.records[1].value == value::of_integer(-7));
    CHECK(r.records[2].value == value::of_unsigned(7));
    CHECK(r.records[3].value == value::of_float(22.0));
    CHECK(r.records[4].value == value::of_boolean(true));
    CHECK(r.records[5].value.kind() == value_kind::opaque);
    CHECK(r.records[5].value.encoding() == text_encoding::base64);
    CHECK(decoded(r.records[5].value) == std::string("\x00\x01\x02\xff", 4));
    CHECK(r.records[6].value == value::of_time(1700000000));
    CHECK(r.records[7].value == value::of_objlnk({3, 0}));
    CHECK(r.records[8].value.kind() == value_kind::corelnk);
    CHECK(r.records[9].value == value::of_objlnk({4, 1}));
    CHECK(r.records[10].value.kind() == value_kind::opaque);
    CHECK(decoded(r.records[10].value).empty());
    // Without the schema, the opaque is a string and Time an integer.
    const auto untyped = read_json(payload, P("/9000/1"));
    REQUIRE(!untyped.error);
    CHECK(untyped.records[5].value.kind() == value_kind::string);
    CHECK(untyped.records[6].value == value::of_integer(1700000000));
    // Written back: the same payload ("v":22 is a Float now, so "22.0").
    std::string expected(payload);
    expected.replace(expected.find("\"v\":22}"), 7, "\"v\":22.0}");
    expected.replace(expected.find("\"sv\":\"4:1\""), 10, "\"ov\":\"4:1\"");
    CHECK(write_json(r.records, P("/9000/1")) == expected);
    // Objects the schema registry does not know stay untyped.
    const auto unknown = read_json(R"({"bn":"/4/0/","e":[{"n":"5","sv":"AAEC"}]})", P("/4/0"), &schemas);
    REQUIRE(!unknown.error);
    CHECK(unknown.records[0].value.kind() == value_kind::string);
}

// ---- errors -------------------------------------------------------------------------------------

TEST_CASE("OMA JSON errors: JSON syntax and UTF-8") {
    check_error("", path{}, errc::invalid_json, 0);
    check_error(R"({"e":[}]})", path{}, errc::invalid_json, 6);
    check_error(R"({"e":[]} x)", path{}, errc::invalid_json, 9);
    check_error(R"({"e":[{"n":"0","bv":tru}]})", P("/3/0"), errc::invalid_json, 20);
    check_error(R"({"e":[{"n":"0","sv":"a\q"}]})", P("/3/0"), errc::invalid_json, 22);
    check_error("{\"e\":[{\"n\":\"0\",\"sv\":\"a\xff\"}]}", P("/3/0"), errc::invalid_utf8, 22);
    check_error("{\"e\":[{\"n\":\"0\",\"sv\":\"a\x01\"}]}", P("/3/0"), errc::invalid_json, 22);
    // A syntax error after good entries: they were returned, then the error.
    const auto r = read_json(R"({"bn":"/3/0/","e":[{"n":"0","sv":"a"},{"n":"1","sv":"b"}],})", P("/3/0"));
    CHECK(r.records.size() == 2);
    REQUIRE(r.error);
    CHECK(r.error->code == errc::invalid_json);
}

TEST_CASE("OMA JSON errors: document shape (invalid_senml, duplicate_entry)") {
    check_error("[]", path{}, errc::invalid_senml, 0);
    check_error(R"("e")", path{}, errc::invalid_senml, 0);
    check_error(R"({"bn":"/3/0/"})", path{}, errc::invalid_senml, 13);  // no "e": the root's '}'
    check_error(R"({"e":{}})", path{}, errc::invalid_senml, 5);
    check_error(R"({"e":[1]})", path{}, errc::invalid_senml, 6);
    check_error(R"({"bn":3,"e":[]})", path{}, errc::invalid_senml, 6);
    check_error(R"({"bt":"1","e":[]})", path{}, errc::invalid_senml, 6);
    constexpr std::string_view base = R"({"bn":"/3/0/","e":[)";
    const auto entry = [&](std::string_view e) { return std::string(base) + std::string(e) + "]}"; };
    const struct {
        std::string_view entry;
        errc code;
        std::string_view where;
        int nth;
    } cases[] = {
        {R"({"n":0,"v":1})", errc::invalid_senml, "0", 0},
        {R"({"n":"0","v":"1"})", errc::invalid_senml, "\"1\"", 0},
        {R"({"n":"0","bv":1})", errc::invalid_senml, "1}", 0},
        {R"({"n":"0","sv":1})", errc::invalid_senml, "1}", 0},
        {R"({"n":"0","ov":1})", errc::invalid_senml, "1}", 0},
        {R"({"n":"0","v":1,"t":"1"})", errc::invalid_senml, "\"1\"", 0},
        {R"({"n":"0","v":1,"sv":"x"})", errc::invalid_senml, "\"sv\"", 0},
        {R"({"n":"0","bv":true,"ov":"1:1"})", errc::invalid_senml, "\"ov\"", 0},
        {R"({"n":"0"})", errc::invalid_senml, "{\"n\":\"0\"}", 0},
        {R"({"n":"0","n":"1","v":1})", errc::duplicate_entry, "\"n\"", 1},
        {R"({"n":"0","v":1,"v":2})", errc::duplicate_entry, "\"v\"", 1},
        {R"({"n":"0","v":1,"t":1,"t":2})", errc::duplicate_entry, "\"t\"", 1},
    };
    for (const auto& c : cases) {
        const std::string payload = entry(c.entry);
        check_error(payload, P("/3/0"), c.code, base.size() + at(c.entry, c.where, c.nth));
    }
    constexpr std::string_view dup_bn = R"({"bn":"/3/0/","e":[],"bn":"/3/0/"})";
    check_error(dup_bn, path{}, errc::duplicate_entry, at(dup_bn, "\"bn\"", 1));
    constexpr std::string_view dup_e = R"({"e":[],"e":[]})";
    check_error(dup_e, path{}, errc::duplicate_entry, at(dup_e, "\"e\"", 1));
    constexpr std::string_view dup_bt = R"({"bt":1,"e":[{"n":"0","v":1}],"bt":2})";
    check_error(dup_bt, P("/3/0"), errc::duplicate_entry, at(dup_bt, "\"bt\"", 1));
}

TEST_CASE("OMA JSON errors: names that are not paths, or not under the request path") {
    const struct {
        std::string_view payload;
        path base;
        errc code;
        std::string_view where;
    } cases[] = {
        {R"({"bn":"3/0/","e":[{"n":"0","v":1}]})", path{}, errc::path_syntax, "\"3/0/\""},
        {R"({"bn":"/3//0","e":[{"n":"0","v":1}]})", path{}, errc::path_syntax, "\"/3//0\""},
        {R"({"bn":"/x/","e":[{"n":"0","v":1}]})", path{}, errc::path_invalid_number, "\"/x/\""},
        {R"({"bn":"/65535/","e":[{"n":"0","v":1}]})", path{}, errc::path_id_out_of_range, "\"/65535/\""},
        {R"({"bn":"/1/2/3/4/5","e":[{"v":1}]})", path{}, errc::path_too_deep, "\"/1/2/3/4/5\""},
        {R"({"bn":"/3/0/","e":[{"n":"7/0/1/2","v":1}]})", path{}, errc::path_too_deep, "\"7/0/1/2\""},
        {R"({"bn":"/3/0/","e":[{"n":"7/","v":1}]})", path{}, errc::path_syntax, "\"7/\""},
        {R"({"bn":"/3/0/","e":[{"n":"/","v":1}]})", path{}, errc::path_syntax, "\"/\""},
        {R"({"bn":"/3/0/","e":[{"n":"7//0","v":1}]})", path{}, errc::path_syntax, "\"7//0\""},
        {R"({"bn":"/3/0/","e":[{"n":"01","v":1}]})", path{}, errc::path_invalid_number, "\"01\""},
        {R"({"bn":"/3/0/","e":[{"n":"-1","v":1}]})", path{}, errc::path_invalid_number, "\"-1\""},
        {R"({"bn":"/3/0/","e":[{"n":"70000","v":1}]})", path{}, errc::path_id_out_of_range, "\"70000\""},
        {R"({"bn":"/4/0/","e":[{"n":"0","v":1}]})", P("/3/0"), errc::invalid_nesting, "\"0\""},
        {R"({"bn":"/3/1/0","e":[{"v":1}]})", P("/3/0"), errc::invalid_nesting, "\"/3/1/0\""},
        {R"({"e":[{"v":1}]})", P("/3/0"), errc::not_resource_instance_level, "{\"v\""},
        {R"({"bn":"/3/","e":[{"n":"0","v":1}]})", P("/3"), errc::not_resource_instance_level, "\"0\""},
        {R"({"bn":"/3/0/","e":[{"n":"0","v":1}]})", P("/3/0/1"), errc::invalid_nesting, "\"0\""},
    };
    for (const auto& c : cases) check_error(c.payload, c.base, c.code, at(c.payload, c.where));
    // A bad "bn" after the entries is reported when the first entry is resolved.
    constexpr std::string_view late = R"({"e":[{"n":"0","v":1}],"bn":"/x"})";
    check_error(late, path{}, errc::path_invalid_number, at(late, "\"/x\""));
}

TEST_CASE("OMA JSON errors: numbers, times and object links") {
    const struct {
        std::string_view payload;
        errc code;
        std::string_view where;
    } cases[] = {
        {R"({"bn":"/3/0/","e":[{"n":"9","v":1e999}]})", errc::number_out_of_range, "1e999"},
        {R"({"bn":"/3/0/","e":[{"n":"9","v":1,"t":-1e999}]})", errc::number_out_of_range, "-1e999"},
        {R"({"bn":"/3/0/","bt":1e999,"e":[{"n":"9","v":1}]})", errc::number_out_of_range, "1e999"},
        {R"({"bn":"/3/0/","e":[{"n":"9","v":1}],"bt":1e999})", errc::number_out_of_range, "1e999"},
        {R"({"bn":"/3/0/","bt":1e308,"e":[{"n":"9","v":1,"t":1e308}]})", errc::number_out_of_range, "1e308}"},
        {R"({"bn":"/3/0/","e":[{"n":"9","ov":"1:"}]})", errc::invalid_objlnk, "\"1:\""},
        {R"({"bn":"/3/0/","e":[{"n":"9","ov":"65536:0"}]})", errc::invalid_objlnk, "\"65536"},
        {R"({"bn":"/3/0/","e":[{"n":"9","ov":"1:2:3"}]})", errc::invalid_objlnk, "\"1:2:3"},
        {R"({"bn":"/3/0/","e":[{"n":"9","ov":":1"}]})", errc::invalid_objlnk, "\":1"},
    };
    for (const auto& c : cases) check_error(c.payload, P("/3/0"), c.code, at(c.payload, c.where));
}

TEST_CASE("OMA JSON errors with a schema") {
    const struct {
        std::string_view payload;
        errc code;
        std::string_view where;
    } cases[] = {
        {R"({"bn":"/3/0/","e":[{"n":"5","v":1}]})", errc::resource_not_in_schema, "\"5\""},
        {R"({"bn":"/3/0/","e":[{"n":"6","v":1}]})", errc::invalid_nesting, "\"6\""},
        {R"({"bn":"/3/0/","e":[{"n":"9/0","v":1}]})", errc::invalid_nesting, "\"9/0\""},
        {R"({"bn":"/3/0/","e":[{"n":"9","sv":"1"}]})", errc::type_mismatch, "\"1\""},
        {R"({"bn":"/3/0/","e":[{"n":"9","v":1.5}]})", errc::type_mismatch, "1.5"},
        {R"({"bn":"/3/0/","e":[{"n":"9","v":101}]})", errc::number_out_of_range, "101"},
        {R"({"bn":"/3/0/","e":[{"n":"6/0","v":8}]})", errc::number_out_of_range, "8}"},
        {R"({"bn":"/3/0/","e":[{"n":"4","v":1}]})", errc::type_mismatch, "1}"},
        {R"({"bn":"/3/0/","e":[{"n":"0","bv":true}]})", errc::type_mismatch, "true"},
        {R"({"bn":"/9000/0/","e":[{"n":"7","sv":"x"}]})", errc::invalid_objlnk, "\"x\""},
        {R"({"bn":"/9000/0/","e":[{"n":"2","v":-1}]})", errc::number_out_of_range, "-1"},
        {R"({"bn":"/9000/0/","e":[{"n":"5","sv":"AA=="},{"n":"5","sv":"AB*="}]})", errc::invalid_base64, "*"},
        {R"({"bn":"/9000/0/","e":[{"n":"5","sv":"AAE"}]})", errc::invalid_base64, "\"}"},
        {R"({"bn":"/9000/0/","e":[{"n":"5","sv":"AA\/A"}]})", errc::invalid_base64, "\\"},
        {R"({"bn":"/9000/0/","e":[{"n":"21","sv":"abcdef"}]})", errc::number_out_of_range, "\"abcdef"},
        {R"({"bn":"/9000/0/","e":[{"n":"21","sv":"\u00e9\u00e9\u00e9"}]})", errc::number_out_of_range, "\"\\u"},
        {R"({"bn":"/9000/0/","e":[{"n":"22","sv":"AAECAw=="}]})", errc::number_out_of_range, "\"AAEC"},
    };
    for (const auto& c : cases) check_error(c.payload, path{}, c.code, at(c.payload, c.where), &schemas);
    // Within the range by decoded length: 3 x 2 bytes of UTF-8 > 5, 2 chars < 5.
    const auto ok = read_json(R"({"bn":"/9000/0/","e":[{"n":"21","sv":"\u00e9\u00e9"}]})", path{}, &schemas);
    CHECK(!ok.error);
}

// ---- writer -------------------------------------------------------------------------------------

TEST_CASE("OMA JSON writer: value members, base names, times") {
    const std::vector<record> records = {
        rec("/9000/0/0", value::of_string("a\"b")),
        rec("/9000/0/1", value::of_integer(-3)),
        rec("/9000/0/2", value::of_unsigned(UINT64_MAX)),
        rec("/9000/0/3", value::of_float(2.0)),
        rec("/9000/0/3", value::of_float(-0.25)),
        rec("/9000/0/4", value::of_boolean(false)),
        rec("/9000/0/5", value::of_opaque(lwm2m::as_bytes(std::string_view{"\x01\x02\x03\x04", 4}))),
        rec("/9000/0/6", value::of_time(-1)),
        rec("/9000/0/7", value::of_objlnk({65535, 65535})),
        rec("/9000/0/8", value::of_corelnk("</1>")),
        rec("/9000/0/5", value::of_opaque(lwm2m::as_bytes(std::string_view{"AQID"}), text_encoding::base64)),
        rec("/9000/0/0", value::of_string("x\\u0041", text_encoding::json_escaped)),
    };
    CHECK(write_json(records, P("/9000/0")) ==
          R"({"bn":"/9000/0/","e":[{"n":"0","sv":"a\"b"},{"n":"1","v":-3},{"n":"2","v":18446744073709551615},)"
          R"({"n":"3","v":2.0},{"n":"3","v":-0.25},{"n":"4","bv":false},{"n":"5","sv":"AQIDBA=="},{"n":"6","v":-1},)"
          R"({"n":"7","ov":"65535:65535"},{"n":"8","sv":"</1>"},{"n":"5","sv":"AQID"},{"n":"0","sv":"xA"}]})");
    // A record at the base itself: "bn" stops one id above and the entry is named by base's
    // last id (Wakaama's reader skips an entry without "n"); at a resource instance too.
    CHECK(write_json(std::vector<record>{rec("/3/0/9", value::of_integer(5))}, P("/3/0/9")) ==
          R"({"bn":"/3/0/","e":[{"n":"9","v":5}]})");
    CHECK(write_json(std::vector<record>{rec("/3/0/7/1", value::of_integer(5000))}, P("/3/0/7/1")) ==
          R"({"bn":"/3/0/7/","e":[{"n":"1","v":5000}]})");
    // Times: all integral → "bt" + differences; otherwise whole "t" values.
    CHECK(write_json(std::vector<record>{rec("/3/0/9", value::of_integer(5), 100.0),
                                         rec("/3/0/9", value::of_integer(6), 90.0)},
                     P("/3/0")) == R"({"bn":"/3/0/","bt":100,"e":[{"n":"9","v":5},{"n":"9","v":6,"t":-10}]})");
    CHECK(write_json(std::vector<record>{rec("/3/0/9", value::of_integer(5), 100.5),
                                         rec("/3/0/9", value::of_integer(6))},
                     P("/3/0")) == R"({"bn":"/3/0/","e":[{"n":"9","v":5,"t":100.5},{"n":"9","v":6}]})");
    CHECK(write_json(std::vector<record>{}, P("/3/0")) == R"({"bn":"/3/0/","e":[]})");
}

TEST_CASE("OMA JSON writer errors (offset = record index), nothing written") {
    const auto check = [](std::vector<record> records, const path& base, errc code, std::size_t index) {
        const lwm2m::error e = write_error(records, base);
        CHECK(lwm2m::name(e.code) == lwm2m::name(code));
        CHECK(e.offset == index);
    };
    const record good = rec("/3/0/0", value::of_string("ok"));
    check({good, rec("/4/0/0", value::of_integer(1))}, P("/3/0"), errc::invalid_argument, 1);
    check({good, rec("/3/0", value::of_integer(1))}, P("/3"), errc::invalid_argument, 1);
    check({good, rec("/3/0/1", value::of_none())}, P("/3/0"), errc::invalid_argument, 1);
    check({good, rec("/3/0/1", value::of_untyped({}))}, P("/3/0"), errc::type_mismatch, 1);
    check({good, rec("/3/0/1", value::of_float(NAN))}, P("/3/0"), errc::number_out_of_range, 1);
    check({good, rec("/3/0/1", value::of_float(INFINITY))}, P("/3/0"), errc::number_out_of_range, 1);
    check({good, rec("/3/0/1", value::of_integer(1), INFINITY)}, P("/3/0"), errc::number_out_of_range, 1);
    check({good, rec("/3/0/1", value::of_string("\xff"))}, P("/3/0"), errc::invalid_utf8, 1);
    check({good, rec("/3/0/1", value::of_string("\\ud800", text_encoding::json_escaped))}, P("/3/0"),
          errc::invalid_utf8, 1);
    check({good, rec("/3/0/1", value::of_string("\\q", text_encoding::json_escaped))}, P("/3/0"), errc::invalid_json, 1);
    check({good, rec("/3/0/1", value::of_opaque(lwm2m::as_bytes(std::string_view{"A"}), text_encoding::base64))},
          P("/3/0"), errc::invalid_base64, 1);
    check({good, rec("/3/0/1", value::of_string(lwm2m::as_chars(lwm2m::as_bytes(std::string_view{"-_8"})),
                                                 text_encoding::base64url))},
          P("/3/0"), errc::invalid_utf8, 1);
}

TEST_CASE("OMA JSON writer: a Block2 window of the body is the matching slice") {
    const std::vector<record> records = bench_device();
    const std::string whole = write_json(records, P("/3/0"));
    for (std::size_t block = 16; block <= 64; block *= 2) {
        for (std::size_t num = 0; num * block < whole.size(); ++num) {
            std::vector<std::byte> buf(block);
            lwm2m::format::output_window out(buf, num * block);
            REQUIRE(lwm2m::format::write_oma_json(records, P("/3/0"), out).has_value());
            CHECK(out.total() == whole.size());
            CHECK(std::string(reinterpret_cast<const char*>(buf.data()), out.written()) == whole.substr(num * block, block));
        }
    }
    // A too small buffer: buffer_too_small with the size needed.
    std::vector<std::byte> small(10);
    lwm2m::format::output_window out(small);
    REQUIRE(lwm2m::format::write_oma_json(records, P("/3/0"), out).has_value());
    REQUIRE(!out.finish().has_value());
    CHECK(out.finish().error() == lwm2m::error{errc::buffer_too_small, whole.size()});
}

// ---- random round trips -------------------------------------------------------------------------

namespace {

/** A random value of the data type of resource `rid` of `all_types`, with its storage in `keep`. */
value random_value(std::mt19937_64& rng, data_type type, std::vector<std::string>& keep) {
    const auto pick = [&](std::uint64_t n) { return rng() % n; };
    switch (type) {
    case data_type::string:
    case data_type::corelnk: {
        static constexpr std::string_view pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\x01",
                                                      "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "</1>"};
        std::string s;
        const std::size_t n = pick(12);
        for (std::size_t i = 0; i < n; ++i) s += pieces[pick(std::size(pieces))];
        keep.push_back(s);
        return type == data_type::string ? value::of_string(keep.back()) : value::of_corelnk(keep.back());
    }
    case data_type::integer: {
        const std::int64_t choices[] = {0, -1, 1, INT64_MIN, INT64_MAX, static_cast<std::int64_t>(rng()),
                                        static_cast<std::int64_t>(pick(1000)) - 500};
        return value::of_integer(choices[pick(std::size(choices))]);
    }
    case data_type::unsigned_integer: {
        const std::uint64_t choices[] = {0, 1, UINT64_MAX, rng(), pick(1000)};
        return value::of_unsigned(choices[pick(std::size(choices))]);
    }
    case data_type::float_: {
        std::uint64_t bits = rng();
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        const double choices[] = {0.0, -0.0, 1.5, -22.25, 1e300, 5e-324, 1.0 / 3.0, 123456789.0,
                                  std::isfinite(d) ? d : 2.5};
        return value::of_float(choices[pick(std::size(choices))]);
    }
    case data_type::boolean: return value::of_boolean(pick(2) == 1);
    case data_type::opaque: {
        std::string s;
        const std::size_t n = pick(10);
        for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(pick(256)));
        keep.push_back(s);
        return value::of_opaque(lwm2m::as_bytes(keep.back()));
    }
    case data_type::time: return value::of_time(static_cast<std::int64_t>(pick(4000000000)) - 1000000000);
    case data_type::objlnk:
        return value::of_objlnk({static_cast<std::uint16_t>(pick(65536)), static_cast<std::uint16_t>(pick(65536))});
    case data_type::none: break;
    }
    return value::of_none();
}

} // namespace

TEST_CASE("OMA JSON: 2000 seeded random record sets round trip through the writer and the reader") {
    std::mt19937_64 rng(0x6f6d616a736f6eULL);  // "omajson"
    constexpr std::uint16_t singles[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    constexpr std::uint16_t multiples[] = {10, 11, 12, 13, 14, 15, 16, 17, 18};
    const path bases[] = {path{}, P("/9000"), P("/9000/3")};
    for (int iteration = 0; iteration < 2000; ++iteration) {
        CAPTURE(iteration);
        std::vector<std::string> keep;
        keep.reserve(256);
        std::vector<record> records;
        const path base = bases[rng() % std::size(bases)];
        const std::size_t count = rng() % 12;
        const bool timed = rng() % 3 == 0;
        const bool whole_times = rng() % 2 == 0;
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint16_t instance = base.has_instance() ? base.instance_id() : static_cast<std::uint16_t>(rng() % 4);
            const bool multiple = rng() % 2 == 0;
            const std::uint16_t rid = multiple ? multiples[rng() % std::size(multiples)] : singles[rng() % std::size(singles)];
            const data_type type = all_types.find(rid)->type;
            path p = multiple ? *path::make(9000, instance, rid, rng() % 70000 % 65535)
                              : *path::make(9000, instance, rid);
            std::optional<double> t;
            if (timed || rng() % 4 == 0) {
                t = whole_times ? static_cast<double>(static_cast<std::int64_t>(rng() % 2000000000) - 1000)
                                : static_cast<double>(rng() % 100000) / 8.0;
            }
            records.push_back(record{p, random_value(rng, type, keep), t});
        }
        const std::string json = write_json(records, base);
        CAPTURE(json);
        const auto r = read_json(json, base, &schemas);
        REQUIRE(!r.error);
        REQUIRE(r.records.size() == records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            CAPTURE(i);
            CHECK(r.records[i].path == records[i].path);
            CHECK(r.records[i].time == records[i].time);
            CHECK(same_value(r.records[i].value, records[i].value));
        }
        // And once more: writing what was read gives the same bytes.
        CHECK(write_json(r.records, base) == json);
    }
}

// LwM2M 1.0 Wakaama names the value of a single resource /3/0/0 as /3/0/0/0 (against §6.4.4);
// read_resource_instance_zero_as_resource takes it as /3/0/0, for a single-instance resource
// of a known schema read at its own path only.
TEST_CASE("oma_json_reader: read_resource_instance_zero_as_resource (a Wakaama 1.0 quirk), narrowly") {
    const std::string_view waka = R"({"bn":"/3/0/0/","e":[{"n":"0","sv":"Open Mobile Alliance"}]})";
    CHECK(read_json(waka, P("/3/0/0"), &schemas).error->code == errc::invalid_nesting);  // off by default
    const auto on = read_json(waka, P("/3/0/0"), &schemas, true);
    CHECK(!on.error);
    REQUIRE(on.records.size() == 1);
    CHECK(on.records[0].path == P("/3/0/0"));
    CHECK(on.records[0].value == lwm2m::value::of_string("Open Mobile Alliance"));
    const auto typed = read_json(R"({"bn":"/9000/1/3/0","e":[{"v":7}]})", P("/9000/1/3"), &schemas, true);
    REQUIRE(typed.records.size() == 1);
    CHECK(typed.records[0].value == lwm2m::value::of_float(7.0));
    // Not instance 0, not at the base, above the resource, a multiple resource, no schema:
    CHECK(read_json(R"({"bn":"/3/0/0/","e":[{"n":"1","sv":"A"}]})", P("/3/0/0"), &schemas, true).error->code ==
          errc::invalid_nesting);
    CHECK(read_json(R"({"bn":"/3/0/","e":[{"n":"0/0","sv":"A"}]})", P("/3/0"), &schemas, true).error->code ==
          errc::invalid_nesting);
    CHECK(read_json(R"({"bn":"/3/0/","e":[{"n":"0/0","sv":"A"}]})", P("/3"), &schemas, true).error->code ==
          errc::invalid_nesting);
    const auto multiple = read_json(R"({"bn":"/3/0/6/","e":[{"n":"0","v":1}]})", P("/3/0/6"), &schemas, true);
    REQUIRE(multiple.records.size() == 1);
    CHECK(multiple.records[0].path == P("/3/0/6/0"));
    const auto generic = read_json(waka, P("/3/0/0"), nullptr, true);
    REQUIRE(generic.records.size() == 1);
    CHECK(generic.records[0].path == P("/3/0/0/0"));  // without a schema the name is what it says
}
