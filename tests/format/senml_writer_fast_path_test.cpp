// Differential tests of the SenML writers' fast path (LWM2M_SENML_ONE_PASS_WRITE: records checked
// and written in one pass straight into the window's buffer, committed once all are valid, the
// rest handed to the general code) against the general code alone (check every record, then
// write each through the window), which a window that starts after the first byte of the output
// (skip > 0: a Block2 window) and a window of one byte always take.
//
// Seeded random packs (every value kind, common and uncommon records, times, records at the base,
// text that is not ASCII or needs escapes, encoded text, and every kind of invalid record) are
// written: into a large buffer, after some bytes already in the window, into a buffer of every
// size (the fast path stops at each record boundary in turn), and by the general code. Each must
// give the same bytes and size, or the same error code and offset with nothing written.

#include <lwm2m/format/senml_cbor.hpp>
#include <lwm2m/format/senml_json.hpp>

#include <doctest/doctest.h>

#include "../support/random_records.hpp"
#include "../support/sanitized.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lwm2m::errc;
using lwm2m::objlnk;
using lwm2m::path;
using lwm2m::text_encoding;
using lwm2m::value;
using lwm2m::format::output_window;
using lwm2m::format::record;

using random_source = lwm2m::test::random_data::splitmix64;

struct pack {
    path base;
    std::vector<record> records;
};

/** Random packs; the strings the records view live in `keep`. */
class pack_generator {
public:
    explicit pack_generator(std::uint64_t seed) : rng_{seed} {}

    pack next() {
        pack p;
        p.base = random_path(static_cast<std::size_t>(rng_.below(5)));
        const std::size_t n = rng_.one_in(10) ? 0 : 1 + static_cast<std::size_t>(rng_.below(rng_.one_in(4) ? 40 : 12));
        // Usually valid: then the whole pack is written, which exercises the writing more.
        const bool invalid_allowed = rng_.one_in(3);
        for (std::size_t i = 0; i < n; ++i) p.records.push_back(random_record(p.base, invalid_allowed));
        return p;
    }

private:
    std::uint16_t random_id() {
        switch (rng_.below(6)) {
        case 0: return static_cast<std::uint16_t>(rng_.below(65535));  // 0..65534
        case 1: return static_cast<std::uint16_t>(rng_.below(1000));
        case 2: return static_cast<std::uint16_t>(rng_.below(100));
        default: return static_cast<std::uint16_t>(rng_.below(10));
        }
    }

    path random_path(std::size_t depth) {
        path p;
        for (std::size_t k = 0; k < depth; ++k) p = *p.child(random_id());
        return p;
    }

    std::string_view keep(std::string s) { return keep_.emplace_back(std::move(s)); }

    std::string random_text(bool ascii_only) {
        static constexpr std::string_view pieces[] = {
            "a", "Open Mobile Alliance", "0", " ", "/", ":", "-", "U", "+01:00", "345000123", "\"", "\\", "\n", "\t",
            "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe2\x80\xa8"};
        std::string s;
        const std::size_t parts = rng_.below(rng_.one_in(5) ? 30 : 6);
        for (std::size_t k = 0; k < parts; ++k) {
            const std::string_view piece = pieces[rng_.below(ascii_only ? 11 : std::size(pieces))];
            s.append(piece);
        }
        return s;
    }

