// Must NOT compile: a string given for an Integer resource (Server Lifetime /1/x/1, RW Integer)
// EXPECT: value_matches_resource_type
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/objects/lwm2m_server.hpp>
#include <lwm2m/model/typed.hpp>

namespace server = lwm2m::objects::lwm2m_server;
using lifetime = lwm2m::resource_ref<server::object, server::lifetime>;

int main() {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    const auto w = lwm2m::typed_write<lifetime>(0, 86400);
#else
    const auto w = lwm2m::typed_write<lifetime>(0, "86400");
#endif
    return w.has_value() ? 0 : 1;
}
