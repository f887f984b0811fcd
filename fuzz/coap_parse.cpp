// libFuzzer target: coap::parse on arbitrary bytes.
//
// For each of the four parse_options combinations:
//  * the verdict (accept, or the error code and offset) must equal the one of an independent
//    reference decoder written from RFC 7252 §3/§3.1/§4 below;
//  * on success every option is walked and every accessor of message_view is cross-checked
//    against the reference decoding (find/has, options(n), uri_path/uri_query/location_*,
//    uint_option, content_format/accept/observe/max_age/size1/size2, etag/if_match/
//    if_none_match, block1/block2, first_unrecognized_critical);
//  * round trip: the message is rebuilt from the view with message_writer (header + token,
//    each option in order, payload) and with message_builder (options added in a scrambled
//    order). The CoAP encoding is unique (a nibble of 13 means 13 + ext with ext >= 0, 14
//    means 269 + ext, so no value has two encodings; the payload marker is present iff the
//    payload is non-empty), hence the rebuilt bytes must be identical to the input. The
//    exact-size measure, a buffer one byte short (buffer_too_small with the size needed) and
//    static_message are checked on the way. What a relaxed parse let through and a sender
//    must not send (RST/ACK/NON rules of RFC 7252 §4, registered option lengths) must make
//    the writer fail with exactly that error instead.
// Stricter options accept a subset of what laxer options accept, with the same content.
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/coap_parse.cpp
// Replay: link with fuzz/replay_main.cpp (any compiler).

#include <lwm2m/coap.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace {

namespace coap = lwm2m::coap;
using lwm2m::errc;

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

// ---------------------------------------------------------------------------------------------
// Reference decoder (independent of lwm2m/coap/parse.hpp; same documented error order)

struct ref_option {
    std::uint32_t number;
    std::size_t header_offset;  // where the option's first byte is
    std::size_t value_offset;
    std::size_t length;
};

struct ref_message {
    bool ok = false;
    errc error{};
    std::size_t error_offset = 0;
    unsigned type = 0, code = 0, mid = 0;
    std::size_t token_length = 0;
    std::vector<ref_option> options;
    std::size_t payload_offset = 0;  // == size when no payload
};

struct length_limits {
    std::uint32_t min, max;
};
/** RFC 7252 §5.10 Table 4, RFC 7641, 7959, 7967, 8613, 8768, 9175, 9177. */
std::optional<length_limits> registered_length(std::uint32_t n) {
    switch (n) {
    case 1: return length_limits{0, 8};      // If-Match
    case 3: return length_limits{1, 255};    // Uri-Host
    case 4: return length_limits{1, 8};      // ETag
    case 5: return length_limits{0, 0};      // If-None-Match
    case 6: return length_limits{0, 3};      // Observe
    case 7: return length_limits{0, 2};      // Uri-Port
    case 8: return length_limits{0, 255};    // Location-Path
    case 9: return length_limits{0, 255};    // OSCORE
    case 11: return length_limits{0, 255};   // Uri-Path
    case 12: return length_limits{0, 2};     // Content-Format
    case 14: return length_limits{0, 4};     // Max-Age
    case 15: return length_limits{0, 255};   // Uri-Query
    case 16: return length_limits{1, 1};     // Hop-Limit
    case 17: return length_limits{0, 2};     // Accept
    case 19: return length_limits{0, 3};     // Q-Block1
    case 20: return length_limits{0, 255};   // Location-Query
    case 23: return length_limits{0, 3};     // Block2
    case 27: return length_limits{0, 3};     // Block1
    case 28: return length_limits{0, 4};     // Size2
    case 31: return length_limits{0, 3};     // Q-Block2
    case 35: return length_limits{1, 1034};  // Proxy-Uri
    case 39: return length_limits{1, 255};   // Proxy-Scheme
    case 60: return length_limits{0, 4};     // Size1
    case 252: return length_limits{1, 40};   // Echo
    case 258: return length_limits{0, 1};    // No-Response
    case 292: return length_limits{0, 8};    // Request-Tag
    default: return std::nullopt;
    }
}

