// Must NOT compile: a resource_ref to a resource the object does not define
// (Device /3 has resources 0..22)
// EXPECT: schema_error_resource_not_in_object
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/objects/device.hpp>
#include <lwm2m/model/typed.hpp>

namespace device = lwm2m::objects::device;

#ifdef LWM2M_COMPILE_FAIL_CONTROL
using res = lwm2m::resource_ref<device::object, 22>;
#else
using res = lwm2m::resource_ref<device::object, 23>;
#endif

int main() { return static_cast<int>(res::def.id); }
