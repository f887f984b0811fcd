// Must NOT compile: binding an object with a Float resource (IPSO Temperature's Sensor Value)
// to a client built without Float values (LWM2M_FLOAT_VALUES 0, config.hpp): the fact comes
// from the object's constexpr schema (`uses(schema, data_type::float_)`).
// EXPECT: an object with a Float resource needs LWM2M_FLOAT_VALUES
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both):
// the same object bound to the Device schema, which has no Float.
#define LWM2M_FLOAT_VALUES 0
#include "bind_object.hpp"

#include <lwm2m/model/objects/device.hpp>
#include <lwm2m/model/objects/temperature.hpp>

int main() {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    return snippet::bind<lwm2m::objects::device::object>();
#else
    return snippet::bind<lwm2m::objects::temperature::object>();
#endif
}
