// libFuzzer target: the CoAP serializers (message_builder, message_writer, static_message).
//
// The input is a program. Byte 0 selects the target (even: message_builder<12>, odd:
// message_writer); the rest is a sequence of operations (type, code, message ID, token,
// options of chosen or random numbers and lengths, uint options, the named helpers, Block
// options, Uri-Path segments, payload, clear, copy of the builder, 65804/65805-byte values,
// out-of-order options (inserted by the writer), a second header, a second payload ...).
// The program runs against the real serializer and against a model written from the API
// documentation and RFC 7252 §3/§3.1/§4, and:
//  * the first error (sticky) is the model's, from status(), encoded_size() and serialize();
//  * buffers of every relevant size: smaller than needed gives buffer_too_small carrying
//    exactly the encoded size, for an empty span (measuring) too (the writer, once it inserted
//    an option after the buffer ran out: a bound with which it fits), and nothing is written past
//    the end of an exact-size heap buffer (ASan); large enough gives the size, the model's
//    bytes, and leaves the bytes after the message untouched;
//  * the output parses with the default (strict) options and reflects the program: type,
//    code, ID, token, the options stably sorted by number (the writer inserts an option
//    numbered below the last one in its place), the payload;
//  * static_message<512> agrees (buffer_too_small with the size needed, or the same bytes).
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/coap_build.cpp
// Replay: link with fuzz/replay_main.cpp (any compiler).

#include <lwm2m/coap.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace coap = lwm2m::coap;
using lwm2m::errc;
using bytes = std::vector<std::uint8_t>;

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

void check_error(const lwm2m::error& got, errc want, const char* where) {
    if (got.code != want) {
        std::fprintf(stderr, "%s: error %s, model %s\n", where, std::string(lwm2m::name(got.code)).c_str(),
                     std::string(lwm2m::name(want)).c_str());
        std::abort();
    }
}

// ---------------------------------------------------------------------------------------------
// Input reading

