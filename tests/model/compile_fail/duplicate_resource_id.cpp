// Must NOT compile: two resources of one object schema with the same id
// EXPECT: schema_error_duplicate_resource_id
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/object_def.hpp>

#ifdef LWM2M_COMPILE_FAIL_CONTROL
constexpr std::uint16_t second_id = 2;
#else
constexpr std::uint16_t second_id = 1;
#endif

constexpr auto object = lwm2m::make_object(
    lwm2m::object_info{.id = 30000, .name = "Test"},
    lwm2m::resource_def{.id = 1, .name = "A", .ops = lwm2m::operations::read, .type = lwm2m::data_type::integer},
    lwm2m::resource_def{.id = second_id, .name = "B", .ops = lwm2m::operations::read, .type = lwm2m::data_type::string});

int main() { return static_cast<int>(object.resources.size()); }
