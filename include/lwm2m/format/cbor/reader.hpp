#pragma once
/**
 * @file reader.hpp
 * Generic CBOR pull tokenizer (RFC 8949 §3): one data-item head at a time, strings as
 * views into the input. The building block of the SenML CBOR (RFC 8428 §6) and LwM2M CBOR
 * readers. Allocation: none.
 *
 * Checked: reserved additional info 28-30, truncation, indefinite length only on major
 * types 2-5, string chunks of the same major type inside indefinite strings, "break" only
 * where an indefinite item is open, reserved simple values 24-31 in one-byte form
 * (RFC 8949 §3.3), nesting depth (`max_depth`), and that a declared length fits the input.
 * Errors: `invalid_cbor` / `truncated_value` at the offending byte; with
 * LWM2M_CBOR_INDEFINITE_STRINGS=0 (config.hpp), `indefinite_string_not_supported` at the
 * head of an indefinite-length string.
 */

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>


namespace lwm2m::format::cbor {

/** What one token is. */
enum class item_kind : std::uint8_t {
    unsigned_integer,   ///< major 0: `uint`
    negative_integer,   ///< major 1: value is -1 - `uint`
    byte_string,        ///< major 2 (definite, or one chunk of an indefinite string)
    text_string,        ///< major 3 (definite, or one chunk)
    byte_string_start,  ///< major 2 indefinite: chunks follow until `break_`
    text_string_start,  ///< major 3 indefinite
    array,              ///< major 4: `count` items follow, or until `break_` if `indefinite`
    map,                ///< major 5: `count` pairs follow, or until `break_`
    tag,                ///< major 6: tag number in `uint`, then the tagged item
    boolean,
    null,
    undefined,
    simple,             ///< other simple values, in `uint`
    floating,           ///< half, single or double, as `number`
    break_,             ///< end of an indefinite item
};

/** One token. */
struct item {
    item_kind kind{};
    std::uint64_t uint = 0;   ///< integer magnitude, tag number, element count, simple value
    bool indefinite = false;  ///< for array/map
    bool boolean = false;
    double number = 0;
    bytes_view bytes{};       ///< string contents
    std::size_t offset = 0;   ///< where the token starts
};

/**
 * The self-described CBOR tag (RFC 8949 §3.4.6, head 0xD9D9F7): marks the start of a CBOR
 * item and means nothing else; readers skip it in front of the payload's top-level item.
 */
inline constexpr std::uint64_t self_described_tag = 55799;

/** Maximum nesting of arrays, maps, tags and indefinite strings the reader accepts. */
inline constexpr std::size_t max_depth = 16;

namespace detail {
/**
 * The double a binary16 `h` is (RFC 8949 §3.3, Appendix D), built from its bits: every half is
 * a double, so nothing rounds, and on a Cortex-M4 no soft-float call is made. NaN is the
 * default quiet NaN with the half's sign.
 */
constexpr double half_to_double(std::uint16_t h) noexcept {
    const std::uint64_t sign = std::uint64_t{h & 0x8000u} << 48;
    int exp = (h >> 10) & 0x1F;
    std::uint64_t mant = h & 0x3FFu;
    if (exp == 31) return std::bit_cast<double>(sign | 0x7FF0000000000000u | (mant != 0 ? 0x0008000000000000u : 0));
    if (exp == 0) {  // ±0, or a subnormal (mant * 2^-24): its top bit made the implicit 1
        if (mant == 0) return std::bit_cast<double>(sign);
        const int shift = 11 - std::bit_width(mant);
        mant = (mant << shift) & 0x3FFu;
        exp = 1 - shift;
    }
    return std::bit_cast<double>(sign | (static_cast<std::uint64_t>(exp + 1008) << 52) | (mant << 42));  // bias 15 -> 1023
}
} // namespace detail

namespace detail {
/**
 * `decode_item` into `it`, whose fields must be the defaults: false and the error in `e` (at
 * `it.offset`) on failure. Shared by `decode_item` and `reader::next`, without a `result<item>`
 * between them.
 */
LWM2M_HOT_INLINE constexpr bool decode_into(bytes_view in, std::size_t& pos, item& it, errc& e) noexcept {
    const auto failed = [&e](errc code) {
        e = code;
        return false;
    };
    it.offset = pos;
    if (pos >= in.size()) return failed(errc::truncated_value);
    const auto ib = static_cast<std::uint8_t>(in[pos++]);
    const unsigned major = ib >> 5;
    const unsigned info = ib & 31u;
    if (ib == 0xFF) {
        it.kind = item_kind::break_;
        return true;
    }
    if (info >= 28 && info <= 30) return failed(errc::invalid_cbor);
    std::uint64_t arg = info;
    if (info >= 24 && info <= 27) {
        const std::size_t n = std::size_t{1} << (info - 24);
        if (in.size() - pos < n) return failed(errc::truncated_value);
        arg = load_be(in.subspan(pos, n));
        pos += n;
    }
    switch (major) {
    case 0: it.kind = item_kind::unsigned_integer; it.uint = arg; break;
    case 1: it.kind = item_kind::negative_integer; it.uint = arg; break;
    case 2:
    case 3:
        if (info == 31) {
            if (!config::cbor_indefinite_strings) return failed(errc::indefinite_string_not_supported);
            it.kind = major == 2 ? item_kind::byte_string_start : item_kind::text_string_start;
            break;
        }
        if (arg > in.size() - pos) return failed(errc::truncated_value);
        it.kind = major == 2 ? item_kind::byte_string : item_kind::text_string;
        it.bytes = in.subspan(pos, static_cast<std::size_t>(arg));
        pos += static_cast<std::size_t>(arg);
        break;
    case 4:
    case 5:
        it.kind = major == 4 ? item_kind::array : item_kind::map;
        it.indefinite = info == 31;
        it.uint = it.indefinite ? 0 : arg;
        // Each element needs at least one byte: reject impossible counts early.
        if (!it.indefinite && arg > (in.size() - pos) / (major == 5 ? 2 : 1)) return failed(errc::truncated_value);
        break;
    case 6:
        if (info == 31) return failed(errc::invalid_cbor);
        it.kind = item_kind::tag;
        it.uint = arg;
        break;
    default:  // 7
        if (info == 24 && arg < 32) return failed(errc::invalid_cbor);  // RFC 8949 §3.3
        if (info == 25) { it.kind = item_kind::floating; it.number = half_to_double(static_cast<std::uint16_t>(arg)); }
        else if (info == 26) {
            it.kind = item_kind::floating;
            const auto single = static_cast<std::uint32_t>(arg);
            // From the bits without Float values (no soft-float conversion linked: encoding::to_double).
            if constexpr (config::float_values) it.number = static_cast<double>(std::bit_cast<float>(single));
            else it.number = encoding::double_of_binary32(single);
        }
        else if (info == 27) { it.kind = item_kind::floating; it.number = std::bit_cast<double>(arg); }
        else if (arg == 20 || arg == 21) { it.kind = item_kind::boolean; it.boolean = arg == 21; }
        else if (arg == 22) it.kind = item_kind::null;
        else if (arg == 23) it.kind = item_kind::undefined;
        else { it.kind = item_kind::simple; it.uint = arg; }
        break;
    }
    return true;
}
} // namespace detail

/**
 * Decodes the data item head at `pos` of `in` as `reader::next` would, and moves `pos` past it
 * (past the contents of a definite string; to the first element of a container). A "break"
 * (0xFF) comes back as `item_kind::break_`. It does not track nesting, so it does not check
 * what only the enclosing containers decide: whether a "break" closes anything, string chunk
 * types, `max_depth`. Lets a reader that knows the structure it reads skip `reader`'s frame
 * bookkeeping. Errors: `indefinite_string_not_supported` (a 0x5F/0x7F head when
 * LWM2M_CBOR_INDEFINITE_STRINGS is 0), `invalid_cbor` (reserved additional info 28-30, an indefinite tag, a
 * reserved one-byte simple value), `truncated_value` (at the item's first byte).
 */
[[nodiscard]] constexpr result<item> decode_item(bytes_view in, std::size_t& pos) noexcept {
    item it{};
    errc e{};
    if (!detail::decode_into(in, pos, it, e)) return fail(e, it.offset);
    return it;
}

/**
 * An indefinite-length string as `read_chunks` found it: the view of its chunks' heads and
 * contents (between the 0x5F/0x7F head and the "break"), or, when it has at most one chunk,
 * of that chunk's contents alone (`joined`): what a reader makes a `raw` value of, zero-copy.
 */
struct chunked_string {
    bytes_view bytes{};
    bool joined = true;  ///< `bytes` are the string's contents (0 or 1 chunk), else its chunks
};

/**
 * Reads the chunks of an indefinite-length string (RFC 8949 §3.2.3) whose head `start`
 * (`byte_string_start` or `text_string_start`) was just read, `pos` after it, up to and past
 * its "break" (see `chunked_string`; 0x5F/0x7F 0xFF is the empty string). Each chunk must be
 * a definite-length string of the string's major type, and a text chunk valid UTF-8 by itself
 * (§3.2.3: a chunk starts at a code point boundary), so the joined text is UTF-8 too.
 * Errors: `invalid_cbor` (a chunk of another type, or indefinite; at the chunk), `invalid_utf8`
 * (at the bad byte), `truncated_value`. Allocation: none.
 */
[[nodiscard]] constexpr result<chunked_string> read_chunks(bytes_view in, std::size_t& pos, item_kind start) noexcept {
    // Left out: no head `decode_into` returns leads here; what would is refused at its head.
    if constexpr (!config::cbor_indefinite_strings) return fail(errc::indefinite_string_not_supported, pos - 1);
    const item_kind chunk_kind = start == item_kind::text_string_start ? item_kind::text_string : item_kind::byte_string;
    const std::size_t first = pos;
    bytes_view only{};  // the contents of the first chunk
    for (std::size_t chunks = 0;; ++chunks) {
        item chunk{};
        errc e{};
        if (!detail::decode_into(in, pos, chunk, e)) return fail(e, chunk.offset);
        if (chunk.kind == item_kind::break_) {
            if (chunks <= 1) return chunked_string{only, true};
            return chunked_string{in.subspan(first, chunk.offset - first), false};
        }
        if (chunk.kind != chunk_kind) return fail(errc::invalid_cbor, chunk.offset);
        if (chunk_kind == item_kind::text_string) {
            if (auto ok = encoding::validate_utf8(chunk.bytes); !ok)
                return fail(errc::invalid_utf8, static_cast<std::size_t>(chunk.bytes.data() - in.data()) + ok.error().offset);
        }
        if (chunks == 0) only = chunk.bytes;
    }
}

class reader {
public:
    constexpr explicit reader(bytes_view input) noexcept : in_(input) {}

