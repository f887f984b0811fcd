#include <lwm2m/format/text.hpp>

#include <doctest/doctest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "../support/error_value.hpp"
#include "../support/test_schema.hpp"

namespace {

using lwm2m::as_bytes;
using lwm2m::bytes_view;
using lwm2m::data_type;
using lwm2m::errc;
using lwm2m::multiplicity;
using lwm2m::path;
using lwm2m::resource_def;
using lwm2m::value;
using lwm2m::value_kind;
using lwm2m::value_range;
using lwm2m::format::record;
namespace text = lwm2m::format::text;

using lwm2m::test::E;

using lwm2m::test::res;

constexpr auto everything = lwm2m::make_object(
    lwm2m::object_info{9999, "Everything", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::integer), res(2, data_type::unsigned_integer), res(3, data_type::float_),
    res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::time), res(7, data_type::objlnk),
    res(8, data_type::corelnk), res(9, data_type::none), res(10, data_type::integer, false, value_range{true, 0, 100}),
    res(11, data_type::opaque, false, value_range{true, 0, 2}), res(12, data_type::string, false, value_range{true, 1, 3}),
    res(300, data_type::integer, true), res(301, data_type::string, true));

constexpr lwm2m::object_view schema_views[] = {everything};
const lwm2m::schema_registry schemas{schema_views};

path P(std::string_view t) { return lwm2m::parse_path(t).value(); }

struct read_result {
    std::optional<record> rec;
    std::optional<E> error;
};

read_result read(std::string_view payload, const path& base, const lwm2m::schema_registry* reg = nullptr) {
    lwm2m::format::text_reader reader(as_bytes(payload), base, reg);
    read_result out;
    auto r = reader.next();
    if (!r) {
        out.error = r.error();
        auto again = reader.next();
        CHECK(!again.has_value());
        if (!again.has_value()) CHECK(again.error() == r.error());
        return out;
    }
    REQUIRE(r->has_value());
    out.rec = **r;
    CHECK(!reader.next().value().has_value());
    CHECK(!reader.next().value().has_value());
    return out;
}

value read_value(std::string_view payload, const path& base, const lwm2m::schema_registry* reg = &schemas) {
    const auto r = read(payload, base, reg);
    if (r.error) FAIL("unexpected error " << lwm2m::name(r.error->code) << " at " << r.error->offset);
    REQUIRE(r.rec.has_value());
    CHECK(r.rec->path == base);
    CHECK(!r.rec->time.has_value());
    return r.rec->value;
}

E read_error(std::string_view payload, const path& base, const lwm2m::schema_registry* reg = &schemas) {
    const auto r = read(payload, base, reg);
    REQUIRE(r.error.has_value());
    return *r.error;
}

std::string write(const value& v, std::string_view p = "/9999/0/0") {
    const record r{P(p), v, std::nullopt};
    const auto size = lwm2m::format::text_size({&r, 1}, P(p));
    REQUIRE(size.has_value());
    std::string out(*size, '\0');
    lwm2m::format::output_window w({reinterpret_cast<std::byte*>(out.data()), out.size()});
    REQUIRE(lwm2m::format::write_text({&r, 1}, P(p), w).has_value());
    CHECK(w.finish().value() == *size);
    return out;
}

E write_error(std::span<const record> records, const path& base) {
    std::array<std::byte, 64> buf{};
    lwm2m::format::output_window w(buf);
    const auto r = lwm2m::format::write_text(records, base, w);
    REQUIRE(!r.has_value());
    CHECK(w.total() == 0);
    const auto s = lwm2m::format::text_size(records, base);
    REQUIRE(!s.has_value());
    CHECK(s.error() == r.error());
    return r.error();
}

std::string as_string(const value& v) {
    const auto b = v.encoded_bytes();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::vector<std::byte> decoded(const value& v) {
    std::vector<std::byte> out(lwm2m::value_byte_size(v).value());
    REQUIRE(lwm2m::copy_value_bytes(v, out).has_value());
    return out;
}

} // namespace

