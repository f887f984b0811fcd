#pragma once
// The CoAP operations that bench/coap_bench.cpp (Google Benchmark, time) and
// bench/callgrind_driver.cpp (valgrind, instructions) measure, written once so that both tools
// measure exactly the same code: ours (coap::parse, message_builder, message_writer) and, when
// LWM2M_HAVE_LIBCOAP is defined, libcoap 4.3.1 doing the same work on the same bytes.
//
// Operations (each returns a value that depends on all the work, for DoNotOptimize):
//   parse_walk   parse the datagram, then visit every option (number + value size) and the payload
//   build        construct the same message from pre-extracted field values and serialize it
//
// Benchmark support code: only the measured functions are allocation-free (on our side).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap.hpp>

#if defined(LWM2M_HAVE_LIBCOAP) && LWM2M_HAVE_LIBCOAP
#include <coap3/coap.h>
#define LWM2M_BENCH_LIBCOAP 1
#else
#define LWM2M_BENCH_LIBCOAP 0
#endif

namespace lwm2m::bench {

// ---- pre-extracted fields of a message (input of the build operations) ----------------------

/** One option as a builder is given it: uint options by value, the others as bytes. */
struct option_field {
    coap::option_number number{};
    bool is_uint = false;
    std::uint32_t uint_value = 0;
    bytes_view value{};
};

/** Everything needed to build a message again; views point into the reference datagram. */
struct message_fields {
    coap::message_type type{};
    coap::code code{};
    std::uint16_t message_id = 0;
    bytes_view token{};
    std::array<option_field, 16> option_storage{};
    std::size_t option_count = 0;
    bytes_view payload{};

    [[nodiscard]] std::span<const option_field> options() const noexcept { return {option_storage.data(), option_count}; }
};

/** Parses `datagram` (which must outlive the result) into build inputs; exits on a bad datagram. */
inline message_fields extract_fields(bytes_view datagram) {
    const auto m = coap::parse(datagram);
    if (!m) {
        std::fprintf(stderr, "reference datagram does not parse: %s at %zu\n",
                     std::string_view{name(m.error().code)}.data(), m.error().offset);
        std::exit(2);
    }
    message_fields f;
    f.type = m->type();
    f.code = m->code();
    f.message_id = m->message_id();
    f.token = m->token();
    for (const coap::option_view& o : m->options()) {
        if (f.option_count == f.option_storage.size()) std::exit(2);
        option_field& out = f.option_storage[f.option_count++];
        out.number = o.number;
        out.value = o.value;
        const coap::option_info* info = coap::find_option_info(o.number);
        if (info != nullptr && info->format == coap::option_format::uint && o.value.size() <= 4) {
            out.is_uint = true;
            out.uint_value = static_cast<std::uint32_t>(load_be(o.value));
        }
    }
    f.payload = m->payload();
    return f;
}

// ---- ours ---------------------------------------------------------------------------------

/** coap::parse, then every option's number and value size, then the payload size. */
inline std::uint64_t ours_parse_walk(bytes_view datagram) noexcept {
    const auto m = coap::parse(datagram);
    if (!m) return ~std::uint64_t{0};
    std::uint64_t sum = 0;
    for (const coap::option_view& o : m->options())
        sum += static_cast<std::uint16_t>(o.number) + o.value.size();
    return sum + m->payload().size();
}

/**
 * The "practical floor" of bench/data/README.md: a minimal zero-copy walker doing parse and walk
 * in one pass, with only the bounds checks that keep it memory-safe (no RFC validation beyond
 * version, token length and option bounds). A yardstick for the instruction counts, not an API.
 */
inline std::uint64_t floor_parse_walk(bytes_view datagram) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(datagram.data());
    const auto* const end = p + datagram.size();
    if (datagram.size() < 4 || (p[0] >> 6) != 1 || (p[0] & 15u) > 8 || datagram.size() < 4u + (p[0] & 15u))
        return ~std::uint64_t{0};
    p += 4 + (p[0] & 15u);
    std::uint64_t sum = 0;
    std::uint32_t number = 0;
    while (p != end) {
        const std::uint32_t h = *p++;
        if (h == 0xFF) return sum + static_cast<std::uint64_t>(end - p);
        std::uint32_t delta = h >> 4, length = h & 15u;
        if (delta == 15 || length == 15) return ~std::uint64_t{0};
        if (delta >= 13 || length >= 13) {
            const std::size_t extra = (delta == 13 ? 1u : delta == 14 ? 2u : 0u) + (length == 13 ? 1u : length == 14 ? 2u : 0u);
            if (static_cast<std::size_t>(end - p) < extra) return ~std::uint64_t{0};
            if (delta == 13) delta = 13u + *p++;
            else if (delta == 14) { delta = 269u + (static_cast<std::uint32_t>(p[0]) << 8 | p[1]); p += 2; }
            if (length == 13) length = 13u + *p++;
            else if (length == 14) { length = 269u + (static_cast<std::uint32_t>(p[0]) << 8 | p[1]); p += 2; }
        }
        number += delta;
        if (static_cast<std::size_t>(end - p) < length) return ~std::uint64_t{0};
        sum += number + length;
        p += length;
    }
    return sum;
}

