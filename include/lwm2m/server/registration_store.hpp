#pragma once
/**
 * @file server/registration_store.hpp
 * What an LwM2M Server remembers of each client registration (LwM2M 1.1 Core §6.2.1:
 * endpoint name, lifetime, LwM2M version, binding, SMS number, queue mode, the object and
 * instance links), and `registration_store`, the table that holds them.
 *
 * The store works over storage the application provides (a span of slots and a span of
 * 32-bit index words), so a server can hold a million registrations in memory it allocates
 * however it likes; the store itself never allocates. Lookups by endpoint name, by location
 * id (the `<id>` of `/rd/<id>`) and by peer are O(1) on average: three open-addressing hash
 * tables (linear probing, backward-shift deletion, load factor <= 1/2). The registration
 * that expires first is found in O(1) through a 4-ary min-heap on the expiry time
 * (insert/update/remove O(log n)). Each heap entry carries its key (the expiry time) next to
 * the slot index, so sifting compares entries of the heap array and never reads the large,
 * randomly placed slots; only the moved entries' `heap_pos` is written back. Free slots are
 * chained, so allocation is O(1).
 *
 * Allocation: none.
 */

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/format/content_format.hpp>

namespace lwm2m::server {

/** The LwM2M enabler version a client registered with (`lwm2m=` query, absent = 1.0). */
enum class lwm2m_version : std::uint8_t { v1_0, v1_1, v1_2 };

/** "1.0", "1.1", "1.2". */
[[nodiscard]] constexpr std::string_view name(lwm2m_version v) noexcept {
    constexpr std::string_view names[] = {"1.0", "1.1", "1.2"};
    return names[static_cast<std::uint8_t>(v)];
}

/** The version named `text` ("1.0", "1.1", "1.2"), or nullopt. */
[[nodiscard]] constexpr std::optional<lwm2m_version> parse_lwm2m_version(std::string_view text) noexcept {
    for (const lwm2m_version v : {lwm2m_version::v1_0, lwm2m_version::v1_1, lwm2m_version::v1_2})
        if (name(v) == text) return v;
    return std::nullopt;
}

/**
 * Binding letters (LwM2M 1.1 Core §6.2.1.1 / 1.0 §5.3.1.1) as a bit set: U (UDP), M (MQTT),
 * H (HTTP), T (TCP), S (SMS), N (Non-IP). Queue mode is kept apart (`registration_slot::queue`):
 * 1.0 writes it inside the binding ("UQ"), 1.1+ as the `Q` query parameter.
 */
struct binding_mode {
    static constexpr std::string_view letters = "UMHTSN";
    std::uint8_t bits = 1;  ///< bit i = letters[i]; default "U"

    [[nodiscard]] constexpr bool has(char letter) const noexcept {
        const std::size_t i = letters.find(letter);
        return i != std::string_view::npos && (bits & (1u << i)) != 0;
    }
    /** The letters, in the order of `letters`, e.g. "US". Returns how many were written (<= 6). */
    constexpr std::size_t format_to(std::span<char> out) const noexcept {
        std::size_t n = 0;
        for (std::size_t i = 0; i < letters.size(); ++i)
            if ((bits & (1u << i)) != 0 && n < out.size()) out[n++] = letters[i];
        return n;
    }
    friend constexpr bool operator==(binding_mode, binding_mode) noexcept = default;
};

/**
 * Content formats a client announced in the `ct` attribute of its root link
 * (`</>;rt="oma.lwm2m";ct="110 112"`, LwM2M 1.1 Core §6.2.1), as a bit set.
 */
struct announced_formats {
    std::uint8_t bits = 0;

    /** Bit of a content format, 0 for those not tracked. */
    [[nodiscard]] static constexpr std::uint8_t bit(format::content_format f) noexcept {
        switch (format::canonical(f)) {
        case format::content_format::text: return 1u << 0;
        case format::content_format::opaque: return 1u << 1;
        case format::content_format::senml_json: return 1u << 2;
        case format::content_format::senml_cbor: return 1u << 3;
        case format::content_format::tlv: return 1u << 4;
        case format::content_format::oma_json: return 1u << 5;
        case format::content_format::lwm2m_cbor: return 1u << 6;
        default: return 0;
        }
    }
    constexpr void add(format::content_format f) noexcept { bits = static_cast<std::uint8_t>(bits | bit(f)); }
    [[nodiscard]] constexpr bool has(format::content_format f) const noexcept {
        return bit(f) != 0 && (bits & bit(f)) != 0;
    }
    friend constexpr bool operator==(announced_formats, announced_formats) noexcept = default;
};

/**
 * One link of a Register/Update payload in compact form: `</3/0>` (object 3, instance 0),
 * `</5>` (object 5 without instances: `instance_id == no_instance`), `</3>;ver=1.1`
 * (`ver_major`/`ver_minor`, 0.0 when no `ver` was given). 6 bytes.
 */
struct object_link {
    static constexpr std::uint16_t no_instance = 0xFFFF;
    std::uint16_t object_id = 0;
    std::uint16_t instance_id = no_instance;
    std::uint8_t ver_major = 0;
    std::uint8_t ver_minor = 0;

