// Standalone driver for instruction counting of the content formats (bench/format_callgrind.sh):
// runs ONE operation N times on the Device object instance /3/0 of bench/data, with no
// benchmark framework around it.
//
//   format_callgrind_driver <encode|decode|read> <format> <N>
//   format_callgrind_driver --list     the formats, one a line
//   format_callgrind_driver --sizes    "<format> <encoded size in bytes>", one a line
//
// format: tlv | senml-json | senml-cbor | lwm2m-cbor | oma-json
//         and, for decode and read only, api-floor: the 14 records handed out by a reader that
//         parses nothing (decode), or copied into the span (read): the cost of the API and this
//         harness, no format can decode for less
//
// At start-up (in every run, so it cancels out): bench/data/device-3-0.senml.json is decoded
// with the schema registry into 14 typed records, which every format then encodes once into
// its reference payload; each payload is decoded back and must give the same records.
//   encode: write_records(format, records, /3/0) into a 1 KiB output_window;
//   decode: the format's reader with lwm2m::objects::registry over the reference payload,
//           every record read and consumed whole (see `touch`): the pull API;
//   read:   format::read_records (the bulk API) of the reference payload, with the registry,
//           into a fixed array of 64 records, then every record read consumed whole as above.
// Instructions per operation = (I(N = 1001) - I(N = 1)) / 1000: everything outside the loop
// (start-up, loading the data, the first-call costs of the dynamic linker) cancels out.
// Each call goes through a function the optimiser may not look into or hoist out of the loop.

#include "bench_data.hpp"

#include <lwm2m/format/codec.hpp>
#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/path.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#if defined(__clang__)
#define LWM2M_OPAQUE __attribute__((noinline))
#else
#define LWM2M_OPAQUE __attribute__((noipa))
#endif

