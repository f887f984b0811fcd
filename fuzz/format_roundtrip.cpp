// libFuzzer target: cross-format round trips of every record content format through the shipped
// object schemas (`lwm2m::objects::registry`).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/format_roundtrip.cpp -o format_roundtrip
//   ./format_roundtrip fuzz/corpus/format_roundtrip
//
// Input: byte 0 chooses the source format (index into `formats`), byte 1 the request path
// (index into `bases`), the rest is the payload. The payload is read schema-aware with
// `format::read_records`; an error must carry an offset inside the payload. When it reads, the
// records (sorted by path) are written with `format::write_records` into every format, the source
// one included, and single-value CBOR (Content-Format 60). A writer may refuse a record set it cannot carry (a time in TLV or LwM2M CBOR is
// left out instead, as those formats have none; NaN in JSON; a path twice; several values for text
// or opaque; SenML gets no set with a `none` value, which it would write as a path list) but must accept every "plain" set (paths unique, at resource or resource-instance
// level, values typed by the schema, finite floats for JSON) in TLV, SenML JSON, SenML CBOR,
// OMA JSON and LwM2M CBOR. Whatever a writer writes must read back, schema-aware, as the same
// records: same paths in the same order, same kinds, the same decoded bytes, floats bit for bit
// (any NaN matching any NaN: the CBOR writers write the canonical one), the same times where
// the format carries them. Writing the records read back gives the same bytes again.

#include <lwm2m/format/codec.hpp>
#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/model/value_bytes.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace lwm2m;
using format::content_format;
using format::record;

void check(bool ok) {
    if (!ok) std::abort();
}

constexpr content_format formats[] = {
    content_format::tlv,      content_format::senml_json, content_format::senml_cbor, content_format::oma_json,
    content_format::lwm2m_cbor, content_format::text,     content_format::opaque,
};
// What the records are written into: the sources, and single-value CBOR (Content-Format 60) — not
// a source, so that byte 0 of the corpus keeps choosing the same formats.
constexpr content_format targets[] = {
    content_format::tlv,      content_format::senml_json, content_format::senml_cbor, content_format::oma_json,
    content_format::lwm2m_cbor, content_format::text,     content_format::opaque,     content_format::cbor,
};

[[nodiscard]] bool carries_time(content_format f) {
    return f == content_format::senml_json || f == content_format::senml_cbor || f == content_format::oma_json;
}
[[nodiscard]] bool is_json(content_format f) { return f == content_format::senml_json || f == content_format::oma_json; }
[[nodiscard]] bool single_value(content_format f) {
    return f == content_format::text || f == content_format::opaque || f == content_format::cbor;
}

path at(std::uint16_t o) { return *path::make(o); }
path at(std::uint16_t o, std::uint16_t i) { return *path::make(o, i); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r) { return *path::make(o, i, r); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r, std::uint16_t ri) { return *path::make(o, i, r, ri); }

// Request paths over the shipped schemas: every level, single and multiple objects and resources,
// every data type (Device 3: strings, integers, time, objlnk 22; Server 1: unsigned, booleans;
// Security 0: opaque; Firmware 5: opaque 0; Location 6 and Temperature 3303: floats).
const path bases[] = {
    at(3),          at(3, 0),          at(3, 0, 0),      at(3, 0, 7),     at(3, 0, 7, 1),   at(3, 0, 13),
    at(3, 0, 22),   at(3, 0, 22, 300), at(1),            at(1, 0),        at(1, 0, 1),      at(1, 0, 16),
    at(0),          at(0, 1),          at(0, 1, 3),      at(2),           at(2, 0, 2),      at(2, 0, 2, 5),
    at(5, 0),       at(5, 0, 0),       at(6, 0),         at(6, 0, 0),     at(3303),         at(3303, 0),
    at(3303, 0, 5700), at(4, 0),       at(4, 0, 4),      at(4, 0, 4, 1),  at(3311, 2),      at(3341, 0),
    at(7, 0),       at(3331, 0),
};

const schema_registry* const schemas = &objects::registry;

bool read(content_format f, bytes_view payload, const path& base, std::vector<record>& out) {
    out.resize(512);
    const auto n = format::read_records(f, payload, base, schemas, out);
    if (!n) {
        check(n.error().offset <= payload.size());
        out.clear();
        return false;
    }
    out.resize(*n);
    return true;
}

/** The output window's buffer, shared (allocating 64 KiB per call halved the executions per second). */
std::span<std::byte> window_buffer() {
    static std::vector<std::byte> buf(1 << 16);
    return buf;
}

