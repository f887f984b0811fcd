// Object binding (concept + function-pointer table), the record store, the registration
// payload and timing rules, and the errc -> CoAP code mapping of the client layer.
#include <lwm2m/client/object_binding.hpp>

#include <doctest/doctest.h>

#include <lwm2m/client/objects/device.hpp>
#include <lwm2m/client/registration.hpp>
#include <lwm2m/client/response_code.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/model/objects/device.hpp>
#include <lwm2m/model/objects/temperature.hpp>

#include <array>
#include <string>
#include <string_view>

using namespace lwm2m;

namespace {

/** The smallest object: read-only, no optional hook. */
struct thermometer {
    static constexpr const auto& schema = objects::temperature::object;
    std::size_t instance_count() const { return 1; }
    std::uint16_t instance_id(std::size_t) const { return 0; }
    result<void> read(const path& p, client::resource_output& out) {
        if (p.resource_id() == objects::temperature::sensor_value) return out.value(21);  // an int for a Float
        return fail(errc::not_found);
    }
};

/** An object with no instance and every hook. */
struct empty_device {
    static constexpr const auto& schema = objects::device::object;
    std::size_t instance_count() const { return 0; }
    std::uint16_t instance_id(std::size_t) const { return 0; }
    result<void> read(const path&, client::resource_output&) { return fail(errc::not_found); }
    result<void> write(const path&, const value&) { return {}; }
    result<void> execute(const path&, client::execute_args) { return {}; }
    result<void> create(std::uint16_t) { return {}; }
    result<void> remove(std::uint16_t) { return {}; }
};

static_assert(client::object<thermometer>);
static_assert(!client::writable_object<thermometer> && !client::executable_object<thermometer>);
static_assert(client::writable_object<empty_device> && client::creatable_object<empty_device>);

} // namespace

TEST_CASE("client::bind builds a table with null pointers for the hooks an object lacks") {
    thermometer t;
    const client::object_binding b = client::bind(t);
    CHECK(b.id() == 3303);
    CHECK((b.ops->write == nullptr));
    CHECK((b.ops->execute == nullptr));
    CHECK((b.ops->create == nullptr));
    CHECK(b.has_instance(0));
    CHECK_FALSE(b.has_instance(1));
    CHECK(b.free_instance_id() == std::optional<std::uint16_t>{1});
    const path value_path = *path::make(3303, 0, objects::temperature::sensor_value);
    CHECK(b.has_resource(value_path));
    CHECK_FALSE(b.has_resource(*path::make(3303, 0, objects::temperature::min_measured_value)));
    client::record_buffer<4, 16> store;
    client::resource_output out{&store, value_path, *b.schema.find(objects::temperature::sensor_value)};
    REQUIRE(b.read(value_path, out).has_value());
    REQUIRE(store.size() == 1);
    CHECK(store.records()[0].value == value::of_float(21.0));  // coerced to the schema's Float
    // value() on a single resource is fine, instance() is not.
    CHECK(out.instance(0, 1).error().code == errc::operation_not_allowed);
}

TEST_CASE("record_store copies text into its arena and reports capacity_exceeded") {
    client::record_buffer<2, 8> store;
    std::string text = "abcd";
    REQUIRE(store.push(*path::make(1, 0, 1), value::of_string(text)).has_value());
    text = "zzzz";  // the store kept its own copy
    CHECK(store.records()[0].value.raw_text() == "abcd");
    CHECK(store.push(*path::make(1, 0, 2), value::of_string("123456789")).error().code == errc::capacity_exceeded);
    REQUIRE(store.push(*path::make(1, 0, 0), value::of_integer(3)).has_value());
    CHECK(store.push(*path::make(1, 0, 3), value::of_integer(3)).error().code == errc::capacity_exceeded);
    store.sort();
    CHECK(store.records()[0].path == *path::make(1, 0, 0));
}

TEST_CASE("LwM2M 1.1 §6.2.1 registration links: root link, ver for versions other than 1.0, empty objects") {
    thermometer t;
    empty_device d;
    const std::array<client::object_binding, 2> objs{client::bind(d), client::bind(t)};
    std::array<std::byte, 256> buf{};
    format::output_window out{buf};
    client::write_registration_links(objs, "0 11542", out);
    CHECK(as_chars(out.bytes()) == R"(</>;rt="oma.lwm2m";ct="0 11542",</3>;ver=1.2,</3303>;ver=1.1,</3303/0>)");
    format::output_window v10{buf};
    client::write_registration_links(std::span{objs}.subspan(1), {}, v10);
    CHECK(as_chars(v10.bytes()) == "</3303>;ver=1.1,</3303/0>");
}

TEST_CASE("Update timing rule and errc to CoAP codes") {
    const exchange::transmission_parameters tp{};
    CHECK(client::update_delay(0, tp) == std::nullopt);
    CHECK(client::update_delay(187, tp) == std::optional<duration>{std::chrono::seconds(94)});
    CHECK(client::update_delay(186, tp) == std::optional<duration>{std::chrono::seconds(93)});
    CHECK(client::response_code(errc::not_found) == coap::code::not_found);
    CHECK(client::response_code(errc::operation_not_allowed) == coap::code::method_not_allowed);
    CHECK(client::response_code(errc::not_authorized) == coap::code::unauthorized);
    CHECK(client::response_code(errc::unsupported_content_format) == coap::code::unsupported_content_format);
    CHECK(client::response_code(errc::request_entity_too_large) == coap::code::request_entity_too_large);
    CHECK(client::response_code(errc::invalid_boolean) == coap::code::bad_request);
    CHECK(client::response_code(errc::capacity_exceeded) == coap::code::internal_server_error);
}

TEST_CASE("basic_device_object: the power-source and error-code lists hold what their parameters say") {
    client::basic_device_object<1, 2> d;
    static_assert(decltype(d)::max_power_sources == 1 && decltype(d)::max_error_codes == 2);
    static_assert(sizeof(client::basic_device_object<1, 2>) < sizeof(client::device_object));
    static_assert(client::object<client::basic_device_object<1, 2>> && client::executable_object<client::basic_device_object<1, 2>>);
    CHECK(d.add_power_source({1, 3700, {}}));
    CHECK_FALSE(d.add_power_source({0, {}, {}}));  // full
    CHECK(d.add_error(1));
    CHECK(d.add_error(1));  // already reported: no second entry
    CHECK(d.add_error(5));
    CHECK_FALSE(d.add_error(7));  // full
    d.reset_errors();
    CHECK(d.add_error(7));
}
