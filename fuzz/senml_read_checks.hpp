#pragma once
// What the SenML JSON and SenML CBOR fuzz targets check (fuzz/senml_json_read.cpp,
// fuzz/senml_cbor_read.cpp): `fuzz(input_format, payload)` reads the input in the given
// format with base `/`, in values mode without and with a small local schema (every data
// type, single and multiple resources) and in path-list mode; every error must carry an
// offset inside the input. Records that were read are written again in both SenML formats,
// read back the same way, and must come back equal (the cross-format round trip). A Float
// that is NaN or infinite (only CBOR carries them) must make the JSON writer fail with
// number_out_of_range. A SenML CBOR input is also read by the general code alone
// (`basic_senml_cbor_reader<false>`, no one-pass paths), which must give the same records and
// the same error at the same offset. Any violation aborts.

#include <lwm2m/format/senml_cbor.hpp>
#include <lwm2m/format/senml_json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "../tests/support/test_schema.hpp"

namespace {

using lwm2m::data_type;
using lwm2m::path;
using lwm2m::resource_def;
using lwm2m::value;
using lwm2m::format::record;

void check(bool ok) {
    if (!ok) std::abort();
}

using lwm2m::test::res;

constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, lwm2m::multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(1, data_type::string), res(4, data_type::none), res(6, data_type::integer, true),
    res(7, data_type::integer, true), res(9, data_type::integer, false, {true, 0, 100}), res(13, data_type::time),
    res(22, data_type::objlnk, true));
constexpr auto all_types = lwm2m::make_object(
    lwm2m::object_info{9000, "AllTypes", {1, 0}, lwm2m::multiplicity::multiple, lwm2m::presence::optional, {}},
    res(0, data_type::string), res(1, data_type::integer), res(2, data_type::unsigned_integer),
    res(3, data_type::float_), res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::time),
    res(7, data_type::objlnk), res(8, data_type::corelnk), res(9, data_type::none), res(10, data_type::string, true),
    res(11, data_type::integer, true), res(13, data_type::float_, true), res(15, data_type::opaque, true),
    res(21, data_type::string, false, {true, 0, 5}));
constexpr lwm2m::object_view schema_list[] = {device, all_types};
constexpr lwm2m::schema_registry schemas{schema_list};

enum class format { json, cbor };
enum class mode { values, paths };

std::string decoded(const value& v) {
    std::string s;
    auto n = lwm2m::for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); });
    check(n.has_value());  // readers validate encoded text
    return s;
}

bool same_record(const record& a, const record& b) {
    if (a.path != b.path || a.time != b.time || a.value.kind() != b.value.kind()) return false;
    if (a.value.is_bytes()) return decoded(a.value) == decoded(b.value);
    return a.value == b.value;
}

/** Reads the whole pack; false on error (after checking the error's offset). */
template <class Reader>
bool read_all(Reader& reader, std::size_t size, std::vector<record>& out) {
    for (;;) {
        auto r = reader.next();
        if (!r) {
            check(r.error().offset <= size);
            auto again = reader.next();  // sticky
            check(!again && again.error() == r.error());
            return false;
        }
        if (!*r) return true;
        out.push_back(**r);
    }
}

bool read(format f, mode m, lwm2m::bytes_view payload, const lwm2m::schema_registry* registry,
          std::vector<record>& out) {
    const path root{};
    if (f == format::json) {
        if (m == mode::paths) {
            lwm2m::format::senml_json_reader reader(payload, root, lwm2m::format::senml_json_reader::path_list_mode, registry);
            return read_all(reader, payload.size(), out);
        }
        lwm2m::format::senml_json_reader reader(payload, root, registry);
        return read_all(reader, payload.size(), out);
    }
    if (m == mode::paths) {
        lwm2m::format::senml_cbor_reader reader(payload, root, lwm2m::format::senml_cbor_reader::path_list_mode, registry);
        return read_all(reader, payload.size(), out);
    }
    lwm2m::format::senml_cbor_reader reader(payload, root, registry);
    return read_all(reader, payload.size(), out);
}

/** The records and the error (if any) of a whole reading. */
struct reading {
    std::vector<record> records;
    lwm2m::error error{};
    bool failed = false;
};

template <class Reader>
reading read_to_end(Reader reader) {
    reading out;
    for (;;) {
        auto r = reader.next();
        if (!r) {
            out.error = r.error();
            out.failed = true;
            return out;
        }
        if (!*r) return out;
        out.records.push_back(**r);
    }
}

/** The SenML CBOR reader with its one-pass paths and the general code alone read `payload` alike. */
template <bool OnePass>
reading read_cbor(mode m, lwm2m::bytes_view payload, const lwm2m::schema_registry* registry) {
    using reader = lwm2m::format::detail::basic_senml_cbor_reader<OnePass>;
    if (m == mode::paths) return read_to_end(reader(payload, path{}, reader::path_list_mode, registry));
    return read_to_end(reader(payload, path{}, registry));
}
void check_one_pass(mode m, lwm2m::bytes_view payload, const lwm2m::schema_registry* registry) {
    const reading fast = read_cbor<true>(m, payload, registry);
    const reading general = read_cbor<false>(m, payload, registry);
    check(fast.records.size() == general.records.size());
    for (std::size_t i = 0; i < fast.records.size(); ++i) check(fast.records[i] == general.records[i]);
    check(fast.failed == general.failed);
    check(!fast.failed || fast.error == general.error);
}

/** Writes `records` in `f`, reads them back in the same mode, compares. */
void round_trip(format f, mode m, const std::vector<record>& records, const lwm2m::schema_registry* registry) {
    const path root{};
    auto size = f == format::json ? lwm2m::format::senml_json_size(records, root)
                                  : lwm2m::format::senml_cbor_size(records, root);
    if (f == format::json) {
        bool non_finite = false;
        for (const record& r : records)
            non_finite = non_finite || (r.value.kind() == lwm2m::value_kind::float_ && !std::isfinite(r.value.as_float()));
        if (non_finite) {
            check(!size && size.error().code == lwm2m::errc::number_out_of_range);
            return;
        }
    }
    check(size.has_value());
    std::vector<std::byte> buf(*size);
    lwm2m::format::output_window out(buf);
    const auto ok = f == format::json ? lwm2m::format::write_senml_json(records, root, out)
                                      : lwm2m::format::write_senml_cbor(records, root, out);
    check(ok.has_value());
    check(out.finish().has_value() && out.written() == *size);
    std::vector<record> again;
    check(read(f, m, buf, registry, again));
    check(again.size() == records.size());
    for (std::size_t i = 0; i < records.size(); ++i) check(same_record(records[i], again[i]));
}

void fuzz(format input_format, lwm2m::bytes_view payload) {
    struct variant {
        mode m;
        const lwm2m::schema_registry* registry;
    };
    const variant variants[] = {{mode::values, nullptr}, {mode::values, &schemas}, {mode::paths, nullptr}};
    for (const variant& v : variants) {
        if (input_format == format::cbor) check_one_pass(v.m, payload, v.registry);
        std::vector<record> records;
        if (!read(input_format, v.m, payload, v.registry, records)) continue;
        round_trip(format::json, v.m, records, v.registry);
        round_trip(format::cbor, v.m, records, v.registry);
    }
}

} // namespace
