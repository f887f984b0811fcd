#pragma once
// Random LwM2M TLV payloads of the shapes the readers' fast paths take (8-bit ids ascending,
// inline and 8-bit lengths, integers, ASCII text, booleans, Multiple Resources) and their near
// misses (16-bit ids and lengths, ids out of order or repeated, sparse schema ids, wrong entry
// types, non-ASCII text, odd integer widths), and corruptions of a payload. Shared by the
// differential tests of tlv_reader's fast path and of tlv::read_records.
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace lwm2m::test {

/** A random TLV payload generator (see the file comment). */
struct tlv_generator {
    using bytes = std::vector<std::byte>;
    std::mt19937_64 rng;
    unsigned below(unsigned n) { return static_cast<unsigned>(rng() % n); }

    void header(bytes& out, unsigned type, unsigned id, std::size_t length) {
        const bool wide = id > 0xFF || below(16) == 0;
        const std::size_t length_size =
            length < 8 && below(6) != 0 ? 0 : length <= 0xFF && below(6) != 0 ? 1 : length <= 0xFFFF ? 2 : 3;
        unsigned t = type << 6 | (wide ? 0x20u : 0u) | static_cast<unsigned>(length_size << 3);
        if (length_size == 0) t |= static_cast<unsigned>(length);
        else t |= below(8);  // ignored bits
        out.push_back(static_cast<std::byte>(t));
        if (wide) out.push_back(static_cast<std::byte>(id >> 8));
        out.push_back(static_cast<std::byte>(id & 0xFF));
        for (std::size_t k = length_size; k-- > 0;) out.push_back(static_cast<std::byte>(length >> (8 * k)));
    }
    bytes value_bytes() {
        bytes v;
        switch (below(6)) {
        case 0: {  // integers (and floats, object links) of every width
            const std::size_t lengths[] = {0, 1, 2, 3, 4, 8, 1, 2};
            const std::size_t n = lengths[below(8)];
            for (std::size_t k = 0; k < n; ++k) v.push_back(static_cast<std::byte>(below(3) == 0 ? below(256) : below(2)));
            break;
        }
        case 1:
        case 2: {  // text, mostly ASCII, up to past the inline and 8-bit lengths
            const std::size_t n = below(5) == 0 ? below(300) : below(24);
            for (std::size_t k = 0; k < n; ++k)
                v.push_back(static_cast<std::byte>(below(25) == 0 ? 0x80 + below(128) : 'a' + below(26)));
            break;
        }
        case 3: v.push_back(static_cast<std::byte>(below(3))); break;  // booleans, and a bad one
        case 4: v.push_back(static_cast<std::byte>(below(120))); break;  // small integers
        default: break;  // empty
        }
        return v;
    }
    unsigned next_id(unsigned& last) {
        switch (below(12)) {
        case 0: return below(25);                    // any order, duplicates
        case 1: return 280 + below(30);              // 16-bit ids
        case 2: return below(2) == 0 ? 1000 : 5700;  // sparse ids of the schema
        default: return last = last + 1 + below(3);  // ascending, the common case
        }
    }
    /** Up to `count_limit` - 1 resource-level TLVs. */
    bytes resources(unsigned count_limit = 10) {
        bytes out;
        unsigned last = below(3);
        const unsigned n = below(count_limit);
        for (unsigned k = 0; k < n; ++k) {
            const unsigned id = next_id(last);
            if (below(4) == 0) {  // a Multiple Resource
                bytes inner;
                unsigned last_ri = 0;
                const unsigned m = below(5);
                for (unsigned j = 0; j < m; ++j) {
                    const auto v = value_bytes();
                    const unsigned type = below(14) == 0 ? below(4) : 1;
                    header(inner, type, below(7) == 0 ? below(4) : last_ri++, v.size());
                    inner.insert(inner.end(), v.begin(), v.end());
                }
                header(out, below(20) == 0 ? 3 : 2, id, inner.size());
                out.insert(out.end(), inner.begin(), inner.end());
            } else {
                const auto v = value_bytes();
                header(out, below(25) == 0 ? below(3) : 3, id, v.size());
                out.insert(out.end(), v.begin(), v.end());
            }
        }
        return out;
    }
    /** One to three random byte changes, truncations, bit flips or insertions. */
    void corrupt(bytes& p) {
        const unsigned n = 1 + below(3);
        for (unsigned k = 0; k < n && !p.empty(); ++k) {
            switch (below(4)) {
            case 0: p[below(static_cast<unsigned>(p.size()))] = static_cast<std::byte>(below(256)); break;
            case 1: p.resize(below(static_cast<unsigned>(p.size()))); break;
            case 2: p[below(static_cast<unsigned>(p.size()))] ^= static_cast<std::byte>(1u << below(8)); break;
            default: p.insert(p.begin() + below(static_cast<unsigned>(p.size())), static_cast<std::byte>(below(256))); break;
            }
        }
    }
};

} // namespace lwm2m::test
