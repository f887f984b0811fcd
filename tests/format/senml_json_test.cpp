#include <lwm2m/format/senml_json.hpp>

#include <doctest/doctest.h>

#include <lwm2m/format/senml_cbor.hpp>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <sstream>
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
using lwm2m::format::senml_json_reader;

// ---- schemas (local, so the tests do not depend on the generated OMA objects) --------------

using lwm2m::test::res;
using lwm2m::test::range;

// Device (3), the resources of the LwM2M 1.1 Core Table 7.4.4-2 example.
constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(1, data_type::string), res(2, data_type::string), res(3, data_type::string),
    res(4, data_type::none), res(6, data_type::integer, true, range(0, 7)), res(7, data_type::integer, true),
    res(8, data_type::integer, true), res(9, data_type::integer, false, range(0, 100)), res(10, data_type::integer),
    res(11, data_type::integer, true), res(13, data_type::time), res(14, data_type::string),
    res(16, data_type::string), res(22, data_type::objlnk, true));

// Every data type, single and multiple, some with ranges.
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
            // Errors are sticky.
            auto again = reader.next();
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

read_result read_json(std::string_view payload, const path& base = path{},
                      const lwm2m::schema_registry* registry = nullptr) {
    senml_json_reader reader(lwm2m::as_bytes(payload), base, registry);
    return drain(reader);
}

read_result read_json_paths(std::string_view payload, const path& base = path{},
                            const lwm2m::schema_registry* registry = nullptr) {
    senml_json_reader reader(lwm2m::as_bytes(payload), base, senml_json_reader::path_list_mode, registry);
    return drain(reader);
}

std::string decoded(const value& v) {
    std::string s;
    auto n = lwm2m::for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); });
    REQUIRE(n.has_value());
    return s;
}

/** Same kind and same decoded content (a JSON-escaped "vs" equals the raw string). */
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

std::string write_json(std::span<const record> records, const path& base) {
    std::vector<std::byte> buf(65536);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_senml_json(records, base, out);
    REQUIRE(ok.has_value());
    auto n = out.finish();
    REQUIRE(n.has_value());
    auto size = lwm2m::format::senml_json_size(records, base);
    REQUIRE(size.has_value());
    CHECK(*size == *n);
    return std::string(reinterpret_cast<const char*>(buf.data()), *n);
}

lwm2m::error write_json_error(std::span<const record> records, const path& base) {
    std::vector<std::byte> buf(4096);
    lwm2m::format::output_window out(buf);
    auto ok = lwm2m::format::write_senml_json(records, base, out);
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

std::string load_file(const char* file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string bench_device_path() {
#ifdef LWM2M_SOURCE_DIR
    return std::string(LWM2M_SOURCE_DIR) + "/../shared/bench-data/device-3-0.senml.json";
#else
    return "../shared/bench-data/device-3-0.senml.json";
#endif
}

// The Device object instance of LwM2M 1.1 Core Table 7.4.4-2.
constexpr std::string_view table_7_4_4_2 =
    R"([{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1","vs":"Lightweight M2M Client"},)"
    R"({"n":"2","vs":"345000123"},{"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},)"
    R"({"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"8/0","v":125},{"n":"8/1","v":900},)"
    R"({"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},{"n":"13","v":1367491215},)"
    R"({"n":"14","vs":"+02:00"},{"n":"16","vs":"U"}])";

// The object links of LwM2M 1.1 Core Table 7.4.4-4 (read of the root).
constexpr std::string_view table_7_4_4_4 =
    R"([{"bn":"/","n":"65/0/0/0","vlo":"66:0"},{"n":"65/0/0/1","vlo":"66:1"},)"
    R"({"n":"65/0/1","vs":"8613800755500"},{"n":"65/0/2","v":1},{"n":"66/0/0","vs":"myService1"},)"
    R"({"n":"66/0/1","vs":"Internet.15.234"},{"n":"66/0/2","vlo":"67:0"},{"n":"66/1/0","vs":"myService2"},)"
    R"({"n":"66/1/1","vs":"Internet.15.235"},{"n":"66/1/2","vlo":"65535:65535"},)"
    R"({"n":"67/0/0","vs":"85.76.76.84"},{"n":"67/0/1","vs":"85.76.255.255"}])";

} // namespace

// ---- RFC 8428 examples ----------------------------------------------------------------------

TEST_CASE("SenML JSON RFC 8428 §5.1.1 single data point: a URN name is not an LwM2M path") {
    constexpr std::string_view verbatim = R"([
     {"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}
   ])";
    check_error(verbatim, path{}, errc::path_syntax, at(verbatim, "\"urn"));

    // The same record named with an LwM2M path (Temperature /3303/0/5700).
    const auto r = read_json(R"([{"n":"/3303/0/5700","u":"Cel","v":23.1}])");
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0].path == P("/3303/0/5700"));
    CHECK(r.records[0].value == value::of_float(23.1));
    CHECK(!r.records[0].time);
}

TEST_CASE("SenML JSON RFC 8428 §5.1.2 multiple data points: base name, base time, bver 5, relative times") {
    // The second example of §5.1.2 with the names replaced by LwM2M paths (5700 voltage, 5701 current).
    constexpr std::string_view pack = R"([
     {"bn":"/3316/0/","bt":1.276020076001e+09,
      "bu":"A","bver":5,
      "n":"5700","u":"V","v":120.1},
     {"n":"5701","t":-5,"v":1.2},
     {"n":"5701","t":-4,"v":1.3},
     {"n":"5701","t":-3,"v":1.4},
     {"n":"5701","t":-2,"v":1.5},
     {"n":"5701","t":-1,"v":1.6},
     {"n":"5701","v":1.7}
   ])";
    const auto r = read_json(pack, P("/3316"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 7);
    const double bt = 1.276020076001e+09;
    CHECK(same_record(r.records[0], rec("/3316/0/5700", value::of_float(120.1), bt)));
    const double values[] = {1.2, 1.3, 1.4, 1.5, 1.6, 1.7};
    for (int i = 0; i < 6; ++i) {
        CAPTURE(i);
        CHECK(same_record(r.records[static_cast<std::size_t>(i) + 1],
                          rec("/3316/0/5701", value::of_float(values[i]), bt + (i < 5 ? -5.0 + i : 0.0))));
    }
    // The first record of §5.1.2 verbatim: "n" would resolve to "urn:dev:ow:...:voltage".
    constexpr std::string_view verbatim =
        R"([{"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},{"n":"current","u":"A","v":1.2}])";
    check_error(verbatim, path{}, errc::path_syntax, at(verbatim, "\"voltage"));
}

