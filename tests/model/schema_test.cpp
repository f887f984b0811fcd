// Tests of the generated object schemas (include/lwm2m/model/objects/), schema lookups,
// object_view / schema_registry, the typed API (model/typed.hpp), and the DDF reader of
// tools/lwm2m-gen (the generated headers are checked against the XML they come from).
// doctest, no main here: tests/main.cpp provides it.

#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/model/objects/connectivity_monitoring_v1_0.hpp>
#include <lwm2m/model/objects/device_v1_0.hpp>
#include <lwm2m/model/objects/firmware_update_v1_0.hpp>
#include <lwm2m/model/objects/lwm2m_security_v1_0.hpp>
#include <lwm2m/model/objects/lwm2m_security_v1_1.hpp>
#include <lwm2m/model/objects/lwm2m_server_v1_0.hpp>
#include <lwm2m/model/typed.hpp>
#include <lwm2m/path.hpp>

#include "../../tools/lwm2m-gen/ddf.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace {

namespace objs = lwm2m::objects;
using lwm2m::data_type;
using lwm2m::errc;
using lwm2m::multiplicity;
using lwm2m::operations;
using lwm2m::presence;

// ---- compile-time facts ---------------------------------------------------------------------

/** True if the resources of `o` are exactly the ids first..last. */
template <class Object>
constexpr bool ids_are_range(const Object& o, std::uint16_t first, std::uint16_t last) {
    if (o.resources.size() != static_cast<std::size_t>(last - first + 1)) return false;
    for (std::size_t i = 0; i < o.resources.size(); ++i)
        if (o.resources[i].id != first + i) return false;
    return true;
}

/** True if `o` defines resource `id` (compares ids, not pointers: GCC cannot constant-fold a
 *  pointer-vs-nullptr comparison under -fsanitize=undefined). */
constexpr bool has(lwm2m::object_view o, std::uint16_t id) {
    for (const auto& r : o.resources())
        if (r.id == id) return true;
    return false;
}

// Device /3 (3.xml, v1.2): 23 resources 0..22, single instance, mandatory.
namespace device = objs::device;
static_assert(device::object.info.id == 3);
static_assert(device::object.info.name == "Device");
static_assert(device::object.info.version == lwm2m::object_version{1, 2});
static_assert(device::object.info.urn == "urn:oma:lwm2m:oma:3:1.2");
static_assert(device::object.info.instances == multiplicity::single);
static_assert(device::object.info.required == presence::mandatory);
static_assert(device::object.resources.size() == 23);
static_assert(ids_are_range(device::object, 0, 22));
static_assert(device::object.resource<device::reboot>().executable());
static_assert(device::object.resource<device::reboot>().type == data_type::none);
static_assert(device::object.resource<device::reboot>().is_mandatory());
static_assert(device::object.resource<device::manufacturer>().ops == operations::read);
static_assert(device::object.resource<device::manufacturer>().type == data_type::string);
static_assert(device::object.resource<device::manufacturer>().name == "Manufacturer");
static_assert(!device::object.resource<device::manufacturer>().is_mandatory());
static_assert(device::object.resource<device::current_time>().ops == operations::read_write);
static_assert(device::object.resource<device::current_time>().type == data_type::time);
static_assert(device::object.resource<device::error_code>().is_multiple());
static_assert(device::object.resource<device::error_code>().range == lwm2m::value_range{true, 0, 32});
static_assert(device::object.resource<device::battery_level>().units == "/100");
static_assert(device::object.resource<device::ext_dev_info>().type == data_type::objlnk);
static_assert(device::manufacturer == 0 && device::reboot == 4 && device::power_source_voltage == 7 &&
              device::utc_offset == 14 && device::ext_dev_info == 22);

// Device 1.0 (3-1_0.xml): same ids, Error Code 0..8, units in mV/mA/%/KB.
namespace device_v1_0 = objs::device_v1_0;
static_assert(device_v1_0::object.info.id == 3);
static_assert(device_v1_0::object.info.version == lwm2m::object_version{1, 0});
static_assert(device_v1_0::object.info.urn == "urn:oma:lwm2m:oma:3");
static_assert(ids_are_range(device_v1_0::object, 0, 22));
static_assert(device_v1_0::object.resource<device_v1_0::error_code>().range == lwm2m::value_range{true, 0, 8});
static_assert(device_v1_0::object.resource<device_v1_0::battery_level>().units == "%");
static_assert(device_v1_0::object.resource<device_v1_0::power_source_voltage>().units == "mV");

