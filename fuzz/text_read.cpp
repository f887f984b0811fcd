// libFuzzer target for the plain-text reader and writer (Content-Format 0).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/text_read.cpp -o text_read
//   ./text_read fuzz/corpus/text_read
//
// Input: byte 0 selects the base path (index into `single_value_bases`: one resource of each
// data type, a resource instance, and paths the reader must refuse), the rest is the text
// payload. The payload is read with and without schemas. Then (single_value_checks.hpp):
// - an error's offset lies inside the payload, and errors are sticky;
// - a success is exactly one record at the base, without a time; without a schema it is the
//   text itself;
// - writing the record (text_size agrees with write_text, and a Block2 window with the whole
//   body) gives text that reads back to the same record; with a schema the text is canonical,
//   so writing it again gives the same bytes.

#include <lwm2m/format/text.hpp>

#include "single_value_checks.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

namespace {

using namespace lwm2m;
using namespace lwm2m::fuzz;

std::vector<std::byte> write(const format::record& rec, const path& base) {
    return write_checked([](auto records, const path& b, format::output_window& w) { return format::write_text(records, b, w); },
                         [](auto records, const path& b) { return format::text_size(records, b); },
                         std::span<const format::record>{&rec, 1}, base);
}

void round_trip(bytes_view payload, const path& base, const schema_registry* reg) {
    const auto rec = read_one<format::text_reader>(payload, base, reg);
    if (!rec) return;
    if (reg == nullptr || reg->find(base.object_id()) == nullptr) {
        check(rec->value.kind() == value_kind::string);
        check(std::equal(payload.begin(), payload.end(), rec->value.encoded_bytes().begin(),
                         rec->value.encoded_bytes().end()));
    }
    const auto text = write(*rec, base);
    const auto again = read_one<format::text_reader>(text, base, reg);
    check(again.has_value());
    check(*again == *rec);
    if (reg != nullptr) check(write(*again, base) == text);
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
