// Must NOT compile: an executable resource with a value type (executables have type none)
// EXPECT: schema_error_executable_resource_with_value_type
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/object_def.hpp>

#ifdef LWM2M_COMPILE_FAIL_CONTROL
constexpr lwm2m::data_type reboot_type = lwm2m::data_type::none;
#else
constexpr lwm2m::data_type reboot_type = lwm2m::data_type::string;
#endif

constexpr auto object = lwm2m::make_object(
    lwm2m::object_info{.id = 30000, .name = "Test"},
    lwm2m::resource_def{.id = 4, .name = "Reboot", .ops = lwm2m::operations::execute, .type = reboot_type});

int main() { return static_cast<int>(object.resources.size()); }