/** message_builder<> (default capacity) filled from `f`, serialized into `out`. Returns the size, 0 on error. */
inline std::size_t ours_build_builder(const message_fields& f, mutable_bytes out) noexcept {
    coap::message_builder<> b;
    b.type(f.type).code(f.code).message_id(f.message_id).token(f.token);
    for (const option_field& o : f.options()) {
        if (o.is_uint) b.uint_option(o.number, o.uint_value);
        else b.option(o.number, o.value);
    }
    b.payload(f.payload);
    const auto n = b.serialize(out);
    return n ? *n : 0;
}

/** message_writer straight into `out` (options given as they come in the datagram, as libcoap's build gets them). Returns the size, 0 on error. */
inline std::size_t ours_build_writer(const message_fields& f, mutable_bytes out) noexcept {
    coap::message_writer w{out};
    w.header(f.type, f.code, f.message_id, f.token);
    for (const option_field& o : f.options()) {
        if (o.is_uint) w.uint_option(o.number, o.uint_value);
        else w.option(o.number, o.value);
    }
    w.payload(f.payload);
    const auto n = w.finish();
    return n ? *n : 0;
}

// ---- libcoap ------------------------------------------------------------------------------
#if LWM2M_BENCH_LIBCOAP

inline const std::uint8_t* u8(bytes_view b) noexcept { return reinterpret_cast<const std::uint8_t*>(b.data()); }

/** Once per process: libcoap start-up, logging silenced. */
inline void libcoap_init() {
    static const bool done = [] {
        coap_startup();
        coap_set_log_level(LOG_EMERG);
        return true;
    }();
    (void)done;
}

/** The PDU that `libcoap_parse_walk` parses into, allocated by the caller (receive buffer). */
inline coap_pdu_t* libcoap_new_rx_pdu() {
    libcoap_init();
    coap_pdu_t* pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_EMPTY_CODE, 0, COAP_DEFAULT_MTU);
    if (pdu == nullptr) std::exit(2);
    return pdu;
}

namespace detail {
inline std::uint64_t libcoap_walk(const coap_pdu_t* pdu) noexcept {
    std::uint64_t sum = 0;
    coap_opt_iterator_t it;
    coap_option_iterator_init(pdu, &it, COAP_OPT_ALL);
    while (coap_opt_t* opt = coap_option_next(&it)) sum += it.number + coap_opt_length(opt);
    size_t len = 0;
    const std::uint8_t* data = nullptr;
    if (coap_get_data(pdu, &len, &data)) sum += len;
    return sum;
}
} // namespace detail

/** coap_pdu_parse into a reused PDU, then coap_option_iterator over every option, then coap_get_data. */
inline std::uint64_t libcoap_parse_walk(coap_pdu_t* pdu, bytes_view datagram) noexcept {
    if (!coap_pdu_parse(COAP_PROTO_UDP, u8(datagram), datagram.size(), pdu)) return ~std::uint64_t{0};
    return detail::libcoap_walk(pdu);
}

/** As `libcoap_parse_walk`, with the PDU allocated (coap_pdu_init) and freed per message, as libcoap's receive path does. */
inline std::uint64_t libcoap_parse_walk_alloc(bytes_view datagram) noexcept {
    coap_pdu_t* pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_EMPTY_CODE, 0, datagram.size());
    if (pdu == nullptr) return ~std::uint64_t{0};
    std::uint64_t sum = ~std::uint64_t{0};
    if (coap_pdu_parse(COAP_PROTO_UDP, u8(datagram), datagram.size(), pdu)) sum = detail::libcoap_walk(pdu);
    coap_delete_pdu(pdu);
    return sum;
}

