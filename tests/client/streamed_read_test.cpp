// dm::stream_read (a Read encoded straight from the objects, client/streamed_read.hpp) against
// the record list it replaces (dm::collect, then the writer): the same bytes, Block2 window
// by window, and the same errors, for every path of random objects in every format.
#include <lwm2m/client/streamed_read.hpp>
#include <lwm2m/format/codec.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../support/test_schema.hpp"

using namespace lwm2m;
using lwm2m::test::res;

namespace {

// Every data type, single and multiple, one resource not readable, one executable.
constexpr auto test_object = make_object(
    object_info{.id = 30001, .name = "Streamed"}, res(0, data_type::string), res(1, data_type::integer),
    res(2, data_type::unsigned_integer), res(3, data_type::float_), res(4, data_type::boolean),
    res(5, data_type::opaque), res(6, data_type::time), res(7, data_type::objlnk), res(8, data_type::integer, true),
    res(9, data_type::string, true), res(10, data_type::none),
    resource_def{.id = 11, .name = "w", .ops = operations::write, .type = data_type::integer}, res(12, data_type::float_, true),
    res(300, data_type::string));

/** Random values: strings handed out as views of temporaries, multiple resources of 0 to 4 instances. */
struct random_object {
    static constexpr const auto& schema = test_object;
    struct instance {
        std::uint16_t id;
        std::vector<std::uint16_t> absent;  // resources whose hook answers not_found
        std::uint32_t seed;
    };
    std::vector<instance> instances;
    int changing = 0;  // > 0: resource 0 grows on each read, this many times
    // true: resources 1, 3 and 12 change size on each read of them (a noisy sensor sampled per
    // call): 100000 (4 bytes) then 5 (1 byte), 0.1 (an 8-byte float) then 0.5 (4 bytes), ...
    bool noisy = false;
    int noisy_reads[13] = {};

    std::size_t instance_count() const { return instances.size(); }
    std::uint16_t instance_id(std::size_t i) const { return instances[i].id; }

