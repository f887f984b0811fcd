// Content-format benchmarks on the Device object instance /3/0 (bench/data/device-3-0.senml.json,
// 14 records: 12 resources, three of them multi-instance), the payload the Eclipse Wakaama anchors
// of the shared bench data were measured on.
//
// At start-up the SenML JSON file is decoded once, with the schema registry (so values are typed:
// Time for /3/0/13, integers, strings), into records; each format then encodes those records into
// its reference payload, which must read back as the same records. Per format:
//   format_encode/<format>  write_records(format, records, /3/0) into a 1 KiB output_window;
//   format_decode/<format>  the format's reader with lwm2m::objects::registry over the reference
//                           payload, every record read and handed whole to DoNotOptimize (pull API);
//   format_read/<format>    read_records(format, payload, /3/0, registry) into a span of 64 records,
//                           then every record handed whole to DoNotOptimize (bulk API).
// Formats: tlv, senml-json, senml-cbor, lwm2m-cbor, and oma-json (extra). Reported: bytes/s (of the
// encoded payload), records/s, and the counters `bytes` (encoded size) and `records`.
// For instruction counts (stable on a noisy machine) use bench/format_callgrind.sh.
//
// Linked with benchmark::benchmark_main: no BENCHMARK_MAIN() here.

#include "bench_data.hpp"

#include <lwm2m/format/codec.hpp>
#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/path.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace lwm2m;
using namespace lwm2m::format;

struct format_info {
    std::string_view name;
    content_format format;
};

constexpr format_info formats[] = {
    {"tlv", content_format::tlv},
    {"senml-json", content_format::senml_json},
    {"senml-cbor", content_format::senml_cbor},
    {"lwm2m-cbor", content_format::lwm2m_cbor},
    {"oma-json", content_format::oma_json},
};

const path device_base = *path::make(3, 0);

/**
 * Reads every record of `payload` with Reader, each one handed to DoNotOptimize whole (so its
 * path, value and time must be computed) and its value's kind read. Returns the number of
 * records, or 0 on error (the reference payloads are never empty).
 */
template <class Reader>
std::size_t decode_with(bytes_view payload) noexcept {
    Reader reader{payload, device_base, &objects::registry};
    std::size_t count = 0;
    for (;;) {
        auto r = reader.next();
        if (!r) return 0;
        if (!*r) return count;
        benchmark::DoNotOptimize(**r);
        benchmark::DoNotOptimize((*r)->value.kind());
        ++count;
    }
}

std::size_t decode(content_format f, bytes_view payload) noexcept {
    switch (f) {
    case content_format::tlv: return decode_with<tlv_reader>(payload);
    case content_format::senml_json: return decode_with<senml_json_reader>(payload);
    case content_format::senml_cbor: return decode_with<senml_cbor_reader>(payload);
    case content_format::lwm2m_cbor: return decode_with<lwm2m_cbor_reader>(payload);
    case content_format::oma_json: return decode_with<oma_json_reader>(payload);
    default: return 0;
    }
}

/** read_records into `out`, every record read handed to DoNotOptimize: their number, or 0 on error. */
std::size_t read(content_format f, bytes_view payload, std::span<record> out) noexcept {
    const auto n = read_records(f, payload, device_base, &objects::registry, out);
    if (!n) return 0;
    for (std::size_t i = 0; i < *n; ++i) {
        benchmark::DoNotOptimize(out[i]);
        benchmark::DoNotOptimize(out[i].value.kind());
    }
    return *n;
}

/** Encodes `records` into `buffer`: the size, or 0 on error (or when 1 KiB is not enough). */
std::size_t encode(content_format f, std::span<const record> records, std::span<std::byte> buffer) noexcept {
    output_window out{buffer};
    if (!write_records(f, records, device_base, out)) return 0;
    const auto n = out.finish();
    return n ? *n : 0;
}

// ---- the reference data (loaded once, before any benchmark runs) -------------------------------