TEST_CASE("SenML JSON RFC 8428 §5.1.3 multiple measurements: records named by the base name alone") {
    constexpr std::string_view pack = R"([
     {"bn":"/3304/0/5700","bt":1.320067464e+09,
      "bu":"%RH","v":20},
     {"u":"lon","v":24.30621},
     {"t":60,"v":20.3},
     {"u":"%EL","t":150,"v":98}
   ])";
    const auto r = read_json(pack, P("/3304/0/5700"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 4);
    const double bt = 1.320067464e+09;
    CHECK(same_record(r.records[0], rec("/3304/0/5700", value::of_integer(20), bt)));
    CHECK(same_record(r.records[1], rec("/3304/0/5700", value::of_float(24.30621), bt)));
    CHECK(same_record(r.records[2], rec("/3304/0/5700", value::of_float(20.3), bt + 60)));
    CHECK(same_record(r.records[3], rec("/3304/0/5700", value::of_integer(98), bt + 150)));
    // Absolute times (>= 2^28) come out as given.
    CHECK(*r.records[0].time >= lwm2m::format::senml::relative_time_limit);
}

TEST_CASE("SenML JSON RFC 8428 §5.1.4 resolved data reads as the same records as §5.1.3") {
    constexpr std::string_view resolved = R"([
     {"n":"/3304/0/5700","u":"%RH","t":1.320067464e+09,"v":20},
     {"n":"/3304/0/5700","u":"lon","t":1.320067464e+09,"v":24.30621},
     {"n":"/3304/0/5700","u":"%RH","t":1.320067524e+09,"v":20.3},
     {"n":"/3304/0/5700","u":"%EL","t":1.320067614e+09,"v":98}
   ])";
    constexpr std::string_view based = R"([
     {"bn":"/3304/0/5700","bt":1.320067464e+09,"bu":"%RH","v":20},
     {"u":"lon","v":24.30621},{"t":60,"v":20.3},{"u":"%EL","t":150,"v":98}])";
    const auto a = read_json(resolved);
    const auto b = read_json(based);
    REQUIRE(!a.error);
    REQUIRE(!b.error);
    CHECK(same_records(a.records, b.records));
}

TEST_CASE("SenML JSON RFC 8428 §5.1.5 multiple data types: v, vs, vb, vd") {
    constexpr std::string_view pack = R"([
    {"bn":"/9000/0/","n":"3","u":"Cel","v":23.1},
    {"n":"0","vs":"Machine Room"},
    {"n":"4","vb":false},
    {"n":"5","vd":"aGkgCg"}
  ])";
    const auto r = read_json(pack, P("/9000/0"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 4);
    CHECK(r.records[0].value == value::of_float(23.1));
    CHECK(r.records[1].value == value::of_string("Machine Room"));
    CHECK(r.records[2].value == value::of_boolean(false));
    CHECK(r.records[3].value.kind() == value_kind::opaque);
    CHECK(r.records[3].value.encoding() == text_encoding::base64url);
    CHECK(decoded(r.records[3].value) == "hi \n");
}

TEST_CASE("SenML JSON RFC 8428 §5.1.6 collection: a new bn keeps the earlier bt") {
    constexpr std::string_view pack = R"([
     {"bn":"/3303/0/","bt":1.320078429e+09,
      "n":"5700","u":"Cel","v":25.2},
     {"n":"5701","u":"%RH","v":30},
     {"bn":"/3303/1/","n":"5700","u":"Cel","v":12.3},
     {"n":"5701","u":"%RH","v":67}
   ])";
    const auto r = read_json(pack, P("/3303"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 4);
    const double bt = 1.320078429e+09;
    CHECK(same_record(r.records[2], rec("/3303/1/5700", value::of_float(12.3), bt)));
    CHECK(same_record(r.records[3], rec("/3303/1/5701", value::of_integer(67), bt)));
}

TEST_CASE("SenML JSON RFC 8428 §5.1.7 actuator: a record of base fields only yields nothing") {
    constexpr std::string_view pack = R"([
     {"bn":"/3308/0/"},
     {"n":"5900","u":"Cel","v":23.1},
     {"n":"5850","u":"/","v":1},
     {"n":"5851","u":"/","v":0}
   ])";
    const auto r = read_json(pack, P("/3308/0"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 3);
    CHECK(same_record(r.records[0], rec("/3308/0/5900", value::of_float(23.1))));
    CHECK(same_record(r.records[2], rec("/3308/0/5851", value::of_integer(0))));

    // Times 0.1 s in the future relative to "now" stay relative (< 2^28).
    const auto later = read_json(
        R"([{"bt":1.320078429e+09,"bu":"/","n":"/3311/0/5851","v":0.5},{"n":"/3311/0/5851","t":0.1,"v":0}])");
    REQUIRE(!later.error);
    CHECK(*later.records[1].time == 1.320078429e+09 + 0.1);
}

// ---- LwM2M examples -------------------------------------------------------------------------

TEST_CASE("SenML JSON bench Device /3/0 decodes to exactly 14 records") {
    // The same bytes as /work/shared/bench-data/device-3-0.senml.json, checked against the file
    // when it is there.
    const std::string builtin =
        R"([{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1","vs":"Lightweight M2M Client"},)"
        R"({"n":"2","vs":"345000123"},{"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},)"
        R"({"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},)"
        R"({"n":"13","v":1700000000},{"n":"14","vs":"+01:00"},{"n":"16","vs":"U"}])";
    std::string payload = load_file(bench_device_path().c_str());
    while (!payload.empty() && (payload.back() == '\n' || payload.back() == '\r')) payload.pop_back();
    if (payload.empty()) {
        MESSAGE("bench-data/device-3-0.senml.json not found: using the built-in copy");
        payload = builtin;
    }
    CHECK(payload == builtin);
    const auto r = read_json(payload, P("/3/0"));
    REQUIRE(!r.error);
    const std::vector<record> expected = {
        rec("/3/0/0", value::of_string("Open Mobile Alliance")),
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
        rec("/3/0/16", value::of_string("U")),
    };
    REQUIRE(r.records.size() == 14);
    CHECK(r.records == expected);  // exact: kinds and raw (zero-copy) encodings

    // With the schema, Time is typed.
    const auto typed = read_json(payload, P("/3/0"), &schemas);
    REQUIRE(!typed.error);
    CHECK(typed.records[11].value == value::of_time(1700000000));

    // And the writer gives the same bytes back.
    CHECK(write_json(r.records, P("/3/0")) == payload);
}

TEST_CASE("SenML JSON LwM2M 1.1 Core Table 7.4.4-2: Device read, and the writer reproduces it") {
    const auto r = read_json(table_7_4_4_2, P("/3/0"), &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 16);
    CHECK(same_record(r.records[8], rec("/3/0/8/0", value::of_integer(125))));
    CHECK(same_record(r.records[13], rec("/3/0/13", value::of_time(1367491215))));
    CHECK(write_json(r.records, P("/3/0")) == table_7_4_4_2);
}