    value random_value(bool invalid_allowed) {
        switch (rng_.below(invalid_allowed ? 16 : 14)) {
        case 0: {
            const std::int64_t edges[] = {0, 1, -1, 23, 24, -24, -25, 255, 256, 65535, 65536, 1700000000,
                                          std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()};
            return value::of_integer(rng_.one_in(2) ? edges[rng_.below(std::size(edges))]
                                                    : static_cast<std::int64_t>(rng_.next()) >> rng_.below(64));
        }
        case 1: return value::of_unsigned(rng_.next() >> rng_.below(64));
        case 2: {
            const double edges[] = {0.0, -0.0, 1.5, 22.4, 1e20, -1e-300, 65504.0, 3.4028234663852886e38, 0.1};
            if (invalid_allowed && rng_.one_in(4))
                return value::of_float(rng_.one_in(2) ? std::numeric_limits<double>::quiet_NaN()
                                                      : -std::numeric_limits<double>::infinity());
            return value::of_float(edges[rng_.below(std::size(edges))]);
        }
        case 3: return value::of_boolean(rng_.one_in(2));
        case 4: return value::of_time(static_cast<std::int64_t>(rng_.next()) >> rng_.below(64));
        case 5: return value::of_objlnk(objlnk{random_id(), random_id()});
        case 6:
        case 7: return value::of_string(keep(random_text(true)));
        case 8: return value::of_string(keep(random_text(false)));
        case 9: return value::of_corelnk(keep("</3/0>;ct=" + random_text(rng_.one_in(2))));
        case 10: return value::of_opaque(lwm2m::as_bytes(keep(random_text(false))));
        case 11: return value::of_string(keep(rng_.one_in(2) ? "a\\nb\\u00e9\\\"" : "plain"), text_encoding::json_escaped);
        case 12: return value::of_opaque(lwm2m::as_bytes(keep(rng_.one_in(2) ? "AQID_-8" : "")), text_encoding::base64url);
        case 13: return value{};  // none: a name-only record
        // Invalid values (only in packs that may be invalid).
        case 14: return value::of_untyped(lwm2m::as_bytes(keep("\x01\x02")));
        default: {
            const std::string_view bad[] = {"bad \xff utf-8", "\xed\xa0\x80", "\xc3"};
            if (rng_.one_in(2)) return value::of_string(keep(std::string(bad[rng_.below(std::size(bad))])));
            return value::of_string(keep("a\\x"), text_encoding::json_escaped);
        }
        }
    }

    record random_record(const path& base, bool invalid_allowed) {
        record r;
        // Mostly a resource or resource instance under the base; sometimes the base itself, a
        // level above resource, or (when allowed) a path elsewhere.
        if (invalid_allowed && rng_.one_in(12)) {
            r.path = random_path(static_cast<std::size_t>(rng_.below(5)));
        } else {
            r.path = base;
            std::size_t depth = base.depth();
            const std::size_t target = rng_.one_in(8) ? depth + rng_.below(5 - depth) : 3 + rng_.below(2);
            while (depth < target && depth < 4) {
                r.path = *r.path.child(random_id());
                ++depth;
            }
        }
        r.value = random_value(invalid_allowed);
        if (!r.path.has_resource() && !invalid_allowed) r.value = value{};
        if (rng_.one_in(5)) {
            const double times[] = {0.0, 1.0, -5.0, 1700000000.0, 1.5, -0.25, 1e300};
            r.time = times[rng_.below(std::size(times))];
            if (invalid_allowed && rng_.one_in(4)) r.time = std::numeric_limits<double>::infinity();
        }
        return r;
    }

    random_source rng_;
    std::deque<std::string> keep_;
};

using writer_fn = lwm2m::result<void> (*)(std::span<const record>, const path&, output_window&);

struct written {
    std::string bytes;
    std::size_t total = 0;
    std::optional<lwm2m::error> error;
};

/** Writes `p` into a window of `size` bytes from `skip` on, after `before` bytes already put. */
written write(writer_fn writer, const pack& p, std::size_t size, std::size_t skip = 0, std::size_t before = 0) {
    std::vector<std::byte> buffer(size);
    output_window out{buffer, skip};
    for (std::size_t k = 0; k < before; ++k) out.put('#');
    written w;
    if (auto ok = writer(p.records, p.base, out); !ok) {
        w.error = ok.error();
        CHECK(out.total() == before);  // nothing written
    }
    w.total = out.total() - before;
    w.bytes.assign(reinterpret_cast<const char*>(buffer.data()), out.written());
    w.bytes.erase(0, std::min(w.bytes.size(), before > skip ? before - skip : 0));
    return w;
}

/** The general code's output: byte 0 through a one-byte window, the rest through a window from byte 1. */
written general(writer_fn writer, const pack& p) {
    const written first = write(writer, p, 1);
    if (first.error) return first;
    const written rest = write(writer, p, first.total + 1, 1);
    CHECK(rest.total == first.total);
    return written{first.bytes + rest.bytes, first.total, std::nullopt};
}