// Firmware Update /5: no resource 4 (neither version); 1.2 adds 10..14.
namespace fw = objs::firmware_update;
namespace fw_v1_0 = objs::firmware_update_v1_0;
static_assert(fw::object.info.id == 5 && fw::object.resources.size() == 14);
static_assert(!has(fw::object, 4) && !has(fw_v1_0::object, 4));
static_assert(has(fw::object, 3) && has(fw::object, 5));
static_assert(fw_v1_0::object.resources.size() == 9 && fw_v1_0::object.resources.back().id == 9);
static_assert(fw::object.resource<fw::update_result>().range == lwm2m::value_range{true, 0, 11});
static_assert(fw_v1_0::object.resource<fw_v1_0::update_result>().range == lwm2m::value_range{true, 0, 9});
static_assert(fw::object.resource<fw::update>().executable() && fw::object.resource<fw::cancel>().executable());
static_assert(fw::package == 0 && fw::package_uri == 1 && fw::pkg_name == 6 && fw::automatic_upgrade_at_download == 14);

// LwM2M Server /1: 0..27 (1.xml), 0..8 (1-1_0.xml); Short Server ID 1..65534 vs 1..65535.
namespace server = objs::lwm2m_server;
namespace server_v1_0 = objs::lwm2m_server_v1_0;
static_assert(server::object.info.id == 1 && server::object.info.instances == multiplicity::multiple);
static_assert(ids_are_range(server::object, 0, 27));
static_assert(ids_are_range(server_v1_0::object, 0, 8));
static_assert(server::object.resource<server::short_server_id>().range == lwm2m::value_range{true, 1, 65534});
static_assert(server_v1_0::object.resource<server_v1_0::short_server_id>().range == lwm2m::value_range{true, 1, 65535});
static_assert(server::object.resource<server::lifetime>().units == "s");
static_assert(server::object.resource<server::registration_update_trigger>().executable());

// LwM2M Security /0: 0..30 (0.xml); 1.0 has 0..12 and no <Operations> at all.
namespace security = objs::lwm2m_security;
namespace security_v1_0 = objs::lwm2m_security_v1_0;
namespace security_v1_1 = objs::lwm2m_security_v1_1;
// LwM2M 1.1's Security object: 0-17, the 1.0 resources with the same types, version 1.1.
static_assert(ids_are_range(security_v1_1::object, 0, 17));
static_assert(security_v1_1::object.info.version == lwm2m::object_version{1, 1});
static_assert(security_v1_1::object.resource<security_v1_1::dtls_tls_ciphersuite>().is_multiple());
static_assert(security_v1_1::object.resource<security_v1_1::sni>().type == lwm2m::data_type::string);
static_assert(ids_are_range(security::object, 0, 30));
static_assert(ids_are_range(security_v1_0::object, 0, 12));
constexpr bool all_without_operations(std::span<const lwm2m::resource_def> rs) {
    for (const auto& r : rs)
        if (r.ops != operations::none || r.type == data_type::none) return false;
    return true;
}
static_assert(all_without_operations(security_v1_0::object.resources));
static_assert(security::lwm2m_server_uri == 0 && security::sms_binding_secret_keys == 8);
// "6 bytes" / "6" and "16-32-48 bytes" / "16,32,48": length bounds of Opaque resources.
static_assert(security_v1_0::object.resource<7>().range == lwm2m::value_range{true, 6, 6});
static_assert(security::object.resource<7>().range == lwm2m::value_range{true, 6, 6});
static_assert(security_v1_0::object.resource<8>().range == lwm2m::value_range{true, 16, 48});
static_assert(security::object.resource<8>().range == lwm2m::value_range{true, 16, 48});
static_assert(security_v1_0::object.resource<0>().range == lwm2m::value_range{true, 0, 255});  // "0-255 bytes"

// Connectivity Monitoring /4: 0..13 (v1.3) vs 0..10 (1.0).
static_assert(ids_are_range(objs::connectivity_monitoring::object, 0, 13));
static_assert(ids_are_range(objs::connectivity_monitoring_v1_0::object, 0, 10));