TEST_CASE("SenML JSON LwM2M 1.1 Core Table 7.4.4-3: timestamped values, bt + t stays relative below 2^28") {
    constexpr std::string_view pack = R"([{"bn":"/72/","bt":25462634,"n":"1/2","v":22.4,"t":-5},)"
                                      R"({"n":"1/2","v":22.9,"t":-30},{"n":"1/2","v":24.1,"t":-50}])";
    const auto r = read_json(pack, P("/72"));
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 3);
    CHECK(same_record(r.records[0], rec("/72/1/2", value::of_float(22.4), 25462629)));
    CHECK(same_record(r.records[1], rec("/72/1/2", value::of_float(22.9), 25462604)));
    CHECK(same_record(r.records[2], rec("/72/1/2", value::of_float(24.1), 25462584)));
    CHECK(write_json(r.records, P("/72")) == R"([{"bn":"/72/","n":"1/2","t":25462629,"v":22.4},)"
                                             R"({"n":"1/2","t":25462604,"v":22.9},{"n":"1/2","t":25462584,"v":24.1}])");
}

TEST_CASE("SenML JSON LwM2M 1.1 Core Table 7.4.4-4: object links in vlo, read of the root") {
    const auto r = read_json(table_7_4_4_4, path{});
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 12);
    CHECK(same_record(r.records[0], rec("/65/0/0/0", value::of_objlnk(objlnk{66, 0}))));
    CHECK(same_record(r.records[6], rec("/66/0/2", value::of_objlnk(objlnk{67, 0}))));
    CHECK(r.records[9].value.as_objlnk().is_null());
    CHECK(same_record(r.records[3], rec("/65/0/2", value::of_integer(1))));
    // The root form of the writer is the one of the table.
    CHECK(write_json(r.records, path{}) == table_7_4_4_4);
}

TEST_CASE("SenML JSON LwM2M 1.1 Core Table 7.4.4-5: a single resource named by bn alone") {
    constexpr std::string_view pack = R"([{"bn":"/3/0/0","vs":"Open Mobile Alliance"}])";
    const auto r = read_json(pack, P("/3/0/0"), &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 1);
    CHECK(same_record(r.records[0], rec("/3/0/0", value::of_string("Open Mobile Alliance"))));
    CHECK(write_json(r.records, P("/3/0/0")) == pack);
    // An empty "n" adds nothing to the base name.
    const auto empty_n = read_json(R"([{"bn":"/3/0/0","n":"","vs":"x"}])", P("/3/0/0"));
    REQUIRE(!empty_n.error);
    CHECK(empty_n.records[0].path == P("/3/0/0"));
}

TEST_CASE("SenML JSON LwM2M 1.1 Core Table 7.4.4-6: Read-Composite path list") {
    constexpr std::string_view pack = R"([{"n":"/3/0/0"},{"n":"/3/0/9"},{"n":"/1/0/1"}])";
    const auto r = read_json_paths(pack);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 3);
    CHECK(r.records[0].path == P("/3/0/0"));
    CHECK(r.records[2].path == P("/1/0/1"));
    for (const auto& x : r.records) CHECK(x.value.kind() == value_kind::none);
    // In values mode the same body lacks values.
    check_error(pack, path{}, errc::invalid_senml, 1);
    // Any level is allowed in a path list, also the root and objects; with a base name.
    const auto levels = read_json_paths(R"([{"n":"/"},{"n":"/3"},{"bn":"/3/0/","n":"1"},{"n":"6/0"}])");
    REQUIRE(!levels.error);
    REQUIRE(levels.records.size() == 4);
    CHECK(levels.records[0].path == path{});
    CHECK(levels.records[1].path == P("/3"));
    CHECK(levels.records[3].path == P("/3/0/6/0"));
    // The writer's form of a path list reads back.
    const std::string written = write_json(r.records, path{});
    CHECK(written == R"([{"bn":"/","n":"3/0/0"},{"n":"3/0/9"},{"n":"1/0/1"}])");
    const auto back = read_json_paths(written);
    REQUIRE(!back.error);
    CHECK(back.records == r.records);
    // With a schema, resources must exist.
    CHECK(read_json_paths(R"([{"n":"/3/0/99"}])", path{}, &schemas).error ==
          lwm2m::error{errc::resource_not_in_schema, 6});
    CHECK(!read_json_paths(R"([{"n":"/3/0/7"}])", path{}, &schemas).error);
}

TEST_CASE("SenML JSON LwM2M 1.1 Core Table 7.4.4-7: Read-Composite response") {
    constexpr std::string_view pack = R"([{"n":"/3/0/0", "vs":"Open Mobile Alliance"},)"
                                      R"({"n" :"/3/0/9", "v":95},{"n":"/1/0/1", "v":86400}])";
    const auto r = read_json(pack);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 3);
    CHECK(same_record(r.records[1], rec("/3/0/9", value::of_integer(95))));
    CHECK(same_record(r.records[2], rec("/1/0/1", value::of_integer(86400))));
}

TEST_CASE("SenML JSON LwM2M 1.1 Core Table 7.4.4-8: Write-Composite") {
    constexpr std::string_view pack = R"([{"n":"/3311/0/5850", "vb":false},{"n":"/3311/1/5850", "vb":false},)"
                                      R"({"n":"/3311/2/5851", "v":20},{"n":"/3308/0/5900", "v":18}])";
    const auto r = read_json(pack);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 4);
    CHECK(same_record(r.records[0], rec("/3311/0/5850", value::of_boolean(false))));
    CHECK(same_record(r.records[3], rec("/3308/0/5900", value::of_integer(18))));
    // The writer with the root as base.
    CHECK(write_json(r.records, path{}) == R"([{"bn":"/","n":"3311/0/5850","vb":false},{"n":"3311/1/5850","vb":false},)"
                                           R"({"n":"3311/2/5851","v":20},{"n":"3308/0/5900","v":18}])");
}