    result<void> read(const path& p, client::resource_output& out) {
        const instance* in = nullptr;
        for (const auto& i : instances)
            if (i.id == p.instance_id()) in = &i;
        if (in == nullptr) return fail(errc::not_found);
        for (std::uint16_t a : in->absent)
            if (a == p.resource_id()) return fail(errc::not_found);
        std::mt19937 rng{in->seed * 7919u + p.resource_id()};
        const auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
        if (noisy && (p.resource_id() == 1 || p.resource_id() == 3 || p.resource_id() == 12)) {
            const bool odd = (noisy_reads[p.resource_id()]++ % 2) != 0;
            if (p.resource_id() == 1) return out.value(std::int64_t{odd ? 5 : 100000});
            if (p.resource_id() == 3) return out.value(odd ? 0.5 : 0.1);
            if (auto ok = out.instance(0, odd ? 0.5 : 0.1); !ok) return ok;
            return out.instance(1, odd ? 0.5 : 0.1);
        }
        switch (p.resource_id()) {
        case 0: {
            std::string text(pick(40) + (changing > 0 ? 300 - 100 * changing-- : 0), 'a');
            for (char& c : text) c = static_cast<char>('a' + pick(26));
            return out.value(std::string_view{text});  // a temporary: copied or written at once
        }
        case 1: return out.value(static_cast<std::int64_t>(rng()) - (1ll << 31) + (pick(2) ? (1ll << 40) : 0));
        case 2: return out.value(static_cast<std::uint64_t>(pick(3) == 0 ? 0xFFFFFFFFFFull : pick(300)));
        case 3: return out.value(pick(2) ? 0.5 * pick(100) : 1.0 / (1 + pick(7)));
        case 4: return out.value(pick(2) == 1);
        case 5: {
            std::vector<std::byte> bytes(pick(20));
            for (auto& b : bytes) b = static_cast<std::byte>(pick(256));
            return out.value(bytes_view{bytes});
        }
        case 6: return out.value(value::of_time(1700000000 + pick(1000)));
        case 7: return out.value(objlnk{static_cast<std::uint16_t>(pick(5)), static_cast<std::uint16_t>(pick(70000) % 65535)});
        case 8:
        case 9:
        case 12: {
            const std::uint32_t n = pick(5);  // 0 to 4 instances, ascending ids
            std::uint16_t ri = static_cast<std::uint16_t>(pick(3));
            for (std::uint32_t k = 0; k < n; ++k, ri = static_cast<std::uint16_t>(ri + 1 + pick(300))) {
                result<void> ok{};
                if (p.resource_id() == 8) ok = out.instance(ri, static_cast<std::int64_t>(pick(100000)) - 500);
                else if (p.resource_id() == 9) ok = out.instance(ri, std::string(pick(8), 'x'));
                else ok = out.instance(ri, 0.25 * pick(9));
                if (!ok) return ok;
            }
            return {};
        }
        case 300: return out.value(std::string_view{"three hundred"});
        default: return fail(errc::not_found);
        }
    }
};

struct stream_case {
    random_object object;
    std::vector<path> targets;
};

stream_case make_case(std::uint32_t seed) {
    std::mt19937 rng{seed};
    stream_case c;
    const std::size_t n = rng() % 4;  // 0 to 3 instances, in any id order
    for (std::size_t i = 0; i < n; ++i) {
        random_object::instance in{static_cast<std::uint16_t>(rng() % 5 == 0 ? 65534 - i : rng() % 400), {}, static_cast<std::uint32_t>(rng())};
        bool taken = false;
        for (const auto& o : c.object.instances) taken = taken || o.id == in.id;
        if (taken) continue;
        for (std::uint16_t r : {0, 1, 5, 8, 300})
            if (rng() % 4 == 0) in.absent.push_back(r);
        if (rng() % 6 == 0)  // an instance with no value at all: still an Object Instance TLV in /O
            for (const resource_def& d : test_object.resources) in.absent.push_back(d.id);
        c.object.instances.push_back(in);
    }
    c.targets.push_back(*path::make(30001));
    c.targets.push_back(*path::make(30002));  // no such object
    for (const auto& in : c.object.instances) {
        c.targets.push_back(*path::make(30001, in.id));
        for (const resource_def& d : test_object.resources) c.targets.push_back(*path::make(30001, in.id, d.id));
        for (std::uint16_t ri : {0, 1, 2, 3, 200}) c.targets.push_back(*path::make(30001, in.id, 8, ri));
        c.targets.push_back(*path::make(30001, in.id, 1, 0));  // an instance of a single resource
        c.targets.push_back(*path::make(30001, in.id, 13));     // not in the schema
    }
    c.targets.push_back(*path::make(30001, 401));  // no such instance
    return c;
}

constexpr format::content_format all_formats[] = {format::content_format::text, format::content_format::opaque,
                                                  format::content_format::tlv, format::content_format::senml_json,
                                                  format::content_format::senml_cbor};

struct outcome {
    std::optional<errc> error;
    std::vector<std::byte> bytes;
    std::size_t total = 0;
};

/**
 * What the engine's record list gave, through `window` (before Reads were streamed): the
 * values collected and sorted, for TLV with a `none` record at each instance of an object
 * (so that an empty instance is still an Object Instance TLV), then the format's writer over
 * all of them; an empty Multiple Resource read in TLV is its TLV with length 0 (LwM2M 1.0
 * §6.4.3.1).
 */
outcome through_records(std::span<const client::object_binding> objects, const path& target, format::content_format cf,
                        std::size_t size, std::size_t skip, std::uint32_t* digest = nullptr) {
    client::record_buffer<64, 4096> records;
    outcome o;
    o.bytes.resize(size);
    format::output_window out{mutable_bytes{o.bytes}, skip};
    const bool tlv = cf == format::content_format::tlv;
    const client::object_binding* object = client::dm::find_object(objects, target.object_id());
    if (tlv && target.level() == path_level::object && object != nullptr)
        REQUIRE(client::dm::for_each_instance(*object, [&](std::uint16_t id) {
            return records.push(*path::make(target.object_id(), id), value::of_none());
        }));
    const auto fail_with = [&](errc e) {
        o.error = e;
        o.bytes.clear();  // (the engine answers errors with no body)
        return o;
    };
    if (auto ok = client::dm::collect(objects, target, records); !ok) return fail_with(ok.error().code);
    const resource_def* def = object != nullptr && target.has_resource() ? object->schema.find(target.resource_id()) : nullptr;
    if (tlv && records.empty() && target.level() == path_level::resource && def != nullptr && def->is_multiple())
        out.put(format::tlv::encode_header(format::tlv::entry_type::multiple_resource, target.resource_id(), 0).view());
    else if (auto ok = client::dm::encode(records.records(), target, cf, out); !ok)
        return fail_with(ok.error().code);
    if (digest != nullptr) *digest = client::records_digest(records.records());
    o.total = out.total();
    o.bytes.resize(std::min(size, out.total() > skip ? out.total() - skip : 0));
    return o;
}

outcome streamed(std::span<const client::object_binding> objects, const path& target, format::content_format cf,
                 std::size_t size, std::size_t skip, client::dm::read_summary* summary = nullptr) {
    outcome o;
    o.bytes.resize(size);
    format::output_window out{mutable_bytes{o.bytes}, skip};
    const resource_def* def = nullptr;
    if (target.has_resource())
        if (const auto* b = client::dm::find_object(objects, target.object_id())) def = b->schema.find(target.resource_id());
    client::dm::read_summary s;
    if (auto ok = client::dm::stream_read(objects, target, def, cf, out, s); !ok) {
        o.error = ok.error().code;
        o.bytes.clear();
        return o;
    }
    if (summary != nullptr) *summary = s;
    o.total = out.total();
    o.bytes.resize(std::min(size, out.total() > skip ? out.total() - skip : 0));
    return o;
}

} // namespace

