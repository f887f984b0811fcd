#pragma once
/**
 * @file value_bytes.hpp
 * Decoding the bytes of string/corelnk/opaque values whatever their `text_encoding`:
 * streamed to any sink (for writers transcoding between formats) or copied into a caller
 * buffer. Allocation: none.
 */

#include <cstddef>
#include <type_traits>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/encoding/cbor_chunks.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m {

/**
 * A non-owning reference to a callable taking one `std::byte` (a function_ref). The byte
 * walkers below run through it at run time, so they are compiled once for every caller
 * instead of once per lambda (each copy is ~0.8 kB of Cortex-M code). Allocation: none.
 */
class byte_sink {
public:
    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, byte_sink>)
    // constexpr so that byte_sink is a literal type (a constexpr function may hold one on its
    // run-time path: `format::detail::for_each_char`); calls through it are run time only.
    constexpr byte_sink(F& f) noexcept  // NOLINT(google-explicit-constructor): a function_ref converts implicitly
        : context_(const_cast<void*>(static_cast<const void*>(&f))),
          call_([](void* c, std::byte b) { (*static_cast<F*>(c))(b); }) {}
    void operator()(std::byte b) const { call_(context_, b); }

private:
    void* context_;
    void (*call_)(void*, std::byte);
};

namespace detail {
template <class Put>
constexpr result<std::size_t> walk_value_bytes(const value& v, Put& put) {
    const bytes_view b = v.encoded_bytes();
    switch (v.encoding()) {
    case text_encoding::raw:
        for (std::byte x : b) put(x);
        return b.size();
    case text_encoding::json_escaped:
        if constexpr (!config::json_escaped_values) return fail(errc::json_escapes_not_supported);
        return encoding::json_unescape_each(as_chars(b), put);
    case text_encoding::base64:
    case text_encoding::base64url: {
        if constexpr (!config::base64_values) return fail(errc::base64_not_supported);
        const auto alphabet = v.encoding() == text_encoding::base64 ? encoding::base64_alphabet::standard
                                                                    : encoding::base64_alphabet::url;
        LWM2M_TRY(size, encoding::base64_decoded_size(as_chars(b), alphabet));
        encoding::base64_decode_valid_each(as_chars(b), alphabet, put);
        return size;
    }
    case text_encoding::cbor_chunks:
        // No reader makes such a value when they are left out (config.hpp).
        if constexpr (!config::cbor_indefinite_strings) return fail(errc::indefinite_string_not_supported);
        return encoding::for_each_cbor_chunk(b, [&](bytes_view chunk) {
            for (std::byte x : chunk) put(x);
        });
    }
    return fail(errc::invalid_argument);
}

/** The one run-time instantiation of the walker (escaped, base64 and chunked text). */
inline result<std::size_t> walk_encoded_value_bytes(const value& v, byte_sink put) {
    return walk_value_bytes(v, put);
}
} // namespace detail

/**
 * Calls `put(std::byte)` for each decoded byte of a byte-sequence value.
 * Errors: `invalid_json`, `invalid_utf8`, `invalid_base64`, `invalid_cbor` (only for values not
 * validated by their reader); `json_escapes_not_supported` / `indefinite_string_not_supported` /
 * `base64_not_supported` for an escaped / chunked / base64 value in a build that leaves its
 * decoding out (config.hpp). Returns the decoded length. Raw bytes are walked inline; escaped,
 * base64 or chunked text goes through one shared, type-erased decoder (`byte_sink`) at run time.
 */
template <class Put>
constexpr result<std::size_t> for_each_value_byte(const value& v, Put&& put) {
    if (std::is_constant_evaluated()) return detail::walk_value_bytes(v, put);
    if (v.encoding() == text_encoding::raw) {
        for (std::byte x : v.encoded_bytes()) put(x);
        return v.encoded_bytes().size();
    }
    return detail::walk_encoded_value_bytes(v, byte_sink{put});
}

/** Decoded length of a byte-sequence value. */
[[nodiscard]] constexpr result<std::size_t> value_byte_size(const value& v) noexcept {
    if (v.encoding() == text_encoding::raw) return v.encoded_bytes().size();
    return for_each_value_byte(v, [](std::byte) {});
}

/** Copies the decoded bytes into `out`. Errors: as above, `buffer_too_small` (needed size). */
[[nodiscard]] constexpr result<std::size_t> copy_value_bytes(const value& v, mutable_bytes out) noexcept {
    std::size_t o = 0;
    auto r = for_each_value_byte(v, [&](std::byte b) {
        if (o < out.size()) out[o] = b;
        ++o;
    });
    if (!r) return r;
    if (o > out.size()) return fail(errc::buffer_too_small, o);
    return o;
}

} // namespace lwm2m