// ---- parse_value ---------------------------------------------------------------------------------

TEST_CASE("text::parse_value: numbers (LwM2M 1.1 Core §7.4.1)") {
    CHECK(text::parse_value(as_bytes("22"), data_type::integer).value() == value::of_integer(22));
    CHECK(text::parse_value(as_bytes("-9223372036854775808"), data_type::integer).value() ==
          value::of_integer(std::numeric_limits<std::int64_t>::min()));
    CHECK(text::parse_value(as_bytes("9223372036854775807"), data_type::integer).value() ==
          value::of_integer(std::numeric_limits<std::int64_t>::max()));
    CHECK(text::parse_value(as_bytes("9223372036854775808"), data_type::integer).error().code ==
          errc::number_out_of_range);
    CHECK(text::parse_value(as_bytes("18446744073709551615"), data_type::unsigned_integer).value() ==
          value::of_unsigned(18446744073709551615ULL));
    CHECK(text::parse_value(as_bytes("-1"), data_type::unsigned_integer).error().code == errc::invalid_number);
    CHECK(text::parse_value(as_bytes("1367491215"), data_type::time).value() == value::of_time(1367491215));
    CHECK(text::parse_value(as_bytes("22.5"), data_type::float_).value() == value::of_float(22.5));
    CHECK(text::parse_value(as_bytes("-1e+20"), data_type::float_).value() == value::of_float(-1e20));
    CHECK(text::parse_value(as_bytes("3"), data_type::float_).value() == value::of_float(3.0));
    for (const char* bad : {"", " 1", "1 ", "0x10", "1,5", "NaN", "inf"}) {
        CAPTURE(bad);
        CHECK(text::parse_value(as_bytes(bad), data_type::float_).error().code == errc::invalid_number);
        CHECK(!text::parse_value(as_bytes(bad), data_type::integer).has_value());
    }
    CHECK(text::parse_value(as_bytes("22.5"), data_type::integer).error().code == errc::invalid_number);
    CHECK(text::parse_value(as_bytes("1e999"), data_type::float_).error().code == errc::number_out_of_range);
}

// §7.4.1 gives no number grammar; Java servers (Long.parseLong, Double.parseDouble) and C
// peers (strtod) send a sign, leading zeros or a bare point that the JSON grammar refuses.
TEST_CASE("text::parse_value: numbers as other peers write them (+1, 007, 5., .5, 1.0E3)") {
    const auto integer = [](const char* t) { return text::parse_value(as_bytes(t), data_type::integer); };
    const auto unsigned_ = [](const char* t) { return text::parse_value(as_bytes(t), data_type::unsigned_integer); };
    const auto float_ = [](const char* t) { return text::parse_value(as_bytes(t), data_type::float_); };
    CHECK(integer("+1").value() == value::of_integer(1));
    CHECK(integer("01").value() == value::of_integer(1));
    CHECK(integer("-007").value() == value::of_integer(-7));
    CHECK(integer("-0").value() == value::of_integer(0));
    CHECK(integer("+0009223372036854775807").value() == value::of_integer(std::numeric_limits<std::int64_t>::max()));
    CHECK(integer("-0009223372036854775808").value() == value::of_integer(std::numeric_limits<std::int64_t>::min()));
    CHECK(text::parse_value(as_bytes("+1367491215"), data_type::time).value() == value::of_time(1367491215));
    CHECK(unsigned_("+42").value() == value::of_unsigned(42));
    CHECK(unsigned_("00018446744073709551615").value() == value::of_unsigned(18446744073709551615ULL));
    CHECK(float_("1.0E3").value() == value::of_float(1000.0));
    CHECK(float_("1e-3").value() == value::of_float(0.001));
    CHECK(float_("1E+2").value() == value::of_float(100.0));
    CHECK(float_("+1.5").value() == value::of_float(1.5));
    CHECK(float_(".5").value() == value::of_float(0.5));
    CHECK(float_("-.5").value() == value::of_float(-0.5));
    CHECK(float_("5.").value() == value::of_float(5.0));
    CHECK(float_("1.e2").value() == value::of_float(100.0));
    CHECK(float_("007.250").value() == value::of_float(7.25));
    CHECK(std::signbit(float_("-0").value().as_float()));
    CHECK(float_("-0").value().as_float() == 0.0);
    // Garbage stays garbage, with its precise error.
    for (const char* bad : {"+", "-", ".", "+.", "-.e1", "+-1", "-+1", "++1", "--1", "1x", "1e", "1e+", "1.5.", "..5",
                            "1..", "e5", "+ 1", "1 ", "99999999999999999999x"}) {
        CAPTURE(bad);
        CHECK(float_(bad).error() == E{errc::invalid_number, 0});
        CHECK(integer(bad).error() == E{errc::invalid_number, 0});
        CHECK(unsigned_(bad).error() == E{errc::invalid_number, 0});
    }
    for (const char* fractional : {"1.0", "5.", ".5", "1e3", "1E+2"}) {  // no rounding into an Integer
        CAPTURE(fractional);
        CHECK(integer(fractional).error() == E{errc::invalid_number, 0});
        CHECK(unsigned_(fractional).error() == E{errc::invalid_number, 0});
    }
    CHECK(unsigned_("-0").error() == E{errc::invalid_number, 0});  // no sign but '+' for an unsigned
    CHECK(integer("+9223372036854775808").error() == E{errc::number_out_of_range, 0});
    CHECK(integer("-9223372036854775809").error() == E{errc::number_out_of_range, 0});
    CHECK(integer("99999999999999999999").error() == E{errc::number_out_of_range, 0});
    CHECK(unsigned_("+18446744073709551616").error() == E{errc::number_out_of_range, 0});
    CHECK(float_("+1e999").error() == E{errc::number_out_of_range, 0});
}