// IPSO objects: sparse ids, multiple instances.
static_assert(objs::temperature::object.info.id == 3303 && objs::temperature::sensor_value == 5700);
static_assert(objs::temperature::object.resource<5700>().type == data_type::float_);
static_assert(objs::temperature::object.resource<5605>().executable());
static_assert(objs::light_control::on_off == 5850 && objs::light_control::object.info.instances == multiplicity::multiple);
static_assert(objs::light_control::object.resource<objs::light_control::dimmer>().range == lwm2m::value_range{true, 0, 100});
static_assert(objs::addressable_text_display::object.info.id == 3341);

// The registry: current versions only, sorted by id, no duplicates.
static_assert(std::size(objs::all_objects) == 17);
constexpr bool sorted_unique() {
    for (std::size_t i = 1; i < std::size(objs::all_objects); ++i)
        if (objs::all_objects[i - 1].id() >= objs::all_objects[i].id()) return false;
    return true;
}
static_assert(sorted_unique());
constexpr bool registry_has(std::uint16_t id) {
    for (const lwm2m::object_view& o : objs::registry.objects())
        if (o.id() == id) return true;
    return false;
}
static_assert(registry_has(3) && registry_has(3341) && !registry_has(8));
static_assert(objs::registry.find(3)->info().version == lwm2m::object_version{1, 2});

// ---- typed API: compile-time parts ----------------------------------------------------------

using manufacturer = lwm2m::resource_ref<device::object, device::manufacturer>;
using utc_offset = lwm2m::resource_ref<device::object, device::utc_offset>;
using current_time = lwm2m::resource_ref<device::object, device::current_time>;
using reboot = lwm2m::resource_ref<device::object, device::reboot>;
using lifetime = lwm2m::resource_ref<server::object, server::lifetime>;
using mute_send = lwm2m::resource_ref<server::object, server::mute_send>;
using comm_retry_count = lwm2m::resource_ref<server::object, server::communication_retry_count>;
using alt_apn_links = lwm2m::resource_ref<server::object, server::alternate_apn_links>;
using acl = lwm2m::resource_ref<objs::lwm2m_access_control::object, objs::lwm2m_access_control::acl>;
using package = lwm2m::resource_ref<fw::object, fw::package>;
using sensor_value = lwm2m::resource_ref<objs::temperature::object, objs::temperature::sensor_value>;

static_assert(std::is_same_v<lwm2m::value_type_t<data_type::string>, std::string_view>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::integer>, std::int64_t>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::unsigned_integer>, std::uint64_t>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::float_>, double>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::boolean>, bool>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::opaque>, lwm2m::bytes_view>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::time>, std::int64_t>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::objlnk>, lwm2m::objlnk>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::corelnk>, std::string_view>);
static_assert(std::is_same_v<lwm2m::value_type_t<data_type::none>, void>);

static_assert(manufacturer::object_id == 3 && manufacturer::id == 0 && manufacturer::type == data_type::string);
static_assert(std::is_same_v<manufacturer::value_type, std::string_view>);
static_assert(std::is_same_v<reboot::value_type, void>);
static_assert(&manufacturer::def == &device::object.resources[0]);
static_assert(manufacturer::object.name == "Device");

// Which writes compile.
template <class Res, class V>
constexpr bool can_write = requires(V v) { lwm2m::typed_write<Res>(0, static_cast<V>(v)); };
template <class Res, class V>
constexpr bool can_write_instance = requires(V v) { lwm2m::typed_write<Res>(0, 1, static_cast<V>(v)); };
template <class Res, class V>
constexpr bool can_make = requires(V v) { lwm2m::make_value<Res>(static_cast<V>(v)); };

