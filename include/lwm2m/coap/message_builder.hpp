#pragma once
/**
 * @file message_builder.hpp
 * `message_builder<N>`: describe a CoAP message with options in any order, then serialize
 * it into a caller buffer (options sorted, repeated options kept in the order they were
 * added). `static_message<N>` owns the bytes of a built message.
 *
 * String and opaque option values and the payload are *referenced*, not copied: they must
 * outlive the builder until `serialize()`. Uint values and the token are copied.
 * Capacity-erased: `message_builder_base` holds the logic once for every `N`.
 * Allocation: none.
 */

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/block.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_type.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/message_writer.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::coap {

/** One stored option of a builder: a referenced value, or up to 4 inline bytes for uints. */
struct builder_option {
    // No default member initialisers: a builder's option slots are left uninitialised until used.
    option_number number;
    bool is_inline;  ///< the value is copied in `inline_value` (a uint option), not referenced
    /// Set by the builder for `serialize`: the first byte of the option's header (RFC 7252
    /// §3.1) when the delta from the option before it is below 13, the number below 64 and the
    /// length valid and below 269 (then the header is that byte, and `size - 13` when the
    /// length is 13 or more), else 0xFF.
    std::uint8_t header;
    /// A uint value in its 4-byte big-endian form; the value is its last `size` bytes.
    std::array<std::byte, 4> inline_value;
    // The value's bytes and size; pointer and size rather than a bytes_view: std::span's default
    // constructor would make every unused slot cost two stores when a builder is created. In a
    // builder's storage `data` of an inline value points into that slot's own `inline_value`, so
    // that serializing needs no branch; `value()` does not rely on it (a copy may have moved).
    const std::byte* data;
    std::size_t size;

    [[nodiscard]] constexpr bytes_view value() const noexcept {
        return is_inline ? bytes_view{inline_value.data() + (4 - size), size} : bytes_view{data, size};
    }
};

/** Builder logic over caller-provided option storage; use `message_builder<N>`. */
class message_builder_base {
public:
    message_builder_base(const message_builder_base&) = delete;
    message_builder_base& operator=(const message_builder_base&) = delete;

    constexpr message_builder_base& type(message_type t) noexcept { type_ = t; return *this; }
    /** The message type set so far (CON by default). */
    [[nodiscard]] constexpr message_type type() const noexcept { return type_; }
    constexpr message_builder_base& code(coap::code c) noexcept { code_ = c; return *this; }
    constexpr message_builder_base& message_id(std::uint16_t id) noexcept { message_id_ = id; return *this; }
    /** Copies the token. Errors (sticky): `invalid_token_length` when longer than 8 bytes. */
    constexpr message_builder_base& token(bytes_view t) noexcept {
        if (t.size() > config::coap_max_token_length) return set_error(errc::invalid_token_length);
        token_length_ = static_cast<std::uint8_t>(t.size());
        detail::copy_short(token_.data(), t.data(), t.size());
        return *this;
    }
    /** References the payload (not copied). */
    constexpr message_builder_base& payload(bytes_view body) noexcept { payload_ = body; return *this; }
    /** The payload set so far (a view: its bytes must outlive `serialize`). */
    [[nodiscard]] constexpr bytes_view payload() const noexcept { return payload_; }
    message_builder_base& payload(std::string_view body) noexcept { return payload(as_bytes(body)); }

    /** Adds an option with a referenced value. Errors (sticky): `capacity_exceeded`. */
    LWM2M_HOT_INLINE constexpr message_builder_base& option(option_number n, bytes_view value) noexcept {
        builder_option* const o = next_;
        const auto number = static_cast<std::uint32_t>(n);
        const std::size_t length = value.size();
        const std::uint32_t delta = number - last_number_;  // wraps (huge) when out of order
        // Appended with a header known now (`builder_option::header`): in order, a delta below
        // 13, a number below 64, a valid length below 269.
        if (LWM2M_COAP_FAST_PATH && o != end_ && (delta | (number & ~63u)) < 13) [[likely]] {
            if (length < 13) {
                if (detail::short_lengths.ok(number, length)) [[likely]]
                    return append_referenced(o, n, (delta << 4) | static_cast<std::uint32_t>(length), value);
            } else if (length < 269 && detail::option_lengths.fast_ok(number, static_cast<std::uint32_t>(length))) {
                return append_referenced(o, n, (delta << 4) | 13u, value);
            }
        }
        builder_option* const s = slot_for_other(n);
        if (s == nullptr) return *this;
        s->is_inline = false;
        s->data = value.data();
        s->size = length;
        return *this;
    }
    message_builder_base& option(option_number n, std::string_view value) noexcept { return option(n, as_bytes(value)); }
    /** Adds a uint option (copied, shortest encoding). */
    LWM2M_HOT_INLINE constexpr message_builder_base& uint_option(option_number n, std::uint32_t value) noexcept {
        builder_option* const o = next_;
        const auto number = static_cast<std::uint32_t>(n);
        const std::size_t length = detail::uint32_length(value);
        const std::uint32_t delta = number - last_number_;
        if (LWM2M_COAP_FAST_PATH && o != end_ && (delta | (number & ~63u)) < 13 && detail::short_lengths.ok(number, length)) [[likely]] {
            o->number = n;
            o->header = static_cast<std::uint8_t>((delta << 4) | length);
            set_inline(*o, value, length);
            next_ = o + 1;
            last_number_ = number;
            return *this;
        }
        builder_option* const s = slot_for_other(n);
        if (s == nullptr) return *this;
        set_inline(*s, value, length);
        return *this;
    }
    /** Adds an empty option (e.g. If-None-Match). */
    constexpr message_builder_base& empty_option(option_number n) noexcept { return option(n, bytes_view{}); }

    // Named helpers for the options LwM2M uses most.
    message_builder_base& uri_path(std::string_view segment) noexcept { return option(option_number::uri_path, segment); }
    /**
     * Adds one Uri-Path option per '/'-separated segment of `path` (a leading '/' is
     * skipped; "/" or "" adds none). Empty segments are kept, as RFC 7252 §6.4 step 8
     * does: "/rd/" gives "rd" and "". The segments reference `path`.
     */
    message_builder_base& uri_path_segments(std::string_view path) noexcept {
        if (!path.empty() && path.front() == '/') path.remove_prefix(1);
        if (path.empty()) return *this;
        for (;;) {
            const std::size_t slash = path.find('/');
            uri_path(slice(path, 0, slash));
            if (slash == std::string_view::npos) break;
            path.remove_prefix(slash + 1);
        }
        return *this;
    }
    message_builder_base& uri_query(std::string_view arg) noexcept { return option(option_number::uri_query, arg); }
    message_builder_base& location_path(std::string_view segment) noexcept {
        return option(option_number::location_path, segment);
    }
    constexpr message_builder_base& content_format(std::uint16_t cf) noexcept {
        return uint_option(option_number::content_format, cf);
    }
    constexpr message_builder_base& accept(std::uint16_t cf) noexcept { return uint_option(option_number::accept, cf); }
    constexpr message_builder_base& observe(std::uint32_t value) noexcept {
        return uint_option(option_number::observe, value & 0xFFFFFFu);
    }
    constexpr message_builder_base& max_age(std::uint32_t seconds) noexcept {
        return uint_option(option_number::max_age, seconds);
    }
    constexpr message_builder_base& block1(block_option b) noexcept { return block(option_number::block1, b); }
    constexpr message_builder_base& block2(block_option b) noexcept { return block(option_number::block2, b); }
    constexpr message_builder_base& size1(std::uint32_t s) noexcept { return uint_option(option_number::size1, s); }
    constexpr message_builder_base& size2(std::uint32_t s) noexcept { return uint_option(option_number::size2, s); }
    constexpr message_builder_base& etag(bytes_view tag) noexcept { return option(option_number::etag, tag); }

    /** Removes every option (keeps header fields, token and payload). */
    constexpr void clear_options() noexcept {
        next_ = first_;
        last_number_ = 0;
    }
    /** Options added so far, in encoding order. */
    [[nodiscard]] constexpr std::span<const builder_option> options() const noexcept { return {first_, next_}; }

    /** Serializes into `out`. Errors: the first sticky error, any `message_writer` error,
     *  `buffer_too_small` with the size needed. */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr result<std::size_t> serialize(mutable_bytes out) const noexcept {
        if (has_error_) return fail(error_);
        if (!LWM2M_COAP_FAST_PATH) return serialize_checked(out);  // size builds: the writer alone
        // Fast path: a header the writer accepts (`token` keeps token_length_ <= 8), options
        // (sorted already) whose headers were worked out when they were added, and room for
        // everything: the bytes the writer would produce, without its checks and bookkeeping.
        // Anything else is done again by the writer, whose errors (and partial writes) are then
        // the ones reported.
        if (!detail::type_code_fast_ok(type_, code_) || out.size() < 4u + token_length_) [[unlikely]]
            return serialize_checked(out);
        std::byte* p = out.data();
        std::byte* const end = p + out.size();
        detail::put_header(p, type_, code_, message_id_, token_length_);
        detail::copy_short(p + 4, token_.data(), token_length_);
        p += 4 + token_length_;
        for (const builder_option* o = first_; o != next_; ++o) {
            const std::size_t length = o->size;
            const auto room = static_cast<std::size_t>(end - p);
            if (o->header != 0xFF) [[likely]] {
                if (length < 13) {
                    if (length >= room) [[unlikely]] return serialize_checked(out);
                    p[0] = static_cast<std::byte>(o->header);
                    detail::copy_short(p + 1, o->data, length);
                    p += 1 + length;
                } else {
                    if (length + 2 > room) [[unlikely]] return serialize_checked(out);
                    p[0] = static_cast<std::byte>(o->header);
                    p[1] = static_cast<std::byte>(length - 13);
                    lwm2m::detail::copy_bytes(p + 2, o->data, length);
                    p += 2 + length;
                }
                continue;
            }
            p = put_other(o, p, room);
            if (p == nullptr) return serialize_checked(out);
        }
        if (!payload_.empty()) {
            if (payload_.size() >= static_cast<std::size_t>(end - p)) return serialize_checked(out);
            *p++ = std::byte{0xFF};
            detail::copy_any(p, payload_.data(), payload_.size());
            p += payload_.size();
        }
        return static_cast<std::size_t>(p - out.data());
    }
    /** Exact size `serialize` needs, or the error it would report. */
    [[nodiscard]] constexpr result<std::size_t> encoded_size() const noexcept {
        auto r = serialize(mutable_bytes{});
        if (!r && r.error().code == errc::buffer_too_small) return r.error().offset;
        return r;
    }
    /** The first error recorded by a setter, if any. */
    [[nodiscard]] constexpr std::optional<errc> status() const noexcept {
        return has_error_ ? std::optional<errc>{error_} : std::nullopt;
    }

protected:
    constexpr explicit message_builder_base(std::span<builder_option> storage) noexcept
        : first_(storage.data()), next_(storage.data()), end_(storage.data() + storage.size()) {}
    constexpr void copy_state_from(const message_builder_base& o) noexcept {
        type_ = o.type_; code_ = o.code_; message_id_ = o.message_id_; token_ = o.token_;
        token_length_ = o.token_length_; payload_ = o.payload_; error_ = o.error_; has_error_ = o.has_error_;
        clear_options();
        for (const builder_option& x : o.options()) {  // in order: appended, headers still right
            if (next_ == end_) {
                set_error(errc::capacity_exceeded);
                break;
            }
            *next_ = x;
            rebind(*next_);
            last_number_ = static_cast<std::uint32_t>(x.number);
            ++next_;
        }
    }

private:
    constexpr message_builder_base& block(option_number n, block_option b) noexcept {
        if (b.szx > 6 || b.num > block_option::max_num) return set_error(errc::invalid_block_option);
        return uint_option(n, b.encode());
    }
    // Appends the option in slot `o` with its `header`.
    LWM2M_HOT_INLINE constexpr message_builder_base& append_referenced(builder_option* o, option_number n,
                                                                          std::uint32_t header, bytes_view value) noexcept {
        o->number = n;
        o->is_inline = false;
        o->header = static_cast<std::uint8_t>(header);
        o->data = value.data();
        o->size = value.size();
        next_ = o + 1;
        last_number_ = static_cast<std::uint32_t>(n);
        return *this;
    }
    // `serialize` of an option without a header worked out (a delta from 13, a number from 64 or
    // a length from 269 up, an invalid length, added out of order) at `p`, `room` bytes left:
    // the end of the option, or nullptr to leave it all to the writer.
    LWM2M_NOINLINE constexpr std::byte* put_other(const builder_option* o, std::byte* p, std::size_t room) const noexcept {
        const auto number = static_cast<std::uint32_t>(o->number);
        const std::uint32_t delta = number - (o == first_ ? 0u : static_cast<std::uint32_t>(o[-1].number));
        if (!detail::option_lengths.fast_ok(number, static_cast<std::uint32_t>(o->size)) || o->size + 5 > room)
            return nullptr;
        return detail::put_option(p, delta, o->data, o->size);
    }
    // The writer does it all, checks included: the reference behaviour, for whatever the fast
    // path of `serialize` does not take.
    LWM2M_NOINLINE constexpr result<std::size_t> serialize_checked(mutable_bytes out) const noexcept {
        message_writer w{out};
        w.header(type_, code_, message_id_, bytes_view{token_.data(), token_length_});
        for (const builder_option& o : options()) w.option_in_order(o.number, o.value());  // kept sorted
        w.payload(payload_);
        return w.finish();
    }
    // The slot for an option that `option`/`uint_option` cannot append with its header worked out
    // (header 0xFF: left to `serialize`), its `number` and `header` set, the caller fills in the value; nullptr when
    // the storage is full (`capacity_exceeded`). Stable insertion keeps repeated options in the
    // order added.
    constexpr builder_option* slot_for_other(option_number n) noexcept {
        builder_option* const s = next_;
        if (s == end_) {
            set_error(errc::capacity_exceeded);
            return nullptr;
        }
        next_ = s + 1;
        if (static_cast<std::uint32_t>(n) >= last_number_) {
            last_number_ = static_cast<std::uint32_t>(n);
            s->number = n;
            s->header = 0xFF;
            return s;
        }
        return make_room(s, n);
    }
    // Out of order: moves the options numbered above `n` one slot up (from `free`, the first
    // unused slot) and returns the slot freed for `n`, its number and header set. The option
    // after it has a new predecessor: both headers are left to `serialize`.
    LWM2M_NOINLINE constexpr builder_option* make_room(builder_option* free, option_number n) noexcept {
        builder_option* s = free;
        while (s != first_ && s[-1].number > n) {
            *s = s[-1];
            rebind(*s);
            --s;
        }
        s[0].number = n;
        s[0].header = 0xFF;
        s[1].header = 0xFF;
        return s;
    }
    // Stores a uint value inline, `length` = uint_length(value).
    static constexpr void set_inline(builder_option& o, std::uint32_t value, std::size_t length) noexcept {
        o.is_inline = true;
        if (std::is_constant_evaluated()) {
            store_be(value, mutable_bytes{o.inline_value});
        } else {
            // One 4-byte store of the value in big-endian byte order.
            const std::uint32_t be = std::endian::native == std::endian::little
                                         ? (value >> 24) | ((value >> 8) & 0xFF00u) | ((value << 8) & 0xFF0000u) | (value << 24)
                                         : value;
            std::memcpy(o.inline_value.data(), &be, 4);
        }
        o.data = o.inline_value.data() + (4 - length);
        o.size = length;
    }
    // An inline value's `data` points into its own slot (after a copy or a move).
    static constexpr void rebind(builder_option& o) noexcept {
        if (o.is_inline) o.data = o.inline_value.data() + (4 - o.size);
    }
    constexpr message_builder_base& set_error(errc e) noexcept {
        if (!has_error_) {
            error_ = e;
            has_error_ = true;
        }
        return *this;
    }

    builder_option* first_;          // the storage: [first_, end_)
    builder_option* next_;           // the first unused slot
    builder_option* end_;
    std::uint32_t last_number_ = 0;  // the largest option number added (0 without options)
    bytes_view payload_{};
    std::array<std::byte, 8> token_{};
    std::uint8_t token_length_ = 0;
    message_type type_ = message_type::confirmable;
    coap::code code_ = code::get;
    std::uint16_t message_id_ = 0;
    errc error_{};  // errc + flag: see message_writer
    bool has_error_ = false;
};

namespace detail {
/**
 * The option storage of a `message_builder<N>`. A base class listed before
 * `message_builder_base`, so the array exists (its lifetime has begun) when the base is
 * handed a span of it; a member would only be initialised after the base.
 */
template <std::size_t MaxOptions>
struct builder_storage {
    // User-provided and empty: `slots` is default-initialised, so unused slots are never zeroed.
    constexpr builder_storage() noexcept {}
    std::array<builder_option, MaxOptions> slots;
};
} // namespace detail

/** A builder with room for `MaxOptions` options. Copying rebinds to the copy's own storage. */
template <std::size_t MaxOptions = config::coap_default_max_options>
class message_builder : private detail::builder_storage<MaxOptions>, public message_builder_base {
    using storage = detail::builder_storage<MaxOptions>;

public:
    constexpr message_builder() noexcept : storage(), message_builder_base(storage::slots) {}
    constexpr message_builder(const message_builder& o) noexcept : storage(), message_builder_base(storage::slots) {
        copy_state_from(o);
    }
    constexpr message_builder& operator=(const message_builder& o) noexcept {
        if (this != &o) copy_state_from(o);
        return *this;
    }
};

/** Owns the bytes of one built message of at most `Capacity` bytes. */
template <std::size_t Capacity>
class static_message {
public:
    /** Serializes `b` into the owned storage and returns a view of the result. */
    [[nodiscard]] constexpr result<message_view> assign(const message_builder_base& b) & noexcept {
        auto n = b.serialize(mutable_bytes{bytes_});
        if (!n) { size_ = 0; return unexpected{n.error()}; }
        size_ = *n;
        return parse(bytes());
    }
    /** A view into a temporary would dangle. */
    result<message_view> assign(const message_builder_base& b) && = delete;
    /** The serialized bytes. */
    [[nodiscard]] constexpr bytes_view bytes() const noexcept { return bytes_view{bytes_.data(), size_}; }
    [[nodiscard]] static constexpr std::size_t capacity() noexcept { return Capacity; }

private:
    std::array<std::byte, Capacity> bytes_{};
    std::size_t size_ = 0;
};

} // namespace lwm2m::coap
