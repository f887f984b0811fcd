// libFuzzer target for the LwM2M CBOR reader and writer (Content-Format 11544).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/lwm2m_cbor_read.cpp -o lwm2m_cbor_read
//   ./lwm2m_cbor_read fuzz/corpus/lwm2m_cbor_read
//
// Input: byte 0 selects the base path (index into `bases`), the rest is the CBOR payload.
// The payload is read twice, with and without schemas. Then:
// - errors are sticky and their offset lies inside the payload (or at its end);
// - every record lies under the base at resource or resource-instance level, without a time;
// - when the sorted records form a tree (no path twice, none under another), they encode
//   (lwm2m_cbor_size agrees with write_lwm2m_cbor, a Block2 window agrees with the whole body),
//   decoding that gives the same records, and encoding those gives the same bytes.

#include <lwm2m/format/lwm2m_cbor.hpp>

#include "record_checks.hpp"

#include <algorithm>
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

constexpr auto everything = make_object(
    object_info{13, "Everything", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::integer), res(2, data_type::unsigned_integer), res(3, data_type::float_),
    res(4, data_type::boolean), res(5, data_type::opaque, false, value_range{true, 0, 16}), res(6, data_type::time),
    res(7, data_type::objlnk), res(8, data_type::corelnk), res(9, data_type::none),
    res(10, data_type::string, true), res(11, data_type::integer, true), res(13, data_type::float_, true),
    res(15, data_type::opaque, true), res(17, data_type::objlnk, true), res(26, data_type::integer, true));

constexpr object_view views[] = {device, everything};
const schema_registry schemas{views};

path at(std::uint16_t o) { return *path::make(o); }
path at(std::uint16_t o, std::uint16_t i) { return *path::make(o, i); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r) { return *path::make(o, i, r); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r, std::uint16_t ri) { return *path::make(o, i, r, ri); }

const path bases[] = {
    path{}, at(3, 0), at(3), at(3, 0, 7), at(3, 0, 7, 1), at(13), at(13, 26), at(13, 26, 1), at(13, 26, 1, 2), at(3, 0, 9),
};

using lwm2m::fuzz::decoded;
using lwm2m::fuzz::same_value;

decoded read(bytes_view payload, const path& base, const schema_registry* reg) {
    return lwm2m::fuzz::read_all<format::lwm2m_cbor_reader>(payload, base, reg);
}

/** The whole body (its size and a Block2 window of it checked on the way). */
std::vector<std::byte> write(std::span<const format::record> records, const path& base) {
    return lwm2m::fuzz::write_checked(
        [](std::span<const format::record> rs, const path& b, format::output_window& w) { return format::write_lwm2m_cbor(rs, b, w); },
        [](std::span<const format::record> rs, const path& b) { return format::lwm2m_cbor_size(rs, b); }, records, base);
}

void round_trip(bytes_view payload, const path& base, const schema_registry* reg) {
    decoded d = read(payload, base, reg);
    if (!d.ok) {
        check(d.err.offset <= payload.size());
        return;
    }
    for (const auto& r : d.records) {
        check(base.is_prefix_of(r.path) && r.path.has_resource());
        check(!r.time.has_value());
        check(r.value.kind() != value_kind::untyped);
    }
    std::stable_sort(d.records.begin(), d.records.end(),
                     [](const format::record& a, const format::record& b) { return a.path < b.path; });
    for (std::size_t i = 1; i < d.records.size(); ++i)
        if (d.records[i - 1].path.is_prefix_of(d.records[i].path)) return;  // not a tree: nothing to write

    const auto bytes = write(d.records, base);
    const decoded again = read(bytes, base, reg);
    check(again.ok);
    check(again.records.size() == d.records.size());
    for (std::size_t i = 0; i < d.records.size(); ++i) {
        check(again.records[i].path == d.records[i].path);
        check(same_value(again.records[i].value, d.records[i].value));
    }
    check(write(again.records, base) == bytes);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const path& base = bases[data[0] % std::size(bases)];
    const bytes_view payload{reinterpret_cast<const std::byte*>(data + 1), size - 1};
    round_trip(payload, base, nullptr);
    round_trip(payload, base, &schemas);
    return 0;
}
