#pragma once
/**
 * @file model/objlnk_text.hpp
 * The text form of an object link, "ObjID:InstID" (LwM2M 1.1 Core §7.4.4 "vlo", §7.4.5,
 * 1.0 JSON "ov", LwM2M CBOR text links): each id 0..65535 in 1 to 5 decimal digits (leading
 * zeros accepted), 65535:65535 the null link. One parser and one formatter for every format
 * that carries links as text. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m {

/** Most characters `format_objlnk` writes: "65535:65535". */
inline constexpr std::size_t max_objlnk_text = 11;

/** Parses "ObjID:InstID" fed one character at a time (text that may still be escaped is fed decoded). */
class objlnk_parser {
public:
    constexpr void put(char c) noexcept {
        if (bad_) return;
        if (c == ':') {
            if (second_ || digits_ == 0) bad_ = true;
            second_ = true;
            digits_ = 0;
            return;
        }
        if (c < '0' || c > '9' || ++digits_ > 5) {
            bad_ = true;
            return;
        }
        std::uint32_t& id = second_ ? instance_ : object_;
        id = id * 10 + static_cast<std::uint32_t>(c - '0');
        if (id > 0xFFFF) bad_ = true;
    }
    /** The link, or nullopt when the characters were not "ObjID:InstID". */
    [[nodiscard]] constexpr std::optional<objlnk> finish() const noexcept {
        if (bad_ || !second_ || digits_ == 0) return std::nullopt;
        return objlnk{static_cast<std::uint16_t>(object_), static_cast<std::uint16_t>(instance_)};
    }

private:
    std::uint32_t object_ = 0;
    std::uint32_t instance_ = 0;
    std::size_t digits_ = 0;
    bool second_ = false;
    bool bad_ = false;
};

/** The link that `text` spells, or nullopt. */
[[nodiscard]] constexpr std::optional<objlnk> parse_objlnk(bytes_view text) noexcept {
    objlnk_parser p;
    for (const std::byte b : text) p.put(static_cast<char>(b));
    return p.finish();
}

/** Writes "ObjID:InstID" into `out` (room for `max_objlnk_text` chars); returns the length. */
constexpr std::size_t format_objlnk(objlnk l, char* out) noexcept {
    std::size_t n = detail::path_write_decimal(l.object_id, out);
    out[n++] = ':';
    return n + detail::path_write_decimal(l.instance_id, out + n);
}

} // namespace lwm2m