    [[nodiscard]] constexpr bool has_instance() const noexcept { return instance_id != no_instance; }
    [[nodiscard]] constexpr bool has_version() const noexcept { return ver_major != 0 || ver_minor != 0; }
    friend constexpr bool operator==(const object_link&, const object_link&) noexcept = default;
};

/**
 * One registration. Capacities: `MaxLinks` object/instance links, endpoint names of up to
 * `MaxName` bytes, SMS numbers of `MaxSms`, alternate roots of `MaxRoot`. A registration
 * whose payload lists more links keeps the first `MaxLinks` and sets `links_truncated`.
 * `location == 0` marks a free slot. Owned by a `registration_store`; read it through
 * `server::registration_view` (engine.hpp) or the accessors.
 */
template <std::size_t MaxLinks = 64, std::size_t MaxName = 64, std::size_t MaxSms = 16, std::size_t MaxRoot = 16>
struct registration_slot {
    static constexpr std::size_t max_links = MaxLinks;
    static constexpr std::size_t max_name = MaxName;
    static constexpr std::size_t max_sms = MaxSms;
    static constexpr std::size_t max_root = MaxRoot;
    static_assert(MaxName > 0 && MaxName <= 255 && MaxSms <= 255 && MaxRoot <= 255 && MaxLinks <= 0xFFFF);

    std::uint32_t location = 0;   ///< the `<id>` of /rd/<id>; 0: free slot
    std::uint32_t heap_pos = 0;   ///< store bookkeeping: position in the expiry heap
    std::uint32_t next_free = 0;  ///< store bookkeeping: free list link
    exchange::peer_id peer{};     ///< the adapter's handle of the client address the last Register/Update came from
    std::uint32_t lifetime = 86400;  ///< seconds (`lt`)
    time_point registered_at{};
    time_point last_update{};     ///< last Register or Update
    time_point last_heard{};      ///< last message from its peer (queue mode awake window)
    time_point expires{};         ///< last_update + lifetime
    lwm2m_version version = lwm2m_version::v1_0;
    binding_mode binding{};
    bool queue = false;           ///< queue mode (`Q`, or `UQ`... in 1.0)
    bool links_truncated = false;
    announced_formats formats{};
    std::uint8_t name_size = 0;
    std::uint8_t sms_size = 0;
    std::uint8_t root_size = 0;
    std::uint16_t link_count = 0;
    std::array<char, MaxName> name_text{};
    std::array<char, MaxSms> sms_text{};
    std::array<char, MaxRoot> root_text{};
    std::array<object_link, MaxLinks> link_list{};

    [[nodiscard]] constexpr bool used() const noexcept { return location != 0; }
    [[nodiscard]] constexpr std::string_view name() const noexcept { return {name_text.data(), name_size}; }
    [[nodiscard]] constexpr std::string_view sms() const noexcept { return {sms_text.data(), sms_size}; }
    /** The alternate root path (e.g. "/lwm2m"), empty for the default root "/". */
    [[nodiscard]] constexpr std::string_view alternate_root() const noexcept { return {root_text.data(), root_size}; }
    [[nodiscard]] constexpr std::span<const object_link> links() const noexcept { return {link_list.data(), link_count}; }
};

namespace detail {
/** Murmur3 32-bit finaliser: spreads consecutive ids over the table. */
[[nodiscard]] constexpr std::uint32_t mix32(std::uint32_t h) noexcept {
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}
/** FNV-1a over the bytes of an endpoint name, finalised by mix32. */
[[nodiscard]] constexpr std::uint32_t hash_name(std::string_view s) noexcept {
    std::uint32_t h = 2166136261u;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return mix32(h);
}
} // namespace detail

/**
 * The registrations of a server over caller-provided storage.
 *
 * @code
 *   std::vector<slot> slots(1'000'000);                          // or a static array
 *   std::vector<std::uint32_t> index(store::index_words(slots.size()));
 *   registration_store<slot> store{slots, index};
 * @endcode
 *
 * `index` must hold `index_words(n)` words for `n` registrations; with fewer, the capacity
 * is reduced until it fits (`capacity()` says how many). Lookups return nullptr when absent.
 * Protocol: `acquire()` a free slot, fill it (name, location, peer, expiry...), `insert()` it;
 * `unindex()` removes it from every lookup, `free()` returns it (`remove()` does both).
 * The caller guarantees names and locations are unique among inserted slots (the engine
 * replaces an existing registration of the same name first). Several registrations may share
 * a peer; `find_peer` returns the one inserted or re-pointed (`set_peer`) last.
 * Allocation: none.
 */
template <class Slot>
class registration_store {
public:
    /** Hash table size (a power of two, >= 2 * capacity, at least 4) for `capacity` slots. */
    [[nodiscard]] static constexpr std::size_t table_size(std::size_t capacity) noexcept {
        std::size_t t = 4;
        while (t < 2 * capacity) t *= 2;
        return t;
    }
    /** 32-bit words per expiry-heap entry: the expiry time (two words) and the slot index. */
    static constexpr std::size_t heap_entry_words = 3;

