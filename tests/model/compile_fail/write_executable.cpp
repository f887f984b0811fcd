// Must NOT compile: a typed Write of an executable resource (Device Reboot /3/x/4 is E)
// EXPECT: resource_is_writable
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/objects/device.hpp>
#include <lwm2m/model/typed.hpp>

namespace device = lwm2m::objects::device;

#ifdef LWM2M_COMPILE_FAIL_CONTROL
using res = lwm2m::resource_ref<device::object, device::current_time>;  // RW Time
#else
using res = lwm2m::resource_ref<device::object, device::reboot>;  // E
#endif

int main() {
    const auto w = lwm2m::typed_write<res>(0, 1700000000);
    return w.has_value() ? 0 : 1;
}
