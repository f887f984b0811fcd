#pragma once
/**
 * @file cbor_chunks.hpp
 * The chunks of an indefinite-length CBOR string (RFC 8949 §3.2.3): what lies between the
 * 0x5F/0x7F head and the "break", a run of definite-length strings of the string's major
 * type. A value read from such a string views that run as it is (`text_encoding::cbor_chunks`);
 * this decodes it into the joined bytes. Allocation: none.
 */

#include <cstddef>
#include <cstdint>

#include <lwm2m/bytes.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::encoding {

/**
 * Calls `put_chunk(bytes_view)` with the contents of each chunk of `chunks` (the chunk heads
 * and contents of an indefinite-length string, without its 0x5F/0x7F head and its "break"),
 * in order; returns the joined length. Only the heads' lengths are read (RFC 8949 §3.1: 0-23
 * in the head, else 1, 2, 4 or 8 bytes after it), not their major types, which the reader
 * that made the view checked. Errors: `invalid_cbor` at the chunk whose head is not a
 * definite length or whose contents run past `chunks` (only for a view no reader checked).
 */
template <class PutChunk>
constexpr result<std::size_t> for_each_cbor_chunk(bytes_view chunks, PutChunk&& put_chunk) {
    std::size_t pos = 0;
    std::size_t total = 0;
    while (pos < chunks.size()) {
        const std::size_t at = pos;
        const unsigned info = static_cast<std::uint8_t>(chunks[pos++]) & 31u;
        std::uint64_t length = info;
        if (info >= 24) {
            if (info > 27) return fail(errc::invalid_cbor, at);
            const std::size_t n = std::size_t{1} << (info - 24);
            if (chunks.size() - pos < n) return fail(errc::invalid_cbor, at);
            length = load_be(chunks.subspan(pos, n));
            pos += n;
        }
        if (length > chunks.size() - pos) return fail(errc::invalid_cbor, at);
        put_chunk(chunks.subspan(pos, static_cast<std::size_t>(length)));
        pos += static_cast<std::size_t>(length);
        total += static_cast<std::size_t>(length);
    }
    return total;
}

} // namespace lwm2m::encoding
