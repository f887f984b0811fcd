// Property tests of every record content format over every shipped object schema.
// doctest, no main here: link with tests/main.cpp.
//
// For each object of `lwm2m::objects::registry` (so a newly generated object is covered without
// touching this file), 200 seeded random schema-valid instance sets (tests/support/random_records.hpp)
// under request paths of every level are
// 1. written with `format::write_records` in every format that can carry them (TLV 11542, SenML
//    JSON 110, SenML CBOR 112, OMA JSON 11543, LwM2M CBOR 11544, and plain text 0 / opaque 42 for
//    one value at the request path) and read back with the schema-aware `read_records`: the same
//    records, paths in the same order, values of the same kind and the same content (floats bit
//    for bit, text and opaque by their decoded bytes: a JSON reader keeps escapes, base64 stays
//    base64 until decoded);
// 2. converted (`format::convert`) from every format to every other and read back: the same
//    records; and converted back: the very bytes the first format wrote (the writers are
//    deterministic and lossless through the schema);
// 3. truncated at random points: a TLV payload cut anywhere but between two top-level TLVs, and
//    any cut CBOR or JSON payload, reads as an error, never as fewer records (a TLV payload has no
//    outer length, so a cut between top-level entries is a valid shorter payload, LwM2M 1.1 Core
//    §7.4.3);
// 4. mutated (random bytes flipped, inserted, removed) and read in every format, with and without
//    schema, and what reads is written again: nothing may crash (run it under ASan/UBSan).
//
// What a format cannot carry is not generated for it: NaN and the infinities only go to TLV
// (IEEE 754 bits, 1.1 Core Appendix C), SenML CBOR (RFC 8428 §6 allows any CBOR float) and
// LwM2M CBOR (1.2 Core §7.4.7 single values as in §7.4.6); JSON (RFC 8259 §6) and plain text
// (1.1 Core §7.4.1, a decimal number) have no spelling for them, and their writers must refuse
// such records (checked too). The CBOR writers write every NaN as the half-precision quiet NaN
// 0x7E00 (RFC 8949 §4.2.2 preferred serialization), so only the canonical quiet NaN is generated.
// Every other value the generator makes is representable in every format once the schema types
// it: an Unsigned Integer above INT64_MAX is a JSON number literal, a Time is a number, an Opaque
// is base64 in JSON and text; the readers coerce to the schema type (`coerce`, exact or not at
// all), so no type is compared through a weaker one.
//
// Seeds: iteration i of object o uses seed 0x70726F70 ^ (o << 32) ^ i, printed on failure.
// Debug build: ~5 s (3400 instance sets).

#include <lwm2m/format/codec.hpp>
#include <lwm2m/format/tlv/header.hpp>
#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/model/value_bytes.hpp>

#include "../support/random_records.hpp"
#include "../support/sanitized.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace lwm2m::test::property {

using format::content_format;
using format::record;
using random_data::instance_generator;
using random_data::instance_set;
using random_data::shape;
using bytes = std::vector<std::byte>;

constexpr int iterations_per_object = scaled(200);  // fewer under sanitizers (support/sanitized.hpp)

struct format_info {
    content_format cf;
    const char* name;
    bool nonfinite;  ///< can carry NaN and the infinities
    bool framed;     ///< a strict prefix of a valid payload is never valid (CBOR, JSON)
};

constexpr format_info structured[] = {
    {content_format::tlv, "TLV", true, false},
    {content_format::senml_json, "SenML JSON", false, true},
    {content_format::senml_cbor, "SenML CBOR", true, true},
    {content_format::oma_json, "OMA JSON", false, true},
    {content_format::lwm2m_cbor, "LwM2M CBOR", true, true},
};
constexpr format_info single_value[] = {
    {content_format::text, "text", false, false},
    {content_format::opaque, "opaque", true, false},
};

const schema_registry* const schemas = &objects::registry;

std::string hex(const bytes& b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::byte x : b) {
        s += digits[std::to_integer<unsigned>(x) >> 4];
        s += digits[std::to_integer<unsigned>(x) & 15];
    }
    return s;
}