struct reference {
    std::string json;                                                // the records' strings view this text
    std::vector<record> records;                                     // Device /3/0, typed with the registry
    std::array<std::vector<std::byte>, std::size(formats)> payloads; // the records in each format
};

const reference& device_reference() {
    static const reference ref = [] {
        reference r;
        r.json = bench::read_text_file("device-3-0.senml.json");
        r.records.resize(64);
        const auto n = read_records(content_format::senml_json, as_bytes(std::string_view{r.json}), device_base,
                                    &objects::registry, r.records);
        if (!n || *n == 0) bench::fatal("cannot decode device-3-0.senml.json as SenML JSON with the registry");
        r.records.resize(*n);
        std::array<std::byte, 1024> buffer{};
        for (std::size_t i = 0; i < std::size(formats); ++i) {
            const std::string name{formats[i].name};
            const std::size_t size = encode(formats[i].format, r.records, buffer);
            if (size == 0) bench::fatal("encoding the Device instance as " + name + " failed or needs more than 1 KiB");
            r.payloads[i].assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size));
            std::vector<record> back(r.records.size() + 1);
            const auto m = read_records(formats[i].format, r.payloads[i], device_base, &objects::registry, back);
            if (!m || *m != r.records.size()) bench::fatal("the " + name + " payload does not read back");
            for (std::size_t k = 0; k < *m; ++k)
                if (!(back[k] == r.records[k])) bench::fatal("a record of the " + name + " payload reads back differently");
        }
        return r;
    }();
    return ref;
}

void set_counters(benchmark::State& state, std::size_t payload_size, std::size_t records) {
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(payload_size));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(records));
    state.counters["bytes"] = static_cast<double>(payload_size);
    state.counters["records"] = static_cast<double>(records);
}

// ---- the benchmarks -------------------------------------------------------------------------------

void bm_encode(benchmark::State& state, std::size_t index) {
    const reference& ref = device_reference();
    const content_format f = formats[index].format;
    std::array<std::byte, 1024> buffer{};
    std::size_t size = 0;
    for (auto _ : state) {
        std::span<const record> records = ref.records;
        benchmark::DoNotOptimize(records);
        size = encode(f, records, buffer);
        benchmark::DoNotOptimize(size);
        benchmark::ClobberMemory();
    }
    if (size != ref.payloads[index].size()) state.SkipWithError("encoded size differs from the reference payload");
    set_counters(state, ref.payloads[index].size(), ref.records.size());
}

void bm_decode(benchmark::State& state, std::size_t index) {
    const reference& ref = device_reference();
    const content_format f = formats[index].format;
    std::size_t count = 0;
    for (auto _ : state) {
        bytes_view payload = ref.payloads[index];
        benchmark::DoNotOptimize(payload);
        count = decode(f, payload);
        benchmark::DoNotOptimize(count);
    }
    if (count != ref.records.size()) state.SkipWithError("decoding the reference payload failed");
    set_counters(state, ref.payloads[index].size(), ref.records.size());
}

void bm_read(benchmark::State& state, std::size_t index) {
    const reference& ref = device_reference();
    const content_format f = formats[index].format;
    std::array<record, 64> out{};
    std::size_t count = 0;
    for (auto _ : state) {
        bytes_view payload = ref.payloads[index];
        benchmark::DoNotOptimize(payload);
        count = read(f, payload, out);
        benchmark::DoNotOptimize(count);
    }
    if (count != ref.records.size()) state.SkipWithError("reading the reference payload failed");
    set_counters(state, ref.payloads[index].size(), ref.records.size());
}

[[maybe_unused]] const bool registered = [] {
    (void)device_reference();  // a missing or bad data file fails before any measurement
    for (std::size_t i = 0; i < std::size(formats); ++i) {
        const std::string name{formats[i].name};
        benchmark::RegisterBenchmark(("format_encode/" + name).c_str(), bm_encode, i);
        benchmark::RegisterBenchmark(("format_decode/" + name).c_str(), bm_decode, i);
        benchmark::RegisterBenchmark(("format_read/" + name).c_str(), bm_read, i);
    }
    return true;
}();

} // namespace