class reader {
public:
    reader(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
    bool done() const { return pos_ >= n_; }
    std::uint8_t u8() { return pos_ < n_ ? d_[pos_++] : 0; }
    // (Each byte in its own statement: the operands of | are unsequenced, and a different
    // order under another compiler would make the corpus mean something else.)
    std::uint16_t u16() {
        const unsigned hi = u8();
        const unsigned lo = u8();
        return static_cast<std::uint16_t>((hi << 8) | lo);
    }
    std::uint32_t u32() {
        const std::uint32_t hi = u16();
        const std::uint32_t lo = u16();
        return (hi << 16) | lo;
    }
    /** Up to `n` bytes of the input itself (values are referenced, so this tests that too). */
    std::span<const std::uint8_t> take(std::size_t n) {
        n = std::min(n, n_ - std::min(pos_, n_));
        std::span<const std::uint8_t> s{d_ + pos_, n};
        pos_ += n;
        return s;
    }

private:
    const std::uint8_t* d_;
    std::size_t n_;
    std::size_t pos_ = 0;
};

constexpr std::uint16_t interesting_numbers[] = {0,  1,  2,  3,  4,  5,  6,   7,   8,   9,   10,  11,   12,   13,
                                                 14, 15, 16, 17, 19, 20, 21,  23,  27,  28,  31,  35,   39,   60,
                                                 252, 258, 268, 269, 270, 292, 1000, 1001, 2048, 65000, 65534, 65535};

std::uint16_t pick_number(reader& in) {
    const std::uint8_t b = in.u8();
    if (b < 0xC0) return interesting_numbers[b % std::size(interesting_numbers)];
    return in.u16();
}
std::size_t pick_length(reader& in) {
    const std::uint8_t b = in.u8();
    if (b < 0xE0) return b % 20;
    if (b < 0xF8) return 13u + in.u8();
    return in.u16() % 1100;
}

/** Zeros for the 65804 (largest encodable) and 65805-byte values. */
const std::uint8_t* big_zeros() {
    static const std::vector<std::uint8_t> z(coap::max_option_value_length + 1, 0);
    return z.data();
}

lwm2m::bytes_view bv(std::span<const std::uint8_t> s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }
std::string_view sv(std::span<const std::uint8_t> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }
bytes to_vec(lwm2m::bytes_view v) {
    bytes b(v.size());
    if (!v.empty()) std::memcpy(b.data(), v.data(), v.size());
    return b;
}

// ---------------------------------------------------------------------------------------------
// Model

struct length_limits {
    std::uint32_t min, max;
};
std::optional<length_limits> registered_length(std::uint32_t n) {
    switch (n) {
    case 1: return length_limits{0, 8};
    case 3: return length_limits{1, 255};
    case 4: return length_limits{1, 8};
    case 5: return length_limits{0, 0};
    case 6: return length_limits{0, 3};
    case 7: return length_limits{0, 2};
    case 8: return length_limits{0, 255};
    case 9: return length_limits{0, 255};
    case 11: return length_limits{0, 255};
    case 12: return length_limits{0, 2};
    case 14: return length_limits{0, 4};
    case 15: return length_limits{0, 255};
    case 16: return length_limits{1, 1};
    case 17: return length_limits{0, 2};
    case 19: return length_limits{0, 3};
    case 20: return length_limits{0, 255};
    case 23: return length_limits{0, 3};
    case 27: return length_limits{0, 3};
    case 28: return length_limits{0, 4};
    case 31: return length_limits{0, 3};
    case 35: return length_limits{1, 1034};
    case 39: return length_limits{1, 255};
    case 60: return length_limits{0, 4};
    case 252: return length_limits{1, 40};
    case 258: return length_limits{0, 1};
    case 292: return length_limits{0, 8};
    default: return std::nullopt;
    }
}

bytes minimal_uint(std::uint32_t v) {
    bytes b;
    for (int shift = 24; shift >= 0; shift -= 8)
        if (!b.empty() || (v >> shift) != 0) b.push_back(static_cast<std::uint8_t>(v >> shift));
    return b;
}

struct model_option {
    std::uint16_t number;
    const std::uint8_t* data;  // referenced value (nullptr for inline)
    bytes inline_value;
    std::size_t length;
    const std::uint8_t* value() const { return data ? data : inline_value.data(); }
};

/** message_writer as documented: sticky first error; keeps counting the size. */
struct writer_model {
    bytes out;
    std::uint32_t last = 0;
    std::uint8_t code = 0x01;  // the writer starts as if for a request (GET)
    std::optional<errc> error;
    // for the parse check
    unsigned headers = 0;
    bool header_first = true;
    bool in_payload = false;
    unsigned type = 0, mid = 0;
    bytes token;
    std::vector<model_option> options;  // written, sorted by number (repeats in call order)
    std::size_t options_begin = 0;      // after the header and token
    std::size_t insertions = 0;         // options numbered below the last one (inserted)
    bytes payload;                      // everything after the first marker