TEST_CASE("text::parse_value: booleans, object links, strings, opaque, none") {
    CHECK(text::parse_value(as_bytes("1"), data_type::boolean).value() == value::of_boolean(true));
    CHECK(text::parse_value(as_bytes("0"), data_type::boolean).value() == value::of_boolean(false));
    for (const char* bad : {"", "2", "true", "00", " 1"})
        CHECK(text::parse_value(as_bytes(bad), data_type::boolean).error() == E{errc::invalid_boolean, 0});
    CHECK(text::parse_value(as_bytes("66:0"), data_type::objlnk).value() == value::of_objlnk({66, 0}));
    CHECK(text::parse_value(as_bytes("65535:65535"), data_type::objlnk).value().as_objlnk().is_null());
    CHECK(text::parse_value(as_bytes("66"), data_type::objlnk).error() == E{errc::invalid_objlnk, 0});
    CHECK(text::parse_value(as_bytes(":0"), data_type::objlnk).error() == E{errc::invalid_objlnk, 0});
    CHECK(text::parse_value(as_bytes("66:"), data_type::objlnk).error() == E{errc::invalid_objlnk, 3});
    CHECK(text::parse_value(as_bytes("66:65536"), data_type::objlnk).error() == E{errc::invalid_objlnk, 3});
    CHECK(text::parse_value(as_bytes("66:0:1"), data_type::objlnk).error() == E{errc::invalid_objlnk, 3});
    CHECK(text::parse_value(as_bytes("-1:0"), data_type::objlnk).error() == E{errc::invalid_objlnk, 0});

    const auto s = text::parse_value(as_bytes("h\xC3\xA9llo"), data_type::string).value();
    CHECK(s.kind() == value_kind::string);
    CHECK(as_string(s) == "h\xC3\xA9llo");
    CHECK(text::parse_value(as_bytes(""), data_type::string).value() == value::of_string(""));
    CHECK(text::parse_value(as_bytes("ab\xFF"), data_type::string).error() == E{errc::invalid_utf8, 2});
    CHECK(text::parse_value(as_bytes("</3/0>"), data_type::corelnk).value().kind() == value_kind::corelnk);

    const auto o = text::parse_value(as_bytes("AQID"), data_type::opaque).value();
    CHECK(o.kind() == value_kind::opaque);
    CHECK(o.encoding() == lwm2m::text_encoding::base64);
    CHECK(decoded(o) == std::vector<std::byte>{std::byte{1}, std::byte{2}, std::byte{3}});
    CHECK(decoded(text::parse_value(as_bytes(""), data_type::opaque).value()).empty());
    CHECK(text::parse_value(as_bytes("AQI"), data_type::opaque).error().code == errc::invalid_base64);
    CHECK(text::parse_value(as_bytes("AQ-="), data_type::opaque).error().code == errc::invalid_base64);

    CHECK(text::parse_value(as_bytes(""), data_type::none).value().kind() == value_kind::none);
    CHECK(text::parse_value(as_bytes("x"), data_type::none).error() == E{errc::type_mismatch, 0});
}

