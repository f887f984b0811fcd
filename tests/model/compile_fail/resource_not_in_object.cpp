// Must NOT compile: compile-time lookup of a resource the object does not define
// (Firmware Update /5 has no resource 4)
// EXPECT: schema_error_resource_not_in_object
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/objects/firmware_update.hpp>

namespace fw = lwm2m::objects::firmware_update;

#ifdef LWM2M_COMPILE_FAIL_CONTROL
constexpr std::uint16_t id = 5;
#else
constexpr std::uint16_t id = 4;
#endif

constexpr const lwm2m::resource_def& r = fw::object.resource<id>();

int main() { return static_cast<int>(r.id); }