    void fail(errc e) {
        if (!error) error = e;
    }
    void put(const std::uint8_t* p, std::size_t n) {
        out.insert(out.end(), p, p + n);
        if (in_payload) payload.insert(payload.end(), p, p + n);
    }
    void header(unsigned t, std::uint8_t c, std::uint16_t id, std::span<const std::uint8_t> tok) {
        if (headers == 0 && !out.empty()) header_first = false;
        if (headers++ > 0) return fail(errc::header_not_first);  // a second header writes nothing
        const unsigned cls = c >> 5;
        if (tok.size() > 8) return fail(errc::invalid_token_length);
        if (c == 0 && !tok.empty()) return fail(errc::empty_message_not_empty);
        if (cls == 1 || cls == 6 || cls == 7) return fail(errc::reserved_code_class);
        if (t == 3 && c != 0) return fail(errc::reset_not_empty);
        if (t == 2 && cls == 0 && c != 0) return fail(errc::ack_carries_request);
        if (t == 1 && c == 0) return fail(errc::non_confirmable_empty);
        code = c;
        type = t;
        mid = id;
        token.assign(tok.begin(), tok.end());
        const std::uint8_t h[4] = {static_cast<std::uint8_t>(0x40u | (t << 4) | tok.size()), c,
                                   static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
        put(h, 4);
        put(tok.data(), tok.size());
        options_begin = out.size();
    }
    void option(std::uint16_t n, const std::uint8_t* v, std::size_t len, bool referenced) {
        if (headers == 0 && out.empty()) header_first = false;
        if (last == 0x10000) return fail(errc::options_out_of_order);  // after the payload
        if (len > coap::max_option_value_length) return fail(errc::option_value_too_long);
        if (const auto lim = registered_length(n); lim && (len < lim->min || len > lim->max))
            return fail(errc::invalid_option_length);
        if (code == 0) return fail(errc::empty_message_not_empty);
        model_option o{n, referenced ? v : nullptr, {}, len};
        if (!referenced) o.inline_value.assign(v, v + len);
        if (n < last) {
            // Inserted after the options numbered up to n; the message is encoded again.
            ++insertions;
            auto at = options.begin();
            while (at != options.end() && at->number <= n) ++at;
            options.insert(at, std::move(o));
            out.resize(options_begin);
            std::uint32_t previous = 0;
            for (const model_option& x : options) {
                put_option(x.number - previous, x.value(), x.length);
                previous = x.number;
            }
            return;
        }
        put_option(n - last, v, len);
        last = n;
        options.push_back(std::move(o));
    }
    void put_option(std::uint32_t delta, const std::uint8_t* v, std::size_t len) {
        auto nibble = [](std::uint32_t x) { return x < 13 ? x : x < 269 ? 13u : 14u; };
        std::uint8_t head[5];
        std::size_t k = 0;
        head[k++] = static_cast<std::uint8_t>((nibble(delta) << 4) | nibble(static_cast<std::uint32_t>(len)));
        for (std::uint32_t x : {delta, static_cast<std::uint32_t>(len)}) {
            if (x >= 269) {
                head[k++] = static_cast<std::uint8_t>((x - 269) >> 8);
                head[k++] = static_cast<std::uint8_t>(x - 269);
            } else if (x >= 13) {
                head[k++] = static_cast<std::uint8_t>(x - 13);
            }
        }
        put(head, k);
        put(v, len);
    }
    void payload_op(std::span<const std::uint8_t> body) {
        if (headers == 0 && out.empty()) header_first = false;
        if (body.empty()) return;
        if (code == 0) return fail(errc::empty_message_not_empty);
        const std::uint8_t marker = 0xFF;
        put(&marker, 1);
        in_payload = true;
        put(body.data(), body.size());
        last = 0x10000;
    }
};

/** message_builder<Cap> as documented. */
struct builder_model {
    std::size_t capacity = 0;
    unsigned type = 0;
    std::uint8_t code = 0x01;
    std::uint16_t mid = 0;
    bytes token;
    std::span<const std::uint8_t> payload;
    std::vector<model_option> options;  // in insertion order
    std::optional<errc> error;