TEST_CASE("SenML JSON labels in any order, bn with or without a trailing slash (Wakaama cases)") {
    // "bn" after "n" in the same record still applies to it.
    const auto r = read_json(R"([{"n":"1","v":1234,"bn" : "/12/0/","bt" : 1234567},{"n":"3","v":56.789},)"
                             R"({"n":"2/0","v":0.23},{"n":"2/1","v":-52.0006}])");
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 4);
    CHECK(same_record(r.records[0], rec("/12/0/1", value::of_integer(1234), 1234567)));
    CHECK(same_record(r.records[3], rec("/12/0/2/1", value::of_float(-52.0006), 1234567)));
    // "bn" without the trailing slash, "n" with a leading one.
    const auto s = read_json(R"([{"bn" : "/2/3", "n":"/0","v":1234}])", P("/2/3"));
    REQUIRE(!s.error);
    CHECK(s.records[0].path == P("/2/3/0"));
    CHECK(write_json(s.records, P("/2/3")) == R"([{"bn":"/2/3/","n":"0","v":1234}])");
    // Writers, per base: the base name grows with the base.
    std::vector<record> recs = r.records;
    for (auto& x : recs) x.time.reset();
    CHECK(write_json(recs, P("/12")) ==
          R"([{"bn":"/12/","n":"0/1","v":1234},{"n":"0/3","v":56.789},{"n":"0/2/0","v":0.23},{"n":"0/2/1","v":-52.0006}])");
    CHECK(write_json(std::span(recs).subspan(1, 1), P("/12/0/3")) == R"([{"bn":"/12/0/3","v":56.789}])");
}

TEST_CASE("SenML JSON objlnk via vlo, and via vs when the schema says Objlnk (older Leshan)") {
    const auto r = read_json(R"([{"bn":"/3/0/22/","n":"0","vlo":"3:0"},{"n":"1","vs":"65535:65535"}])", P("/3/0"),
                             &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 2);
    CHECK(r.records[0].value == value::of_objlnk(objlnk{3, 0}));
    CHECK(r.records[1].value == value::of_objlnk(objlnk{65535, 65535}));
    CHECK(write_json(r.records, P("/3/0/22")) == R"([{"bn":"/3/0/22/","n":"0","vlo":"3:0"},{"n":"1","vlo":"65535:65535"}])");
    // Leading zeros are accepted in a link.
    CHECK(read_json(R"([{"n":"/1/0/1","vlo":"003:00"}])").records.at(0).value == value::of_objlnk(objlnk{3, 0}));
}

TEST_CASE("SenML JSON opaque in vd: base64url, padding and padded standard base64 accepted on input, never written") {
    const auto padded = read_json(R"([{"bn":"/34/0/2","vd":"AQIDBAU="}])", P("/34/0/2"));
    const auto bare = read_json(R"([{"bn":"/34/0/2","vd":"AQIDBAU"}])", P("/34/0/2"));
    REQUIRE(!padded.error);
    REQUIRE(!bare.error);
    CHECK(decoded(padded.records[0].value) == std::string("\x01\x02\x03\x04\x05", 5));
    CHECK(same_records(padded.records, bare.records));
    CHECK(write_json(padded.records, P("/34/0/2")) == R"([{"bn":"/34/0/2","vd":"AQIDBAU"}])");
    // URL alphabet: '-' and '_' (bytes fb ff).
    const auto url = read_json(R"([{"n":"/34/0/2","vd":"-_8"}])");
    REQUIRE(!url.error);
    CHECK(decoded(url.records[0].value) == "\xfb\xff");
    const std::byte raw[] = {std::byte{0xfb}, std::byte{0xff}};
    const record r{P("/34/0/2"), value::of_opaque(raw), std::nullopt};
    CHECK(write_json(std::span(&r, 1), P("/34/0/2")) == R"([{"bn":"/34/0/2","vd":"-_8"}])");
    // Standard base64 with its padding, as Zephyr and older Leshan write "vd": read, and
    // answered in unpadded base64url.
    const auto standard = read_json(R"([{"n":"/34/0/2","vd":"+/8="}])");
    REQUIRE(!standard.error);
    CHECK(decoded(standard.records[0].value) == "\xfb\xff");
    CHECK(write_json(standard.records, P("/34/0/2")) == R"([{"bn":"/34/0/2","vd":"-_8"}])");
    const auto standard_full = read_json(R"([{"n":"/34/0/2","vd":"AQ+/"}])");
    REQUIRE(!standard_full.error);
    CHECK(decoded(standard_full.records[0].value) == "\x01\x0f\xbf");
    // Empty opaque.
    CHECK(decoded(read_json(R"([{"n":"/34/0/2","vd":""}])").records.at(0).value).empty());
}

TEST_CASE("SenML JSON strings: escapes kept encoded (zero-copy), decoded on write") {
    constexpr std::string_view pack = R"([{"n":"/34/0/2","vs":"a\"b\\c\/\u0000\u00e9\ud83d\ude00\n"}])";
    const auto r = read_json(pack);
    REQUIRE(!r.error);
    const value& v = r.records[0].value;
    CHECK(v.kind() == value_kind::string);
    CHECK(v.encoding() == text_encoding::json_escaped);
    CHECK(decoded(v) == std::string("a\"b\\c/\0\xc3\xa9\xf0\x9f\x98\x80\n", 14));
    CHECK(write_json(r.records, path{}) == R"([{"bn":"/","n":"34/0/2","vs":"a\"b\\c/\u0000é😀\n"}])");
    // Escaped names and labels are decoded too.
    const auto names = read_json(R"([{"\u0062n":"\/3\/0\/","n":"1","v\u0073":"x"}])", P("/3/0"));
    REQUIRE(!names.error);
    CHECK(names.records[0].path == P("/3/0/1"));
    CHECK(decoded(names.records[0].value) == "x");
}

TEST_CASE("SenML JSON numbers in v: integer literals stay integers, other numbers are floats") {
    const auto r = read_json(R"([{"bn":"/9000/0/","n":"1","v":-9223372036854775808},)"
                             R"({"n":"1","v":9223372036854775807},{"n":"2","v":18446744073709551615},)"
                             R"({"n":"3","v":18446744073709551616},{"n":"3","v":-9223372036854775809},)"
                             R"({"n":"3","v":22.0},{"n":"3","v":1E3},{"n":"3","v":-0},{"n":"3","v":5e-324}])");
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 9);
    CHECK(r.records[0].value == value::of_integer(std::numeric_limits<std::int64_t>::min()));
    CHECK(r.records[1].value == value::of_integer(std::numeric_limits<std::int64_t>::max()));
    CHECK(r.records[2].value == value::of_unsigned(std::numeric_limits<std::uint64_t>::max()));
    CHECK(r.records[3].value == value::of_float(18446744073709551616.0));
    CHECK(r.records[4].value == value::of_float(-9223372036854775809.0));
    CHECK(r.records[5].value == value::of_float(22.0));
    CHECK(r.records[6].value == value::of_float(1000.0));
    CHECK(r.records[7].value == value::of_integer(0));
    CHECK(r.records[8].value == value::of_float(5e-324));
    // Floats are written so that they read back as floats.
    CHECK(write_json(std::span(r.records).subspan(5, 1), P("/9000/0/3")) == R"([{"bn":"/9000/0/3","v":22.0}])");
    const record big{P("/9000/0/3"), value::of_float(1e20), std::nullopt};
    CHECK(write_json(std::span(&big, 1), P("/9000/0/3")) == R"([{"bn":"/9000/0/3","v":1e+20}])");
    const record neg0{P("/9000/0/3"), value::of_float(-0.0), 0.5};
    CHECK(write_json(std::span(&neg0, 1), P("/9000/0/3")) == R"([{"bn":"/9000/0/3","t":0.5,"v":-0.0}])");
    const record u{P("/9000/0/2"), value::of_unsigned(18446744073709551615u), std::nullopt};
    CHECK(write_json(std::span(&u, 1), P("/9000/0/2")) == R"([{"bn":"/9000/0/2","v":18446744073709551615}])");
}

