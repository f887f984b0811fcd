#pragma once
/**
 * @file dedup_cache.hpp
 * Message deduplication (RFC 7252 §4.5): remembers (peer, Message ID) of received CON and
 * NON messages for EXCHANGE_LIFETIME / NON_LIFETIME together with the bytes of the answer
 * that was sent, so a duplicate gets the same answer again and is never processed twice
 * (an Execute is not executed twice). Fixed capacity; when full, the entry that expires
 * first is replaced. Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>

#include <lwm2m/bytes.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/peer.hpp>

namespace lwm2m::exchange {

template <std::size_t Entries, std::size_t MaxAnswer>
class dedup_cache {
    static_assert(Entries > 0);

public:
    struct entry {
        peer_id peer{};
        std::uint16_t message_id = 0;
        bool used = false;
        time_point expires{};
        std::size_t answer_size = 0;  // 0: no answer (e.g. a NON request we did not answer)
        std::array<std::byte, MaxAnswer> answer{};

        [[nodiscard]] bytes_view answer_bytes() const noexcept { return {answer.data(), answer_size}; }
    };

    /** The live entry for (peer, mid), or nullptr. */
    [[nodiscard]] constexpr const entry* find(peer_id peer, std::uint16_t mid, time_point now) const noexcept {
        for (const entry& e : entries_)
            if (e.used && e.message_id == mid && e.peer == peer && e.expires > now) return &e;
        return nullptr;
    }

    /**
     * Records (peer, mid) with the answer sent for it (copied; truncated answers are not
     * stored: an answer larger than MaxAnswer is remembered as "processed, no cached answer").
     */
    constexpr entry& remember(peer_id peer, std::uint16_t mid, time_point expires, bytes_view answer) noexcept {
        entry* slot = &entries_[0];
        for (entry& e : entries_) {
            if (!e.used || (e.peer == peer && e.message_id == mid)) { slot = &e; break; }
            if (e.expires < slot->expires) slot = &e;
        }
        slot->peer = peer;
        slot->message_id = mid;
        slot->used = true;
        slot->expires = expires;
        slot->answer_size = answer.size() <= MaxAnswer ? answer.size() : 0;
        for (std::size_t i = 0; i < slot->answer_size; ++i) slot->answer[i] = answer[i];
        return *slot;
    }

    /** Drops expired entries (optional housekeeping; lookups ignore them anyway). */
    constexpr void expire(time_point now) noexcept {
        for (entry& e : entries_)
            if (e.used && e.expires <= now) e.used = false;
    }

    [[nodiscard]] static constexpr std::size_t capacity() noexcept { return Entries; }

private:
    std::array<entry, Entries> entries_{};
};

} // namespace lwm2m::exchange