    void fail(errc e) {
        if (!error) error = e;
    }
    void option(std::uint16_t n, const std::uint8_t* v, std::size_t len) {
        if (options.size() == capacity) return fail(errc::capacity_exceeded);
        options.push_back({n, v, {}, len});
    }
    void uint_option(std::uint16_t n, std::uint32_t value) {
        if (options.size() == capacity) return fail(errc::capacity_exceeded);
        options.push_back({n, nullptr, minimal_uint(value), minimal_uint(value).size()});
    }
    std::vector<model_option> sorted() const {
        std::vector<model_option> s = options;
        std::stable_sort(s.begin(), s.end(), [](const model_option& a, const model_option& b) { return a.number < b.number; });
        return s;
    }
    /** The writer model the builder's serialize() amounts to. */
    writer_model serialize() const {
        writer_model w;
        if (error) {
            w.error = error;
            return w;
        }
        w.header(type, code, mid, token);
        for (const auto& o : sorted()) w.option(o.number, o.value(), o.length, o.data != nullptr);
        w.payload_op(payload);
        return w;
    }
};

// ---------------------------------------------------------------------------------------------
// Checks shared by both targets

/** serialize-like function `f(mutable_bytes)` against the model's bytes or error. */
template <class F>
void check_buffers(F&& f, const writer_model& m) {
    const std::size_t n = m.out.size();
    if (m.error) {
        const auto measured = f(lwm2m::mutable_bytes{});
        FUZZ_CHECK(!measured);
        check_error(measured.error(), *m.error, "measure");
        std::vector<std::byte> big(n + 8);
        const auto r = f(lwm2m::mutable_bytes{big});
        FUZZ_CHECK(!r);
        check_error(r.error(), *m.error, "serialize");
        return;
    }
    // Measuring with an empty span, and every buffer one byte short: the size needed, exact, or
    // (the writer, with options inserted after the buffer ran out) a bound of at most 3 bytes
    // over per inserted option, with which it then fits.
    const auto check_too_small = [&](const lwm2m::result<std::size_t>& r) {
        FUZZ_CHECK(!r && r.error().code == errc::buffer_too_small);
        FUZZ_CHECK(r.error().offset >= n && r.error().offset <= n + 3 * m.insertions);
        if (r.error().offset != n) {
            std::vector<std::byte> retry(r.error().offset);
            const auto again = f(lwm2m::mutable_bytes{retry});
            FUZZ_CHECK(again && *again == n);
        }
    };
    {
        const auto r = f(lwm2m::mutable_bytes{});
        if (n == 0) FUZZ_CHECK(r && *r == 0);
        else check_too_small(r);
    }
    if (n > 0) {
        std::unique_ptr<std::byte[]> small(new std::byte[n - 1]);
        check_too_small(f(lwm2m::mutable_bytes{small.get(), n - 1}));
    }
    // Exact size (heap, so ASan sees a write past the end) and a larger buffer with a canary.
    std::unique_ptr<std::byte[]> exact(new std::byte[n == 0 ? 1 : n]);
    const auto r1 = f(lwm2m::mutable_bytes{exact.get(), n});
    FUZZ_CHECK(r1 && *r1 == n);
    FUZZ_CHECK(n == 0 || std::memcmp(exact.get(), m.out.data(), n) == 0);
    std::vector<std::byte> big(n + 8, std::byte{0xA5});
    const auto r2 = f(lwm2m::mutable_bytes{big});
    FUZZ_CHECK(r2 && *r2 == n);
    FUZZ_CHECK(n == 0 || std::memcmp(big.data(), m.out.data(), n) == 0);
    for (std::size_t i = n; i < big.size(); ++i) FUZZ_CHECK(big[i] == std::byte{0xA5});
}

/** LWM2M_FUZZ_VERBOSE=1: print each program's outcome (to inspect seeds). */
void report(const char* target, const writer_model& m) {
    static const bool verbose = std::getenv("LWM2M_FUZZ_VERBOSE") != nullptr;
    if (!verbose) return;
    std::fprintf(stderr, "%s: ", target);
    if (m.error) {
        std::fprintf(stderr, "error %s\n", std::string(lwm2m::name(*m.error)).c_str());
        return;
    }
    std::fprintf(stderr, "%zu bytes ", m.out.size());
    for (std::size_t i = 0; i < m.out.size() && i < 48; ++i) std::fprintf(stderr, "%02x", m.out[i]);
    std::fprintf(stderr, "%s\n", m.out.size() > 48 ? "..." : "");
}

/** The written message parses strictly into what the program asked for. */
void check_parse(const writer_model& m, const std::vector<model_option>& expected_options) {
    const lwm2m::bytes_view out{reinterpret_cast<const std::byte*>(m.out.data()), m.out.size()};
    const auto p = coap::parse(out);
    if (!p) {
        std::fprintf(stderr, "written message rejected by parse: %s at %zu\n",
                     std::string(lwm2m::name(p.error().code)).c_str(), p.error().offset);
        std::abort();
    }
    FUZZ_CHECK(static_cast<unsigned>(p->type()) == m.type);
    FUZZ_CHECK(static_cast<std::uint8_t>(p->code()) == m.code);
    FUZZ_CHECK(p->message_id() == m.mid);
    FUZZ_CHECK(to_vec(p->token()) == m.token);
    std::size_t i = 0;
    for (const coap::option_view& o : p->options()) {
        FUZZ_CHECK(i < expected_options.size());
        const model_option& e = expected_options[i];
        FUZZ_CHECK(static_cast<std::uint16_t>(o.number) == e.number);
        FUZZ_CHECK(o.value.size() == e.length);
        FUZZ_CHECK(e.length == 0 || std::memcmp(o.value.data(), e.value(), e.length) == 0);
        ++i;
    }
    FUZZ_CHECK(i == expected_options.size());
    FUZZ_CHECK(to_vec(p->payload()) == m.payload);
}

// ---------------------------------------------------------------------------------------------
// Builder target

constexpr std::size_t builder_capacity = 12;

void run_builder(reader& in) {
    coap::message_builder<builder_capacity> b1, b2;
    coap::message_builder<builder_capacity>* b = &b1;
    builder_model m;
    m.capacity = builder_capacity;
    std::vector<std::string> paths;  // uri_path_segments references its argument: keep it alive
    paths.reserve(256);

    for (int steps = 0; !in.done() && steps < 256; ++steps) {
        switch (in.u8() % 16) {
        case 0: {
            const unsigned t = in.u8() & 3u;
            b->type(static_cast<coap::message_type>(t));
            m.type = t;
            FUZZ_CHECK(static_cast<unsigned>(b->type()) == t);
            break;
        }
        case 1: {
            const std::uint8_t c = in.u8();
            b->code(static_cast<coap::code>(c));
            m.code = c;
            break;
        }
        case 2: {
            const std::uint16_t id = in.u16();
            b->message_id(id);
            m.mid = id;
            break;
        }
        case 3: {
            const auto t = in.take(in.u8() % 10);
            b->token(bv(t));
            if (t.size() > 8) m.fail(errc::invalid_token_length);
            else m.token.assign(t.begin(), t.end());
            break;
        }
        case 4: {
            const std::uint16_t n = pick_number(in);
            const auto v = in.take(pick_length(in));
            b->option(static_cast<coap::option_number>(n), bv(v));
            m.option(n, v.data(), v.size());
            break;
        }
        case 5: {
            const std::uint16_t n = pick_number(in);
            const std::uint32_t x = in.u32() >> (in.u8() % 32);
            b->uint_option(static_cast<coap::option_number>(n), x);
            m.uint_option(n, x);
            break;
        }
        case 6: {
            const std::uint16_t n = pick_number(in);
            b->empty_option(static_cast<coap::option_number>(n));
            m.option(n, nullptr, 0);
            break;
        }
        case 7: {
            const auto body = in.take(in.u16() % 1200);
            b->payload(bv(body));
            m.payload = body;
            break;
        }
        case 8: {  // named helpers
            const std::uint8_t which = in.u8() % 10;
            if (which < 3) {
                const auto s = in.take(pick_length(in));
                const std::uint16_t n = which == 0 ? 11 : which == 1 ? 15 : 8;
                if (which == 0) b->uri_path(sv(s));
                else if (which == 1) b->uri_query(sv(s));
                else b->location_path(sv(s));
                m.option(n, s.data(), s.size());
            } else if (which < 5) {
                const std::uint16_t cf = in.u16();
                if (which == 3) b->content_format(cf);
                else b->accept(cf);
                m.uint_option(which == 3 ? 12 : 17, cf);
            } else if (which == 5) {
                const std::uint32_t x = in.u32();
                b->observe(x);
                m.uint_option(6, x & 0xFFFFFFu);
            } else if (which < 9) {
                const std::uint32_t x = in.u32() >> (in.u8() % 32);
                const std::uint16_t n = which == 6 ? 14 : which == 7 ? 60 : 28;
                if (which == 6) b->max_age(x);
                else if (which == 7) b->size1(x);
                else b->size2(x);
                m.uint_option(n, x);
            } else {
                const auto tag = in.take(pick_length(in) % 10);
                b->etag(bv(tag));
                m.option(4, tag.data(), tag.size());
            }
            break;
        }
        case 9: {  // Block1 / Block2 (RFC 7959 §2.2)
            const bool block1 = in.u8() & 1;
            coap::block_option blk;
            blk.num = in.u32() >> (in.u8() % 32);
            blk.more = in.u8() & 1;
            blk.szx = static_cast<std::uint8_t>(in.u8() % 8);
            if (block1) b->block1(blk);
            else b->block2(blk);
            if (blk.szx > 6 || blk.num > coap::block_option::max_num) m.fail(errc::invalid_block_option);
            else m.uint_option(block1 ? 27 : 23, (blk.num << 4) | (blk.more ? 8u : 0u) | blk.szx);
            break;
        }
        case 10: {  // uri_path_segments: "/a/b", "a//b", "/rd/" ...
            if (paths.size() == paths.capacity()) break;
            const auto raw = in.take(pick_length(in));
            std::string& path = paths.emplace_back(sv(raw));
            for (auto& ch : path)  // bytes 0xE0-0xFF become separators; ASCII is kept
                if ((static_cast<unsigned char>(ch) & 0xE0u) == 0xE0u) ch = '/';
            b->uri_path_segments(path);
            std::string_view rest = path;
            if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
            if (!rest.empty()) {
                for (;;) {  // RFC 7252 §6.4 step 8: every segment, empty ones included
                    const auto slash = rest.find('/');
                    const std::string_view seg = rest.substr(0, slash);
                    m.option(11, reinterpret_cast<const std::uint8_t*>(seg.data()), seg.size());
                    if (slash == std::string_view::npos) break;
                    rest.remove_prefix(slash + 1);
                }
            }
            break;
        }
        case 11:
            b->clear_options();
            m.options.clear();
            break;
        case 12: {  // continue on a copy (copy construction / assignment rebinds storage)
            if (in.u8() & 1) {
                coap::message_builder<builder_capacity> copy(*b);
                (b == &b1 ? b2 : b1) = copy;
            } else {
                (b == &b1 ? b2 : b1) = *b;
            }
            b = (b == &b1) ? &b2 : &b1;
            break;
        }
        case 13: {  // the largest value the encoding allows, and one byte more
            const std::uint16_t n = pick_number(in);
            const std::size_t len = coap::max_option_value_length + (in.u8() & 1);
            b->option(static_cast<coap::option_number>(n), lwm2m::bytes_view{reinterpret_cast<const std::byte*>(big_zeros()), len});
            m.option(n, big_zeros(), len);
            break;
        }
        default: {  // a valid type/code pair, to reach the success paths often
            static constexpr std::uint8_t pairs[][2] = {{0, 0x01}, {0, 0x02}, {1, 0x03}, {0, 0x45}, {2, 0x45},
                                                        {2, 0x00}, {3, 0x00}, {0, 0x00}, {1, 0x84}, {2, 0xA0}};
            const auto& pr = pairs[in.u8() % std::size(pairs)];
            b->type(static_cast<coap::message_type>(pr[0])).code(static_cast<coap::code>(pr[1]));
            m.type = pr[0];
            m.code = pr[1];
            break;
        }
        }
    }

    // Sticky status and the stored options.
    FUZZ_CHECK(b->status() == m.error);
    const auto sorted = m.sorted();
    if (!m.error) {
        FUZZ_CHECK(b->options().size() == sorted.size());
        for (std::size_t i = 0; i < sorted.size(); ++i) {
            const auto& o = b->options()[i];
            FUZZ_CHECK(static_cast<std::uint16_t>(o.number) == sorted[i].number);
            FUZZ_CHECK(o.value().size() == sorted[i].length);
            FUZZ_CHECK(sorted[i].length == 0 || std::memcmp(o.value().data(), sorted[i].value(), sorted[i].length) == 0);
            if (sorted[i].data) FUZZ_CHECK(o.value().data() == reinterpret_cast<const std::byte*>(sorted[i].data));
        }
    }

    const writer_model w = m.serialize();
    report("builder", w);
    // encoded_size(): the size, or the error serialize() would report.
    const auto es = b->encoded_size();
    if (w.error) FUZZ_CHECK(!es && es.error().code == *w.error);
    else FUZZ_CHECK(es && *es == w.out.size());

    check_buffers([&](lwm2m::mutable_bytes out) { return b->serialize(out); }, w);
    if (!w.error) check_parse(w, sorted);

    // static_message<512>: the same bytes, or buffer_too_small with the size needed.
    coap::static_message<512> sm;
    const auto assigned = sm.assign(*b);
    if (w.error) {
        FUZZ_CHECK(!assigned && assigned.error().code == *w.error);
    } else if (w.out.size() > 512) {
        FUZZ_CHECK(!assigned && assigned.error().code == errc::buffer_too_small && assigned.error().offset == w.out.size());
    } else {
        FUZZ_CHECK(assigned.has_value());
        FUZZ_CHECK(sm.bytes().size() == w.out.size() && std::memcmp(sm.bytes().data(), w.out.data(), w.out.size()) == 0);
        FUZZ_CHECK(assigned->raw().data() == sm.bytes().data());
    }
}

// ---------------------------------------------------------------------------------------------
// Writer target: the operations are replayed for every buffer size

struct writer_op {
    int kind = 0;  // 0 header, 1 option (referenced), 2 uint option, 3 payload
    unsigned type = 0;
    std::uint8_t code = 0;
    std::uint16_t mid = 0;
    std::uint16_t number = 0;
    std::uint32_t uint_value = 0;
    bool relative = false;  // number: 0 same as the previous option, 1 the next one, 2 half of it
    std::span<const std::uint8_t> data;
};

std::vector<writer_op> read_writer_program(reader& in) {
    std::vector<writer_op> ops;
    // The header comes first, as documented; a second header is misuse (errc::header_not_first).
    auto header = [&] {
        writer_op h{};
        h.kind = 0;
        h.type = in.u8() & 3u;
        h.code = in.u8();
        if (h.code & 0x10) h.code = (h.code & 0x0F) ? 0x45 : 0x01;  // half the time a valid code
        h.mid = in.u16();
        h.data = in.take(in.u8() % 10);
        return h;
    };
    ops.push_back(header());
    for (int steps = 0; !in.done() && steps < 256; ++steps) {
        writer_op op{};
        switch (in.u8() % 8) {
        case 0:
            if (in.u8() % 8 == 0) {
                ops.push_back(header());
                continue;
            }
            [[fallthrough]];
        case 1:
        case 2:
            op.kind = 1;
            op.number = pick_number(in);
            op.data = in.take(pick_length(in));
            break;
        case 3:
            op.kind = 2;
            op.number = pick_number(in);
            op.uint_value = in.u32() >> (in.u8() % 32);
            break;
        case 4:
            op.kind = 3;
            op.data = in.take(in.u16() % 1200);
            break;
        case 5: {  // a big value
            op.kind = 1;
            op.number = pick_number(in);
            op.data = {big_zeros(), coap::max_option_value_length + (in.u8() & 1)};
            break;
        }
        default:  // an option numbered relative to the last one: equal, +1 or out of order
            op.kind = 1;
            op.relative = true;  // resolved below
            op.uint_value = in.u8() % 3;
            op.data = in.take(pick_length(in) % 8);
            break;
        }
        ops.push_back(op);
    }
    // Resolve relative numbers.
    std::uint16_t last = 0;
    for (auto& op : ops) {
        if (op.relative) {
            op.number = op.uint_value == 0 ? last : op.uint_value == 1 ? static_cast<std::uint16_t>(last + 1)
                                                                       : static_cast<std::uint16_t>(last / 2);
        }
        if (op.kind == 1 || op.kind == 2) last = op.number;
    }
    return ops;
}

lwm2m::result<std::size_t> apply(const std::vector<writer_op>& ops, lwm2m::mutable_bytes out) {
    coap::message_writer w{out};
    for (const auto& op : ops) {
        switch (op.kind) {
        case 0: w.header(static_cast<coap::message_type>(op.type), static_cast<coap::code>(op.code), op.mid, bv(op.data)); break;
        case 1: w.option(static_cast<coap::option_number>(op.number), bv(op.data)); break;
        case 2: w.uint_option(static_cast<coap::option_number>(op.number), op.uint_value); break;
        default: w.payload(bv(op.data)); break;
        }
    }
    const auto r = w.finish();
    if (r) FUZZ_CHECK(w.size() == *r);
    else if (r.error().code == errc::buffer_too_small) FUZZ_CHECK(w.size() == r.error().offset);
    return r;
}

void run_writer(reader& in) {
    const std::vector<writer_op> ops = read_writer_program(in);
    writer_model m;
    for (const auto& op : ops) {
        switch (op.kind) {
        case 0: m.header(op.type, op.code, op.mid, op.data); break;
        case 1: m.option(op.number, op.data.data(), op.data.size(), true); break;
        case 2: {
            const bytes v = minimal_uint(op.uint_value);
            m.option(op.number, v.data(), v.size(), false);
            break;
        }
        default: m.payload_op(op.data); break;
        }
    }
    report(m.headers == 1 && m.header_first ? "writer" : "writer (header misuse)", m);
    check_buffers([&](lwm2m::mutable_bytes out) { return apply(ops, out); }, m);
    // A single header, first: the output is a message and must parse strictly.
    if (!m.error && m.headers == 1 && m.header_first) check_parse(m, m.options);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    reader in{data + 1, size - 1};
    if (data[0] & 1) run_writer(in);
    else run_builder(in);
    return 0;
}