TEST_CASE("SenML JSON base value: bv + v, exactly for integers (Wakaama case)") {
    const auto r = read_json(R"([{ "bv":1,"n":"/34/0/2","v":1},{"n":"/34/0/2","v":1.5},)"
                             R"({"bv":9223372036854775807,"n":"/34/0/2","v":1},{"n":"/34/0/2","v":-1},)"
                             R"({"bv":-9223372036854775808,"n":"/34/0/2","v":-1},{"n":"/34/0/2","vs":"x"}])");
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 6);
    CHECK(r.records[0].value == value::of_integer(2));
    CHECK(r.records[1].value == value::of_float(2.5));
    CHECK(r.records[2].value == value::of_unsigned(9223372036854775808u));
    CHECK(r.records[3].value == value::of_integer(9223372036854775806));
    CHECK(r.records[4].value == value::of_float(-9223372036854775809.0));
    CHECK(r.records[5].value == value::of_string("x"));  // bv applies to numbers only
}

TEST_CASE("SenML JSON version, unknown labels, sum, units (RFC 8428 §4.4)") {
    CHECK(read_json(R"([{"bver":10,"n":"/34/0/2","v":1}])").records.size() == 1);
    check_error(R"([{"bver":11,"n":"/34/0/2","v":1}])", path{}, errc::invalid_senml, 9);
    check_error(R"([{"bver":0,"n":"/34/0/2","v":1}])", path{}, errc::invalid_senml, 9);
    check_error(R"([{"bver":-1,"n":"/34/0/2","v":1}])", path{}, errc::invalid_senml, 9);
    check_error(R"([{"bver":10.0,"n":"/34/0/2","v":1}])", path{}, errc::invalid_senml, 9);
    check_error(R"([{"bver":99999999999999999999,"n":"/34/0/2","v":1}])", path{}, errc::invalid_senml, 9);
    constexpr std::string_view mixed = R"([{"bver":5,"n":"/34/0/2","v":1},{"bver":6,"n":"/34/0/2","v":1}])";
    check_error(mixed, path{}, errc::invalid_senml, at(mixed, "6,"));
    CHECK(!read_json(R"([{"bver":5,"n":"/34/0/2","v":1},{"bver":5,"n":"/34/0/2","v":1}])").error);
    // Unknown labels are ignored, whatever their value.
    const auto r = read_json(R"([{"test":"good","x":{"a":[1,{"b":null}]},"n":"/34/0/2","v":1,"ut":60,"s":7,"bs":1}])");
    REQUIRE(!r.error);
    CHECK(r.records.size() == 1);
    constexpr std::string_view mandatory = R"([{ "bn":"/","test_":"fail","n":"34/0/2","v":1}])";
    check_error(mandatory, path{}, errc::unknown_mandatory_label, at(mandatory, "\"test_"));
    constexpr std::string_view escaped = R"([{"n":"/34/0/2","v":1,"x\u005f":1}])";
    check_error(escaped, path{}, errc::unknown_mandatory_label, at(escaped, "\"x"));
    // A sum alone is no value.
    check_error(R"([{"n":"/34/0/2","s":1}])", path{}, errc::invalid_senml, 1);
}

TEST_CASE("SenML JSON with a schema: typing, ranges, multiplicity") {
    const path base = P("/9000/0");
    const auto r = read_json(R"([{"bn":"/9000/0/","n":"2","v":5},{"n":"3","v":22},{"n":"6","v":1.638435E9},)"
                             R"({"n":"8","vs":"</3/0>"},{"n":"21","vs":"ab\u0063"},{"n":"0","vs":"x"},{"n":"1","v":-4.0}])",
                             base, &schemas);
    REQUIRE(!r.error);
    REQUIRE(r.records.size() == 7);
    CHECK(r.records[0].value == value::of_unsigned(5));
    CHECK(r.records[1].value == value::of_float(22.0));
    CHECK(r.records[2].value == value::of_time(1638435000));
    CHECK(r.records[3].value.kind() == value_kind::corelnk);
    CHECK(decoded(r.records[4].value) == "abc");
    CHECK(r.records[6].value == value::of_integer(-4));
    // Objects the registry does not know are read untyped.
    CHECK(read_json(R"([{"n":"/77/0/1","v":1}])", path{}, &schemas).records.at(0).value == value::of_integer(1));

    struct error_case {
        std::string_view payload;
        errc code;
        std::string_view needle;
    };
    const error_case cases[] = {
        {R"([{"n":"/9000/0/99","v":1}])", errc::resource_not_in_schema, "\"/9000"},
        {R"([{"n":"/9000/0/1/0","v":1}])", errc::invalid_nesting, "\"/9000"},   // instance of a single resource
        {R"([{"n":"/9000/0/11","v":1}])", errc::invalid_nesting, "\"/9000"},    // a multiple resource as one value
        {R"([{"n":"/9000/0/1","vs":"1"}])", errc::type_mismatch, "\"1\""},
        {R"([{"n":"/9000/0/1","v":1.5}])", errc::type_mismatch, "1.5"},
        {R"([{"n":"/9000/0/2","v":-1}])", errc::number_out_of_range, "-1"},
        {R"([{"n":"/9000/0/4","v":1}])", errc::type_mismatch, "1}"},
        {R"([{"n":"/9000/0/9","v":1}])", errc::type_mismatch, "1}"},  // executable
        {R"([{"n":"/9000/0/7","vs":"3-0"}])", errc::invalid_objlnk, "\"3-0"},
        {R"([{"n":"/9000/0/20","v":101}])", errc::number_out_of_range, "101"},
        {R"([{"n":"/9000/0/21","vs":"abcdef"}])", errc::number_out_of_range, "\"abcdef"},
        {R"([{"n":"/9000/0/21","vs":"abc\u0064\u0065\u0066"}])", errc::number_out_of_range, "\"abc"},
        {R"([{"n":"/9000/0/22","vd":"AQIDBA"}])", errc::number_out_of_range, "\"AQ"},
    };
    for (const auto& c : cases) check_error(c.payload, path{}, c.code, at(c.payload, c.needle), &schemas);
    CHECK(!read_json(R"([{"n":"/9000/0/22","vd":"AQID"}])", path{}, &schemas).error);
}

