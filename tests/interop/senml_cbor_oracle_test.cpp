// Oracle test: our SenML CBOR writer's output decoded by an independent CBOR decoder, the npm
// `cbor` package (node-cbor, `decodeAllSync`), run with node. The decoded structure is printed
// in a canonical text form and compared with what RFC 8428 §6 / LwM2M 1.1 Core §7.4.5 say the
// pack must hold: one array, one map per record, integer keys -2 (bn), 0 (n), 6 (t), 2 (v),
// 3 (vs), 4 (vb), 8 (vd) and the text key "vlo", and the values.
//
// Needs node and tests/interop/node/node_modules (`cd tests/interop/node && npm ci`); skipped
// with a message when either is missing.

#include <lwm2m/format/senml_cbor.hpp>

#include <doctest/doctest.h>

#include "../support/node_cbor.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lwm2m::objlnk;
using lwm2m::path;
using lwm2m::value;
using lwm2m::value_kind;
using lwm2m::format::record;
using lwm2m::test::node_cbor::decoded;
using lwm2m::test::node_cbor::hex;
using lwm2m::test::node_cbor::show_double;
using lwm2m::test::node_cbor::show_int;
using lwm2m::test::node_cbor::show_text;
using lwm2m::test::node_cbor::show_uint;

/** What the pack must hold, from the records (the naming rule of write_senml_cbor's doc). */
std::string expected_pack(std::span<const record> records, const path& base) {
    bool some_equal = false;
    for (const auto& r : records) some_equal = some_equal || r.path == base;
    const bool slash = base.is_root() || !some_equal;
    std::string bn(base.text().view());
    if (slash && !base.is_root()) bn += "/";
    std::string out = "[";
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        std::vector<std::string> fields;
        if (i == 0) fields.push_back(show_int(-2) + ":" + show_text(bn));
        if (r.path != base) {
            std::string n;
            for (std::size_t k = base.depth(); k < r.path.depth(); ++k) {
                if (k != base.depth() || !slash) n += "/";
                n += std::to_string(r.path.id(k));
            }
            fields.push_back(show_int(0) + ":" + show_text(n));
        }
        if (r.time) {
            const double t = *r.time;
            const bool integral = t == std::trunc(t) && std::fabs(t) < 9.2e18;
            fields.push_back(show_int(6) + ":" + (integral ? show_int(static_cast<std::int64_t>(t)) : show_double(t)));
        }
        const value& v = r.value;
        switch (v.kind()) {
        case value_kind::integer:
        case value_kind::time: fields.push_back(show_int(2) + ":" + show_int(v.as_integer())); break;
        case value_kind::unsigned_integer: fields.push_back(show_int(2) + ":" + show_uint(v.as_unsigned())); break;
        case value_kind::float_: fields.push_back(show_int(2) + ":" + show_double(v.as_float())); break;
        case value_kind::string:
        case value_kind::corelnk: fields.push_back(show_int(3) + ":" + show_text(decoded(v))); break;
        case value_kind::boolean: fields.push_back(show_int(4) + ":" + (v.as_boolean() ? "true" : "false")); break;
        case value_kind::opaque: fields.push_back(show_int(8) + ":h" + hex(decoded(v))); break;
        case value_kind::objlnk: {
            const objlnk l = v.as_objlnk();
            fields.push_back(show_text("vlo") + ":" + show_text(std::to_string(l.object_id) + ":" + std::to_string(l.instance_id)));
            break;
        }
        default: break;
        }
        out += i == 0 ? "{" : ",{";
        for (std::size_t f = 0; f < fields.size(); ++f) out += (f == 0 ? "" : ",") + fields[f];
        out += "}";
    }
    return out + "]";
}

/** ~50 varied record sets: spec-like packs, every value kind, edge lengths and numbers. */
struct pack_source {
    std::mt19937_64 rng{0x0ac1e};
    std::deque<std::string> storage;

