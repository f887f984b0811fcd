// Must NOT compile: _path needs a string literal known at compile time; run-time text goes
// through lwm2m::parse_path, which returns a result.
// EXPECT: constant expression
// With -DLWM2M_COMPILE_FAIL_CONTROL the valid twin below must compile (run.sh checks both).
#include <lwm2m/path.hpp>

#include <string_view>

using namespace lwm2m::literals;

int main(int argc, char** argv) {
    const std::string_view text = argc > 1 ? argv[1] : "/3";
#ifdef LWM2M_COMPILE_FAIL_CONTROL
    const auto p = lwm2m::parse_path(text);
    return p ? 0 : 1;
#else
    const lwm2m::path p = operator""_path(text.data(), text.size());
    return static_cast<int>(p.depth());
#endif
}
