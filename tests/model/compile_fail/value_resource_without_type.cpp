// Must NOT compile: a readable resource without a data type (only executables have type none)
// EXPECT: schema_error_value_resource_without_type
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/object_def.hpp>

#ifdef LWM2M_COMPILE_FAIL_CONTROL
constexpr lwm2m::data_type type = lwm2m::data_type::string;
#else
constexpr lwm2m::data_type type = lwm2m::data_type::none;
#endif

constexpr auto object = lwm2m::make_object(
    lwm2m::object_info{.id = 30000, .name = "Test"},
    lwm2m::resource_def{.id = 0, .name = "Manufacturer", .ops = lwm2m::operations::read, .type = type});

int main() { return static_cast<int>(object.resources.size()); }