    /**
     * Index words needed for `capacity` registrations: three hash tables (one word per entry)
     * and the expiry heap (`heap_entry_words` per registration).
     */
    [[nodiscard]] static constexpr std::size_t index_words(std::size_t capacity) noexcept {
        return 3 * table_size(capacity) + heap_entry_words * capacity;
    }

    constexpr registration_store() noexcept = default;
    registration_store(std::span<Slot> slots, std::span<std::uint32_t> index) noexcept {
        std::size_t n = std::min<std::size_t>(slots.size(), 0xFFFFFFFEu);
        while (n > 0 && index_words(n) > index.size()) n = index_words(n / 2) <= index.size() ? n - 1 : n / 2;
        slots_ = slots.first(n);
        const std::size_t t = table_size(n);
        by_name_ = index.subspan(0, t);
        by_location_ = index.subspan(t, t);
        by_peer_ = index.subspan(2 * t, t);
        heap_ = index.subspan(3 * t, heap_entry_words * n);
        clear();
    }

    /** Forgets every registration. */
    void clear() noexcept {
        std::fill(by_name_.begin(), by_name_.end(), 0u);
        std::fill(by_location_.begin(), by_location_.end(), 0u);
        std::fill(by_peer_.begin(), by_peer_.end(), 0u);
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            slots_[i].location = 0;
            slots_[i].next_free = static_cast<std::uint32_t>(i + 2);  // 1-based index of the next, 0 = end
        }
        if (!slots_.empty()) slots_.back().next_free = 0;
        free_head_ = slots_.empty() ? 0 : 1;
        heap_size_ = 0;
        count_ = 0;
    }

    [[nodiscard]] constexpr std::size_t capacity() const noexcept { return slots_.size(); }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
    [[nodiscard]] constexpr bool full() const noexcept { return free_head_ == 0; }

    // ---- lookups ---------------------------------------------------------------------------

    [[nodiscard]] Slot* find_name(std::string_view name) noexcept {
        return lookup(by_name_, detail::hash_name(name), [&](const Slot& s) { return s.name() == name; });
    }
    [[nodiscard]] Slot* find_location(std::uint32_t location) noexcept {
        if (location == 0) return nullptr;
        return lookup(by_location_, detail::mix32(location), [&](const Slot& s) { return s.location == location; });
    }
    [[nodiscard]] Slot* find_peer(exchange::peer_id peer) noexcept {
        return lookup(by_peer_, peer_hash(peer), [&](const Slot& s) { return s.peer == peer; });
    }
    [[nodiscard]] const Slot* find_name(std::string_view name) const noexcept {
        return const_cast<registration_store*>(this)->find_name(name);
    }
    [[nodiscard]] const Slot* find_location(std::uint32_t location) const noexcept {
        return const_cast<registration_store*>(this)->find_location(location);
    }
    [[nodiscard]] const Slot* find_peer(exchange::peer_id peer) const noexcept {
        return const_cast<registration_store*>(this)->find_peer(peer);
    }

    /** The registration that expires first, or nullptr. */
    [[nodiscard]] const Slot* earliest() const noexcept { return heap_size_ == 0 ? nullptr : &slots_[heap_slot(0)]; }
    [[nodiscard]] Slot* earliest() noexcept { return heap_size_ == 0 ? nullptr : &slots_[heap_slot(0)]; }