TEST_CASE("stream_read writes the bytes of the record list it replaced, window by window, with the same errors") {
    std::size_t compared = 0, with_bytes = 0, errors = 0;
    for (std::uint32_t seed = 1; seed <= 30; ++seed) {
        stream_case c = make_case(seed);
        const client::object_binding objects[] = {client::bind(c.object)};
        for (const path& target : c.targets)
            for (const auto cf : all_formats) {
                CAPTURE(seed);
                const std::string name{target.text().view()};
                CAPTURE(name);
                CAPTURE(static_cast<int>(cf));
                const outcome want = through_records(objects, target, cf, 4096, 0);
                const outcome got = streamed(objects, target, cf, 4096, 0);
                REQUIRE(got.error == want.error);
                CHECK(got.bytes == want.bytes);
                ++compared;
                if (want.error) {
                    ++errors;
                    continue;
                }
                if (!want.bytes.empty()) ++with_bytes;
                // Block2-like windows at every block offset: 16 bytes (every window cuts records) or 64.
                const std::size_t block = seed % 3 == 0 ? 16 : 64;
                for (std::size_t skip = 0; skip < want.total; skip += block) {
                    CAPTURE(skip);
                    const outcome w = through_records(objects, target, cf, block, skip);
                    const outcome g = streamed(objects, target, cf, block, skip);
                    REQUIRE(g.error == w.error);
                    CHECK(g.bytes == w.bytes);
                    CHECK(g.total == w.total);
                }
            }
    }
    // The cases reach the interesting outcomes.
    CHECK(with_bytes > 250);
    CHECK(errors > 250);
    CHECK(compared > 1500);
}

TEST_CASE("stream_read's summary: the digest of the records and the single numeric value") {
    stream_case c = make_case(5);
    REQUIRE(!c.object.instances.empty());
    const client::object_binding objects[] = {client::bind(c.object)};
    const std::uint16_t id = c.object.instances[0].id;
    for (const path& target : {*path::make(30001, id), *path::make(30001, id, 1), *path::make(30001, id, 8)}) {
        std::uint32_t digest = 0;
        client::dm::read_summary s;
        const outcome want = through_records(objects, target, format::content_format::senml_cbor, 4096, 0, &digest);
        const outcome got = streamed(objects, target, format::content_format::senml_cbor, 4096, 0, &s);
        if (want.error) continue;
        CHECK(s.digest == digest);
        const auto only = client::dm::summarize_read(objects, target);
        REQUIRE(only);
        CHECK(only->digest == digest);
        CHECK(only->values == s.values);
    }
    const auto one = client::dm::summarize_read(objects, *path::make(30001, id, 2));
    if (one) {
        REQUIRE(one->numeric);
        CHECK(one->values == 1);
    }
    const auto many = client::dm::summarize_read(objects, *path::make(30001, id));
    REQUIRE(many);
    CHECK(!many->numeric);
}

