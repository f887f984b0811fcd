// Oracle test: our LwM2M CBOR writer's output decoded by an independent CBOR decoder, the npm
// `cbor` package (node-cbor, `decodeAllSync`), run with node. The decoded structure is printed in
// a canonical text form and compared with the structure the records must take (LwM2M 1.2 Core
// §7.4.7 as read in format/lwm2m_cbor/reader.hpp), derived here independently of the writer: the
// records are put in a tree of path ids, and every chain of levels with a single child and no
// value is one key, an array of ids (a single id is a plain integer key).
//
// Needs node and tests/interop/node/node_modules (`cd tests/interop/node && npm ci`); skipped
// with a message when either is missing.

#include <lwm2m/format/lwm2m_cbor.hpp>

#include <doctest/doctest.h>

#include "../support/node_cbor.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
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

std::string show_value(const value& v) {
    switch (v.kind()) {
    case value_kind::integer: return show_int(v.as_integer());
    case value_kind::time: return "date" + std::to_string(v.as_integer());
    case value_kind::unsigned_integer: return show_uint(v.as_unsigned());
    case value_kind::float_: return show_double(v.as_float());
    case value_kind::boolean: return v.as_boolean() ? "true" : "false";
    case value_kind::string:
    case value_kind::corelnk: return show_text(decoded(v));
    case value_kind::opaque: return "h" + hex(decoded(v));
    case value_kind::objlnk: {
        const objlnk l = v.as_objlnk();
        return show_text(std::to_string(l.object_id) + ":" + std::to_string(l.instance_id));
    }
    case value_kind::none: return "null";
    case value_kind::untyped: break;
    }
    return "?";
}

/** The records as a tree of path ids. */
struct node {
    std::optional<value> leaf;
    std::map<std::uint16_t, std::unique_ptr<node>> children;
};

std::string show_map(const node& n) {
    std::string out = "{";
    bool first = true;
    for (const auto& [id, child] : n.children) {
        std::vector<std::uint16_t> key{id};
        const node* at = child.get();
        while (!at->leaf && at->children.size() == 1) {
            key.push_back(at->children.begin()->first);
            at = at->children.begin()->second.get();
        }
        if (!first) out += ",";
        first = false;
        if (key.size() == 1) {
            out += show_int(key[0]);
        } else {
            out += "[";
            for (std::size_t i = 0; i < key.size(); ++i) out += (i == 0 ? "" : ",") + show_int(key[i]);
            out += "]";
        }
        out += ":" + (at->leaf ? show_value(*at->leaf) : show_map(*at));
    }
    return out + "}";
}

/** What the payload must hold, from the records. */
std::string expected_structure(std::span<const record> records) {
    node root;
    for (const record& r : records) {
        node* at = &root;
        for (std::size_t i = 0; i < r.path.depth(); ++i) {
            auto& slot = at->children[r.path.id(i)];
            if (!slot) slot = std::make_unique<node>();
            at = slot.get();
        }
        at->leaf = r.value;
    }
    return show_map(root);
}

/** ~50 varied record sets: spec-like instances, every value kind, edge lengths and numbers. */
struct set_source {
    std::mt19937_64 rng{0x11544};
    std::deque<std::string> storage;