TEST_CASE("SenML JSON errors: every code with its offset") {
    struct error_case {
        std::string_view payload;
        errc code;
        std::size_t offset;
    };
    const error_case cases[] = {
        // structure
        {R"({"n":"/3/0/1","v":1})", errc::invalid_senml, 0},
        {R"([1])", errc::invalid_senml, 1},
        {R"([{"n":"/3/0/1","v":1},[]])", errc::invalid_senml, 22},
        {R"([{"n":"/3/0/1","v":1})", errc::invalid_json, 21},
        {R"([{"n":"/3/0/1","v":1}] x)", errc::invalid_json, 23},
        {R"([{"n":"/3/0/1","v":01}])", errc::invalid_json, 20},
        {"[{\"n\":\"/3/0/1\",\"vs\":\"\xff\"}]", errc::invalid_utf8, 21},
        {"", errc::invalid_json, 0},
        // label types
        {R"([{"n":1,"v":1}])", errc::invalid_senml, 6},
        {R"([{"bn":true,"n":"/3/0/1","v":1}])", errc::invalid_senml, 7},
        {R"([{"n":"/3/0/1","v":"1"}])", errc::invalid_senml, 19},
        {R"([{"n":"/3/0/1","vs":1}])", errc::invalid_senml, 20},
        {R"([{"n":"/3/0/1","vb":"true"}])", errc::invalid_senml, 20},
        {R"([{"n":"/3/0/1","vd":null}])", errc::invalid_senml, 20},
        {R"([{"n":"/3/0/1","vlo":[]}])", errc::invalid_senml, 21},
        {R"([{"n":"/3/0/1","v":1,"t":"5"}])", errc::invalid_senml, 25},
        {R"([{"n":"/3/0/1","v":1,"bt":{}}])", errc::invalid_senml, 26},
        {R"([{"n":"/3/0/1","v":1,"u":1}])", errc::invalid_senml, 25},
        {R"([{"n":"/3/0/1","v":1,"bu":1}])", errc::invalid_senml, 26},
        {R"([{"n":"/3/0/1","v":1,"s":"1"}])", errc::invalid_senml, 25},
        {R"([{"n":"/3/0/1","v":1,"ut":false}])", errc::invalid_senml, 26},
        {R"([{"n":"/3/0/1","v":1,"bv":"1"}])", errc::invalid_senml, 26},
        {R"([{"n":"/3/0/1","v":1,"bs":"1"}])", errc::invalid_senml, 26},
        {R"([{"n":"/3/0/1","v":1,"bver":"10"}])", errc::invalid_senml, 28},
        // names and values
        {R"([{"v":1}])", errc::invalid_senml, 1},
        {R"([{}])", errc::invalid_senml, 1},
        {R"([{"u":"Cel"}])", errc::invalid_senml, 1},
        {R"([{"n":"/3/0/1","v":1,"vs":"a"}])", errc::invalid_senml, 21},
        {R"([{"n":"/3/0/1","vb":true,"vlo":"1:1"}])", errc::invalid_senml, 25},
        {R"([{"n":"/3/0/1"}])", errc::invalid_senml, 1},
        {R"([{"n":"/3/0/1","n":"/3/0/2","v":1}])", errc::duplicate_entry, 15},
        {R"([{"bn":"/3/","bn":"/3/","n":"0/1","v":1}])", errc::duplicate_entry, 13},
        {R"([{"n":"/3/0/1","v":1,"v":2}])", errc::duplicate_entry, 21},
        {R"([{"n":"/3/0/1","t":1,"t":2,"v":1}])", errc::duplicate_entry, 21},
        // paths
        {R"([{"n":"3/0/1","v":1}])", errc::path_syntax, 6},
        {R"([{"n":"/3//1","v":1}])", errc::path_syntax, 6},
        {R"([{"bn":"/3/0/","n":"1/","v":1}])", errc::path_syntax, 19},
        {R"([{"bn":"/3/0/","n":"","v":1}])", errc::path_syntax, 19},
        {R"([{"n":"","v":1}])", errc::path_syntax, 6},
        {R"([{"n":"/3/0/x","v":1}])", errc::path_invalid_number, 6},
        {R"([{"n":"/3/0/01","v":1}])", errc::path_invalid_number, 6},
        {R"([{"n":"/3/0/99999x","v":1}])", errc::path_invalid_number, 6},
        {R"([{"n":"/3/0/65535","v":1}])", errc::path_id_out_of_range, 6},
        {R"([{"n":"/1/2/3/4/5","v":1}])", errc::path_too_deep, 6},
        {R"([{"bn":"/3/0/x/","v":1}])", errc::path_invalid_number, 7},
        {R"([{"bn":"/3/0/","n":"1","v":1},{"bn":"/3/x/","v":1}])", errc::path_invalid_number, 36},
        {R"([{"n":"/3/0","v":1}])", errc::not_resource_instance_level, 6},
        {R"([{"n":"/","v":1}])", errc::not_resource_instance_level, 6},
        // values
        {R"([{"n":"/3/0/1","v":1e400}])", errc::number_out_of_range, 19},
        {R"([{"n":"/3/0/1","v":1,"t":-1e999}])", errc::number_out_of_range, 25},
        {R"([{"n":"/3/0/1","bt":1e308,"t":1e308,"v":1}])", errc::number_out_of_range, 30},
        {R"([{"n":"/3/0/1","bv":1e308,"v":1e308}])", errc::number_out_of_range, 30},
        {R"([{"n":"/3/0/1","vd":"A"}])", errc::invalid_base64, 22},
        {R"([{"n":"/3/0/1","vd":"AQ=x"}])", errc::invalid_base64, 23},
        {R"([{"n":"/3/0/1","vd":"AQ+_"}])", errc::invalid_base64, 23},  // one alphabet per value
        {R"([{"n":"/3/0/1","vd":"AQ-/"}])", errc::invalid_base64, 24},
        {R"([{"n":"/3/0/1","vd":"+/8"}])", errc::invalid_base64, 21},  // standard base64 needs its padding
        {R"([{"n":"/3/0/1","vd":"+/8=="}])", errc::invalid_base64, 26},
        {R"([{"n":"/3/0/1","vd":"AR"}])", errc::invalid_base64, 22},
        {R"([{"n":"/3/0/1","vd":"A\u0051"}])", errc::invalid_base64, 22},
        {R"([{"n":"/3/0/1","vlo":"66"}])", errc::invalid_objlnk, 21},
        {R"([{"n":"/3/0/1","vlo":"66:"}])", errc::invalid_objlnk, 21},
        {R"([{"n":"/3/0/1","vlo":":1"}])", errc::invalid_objlnk, 21},
        {R"([{"n":"/3/0/1","vlo":"1:2:3"}])", errc::invalid_objlnk, 21},
        {R"([{"n":"/3/0/1","vlo":"65536:0"}])", errc::invalid_objlnk, 21},
        {R"([{"n":"/3/0/1","vlo":"000001:0"}])", errc::invalid_objlnk, 21},
        {R"([{"n":"/3/0/1","vlo":"a:b"}])", errc::invalid_objlnk, 21},
        {R"([{"n":"/3/0/1","vlo":" 1:2"}])", errc::invalid_objlnk, 21},
    };
    for (const auto& c : cases) check_error(c.payload, path{}, c.code, c.offset);

    // Records must lie under the request path.
    constexpr std::string_view outside = R"([{"bn":"/3/0/","n":"1","v":1},{"bn":"/4/0/","n":"1","v":1}])";
    check_error(outside, P("/3/0"), errc::invalid_nesting, at(outside, "\"1\"", 1));
    check_error(R"([{"bn":"/3/1/","n":"1","v":1}])", P("/3/0"), errc::invalid_nesting, 19);
    check_error(R"([{"bn":"/3/1/1","v":1}])", P("/3/0"), errc::invalid_nesting, 7);
    check_error(R"([{"n":"/3/0/1/2","v":1}])", P("/3/0/1/3"), errc::invalid_nesting, 6);
    CHECK(read_json_paths(R"([{"n":"/3"}])", P("/3/0")).error == lwm2m::error{errc::invalid_nesting, 6});

    // Path-list mode rejects values.
    CHECK(read_json_paths(R"([{"n":"/3/0/1","vb":true}])").error == lwm2m::error{errc::invalid_senml, 15});
    CHECK(read_json_paths(R"([{"bn":"/3/0/1"}])").records.size() == 1);
    CHECK(read_json_paths(R"([{"v":1}])").error == lwm2m::error{errc::invalid_senml, 1});

    // Records before the error are delivered.
    const auto partial = read_json(R"([{"n":"/3/0/1","v":1},{"n":"/3/0/x","v":1}])");
    CHECK(partial.records.size() == 1);
    REQUIRE(partial.error);
    CHECK(partial.error->code == errc::path_invalid_number);
}

TEST_CASE("SenML JSON names follow parse_path exactly, fed as base name + name") {
    const std::string_view names[] = {"/",          "/3",        "/3/0",         "/3/0/1",     "/3/0/1/2",
                                      "/65534/0",   "/65535",    "/99999",       "/0",         "/00",
                                      "/1/2/3/4/5", "/1/2/3/4/", "//",           "/3/",        "3",
                                      "/3/a",       "/3/0x",     "/1/2/3/4//",   "/123456789", "/0/0/0/0",
                                      "/-1",        "/+1",       "/3/0/1/65534", "/ 3",        "/3/0/1/2/"};
    for (std::string_view n : names) {
        CAPTURE(n);
        const auto expected = lwm2m::parse_path(n);
        for (std::size_t split = 0; split <= n.size(); ++split) {
            lwm2m::format::senml::detail::path_builder b;
            for (char c : n.substr(0, split)) b.put(c);
            for (char c : n.substr(split)) b.put(c);
            const auto got = b.finish();
            REQUIRE(got.has_value() == expected.has_value());
            if (got) CHECK(*got == *expected);
            else CHECK(got.error().code == expected.error().code);
        }
    }
}

TEST_CASE("SenML JSON writer: names, single resource, mixed levels, path lists, time") {
    // A record at the base itself next to records below it: no trailing slash in bn.
    const std::vector<record> mixed = {rec("/3/0", value{}), rec("/3/0/1", value{}), rec("/3/0/6/0", value{})};
    const std::string text = write_json(mixed, P("/3/0"));
    CHECK(text == R"([{"bn":"/3/0"},{"n":"/1"},{"n":"/6/0"}])");
    const auto back = read_json_paths(text, P("/3/0"));
    REQUIRE(!back.error);
    CHECK(back.records == mixed);
    // The root itself in a path list.
    const std::vector<record> root = {rec("/", value{}), rec("/1", value{})};
    CHECK(write_json(root, path{}) == R"([{"bn":"/"},{"n":"1"}])");
    CHECK(read_json_paths(write_json(root, path{})).records == root);
    // Empty pack.
    CHECK(write_json({}, P("/3/0")) == "[]");
    CHECK(read_json("[]").records.empty());
    CHECK(read_json(" [ ] ").records.empty());
    // Time, integral and not.
    const std::vector<record> timed = {rec("/3/0/9", value::of_integer(1), 1.7e9), rec("/3/0/9", value::of_integer(2), 0.25)};
    CHECK(write_json(timed, P("/3/0/9")) == R"([{"bn":"/3/0/9","t":1700000000,"v":1},{"t":0.25,"v":2}])");
    CHECK(same_records(read_json(write_json(timed, P("/3/0/9"))).records, timed));
    // Corelnk in vs, time in v, objlnk in vlo, boolean in vb.
    const std::vector<record> kinds = {rec("/9000/0/8", value::of_corelnk("</3/0>;ct=\"110\"")),
                                       rec("/9000/0/6", value::of_time(-5)),
                                       rec("/9000/0/4", value::of_boolean(true))};
    CHECK(write_json(kinds, P("/9000/0")) ==
          R"([{"bn":"/9000/0/","n":"8","vs":"</3/0>;ct=\"110\""},{"n":"6","v":-5},{"n":"4","vb":true}])");
}