    /**
     * A reader at `offset` of `input`, inside `enclosing` containers that its caller tracks
     * (they count towards `max_depth`; a "break" that would close one is `invalid_cbor` in
     * `skip`). The innermost is definite with `innermost_remaining` elements left, or, when
     * that is 0, untracked like the others. Lets a reader built on `decode_item` skip one
     * item with `skip` exactly as a `reader` over the whole input would.
     * Precondition: `0 < enclosing < max_depth`.
     */
    constexpr reader(bytes_view input, std::size_t offset, std::size_t enclosing,
                     std::uint64_t innermost_remaining = 0) noexcept
        : in_(input), pos_(offset), depth_(enclosing) {
        // Indefinite frames: the elements read here are not counted against them.
        for (std::size_t i = 0; i < enclosing; ++i) stack_[i].indefinite = true;
        if (innermost_remaining != 0) stack_[enclosing - 1] = frame{innermost_remaining, false, 0xFF};
    }

    /** True when every byte was consumed and no container is open. */
    [[nodiscard]] constexpr bool at_end() const noexcept { return pos_ == in_.size() && depth_ == 0; }
    [[nodiscard]] constexpr std::size_t offset() const noexcept { return pos_; }

    /** Reads the next token. Containers must be consumed by the caller (or with `skip`). */
    [[nodiscard]] constexpr result<item> next() noexcept {
        if (pos_ >= in_.size()) return fail(errc::truncated_value, pos_);
        const auto ib = static_cast<std::uint8_t>(in_[pos_]);
        if (ib == 0xFF) {
            if (depth_ == 0 || !stack_[depth_ - 1].indefinite) return fail(errc::invalid_cbor, pos_);
            --depth_;
            item it{};
            it.kind = item_kind::break_;
            it.offset = pos_++;
            finish_element();
            return it;
        }
        const unsigned major = ib >> 5;
        if (depth_ > 0 && stack_[depth_ - 1].string_major != 0xFF && (major != stack_[depth_ - 1].string_major || (ib & 31u) == 31))
            return fail(errc::invalid_cbor, pos_);  // chunks must be definite strings of the same type
        item it{};
        errc e{};
        if (!detail::decode_into(in_, pos_, it, e)) return fail(e, it.offset);
        switch (it.kind) {
        case item_kind::byte_string_start:
        case item_kind::text_string_start: return push(it, true, static_cast<std::uint8_t>(major));
        case item_kind::array:
        case item_kind::map:
            if (!it.indefinite && it.uint == 0) break;
            return push(it, it.indefinite, 0xFF, it.kind == item_kind::map ? it.uint * 2 : it.uint);
        case item_kind::tag: return push(it, false, 0xFF, 1);
        default: break;
        }
        finish_element();
        return it;
    }

