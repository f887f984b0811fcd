// tlv::read_records (the bulk TLV reader, format/tlv/read_records.hpp) against the pull reader
// (`tlv_reader` read to its end into a span, what format::read_records did for TLV before):
// the same result, the same records, the same error at the same offset, and for
// `capacity_exceeded` (offset = records read so far) the same records in the span; for every
// span size from 0 to one past the number of records. format::read_records with 11542 and the
// legacy 1542 goes the same way. Payloads (each read from an exact-size heap copy, so that
// ASan reports a read past its end):
// - the examples of LwM2M 1.0 §6.4.3 (those of tlv_test.cpp) under every base that reads them,
//   every prefix of them, every one-bit flip of them;
// - seeded random schema-valid instances of every shipped object (tests/support/random_records.hpp)
//   written as TLV, their prefixes and bit flips;
// - seeded random payloads of the shapes the bulk loop takes and their near misses (16-bit ids
//   and lengths, out-of-order and duplicate ids, bad values, wrong nesting), valid and corrupted.
// doctest, no main here: link with tests/main.cpp.

#include <lwm2m/format/codec.hpp>
#include <lwm2m/format/tlv.hpp>
#include <lwm2m/model/objects/all.hpp>

#include "../support/byte_text.hpp"
#include "../support/random_records.hpp"
#include "../support/sanitized.hpp"
#include "../support/test_schema.hpp"
#include "../support/tlv_generator.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lwm2m::bytes_view;
using lwm2m::data_type;
using lwm2m::errc;
using lwm2m::multiplicity;
using lwm2m::path;
using lwm2m::value;
using lwm2m::format::content_format;
using lwm2m::format::record;
using lwm2m::test::range;
using lwm2m::test::res;
using bytes = std::vector<std::byte>;

// Device (3) as in tlv_test.cpp, with ranges; Access Control (2); a resource of every type.
constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(1, data_type::string), res(2, data_type::string), res(3, data_type::string),
    res(4, data_type::none), res(5, data_type::none), res(6, data_type::integer, true, range(0, 7)),
    res(7, data_type::integer, true), res(8, data_type::integer, true), res(9, data_type::integer, false, range(0, 100)),
    res(10, data_type::integer), res(11, data_type::integer, true, range(0, 32)), res(12, data_type::none),
    res(13, data_type::time), res(14, data_type::string, false, range(0, 8)), res(15, data_type::string),
    res(16, data_type::string), res(17, data_type::boolean), res(18, data_type::boolean, true),
    res(19, data_type::string, true), res(20, data_type::integer, false, range(0, 6)), res(21, data_type::integer),
    res(22, data_type::objlnk, true));
constexpr auto acl = lwm2m::make_object(lwm2m::object_info{2, "Access Control", {1, 0}, multiplicity::multiple, {}, {}},
                                        res(0, data_type::integer, false, range(1, 65534)),
                                        res(1, data_type::integer, false, range(0, 65535)),
                                        res(2, data_type::integer, true, range(0, 65535)),
                                        res(3, data_type::integer, false, range(0, 65535)));
constexpr auto everything = lwm2m::make_object(
    lwm2m::object_info{9999, "Everything", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::integer), res(2, data_type::unsigned_integer), res(3, data_type::float_),
    res(4, data_type::boolean), res(5, data_type::opaque, false, range(0, 16)), res(6, data_type::time),
    res(7, data_type::objlnk), res(8, data_type::corelnk), res(9, data_type::none),
    res(20, data_type::integer, false, range(-10, 10)), res(300, data_type::integer, true),
    res(301, data_type::string, true), res(302, data_type::float_, true), res(303, data_type::opaque, true),
    res(304, data_type::unsigned_integer, true), res(305, data_type::boolean, true), res(306, data_type::objlnk, true),
    res(307, data_type::time, true), res(1000, data_type::string), res(5700, data_type::float_));
constexpr lwm2m::object_view views[] = {device, acl, everything};
const lwm2m::schema_registry local_schemas{views};

using lwm2m::test::concat;  // support/byte_text.hpp
using lwm2m::test::hex;
using lwm2m::test::text_bytes;

path P(std::string_view t) { return lwm2m::parse_path(t).value(); }

