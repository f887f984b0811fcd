// Must NOT compile: a typed Write of a multiple-instance resource without a resource instance id
// (Access Control ACL /2/x/2 is multiple: its values live at /2/x/2/RI)
// EXPECT: single_instance_resource
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/objects/lwm2m_access_control.hpp>
#include <lwm2m/model/typed.hpp>

namespace ac = lwm2m::objects::lwm2m_access_control;
using acl = lwm2m::resource_ref<ac::object, ac::acl>;

int main() {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    const auto w = lwm2m::typed_write<acl>(0, 101, 0b11111);
#else
    const auto w = lwm2m::typed_write<acl>(0, 0b11111);
#endif
    return w.has_value() ? 0 : 1;
}