    /** Calls `f(const Slot&)` for every inserted registration (O(capacity)). */
    template <class F>
    void for_each(F&& f) const noexcept {
        for (const Slot& s : slots_)
            if (s.used() && s.heap_pos != unindexed) f(s);
    }

    // ---- changes ---------------------------------------------------------------------------

    /** A free slot, reset to its defaults, or nullptr when the store is full. */
    [[nodiscard]] Slot* acquire() noexcept {
        if (free_head_ == 0) return nullptr;
        Slot& s = slots_[free_head_ - 1];
        free_head_ = s.next_free;
        s = Slot{};
        s.heap_pos = unindexed;
        ++count_;
        return &s;
    }

    /** Indexes an acquired slot whose name, location (!= 0), peer and expiry are set. */
    void insert(Slot& s) noexcept {
        const auto i = index_of(s);
        put(by_name_, detail::hash_name(s.name()), i);
        put(by_location_, detail::mix32(s.location), i);
        put_peer(i);
        ++heap_size_;
        sift_up(heap_size_ - 1, heap_entry{heap_key(s.expires), i});
    }

    /** Removes `s` from every lookup and the expiry heap; its data stays readable until `free`. */
    void unindex(Slot& s) noexcept {
        if (s.heap_pos == unindexed) return;
        const auto i = index_of(s);
        erase(by_name_, detail::hash_name(s.name()), i, [this](std::uint32_t k) { return detail::hash_name(slots_[k].name()); });
        erase(by_location_, detail::mix32(s.location), i, [this](std::uint32_t k) { return detail::mix32(slots_[k].location); });
        erase(by_peer_, peer_hash(s.peer), i, [this](std::uint32_t k) { return peer_hash(slots_[k].peer); });
        heap_remove(s.heap_pos);
        s.heap_pos = unindexed;
    }

    /** Returns an unindexed (or never inserted) slot to the free list. */
    void free(Slot& s) noexcept {
        unindex(s);
        s.location = 0;
        s.next_free = free_head_;
        free_head_ = index_of(s) + 1;
        --count_;
    }

    /** `unindex` then `free`. */
    void remove(Slot& s) noexcept { free(s); }

    /** Changes the peer of an inserted slot (an Update from a new address). */
    void set_peer(Slot& s, exchange::peer_id peer) noexcept {
        const auto i = index_of(s);
        erase(by_peer_, peer_hash(s.peer), i, [this](std::uint32_t k) { return peer_hash(slots_[k].peer); });
        s.peer = peer;
        put_peer(i);
    }

    /** Changes the expiry time of an inserted slot. */
    void set_expiry(Slot& s, time_point expires) noexcept {
        s.expires = expires;
        if (s.heap_pos == unindexed) return;
        heap_place(s.heap_pos, heap_entry{heap_key(expires), index_of(s)});
    }

private:
    static constexpr std::uint32_t unindexed = 0xFFFFFFFFu;

    static constexpr std::uint32_t peer_hash(exchange::peer_id p) noexcept { return detail::mix32(p.value ^ 0x9E3779B9u); }
    std::uint32_t index_of(const Slot& s) const noexcept { return static_cast<std::uint32_t>(&s - slots_.data()); }

