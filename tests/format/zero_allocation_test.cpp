// "Allocation: none" (HACKING.md, every format header): the content formats encode and decode
// the Device object instance /3/0 (the instance of bench/data/device-3-0.senml.json: 12
// resources, three of them multi-instance) without calling any global operator new, in every
// record format. The counter is tests/support/allocation_counter.{hpp,cpp}, shared by the whole
// test executable (the operator new replacements may exist only once per program).

#include "../support/allocation_counter.hpp"

#include <lwm2m/format/codec.hpp>
#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/path.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string_view>

namespace {

using lwm2m::bytes_view;
using lwm2m::path;
using lwm2m::format::content_format;
using lwm2m::format::output_window;
using lwm2m::format::record;
using lwm2m::test::allocation_scope;

// bench/data/device-3-0.senml.json, byte for byte.
constexpr std::string_view device_json =
    R"([{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1","vs":"Lightweight M2M Client"},)"
    R"({"n":"2","vs":"345000123"},{"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},)"
    R"({"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},)"
    R"({"n":"13","v":1700000000},{"n":"14","vs":"+01:00"},{"n":"16","vs":"U"}])";
constexpr std::size_t device_records = 14;

constexpr content_format record_formats[] = {content_format::tlv, content_format::senml_json,
                                             content_format::senml_cbor, content_format::lwm2m_cbor,
                                             content_format::oma_json};

/** What happened inside the counted region (no doctest assertion in there: doctest may allocate). */
struct outcome {
    std::size_t allocations = 0;
    bool decoded = false;      // the SenML JSON source read with the registry: 14 records
    bool encoded = false;      // written whole into the buffer
    bool read_back = false;    // the payload read back (reader of the format, registry) as the same records
    bool block_match = false;  // a Block2-style window of the body matches the whole body
    std::size_t size = 0;
};

/** Decode the Device instance, encode it as `format`, decode that: all on the stack, counted. */
outcome round_trip(content_format format) noexcept {
    outcome o;
    const path base = *path::make(3, 0);
    std::array<record, 20> records{};
    std::array<record, 20> back{};
    std::array<std::byte, 1024> buffer{};
    std::array<std::byte, 16> block{};

    const allocation_scope scope;
    const auto n = lwm2m::format::read_records(content_format::senml_json, lwm2m::as_bytes(device_json), base,
                                               &lwm2m::objects::registry, records);
    o.decoded = n && *n == device_records;
    if (o.decoded) {
        const std::span<const record> in{records.data(), *n};
        output_window out{buffer};
        const auto written = lwm2m::format::write_records(format, in, base, out);
        const auto size = out.finish();
        o.encoded = written && size;
        if (o.encoded) {
            o.size = *size;
            const bytes_view payload{buffer.data(), *size};
            const auto m = lwm2m::format::read_records(format, payload, base, &lwm2m::objects::registry, back);
            o.read_back = m && *m == in.size();
            for (std::size_t i = 0; o.read_back && i < in.size(); ++i) o.read_back = back[i] == in[i];

            // The second 16-byte block, as the exchange layer produces Block2 bodies.
            output_window window{block, block.size()};
            o.block_match = lwm2m::format::write_records(format, in, base, window).has_value() &&
                            window.total() == *size && window.written() == block.size();
            for (std::size_t i = 0; o.block_match && i < block.size(); ++i)
                o.block_match = block[i] == buffer[block.size() + i];
        }
    }
    o.allocations = scope.count();
    return o;
}

template <class T>
void escape(T* p) noexcept {
    // The pointer leaves through an asm statement, so the allocation cannot be elided.
    asm volatile("" : : "r"(p) : "memory");
}

struct alignas(64) over_aligned {
    std::byte bytes[64];
};

} // namespace

TEST_CASE("allocation counter: every global operator new form is counted") {
    const allocation_scope plain;
    int* one = new int(7);
    escape(one);
    const std::size_t after_one = plain.count();
    delete one;
    CHECK(after_one == 1);

    const allocation_scope array;
    int* many = new int[4]{};
    escape(many);
    const std::size_t after_array = array.count();
    delete[] many;
    CHECK(after_array == 1);

    const allocation_scope nothrow;
    int* maybe = new (std::nothrow) int(3);
    escape(maybe);
    const std::size_t after_nothrow = nothrow.count();
    delete maybe;
    CHECK(after_nothrow == 1);

    const allocation_scope aligned;
    over_aligned* big = new over_aligned{};
    escape(big);
    const std::size_t after_aligned = aligned.count();
    const bool is_aligned = reinterpret_cast<std::uintptr_t>(big) % alignof(over_aligned) == 0;
    delete big;
    CHECK(after_aligned == 1);
    CHECK(is_aligned);

    const allocation_scope none;
    const std::size_t after_none = none.count();
    CHECK(after_none == 0);
}

TEST_CASE("Device /3/0: encode + decode allocates nothing, in every record format") {
    for (const content_format format : record_formats) {
        const outcome o = round_trip(format);
        INFO("format: ", lwm2m::format::name(format));
        CHECK(o.decoded);
        CHECK(o.encoded);
        CHECK(o.read_back);
        CHECK(o.block_match);
        CHECK(o.allocations == 0);
    }
}

TEST_CASE("Device /3/0: the encoded sizes of the reference implementations") {
    // Same sizes as Eclipse Wakaama on this instance (shared bench data README): the round trip
    // above encodes the whole instance, not a subset.
    CHECK(round_trip(content_format::tlv).size == 112);
    CHECK(round_trip(content_format::senml_json).size == 344);
    CHECK(round_trip(content_format::senml_cbor).size == 177);
}
