// "Allocation: none" for the CoAP message layer, proven rather than promised: parse + walk every
// option + build (message_builder, message_writer, static_message) of the three reference
// datagrams of bench/data, and of many random messages (valid, mutated and garbage), call no
// global operator new at all.
//
// The counter is tests/support/allocation_counter.{hpp,cpp}: it replaces every global operator
// new / new[] overload (plain, nothrow, aligned, aligned nothrow) and the matching deletes for the
// whole test executable (they may be replaced only once per program). malloc itself cannot be
// replaced portably, so what is counted is operator new; the library calls neither.
//
// doctest allocates while it records assertions: nothing is asserted inside a counted region;
// each region records plain values that are checked after it.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include "../support/allocation_counter.hpp"

#include <lwm2m/coap.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string_view>

namespace {

using lwm2m::bytes_view;
using lwm2m::mutable_bytes;
using lwm2m::test::allocation_scope;
namespace coap = lwm2m::coap;

// bench/data/coap-{register,response,notify}.hex, byte for byte (see bench/data/README.md).
constexpr std::string_view register_hex =
    "44021a2b11223344b2726411283d0865703d7374726565746c696768742d303030313233066c743d333030096c776d"
    "326d3d312e3103623d55ff3c2f3e3b72743d226f6d612e6c776d326d223b63743d31313534332c3c2f312f303e2c3c"
    "2f332f303e2c3c2f342f303e2c3c2f352f303e2c3c2f333331312f303e2c3c2f333331312f313e2c3c2f333330332f"
    "303e";
constexpr std::string_view response_hex =
    "68451a2c0102030405060708c22d16ffc800144f70656e204d6f62696c6520416c6c69616e6365c801164c69676874"
    "776569676874204d324d20436c69656e74c80209333435303030313233c80311312e302e322d7374726565746c6967"
    "6874c10964c10a0fc40d6553f100c11055c811165374726565746c696768742d436f6e74726f6c6c6572";
constexpr std::string_view notify_hex =
    "58451a2da1a2a3a4a5a6a7a8623039622d16ffe4164441b40000";

/** A decoded reference datagram (decoded outside any counted region). */
struct datagram {
    std::array<std::byte, 256> bytes{};
    std::size_t size = 0;
    [[nodiscard]] bytes_view view() const noexcept { return {bytes.data(), size}; }
};

datagram from_hex(std::string_view hex) {
    datagram d;
    const auto n = lwm2m::from_hex(hex, d.bytes);
    REQUIRE(n.has_value());
    d.size = *n;
    return d;
}

// Written to keep values observable, so that the optimiser cannot drop the work behind them.
volatile std::uint64_t sink = 0;

/** Everything the walk of one message saw (inspected after the counted region). */
struct walk_result {
    bool parsed = false;
    std::size_t options = 0;
    std::uint64_t checksum = 0;
};

/** Parses, then touches every option and every typed accessor of the view. */
walk_result parse_and_walk(bytes_view bytes) noexcept {
    walk_result r;
    const auto m = coap::parse(bytes);
    if (!m) return r;
    r.parsed = true;
    for (const coap::option_view& o : m->options()) {
        ++r.options;
        r.checksum = r.checksum * 31 + static_cast<std::uint16_t>(o.number) + o.value.size();
        if (const auto u = o.as_uint()) r.checksum += *u;
    }
    for (std::string_view s : m->uri_path()) r.checksum += s.size();
    for (std::string_view s : m->uri_query()) r.checksum += s.size();
    for (std::string_view s : m->location_path()) r.checksum += s.size();
    r.checksum += m->content_format().value_or(0) + m->accept().value_or(0) + m->observe().value_or(0) + m->max_age();
    if (const auto b = m->block2(); b && *b) r.checksum += (*b)->num;
    if (const auto b = m->block1(); b && *b) r.checksum += (*b)->num;
    r.checksum += m->first_unrecognized_critical().has_value() ? 1 : 0;
    r.checksum += m->payload().size() + m->token().size() + m->message_id() + static_cast<unsigned>(m->code());
    return r;
}

/** The option values of a message, copied out of it so that a builder can reference them. */
struct fields {
    coap::message_type type{};
    coap::code code{};
    std::uint16_t message_id = 0;
    bytes_view token{};
    struct option {
        coap::option_number number{};
        bytes_view value{};
    };
    std::array<option, 32> options{};
    std::size_t option_count = 0;
    bytes_view payload{};
};

fields extract(const coap::message_view& m) noexcept {
    fields f;
    f.type = m.type();
    f.code = m.code();
    f.message_id = m.message_id();
    f.token = m.token();
    for (const coap::option_view& o : m.options())
        if (f.option_count < f.options.size()) f.options[f.option_count++] = {o.number, o.value};
    f.payload = m.payload();
    return f;
}

/** Builds `f` again with message_builder, message_writer and static_message. */
struct build_result {
    bool builder_ok = false;
    bool writer_ok = false;
    bool static_ok = false;
    std::size_t size = 0;
    std::array<std::byte, 1500> builder_out{};
    std::array<std::byte, 1500> writer_out{};
};

void build(const fields& f, build_result& r) noexcept {
    coap::message_builder<32> b;
    b.type(f.type).code(f.code).message_id(f.message_id).token(f.token).payload(f.payload);
    for (std::size_t i = 0; i < f.option_count; ++i) b.option(f.options[i].number, f.options[i].value);
    const auto need = b.encoded_size();
    const auto n = b.serialize(r.builder_out);
    r.builder_ok = n.has_value() && need.has_value() && *n == *need;
    r.size = n.value_or(0);

    coap::message_writer w{r.writer_out};
    w.header(f.type, f.code, f.message_id, f.token);
    for (std::size_t i = 0; i < f.option_count; ++i) w.option(f.options[i].number, f.options[i].value);
    w.payload(f.payload);
    const auto wn = w.finish();
    r.writer_ok = wn.has_value() && *wn == r.size;

    coap::static_message<1500> owned;
    const auto view = owned.assign(b);
    r.static_ok = view.has_value() && view->raw().size() == r.size;
}

bool same(bytes_view a, bytes_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

/** xorshift64: deterministic, allocation-free. */
struct prng {
    std::uint64_t s;
    std::uint32_t operator()() noexcept {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return static_cast<std::uint32_t>(s >> 11);
    }
};

} // namespace

TEST_CASE("zero allocation: the counter sees every operator new overload (so the checks below can fail)") {
    static int* volatile escaped = nullptr;  // the allocation escapes: a new-expression may not be elided
    static void* volatile raw = nullptr;
    std::size_t plain = 0, array = 0, nothrow = 0, aligned = 0, library = 0;
    {
        allocation_scope scope;
        escaped = new int(42);
        delete escaped;
        plain = scope.count();
    }
    {
        allocation_scope scope;
        escaped = new int[4]{};
        delete[] escaped;
        array = scope.count();
    }
    {
        allocation_scope scope;
        raw = ::operator new(16, std::nothrow);
        ::operator delete(raw, std::nothrow);
        nothrow = scope.count();
    }
    {
        allocation_scope scope;
        raw = ::operator new(64, std::align_val_t{64});
        ::operator delete(raw, std::align_val_t{64});
        aligned = scope.count();
    }
    {
        allocation_scope scope;
        std::optional<std::array<int, 4>> not_heap;  // a control that does not allocate
        not_heap.emplace();
        sink = static_cast<std::uint64_t>((*not_heap)[0]);
        library = scope.count();
    }
    CHECK(plain == 1);
    CHECK(array == 1);
    CHECK(nothrow == 1);
    CHECK(aligned == 1);
    CHECK(library == 0);
}

TEST_CASE("zero allocation: parse + walk + build of the reference datagrams (register, response, notify)") {
    const datagram refs[] = {from_hex(register_hex), from_hex(response_hex), from_hex(notify_hex)};
    walk_result walks[3];
    fields extracted[3];
    build_result* builds = new build_result[3];  // before the counted region: the buffers are big
    std::size_t allocations = 0;
    {
        allocation_scope scope;
        for (std::size_t i = 0; i < 3; ++i) {
            walks[i] = parse_and_walk(refs[i].view());
            const auto m = coap::parse(refs[i].view());
            if (m) {
                extracted[i] = extract(*m);
                build(extracted[i], builds[i]);
            }
        }
        sink = walks[0].checksum + walks[1].checksum + walks[2].checksum;
        allocations = scope.count();
    }
    CHECK(allocations == 0);
    const std::size_t expected_options[] = {6, 1, 2};
    for (std::size_t i = 0; i < 3; ++i) {
        CAPTURE(i);
        CHECK(walks[i].parsed);
        CHECK(walks[i].options == expected_options[i]);
        CHECK(builds[i].builder_ok);
        CHECK(builds[i].writer_ok);
        CHECK(builds[i].static_ok);
        // The rebuilt datagram is the reference, byte for byte.
        CHECK(same(bytes_view{builds[i].builder_out.data(), builds[i].size}, refs[i].view()));
        CHECK(same(bytes_view{builds[i].writer_out.data(), builds[i].size}, refs[i].view()));
    }
    delete[] builds;
}

TEST_CASE("zero allocation: random messages built, parsed and walked; mutated and garbage datagrams rejected") {
    prng rnd{0x5eed5eed1234ull};
    static std::array<std::byte, 2048> pool{};
    for (auto& b : pool) b = static_cast<std::byte>(rnd());
    static constexpr coap::option_number numbers[] = {
        coap::option_number::if_match,      coap::option_number::etag,           coap::option_number::observe,
        coap::option_number::location_path, coap::option_number::uri_path,       coap::option_number::content_format,
        coap::option_number::max_age,       coap::option_number::uri_query,      coap::option_number::accept,
        coap::option_number::block2,        coap::option_number::block1,         coap::option_number::size2,
        coap::option_number::size1,         static_cast<coap::option_number>(2), static_cast<coap::option_number>(65000)};
    static constexpr coap::code codes[] = {coap::code::get,     coap::code::post,    coap::code::put,
                                           coap::code::content, coap::code::changed, coap::code::not_found};
    static build_result out;  // static: the 3 KiB of buffers stay off the stack and the heap
    static std::array<std::byte, 1500> wire{};

    constexpr int iterations = 20000;
    std::size_t allocations = 0, built = 0, parsed = 0, round_trips = 0, rejected = 0, walked_options = 0;
    {
        allocation_scope scope;
        for (int i = 0; i < iterations; ++i) {
            // A random valid message through message_builder (options in random order).
            coap::message_builder<> b;
            const auto type = static_cast<coap::message_type>(rnd() % 3);  // CON, NON or ACK
            const auto c = type == coap::message_type::acknowledgement ? coap::code::content : codes[rnd() % 6];
            b.type(type).code(c).message_id(static_cast<std::uint16_t>(rnd()));
            b.token(bytes_view{pool.data() + rnd() % 64, rnd() % 9});
            const unsigned count = rnd() % 10;
            for (unsigned k = 0; k < count; ++k) {
                const coap::option_number n = numbers[rnd() % std::size(numbers)];
                const coap::option_info* info = coap::find_option_info(n);
                if (info != nullptr && info->format == coap::option_format::uint) {
                    b.uint_option(n, rnd() % (1u << (8 * (info->max_length < 3 ? info->max_length : 3))));
                } else {
                    const std::size_t lo = info != nullptr ? info->min_length : 0;
                    const std::size_t hi = info != nullptr && info->max_length < 300 ? info->max_length : 300;
                    b.option(n, bytes_view{pool.data() + rnd() % 512, lo + rnd() % (hi - lo + 1)});
                }
            }
            if (rnd() % 4 != 0) b.payload(bytes_view{pool.data() + rnd() % 512, 1 + rnd() % 400});
            const auto n = b.serialize(wire);
            if (n) {
                ++built;
                const walk_result w = parse_and_walk(bytes_view{wire.data(), *n});
                parsed += w.parsed ? 1 : 0;
                walked_options += w.options;
                if (const auto m = coap::parse(bytes_view{wire.data(), *n})) {
                    build(extract(*m), out);
                    if (out.builder_ok && out.writer_ok && out.size == *n &&
                        same(bytes_view{out.builder_out.data(), out.size}, bytes_view{wire.data(), *n}))
                        ++round_trips;
                }
                // The same bytes with a few random changes: parsed or rejected, never allocating.
                const std::size_t size = *n;
                for (unsigned k = 0, flips = 1 + rnd() % 3; k < flips; ++k)
                    wire[rnd() % size] = static_cast<std::byte>(rnd());
                const walk_result mutated = parse_and_walk(bytes_view{wire.data(), size - rnd() % (size > 4 ? 4 : 1)});
                rejected += mutated.parsed ? 0 : 1;
            }
            // Garbage with a plausible first byte.
            std::array<std::byte, 48> junk{};
            for (auto& x : junk) x = static_cast<std::byte>(rnd());
            junk[0] = static_cast<std::byte>(0x40 | (rnd() & 0x3F));
            const walk_result g = parse_and_walk(bytes_view{junk.data(), rnd() % junk.size()});
            rejected += g.parsed ? 0 : 1;
        }
        sink = walked_options;
        allocations = scope.count();
    }
    CHECK(allocations == 0);
    // The loop really exercised the codec: most messages were built and survived the round trip,
    // and many corrupted ones were rejected.
    CHECK(built > iterations * 9 / 10);
    CHECK(parsed == built);
    CHECK(round_trips == built);
    CHECK(walked_options > static_cast<std::size_t>(iterations) * 3);
    CHECK(rejected > static_cast<std::size_t>(iterations) / 2);
}