std::string describe(const value& v) {
    std::ostringstream o;
    switch (v.kind()) {
    case value_kind::none: o << "none"; break;
    case value_kind::integer: o << "integer " << v.as_integer(); break;
    case value_kind::time: o << "time " << v.as_time(); break;
    case value_kind::unsigned_integer: o << "unsigned " << v.as_unsigned(); break;
    case value_kind::float_:
        o << "float " << v.as_float() << " (0x" << std::hex << std::bit_cast<std::uint64_t>(v.as_float()) << ")";
        break;
    case value_kind::boolean: o << "boolean " << v.as_boolean(); break;
    case value_kind::objlnk: o << "objlnk " << v.as_objlnk().object_id << ':' << v.as_objlnk().instance_id; break;
    default: {
        const std::string d = random_data::decoded_bytes(v);
        bytes b(d.size());
        for (std::size_t i = 0; i < d.size(); ++i) b[i] = static_cast<std::byte>(d[i]);
        o << "bytes(kind " << static_cast<int>(v.kind()) << ") " << hex(b);
    }
    }
    return o.str();
}

std::string describe(const path& p) {
    std::string s;
    for (std::size_t i = 0; i < p.depth(); ++i) s += "/" + std::to_string(p.id(i));
    return s.empty() ? "/" : s;
}

/** Same kind and content: floats bit for bit, byte values by their decoded bytes. */
bool same_value(const value& a, const value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.is_bytes()) return random_data::decoded_bytes(a) == random_data::decoded_bytes(b);
    if (a.kind() == value_kind::float_)
        return std::bit_cast<std::uint64_t>(a.as_float()) == std::bit_cast<std::uint64_t>(b.as_float());
    return a == b;
}

/** Empty when equal, else what differs first. */
std::string difference(const std::vector<record>& want, const std::vector<record>& got) {
    const std::size_t n = want.size() < got.size() ? want.size() : got.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (want[i].path != got[i].path)
            return "record " + std::to_string(i) + ": path " + describe(got[i].path) + ", want " + describe(want[i].path);
        if (!same_value(want[i].value, got[i].value))
            return "record " + std::to_string(i) + " " + describe(want[i].path) + ": " + describe(got[i].value) +
                   ", want " + describe(want[i].value);
        if (want[i].time.has_value() != got[i].time.has_value() || (want[i].time && *want[i].time != *got[i].time)) {
            std::ostringstream o;
            o.precision(17);
            o << "record " << i << " " << describe(want[i].path) << ": time ";
            if (got[i].time) o << *got[i].time; else o << "none";
            o << ", want ";
            if (want[i].time) o << *want[i].time; else o << "none";
            return o.str();
        }
    }
    if (want.size() != got.size())
        return std::to_string(got.size()) + " records, want " + std::to_string(want.size());
    return {};
}

std::string error_text(const error& e) {
    return std::string(lwm2m::name(e.code)) + " at " + std::to_string(e.offset);
}

// Scratch space shared by the helpers (allocating it per call dominated the run time).
bytes& out_buffer() {
    static bytes buf(1 << 16);
    return buf;
}
std::vector<record>& record_scratch() {
    static std::vector<record> scratch(4096);
    return scratch;
}

result<bytes> encode(content_format cf, const std::vector<record>& records, const path& base) {
    bytes& buf = out_buffer();
    format::output_window out(buf);
    if (auto ok = format::write_records(cf, records, base, out); !ok) return unexpected{ok.error()};
    LWM2M_TRY(n, out.finish());
    return bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
}

result<std::vector<record>> decode(content_format cf, const bytes& payload, const path& base,
                                   const schema_registry* reg = schemas) {
    std::vector<record>& out = record_scratch();
    LWM2M_TRY(n, format::read_records(cf, payload, base, reg, out));
    return std::vector<record>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
}

result<bytes> convert(content_format from, const bytes& payload, content_format to, const path& base) {
    bytes& buf = out_buffer();
    format::output_window out(buf);
    if (auto ok = format::convert(from, payload, to, base, schemas, record_scratch(), out); !ok) return unexpected{ok.error()};
    LWM2M_TRY(n, out.finish());
    return bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
}

/** The formats that can carry `set`. */
std::vector<format_info> carriers(const instance_set& set) {
    std::vector<format_info> out;
    for (const auto& f : structured)
        if (f.nonfinite || !set.has_nonfinite) out.push_back(f);
    if (set.records.size() == 1 && set.records[0].path == set.base) {
        for (const auto& f : single_value) {
            if (f.cf == content_format::text && set.has_nonfinite) continue;
            if (f.cf == content_format::opaque && set.records[0].value.kind() != value_kind::opaque) continue;
            out.push_back(f);
        }
    }
    return out;
}

std::string seed_text(std::uint64_t seed) {
    std::ostringstream o;
    o << "0x" << std::hex << seed;
    return o.str();
}

/** The seed of one iteration: reproducible alone. */
std::uint64_t seed_of(std::uint16_t object_id, int iteration) {
    return 0x70726F70ull ^ (std::uint64_t{object_id} << 32) ^ static_cast<std::uint64_t>(iteration);
}