void check_same(const written& a, const written& b) {
    REQUIRE(a.error.has_value() == b.error.has_value());
    if (a.error) {
        CHECK(lwm2m::name(a.error->code) == lwm2m::name(b.error->code));
        CHECK(a.error->offset == b.error->offset);
        return;
    }
    CHECK(a.total == b.total);
    CHECK(a.bytes == b.bytes);
}

struct tally {
    int written = 0;
    int failed = 0;
    int not_ascii = 0;
};

void check_writer(writer_fn writer, lwm2m::result<std::size_t> (*size_of)(std::span<const record>, const path&),
                  std::uint64_t seed, int packs, tally& seen) {
    pack_generator generate{seed};
    for (int n = 0; n < packs; ++n) {
        const pack p = generate.next();
        CAPTURE(n);
        CAPTURE(p.base.text().view());
        const written reference = general(writer, p);
        // A whole-body buffer: the fast path takes it all.
        const written whole = write(writer, p, reference.total + 64);
        check_same(whole, reference);
        // After bytes already in the window, in its middle.
        check_same(write(writer, p, reference.total + 80, 0, 7), reference);
        if (reference.error) {
            ++seen.failed;
            continue;
        }
        ++seen.written;
        const auto size = size_of(p.records, p.base);
        REQUIRE(size.has_value());
        CHECK(*size == reference.total);
        // Every buffer size (the fast path stops at each record in turn; the general code
        // writes the rest), and Block2 windows.
        for (std::size_t buffer = 0; buffer <= reference.total + 1; ++buffer) {
            const written part = write(writer, p, buffer);
            REQUIRE(!part.error);
            CHECK(part.total == reference.total);
            CHECK(part.bytes == reference.bytes.substr(0, buffer));
        }
        for (const std::size_t block : {std::size_t{16}, std::size_t{64}}) {
            std::string joined;
            for (std::size_t skip = 0; skip < reference.total; skip += block) joined += write(writer, p, block, skip).bytes;
            CHECK(joined == reference.bytes);
        }
        for (const record& r : p.records)
            if (r.value.is_text() && r.value.encoding() == text_encoding::raw &&
                !lwm2m::encoding::detail::is_ascii(r.value.encoded_bytes()))
                ++seen.not_ascii;
    }
}

} // namespace

TEST_CASE("SenML CBOR writer: the fast path writes what the general code writes, or fails as it does") {
    tally seen;
    check_writer(lwm2m::format::write_senml_cbor, lwm2m::format::senml_cbor_size, 8428, lwm2m::test::scaled(600), seen);
    // The packs reach both outcomes and text the fast path leaves to the general code.
    CHECK(seen.written > lwm2m::test::scaled(300));
    CHECK(seen.failed > lwm2m::test::scaled(50));
    CHECK(seen.not_ascii > lwm2m::test::scaled(50));
}

TEST_CASE("SenML JSON writer: the fast path writes what the general code writes, or fails as it does") {
    tally seen;
    check_writer(lwm2m::format::write_senml_json, lwm2m::format::senml_json_size, 8259, lwm2m::test::scaled(600), seen);
    CHECK(seen.written > lwm2m::test::scaled(300));
    CHECK(seen.failed > lwm2m::test::scaled(50));
    CHECK(seen.not_ascii > lwm2m::test::scaled(50));
}

TEST_CASE("SenML writers' fast path: a record at the base that the first record did not announce") {
    // "bn" depends on whether some record is at the base (then no trailing '/'); the fast path
    // guesses from the first record and must write the general code's bytes when a later one is.
    const path base = *path::make(3, 0, 1);
    const record at_resource{base, value::of_integer(5), std::nullopt};
    const record instance_0{*path::make(3, 0, 1, 0), value::of_integer(6), std::nullopt};
    const pack p{base, {instance_0, at_resource}};
    check_same(write(lwm2m::format::write_senml_cbor, p, 256), general(lwm2m::format::write_senml_cbor, p));
    check_same(write(lwm2m::format::write_senml_json, p, 256), general(lwm2m::format::write_senml_json, p));
    const written json = write(lwm2m::format::write_senml_json, p, 256);
    CHECK(json.bytes == R"([{"bn":"/3/0/1","n":"/0","v":6},{"v":5}])");
}