static_assert(can_write<utc_offset, const char (&)[7]>);
static_assert(can_write<utc_offset, const char*>);
static_assert(can_write<utc_offset, std::string_view>);
static_assert(can_write<utc_offset, const std::string&>);
static_assert(!can_write<utc_offset, std::string&&>);  // would leave a dangling view
static_assert(!can_write<utc_offset, std::nullptr_t>);
static_assert(!can_write<utc_offset, int>);
static_assert(!can_write<manufacturer, const char*>);  // read-only
static_assert(!can_write<reboot, int>);                // executable
static_assert(can_write<lifetime, int>);
static_assert(can_write<lifetime, std::int64_t>);
static_assert(can_write<lifetime, std::uint32_t>);
static_assert(!can_write<lifetime, std::uint64_t>);  // may not fit int64
static_assert(!can_write<lifetime, double>);
static_assert(!can_write<lifetime, bool>);
static_assert(!can_write<lifetime, char>);
static_assert(!can_write<lifetime, const char*>);
static_assert(can_write<comm_retry_count, unsigned>);
static_assert(!can_write<comm_retry_count, int>);  // sign change
static_assert(can_write<mute_send, bool>);
static_assert(!can_write<mute_send, int>);
static_assert(can_write<current_time, std::int64_t>);
static_assert(!can_write<alt_apn_links, lwm2m::objlnk>);  // multiple: needs a resource instance
static_assert(can_write_instance<alt_apn_links, lwm2m::objlnk>);
static_assert(!can_write_instance<alt_apn_links, int>);
static_assert(!can_write_instance<lifetime, int>);  // single: no resource instance
static_assert(can_write_instance<acl, int>);
static_assert(can_write<package, std::span<const std::byte>>);
static_assert(can_write<package, const std::array<std::byte, 4>&>);
static_assert(!can_write<package, std::array<std::byte, 4>&&>);  // dangling
static_assert(!can_write<package, const char*>);
static_assert(can_make<sensor_value, double>);
static_assert(can_make<sensor_value, float>);
static_assert(!can_make<sensor_value, int>);
static_assert(!can_make<sensor_value, long double>);
static_assert(can_make<manufacturer, const char*>);  // make_value does not need Write
static_assert(!can_make<reboot, int>);

constexpr auto lifetime_write = lwm2m::typed_write<lifetime>(2, 86400);
static_assert(lifetime_write.has_value());
static_assert(lifetime_write->path == lwm2m::path::make(1, 2, 1).value());
static_assert(lifetime_write->value == lwm2m::value::of_integer(86400));

// The DDF reader's enums mirror the library's, so the CLI can convert with a static_cast.
static_assert(static_cast<unsigned>(lwm2m::ddf::ddf_type::corelnk) == static_cast<unsigned>(data_type::corelnk));
static_assert(static_cast<unsigned>(lwm2m::ddf::ddf_type::float_) == static_cast<unsigned>(data_type::float_));
static_assert(static_cast<unsigned>(lwm2m::ddf::ddf_ops::read_write) == static_cast<unsigned>(operations::read_write));
static_assert(static_cast<unsigned>(lwm2m::ddf::ddf_ops::execute) == static_cast<unsigned>(operations::execute));

// ---- helpers for the run-time part ------------------------------------------------------------

#ifdef LWM2M_SOURCE_DIR
std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}
#endif

std::string trimmed(std::string_view s) {
    const std::size_t b = s.find_first_not_of(' ');
    if (b == std::string_view::npos) return {};
    return std::string(s.substr(b, s.find_last_not_of(' ') - b + 1));
}

lwm2m::ddf::ddf_object parse_or_fail(std::string_view xml) {
    std::string error;
    auto o = lwm2m::ddf::parse_ddf(xml, error);
    INFO(error);
    REQUIRE(o.has_value());
    return *o;
}

} // namespace