    std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); }
    std::string_view keep(std::string s) {
        storage.push_back(std::move(s));
        return storage.back();
    }
    value random_value() {
        switch (below(10)) {
        case 0: {
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
            std::string valid;
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
        default: return value::of_none();
        }
    }
    /** Random records under a random base: sorted, no path twice, none under another. */
    std::vector<record> random_set(path& base) {
        std::set<path> seen;
        std::vector<record> out;
        const std::size_t n = below(16);
        const std::uint16_t object = static_cast<std::uint16_t>(below(3) == 0 ? 30000 + below(30000) : below(10));
        for (std::size_t i = 0; i < n; ++i) {
            const auto o = below(4) == 0 ? static_cast<std::uint16_t>(below(65535)) : object;
            path p = path::make(o, static_cast<std::uint16_t>(below(3)), static_cast<std::uint16_t>(below(4) == 0 ? below(65535) : below(20)))
                         .value();
            // Resource ids below 10 hold single values, the others resource instances.
            if (p.resource_id() >= 10) p = p.child(below(4) == 0 ? below(65535) : below(3)).value();
            if (!seen.insert(p).second) continue;
            out.push_back(record{p, random_value(), std::nullopt});
        }
        std::sort(out.begin(), out.end(), [](const record& a, const record& b) { return a.path < b.path; });
        base = path{};
        if (!out.empty() && below(2) == 0) {
            const path inst = out[0].path.prefix(lwm2m::path_level::instance);
            std::vector<record> kept;
            for (const auto& r : out)
                if (inst.is_prefix_of(r.path)) kept.push_back(r);
            out = kept;
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

TEST_CASE("LwM2M CBOR oracle: node-cbor decodes our payloads to the expected nested maps and values") {
    if (!lwm2m::test::node_cbor::available()) return;

    std::vector<std::vector<record>> sets;
    std::vector<path> bases;
    set_source source;
    const auto P = [](std::string_view t) { return lwm2m::parse_path(t).value(); };
    // The §7.4.7 example, the bench Device instance, a single value, an empty payload, a composite.
    sets.push_back({{P("/3/0/0"), value::of_string("Open Mobile Alliance"), std::nullopt},
                    {P("/3/0/7/0"), value::of_integer(3800), std::nullopt},
                    {P("/3/0/7/1"), value::of_integer(5000), std::nullopt}});
    bases.push_back(P("/3/0"));
    sets.push_back({{P("/3/0/0"), value::of_string("Open Mobile Alliance"), std::nullopt},
                    {P("/3/0/1"), value::of_string("Lightweight M2M Client"), std::nullopt},
                    {P("/3/0/2"), value::of_string("345000123"), std::nullopt},
                    {P("/3/0/3"), value::of_string("1.0"), std::nullopt},
                    {P("/3/0/6/0"), value::of_integer(1), std::nullopt},
                    {P("/3/0/6/1"), value::of_integer(5), std::nullopt},
                    {P("/3/0/7/0"), value::of_integer(3800), std::nullopt},
                    {P("/3/0/7/1"), value::of_integer(5000), std::nullopt},
                    {P("/3/0/9"), value::of_integer(100), std::nullopt},
                    {P("/3/0/10"), value::of_integer(15), std::nullopt},
                    {P("/3/0/11/0"), value::of_integer(0), std::nullopt},
                    {P("/3/0/13"), value::of_time(1700000000), std::nullopt},
                    {P("/3/0/14"), value::of_string("+01:00"), std::nullopt},
                    {P("/3/0/16"), value::of_string("U"), std::nullopt}});
    bases.push_back(P("/3/0"));
    sets.push_back({{P("/3/0/9"), value::of_integer(100), std::nullopt}});
    bases.push_back(P("/3/0/9"));
    sets.push_back({});
    bases.push_back(P("/3/0"));
    sets.push_back({{P("/3/0/9"), value::of_integer(100), std::nullopt},
                    {P("/3303/0/5700"), value::of_float(22.5), std::nullopt},
                    {P("/3303/1/5700"), value::of_float(-4.25), std::nullopt},
                    {P("/65534/65534/65534/65534"), value::of_none(), std::nullopt}});
    bases.push_back(path{});
    sets.push_back({{P("/9000/0/0"), value::of_string("a\\nb", lwm2m::text_encoding::json_escaped), std::nullopt},
                    {P("/9000/0/5"), value::of_opaque(lwm2m::as_bytes(std::string_view{"AQID"}), lwm2m::text_encoding::base64),
                     std::nullopt},
                    {P("/9000/0/7"), value::of_objlnk(objlnk{65535, 65535}), std::nullopt}});
    bases.push_back(P("/9000"));
    while (sets.size() < 50) {
        path base;
        sets.push_back(source.random_set(base));
        bases.push_back(base);
    }

    std::vector<std::vector<std::byte>> payloads;
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < sets.size(); ++i) {
        std::vector<std::byte> buf(1 << 16);
        lwm2m::format::output_window out(buf);
        REQUIRE(lwm2m::format::write_lwm2m_cbor(sets[i], bases[i], out).has_value());
        const auto n = out.finish();
        REQUIRE(n.has_value());
        buf.resize(*n);
        payloads.push_back(std::move(buf));
        expected.push_back(expected_structure(sets[i]));
    }
    const std::vector<std::string> lines = lwm2m::test::node_cbor::decode(payloads, "lwm2m_cbor_oracle");
    REQUIRE(lines.size() == sets.size());
    for (std::size_t i = 0; i < sets.size(); ++i) {
        CAPTURE(i);
        CHECK(lines[i] == expected[i]);
    }
}