/** What the pull reader gives: records in order, then the end or an error (and the error's place). */
struct reference {
    std::vector<record> records;
    std::optional<lwm2m::error> error;
};

/** `tlv_reader` read to its end into a span of `capacity` records: format::read_records before the bulk path. */
reference pulled(bytes_view payload, const path& base, const lwm2m::schema_registry* reg, std::size_t capacity) {
    reference ref;
    lwm2m::format::tlv_reader reader{payload, base, reg};
    for (;;) {
        auto r = reader.next();
        if (!r) {
            ref.error = r.error();
            return ref;
        }
        if (!*r) return ref;
        if (ref.records.size() == capacity) {
            ref.error = lwm2m::error{errc::capacity_exceeded, capacity};
            return ref;
        }
        ref.records.push_back(**r);
    }
}

/** A record no reader makes: what the span holds before a read. */
record marker() { return record{P("/65534/65534/65534/65534"), value::of_integer(-12345), 1.5}; }

struct tally {
    int reads = 0;
    int records = 0;
    int errors = 0;
    int capacity_errors = 0;
};

/**
 * Reads `payload` (from an exact-size heap copy) at `base` with the bulk reader into spans of
 * `capacity` records and compares with the pull reader: the same success and count, the same
 * error at the same offset, the same records before it. `via` picks the entry point.
 */
void same_as_pull(const bytes& payload_in, const path& base, const lwm2m::schema_registry* reg, std::size_t capacity,
                  int via, tally& t) {
    const bytes payload(payload_in.begin(), payload_in.end());  // exactly payload_in.size() bytes on the heap
    const reference ref = pulled(payload, base, reg, capacity);
    std::vector<record> out(capacity, marker());
    lwm2m::result<std::size_t> got = std::size_t{0};
    switch (via) {
    case 0: got = lwm2m::format::tlv::read_records(payload, base, reg, out); break;
    case 1: got = lwm2m::format::read_records(content_format::tlv, payload, base, reg, out); break;
    default: got = lwm2m::format::read_records(content_format::tlv_legacy, payload, base, reg, out); break;
    }
    ++t.reads;
    REQUIRE(got.has_value() == !ref.error.has_value());
    if (got) {
        REQUIRE(*got == ref.records.size());
        t.records += static_cast<int>(*got);
    } else {
        CHECK(lwm2m::name(got.error().code) == lwm2m::name(ref.error->code));
        CHECK(got.error().offset == ref.error->offset);
        ++t.errors;
        if (ref.error->code == errc::capacity_exceeded) ++t.capacity_errors;
    }
    REQUIRE(ref.records.size() <= out.size());
    for (std::size_t i = 0; i < ref.records.size(); ++i) {
        CAPTURE(i);
        CHECK(out[i] == ref.records[i]);
    }
}

/** `same_as_pull` for every span size from 0 to one past the records the payload holds. */
void every_capacity(const bytes& payload, const path& base, const lwm2m::schema_registry* reg, tally& t) {
    const reference all = pulled(payload, base, reg, 1u << 20);
    for (std::size_t capacity = 0; capacity <= all.records.size() + 1; ++capacity) {
        CAPTURE(capacity);
        same_as_pull(payload, base, reg, capacity, static_cast<int>(capacity % 3), t);
    }
}

/** Every prefix and every one-bit flip of `payload`, into a span of `capacity`. */
void prefixes_and_flips(const bytes& payload, const path& base, const lwm2m::schema_registry* reg,
                        std::size_t capacity, tally& t, int flip_step = 1) {
    for (std::size_t n = 0; n < payload.size(); ++n) {
        CAPTURE(n);
        same_as_pull(bytes(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(n)), base, reg, capacity, 0, t);
    }
    for (std::size_t bit = 0; bit < payload.size() * 8; bit += static_cast<std::size_t>(flip_step)) {
        CAPTURE(bit);
        bytes flipped = payload;
        flipped[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
        same_as_pull(flipped, base, reg, capacity, 0, t);
    }
}

/** The Device instance of LwM2M 1.0 §6.4.3.1 (121 bytes). */
bytes device_example() {
    return concat({hex("C8 00 14"), text_bytes("Open Mobile Alliance"), hex("C8 01 16"), text_bytes("Lightweight M2M Client"),
                   hex("C8 02 09"), text_bytes("345000123"), hex("C3 03"), text_bytes("1.0"), hex("86 06 41 00 01 41 01 05"),
                   hex("88 07 08 42 00 0E D8 42 01 13 88"), hex("87 08 41 00 7D 42 01 03 84"), hex("C1 09 64"),
                   hex("C1 0A 0F"), hex("83 0B 41 00 00"), hex("C4 0D 51 82 42 8F"), hex("C6 0E"), text_bytes("+02:00"),
                   hex("C1 10 55")});
}

} // namespace