instance_set make_set(instance_generator& g, const object_view& o) {
    g.allow_nonfinite = g.rng.one_in(4);
    const shape shapes[] = {shape::object, shape::instance, shape::resource, shape::resource_instance};
    return g.make(o, shapes[g.rng.below(4)]);
}

/** End offsets of the top-level TLVs of a valid payload. */
std::vector<std::size_t> tlv_boundaries(const bytes& payload) {
    std::vector<std::size_t> ends{0};
    std::size_t at = 0;
    while (at < payload.size()) {
        const auto h = format::tlv::decode_header(bytes_view{payload}.subspan(at));
        REQUIRE(h.has_value());
        at += h->size + h->length;
        ends.push_back(at);
    }
    return ends;
}

} // namespace lwm2m::test::property

using namespace lwm2m::test::property;

TEST_CASE("format property: every schema, every format, write then read gives the same records") {
    std::size_t checked = 0, failures = 0;
    for (const lwm2m::object_view& o : lwm2m::objects::registry.objects()) {
        for (int iteration = 0; iteration < iterations_per_object && failures < 10; ++iteration) {
            const std::uint64_t seed = seed_of(o.id(), iteration);
            INFO("object " << o.id() << " iteration " << iteration << " seed " << seed_text(seed));
            instance_generator g(seed);
            const instance_set set = make_set(g, o);
            INFO("base " << describe(set.base) << ", " << set.records.size() << " records");
            for (const format_info& f : carriers(set)) {
                const auto payload = encode(f.cf, set.records, set.base);
                if (!payload) {
                    FAIL_CHECK(f.name << " write: " << error_text(payload.error()));
                    ++failures;
                    continue;
                }
                const auto back = decode(f.cf, *payload, set.base);
                if (!back) {
                    FAIL_CHECK(f.name << " read: " << error_text(back.error()) << "; payload " << hex(*payload));
                    ++failures;
                    continue;
                }
                if (const std::string d = difference(set.records, *back); !d.empty()) {
                    FAIL_CHECK(f.name << ": " << d << "; payload " << hex(*payload));
                    ++failures;
                }
                ++checked;
            }
            // JSON and text have no NaN or infinity: their writers refuse, not approximate.
            if (set.has_nonfinite) {
                for (const auto cf : {content_format::senml_json, content_format::oma_json}) {
                    const auto payload = encode(cf, set.records, set.base);
                    CHECK_MESSAGE(!payload.has_value(), "JSON writer accepted NaN/inf: " << hex(*payload));
                }
            }
        }
    }
    CHECK(failures == 0);
    CHECK(checked > lwm2m::test::scaled<std::size_t>(10000));
    MESSAGE(checked << " write/read round trips over " << lwm2m::objects::registry.objects().size() << " objects");
}

TEST_CASE("format property: every format converts to every other and back without loss") {
    std::size_t checked = 0, failures = 0;
    for (const lwm2m::object_view& o : lwm2m::objects::registry.objects()) {
        for (int iteration = 0; iteration < iterations_per_object && failures < 10; ++iteration) {
            const std::uint64_t seed = seed_of(o.id(), iteration) ^ 0xC0DEC0DEull;
            INFO("object " << o.id() << " iteration " << iteration << " seed " << seed_text(seed));
            instance_generator g(seed);
            const instance_set set = make_set(g, o);
            INFO("base " << describe(set.base) << ", " << set.records.size() << " records");
            const std::vector<format_info> formats = carriers(set);
            std::vector<bytes> direct;
            for (const format_info& f : formats) {
                const auto payload = encode(f.cf, set.records, set.base);
                REQUIRE(payload.has_value());
                direct.push_back(*payload);
            }
            for (std::size_t a = 0; a < formats.size(); ++a) {
                for (std::size_t b = 0; b < formats.size(); ++b) {
                    if (a == b) continue;
                    INFO(formats[a].name << " -> " << formats[b].name << ": " << hex(direct[a]));
                    const auto there = convert(formats[a].cf, direct[a], formats[b].cf, set.base);
                    if (!there) {
                        FAIL_CHECK("convert: " << error_text(there.error()));
                        ++failures;
                        continue;
                    }
                    const auto read = decode(formats[b].cf, *there, set.base);
                    if (!read) {
                        FAIL_CHECK("read converted: " << error_text(read.error()) << "; " << hex(*there));
                        ++failures;
                        continue;
                    }
                    if (const std::string d = difference(set.records, *read); !d.empty()) {
                        FAIL_CHECK(d << "; converted " << hex(*there));
                        ++failures;
                        continue;
                    }
                    // The converted payload is what the second format writes for the records.
                    if (*there != direct[b]) {
                        FAIL_CHECK("converted " << hex(*there) << ", direct " << hex(direct[b]));
                        ++failures;
                    }
                    const auto again = convert(formats[b].cf, *there, formats[a].cf, set.base);
                    if (!again) {
                        FAIL_CHECK("convert back: " << error_text(again.error()));
                        ++failures;
                        continue;
                    }
                    if (*again != direct[a]) {
                        FAIL_CHECK("back " << hex(*again) << ", first " << hex(direct[a]));
                        ++failures;
                    }
                    ++checked;
                }
            }
        }
    }
    CHECK(failures == 0);
    CHECK(checked > lwm2m::test::scaled<std::size_t>(20000));
    MESSAGE(checked << " conversions there and back");
}

