// Must NOT compile: a client whose format_set holds SenML JSON, in a build that leaves the
// decoding of JSON escapes out (LWM2M_JSON_ESCAPED_VALUES 0, config.hpp): the JSON reader would
// hand the objects escaped values they could not decode.
// EXPECT: SenML JSON in the format set needs LWM2M_JSON_ESCAPED_VALUES
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both):
// the same client without SenML JSON.
#define LWM2M_JSON_ESCAPED_VALUES 0
#include <lwm2m/client/client.hpp>

#include <cstdint>

struct rng {
    std::uint32_t operator()() noexcept { return 4; }
};

int main() {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    constexpr auto formats = lwm2m::client::format_set::text | lwm2m::client::format_set::senml_cbor;
#else
    constexpr auto formats = lwm2m::client::format_set::text | lwm2m::client::format_set::senml_json;
#endif
    using limits = lwm2m::client::client_limits<512, 1, 4, 4, 4, 0, 0, formats>;
    lwm2m::client::engine<limits, rng> client{lwm2m::client::client_config{}, rng{}};
    client.on_datagram(lwm2m::exchange::peer_id{1}, lwm2m::bytes_view{}, lwm2m::time_point{});
    return 0;
}
