// Shared by every consumer project: uses the installed / embedded lwm2m headers.
#include <lwm2m/bytes.hpp>
#include <lwm2m/result.hpp>

#include <array>
#include <cstddef>
#include <cstdio>

int main() {
    std::array<std::byte, 4> out{};
    const lwm2m::result<std::size_t> n = lwm2m::from_hex("c0ffee42", out);
    if (!n || *n != 4 || lwm2m::load_be(out) != 0xc0ffee42) {
        std::puts("consumer: from_hex failed");
        return 1;
    }
    std::puts("consumer: ok");
    return 0;
}