TEST_SUITE("model.schema") {

TEST_CASE("object_view: run-time lookups by id") {
    const lwm2m::object_view v = device::object;
    CHECK(v.id() == 3);
    CHECK_FALSE(v.is_multiple());
    CHECK(v.resources().size() == 23);
    for (std::uint16_t id = 0; id <= 22; ++id) {
        const lwm2m::resource_def* r = v.find(id);
        REQUIRE(r != nullptr);
        CHECK(r->id == id);
    }
    CHECK(v.find(23) == nullptr);
    CHECK(v.find(65535) == nullptr);
    CHECK(v.find(4)->name == "Reboot");

    const lwm2m::object_view f = fw::object;
    CHECK(f.find(4) == nullptr);
    CHECK(f.find(5)->name == "Update Result");

    const lwm2m::object_view t = objs::temperature::object;
    CHECK(t.is_multiple());
    CHECK(t.find(5700)->name == "Sensor Value");
    CHECK(t.find(5699) == nullptr);
    CHECK(t.find(0) == nullptr);
}

TEST_CASE("schema_registry: objects and resources by path") {
    const lwm2m::schema_registry& reg = objs::registry;
    CHECK(reg.objects().size() == 17);
    for (const std::uint16_t id : {0, 1, 2, 3, 4, 5, 6, 7, 3303, 3306, 3308, 3311, 3312, 3316, 3328, 3331, 3341}) {
        const lwm2m::object_view* o = reg.find(id);
        REQUIRE(o != nullptr);
        CHECK(o->id() == id);
    }
    CHECK(reg.find(9) == nullptr);
    CHECK(reg.find(3300) == nullptr);

    const lwm2m::resource_def* r = reg.find_resource(lwm2m::path::make(3, 0, 4).value());
    REQUIRE(r != nullptr);
    CHECK(r->name == "Reboot");
    CHECK(r->executable());
    r = reg.find_resource(lwm2m::path::make(3, 0, 11, 2).value());
    REQUIRE(r != nullptr);
    CHECK(r->name == "Error Code");
    CHECK(reg.find_resource(lwm2m::path::make(3, 0).value()) == nullptr);
    CHECK(reg.find_resource(lwm2m::path::make(5, 0, 4).value()) == nullptr);
    CHECK(reg.find_resource(lwm2m::path::make(42, 0, 0).value()) == nullptr);
    CHECK(reg.find_resource(lwm2m::path::make(1, 0, 27).value())->name == "Profile ID Hash Algorithm");
}

TEST_CASE("schema_registry: unsorted, and an object at another object's id as index") {
    // find looks at index `id` first: here index 0 holds object 3 and index 1 object 0.
    static constexpr lwm2m::object_view unsorted[] = {objs::device::object, objs::lwm2m_security::object,
                                                      objs::location::object};
    constexpr lwm2m::schema_registry reg{unsorted};
    for (const std::uint16_t id : {3, 0, 6}) {
        const lwm2m::object_view* o = reg.find(id);
        REQUIRE(o != nullptr);
        CHECK(o->id() == id);
    }
    CHECK(reg.find(1) == nullptr);
    CHECK(reg.find(2) == nullptr);
    static_assert(reg.find(0) == &unsorted[1] && reg.find(3) == &unsorted[0] && reg.find(1) == nullptr);
}

TEST_CASE("a registry of LwM2M 1.0 schemas can be built from the _v1_0 variants") {
    static constexpr lwm2m::object_view v1_0[] = {
        objs::lwm2m_security_v1_0::object, objs::lwm2m_server_v1_0::object, objs::lwm2m_access_control::object,
        objs::device_v1_0::object,         objs::connectivity_monitoring_v1_0::object,
        objs::firmware_update_v1_0::object, objs::location::object,          objs::connectivity_statistics::object,
    };
    constexpr lwm2m::schema_registry reg{v1_0};
    CHECK(reg.find(1)->resources().size() == 9);
    CHECK(reg.find_resource(lwm2m::path::make(1, 0, 9).value()) == nullptr);
    CHECK(reg.find_resource(lwm2m::path::make(3, 0, 11).value())->range.max == 8);
}

TEST_CASE("typed_write: path and value") {
    auto w = lwm2m::typed_write<utc_offset>(0, "+01:00");
    REQUIRE(w.has_value());
    CHECK(w->path == lwm2m::path::make(3, 0, 14).value());
    CHECK(w->value.kind() == lwm2m::value_kind::string);
    CHECK(w->value.raw_text() == "+01:00");

    const std::string zone = "Europe/Paris";
    auto z = lwm2m::typed_write<lwm2m::resource_ref<device::object, device::timezone>>(lwm2m::instance_id{0}, zone);
    REQUIRE(z.has_value());
    CHECK(z->value.raw_text().data() == zone.data());  // a view, no copy

    auto t = lwm2m::typed_write<current_time>(0, std::int64_t{1700000000});
    REQUIRE(t.has_value());
    CHECK(t->value.kind() == lwm2m::value_kind::time);
    CHECK(t->value.as_time() == 1700000000);

    auto c = lwm2m::typed_write<comm_retry_count>(3, 5u);
    REQUIRE(c.has_value());
    CHECK(c->path == lwm2m::path::make(1, 3, 17).value());
    CHECK(c->value == lwm2m::value::of_unsigned(5));

    auto m = lwm2m::typed_write<mute_send>(0, true);
    REQUIRE(m.has_value());
    CHECK(m->value == lwm2m::value::of_boolean(true));

    auto a = lwm2m::typed_write<alt_apn_links>(0, 2, lwm2m::objlnk{11, 1});
    REQUIRE(a.has_value());
    CHECK(a->path == lwm2m::path::make(1, 0, 24, 2).value());
    CHECK(a->value.as_objlnk() == lwm2m::objlnk{11, 1});

    const std::array<std::byte, 3> image{std::byte{1}, std::byte{2}, std::byte{3}};
    auto p = lwm2m::typed_write<package>(0, image);
    REQUIRE(p.has_value());
    CHECK(p->value.kind() == lwm2m::value_kind::opaque);
    CHECK(p->value.encoded_bytes().size() == 3);

    auto s = lwm2m::make_value<sensor_value>(21.5);
    CHECK(s == lwm2m::value::of_float(21.5));
}

TEST_CASE("typed_write: invalid instance ids are errors") {
    auto w = lwm2m::typed_write<lifetime>(65535, 60);
    REQUIRE_FALSE(w.has_value());
    CHECK(w.error().code == errc::path_id_out_of_range);
    CHECK(w.error().offset == 1);
    auto n = lwm2m::typed_write<lifetime>(-1, 60);
    REQUIRE_FALSE(n.has_value());
    auto r = lwm2m::typed_write<acl>(0, 70000, 1);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::path_id_out_of_range);
    CHECK(r.error().offset == 3);
}

} // TEST_SUITE("model.schema")

