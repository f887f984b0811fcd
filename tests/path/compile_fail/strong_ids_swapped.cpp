// Must NOT compile: strong ids in the wrong order (instance id where the object id goes).
// EXPECT: no matching function for call to
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/path.hpp>

int main() {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    const auto p = lwm2m::path::make(lwm2m::object_id{3}, lwm2m::instance_id{0});
#else
    const auto p = lwm2m::path::make(lwm2m::instance_id{0}, lwm2m::object_id{3});
#endif
    return p ? 0 : 1;
}
