#pragma once
/**
 * @file exchange/block2_reassembly.hpp
 * `block2_reassembly`: the bodies of block-wise responses (RFC 7959 §2.4, §3.3) put back
 * together in bounded buffers, for an engine that sends requests (the LwM2M Server, the
 * Bootstrap-Server). The engine hands each response over; this says whether it is whole,
 * which block to ask for next, or why the transfer failed. Sending the next request stays the
 * engine's. Allocation: none.
 */

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/block.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/errc.hpp>

namespace lwm2m::exchange {

/** What a result is made of: the one response's parts, or those of the reassembled body. */
struct response_parts {
    coap::code code = coap::code::empty;
    std::optional<std::uint16_t> content_format{};
    bytes_view payload{};
    std::optional<std::uint32_t> observe{};  ///< of the first block
};

/** What one response does to a reassembly. */
struct block2_verdict {
    enum class step : std::uint8_t {
        whole,  ///< the parts are the whole answer
        fetch,  ///< ask for `next` (the same request with Block2 `next`)
        failed  ///< the transfer cannot complete: `why`
    };
    step kind = step::whole;
    coap::block_option next{};
    errc why = errc::request_entity_incomplete;
};

/**
 * `MaxTransfers` reassembly buffers of `MaxBody` bytes each. A request being answered block by
 * block holds one (`slot`, `no_slot` while it holds none) from its first block with M=1 until
 * the engine `release`s it, after the last use of the whole body.
 */
template <std::size_t MaxBody, std::size_t MaxTransfers>
class block2_reassembly {
public:
    using slot = std::uint8_t;
    static constexpr slot no_slot = 0xFF;
    static_assert(MaxTransfers < no_slot);
    /// A body that changes while it is fetched is fetched again from block 0 this many times.
    static constexpr std::uint8_t max_restarts = 2;

    /**
     * The response `m` to a request holding `s`. Anything but a 2.xx with Block2 to a
     * `fetchable` request (GET, FETCH) is `whole` as it is, as is the only block of a body.
     * A block is appended; with M=1 the next one is to be fetched; with M=0 `parts` is the
     * whole body (valid until `release`). Fails on blocks out of order, a short block with
     * M=1 (§2.3), a body over MaxBody or Size2 over it (`request_entity_too_large`), no free
     * buffer (`capacity_exceeded`), a body that keeps changing (§2.4: another ETag or format
     * starts it again from block 0, `max_restarts` times).
     */
    [[nodiscard]] block2_verdict collect(slot& s, const coap::message_view& m, bool fetchable,
                                         response_parts& parts) noexcept {
        parts = response_parts{m.code(), m.content_format(), m.payload(), m.observe()};
        transfer* t = s == no_slot ? nullptr : &transfers_[s];
        const auto b2 = m.block2();
        if (!coap::is_success(m.code()) || !fetchable || !b2 || !*b2) {
            if (t == nullptr || !coap::is_success(m.code())) return {};  // an error ends it as is
            return failed(errc::request_entity_incomplete);              // a later "block" without Block2
        }
        const coap::block_option b = **b2;
        if (t == nullptr) {
            if (b.num != 0 || !b.more) return {};  // the only block, or one we did not ask for
            if (const auto size2 = m.size2(); size2 && *size2 > MaxBody) return failed(errc::request_entity_too_large);
            t = start(s, m);
            if (t == nullptr) return failed(errc::capacity_exceeded);
        } else if (t->restarting && b.num == 0) {
            t->begin(m);  // the body as it is now, from its first block
        } else if (b.offset() != t->size) {
            return failed(errc::request_entity_incomplete);  // out of order
        } else if (!t->same_etag(m) || m.content_format() != t->content_format) {
            // Another representation: the blocks so far are stale.
            if (t->restarts == max_restarts) return failed(errc::request_entity_incomplete);
            ++t->restarts;
            t->restarting = true;
            return fetch(coap::block_option{0, false, b.szx});
        }
        const bytes_view part = m.payload();
        if ((b.more && part.size() != b.size()) || part.size() > b.size()) return failed(errc::request_entity_incomplete);
        if (t->size + part.size() > MaxBody) return failed(errc::request_entity_too_large);
        std::copy(part.begin(), part.end(), t->body.begin() + static_cast<std::ptrdiff_t>(t->size));
        t->size += part.size();
        if (b.more) {
            if (b.num + 1 > coap::block_option::max_num) return failed(errc::request_entity_too_large);
            return fetch(coap::block_option{b.num + 1, false, b.szx});
        }
        parts = response_parts{t->code, t->content_format, bytes_view{t->body.data(), t->size}, t->observe};
        return {};
    }

    /** Frees `s`'s buffer (if it holds one); `s` becomes `no_slot`. */
    void release(slot& s) noexcept {
        if (s != no_slot) transfers_[s].used = false;
        s = no_slot;
    }

private:
    struct transfer {
        bool used = false;
        coap::code code = coap::code::empty;  // of the first block
        std::optional<std::uint16_t> content_format{};
        std::optional<std::uint32_t> observe{};
        std::uint8_t etag_size = 0;
        bool has_etag = false;
        std::array<std::byte, 8> etag{};
        std::uint8_t restarts = 0;  // times block 0 was asked again after the body changed
        bool restarting = false;    // block 0 asked again: its answer starts the body afresh
        std::size_t size = 0;
        std::array<std::byte, MaxBody> body{};

        /** Holds the representation whose first block is `m` (code, format, ETag), empty. */
        void begin(const coap::message_view& m) noexcept {
            code = m.code();
            content_format = m.content_format();
            has_etag = false;
            etag_size = 0;
            if (const auto tag = m.etag(); tag && tag->size() <= etag.size()) {
                has_etag = true;
                etag_size = static_cast<std::uint8_t>(tag->size());
                std::copy(tag->begin(), tag->end(), etag.begin());
            }
            restarting = false;
            size = 0;
        }
        [[nodiscard]] bool same_etag(const coap::message_view& m) const noexcept {
            const auto tag = m.etag();
            if (!tag) return !has_etag;
            return has_etag && std::equal(tag->begin(), tag->end(), etag.begin(), etag.begin() + etag_size);
        }
    };

    transfer* start(slot& s, const coap::message_view& m) noexcept {
        for (std::size_t i = 0; i < transfers_.size(); ++i) {
            transfer& t = transfers_[i];
            if (t.used) continue;
            t.used = true;
            t.observe = m.observe();
            t.restarts = 0;
            t.begin(m);
            s = static_cast<slot>(i);
            return &t;
        }
        return nullptr;
    }
    static constexpr block2_verdict failed(errc why) noexcept { return {block2_verdict::step::failed, {}, why}; }
    static constexpr block2_verdict fetch(coap::block_option next) noexcept { return {block2_verdict::step::fetch, next, {}}; }

    std::array<transfer, MaxTransfers> transfers_{};
};

} // namespace lwm2m::exchange