ref_message ref_parse(const std::uint8_t* d, std::size_t size, bool check_lengths, bool check_type_code) {
    ref_message m;
    auto fail = [&](errc e, std::size_t at) {
        m.ok = false;
        m.error = e;
        m.error_offset = at;
        return m;
    };
    if (size < 4) return fail(errc::message_too_short, size);
    if ((d[0] >> 6) != 1) return fail(errc::unsupported_version, 0);
    m.token_length = d[0] & 0x0F;
    if (m.token_length > 8) return fail(errc::invalid_token_length, 0);
    m.type = (d[0] >> 4) & 3;
    m.code = d[1];
    m.mid = static_cast<unsigned>((d[2] << 8) | d[3]);
    const unsigned cls = m.code >> 5;
    if (cls == 1 || cls == 6 || cls == 7) return fail(errc::reserved_code_class, 1);
    if (m.code == 0) {
        if (m.token_length != 0) return fail(errc::empty_message_not_empty, 0);
        if (size > 4) return fail(errc::empty_message_not_empty, 4);
        if (check_type_code && m.type == 1) return fail(errc::non_confirmable_empty, 1);
        m.ok = true;
        m.payload_offset = 4;
        return m;
    }
    if (check_type_code && m.type == 3) return fail(errc::reset_not_empty, 1);
    if (check_type_code && m.type == 2 && cls == 0) return fail(errc::ack_carries_request, 1);
    if (size < 4 + m.token_length) return fail(errc::truncated_token, size);
    std::size_t p = 4 + m.token_length;
    std::uint32_t number = 0;
    while (p < size) {
        const std::size_t at = p;
        const std::uint8_t h = d[p++];
        if (h == 0xFF) {
            if (p == size) return fail(errc::empty_payload_after_marker, size);
            m.payload_offset = p;
            m.ok = true;
            return m;
        }
        std::uint32_t delta = h >> 4, length = h & 0x0F;
        if (delta == 15) return fail(errc::reserved_option_delta, at);
        if (length == 15) return fail(errc::reserved_option_length, at);
        const std::size_t ext = (delta == 13 ? 1 : delta == 14 ? 2 : 0) + (length == 13 ? 1 : length == 14 ? 2 : 0);
        if (size - p < ext) return fail(errc::truncated_option, size);
        auto extended = [&](std::uint32_t nibble) -> std::uint32_t {
            if (nibble == 13) return 13u + d[p++];
            if (nibble == 14) {
                const std::uint32_t v = static_cast<std::uint32_t>((d[p] << 8) | d[p + 1]);
                p += 2;
                return 269u + v;
            }
            return nibble;
        };
        delta = extended(delta);
        length = extended(length);
        number += delta;
        if (number > 65535) return fail(errc::option_number_overflow, at);
        if (size - p < length) return fail(errc::truncated_option_value, size);
        if (check_lengths) {
            if (const auto lim = registered_length(number); lim && (length < lim->min || length > lim->max))
                return fail(errc::invalid_option_length, at);
        }
        m.options.push_back({number, at, p, length});
        p += length;
    }
    m.ok = true;
    m.payload_offset = size;
    return m;
}

// ---------------------------------------------------------------------------------------------
// Helpers

bool same_bytes(lwm2m::bytes_view a, const std::uint8_t* b, std::size_t n) {
    return a.size() == n && (n == 0 || std::memcmp(a.data(), b, n) == 0);
}

std::uint32_t be(const std::uint8_t* p, std::size_t n) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

bool is_known(std::uint32_t n) { return registered_length(n).has_value(); }

/** Repeatable options (RFC 7252 §5.10 Table 4 "R"; RFC 9177 §4 Q-Block2; RFC 9175 §3.2 Request-Tag). */
bool is_repeatable(std::uint32_t n) {
    return n == 1 || n == 4 || n == 8 || n == 11 || n == 15 || n == 20 || n == 31 || n == 292;
}

bool length_registered_ok(const ref_option& o) {
    const auto lim = registered_length(o.number);
    return !lim || (o.length >= lim->min && o.length <= lim->max);
}