TEST_SUITE("model.ddf") {

TEST_CASE("parse_ddf: BOM, CRLF, comments, CDATA, entities, attributes") {
    const std::string xml =
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
        "<!--\r\n  License text\r\n-->\r\n"
        "<!DOCTYPE LWM2M [ <!ELEMENT x ANY> ]>\r\n"
        "<LWM2M xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n"
        "  <Object ObjectType=\"MODefinition\">\r\n"
        "    <Name>Caf&#xE9; &amp; Bar &lt;&#49;&gt;</Name>\r\n"
        "    <Description1><![CDATA[<b>not markup</b>]]></Description1>\r\n"
        "    <ObjectID> 42 </ObjectID>\r\n"
        "    <ObjectURN>urn:oma:lwm2m:x:42</ObjectURN>\r\n"
        "    <LWM2MVersion></LWM2MVersion>\r\n"
        "    <MultipleInstances>multiple</MultipleInstances>\r\n"
        "    <Mandatory>Optional</Mandatory>\r\n"
        "    <Resources>\r\n"
        "      <!-- a comment between items -->\r\n"
        "      <Item ID='7'><Name>A &quot;B&quot; &apos;C&apos;</Name><Operations>RW</Operations>\r\n"
        "        <MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory>\r\n"
        "        <Type>unsigned integer</Type><RangeEnumeration>0..8</RangeEnumeration><Units/>\r\n"
        "        <Description>x</Description></Item>\r\n"
        "      <Item ID=\"1\"><Name>Run</Name><Operations>E</Operations><MultipleInstances>Single</MultipleInstances>\r\n"
        "        <Mandatory>Optional</Mandatory><Type></Type><RangeEnumeration/><Units></Units></Item>\r\n"
        "      <Item ID=\"2\"><Name>Key</Name><MultipleInstances>Single</MultipleInstances>\r\n"
        "        <Mandatory>Optional</Mandatory><Type>Opaque</Type><RangeEnumeration>16-32-48 bytes</RangeEnumeration>\r\n"
        "        <Units>B</Units></Item>\r\n"
        "    </Resources>\r\n"
        "  </Object>\r\n"
        "</LWM2M>\r\n<!-- trailing -->\r\n";
    const auto o = parse_or_fail(xml);
    CHECK(o.name == "Caf\xC3\xA9 & Bar <1>");
    CHECK(o.id == 42);
    CHECK(o.urn == "urn:oma:lwm2m:x:42");
    CHECK(o.version == lwm2m::ddf::ddf_version{1, 0});
    CHECK(o.lwm2m_version == lwm2m::ddf::ddf_version{1, 0});
    CHECK(o.multiple);
    CHECK_FALSE(o.mandatory);
    CHECK(o.header_comment == "\n  License text\n");
    REQUIRE(o.resources.size() == 3);
    const auto& a = o.resources[0];
    CHECK(a.id == 7);
    CHECK(a.name == "A \"B\" 'C'");
    CHECK(a.ops == lwm2m::ddf::ddf_ops::read_write);
    CHECK(a.type == lwm2m::ddf::ddf_type::unsigned_integer);
    CHECK(a.mandatory);
    CHECK(a.range.kind == lwm2m::ddf::ddf_range_kind::numeric);
    CHECK(a.range.max == 8);
    CHECK(a.units.empty());
    CHECK(o.resources[1].ops == lwm2m::ddf::ddf_ops::execute);
    CHECK(o.resources[1].type == lwm2m::ddf::ddf_type::none);
    CHECK(o.resources[2].ops == lwm2m::ddf::ddf_ops::none);
    CHECK(o.resources[2].range.kind == lwm2m::ddf::ddf_range_kind::length);
    CHECK(o.resources[2].range.min == 16);
    CHECK(o.resources[2].range.max == 48);
    CHECK(o.resources[2].units == "B");
}

TEST_CASE("parse_range: lenient shapes") {
    using lwm2m::ddf::ddf_range_kind;
    using lwm2m::ddf::ddf_type;
    using lwm2m::ddf::parse_range;
    struct row {
        std::string_view text;
        ddf_type type;
        ddf_range_kind kind;
        double min, max;
    };
    const row rows[] = {
        {"1-65535", ddf_type::integer, ddf_range_kind::numeric, 1, 65535},
        {"0..8", ddf_type::integer, ddf_range_kind::numeric, 0, 8},
        {" 0 .. 100 ", ddf_type::float_, ddf_range_kind::numeric, 0, 100},
        {"-40..85", ddf_type::integer, ddf_range_kind::numeric, -40, 85},
        {"-40--10", ddf_type::integer, ddf_range_kind::numeric, -40, -10},
        {"0.5..1.5", ddf_type::float_, ddf_range_kind::numeric, 0.5, 1.5},
        {"1 to 10", ddf_type::unsigned_integer, ddf_range_kind::numeric, 1, 10},
        {"6 bytes", ddf_type::opaque, ddf_range_kind::length, 6, 6},
        {"6", ddf_type::opaque, ddf_range_kind::length, 6, 6},
        {"16-32-48 bytes", ddf_type::opaque, ddf_range_kind::length, 16, 48},
        {"16,32,48", ddf_type::opaque, ddf_range_kind::length, 16, 48},
        {"0-255 bytes", ddf_type::string, ddf_range_kind::length, 0, 255},
        {"0..255", ddf_type::string, ddf_range_kind::length, 0, 255},
        {"", ddf_type::integer, ddf_range_kind::none, 0, 0},
        {"16-bit", ddf_type::integer, ddf_range_kind::none, 0, 0},
        {"6 bytes", ddf_type::integer, ddf_range_kind::none, 0, 0},
        {"0..1", ddf_type::boolean, ddf_range_kind::none, 0, 0},
        {"U,UQ,S", ddf_type::string, ddf_range_kind::none, 0, 0},
        {"The possible values are those listed in the LwM2M Core Specification", ddf_type::string,
         ddf_range_kind::none, 0, 0},
        {"1..", ddf_type::integer, ddf_range_kind::none, 0, 0},
    };
    for (const row& r : rows) {
        CAPTURE(r.text);
        const auto got = parse_range(r.text, r.type);
        CHECK(got.kind == r.kind);
        CHECK(got.text == trimmed(r.text));
        if (r.kind != ddf_range_kind::none) {
            CHECK(got.min == r.min);
            CHECK(got.max == r.max);
        }
    }
}

TEST_CASE("parse_ddf: errors") {
    std::string error;
    const auto bad = [&](std::string_view xml) {
        error.clear();
        const bool failed = !lwm2m::ddf::parse_ddf(xml, error).has_value();
        if (failed) CHECK_FALSE(error.empty());
        return failed;
    };
    CHECK(bad(""));
    CHECK(bad("<LWM2M>"));
    CHECK(bad("<LWM2M></LWM2M>"));
    CHECK(bad("<Other><Object/></Other>"));
    CHECK(bad("<LWM2M><Object></Obj></LWM2M>"));
    CHECK(bad("<LWM2M>&unknown;</LWM2M>"));
    CHECK(bad("<LWM2M>&#0;</LWM2M>"));
    CHECK(bad("<LWM2M><!-- never closed </LWM2M>"));
    CHECK(bad("<LWM2M><![CDATA[ never closed </LWM2M>"));
    const std::string object_head = "<LWM2M><Object><Name>X</Name><ObjectID>5</ObjectID>"
                                    "<MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory>"
                                    "<Resources>";
    const std::string item_tail = "<MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory>"
                                  "</Item></Resources></Object></LWM2M>";
    CHECK_FALSE(bad(object_head + "<Item ID=\"1\"><Name>a</Name><Type>Integer</Type>" + item_tail));
    CHECK(bad(object_head + "<Item><Name>a</Name><Type>Integer</Type>" + item_tail));
    CHECK(bad(object_head + "<Item ID=\"70000\"><Name>a</Name><Type>Integer</Type>" + item_tail));
    CHECK(bad(object_head + "<Item ID=\"1\"><Name>a</Name><Type>Text</Type>" + item_tail));
    CHECK(bad(object_head + "<Item ID=\"1\"><Name>a</Name><Operations>RX</Operations>" + item_tail));
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "<a>";
    CHECK(bad("<LWM2M>" + deep + "</LWM2M>"));
}

#ifdef LWM2M_SOURCE_DIR
TEST_CASE("the generated schemas match the XML they were generated from") {
    // tools/lwm2m-gen/regenerate.sh checks the header text; this checks the facts, through
    // the reader the CLI uses at run time.
    struct source {
        const char* file;
        lwm2m::object_view schema;
    };
    const source sources[] = {
        {"0.xml", security::object},
        {"1.xml", server::object},
        {"2.xml", objs::lwm2m_access_control::object},
        {"3.xml", device::object},
        {"4.xml", objs::connectivity_monitoring::object},
        {"5.xml", fw::object},
        {"6.xml", objs::location::object},
        {"7.xml", objs::connectivity_statistics::object},
        {"0-1_0.xml", security_v1_0::object},
        {"0-1_1.xml", security_v1_1::object},
        {"1-1_0.xml", server_v1_0::object},
        {"3-1_0.xml", device_v1_0::object},
        {"4-1_0.xml", objs::connectivity_monitoring_v1_0::object},
        {"5-1_0.xml", fw_v1_0::object},
        {"3303.xml", objs::temperature::object},
        {"3306.xml", objs::actuation::object},
        {"3308.xml", objs::set_point::object},
        {"3311.xml", objs::light_control::object},
        {"3312.xml", objs::power_control::object},
        {"3316.xml", objs::voltage::object},
        {"3328.xml", objs::power::object},
        {"3331.xml", objs::energy::object},
        {"3341.xml", objs::addressable_text_display::object},
    };
    for (const source& s : sources) {
        CAPTURE(s.file);
        const std::string text = read_text(std::string(LWM2M_SOURCE_DIR) + "/tools/lwm2m-gen/registry/" + s.file);
        REQUIRE_FALSE(text.empty());
        const auto o = parse_or_fail(text);
        const lwm2m::object_info& info = s.schema.info();
        CHECK(info.id == o.id);
        CHECK(info.name == o.name);
        CHECK(info.urn == o.urn);
        CHECK(info.version.major == o.version.major);
        CHECK(info.version.minor == o.version.minor);
        CHECK(s.schema.is_multiple() == o.multiple);
        CHECK((info.required == presence::mandatory) == o.mandatory);
        REQUIRE(s.schema.resources().size() == o.resources.size());
        for (const auto& r : o.resources) {
            CAPTURE(r.id);
            const lwm2m::resource_def* d = s.schema.find(r.id);
            REQUIRE(d != nullptr);
            CHECK(d->name == r.name);
            CHECK(static_cast<unsigned>(d->ops) == static_cast<unsigned>(r.ops));
            CHECK(static_cast<unsigned>(d->type) == static_cast<unsigned>(r.type));
            CHECK(d->is_multiple() == r.multiple);
            CHECK(d->is_mandatory() == r.mandatory);
            CHECK(d->range.present == (r.range.kind != lwm2m::ddf::ddf_range_kind::none));
            if (d->range.present) {
                CHECK(d->range.min == r.range.min);
                CHECK(d->range.max == r.range.max);
            }
            CHECK(d->units == r.units);
        }
    }
}
#endif

} // TEST_SUITE("model.ddf")