TEST_CASE("format property: timestamps survive SenML JSON, SenML CBOR and OMA JSON, and their conversions") {
    // Only these formats carry a time per record (RFC 8428 §4.5.3 "bt"/"t"; LwM2M 1.0 §6.4.4
    // "bt"/"t"). Times are compared as numbers: -0.0 and 0.0 are the same instant, and an
    // integral time may be written as an integer literal.
    const format_info timed[] = {
        {content_format::senml_json, "SenML JSON", false, true},
        {content_format::senml_cbor, "SenML CBOR", true, true},
        {content_format::oma_json, "OMA JSON", false, true},
    };
    std::size_t checked = 0, failures = 0;
    for (const lwm2m::object_view& o : lwm2m::objects::registry.objects()) {
        for (int iteration = 0; iteration < iterations_per_object / 2 && failures < 10; ++iteration) {
            const std::uint64_t seed = seed_of(o.id(), iteration) ^ 0x71AEull;
            INFO("object " << o.id() << " iteration " << iteration << " seed " << seed_text(seed));
            instance_generator g(seed);
            instance_set set = make_set(g, o);
            if (set.has_nonfinite) continue;
            const bool all = g.rng.coin();
            const double base_time = g.rng.coin() ? 1.7e9 + static_cast<double>(g.rng.below(1000)) : 0.0;
            for (record& r : set.records) {
                if (!all && g.rng.coin()) continue;
                switch (g.rng.below(5)) {
                case 0: r.time = base_time + static_cast<double>(g.rng.below(100000)); break;  // integral, rebased
                case 1: r.time = -static_cast<double>(g.rng.below(1u << 28)); break;  // relative ("t":-5)
                case 2: r.time = base_time + static_cast<double>(g.rng.below(1u << 20)) / 1024.0; break;
                case 3: r.time = g.any_double(); break;
                default: r.time = static_cast<double>(static_cast<std::int64_t>(g.rng.next()) >> g.rng.below(64));
                }
            }
            INFO("base " << describe(set.base) << ", " << set.records.size() << " records");
            std::vector<bytes> direct;
            for (const format_info& f : timed) {
                const auto payload = encode(f.cf, set.records, set.base);
                REQUIRE_MESSAGE(payload.has_value(), f.name << " write: " << error_text(payload.error()));
                direct.push_back(*payload);
                const auto back = decode(f.cf, *payload, set.base);
                if (!back) {
                    FAIL_CHECK(f.name << " read: " << error_text(back.error()) << "; " << hex(*payload));
                    ++failures;
                    continue;
                }
                if (const std::string d = difference(set.records, *back); !d.empty()) {
                    FAIL_CHECK(f.name << ": " << d << "; " << hex(*payload));
                    ++failures;
                }
                ++checked;
            }
            for (std::size_t a = 0; a < std::size(timed); ++a) {
                for (std::size_t b = 0; b < std::size(timed); ++b) {
                    if (a == b) continue;
                    const auto there = convert(timed[a].cf, direct[a], timed[b].cf, set.base);
                    if (!there || *there != direct[b]) {
                        FAIL_CHECK(timed[a].name << " -> " << timed[b].name << ": "
                                                 << (there ? hex(*there) : error_text(there.error())) << ", direct "
                                                 << hex(direct[b]));
                        ++failures;
                    }
                    ++checked;
                }
            }
        }
    }
    CHECK(failures == 0);
    CHECK(checked > lwm2m::test::scaled<std::size_t>(5000));
    MESSAGE(checked << " timed round trips and conversions");
}