/**
 * The first critical option that is unrecognised (RFC 7252 §5.4.1): unknown to `recognized`,
 * or a registered option with a length outside its range (§5.4.3) or repeating a
 * non-repeatable option (§5.4.5).
 */
template <class Recognized>
std::optional<std::uint32_t> ref_first_unrecognized_critical(const std::vector<ref_option>& options, Recognized recognized) {
    std::optional<std::uint32_t> previous;
    for (const auto& o : options) {
        if (o.number & 1u) {
            if (!recognized(o.number)) return o.number;
            if (is_known(o.number)) {
                if (!length_registered_ok(o)) return o.number;
                if (!is_repeatable(o.number) && previous == o.number) return o.number;
            }
        }
        previous = o.number;
    }
    return std::nullopt;
}

/** Every accessor of `v` against the reference decoding `r` of `d`. */
void check_accessors(const coap::message_view& v, const ref_message& r, const std::uint8_t* d, std::size_t size) {
    FUZZ_CHECK(v.raw().data() == reinterpret_cast<const std::byte*>(d) && v.raw().size() == size);
    FUZZ_CHECK(static_cast<unsigned>(v.type()) == r.type);
    FUZZ_CHECK(static_cast<unsigned>(v.code()) == r.code);
    FUZZ_CHECK(v.message_id() == r.mid);
    FUZZ_CHECK(same_bytes(v.token(), d + 4, r.token_length));
    FUZZ_CHECK(same_bytes(v.payload(), d + r.payload_offset, size - r.payload_offset));

    // Every option, in order.
    std::size_t i = 0;
    for (const coap::option_view& o : v.options()) {
        FUZZ_CHECK(i < r.options.size());
        const ref_option& ro = r.options[i];
        FUZZ_CHECK(static_cast<std::uint32_t>(o.number) == ro.number);
        FUZZ_CHECK(o.value.data() == reinterpret_cast<const std::byte*>(d + ro.value_offset));
        FUZZ_CHECK(o.size() == ro.length);
        FUZZ_CHECK(o.as_string().size() == ro.length);
        const auto u = o.as_uint();
        if (ro.length > 4) FUZZ_CHECK(!u && u.error().code == errc::invalid_uint_option);
        else FUZZ_CHECK(u && *u == be(d + ro.value_offset, ro.length));
        ++i;
    }
    FUZZ_CHECK(i == r.options.size());
    FUZZ_CHECK(v.options().empty() == r.options.empty());

    auto first = [&](std::uint32_t n) -> const ref_option* {
        for (const auto& o : r.options)
            if (o.number == n) return &o;
        return nullptr;
    };
    auto count = [&](std::uint32_t n) {
        return static_cast<std::size_t>(
            std::count_if(r.options.begin(), r.options.end(), [&](const ref_option& o) { return o.number == n; }));
    };
    auto ref_uint = [&](std::uint32_t n) -> std::optional<std::uint32_t> {
        const ref_option* o = first(n);
        if (!o || o->length > 4) return std::nullopt;
        return be(d + o->value_offset, o->length);
    };
    auto narrow = [](std::optional<std::uint32_t> x) -> std::optional<std::uint16_t> {
        if (!x || *x > 0xFFFF) return std::nullopt;
        return static_cast<std::uint16_t>(*x);
    };

    // find / has / options(n) / uint_option for every number present, plus a few absent ones.
    // (Distinct numbers, at most 48 of them besides the fixed ones, to stay linear-ish.)
    std::vector<std::uint32_t> numbers;
    for (const auto& o : r.options) numbers.push_back(o.number);
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    if (numbers.size() > 48) numbers.resize(48);
    for (std::uint32_t n : {0u, 1u, 6u, 11u, 12u, 13u, 23u, 27u, 60u, 269u, 65535u}) numbers.push_back(n);
    for (std::uint32_t n : numbers) {
        const auto num = static_cast<coap::option_number>(n);
        const ref_option* o = first(n);
        const auto found = v.find(num);
        FUZZ_CHECK(found.has_value() == (o != nullptr));
        FUZZ_CHECK(v.has(num) == (o != nullptr));
        if (o) FUZZ_CHECK(found->value.data() == reinterpret_cast<const std::byte*>(d + o->value_offset));
        FUZZ_CHECK(v.uint_option(num) == ref_uint(n));
        const auto range = v.options(num);
        FUZZ_CHECK(range.count() == count(n));
        FUZZ_CHECK(range.empty() == (count(n) == 0));
        std::size_t k = 0;
        auto it = r.options.begin();
        for (const coap::option_view& x : range) {
            it = std::find_if(it, r.options.end(), [&](const ref_option& y) { return y.number == n; });
            FUZZ_CHECK(it != r.options.end());
            FUZZ_CHECK(x.value.data() == reinterpret_cast<const std::byte*>(d + it->value_offset));
            ++it;
            ++k;
        }
        FUZZ_CHECK(k == count(n));
    }

    // Repeated string options.
    auto check_strings = [&](auto range, std::uint32_t n) {
        auto it = r.options.begin();
        std::size_t k = 0;
        for (std::string_view s : range) {
            it = std::find_if(it, r.options.end(), [&](const ref_option& y) { return y.number == n; });
            FUZZ_CHECK(it != r.options.end());
            FUZZ_CHECK(s.data() == reinterpret_cast<const char*>(d + it->value_offset) && s.size() == it->length);
            ++it;
            ++k;
        }
        FUZZ_CHECK(k == count(n));
        FUZZ_CHECK(range.count() == count(n));
    };
    check_strings(v.uri_path(), 11);
    check_strings(v.uri_query(), 15);
    check_strings(v.location_path(), 8);
    check_strings(v.location_query(), 20);
    FUZZ_CHECK(v.if_match().count() == count(1));

    FUZZ_CHECK(v.content_format() == narrow(ref_uint(12)));
    FUZZ_CHECK(v.accept() == narrow(ref_uint(17)));
    FUZZ_CHECK(v.observe() == ref_uint(6));
    FUZZ_CHECK(v.max_age() == ref_uint(14).value_or(60u));
    FUZZ_CHECK(v.size1() == ref_uint(60));
    FUZZ_CHECK(v.size2() == ref_uint(28));
    FUZZ_CHECK(v.if_none_match() == (first(5) != nullptr));
    const auto etag = v.etag();
    FUZZ_CHECK(etag.has_value() == (first(4) != nullptr));
    if (etag) FUZZ_CHECK(etag->data() == reinterpret_cast<const std::byte*>(d + first(4)->value_offset));

    // Block1 / Block2 (RFC 7959 §2.2).
    for (std::uint32_t n : {23u, 27u}) {
        const auto b = n == 23 ? v.block2() : v.block1();
        const ref_option* o = first(n);
        if (!o) {
            FUZZ_CHECK(b && !b->has_value());
            continue;
        }
        const std::uint32_t raw = o->length <= 4 ? be(d + o->value_offset, o->length) : 0;
        if (o->length > 3 || (raw & 7u) == 7u) {
            FUZZ_CHECK(!b && b.error().code == errc::invalid_block_option && b.error().offset == o->value_offset);
        } else {
            FUZZ_CHECK(b && b->has_value());
            const coap::block_option& blk = **b;
            FUZZ_CHECK(blk.num == raw >> 4 && blk.more == ((raw & 8u) != 0) && blk.szx == (raw & 7u));
            FUZZ_CHECK(blk.encode() == raw);
            FUZZ_CHECK(blk.size() == (1u << (blk.szx + 4)));
            FUZZ_CHECK(blk.offset() == static_cast<std::uint64_t>(blk.num) << (blk.szx + 4));
        }
    }

    // Unrecognised critical options (RFC 7252 §5.4.1, §5.4.3, §5.4.5).
    const auto crit = ref_first_unrecognized_critical(r.options, is_known);
    const auto c1 = v.first_unrecognized_critical();
    FUZZ_CHECK(c1.has_value() == crit.has_value());
    if (c1) FUZZ_CHECK(static_cast<std::uint32_t>(*c1) == *crit);
    const auto crit_below_100 = ref_first_unrecognized_critical(r.options, [](std::uint32_t n) { return n < 100; });
    const auto c2 = v.first_unrecognized_critical(
        [](coap::option_number n) { return static_cast<std::uint16_t>(n) < 100; });
    FUZZ_CHECK(c2.has_value() == crit_below_100.has_value());
    if (c2) FUZZ_CHECK(static_cast<std::uint32_t>(*c2) == *crit_below_100);
    for (const auto& o : r.options) {
        const auto num = static_cast<coap::option_number>(o.number);
        FUZZ_CHECK(coap::is_critical(num) == ((o.number & 1u) != 0));
        FUZZ_CHECK(coap::is_unsafe(num) == ((o.number & 2u) != 0));
        FUZZ_CHECK(coap::is_no_cache_key(num) == ((o.number & 0x1Eu) == 0x1Cu));
        FUZZ_CHECK(coap::is_known_option(num) == is_known(o.number));
        FUZZ_CHECK(coap::name(num).empty() == !is_known(o.number));
    }
    (void)coap::name(v.code());
    (void)coap::dotted(v.code());
    (void)coap::name(v.type());
}

