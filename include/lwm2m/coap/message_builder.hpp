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
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

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
    std::uint8_t inline_length;
    std::array<std::byte, 4> inline_value;
    bool is_inline;
    // Pointer and size rather than a bytes_view: std::span's default constructor would make
    // every unused slot cost two stores when a builder is created.
    const std::byte* referenced_data;
    std::size_t referenced_size;

    [[nodiscard]] constexpr bytes_view value() const noexcept {
        return is_inline ? bytes_view{inline_value.data(), inline_length} : bytes_view{referenced_data, referenced_size};
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
        lwm2m::detail::copy_bytes(token_.data(), t.data(), t.size());
        return *this;
    }
    /** References the payload (not copied). */
    constexpr message_builder_base& payload(bytes_view body) noexcept { payload_ = body; return *this; }
    message_builder_base& payload(std::string_view body) noexcept { return payload(as_bytes(body)); }

    /** Adds an option with a referenced value. Errors (sticky): `capacity_exceeded`. */
    constexpr message_builder_base& option(option_number n, bytes_view value) noexcept {
        builder_option o{};
        o.number = n;
        o.referenced_data = value.data();
        o.referenced_size = value.size();
        return insert(o);
    }
    message_builder_base& option(option_number n, std::string_view value) noexcept { return option(n, as_bytes(value)); }
    /** Adds a uint option (copied, shortest encoding). */
    constexpr message_builder_base& uint_option(option_number n, std::uint32_t value) noexcept {
        builder_option o{};
        o.number = n;
        o.is_inline = true;
        o.inline_length = static_cast<std::uint8_t>(uint_length(value));
        store_be(value, mutable_bytes{o.inline_value.data(), o.inline_length});
        return insert(o);
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
    constexpr void clear_options() noexcept { count_ = 0; }
    /** Options added so far, in encoding order. */
    [[nodiscard]] constexpr std::span<const builder_option> options() const noexcept { return storage_.first(count_); }

    /** Serializes into `out`. Errors: the first sticky error, any `message_writer` error,
     *  `buffer_too_small` with the size needed. */
    [[nodiscard]] constexpr result<std::size_t> serialize(mutable_bytes out) const noexcept {
        if (has_error_) return fail(error_);
        message_writer w{out};
        w.header(type_, code_, message_id_, bytes_view{token_.data(), token_length_});
        for (const builder_option& o : options()) w.option(o.number, o.value());
        w.payload(payload_);
        return w.finish();
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
    constexpr explicit message_builder_base(std::span<builder_option> storage) noexcept : storage_(storage) {}
    constexpr void copy_state_from(const message_builder_base& o) noexcept {
        type_ = o.type_; code_ = o.code_; message_id_ = o.message_id_; token_ = o.token_;
        token_length_ = o.token_length_; payload_ = o.payload_; error_ = o.error_; has_error_ = o.has_error_; count_ = 0;
        for (const builder_option& x : o.options()) insert(x);
    }

private:
    constexpr message_builder_base& block(option_number n, block_option b) noexcept {
        if (b.szx > 6 || b.num > block_option::max_num) return set_error(errc::invalid_block_option);
        return uint_option(n, b.encode());
    }
    // Stable insertion keeps repeated options in the order added; options usually come in
    // ascending order, so this is O(1) per option in practice.
    constexpr message_builder_base& insert(const builder_option& o) noexcept {
        if (count_ == storage_.size()) return set_error(errc::capacity_exceeded);
        std::size_t i = count_;
        // Options usually come in order: append without entering the shifting loop.
        if (i != 0 && static_cast<std::uint16_t>(storage_[i - 1].number) > static_cast<std::uint16_t>(o.number)) [[unlikely]] {
            while (i > 0 && static_cast<std::uint16_t>(storage_[i - 1].number) > static_cast<std::uint16_t>(o.number)) {
                storage_[i] = storage_[i - 1];
                --i;
            }
        }
        storage_[i] = o;
        ++count_;
        return *this;
    }
    constexpr message_builder_base& set_error(errc e) noexcept {
        if (!has_error_) {
            error_ = e;
            has_error_ = true;
        }
        return *this;
    }

    std::span<builder_option> storage_;
    std::size_t count_ = 0;
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