TEST_CASE("stream_read: a value that grows between the measuring and the writing walk is read again, then is an error") {
    random_object o;
    o.instances.push_back({7, {}, 3});
    const client::object_binding objects[] = {client::bind(o)};
    for (const auto cf : {format::content_format::tlv, format::content_format::senml_cbor}) {
        // Grows once (the measuring walk of the first attempt): the second attempt is consistent.
        o.changing = 1;
        const auto target = cf == format::content_format::tlv ? *path::make(30001) : *path::make(30001, 7);
        outcome got = streamed(objects, target, cf, 4096, 0);
        CHECK(!got.error);
        CHECK(o.changing == 0);
        o.changing = 0;
        const outcome want = through_records(objects, target, cf, 4096, 0);
        if (cf == format::content_format::senml_cbor) {
            CHECK(got.bytes == want.bytes);
            continue;
        }
        // TLV's second attempt writes numbers in 8 bytes (see the next test): the same records.
        CHECK(got.bytes.size() > want.bytes.size());
        const object_view views[] = {test_object};
        const schema_registry registry{views};
        std::vector<format::record> a(64), b(64);
        const auto na = format::read_records(cf, got.bytes, target, &registry, a);
        const auto nb = format::read_records(cf, want.bytes, target, &registry, b);
        REQUIRE(na);
        REQUIRE(nb);
        a.resize(*na);
        b.resize(*nb);
        CHECK(a == b);
    }
    // TLV: the instance length measured with a longer string than written, twice: value_changed.
    o.changing = 3;
    const outcome bad = streamed(objects, *path::make(30001), format::content_format::tlv, 4096, 0);
    CHECK(bad.error == std::optional<errc>{errc::value_changed});
}

TEST_CASE("stream_read: numbers that change size on every read (a noisy sensor) are read in TLV, the second time in 8 bytes") {
    random_object o;
    o.instances.push_back({7, {}, 3});
    o.instances.push_back({9, {0, 5, 9}, 4});
    const client::object_binding objects[] = {client::bind(o)};
    const object_view views[] = {test_object};
    const schema_registry registry{views};
    for (const path& target : {*path::make(30001), *path::make(30001, 7), *path::make(30001, 9, 12)}) {
        CAPTURE(target.text().view());
        o.noisy = true;
        for (int& n : o.noisy_reads) n = 0;
        const outcome got = streamed(objects, target, format::content_format::tlv, 4096, 0);
        REQUIRE(!got.error);
        // Every number read back is one a hook handed out, at the path it was handed out for.
        std::vector<format::record> records(64);
        const auto n = format::read_records(format::content_format::tlv, got.bytes, target, &registry, records);
        REQUIRE(n);
        int numbers = 0;
        for (std::size_t i = 0; i < *n; ++i) {
            const format::record& r = records[i];
            if (r.path.resource_id() == 1) {
                CHECK((r.value.as_integer() == 5 || r.value.as_integer() == 100000));
                ++numbers;
            } else if (r.path.resource_id() == 3 || r.path.resource_id() == 12) {
                CHECK((r.value.as_float() == 0.5 || r.value.as_float() == 0.1));
                ++numbers;
            }
        }
        CHECK(numbers == (target.level() == path_level::resource ? 2 : target.level() == path_level::instance ? 4 : 8));
        // The first attempt met a changed length, so the second wrote its numbers in 8 bytes:
        // the last walk read 0.5 (a 4-byte float at its shortest), now 8 bytes of double.
        const auto half = std::bit_cast<std::array<std::byte, 8>>(0.5);
        std::array<std::byte, 8> big_endian{};
        for (std::size_t i = 0; i < 8; ++i) big_endian[i] = half[std::endian::native == std::endian::little ? 7 - i : i];
        CHECK(std::search(got.bytes.begin(), got.bytes.end(), big_endian.begin(), big_endian.end()) != got.bytes.end());
        // Without the noise, the same read is the record list's, shortest numbers and all.
        o.noisy = false;
        CHECK(streamed(objects, target, format::content_format::tlv, 4096, 0).bytes ==
              through_records(objects, target, format::content_format::tlv, 4096, 0).bytes);
    }
}