/**
 * The error message_writer must report when rebuilding `r`, if any: the type/code rules a
 * sender must follow (RFC 7252 §4.2, §4.3; only reachable when parsed without
 * check_type_and_code), then the registered option lengths (only without check_option_lengths).
 */
std::optional<errc> expected_writer_error(const ref_message& r) {
    if (r.type == 3 && r.code != 0) return errc::reset_not_empty;
    if (r.type == 2 && r.code != 0 && (r.code >> 5) == 0) return errc::ack_carries_request;
    if (r.type == 1 && r.code == 0) return errc::non_confirmable_empty;
    for (const auto& o : r.options)
        if (!length_registered_ok(o)) return errc::invalid_option_length;
    return std::nullopt;
}

/** Rebuilds `v` with message_writer into `out`; returns finish(). */
lwm2m::result<std::size_t> rewrite(const coap::message_view& v, lwm2m::mutable_bytes out) {
    coap::message_writer w{out};
    w.header(v.type(), v.code(), v.message_id(), v.token());
    for (const coap::option_view& o : v.options()) w.option(o.number, o.value);
    w.payload(v.payload());
    return w.finish();
}

/** Round trip through message_writer and message_builder; bytes must be identical. */
void check_round_trip(const coap::message_view& v, const ref_message& r, const std::uint8_t* d, std::size_t size,
                      const coap::parse_options& opts) {
    // Measure.
    const auto measured = rewrite(v, {});
    if (const auto e = expected_writer_error(r)) {
        FUZZ_CHECK(!measured && measured.error().code == *e);
        std::vector<std::byte> big(size + 16);
        const auto again = rewrite(v, big);
        FUZZ_CHECK(!again && again.error().code == *e);
        return;
    }
    FUZZ_CHECK(!measured && measured.error().code == errc::buffer_too_small && measured.error().offset == size);

    // One byte short: exact size reported, nothing written past the end (ASan watches).
    {
        std::vector<std::byte> small(size - 1);
        const auto s = rewrite(v, small);
        FUZZ_CHECK(!s && s.error().code == errc::buffer_too_small && s.error().offset == size);
    }
    // Exact size: byte identity.
    std::vector<std::byte> out(size);
    const auto n = rewrite(v, out);
    FUZZ_CHECK(n && *n == size);
    FUZZ_CHECK(std::memcmp(out.data(), d, size) == 0);
    // And it parses again into the same message.
    const auto again = coap::parse(lwm2m::bytes_view{out.data(), size}, opts);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->payload().size() == v.payload().size());

    // message_builder: options added in a scrambled order that keeps repeats in order
    // (descending number, ascending within one number); it must sort them back.
    coap::message_builder<64> b;
    b.type(v.type()).code(v.code()).message_id(v.message_id()).token(v.token()).payload(v.payload());
    std::vector<coap::option_view> opts_in_order(v.options().begin(), v.options().end());
    std::stable_sort(opts_in_order.begin(), opts_in_order.end(), [](const coap::option_view& x, const coap::option_view& y) {
        return static_cast<std::uint16_t>(x.number) > static_cast<std::uint16_t>(y.number);
    });
    for (const auto& o : opts_in_order) b.option(o.number, o.value);
    if (opts_in_order.size() > 64) {
        FUZZ_CHECK(b.status() == errc::capacity_exceeded);
        const auto e = b.encoded_size();
        FUZZ_CHECK(!e && e.error().code == errc::capacity_exceeded);
        return;
    }
    FUZZ_CHECK(!b.status().has_value());
    FUZZ_CHECK(b.options().size() == r.options.size());
    for (std::size_t i = 0; i < r.options.size(); ++i) {
        FUZZ_CHECK(static_cast<std::uint32_t>(b.options()[i].number) == r.options[i].number);
        FUZZ_CHECK(b.options()[i].value().data() == reinterpret_cast<const std::byte*>(d + r.options[i].value_offset));
    }
    const auto es = b.encoded_size();
    FUZZ_CHECK(es && *es == size);
    std::vector<std::byte> out2(size);
    const auto n2 = b.serialize(out2);
    FUZZ_CHECK(n2 && *n2 == size);
    FUZZ_CHECK(std::memcmp(out2.data(), d, size) == 0);

    // static_message: too small reports the size needed; large enough parses (strictly).
    coap::static_message<256> sm;
    const auto assigned = sm.assign(b);
    if (size > 256) {
        FUZZ_CHECK(!assigned && assigned.error().code == errc::buffer_too_small && assigned.error().offset == size);
        FUZZ_CHECK(sm.bytes().empty());
    } else {
        FUZZ_CHECK(sm.bytes().size() == size && std::memcmp(sm.bytes().data(), d, size) == 0);
        const auto strict = coap::parse(lwm2m::bytes_view{reinterpret_cast<const std::byte*>(d), size});
        FUZZ_CHECK(assigned.has_value() == strict.has_value());
        if (!assigned) FUZZ_CHECK(assigned.error() == strict.error());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const lwm2m::bytes_view in{reinterpret_cast<const std::byte*>(data), size};
    // {check_option_lengths, check_type_and_code}; index 0 is the default (strict).
    const coap::parse_options variants[4] = {{true, true}, {false, true}, {true, false}, {false, false}};
    bool accepted[4] = {};
    for (int k = 0; k < 4; ++k) {
        const coap::parse_options& opts = variants[k];
        const auto r = coap::parse(in, opts);
        const ref_message ref = ref_parse(data, size, opts.check_option_lengths, opts.check_type_and_code);
        accepted[k] = r.has_value();
        if (!r) {
            if (ref.ok || r.error().code != ref.error || r.error().offset != ref.error_offset) {
                std::fprintf(stderr, "parse variant %d: ours %s@%zu, reference %s@%zu\n", k,
                             std::string(lwm2m::name(r.error().code)).c_str(), r.error().offset,
                             ref.ok ? "accept" : std::string(lwm2m::name(ref.error)).c_str(), ref.error_offset);
                std::abort();
            }
            continue;
        }
        if (!ref.ok) {
            std::fprintf(stderr, "parse variant %d: ours accepts, reference %s@%zu\n", k,
                         std::string(lwm2m::name(ref.error)).c_str(), ref.error_offset);
            std::abort();
        }
        check_accessors(*r, ref, data, size);
        check_round_trip(*r, ref, data, size, opts);
    }
    // Stricter accepts a subset of laxer.
    if (accepted[0]) FUZZ_CHECK(accepted[1] && accepted[2] && accepted[3]);
    if (accepted[1] || accepted[2]) FUZZ_CHECK(accepted[3]);
    if (size == 0) (void)coap::parse(lwm2m::bytes_view{});
    return 0;
}