// ---- reader --------------------------------------------------------------------------------------

TEST_CASE("text_reader: the schema gives the type; without one the value is the text") {
    CHECK(read_value("22", P("/9999/0/1")) == value::of_integer(22));
    CHECK(read_value("22", P("/9999/0/3")) == value::of_float(22.0));
    CHECK(read_value("22", P("/9999/0/0")) == value::of_string("22"));
    CHECK(read_value("22", P("/9999/0/1"), nullptr) == value::of_string("22"));
    CHECK(read_value("22", P("/4/0/1")) == value::of_string("22")); // unknown object
    CHECK(read_value("1", P("/9999/0/4")) == value::of_boolean(true));
    CHECK(read_value("66:1", P("/9999/0/7")) == value::of_objlnk({66, 1}));
    CHECK(read_value("7", P("/9999/0/300/4")) == value::of_integer(7));
    CHECK(read_value("", P("/9999/0/301/4")) == value::of_string(""));
    CHECK(read_value("", P("/9999/0/9")).kind() == value_kind::none);
    // without a schema the raw text can be parsed later
    const auto raw = read_value("-5", P("/9999/0/1"), nullptr);
    CHECK(text::parse_value(raw.encoded_bytes(), data_type::integer).value() == value::of_integer(-5));
    // records view the payload
    const std::string payload = "Open Mobile Alliance";
    lwm2m::format::text_reader reader(as_bytes(payload), P("/3/0/0"));
    CHECK(reader.next().value()->value.encoded_bytes().data() == as_bytes(payload).data());
}

TEST_CASE("text_reader: errors, offsets, and they stay") {
    CHECK(read_error("1", P("/9999/0")) == E{errc::path_wrong_level, 0});
    CHECK(read_error("1", P("/9999")) == E{errc::path_wrong_level, 0});
    CHECK(read_error("1", path{}) == E{errc::path_wrong_level, 0});
    CHECK(read_error("1", P("/9999/0"), nullptr) == E{errc::path_wrong_level, 0});
    CHECK(read_error("1", P("/9999/0/99")) == E{errc::resource_not_in_schema, 0});
    CHECK(read_error("1", P("/9999/0/300")) == E{errc::invalid_nesting, 0});   // multiple resource
    CHECK(read_error("1", P("/9999/0/1/0")) == E{errc::invalid_nesting, 0});   // single resource
    CHECK(read_error("x", P("/9999/0/1")) == E{errc::invalid_number, 0});
    CHECK(read_error("101", P("/9999/0/10")) == E{errc::number_out_of_range, 0});
    CHECK(read_value("100", P("/9999/0/10")) == value::of_integer(100));
    CHECK(read_error("AQID", P("/9999/0/11")) == E{errc::number_out_of_range, 0}); // 3 bytes > 2
    CHECK(decoded(read_value("AQI=", P("/9999/0/11"))).size() == 2);
    CHECK(read_error("", P("/9999/0/12")) == E{errc::number_out_of_range, 0});     // length 1..3
    CHECK(read_error("abcd", P("/9999/0/12")) == E{errc::number_out_of_range, 0});
    CHECK(read_error("a\xC3", P("/9999/0/0")) == E{errc::invalid_utf8, 1});
    CHECK(read_error("a\xC3", P("/9999/0/0"), nullptr) == E{errc::invalid_utf8, 1});
    CHECK(read_error("2", P("/9999/0/4")) == E{errc::invalid_boolean, 0});
    CHECK(read_error("1:", P("/9999/0/7")) == E{errc::invalid_objlnk, 2});
    CHECK(read_error("====", P("/9999/0/5")).code == errc::invalid_base64);
    CHECK(read_error("x", P("/9999/0/9")) == E{errc::type_mismatch, 0});
}

