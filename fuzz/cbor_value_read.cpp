// libFuzzer target for the single-value CBOR reader and writer (application/cbor, Content-Format 60).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/cbor_value_read.cpp -o cbor_value_read
//   ./cbor_value_read fuzz/corpus/cbor_value_read
//
// Input: byte 0 selects the base path (index into `single_value_bases`: one resource of each
// data type, a resource instance, and paths the reader must refuse), the rest is the CBOR
// payload. The payload is read with and without schemas. Then (single_value_checks.hpp):
// - an error's offset lies inside the payload (or at its end), and errors are sticky;
// - a success is exactly one record at the base, without a time;
// - writing the record (cbor_value_size agrees with write_cbor_value, and a Block2 window with the
//   whole body) gives CBOR that reads back to the same record (strings and bytes compared decoded:
//   chunked ones come back definite), and writing that gives the same bytes.

#include <lwm2m/format/cbor_value.hpp>

#include "single_value_checks.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

namespace {

using namespace lwm2m;
using namespace lwm2m::fuzz;

std::vector<std::byte> write(const format::record& rec, const path& base) {
    return write_checked(
        [](auto records, const path& b, format::output_window& w) { return format::write_cbor_value(records, b, w); },
        [](auto records, const path& b) { return format::cbor_value_size(records, b); },
        std::span<const format::record>{&rec, 1}, base);
}

void round_trip(bytes_view payload, const path& base, const schema_registry* reg) {
    const auto rec = read_one<format::cbor_value_reader>(payload, base, reg);
    if (!rec) return;
    const auto body = write(*rec, base);
    const auto again = read_one<format::cbor_value_reader>(body, base, reg);
    check(again.has_value());
    // By decoded bytes: a chunked string (RFC 8949 §3.2.3) is read back definite, another encoding.
    check(again->path == rec->path && same_value(again->value, rec->value) && !again->time);
    check(write(*again, base) == body);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const path& base = single_value_bases[data[0] % std::size(single_value_bases)];
    const bytes_view payload{reinterpret_cast<const std::byte*>(data + 1), size - 1};
    round_trip(payload, base, nullptr);
    round_trip(payload, base, &everything_schemas);
    return 0;
}
