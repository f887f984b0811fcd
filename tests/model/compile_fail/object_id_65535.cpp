// Must NOT compile: an object id of 65535 (MAX_ID is reserved; ids are 0..65534)
// EXPECT: schema_error_object_id_out_of_range
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/model/object_def.hpp>

#ifdef LWM2M_COMPILE_FAIL_CONTROL
constexpr std::uint16_t id = 65534;
#else
constexpr std::uint16_t id = 65535;
#endif

constexpr auto object = lwm2m::make_object(
    lwm2m::object_info{.id = id, .name = "Test"},
    lwm2m::resource_def{.id = 0, .name = "A", .ops = lwm2m::operations::read, .type = lwm2m::data_type::integer});

int main() { return static_cast<int>(object.resources.size()); }
