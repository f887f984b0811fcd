// Differential check: prints parse results for many inputs; run with two header trees and diff.
#include <lwm2m/coap.hpp>
#include <cstdio>
#include <cstdint>
#include <vector>
#include <array>
using namespace lwm2m;
static std::uint64_t rng = 0x9E3779B97F4A7C15ull;
static std::uint32_t next() { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return static_cast<std::uint32_t>(rng >> 11); }
static void run(const std::vector<std::byte>& d, unsigned k) {
    const coap::parse_options opts[4] = {{true, true}, {false, false}, {true, false}, {false, true}};
    for (unsigned o = 0; o < 4; ++o) {
        auto r = o == 0 ? coap::parse(d) : coap::parse(d, opts[o]);
        if (!r) { std::printf("%u/%u E %d %zu\n", k, o, int(r.error().code), r.error().offset); continue; }
        std::uint64_t sum = 0; std::size_t n = 0;
        for (const auto& op : r->options()) { sum = sum * 31 + static_cast<std::uint16_t>(op.number) * 7 + op.value.size(); ++n; }
        std::printf("%u/%u V %zu %zu %llu %zu %zu\n", k, o, r->raw().size(), r->payload().size(), (unsigned long long)sum, n,
                    static_cast<std::size_t>(r->payload().data() - d.data()));
    }
}
int main() {
    const char* refs[] = {"58451a2da1a2a3a4a5a6a7a8623039622d16ffe4164441b40000",
        "44021a2b11223344b2726411283d0865703d7374726565746c696768742d303030313233066c743d333030096c776d326d3d312e3103623d55ff3c2f3e",
        "68451a2c0102030405060708c22d16ffc800144f70656e"};
    std::vector<std::vector<std::byte>> seeds;
    for (const char* h : refs) { std::vector<std::byte> b(std::string_view{h}.size() / 2); (void)from_hex(h, b); seeds.push_back(b); }
    unsigned k = 0;
    for (auto& s : seeds) run(s, k++);
    // mutations of the seeds
    for (int i = 0; i < 300000; ++i) {
        auto d = seeds[next() % seeds.size()];
        const unsigned m = 1 + next() % 4;
        for (unsigned j = 0; j < m; ++j) {
            switch (next() % 5) {
            case 0: if (!d.empty()) d[next() % d.size()] = std::byte(next()); break;
            case 1: if (!d.empty()) d.resize(next() % d.size()); break;
            case 2: d.push_back(std::byte(next())); break;
            case 3: if (d.size() > 4) d[4 + next() % (d.size() - 4)] = std::byte(next() % 2 ? 0xFF : (next() % 16) << 4 | 13 + next() % 3); break;
            case 4: if (!d.empty()) d[0] = std::byte(0x40 | (next() & 0x3F)); break;
            }
        }
        run(d, k++);
    }
    // fully random short datagrams with a plausible header
    for (int i = 0; i < 300000; ++i) {
        std::vector<std::byte> d(next() % 40);
        for (auto& b : d) b = std::byte(next());
        if (d.size() > 0 && next() % 2) d[0] = std::byte(0x40 | (next() & 0x38) | (next() % 9));
        if (d.size() > 1 && next() % 2) { static const std::uint8_t codes[] = {0, 1, 2, 3, 4, 0x45, 0x44, 0x84, 0x20, 0xC0}; d[1] = std::byte(codes[next() % 10]); }
        for (std::size_t j = 4; j < d.size(); ++j) if (next() % 3 == 0) d[j] = std::byte((next() % 13) << 4 | (next() % 13));
        run(d, k++);
    }
    // options with numbers >= 64 and extended lengths
    for (int i = 0; i < 100000; ++i) {
        std::array<std::byte, 600> buf{};
        coap::message_writer w{buf};
        w.header(coap::message_type::confirmable, coap::code::get, 1, {});
        std::uint32_t num = 0;
        const unsigned n = next() % 6;
        static std::array<std::byte, 300> val{};
        for (unsigned j = 0; j < n; ++j) { num += next() % 3 == 0 ? next() % 400 : next() % 20; if (num > 65535) break; w.option(static_cast<coap::option_number>(num), bytes_view{val.data(), next() % (next() % 4 == 0 ? 300 : 12)}); }
        auto sz = w.finish();
        std::vector<std::byte> d(buf.begin(), buf.begin() + (sz ? *sz : w.size() > buf.size() ? 0 : w.size()));
        if (!d.empty() && next() % 4 == 0) d[next() % d.size()] = std::byte(next());
        run(d, k++);
    }
}
