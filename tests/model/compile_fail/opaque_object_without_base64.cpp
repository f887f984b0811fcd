// Must NOT compile: binding an object with an Opaque resource (Firmware Update's Package)
// to a client built without base64 (LWM2M_BASE64_VALUES 0, config.hpp): the fact comes
// from the object's constexpr schema (`uses(schema, data_type::opaque)`).
// EXPECT: an object with an Opaque resource needs LWM2M_BASE64_VALUES
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both):
// the same object bound to the Device schema, which has no Opaque.
#define LWM2M_BASE64_VALUES 0
#include <lwm2m/client/client.hpp>
#include <lwm2m/model/objects/device.hpp>
#include <lwm2m/model/objects/firmware_update_v1_0.hpp>

#include <cstdint>

struct rng {
    std::uint32_t operator()() noexcept { return 4; }
};

struct sensor {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    static constexpr const auto& schema = lwm2m::objects::device::object;
#else
    static constexpr const auto& schema = lwm2m::objects::firmware_update_v1_0::object;
#endif
    std::size_t instance_count() const noexcept { return 1; }
    std::uint16_t instance_id(std::size_t) const noexcept { return 0; }
    lwm2m::result<void> read(const lwm2m::path&, lwm2m::client::resource_output&) noexcept { return {}; }
};

int main() {
    using limits = lwm2m::client::client_limits<512, 1, 4, 4, 4, 0, 0,
                                                lwm2m::client::format_set::text | lwm2m::client::format_set::tlv>;
    lwm2m::client::engine<limits, rng> client{lwm2m::client::client_config{}, rng{}};
    sensor s;
    return client.add_object(s).has_value() ? 0 : 1;
}