/**
 * coap_pdu_init + coap_add_token + coap_add_option (in order; uints via coap_encode_var_safe)
 * + coap_add_data, then the 4-byte UDP header written in front of the token as libcoap's
 * internal coap_pdu_encode_header does (it is not exported by libcoap 4.3.1), then
 * coap_delete_pdu. When `copy_out` is not empty the datagram is copied there (verification only).
 * Returns the datagram size, 0 on error.
 */
inline std::size_t libcoap_build(const message_fields& f, mutable_bytes copy_out = {}) noexcept {
    coap_pdu_t* pdu = coap_pdu_init(static_cast<coap_pdu_type_t>(f.type), static_cast<coap_pdu_code_t>(f.code),
                                    f.message_id, COAP_DEFAULT_MTU);
    if (pdu == nullptr) return 0;
    std::size_t size = 0;
    bool ok = coap_add_token(pdu, f.token.size(), u8(f.token)) != 0;
    for (const option_field& o : f.options()) {
        if (o.is_uint) {
            std::uint8_t buf[4];
            const unsigned len = coap_encode_var_safe(buf, sizeof buf, o.uint_value);
            ok = ok && coap_add_option(pdu, static_cast<coap_option_num_t>(o.number), len, buf) != 0;
        } else {
            ok = ok && coap_add_option(pdu, static_cast<coap_option_num_t>(o.number), o.value.size(), u8(o.value)) != 0;
        }
    }
    if (!f.payload.empty()) ok = ok && coap_add_data(pdu, f.payload.size(), u8(f.payload)) != 0;
    if (ok) {
        const coap_bin_const_t token = coap_pdu_get_token(pdu);
        auto* const hdr = const_cast<std::uint8_t*>(token.s) - 4;
        hdr[0] = static_cast<std::uint8_t>(0x40u | (static_cast<unsigned>(coap_pdu_get_type(pdu)) << 4) | token.length);
        hdr[1] = static_cast<std::uint8_t>(coap_pdu_get_code(pdu));
        const auto mid = static_cast<unsigned>(coap_pdu_get_mid(pdu));
        hdr[2] = static_cast<std::uint8_t>(mid >> 8);
        hdr[3] = static_cast<std::uint8_t>(mid);
        size_t len = 0;
        const std::uint8_t* data = nullptr;
        // Without a payload the options end at the end of the PDU; only used with payloads here.
        if (coap_get_data(pdu, &len, &data)) size = static_cast<std::size_t>(data + len - hdr);
        if (!copy_out.empty() && size <= copy_out.size()) std::memcpy(copy_out.data(), hdr, size);
    }
    coap_delete_pdu(pdu);
    return size;
}

#endif // LWM2M_BENCH_LIBCOAP

// ---- start-up self check: every variant produces the reference bytes / the same walk -----------

/** Exits with a message unless every implementation agrees on `datagram`. */
inline void check_equivalence(std::string_view what, bytes_view datagram) {
    const message_fields f = extract_fields(datagram);
    std::array<std::byte, 1500> buf{};
    const auto same = [&](std::size_t n) {
        return n == datagram.size() && std::memcmp(buf.data(), datagram.data(), n) == 0;
    };
    const auto die = [&](const char* which) {
        std::fprintf(stderr, "%.*s: %s does not reproduce the reference datagram\n", static_cast<int>(what.size()),
                     what.data(), which);
        std::exit(2);
    };
    if (!same(ours_build_builder(f, buf))) die("message_builder");
    buf.fill(std::byte{0});
    if (!same(ours_build_writer(f, buf))) die("message_writer");
    const std::uint64_t walk = ours_parse_walk(datagram);
    if (walk == ~std::uint64_t{0}) die("coap::parse");
    if (floor_parse_walk(datagram) != walk) die("the floor walker (different option walk)");
#if LWM2M_BENCH_LIBCOAP
    buf.fill(std::byte{0});
    if (!same(libcoap_build(f, buf))) die("libcoap build");
    coap_pdu_t* pdu = libcoap_new_rx_pdu();
    const bool agree = libcoap_parse_walk(pdu, datagram) == walk && libcoap_parse_walk_alloc(datagram) == walk;
    coap_delete_pdu(pdu);
    if (!agree) die("libcoap parse+walk (different option walk)");
#endif
}

} // namespace lwm2m::bench
