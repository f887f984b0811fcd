#pragma once
/**
 * @file dedup_cache.hpp
 * Message deduplication (RFC 7252 §4.5): remembers (peer, Message ID) of received CON and
 * NON messages for EXCHANGE_LIFETIME / NON_LIFETIME together with the bytes of the answer
 * that was sent, so a duplicate gets the same answer again and is never processed twice
 * (an Execute is not executed twice). Fixed capacity; when full, the oldest entry makes room
 * (entries are remembered in the order they expire but for NON ones, which live shorter).
 *
 * Layout: compact keys apart from the answers (a lookup never walks over cached datagrams).
 * Up to 32 entries the keys are scanned (a client); above that an open-addressing hash
 * table over the keys makes lookups O(1) (a server remembers thousands of exchanges).
 * Allocation: none.
 */

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <lwm2m/bytes.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/peer.hpp>

namespace lwm2m::exchange {

template <std::size_t Entries, std::size_t MaxAnswer>
class dedup_cache {
    static_assert(Entries > 0 && Entries < 0x7FFFFFFF);

public:
    struct entry {
        peer_id peer{};
        std::uint16_t message_id = 0;
        bool used = false;
        time_point expires{};
        std::size_t answer_size = 0;  // 0: no answer (e.g. a NON request we did not answer)
        const std::byte* answer_data = nullptr;

        [[nodiscard]] bytes_view answer_bytes() const noexcept { return {answer_data, answer_size}; }
    };

    /** The live entry for (peer, mid), or nullptr. */
    [[nodiscard]] constexpr const entry* find(peer_id peer, std::uint16_t mid, time_point now) const noexcept {
        const std::size_t i = lookup(peer, mid);
        if (i == npos || entries_[i].expires <= now) return nullptr;
        return &entries_[i];
    }

    /**
     * Records (peer, mid) with the answer sent for it (copied; truncated answers are not
     * stored: an answer larger than MaxAnswer is remembered as "processed, no cached answer").
     */
    constexpr const entry& remember(peer_id peer, std::uint16_t mid, time_point expires, bytes_view answer) noexcept {
        const claimed c = claim(peer, mid, expires);
        if (answer.size() <= MaxAnswer) {
            for (std::size_t k = 0; k < answer.size(); ++k) c.answer[k] = answer[k];
            c.commit(answer.size());
        }
        return *c.e;
    }

    /** An entry claimed by `claim`: its answer storage, and how to record the answer's size. */
    struct claimed {
        entry* e;
        mutable_bytes answer;  // MaxAnswer bytes
        constexpr void commit(std::size_t size) const noexcept { e->answer_size = size <= answer.size() ? size : 0; }
    };

    /**
     * Records (peer, mid) with no answer yet and hands out the entry's answer storage, so the
     * answer is serialized in place (no staging copy); `commit` then records its size. Until
     * then the entry reads as "processed, no cached answer".
     */
    // Out of line: `remember` and the endpoint's finish_response share it (inlined at both at -Os).
    [[gnu::noinline]] constexpr claimed claim(peer_id peer, std::uint16_t mid, time_point expires) noexcept {
        std::size_t i = lookup(peer, mid);
        if (i == npos) {
            i = oldest_;
            oldest_ = (oldest_ + 1) % Entries;
            if (entries_[i].used) unlink(i);
            entries_[i].peer = peer;
            entries_[i].message_id = mid;
            entries_[i].used = true;
            link(i);
        }
        entry& e = entries_[i];
        e.expires = expires;
        e.answer_size = 0;
        e.answer_data = answers_[i].data();
        return claimed{&e, mutable_bytes{answers_[i]}};
    }

    /**
     * Forgets the entry `claim` handed out: a duplicate of that message is then processed
     * again. For requests that may be (RFC 7252 §4.5: idempotent ones) and whose answer is
     * too large to keep here.
     */
    constexpr void forget(const claimed& c) noexcept {
        const auto i = static_cast<std::size_t>(c.e - entries_.data());
        if (!entries_[i].used) return;
        unlink(i);
        entries_[i].used = false;
    }

    /** Drops expired entries (optional housekeeping; lookups ignore them anyway). */
    constexpr void expire(time_point now) noexcept {
        for (std::size_t i = 0; i < Entries; ++i)
            if (entries_[i].used && entries_[i].expires <= now) {
                unlink(i);
                entries_[i].used = false;
            }
    }

    [[nodiscard]] static constexpr std::size_t capacity() noexcept { return Entries; }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    static constexpr bool indexed = Entries > 32;
    // Twice as many buckets as entries (a power of two): probe runs stay short.
    static constexpr std::size_t buckets = indexed ? std::bit_ceil(2 * Entries) : 0;
    using bucket = std::conditional_t<(Entries < 0xFFFF), std::uint16_t, std::uint32_t>;  // entry + 1; 0 empty

    static constexpr std::size_t home(peer_id peer, std::uint16_t mid) noexcept {
        const std::uint64_t key = (std::uint64_t{peer.value} << 16) | mid;
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & (buckets - 1);
    }

    constexpr std::size_t lookup(peer_id peer, std::uint16_t mid) const noexcept {
        if constexpr (!indexed) {
            for (std::size_t i = 0; i < Entries; ++i)
                if (entries_[i].used && entries_[i].message_id == mid && entries_[i].peer == peer) return i;
            return npos;
        } else {
            for (std::size_t b = home(peer, mid);; b = (b + 1) & (buckets - 1)) {
                if (table_[b] == 0) return npos;
                const entry& e = entries_[table_[b] - 1u];
                if (e.message_id == mid && e.peer == peer) return table_[b] - 1u;
            }
        }
    }

    constexpr void link(std::size_t i) noexcept {
        if constexpr (indexed) {
            std::size_t b = home(entries_[i].peer, entries_[i].message_id);
            while (table_[b] != 0) b = (b + 1) & (buckets - 1);
            table_[b] = static_cast<bucket>(i + 1);
        }
    }

    // Removes entry i from the table with backward-shift deletion (linear probing keeps no
    // tombstones: every later entry of the probe run that may move closer to home does).
    constexpr void unlink(std::size_t i) noexcept {
        if constexpr (indexed) {
            std::size_t hole = home(entries_[i].peer, entries_[i].message_id);
            while (table_[hole] != i + 1) hole = (hole + 1) & (buckets - 1);
            table_[hole] = 0;
            for (std::size_t b = (hole + 1) & (buckets - 1); table_[b] != 0; b = (b + 1) & (buckets - 1)) {
                const entry& e = entries_[table_[b] - 1u];
                const std::size_t h = home(e.peer, e.message_id);
                // It stays when its home lies cyclically in (hole, b].
                const bool stays = hole < b ? (h > hole && h <= b) : (h > hole || h <= b);
                if (stays) continue;
                table_[hole] = table_[b];
                table_[b] = 0;
                hole = b;
            }
        }
    }

    std::array<entry, Entries> entries_{};
    std::array<std::array<std::byte, MaxAnswer>, Entries> answers_{};
    std::array<bucket, buckets> table_{};
    std::size_t oldest_ = 0;
};

} // namespace lwm2m::exchange
