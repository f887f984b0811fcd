// Must NOT compile: a non-numeric id in lwm2m::path_literal<...>
// EXPECT: path_literal_error_path_invalid_number
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/path.hpp>

using namespace lwm2m::literals;

#ifdef LWM2M_COMPILE_FAIL_CONTROL
constexpr lwm2m::path p = lwm2m::path_literal<"/3/0/1">;
#else
constexpr lwm2m::path p = lwm2m::path_literal<"/3/zero/1">;
#endif

int main() { return static_cast<int>(p.depth()); }