TEST_CASE("SenML JSON writer: names and integers at every digit count, as std::to_string writes them") {
    // The writers take ids below 100 from a table, integers up to four digits inline and up
    // to 16 in groups of four: the edges of each, against text built here independently.
    const std::uint16_t ids[] = {0, 1, 9, 10, 11, 42, 99, 100, 101, 999, 1000, 9999, 10000, 65534};
    const std::int64_t ints[] = {0, 9, 10, 99, 100, 101, 999, 1000, 1009, 9999, 10000, 99999, 10000009, 99999999,
                                 100000000, 1700000000, 4294967295, 4294967296, 999999999999, 1000000000000,
                                 9999999999999999, 10000000000000000, -1, -9, -10, -99, -100, -9999, -10000,
                                 std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()};
    for (const std::uint16_t id : ids) {
        // One id below the base, and two (a resource instance), the same value kinds as the pack.
        std::vector<record> records;
        std::string expected = "[";
        for (std::size_t k = 0; k < std::size(ints); ++k) {
            const bool instance = k % 2 == 1;
            const std::uint16_t resource = static_cast<std::uint16_t>((id + k) % 65535);
            path p = *P("/3/0").child(resource);
            if (instance) p = *p.child(id);
            records.push_back(record{p, value::of_integer(ints[k]), std::nullopt});
            expected += k == 0 ? R"({"bn":"/3/0/","n":")" : R"(,{"n":")";
            expected += std::to_string(resource) + (instance ? "/" + std::to_string(id) : std::string{});
            expected += R"(","v":)" + std::to_string(ints[k]) + "}";
        }
        records.push_back(record{*P("/3/0").child(id), value::of_unsigned(std::numeric_limits<std::uint64_t>::max()),
                                 std::nullopt});
        expected += R"(,{"n":")" + std::to_string(id) + R"(","v":)" +
                    std::to_string(std::numeric_limits<std::uint64_t>::max()) + "}]";
        CAPTURE(id);
        CHECK(write_json(records, P("/3/0")) == expected);
    }
}