TEST_CASE("Decimal text two digits a step: every length, the edges of each, and random values") {
    using lwm2m::encoding::detail::decimal_length;
    using lwm2m::encoding::detail::write_decimal;
    std::vector<std::uint64_t> values = {0, std::numeric_limits<std::uint64_t>::max()};
    std::uint64_t power = 1;
    for (int k = 0; k < 20; ++k) {  // 10^k - 1, 10^k, 10^k + 1 and 2^k around them
        values.insert(values.end(), {power - 1, power, power + 1, std::uint64_t{1} << (3 * k + 3) >> 1});
        if (k < 19) power *= 10;
    }
    random_source rng{42};
    for (int k = 0; k < 2000; ++k) values.push_back(rng.next() >> rng.below(64));
    for (const std::uint64_t v : values) {
        CAPTURE(v);
        const std::string expected = std::to_string(v);
        CHECK(decimal_length(v) == expected.size());
        char text[24] = {};
        const char* const end = write_decimal(text, v);
        CHECK(std::string_view(text, static_cast<std::size_t>(end - text)) == expected);
        char plain[24] = {};
        const auto n = lwm2m::encoding::format_number(v, plain);
        REQUIRE(n.has_value());
        CHECK(std::string_view(plain, *n) == expected);
        if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            const auto m = lwm2m::encoding::format_number(-static_cast<std::int64_t>(v), plain);
            REQUIRE(m.has_value());
            CHECK(std::string_view(plain, *m) == (v == 0 ? "0" : "-" + expected));
        }
    }
}

TEST_CASE("JSON plain runs found a word at a time are the runs a byte loop finds") {
    const auto plain_prefix_bytewise = [](std::string_view s, bool ascii_only) {
        std::size_t i = 0;
        for (; i < s.size(); ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c == '"' || c == '\\' || c < 0x20 || (ascii_only && c >= 0x80)) break;
        }
        return i;
    };
    const char specials[] = {'"', '\\', '\0', '\x1f', '\x7f', ' ', '\x80', '\xff', '\x21', '\x5b', '\x5d', '\x22' + 1};
    random_source rng{7159};
    for (int k = 0; k < 20000; ++k) {
        std::string s(static_cast<std::size_t>(rng.below(41)), 'a');
        for (char& c : s) c = static_cast<char>('a' + rng.below(26));
        for (std::size_t m = rng.below(3); m > 0 && !s.empty(); --m) s[rng.below(s.size())] = specials[rng.below(std::size(specials))];
        CAPTURE(s);
        for (const bool ascii_only : {false, true})
            CHECK(lwm2m::encoding::json_plain_prefix(s, ascii_only) == plain_prefix_bytewise(s, ascii_only));
        const bool plain = plain_prefix_bytewise(s, true) == s.size();
        std::string copy(s.size(), '?');
        CHECK(lwm2m::encoding::copy_plain_json_ascii(s, copy.data()) == plain);
        if (plain) CHECK(copy == s);
    }
}

TEST_CASE("ASCII tested and copied a word at a time agrees with is_ascii, and copies every byte") {
    random_source rng{8949};
    int ascii = 0, not_ascii = 0;
    for (int k = 0; k < 20000; ++k) {
        std::string s(static_cast<std::size_t>(rng.below(41)), 'a');
        for (char& c : s) c = static_cast<char>(0x20 + rng.below(0x5f));
        for (std::size_t m = rng.below(3); m > 0 && !s.empty(); --m)
            s[rng.below(s.size())] = static_cast<char>(0x80 + rng.below(0x80));
        CAPTURE(s);
        const lwm2m::bytes_view b = lwm2m::as_bytes(std::string_view{s});
        std::string copy(s.size() + 1, '?');
        const bool is = lwm2m::encoding::detail::is_ascii(b);
        CHECK(lwm2m::encoding::detail::copy_ascii(b, reinterpret_cast<std::byte*>(copy.data())) == is);
        CHECK(copy.substr(0, s.size()) == s);  // every byte, ASCII or not
        CHECK(copy.back() == '?');             // and no more
        ++(is ? ascii : not_ascii);
    }
    CHECK(ascii > 1000);
    CHECK(not_ascii > 1000);
}
