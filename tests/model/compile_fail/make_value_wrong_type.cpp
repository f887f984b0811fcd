// Must NOT compile: an int given for a Float resource through make_value (write 21.0)
// EXPECT: value_matches_resource_type
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/objects/temperature.hpp>
#include <lwm2m/model/typed.hpp>

namespace temperature = lwm2m::objects::temperature;
using sensor_value = lwm2m::resource_ref<temperature::object, temperature::sensor_value>;

int main() {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    const lwm2m::value v = lwm2m::make_value<sensor_value>(21.0);
#else
    const lwm2m::value v = lwm2m::make_value<sensor_value>(21);
#endif
    return v.kind() == lwm2m::value_kind::float_ ? 0 : 1;
}