TEST_CASE("SenML JSON writer errors, with the record index") {
    const std::byte raw[] = {std::byte{0x01}};
    const std::vector<record> untyped = {rec("/3/0/1", value::of_integer(1)), rec("/3/0/2", value::of_untyped(raw))};
    CHECK(write_json_error(untyped, P("/3/0")) == lwm2m::error{errc::type_mismatch, 1});
    const std::vector<record> outside = {rec("/4/0/1", value::of_integer(1))};
    CHECK(write_json_error(outside, P("/3/0")) == lwm2m::error{errc::invalid_argument, 0});
    const std::vector<record> high = {rec("/3/0", value::of_integer(1))};
    CHECK(write_json_error(high, P("/3")) == lwm2m::error{errc::invalid_argument, 0});
    const std::vector<record> nan = {rec("/3/0/1", value::of_float(std::nan("")))};
    CHECK(write_json_error(nan, P("/3")) == lwm2m::error{errc::number_out_of_range, 0});
    const std::vector<record> inf = {rec("/3/0/1", value::of_float(1.0), std::numeric_limits<double>::infinity())};
    CHECK(write_json_error(inf, P("/3")) == lwm2m::error{errc::number_out_of_range, 0});
    const std::vector<record> bad_utf8 = {rec("/3/0/1", value::of_string("\xc3"))};
    CHECK(write_json_error(bad_utf8, P("/3")) == lwm2m::error{errc::invalid_utf8, 0});
    const std::vector<record> bad_escape = {rec("/3/0/1", value::of_string("\\x", text_encoding::json_escaped))};
    CHECK(write_json_error(bad_escape, P("/3")) == lwm2m::error{errc::invalid_json, 0});
    const std::vector<record> bad_b64 = {rec("/3/0/1", value::of_opaque(lwm2m::as_bytes("A"), text_encoding::base64))};
    CHECK(write_json_error(bad_b64, P("/3")) == lwm2m::error{errc::invalid_base64, 0});
    const std::vector<record> b64_utf8 = {rec("/3/0/1", value::of_string("ww", text_encoding::base64url))};  // 0xC3
    CHECK(write_json_error(b64_utf8, P("/3")) == lwm2m::error{errc::invalid_utf8, 0});
    // Too small a buffer: not an error of the writer, finish() tells the size needed.
    const std::vector<record> one = {rec("/3/0/1", value::of_integer(1))};
    std::byte small[4];
    lwm2m::format::output_window out(small);
    REQUIRE(lwm2m::format::write_senml_json(one, P("/3/0"), out).has_value());
    CHECK(out.finish().error() == lwm2m::error{errc::buffer_too_small, write_json(one, P("/3/0")).size()});
}

TEST_CASE("SenML JSON writer in Block2-sized windows gives the same bytes") {
    const auto device_records = read_json(table_7_4_4_2, P("/3/0")).records;
    const std::string whole = write_json(device_records, P("/3/0"));
    for (std::size_t block : {16u, 32u, 64u}) {
        std::string joined;
        for (std::size_t skip = 0; skip < whole.size(); skip += block) {
            std::vector<std::byte> buf(block);
            lwm2m::format::output_window out(buf, skip);
            REQUIRE(lwm2m::format::write_senml_json(device_records, P("/3/0"), out).has_value());
            CHECK(out.total() == whole.size());
            joined.append(reinterpret_cast<const char*>(buf.data()), out.written());
        }
        CHECK(joined == whole);
    }
}

// ---- random round trips -----------------------------------------------------------------

namespace {

struct generator {
    std::mt19937_64 rng;
    std::deque<std::string> storage;  // keeps generated text alive (values view it)

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
        switch (below(6)) {
        case 0: return static_cast<double>(any_int());
        case 1: return static_cast<double>(any_int()) / 1024.0;
        case 2: return std::ldexp(static_cast<double>(below(1u << 20)), static_cast<int>(below(60)) - 30);
        case 3:
            if (!finite_only) return coin() ? std::numeric_limits<double>::infinity() : std::nan("");
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
            case 0: s.push_back(static_cast<char>(below(0x20))); break;  // control characters
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

    /** A pack of records of object 9000 under `base`, values of the resource's schema type. */
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
            if (r.range.present) {  // keep within the schema's range
                if (r.type == data_type::integer) v = value::of_integer(static_cast<std::int64_t>(below(101)));
                else if (r.type == data_type::string) v = value::of_string(std::string_view{"abcde"}.substr(0, below(6)));
                else v = value::of_opaque(lwm2m::as_bytes(std::string_view{"xyz"}.substr(0, below(4))));
            }
            out.push_back(record{p, v, t});
        }
        // A single record at the base itself, sometimes (e.g. a Read of one resource).
        if (coin() && !out.empty() && out[0].path.depth() >= 3) {
            base = out[0].path;
            out.resize(1);
        }
        return out;
    }
};

/** What a reader without schema makes of a value: the kinds SenML JSON cannot tell apart merge. */
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

TEST_CASE("SenML JSON random round trips: decode(encode(x)) == x, with and without schema") {
    generator g{std::mt19937_64{0x5e4d1a}, {}};
    std::size_t total_records = 0;
    for (int iteration = 0; iteration < 1500; ++iteration) {
        path base;
        const std::vector<record> records = g.pack(base, true);
        CAPTURE(iteration);
        const std::string payload = write_json(records, base);
        CAPTURE(payload);
        const auto typed = read_json(payload, base, &schemas);
        REQUIRE(!typed.error);
        REQUIRE(same_records(typed.records, records));
        const auto plain = read_json(payload, base);
        REQUIRE(!plain.error);
        std::vector<record> expected = records;
        for (auto& r : expected) r.value = untyped_view(r.value);
        REQUIRE(same_records(plain.records, expected));
        // The same paths as a path list.
        std::vector<record> paths = records;
        for (auto& r : paths) r.value = value{};
        const auto list = read_json_paths(write_json(paths, base), base, &schemas);
        REQUIRE(!list.error);
        REQUIRE(list.records == paths);
        total_records += records.size();
    }
    CHECK(total_records > 4000);
}