TEST_CASE("tlv bulk read: the LwM2M 1.0 §6.4.3 examples, every span size, prefix and bit flip, as the pull reader") {
    const bytes device_payload = device_example();
    const bytes wrapped = concat({hex("08 00 79"), device_payload});
    const bytes acl_instances = hex("08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F "
                                    "08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F");
    struct example {
        bytes payload;
        path base;
    };
    const example examples[] = {
        {concat({hex("C8 00 14"), text_bytes("Open Mobile Alliance")}), P("/3/0")},
        {concat({hex("C8 00 14"), text_bytes("Open Mobile Alliance")}), P("/3/0/0")},
        {hex("88 07 08 42 00 0E D8 42 01 13 88"), P("/3/0")},
        {hex("88 07 08 42 00 0E D8 42 01 13 88"), P("/3/0/7")},
        {hex("42 01 13 88"), P("/3/0/7/1")},
        {hex("61 01 36 01"), P("/2/0/2/310")},
        {hex("41 7F 07 61 01 36 01"), P("/2/0/2")},
        {device_payload, P("/3/0")},
        {wrapped, P("/3")},
        {wrapped, P("/3/0")},
        {acl_instances, P("/2")},
        {hex("88 16 0C 44 00 00 42 00 00 44 01 00 42 00 01"), P("/3/0")},
        {hex("E1 00 05 01 CF 06 01 02 D7 01 00 01 2A"), P("/9999/0")},
        {hex("00 01 00 02 03 04 C1 00 01"), P("/2")},
        {hex("80 07"), P("/3/0")},
        // Strings that are not ASCII (the bulk loop leaves their UTF-8 to the pull reader): valid
        // and not, as a Resource and as Resource Instances, before and after other resources.
        {hex("C5 00 63 61 66 C3 A9 C1 09 64"), P("/3/0")},
        {hex("C1 09 64 C4 0E 63 61 66 E9 C1 10 55"), P("/3/0")},
        {hex("C3 00 41 42 43 87 13 41 00 41 42 01 C3 A9 C1 14 02"), P("/3/0")},
        {hex("87 13 41 00 41 42 01 41 FF C1 14 02"), P("/3/0")},
        {hex("00 00"), P("/3/0")},
        {{}, P("/3/0")},
        {{}, P("/3/0/9")},
    };
    const lwm2m::schema_registry* const registries[] = {nullptr, &local_schemas, &lwm2m::objects::registry};
    tally t;
    for (const auto& ex : examples) {
        for (const auto* reg : registries) {
            every_capacity(ex.payload, ex.base, reg, t);
            prefixes_and_flips(ex.payload, ex.base, reg, 64, t);
        }
    }
    // The Device example reads whole, typed, on the bulk path's shape.
    const reference device_records = pulled(device_payload, P("/3/0"), &local_schemas, 64);
    CHECK(!device_records.error.has_value());
    CHECK(device_records.records.size() == 16);
    CHECK(t.records > 50000);
    CHECK(t.errors > 3000);
    CHECK(t.capacity_errors > 100);
}

