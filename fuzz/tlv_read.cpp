// libFuzzer target for the LwM2M TLV reader and writer (Content-Format 11542).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/tlv_read.cpp -o tlv_read
//   ./tlv_read fuzz/corpus/tlv_read
//
// Input: byte 0 selects the base path (index into `bases`), the rest is the TLV payload.
// The payload is read twice, with and without schemas. Then:
// - an error's offset lies inside the payload (0 for errors of the base path);
// - every record lies under the base, at resource or resource-instance level (or instance level
//   with a none value at an object base), and no two records share a path (the reader rejects
//   duplicate ids; for payloads over 128 bytes its budget-limited check may let one through,
//   and such inputs stop here), so the sorted records are a valid writer input;
// - the bulk reader (`tlv::read_records`, into spans of every size up to one past the records,
//   or a few of them for long inputs) gives what the pull reader gives read into that span: the
//   same records, the end or the same error at the same offset, `capacity_exceeded` (offset =
//   the span's size) when the pull reader has more records than the span holds;
// - the sorted records encode (tlv_size agrees with write_tlv, a Block2 window agrees with the
//   whole body, the output is not longer than the input but for one header and the sign-safe
//   growth of unsigned values), and decoding that again gives the same records; the writer's
//   fast path writes what its general code writes.

#include <lwm2m/format/tlv.hpp>

#include "record_checks.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
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

constexpr auto acl = make_object(object_info{2, "Access Control", {1, 0}, multiplicity::multiple, {}, {}},
                                 res(0, data_type::integer), res(1, data_type::integer),
                                 res(2, data_type::integer, true), res(3, data_type::integer));

constexpr auto everything = make_object(
    object_info{9999, "Everything", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::integer), res(2, data_type::unsigned_integer), res(3, data_type::float_),
    res(4, data_type::boolean), res(5, data_type::opaque, false, value_range{true, 0, 16}), res(6, data_type::time),
    res(7, data_type::objlnk), res(8, data_type::corelnk), res(9, data_type::none),
    res(300, data_type::integer, true), res(301, data_type::string, true), res(302, data_type::float_, true),
    res(303, data_type::unsigned_integer, true), res(304, data_type::boolean, true));

constexpr object_view views[] = {device, acl, everything};
const schema_registry schemas{views};

path at(std::uint16_t o) { return *path::make(o); }
path at(std::uint16_t o, std::uint16_t i) { return *path::make(o, i); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r) { return *path::make(o, i, r); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r, std::uint16_t ri) { return *path::make(o, i, r, ri); }

const path bases[] = {
    at(3, 0), at(3), at(3, 0, 7), at(3, 0, 7, 1), at(3, 0, 0), at(2), at(2, 0, 2), at(2, 0, 2, 310),
    at(9999, 5), at(9999), at(9999, 5, 300), at(9999, 5, 300, 2), at(4, 0), path{}, at(9999, 5, 3), at(3, 0, 9),
};

using lwm2m::fuzz::decoded;

decoded read(bytes_view payload, const path& base, const schema_registry* reg) {
    return lwm2m::fuzz::read_all<format::tlv_reader>(payload, base, reg);
}

/** The whole body (its size and a Block2 window of it checked on the way). */
std::vector<std::byte> write(std::span<const format::record> records, const path& base) {
    return lwm2m::fuzz::write_checked(
        [](std::span<const format::record> rs, const path& b, format::output_window& w) { return format::write_tlv(rs, b, w); },
        [](std::span<const format::record> rs, const path& b) { return format::tlv_size(rs, b); }, records, base);
}

/** `tlv::read_records` into a span of `capacity` against the pull reader's `d` (see the file comment). */
void bulk_agrees(bytes_view payload, const path& base, const schema_registry* reg, const decoded& d,
                 std::size_t capacity) {
    std::vector<format::record> out(capacity);
    const auto r = format::tlv::read_records(payload, base, reg, out);
    const std::size_t k = d.records.size();
    if (k > capacity) {
        check(!r.has_value() && r.error().code == errc::capacity_exceeded && r.error().offset == capacity);
    } else if (d.ok) {
        check(r.has_value() && *r == k);
    } else {
        check(!r.has_value() && r.error() == d.err);
    }
    for (std::size_t i = 0; i < k && i < capacity; ++i) check(out[i] == d.records[i]);
}

void round_trip(bytes_view payload, const path& base, const schema_registry* reg) {
    decoded d = read(payload, base, reg);
    const std::size_t k = d.records.size();
    if (k <= 16) {
        for (std::size_t capacity = 0; capacity <= k + 1; ++capacity) bulk_agrees(payload, base, reg, d, capacity);
    } else {
        for (const std::size_t capacity : {std::size_t{0}, k / 2, k - 1, k, k + 1, payload.size()})
            bulk_agrees(payload, base, reg, d, capacity);
    }
    if (!d.ok) {
        check(d.err.offset <= payload.size());
        return;
    }
    for (const auto& r : d.records) {
        check(base.is_prefix_of(r.path));
        check(!r.time.has_value());
        if (r.path.level() == path_level::instance) {
            check(base.level() == path_level::object && r.value.kind() == value_kind::none);
        } else {
            check(r.path.depth() >= 3);
            if (reg == nullptr) check(r.value.kind() == value_kind::untyped || r.value.kind() == value_kind::none);
        }
    }
    std::stable_sort(d.records.begin(), d.records.end(),
                     [](const format::record& a, const format::record& b) { return a.path < b.path; });
    // The reader's duplicate check is complete while its scan budget (8 header reads per byte +
    // 1024) covers the worst case, n^2/2 reads for n <= size/2 entries: up to 128 bytes.
    for (std::size_t i = 1; i < d.records.size(); ++i) {
        if (d.records[i - 1].path == d.records[i].path) {
            check(payload.size() > 128);
            return;
        }
        check(d.records[i - 1].path < d.records[i].path);
    }

    const auto bytes = write(d.records, base);
#if LWM2M_TLV_FAST_PATH
    // write_tlv's fast path (base /O/I) against its general code alone: the same bytes.
    std::vector<std::byte> general(bytes.size());
    format::output_window w{general};
    check(format::detail::tlv_writer::write_checked(d.records, base, w).has_value());
    check(w.total() == bytes.size() && std::equal(bytes.begin(), bytes.end(), general.begin()));
#endif
    // Shortest forms never grow the payload, except a Multiple Resource header around bare
    // Resource Instance TLVs at /O/I/R, and unsigned values, which are written sign-safe
    // (`tlv::detail::unsigned_bits`: 0xF123 takes 4 bytes, not 2, so a signed reader reads it
    // right): at most 4 value bytes more, 1 more in its header and 1 in each of its 2 containers'.
    std::size_t unsigned_values = 0;
    for (const auto& r : d.records) unsigned_values += r.value.kind() == value_kind::unsigned_integer ? 1 : 0;
    check(bytes.size() <= payload.size() + format::tlv::max_header_size + 7 * unsigned_values);

    const decoded again = read(bytes, base, reg);
    check(again.ok);
    check(again.records == d.records);
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
