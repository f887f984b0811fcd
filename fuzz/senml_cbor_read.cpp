// libFuzzer target for the SenML CBOR reader (RFC 8428 §6, LwM2M 1.1 Core §7.4.5).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/senml_cbor_read.cpp -o senml_cbor_read
//   ./senml_cbor_read fuzz/corpus/senml_cbor_read
//
// The input is decoded as a SenML CBOR pack with base `/`, in values mode without and with a small
// local schema (every data type, single and multiple resources), and in path-list mode. Errors must
// carry an offset inside the input. On success the records are written again as SenML CBOR and as
// SenML JSON, decoded again the same way, and must come back equal (same paths, times, kinds and
// decoded bytes): the cross-format round trip. A Float that is NaN or infinite (CBOR carries
// them) must make the JSON writer fail with number_out_of_range.

#include "senml_read_checks.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz(format::cbor, lwm2m::bytes_view{reinterpret_cast<const std::byte*>(data), size});
    return 0;
}