// ---- writer --------------------------------------------------------------------------------------

TEST_CASE("text writer: every value kind") {
    CHECK(write(value::of_string("Open Mobile Alliance")) == "Open Mobile Alliance");
    CHECK(write(value::of_string("")).empty());
    CHECK(write(value::of_string("A\\u00e9\\\"", lwm2m::text_encoding::json_escaped)) == "A\xC3\xA9\"");
    CHECK(write(value::of_corelnk("</3/0>")) == "</3/0>");
    CHECK(write(value::of_integer(0)) == "0");
    CHECK(write(value::of_integer(-42)) == "-42");
    CHECK(write(value::of_integer(std::numeric_limits<std::int64_t>::min())) == "-9223372036854775808");
    CHECK(write(value::of_unsigned(18446744073709551615ULL)) == "18446744073709551615");
    CHECK(write(value::of_time(1367491215)) == "1367491215");
    CHECK(write(value::of_float(22.5)) == "22.5");
    CHECK(write(value::of_float(0.1)) == "0.1");
    CHECK(write(value::of_float(22.0)) == "22");
    CHECK(write(value::of_float(1e20)) == "1e+20");
    CHECK(write(value::of_float(-1.5e-7)) == "-1.5e-07");
    CHECK(write(value::of_float(std::numeric_limits<double>::max())) == "1.7976931348623157e+308");
    CHECK(write(value::of_boolean(true)) == "1");
    CHECK(write(value::of_boolean(false)) == "0");
    CHECK(write(value::of_objlnk({66, 0})) == "66:0");
    CHECK(write(value::of_objlnk({})) == "65535:65535");
    const std::array<std::byte, 3> bytes{std::byte{1}, std::byte{2}, std::byte{3}};
    CHECK(write(value::of_opaque(bytes)) == "AQID");
    CHECK(write(value::of_opaque(std::span(bytes).first(1))) == "AQ==");
    CHECK(write(value::of_opaque(std::span(bytes).first(2))) == "AQI=");
    CHECK(write(value::of_opaque({})).empty());
    CHECK(write(value::of_opaque(as_bytes("AQI="), lwm2m::text_encoding::base64)) == "AQI=");
    CHECK(write(value::of_opaque(as_bytes("-_8"), lwm2m::text_encoding::base64url)) == "+/8=");
    CHECK(write(value::of_integer(5), "/9999/0/300/1") == "5");
    CHECK(write(value::of_none(), "/9999/0/9").empty());
}

TEST_CASE("text writer: errors write nothing") {
    const record r{P("/9999/0/1"), value::of_integer(1), std::nullopt};
    CHECK(write_error({&r, 1}, P("/9999/0")) == E{errc::path_wrong_level, 0});
    CHECK(write_error({&r, 1}, P("/9999/0/2")) == E{errc::invalid_argument, 0});
    CHECK(write_error({}, P("/9999/0/1")) == E{errc::invalid_argument, 0});
    const record two[] = {r, r};
    CHECK(write_error(two, P("/9999/0/1")) == E{errc::invalid_argument, 1});
    const record untyped{P("/9999/0/1"), value::of_untyped(as_bytes("\x01")), std::nullopt};
    CHECK(write_error({&untyped, 1}, P("/9999/0/1")) == E{errc::type_mismatch, 0});
    const record nan{P("/9999/0/3"), value::of_float(std::numeric_limits<double>::quiet_NaN()), std::nullopt};
    CHECK(write_error({&nan, 1}, P("/9999/0/3")) == E{errc::invalid_argument, 0});
    const record bad_json{P("/9999/0/0"), value::of_string("ok\\", lwm2m::text_encoding::json_escaped), std::nullopt};
    CHECK(write_error({&bad_json, 1}, P("/9999/0/0")).code == errc::invalid_json);
    const record bad_utf8{P("/9999/0/0"), value::of_string("a\xFF"), std::nullopt};
    CHECK(write_error({&bad_utf8, 1}, P("/9999/0/0")) == E{errc::invalid_utf8, 0});
    const record bad_b64{P("/9999/0/5"), value::of_opaque(as_bytes("AQI"), lwm2m::text_encoding::base64), std::nullopt};
    CHECK(write_error({&bad_b64, 1}, P("/9999/0/5")).code == errc::invalid_base64);
}

