// libFuzzer target for the single-value CBOR reader and writer (application/cbor, Content-Format 60).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/cbor_value_read.cpp -o cbor_value_read
//   ./cbor_value_read fuzz/corpus/cbor_value_read
//
// Input: byte 0 selects the base path (index into `bases`: one resource of each data type, a
// resource instance, and paths the reader must refuse), the rest is the CBOR payload.
// The payload is read with and without schemas. Then:
// - an error's offset lies inside the payload (or at its end), and errors are sticky;
// - a success is exactly one record at the base, without a time;
// - writing the record (cbor_value_size agrees with write_cbor_value, and a Block2 window with the
//   whole body) gives CBOR that reads back to the same record, and writing that gives the same bytes.

#include <lwm2m/format/cbor_value.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>
#include "../tests/support/test_schema.hpp"

namespace {

using namespace lwm2m;

void check(bool ok) {
    if (!ok) std::abort();
}

using lwm2m::test::res;

constexpr auto everything = make_object(
    object_info{9999, "Everything", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::integer), res(2, data_type::unsigned_integer), res(3, data_type::float_),
    res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::time), res(7, data_type::objlnk),
    res(8, data_type::corelnk), res(9, data_type::none), res(10, data_type::integer, false, value_range{true, 0, 100}),
    res(11, data_type::opaque, false, value_range{true, 0, 4}), res(300, data_type::float_, true),
    res(301, data_type::string, true));

constexpr object_view views[] = {everything};
const schema_registry schemas{views};

path at(std::uint16_t o, std::uint16_t i) { return *path::make(o, i); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r) { return *path::make(o, i, r); }
path at(std::uint16_t o, std::uint16_t i, std::uint16_t r, std::uint16_t ri) { return *path::make(o, i, r, ri); }

const path bases[] = {
    at(9999, 0, 0),   at(9999, 0, 1),      at(9999, 0, 2),      at(9999, 0, 3), at(9999, 0, 4),
    at(9999, 0, 5),   at(9999, 0, 6),      at(9999, 0, 7),      at(9999, 0, 8), at(9999, 0, 9),
    at(9999, 0, 10),  at(9999, 0, 11),     at(9999, 0, 300, 1), at(9999, 0, 301, 65534),
    at(9999, 0, 300), at(9999, 0, 1, 0),   at(9999, 0, 99),     at(4, 0, 1),    at(9999, 0),
};

std::optional<format::record> read(bytes_view payload, const path& base, const schema_registry* reg) {
    format::cbor_value_reader reader(payload, base, reg);
    auto r = reader.next();
    if (!r) {
        check(r.error().offset <= payload.size());
        auto again = reader.next();
        check(!again.has_value() && again.error() == r.error());
        return std::nullopt;
    }
    check(r->has_value());
    check(reader.next().has_value() && !reader.next()->has_value());
    return **r;
}

std::vector<std::byte> write(const format::record& rec, const path& base) {
    const auto size = format::cbor_value_size({&rec, 1}, base);
    check(size.has_value());
    std::vector<std::byte> out(*size);
    format::output_window w(out);
    check(format::write_cbor_value({&rec, 1}, base, w).has_value());
    check(w.finish().has_value() && *w.finish() == *size);
    // A window of the body (a Block2 block) holds the matching slice.
    if (out.size() > 4) {
        const std::size_t skip = out.size() / 3;
        std::vector<std::byte> block(4);
        format::output_window b(block, skip);
        check(format::write_cbor_value({&rec, 1}, base, b).has_value());
        check(std::equal(block.begin(), block.end(), out.begin() + static_cast<std::ptrdiff_t>(skip)));
    }
    return out;
}

void round_trip(bytes_view payload, const path& base, const schema_registry* reg) {
    const auto rec = read(payload, base, reg);
    if (!rec) return;
    check(rec->path == base);
    check(!rec->time.has_value());
    const auto body = write(*rec, base);
    const auto again = read(body, base, reg);
    check(again.has_value());
    check(*again == *rec);
    check(write(*again, base) == body);
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