TEST_CASE("format property: a truncated TLV, CBOR or JSON payload is an error, never fewer records") {
    std::size_t checked = 0, failures = 0;
    for (const lwm2m::object_view& o : lwm2m::objects::registry.objects()) {
        for (int iteration = 0; iteration < iterations_per_object && failures < 10; ++iteration) {
            const std::uint64_t seed = seed_of(o.id(), iteration) ^ 0x7E0C47Eull;
            INFO("object " << o.id() << " iteration " << iteration << " seed " << seed_text(seed));
            instance_generator g(seed);
            const instance_set set = make_set(g, o);
            INFO("base " << describe(set.base) << ", " << set.records.size() << " records");
            for (const format_info& f : structured) {
                if (set.has_nonfinite && !f.nonfinite) continue;
                const auto payload = encode(f.cf, set.records, set.base);
                REQUIRE(payload.has_value());
                if (payload->empty()) continue;
                const std::vector<std::size_t> boundaries =
                    f.framed ? std::vector<std::size_t>{} : tlv_boundaries(*payload);
                // A few random cuts, and the cut of the last byte.
                for (int k = 0; k < 4; ++k) {
                    const std::size_t cut = k == 0 ? payload->size() - 1 : g.rng.below(payload->size());
                    if (std::find(boundaries.begin(), boundaries.end(), cut) != boundaries.end()) continue;
                    const bytes cut_payload(payload->begin(), payload->begin() + static_cast<std::ptrdiff_t>(cut));
                    const auto read = decode(f.cf, cut_payload, set.base);
                    if (read) {
                        FAIL_CHECK(f.name << " cut at " << cut << " of " << hex(*payload) << " read as "
                                          << read->size() << " records of " << set.records.size());
                        ++failures;
                    }
                    const auto plain = decode(f.cf, cut_payload, set.base, nullptr);
                    if (plain) {
                        FAIL_CHECK(f.name << " (no schema) cut at " << cut << " of " << hex(*payload) << " read as "
                                          << plain->size() << " records of " << set.records.size());
                        ++failures;
                    }
                    ++checked;
                }
            }
        }
    }
    CHECK(failures == 0);
    CHECK(checked > lwm2m::test::scaled<std::size_t>(5000));
    MESSAGE(checked << " truncated payloads rejected");
}

TEST_CASE("format property: mutated payloads of every format never crash any reader or writer") {
    std::size_t decoded_ok = 0, total = 0;
    const content_format all[] = {content_format::tlv,        content_format::senml_json, content_format::senml_cbor,
                                  content_format::oma_json,   content_format::lwm2m_cbor, content_format::text,
                                  content_format::opaque};
    for (const lwm2m::object_view& o : lwm2m::objects::registry.objects()) {
        for (int iteration = 0; iteration < iterations_per_object / 4; ++iteration) {
            const std::uint64_t seed = seed_of(o.id(), iteration) ^ 0xF11Bull;
            INFO("object " << o.id() << " iteration " << iteration << " seed " << seed_text(seed));
            instance_generator g(seed);
            const instance_set set = make_set(g, o);
            for (const format_info& f : carriers(set)) {
                const auto payload = encode(f.cf, set.records, set.base);
                REQUIRE(payload.has_value());
                for (int k = 0; k < 6; ++k) {
                    bytes m = *payload;
                    const int edits = 1 + static_cast<int>(g.rng.below(4));
                    for (int e = 0; e < edits; ++e) {
                        const std::size_t at = m.empty() ? 0 : g.rng.below(m.size());
                        switch (g.rng.below(4)) {
                        case 0:
                            if (!m.empty()) m[at] ^= static_cast<std::byte>(1u << g.rng.below(8));
                            break;
                        case 1:
                            if (!m.empty()) m[at] = static_cast<std::byte>(g.rng.next());
                            break;
                        case 2: m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::byte>(g.rng.next())); break;
                        default:
                            if (!m.empty()) m.erase(m.begin() + static_cast<std::ptrdiff_t>(at));
                        }
                    }
                    // Read as its own format and as any other, with and without the schema; what
                    // reads is written again in every format (errors are fine, crashes are not).
                    const content_format as = g.rng.coin() ? f.cf : all[g.rng.below(std::size(all))];
                    for (const lwm2m::schema_registry* reg : {schemas, static_cast<const lwm2m::schema_registry*>(nullptr)}) {
                        const auto read = decode(as, m, set.base, reg);
                        ++total;
                        if (!read) {
                            if (read.error().offset > m.size())
                                FAIL_CHECK("error offset " << read.error().offset << " past the end of " << hex(m));
                            continue;
                        }
                        ++decoded_ok;
                        for (const content_format to : all) (void)encode(to, *read, set.base);
                    }
                }
            }
        }
    }
    CHECK(total > lwm2m::test::scaled<std::size_t>(5000));
    MESSAGE(total << " mutated payloads read, " << decoded_ok << " of them without error");
}
