// Must NOT compile: binding an object with an Opaque resource (Firmware Update's Package)
// to a client built without base64 (LWM2M_BASE64_VALUES 0, config.hpp): the fact comes
// from the object's constexpr schema (`uses(schema, data_type::opaque)`).
// EXPECT: an object with an Opaque resource needs LWM2M_BASE64_VALUES
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both):
// the same object bound to the Device schema, which has no Opaque.
#define LWM2M_BASE64_VALUES 0
#include "bind_object.hpp"

#include <lwm2m/model/objects/device.hpp>
#include <lwm2m/model/objects/firmware_update_v1_0.hpp>

int main() {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    return snippet::bind<lwm2m::objects::device::object>();
#else
    return snippet::bind<lwm2m::objects::firmware_update_v1_0::object>();
#endif
}