    std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); }
    std::string_view keep(std::string s) {
        storage.push_back(std::move(s));
        return storage.back();
    }
    value random_value() {
        switch (below(10)) {
        case 0: {
            // Stay away from the 2^53 boundary where node-cbor switches to BigInt.
            const std::int64_t small = static_cast<std::int64_t>(below(2000000)) - 1000000;
            const std::int64_t huge = static_cast<std::int64_t>(rng() | (std::uint64_t{1} << 62));
            return value::of_integer(below(2) ? small : (below(2) ? huge : -huge));
        }
        case 1: return value::of_unsigned(below(2) ? below(100000) : rng() | (std::uint64_t{1} << 63));
        case 2: {
            const double choices[] = {22.5, 0.1, -0.0, 1e300, 5e-324, 65504.0, 1.0 / 3.0, 100000.0,
                                      std::numeric_limits<double>::infinity(), std::nan(""), 3.4028234663852886e38};
            return value::of_float(choices[below(std::size(choices))]);
        }
        case 3: return value::of_float(std::ldexp(static_cast<double>(below(1u << 24)), static_cast<int>(below(80)) - 40));
        case 4: {
            const std::size_t n = below(3) == 0 ? 300 : below(30);
            std::string valid;  // whole code points only: valid UTF-8
            const std::string_view pieces[] = {"a", "Z", "\"", "\\", "\n", "\x01", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
            for (std::size_t i = 0; i < n; ++i) valid += pieces[below(std::size(pieces))];
            return below(2) ? value::of_string(keep(valid)) : value::of_corelnk(keep(valid));
        }
        case 5: {
            std::string b;
            const std::size_t n = below(3) == 0 ? 260 + below(10) : below(30);
            for (std::size_t i = 0; i < n; ++i) b.push_back(static_cast<char>(below(256)));
            return value::of_opaque(lwm2m::as_bytes(keep(b)));
        }
        case 6: return value::of_boolean(below(2) == 0);
        case 7: return value::of_objlnk(objlnk{static_cast<std::uint16_t>(below(65536)), static_cast<std::uint16_t>(below(65536))});
        case 8: return value::of_time(static_cast<std::int64_t>(below(4000000000)));
        default: return value{};  // a path-list record
        }
    }
    std::vector<record> random_pack(path& base) {
        std::vector<record> out;
        const std::size_t n = below(8);
        const bool names_only = below(4) == 0;
        for (std::size_t i = 0; i < n; ++i) {
            path p = path::make(static_cast<std::uint16_t>(below(3) == 0 ? 30000 + below(30000) : below(10)),
                                static_cast<std::uint16_t>(below(3)), static_cast<std::uint16_t>(below(300)))
                         .value();
            if (below(3) == 0) p = p.child(below(65535)).value();
            value v = random_value();
            if (names_only) v = value{};
            else if (v.kind() == value_kind::none) v = value::of_integer(7);
            std::optional<double> t;
            if (below(3) == 0) t = below(2) ? static_cast<double>(1700000000 + below(1000)) : -0.25 * static_cast<double>(below(100));
            out.push_back(record{p, v, t});
        }
        base = path{};
        if (!out.empty() && below(2) == 0) {
            // all under one object instance, or one record at a resource
            const path inst = out[0].path.prefix(lwm2m::path_level::instance);
            for (auto& r : out) r.path = *path::make(inst.object_id(), inst.instance_id(), r.path.resource_id());
            base = below(2) ? inst : inst.parent();
            if (below(3) == 0) {
                out.resize(1);
                base = out[0].path;
            }
        }
        return out;
    }
};

} // namespace

TEST_CASE("SenML CBOR oracle: node-cbor decodes our packs to the expected labels and values") {
    if (!lwm2m::test::node_cbor::available()) return;

    // The packs: a few fixed ones, then random ones.
    std::vector<std::vector<record>> packs;
    std::vector<path> bases;
    pack_source source;
    const auto P = [](std::string_view t) { return lwm2m::parse_path(t).value(); };
    packs.push_back({{P("/3/0/0"), value::of_string("Open Mobile Alliance"), std::nullopt},
                     {P("/3/0/6/0"), value::of_integer(1), std::nullopt},
                     {P("/3/0/7/1"), value::of_integer(5000), std::nullopt},
                     {P("/3/0/13"), value::of_time(1367491215), std::nullopt}});
    bases.push_back(P("/3/0"));
    packs.push_back({});
    bases.push_back(path{});
    packs.push_back({{P("/3/0/0"), value{}, std::nullopt}, {P("/1/0"), value{}, std::nullopt}, {P("/"), value{}, std::nullopt}});
    bases.push_back(path{});
    packs.push_back({{P("/72/1/2"), value::of_float(22.4), 25462629.0}, {P("/72/1/2"), value::of_float(22.9), 25462604.5}});
    bases.push_back(P("/72"));
    packs.push_back({{P("/65/0/0/0"), value::of_objlnk(objlnk{66, 0}), std::nullopt},
                     {P("/65/0/0/1"), value::of_objlnk(objlnk{65535, 65535}), std::nullopt}});
    bases.push_back(P("/65/0/0"));
    packs.push_back({{P("/3/0"), value{}, std::nullopt}, {P("/3/0/1"), value{}, std::nullopt}});
    bases.push_back(P("/3/0"));
    while (packs.size() < 50) {
        path base;
        packs.push_back(source.random_pack(base));
        bases.push_back(base);
    }

    // Encode each into a file of a fresh directory.
    std::vector<std::vector<std::byte>> payloads;
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < packs.size(); ++i) {
        std::vector<std::byte> buf(1 << 16);
        lwm2m::format::output_window out(buf);
        REQUIRE(lwm2m::format::write_senml_cbor(packs[i], bases[i], out).has_value());
        const auto n = out.finish();
        REQUIRE(n.has_value());
        buf.resize(*n);
        payloads.push_back(std::move(buf));
        expected.push_back(expected_pack(packs[i], bases[i]));
    }
    const std::vector<std::string> lines = lwm2m::test::node_cbor::decode(payloads, "senml_cbor_oracle");
    REQUIRE(lines.size() == packs.size());
    for (std::size_t i = 0; i < packs.size(); ++i) {
        CAPTURE(i);
        CHECK(lines[i] == expected[i]);
    }
}