bool write(content_format f, std::span<const record> records, const path& base, std::vector<std::byte>& out) {
    const std::span<std::byte> buf = window_buffer();
    format::output_window w(buf);
    if (!format::write_records(f, records, base, w)) return false;
    const auto n = w.finish();
    check(n.has_value());  // 64 KiB is more than any input's records need
    out.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    return true;
}

std::string decoded(const value& v) {
    std::string s;
    check(for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); }).has_value());
    return s;
}

bool same_value(const value& a, const value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.is_bytes()) return decoded(a) == decoded(b);
    if (a.kind() == value_kind::float_) {
        if (std::isnan(a.as_float())) return std::isnan(b.as_float());
        return std::bit_cast<std::uint64_t>(a.as_float()) == std::bit_cast<std::uint64_t>(b.as_float());
    }
    return a == b;
}

bool same_records(const std::vector<record>& a, const std::vector<record>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].path != b[i].path || !same_value(a[i].value, b[i].value)) return false;
        if (a[i].time.has_value() != b[i].time.has_value()) return false;
        if (a[i].time && *a[i].time != *b[i].time) return false;
    }
    return true;
}

/** Paths unique and at value level, values typed, no time: every structured format carries it. */
bool plain(const std::vector<record>& records) {
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        if (r.path.depth() < 3 || r.time) return false;
        if (r.value.kind() == value_kind::none || r.value.kind() == value_kind::untyped) return false;
        if (i > 0 && !(records[i - 1].path < r.path)) return false;
        // A resource has one value or resource instances, not both.
        if (i > 0 && records[i - 1].path.is_prefix_of(r.path)) return false;
    }
    return true;
}

bool finite(const std::vector<record>& records) {
    for (const record& r : records)
        if (r.value.kind() == value_kind::float_ && !std::isfinite(r.value.as_float())) return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const content_format source = formats[data[0] % std::size(formats)];
    const path& base = bases[data[1] % std::size(bases)];
    const bytes_view payload{reinterpret_cast<const std::byte*>(data + 2), size - 2};

    std::vector<record> records;
    if (!read(source, payload, base, records)) return 0;
    // No value at a resource path (e.g. SenML "[]" for /3/0/0) is not a Read result any format must
    // carry: TLV writes it as an empty body, which its schema-aware reader rightly refuses for a
    // single resource (LwM2M 1.1 Core §7.4.3: the body is one Resource TLV).
    if (records.empty() && base.depth() >= 3) return 0;
    std::stable_sort(records.begin(), records.end(), [](const record& a, const record& b) { return a.path < b.path; });
    const bool is_plain = plain(records);
    // A `none` value (an empty Object Instance read from TLV) is written by the SenML writers as a
    // name-only record, the Read-Composite path list of 1.1 Core Table 7.4.4-6, which reads back
    // only in path-list mode: no SenML round trip for such sets.
    const bool has_none = std::any_of(records.begin(), records.end(),
                                      [](const record& r) { return r.value.kind() == value_kind::none; });
    auto path_list_form = [&](content_format f) {
        return has_none && (f == content_format::senml_json || f == content_format::senml_cbor);
    };

    std::vector<std::byte> first, second;
    std::vector<record> back, again;
    for (const content_format to : targets) {
        // Formats without a time get the records without one (what a server converting a SenML
        // notification to TLV does); the comparison is then with those records.
        std::vector<record> sent = records;
        if (!carries_time(to))
            for (record& r : sent) r.time.reset();
        if (path_list_form(to)) continue;
        const bool must = is_plain && !single_value(to) && (!is_json(to) || finite(sent));
        if (!write(to, sent, base, first)) {
            check(!must);
            continue;
        }
        check(read(to, first, base, back));
        check(same_records(sent, back));
        check(write(to, back, base, second));
        check(first == second);
        // And the converted payload converts back to the source format as the records.
        static std::vector<record> scratch(512);
        const std::span<std::byte> buf = window_buffer();
        format::output_window w(buf);
        if (!path_list_form(source) && format::convert(to, first, source, base, schemas, scratch, w)) {
            const auto n = w.finish();
            check(n.has_value());
            const std::vector<std::byte> converted(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
            check(read(source, converted, base, again));
            std::vector<record> expected = sent;
            if (!carries_time(source))
                for (record& r : expected) r.time.reset();
            check(same_records(expected, again));
        }
    }
    return 0;
}
