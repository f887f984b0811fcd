// libFuzzer target for the LwM2M 1.0 JSON reader and writer (Content-Format 11543).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/oma_json_read.cpp -o oma_json_read
//   ./oma_json_read fuzz/corpus/oma_json_read
//
// Input: byte 0 selects the base path (index into `bases`), the rest is the JSON payload.
// The payload is read twice, with and without schemas. Then:
// - errors are sticky and their offset lies inside the payload (or at its end);
// - every record lies under the base at resource or resource-instance level, with a finite time;
// - the records encode (oma_json_size agrees with write_oma_json, a Block2 window agrees with the
//   whole body), decoding that again gives the same records, and encoding those the same bytes.
// - with schemas, read_resource_instance_zero_as_resource (the server's Wakaama quirk) changes
//   nothing a plain read accepts; what it accepts besides is written and read back plainly.

#include <lwm2m/format/oma_json.hpp>

#include "record_checks.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>
#include "../tests/support/test_schema.hpp"

namespace {

using namespace lwm2m;

using lwm2m::fuzz::check;

using lwm2m::test::res;

constexpr auto device = make_object(
    object_info{3, "Device", {1, 0}, multiplicity::single, presence::mandatory, {}}, res(0, data_type::string),
    res(1, data_type::string), res(2, data_type::string), res(3, data_type::string), res(4, data_type::none),
    res(6, data_type::integer, true, value_range{true, 0, 7}), res(7, data_type::integer, true),
    res(8, data_type::integer, true), res(9, data_type::integer, false, value_range{true, 0, 100}),
    res(10, data_type::integer), res(11, data_type::integer, true), res(13, data_type::time),
    res(14, data_type::string), res(16, data_type::string), res(22, data_type::objlnk, true));

constexpr auto service = make_object(object_info{66, "Service", {1, 0}, multiplicity::multiple, {}, {}},
                                     res(0, data_type::string), res(1, data_type::string), res(2, data_type::objlnk));

constexpr auto everything = make_object(
    object_info{9000, "Everything", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::integer), res(2, data_type::unsigned_integer), res(3, data_type::float_),
    res(4, data_type::boolean), res(5, data_type::opaque, false, value_range{true, 0, 16}), res(6, data_type::time),
    res(7, data_type::objlnk), res(8, data_type::corelnk), res(9, data_type::none),
    res(10, data_type::string, true), res(11, data_type::integer, true), res(13, data_type::float_, true),
    res(15, data_type::opaque, true), res(17, data_type::objlnk, true));

constexpr object_view views[] = {device, service, everything};
const schema_registry schemas{views};

path at(std::uint16_t o) { return *path::make(o); }
path at(std::uint16_t o, std::uint16_t i) { return *path::make(o, i); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r) { return *path::make(o, i, r); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r, std::uint16_t ri) { return *path::make(o, i, r, ri); }

const path bases[] = {
    at(3, 0), at(3), path{}, at(3, 0, 7), at(3, 0, 7, 1), at(9000, 1), at(9000), at(3303, 0, 5700),
    at(66), at(3, 0, 13), at(9000, 1, 5), at(9000, 1, 15),
};

using lwm2m::fuzz::decoded;
using lwm2m::fuzz::same_value;

decoded read(bytes_view payload, const path& base, const schema_registry* reg) {
    return lwm2m::fuzz::read_all<format::oma_json_reader>(payload, base, reg);
}

/** The whole body (its size and a Block2 window of it checked on the way). */
std::vector<std::byte> write(std::span<const format::record> records, const path& base) {
    return lwm2m::fuzz::write_checked(
        [](std::span<const format::record> rs, const path& b, format::output_window& w) { return format::write_oma_json(rs, b, w); },
        [](std::span<const format::record> rs, const path& b) { return format::oma_json_size(rs, b); }, records, base);
}

void round_trip(bytes_view payload, const path& base, const schema_registry* reg) {
    const decoded d = read(payload, base, reg);
    if (!d.ok) {
        check(d.err.offset <= payload.size());
        return;
    }
    for (const auto& r : d.records) {
        check(base.is_prefix_of(r.path) && r.path.has_resource());
        check(!r.time || std::isfinite(*r.time));
        check(r.value.kind() != value_kind::none && r.value.kind() != value_kind::untyped);
    }
    const auto bytes = write(d.records, base);

    const decoded again = read(bytes, base, reg);
    check(again.ok);
    check(again.records.size() == d.records.size());
    for (std::size_t i = 0; i < d.records.size(); ++i) {
        check(again.records[i].path == d.records[i].path);
        check(again.records[i].time == d.records[i].time);
        check(same_value(again.records[i].value, d.records[i].value));
    }
    check(write(again.records, base) == bytes);
}

/** The records of `payload` read with read_resource_instance_zero_as_resource. */
decoded read_quirk(bytes_view payload, const path& base) {
    format::oma_json_reader reader{payload, base, &schemas};
    reader.read_resource_instance_zero_as_resource();
    decoded out;
    for (;;) {
        auto r = reader.next();
        if (!r) {
            out.ok = false;
            out.err = r.error();
            return out;
        }
        if (!*r) return out;
        out.records.push_back(**r);
    }
}

void quirk(bytes_view payload, const path& base) {
    const decoded plain = read(payload, base, &schemas);
    const decoded q = read_quirk(payload, base);
    if (plain.ok) {
        check(q.ok && q.records.size() == plain.records.size());
        for (std::size_t i = 0; i < q.records.size(); ++i) {
            check(q.records[i].path == plain.records[i].path);
            check(same_value(q.records[i].value, plain.records[i].value));
        }
        return;
    }
    if (!q.ok) return;
    const auto bytes = write(q.records, base);  // the records read back view it
    const decoded again = read(bytes, base, &schemas);
    check(again.ok && again.records.size() == q.records.size());
    for (std::size_t i = 0; i < q.records.size(); ++i) {
        check(again.records[i].path == q.records[i].path);
        check(same_value(again.records[i].value, q.records[i].value));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const path& base = bases[data[0] % std::size(bases)];
    const bytes_view payload{reinterpret_cast<const std::byte*>(data + 1), size - 1};
    round_trip(payload, base, nullptr);
    round_trip(payload, base, &schemas);
    quirk(payload, base);
    return 0;
}
