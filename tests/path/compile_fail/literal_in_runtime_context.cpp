// Must NOT compile: an invalid _path literal is a compile error even where the result is not
// needed as a constant (a plain local variable, a function argument): _path is consteval.
// EXPECT: path_literal_error_path_id_out_of_range
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/path.hpp>

using namespace lwm2m::literals;

static int depth_of(lwm2m::path p) { return static_cast<int>(p.depth()); }

int main() {
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    lwm2m::path p = "/3/0"_path;
    return depth_of(p) + depth_of("/65534"_path);
#else
    lwm2m::path p = "/3/0"_path;
    return depth_of(p) + depth_of("/70000"_path);
#endif
}
