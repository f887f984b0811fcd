// Differential check of message_writer / message_builder: same output bytes and errors.
#include <lwm2m/coap.hpp>
#include <array>
#include <cstdio>
#include <cstdint>
#include <vector>
using namespace lwm2m;
static std::uint64_t rng = 0x1234567887654321ull;
static std::uint32_t next() { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return static_cast<std::uint32_t>(rng >> 11); }
static std::array<std::byte, 70000> pool;
static void dump(const char* what, unsigned k, result<std::size_t> r, const std::byte* out, std::size_t cap) {
    if (!r) { std::printf("%s %u E %d %zu\n", what, k, int(r.error().code), r.error().offset); return; }
    std::printf("%s %u V %zu ", what, k, *r);
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = 0; i < *r && i < cap; ++i) h = (h ^ std::to_integer<unsigned>(out[i])) * 1099511628211ull;
    std::printf("%llx\n", (unsigned long long)h);
}
static coap::option_number pick_number(std::uint32_t& last) {
    static const std::uint16_t common[] = {1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 16, 17, 19, 20, 23, 27, 28, 31, 35, 39, 60, 252, 258, 292, 2, 10, 13, 40, 63, 64, 65, 300, 1000, 65535};
    std::uint32_t n;
    switch (next() % 4) {
    case 0: n = common[next() % (sizeof common / sizeof common[0])]; break;
    case 1: n = last + next() % 14; break;
    case 2: n = last + next() % 300; break;
    default: n = next() % 70000; break;
    }
    if (next() % 8) last = n < 65536 ? n : last;
    return static_cast<coap::option_number>(n & 0xFFFF);
}
static std::size_t pick_len() {
    switch (next() % 6) {
    case 0: return 0;
    case 1: return next() % 5;
    case 2: return next() % 13;
    case 3: return 13 + next() % 20;
    case 4: return next() % 300;
    default: return next() % 8 == 0 ? 65800 + next() % 10 : next() % 1100;
    }
}
int main() {
    for (auto& b : pool) b = std::byte(next());
    static const coap::code codes[] = {coap::code::empty, coap::code::get, coap::code::post, coap::code::content, coap::code::changed,
                                       coap::code::bad_request, static_cast<coap::code>(0x20), static_cast<coap::code>(0xE0), coap::code::not_found};
    std::vector<std::byte> out(70100);
    for (unsigned k = 0; k < 400000; ++k) {
        const std::size_t cap = next() % 4 == 0 ? next() % 64 : next() % 3 == 0 ? 70100 : next() % 400;
        mutable_bytes o{out.data(), cap};
        const auto type = static_cast<coap::message_type>(next() % 4);
        const auto c = codes[next() % 9];
        const std::uint16_t mid = static_cast<std::uint16_t>(next());
        const std::size_t tkl = next() % 12 == 0 ? 9 : next() % 9;
        const bytes_view tok{pool.data() + next() % 100, tkl};
        // writer
        {
            coap::message_writer w{o};
            w.header(type, c, mid, tok);
            std::uint32_t last = 0;
            const unsigned n = next() % 8;
            for (unsigned j = 0; j < n; ++j) {
                const auto num = pick_number(last);
                switch (next() % 3) {
                case 0: w.uint_option(num, next() % 3 == 0 ? next() : next() % 70000); break;
                case 1: w.empty_option(num); break;
                default: { const std::size_t len = pick_len(); w.option(num, bytes_view{pool.data() + next() % 100, len}); }
                }
            }
            if (next() % 2) w.payload(bytes_view{pool.data() + next() % 100, next() % 3 == 0 ? 0 : next() % 200});
            if (next() % 10 == 0) w.option(static_cast<coap::option_number>(next() % 70), bytes_view{});
            dump("W", k, w.finish(), out.data(), cap);
        }
        // builder
        {
            coap::message_builder<6> b;
            b.type(type).code(c).message_id(mid).token(tok);
            const unsigned n = next() % 9;
            for (unsigned j = 0; j < n; ++j) {
                const auto num = static_cast<coap::option_number>(next() % 3 == 0 ? next() % 70000 : next() % 64);
                switch (next() % 3) {
                case 0: b.uint_option(num, next() % 2 ? next() : next() % 300); break;
                case 1: b.empty_option(num); break;
                default: b.option(num, bytes_view{pool.data() + next() % 100, pick_len()});
                }
            }
            if (next() % 2) b.payload(bytes_view{pool.data() + next() % 100, next() % 200});
            dump("B", k, b.serialize(o), out.data(), cap);
            auto sz = b.encoded_size();
            std::printf("S %u %d %zu\n", k, sz ? 1 : 0, sz ? *sz : std::size_t(sz.error().code));
            if (next() % 4 == 0) { coap::message_builder<6> copy{b}; dump("C", k, copy.serialize(o), out.data(), cap); }
        }
    }
}