TEST_CASE("text writer: Block2 windows of a long value") {
    std::string long_text;
    for (int i = 0; i < 300; ++i) long_text += static_cast<char>('a' + i % 26);
    std::vector<std::byte> raw(1000);
    for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::byte>(i * 7);
    for (const value& v : {value::of_string(long_text), value::of_opaque(raw)}) {
        const record r{P("/9999/0/5"), v, std::nullopt};
        const auto whole = write(v, "/9999/0/5");
        std::string joined;
        for (std::size_t num = 0;; ++num) {
            std::array<std::byte, 64> buf{};
            lwm2m::format::output_window w(buf, num * buf.size());
            REQUIRE(lwm2m::format::write_text({&r, 1}, P("/9999/0/5"), w).has_value());
            joined.append(reinterpret_cast<const char*>(buf.data()), w.written());
            if (!w.overflowed()) break;
        }
        CHECK(joined == whole);
    }
}

// ---- seeded random round trip ----------------------------------------------------------------------

TEST_CASE("text random round trip: read(write(v)) == v for every data type") {
    std::mt19937_64 rng(0x0000u);
    const auto below = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
    std::vector<std::byte> bytes;
    std::string str;
    int checked = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::uint16_t rid = static_cast<std::uint16_t>(below(9));
        const data_type t = everything.find(rid)->type;
        value v;
        const std::size_t n = below(40);
        switch (t) {
        case data_type::string:
        case data_type::corelnk:
            str.clear();
            for (std::size_t k = 0; k < n; ++k) {
                if (below(10) == 0) str += "\xE2\x82\xAC";
                else str.push_back(static_cast<char>(0x20 + below(95)));
            }
            v = t == data_type::string ? value::of_string(str) : value::of_corelnk(str);
            break;
        case data_type::integer: v = value::of_integer(static_cast<std::int64_t>(rng()) >> below(64)); break;
        case data_type::time: v = value::of_time(static_cast<std::int64_t>(rng()) >> below(64)); break;
        case data_type::unsigned_integer: v = value::of_unsigned(rng() >> below(64)); break;
        case data_type::float_: {
            double d = std::bit_cast<double>(rng());
            if (!std::isfinite(d)) d = static_cast<double>(static_cast<std::int64_t>(rng())) / 1000.0;
            v = value::of_float(d);
            break;
        }
        case data_type::boolean: v = value::of_boolean(below(2) == 1); break;
        case data_type::objlnk:
            v = value::of_objlnk({static_cast<std::uint16_t>(below(65536)), static_cast<std::uint16_t>(below(65536))});
            break;
        case data_type::opaque:
            bytes.resize(n);
            for (auto& b : bytes) b = static_cast<std::byte>(below(256));
            v = value::of_opaque(bytes);
            break;
        case data_type::none: continue;
        }
        const std::string p = "/9999/" + std::to_string(below(65535)) + "/" + std::to_string(rid);
        const std::string written = write(v, p);
        const value back = read_value(written, P(p));
        if (t == data_type::opaque) {
            CHECK(back.encoding() == lwm2m::text_encoding::base64);
            CHECK(decoded(back) == bytes);
        } else {
            CHECK(back == v);
        }
        ++checked;
    }
    CHECK(checked > 2000);
}
