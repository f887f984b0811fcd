// libFuzzer target for the SenML JSON reader (RFC 8428 §5, LwM2M 1.1 Core §7.4.4).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/senml_json_read.cpp -o senml_json_read
//   ./senml_json_read fuzz/corpus/senml_json_read
//
// The input is decoded as a SenML JSON pack with base `/`, in values mode without and with a small
// local schema (every data type, single and multiple resources), and in path-list mode. Errors must
// carry an offset inside the input. On success the records are written again as SenML JSON and as
// SenML CBOR, decoded again the same way, and must come back equal (same paths, times, kinds and
// decoded bytes): the cross-format round trip. A Float that is NaN or infinite (possible only
// through CBOR) must make the JSON writer fail with number_out_of_range.

#include "senml_read_checks.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz(format::json, lwm2m::bytes_view{reinterpret_cast<const std::byte*>(data), size});
    return 0;
}