    template <class Eq>
    Slot* lookup(std::span<std::uint32_t> table, std::uint32_t hash, Eq&& eq) noexcept {
        if (table.empty()) return nullptr;
        const std::size_t mask = table.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
            const std::uint32_t e = table[i];
            if (e == 0) return nullptr;
            if (eq(slots_[e - 1])) return &slots_[e - 1];
        }
    }
    // Entries are slot index + 1; 0 is empty. The load factor stays <= 1/2, so probes end.
    void put(std::span<std::uint32_t> table, std::uint32_t hash, std::uint32_t slot) noexcept {
        const std::size_t mask = table.size() - 1;
        std::size_t i = hash & mask;
        while (table[i] != 0) i = (i + 1) & mask;
        table[i] = slot + 1;
    }
    // One entry per peer: the newest registration from a peer shadows the older ones.
    void put_peer(std::uint32_t slot) noexcept {
        const exchange::peer_id p = slots_[slot].peer;
        const std::size_t mask = by_peer_.size() - 1;
        std::size_t i = peer_hash(p) & mask;
        for (; by_peer_[i] != 0; i = (i + 1) & mask)
            if (slots_[by_peer_[i] - 1].peer == p) {
                by_peer_[i] = slot + 1;
                return;
            }
        by_peer_[i] = slot + 1;
    }
    // Removes the entry for `slot` (if present) with backward-shift deletion (no tombstones,
    // so churn never degrades lookups). `home` gives an entry's hash from its slot index.
    template <class Home>
    void erase(std::span<std::uint32_t> table, std::uint32_t hash, std::uint32_t slot, Home&& home) noexcept {
        const std::size_t mask = table.size() - 1;
        std::size_t i = hash & mask;
        for (;; i = (i + 1) & mask) {
            if (table[i] == 0) return;  // not present (a shadowed peer)
            if (table[i] == slot + 1) break;
        }
        for (;;) {
            table[i] = 0;
            std::size_t j = i;
            for (;;) {
                j = (j + 1) & mask;
                if (table[j] == 0) return;
                const std::size_t k = home(table[j] - 1) & mask;
                // The entry at j may stay if its home k lies cyclically in (i, j].
                const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
                if (!stays) {
                    table[i] = table[j];
                    i = j;
                    break;
                }
            }
        }
    }

    // ---- expiry heap ----------------------------------------------------------------------
    // A 4-ary min-heap (children of i: 4i+1..4i+4) of `heap_entry_words`-word entries
    // {key low, key high, slot index}. The key is the expiry time made unsigned with its order
    // kept (sign bit flipped), so comparisons read only the heap array: the four children of a
    // node are contiguous (48 bytes, at most two cache lines), and the heap is half as deep as
    // a binary one. Sifting moves a hole instead of swapping, so each moved entry costs one
    // write of its slot's `heap_pos` (the only slot access).
    static constexpr std::size_t heap_arity = 4;

    struct heap_entry {
        std::uint64_t key;
        std::uint32_t slot;
    };

    static constexpr std::uint64_t heap_key(time_point t) noexcept {
        return static_cast<std::uint64_t>(t.time_since_epoch().count()) ^ (std::uint64_t{1} << 63);
    }
    std::uint64_t key_at(std::size_t i) const noexcept {
        const std::uint32_t* w = heap_.data() + heap_entry_words * i;
        return static_cast<std::uint64_t>(w[0]) | (static_cast<std::uint64_t>(w[1]) << 32);
    }
    std::uint32_t heap_slot(std::size_t i) const noexcept { return heap_[heap_entry_words * i + 2]; }
    heap_entry heap_get(std::size_t i) const noexcept { return {key_at(i), heap_slot(i)}; }
    // Stores `e` at position i and records the position in its slot.
    void heap_set(std::size_t i, heap_entry e) noexcept {
        std::uint32_t* w = heap_.data() + heap_entry_words * i;
        w[0] = static_cast<std::uint32_t>(e.key);
        w[1] = static_cast<std::uint32_t>(e.key >> 32);
        w[2] = e.slot;
        slots_[e.slot].heap_pos = static_cast<std::uint32_t>(i);
    }
    // Puts `e` into the hole at i, moving it towards the root.
    void sift_up(std::size_t i, heap_entry e) noexcept {
        while (i > 0) {
            const std::size_t parent = (i - 1) / heap_arity;
            const heap_entry p = heap_get(parent);
            if (!(e.key < p.key)) break;
            heap_set(i, p);
            i = parent;
        }
        heap_set(i, e);
    }
    // Puts `e` into the hole at i, moving it towards the leaves.
    void sift_down(std::size_t i, heap_entry e) noexcept {
        for (;;) {
            const std::size_t first = heap_arity * i + 1;
            if (first >= heap_size_) break;
            const std::size_t end = std::min(first + heap_arity, heap_size_);
            std::size_t best = first;
            std::uint64_t best_key = key_at(first);
            for (std::size_t c = first + 1; c < end; ++c) {
                const std::uint64_t k = key_at(c);
                if (k < best_key) {
                    best = c;
                    best_key = k;
                }
            }
            if (!(best_key < e.key)) break;
            heap_set(i, heap_get(best));
            i = best;
        }
        heap_set(i, e);
    }
    // Puts `e` into the hole at i, whichever way its key requires.
    void heap_place(std::size_t i, heap_entry e) noexcept {
        if (i > 0 && e.key < key_at((i - 1) / heap_arity)) sift_up(i, e);
        else sift_down(i, e);
    }
    void heap_remove(std::size_t pos) noexcept {
        const std::size_t last = heap_size_ - 1;
        --heap_size_;
        if (pos != last) heap_place(pos, heap_get(last));
    }

    std::span<Slot> slots_{};
    std::span<std::uint32_t> by_name_{}, by_location_{}, by_peer_{}, heap_{};
    std::uint32_t free_head_ = 0;  // 1-based index of the first free slot, 0 = none
    std::size_t heap_size_ = 0;
    std::size_t count_ = 0;
};

} // namespace lwm2m::server
