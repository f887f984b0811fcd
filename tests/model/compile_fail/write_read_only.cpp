// Must NOT compile: a typed Write of a read-only resource (Device Manufacturer /3/x/0 is R)
// EXPECT: resource_is_writable
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/objects/device.hpp>
#include <lwm2m/model/typed.hpp>

namespace device = lwm2m::objects::device;

#ifdef LWM2M_COMPILE_FAIL_CONTROL
using res = lwm2m::resource_ref<device::object, device::utc_offset>;  // RW String
#else
using res = lwm2m::resource_ref<device::object, device::manufacturer>;  // R String
#endif

int main() {
    const auto w = lwm2m::typed_write<res>(0, "ACME");
    return w.has_value() ? 0 : 1;
}