TEST_CASE("tlv bulk read: random instances of every shipped object, as the pull reader") {
    using lwm2m::test::random_data::instance_generator;
    using lwm2m::test::random_data::shape;
    const lwm2m::schema_registry* const reg = &lwm2m::objects::registry;
    tally t;
    std::size_t object_index = 0;
    for (const lwm2m::object_view& o : reg->objects()) {
        ++object_index;
        for (int i = 0; i < lwm2m::test::scaled(24); ++i) {
            const std::uint64_t seed = 0x62756C6Bu ^ (std::uint64_t{object_index} << 32) ^ static_cast<std::uint64_t>(i);
            CAPTURE(seed);
            instance_generator gen{seed};
            const shape s = static_cast<shape>(i % 4);
            const auto set = gen.make(o, s);
            bytes payload(1 << 16);
            lwm2m::format::output_window w{payload};
            REQUIRE(lwm2m::format::write_records(content_format::tlv, set.records, set.base, w).has_value());
            payload.resize(w.finish().value());
            // Typed, untyped, and typed by the wrong object's schema (another base).
            every_capacity(payload, set.base, reg, t);
            same_as_pull(payload, set.base, nullptr, 1u << 12, 0, t);
            if (set.base.level() == lwm2m::path_level::instance) {
                const path other = *path::make(static_cast<std::uint16_t>(o.id() == 3 ? 4 : 3), set.base.instance_id());
                same_as_pull(payload, other, reg, 1u << 12, 0, t);
            }
            if (i % 6 == 0) prefixes_and_flips(payload, set.base, reg, 1u << 12, t, payload.size() > 64 ? 7 : 1);
        }
    }
    CHECK(t.records > lwm2m::test::scaled(40000));
    CHECK(t.errors > lwm2m::test::scaled(5000));
}

TEST_CASE("tlv bulk read: random payloads and near misses at every base, as the pull reader") {
    lwm2m::test::tlv_generator gen{std::mt19937_64{0xb0b0u}};
    const lwm2m::schema_registry* const registries[] = {nullptr, &local_schemas};
    const path bases[] = {P("/3/0"), P("/9999/1"), P("/2/5"), P("/3"), P("/9999"), P("/3/0/7"), P("/3/0/7/1"), P("/4/0")};
    tally t;
    for (int iteration = 0; iteration < lwm2m::test::scaled(40000); ++iteration) {
        const path& base = bases[gen.below(std::size(bases))];
        bytes payload = gen.resources();
        if (base.level() == lwm2m::path_level::object || gen.below(8) == 0) {  // inside Object Instance TLVs
            bytes wrapped;
            const unsigned n = base.level() == lwm2m::path_level::object ? 1 + gen.below(3) : 1;
            unsigned id = gen.below(3);
            for (unsigned k = 0; k < n; ++k) {
                const bytes inner = k == 0 ? payload : gen.below(5) == 0 ? bytes{} : gen.resources();
                id = gen.below(10) == 0 ? gen.below(4) : id + 1;
                gen.header(wrapped, gen.below(30) == 0 ? 3 : 0,
                           base.level() == lwm2m::path_level::object ? id : base.instance_id(), inner.size());
                wrapped.insert(wrapped.end(), inner.begin(), inner.end());
            }
            payload = wrapped;
        }
        if (gen.below(3) == 0) gen.corrupt(payload);
        const auto* reg = registries[gen.below(std::size(registries))];
        CAPTURE(iteration);
        if (iteration % 8 == 0) every_capacity(payload, base, reg, t);
        else same_as_pull(payload, base, reg, gen.below(4) == 0 ? gen.below(12) : 64, iteration % 3, t);
    }
    CHECK(t.records > lwm2m::test::scaled(30000));
    CHECK(t.errors > lwm2m::test::scaled(20000));
    CHECK(t.capacity_errors > lwm2m::test::scaled(5000));
}

#if LWM2M_TLV_FAST_PATH
TEST_CASE("tlv bulk read: the dense ids of a schema are those found by index") {
    // Sorted unique ids 0..5 with one gap moved along: the dense prefix ends at the gap.
    for (std::uint16_t gap = 0; gap <= 6; ++gap) {
        for (std::size_t n = 0; n <= 6; ++n) {
            lwm2m::resource_def defs[6]{};
            for (std::size_t k = 0; k < n; ++k) defs[k].id = static_cast<std::uint16_t>(k < gap ? k : k + 1);
            const std::span<const lwm2m::resource_def> s{defs, n};
            std::size_t expected = 0;
            while (expected < n && s[expected].id == expected) ++expected;
            CAPTURE(gap);
            CAPTURE(n);
            CHECK(lwm2m::format::tlv::detail::bulk_dense_ids(s) == expected);
        }
    }
    CHECK(lwm2m::format::tlv::detail::bulk_dense_ids(device.view().resources()) == 23);
    CHECK(lwm2m::format::tlv::detail::bulk_dense_ids(everything.view().resources()) == 10);
}
#endif