    /**
     * The chunks of the indefinite-length string whose head `next()` just returned (`start`),
     * read up to and past its "break" with `read_chunks` (its view and errors), which completes
     * the string as an element of the enclosing containers.
     */
    [[nodiscard]] constexpr result<chunked_string> chunks(const item& start) noexcept {
        LWM2M_ASSERT(depth_ > 0 && stack_[depth_ - 1].string_major != 0xFF);
        LWM2M_TRY(view, read_chunks(in_, pos_, start.kind));
        --depth_;  // the string's frame
        finish_element();
        return view;
    }

    /**
     * Skips one complete data item (with everything nested in it). Used for values of
     * unknown labels. Errors: as `next`, and `invalid_cbor` for a "break" where the item
     * should start. Completing the item may complete enclosing definite containers too (the
     * last value of a map): the depth then ends below where it started, which is not an error.
     */
    [[nodiscard]] constexpr result<void> skip() noexcept {
        const std::size_t base = depth_;
        auto first = next();
        if (!first) return unexpected{first.error()};
        if (first->kind == item_kind::break_) return fail(errc::invalid_cbor, first->offset);
        while (depth_ > base) {
            auto it = next();
            if (!it) return unexpected{it.error()};
        }
        return {};
    }

private:
    struct frame {
        std::uint64_t remaining = 0;    // elements left in a definite container
        bool indefinite = false;
        std::uint8_t string_major = 0xFF;  // 2/3 inside an indefinite string, else 0xFF
    };

    constexpr result<item> push(const item& it, bool indefinite, std::uint8_t string_major, std::uint64_t count = 0) noexcept {
        if (depth_ == max_depth) return fail(errc::invalid_cbor, it.offset);
        stack_[depth_++] = frame{count, indefinite, string_major};
        return it;
    }
    // A complete element was read: count it against the enclosing definite containers.
    constexpr void finish_element() noexcept {
        while (depth_ > 0 && !stack_[depth_ - 1].indefinite) {
            if (--stack_[depth_ - 1].remaining > 0) return;
            --depth_;  // that container is complete, which completes an element of its parent
        }
    }

    bytes_view in_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
    frame stack_[max_depth]{};
};

} // namespace lwm2m::format::cbor