namespace {

using namespace lwm2m;
using namespace lwm2m::format;

template <class T>
inline void keep(T& v) noexcept {
    asm volatile("" : "+r,m"(v) : : "memory");
}

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

// ---- the operations -----------------------------------------------------------------------------

/**
 * Consumes a record the way a caller of the reader would: the asm statement reads the whole
 * record from memory, so every field of it (path, value, time) must have been computed and
 * stored, and the value's kind is read. Unlike a "memory" clobber it does not force the
 * reader's own state out of registers, so the count is the reader's work, not the harness's.
 */
inline std::uint64_t touch(const record& r) noexcept {
    asm volatile("" : : "m"(r));
    return static_cast<std::uint64_t>(r.value.kind());
}

/** Reads every record of `payload` with Reader; 0 on any error (a successful run is never 0). */
template <class Reader>
inline std::uint64_t decode_with(bytes_view payload) noexcept {
    Reader reader{payload, device_base, &objects::registry};
    std::uint64_t h = 1;
    for (;;) {
        auto r = reader.next();
        if (!r) return 0;
        if (!*r) return h;
        h += touch(**r);
    }
}

/**
 * The floor of the pull API: a "reader" that hands out the ready records one by one, with the
 * same `result<std::optional<record>> next()` as the format readers but no parsing at all.
 */
std::span<const record> ready_records;
class ready_reader {
public:
    ready_reader(bytes_view, const path&, const schema_registry*) noexcept {}
    [[nodiscard]] result<std::optional<record>> next() noexcept {
        if (i_ == ready_records.size()) return std::optional<record>{};
        return std::optional<record>{ready_records[i_++]};
    }

private:
    std::size_t i_ = 0;
};

LWM2M_OPAQUE std::uint64_t op_decode_floor(bytes_view payload) { return decode_with<ready_reader>(payload); }

LWM2M_OPAQUE std::uint64_t op_decode(content_format f, bytes_view payload) {
    switch (f) {
    case content_format::tlv: return decode_with<tlv_reader>(payload);
    case content_format::senml_json: return decode_with<senml_json_reader>(payload);
    case content_format::senml_cbor: return decode_with<senml_cbor_reader>(payload);
    case content_format::lwm2m_cbor: return decode_with<lwm2m_cbor_reader>(payload);
    case content_format::oma_json: return decode_with<oma_json_reader>(payload);
    default: return 0;
    }
}

/** Where `read` puts the records (room for 64). */
std::array<record, 64> read_buffer{};

/** Consumes the first `n` records of read_buffer; 1 + their kinds (a successful run is never 0). */
inline std::uint64_t touch_read(std::size_t n) noexcept {
    std::uint64_t h = 1;
    for (std::size_t i = 0; i < n; ++i) h += touch(read_buffer[i]);
    return h;
}

/** format::read_records into read_buffer, every record consumed; 0 on any error. */
LWM2M_OPAQUE std::uint64_t op_read(content_format f, bytes_view payload) {
    const auto n = read_records(f, payload, device_base, &objects::registry, read_buffer);
    return n ? touch_read(*n) : 0;
}

/** The floor of the bulk API: the ready records copied into read_buffer, no parsing. */
LWM2M_OPAQUE std::uint64_t op_read_floor(bytes_view) {
    const std::size_t n = ready_records.size();
    for (std::size_t i = 0; i < n; ++i) read_buffer[i] = ready_records[i];
    return touch_read(n);
}

std::array<std::byte, 1024> out_buffer{};

/** Encodes `records` into out_buffer; the size, or 0 on error. */
LWM2M_OPAQUE std::size_t op_encode(content_format f, std::span<const record> records) {
    output_window out{out_buffer};
    if (!write_records(f, records, device_base, out)) return 0;
    const auto n = out.finish();
    return n ? *n : 0;
}

// ---- the reference data -------------------------------------------------------------------------

[[noreturn]] void fatal(const char* what, std::string_view format) {
    std::fprintf(stderr, "format_callgrind_driver: %s (%.*s)\n", what, static_cast<int>(format.size()), format.data());
    std::exit(2);
}

struct reference {
    std::string json;                               // the records' strings view this text
    std::vector<record> records;                    // Device /3/0, typed with the registry
    std::array<std::vector<std::byte>, std::size(formats)> payloads;  // records encoded in each format
};

reference load_reference() {
    reference ref;
    ref.json = bench::read_text_file("device-3-0.senml.json");
    ref.records.resize(64);
    const auto n = read_records(content_format::senml_json, as_bytes(std::string_view{ref.json}), device_base,
                                &objects::registry, ref.records);
    if (!n || *n == 0) fatal("cannot decode bench/data/device-3-0.senml.json", "senml-json");
    ref.records.resize(*n);
    for (std::size_t i = 0; i < std::size(formats); ++i) {
        const format_info& f = formats[i];
        const std::size_t size = op_encode(f.format, ref.records);
        if (size == 0) fatal("encoding failed or exceeds 1 KiB", f.name);
        ref.payloads[i].assign(out_buffer.begin(), out_buffer.begin() + static_cast<std::ptrdiff_t>(size));
        // The payload must read back as the same records.
        std::vector<record> back(ref.records.size() + 1);
        const auto m = read_records(f.format, ref.payloads[i], device_base, &objects::registry, back);
        if (!m || *m != ref.records.size()) fatal("the payload does not read back", f.name);
        for (std::size_t k = 0; k < *m; ++k)
            if (!(back[k] == ref.records[k])) fatal("a record reads back differently", f.name);
    }
    return ref;
}

int usage() {
    std::fprintf(stderr, "usage: format_callgrind_driver <encode|decode|read> <format> <N>\n"
                         "       format_callgrind_driver --list | --sizes\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::string_view{argv[1]} == "--list") {
        for (const format_info& f : formats) std::printf("%.*s\n", static_cast<int>(f.name.size()), f.name.data());
        return 0;
    }
    const reference ref = load_reference();
    if (argc == 2 && std::string_view{argv[1]} == "--sizes") {
        for (std::size_t i = 0; i < std::size(formats); ++i)
            std::printf("%.*s %zu\n", static_cast<int>(formats[i].name.size()), formats[i].name.data(),
                        ref.payloads[i].size());
        return 0;
    }
    if (argc != 4) return usage();
    const std::string_view op = argv[1];
    const std::string_view name = argv[2];
    const long n = std::strtol(argv[3], nullptr, 10);
    if (n < 0) return usage();

    std::uint64_t sink = 0;
    if ((op == "decode" || op == "read") && name == "api-floor") {
        ready_records = ref.records;
        bytes_view payload{};
        if (op == "decode") {
            for (long i = 0; i < n; ++i) { keep(payload); sink += op_decode_floor(payload); }
        } else {
            for (long i = 0; i < n; ++i) { keep(payload); sink += op_read_floor(payload); }
        }
        keep(sink);
        return sink == 0 && n > 0 ? 1 : 0;
    }

    std::size_t index = std::size(formats);
    for (std::size_t i = 0; i < std::size(formats); ++i)
        if (formats[i].name == name) index = i;
    if (index == std::size(formats)) return usage();
    content_format f = formats[index].format;

    if (op == "encode") {
        std::span<const record> records = ref.records;
        for (long i = 0; i < n; ++i) { keep(f); keep(records); sink += op_encode(f, records); }
    } else if (op == "decode") {
        bytes_view payload = ref.payloads[index];
        for (long i = 0; i < n; ++i) { keep(f); keep(payload); sink += op_decode(f, payload); }
    } else if (op == "read") {
        bytes_view payload = ref.payloads[index];
        for (long i = 0; i < n; ++i) { keep(f); keep(payload); sink += op_read(f, payload); }
    } else {
        return usage();
    }
    keep(sink);
    return sink == 0 && n > 0 ? 1 : 0;
}
