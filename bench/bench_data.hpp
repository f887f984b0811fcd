#pragma once
// Reference inputs of the benchmarks (bench/data/*.hex, see bench/data/README.md), loaded once
// at program start into byte vectors. Benchmark support code only: it allocates and does I/O.
//
// Where the files are looked for, first match wins:
//   1. the environment variable LWM2M_BENCH_DATA (a directory),
//   2. the compile definition LWM2M_BENCH_DATA_DIR (a string literal; CMake passes the
//      absolute path of bench/data),
//   3. the compile definition LWM2M_SOURCE_DIR followed by "/bench/data",
//   4. the `data` directory next to this header (from __FILE__).
// A missing or malformed file is fatal: the program prints the path and exits with status 2.

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <lwm2m/bytes.hpp>

namespace lwm2m::bench {

/** The directory holding the reference files (see the rules at the top of this file). */
inline std::string data_dir() {
    if (const char* env = std::getenv("LWM2M_BENCH_DATA"); env != nullptr && *env != '\0') return env;
#if defined(LWM2M_BENCH_DATA_DIR)
    return LWM2M_BENCH_DATA_DIR;
#elif defined(LWM2M_SOURCE_DIR)
    return std::string(LWM2M_SOURCE_DIR) + "/bench/data";
#else
    const std::string_view here = __FILE__;
    const std::size_t slash = here.find_last_of("/\\");
    return std::string(slash == std::string_view::npos ? std::string_view{"."} : here.substr(0, slash)) + "/data";
#endif
}

[[noreturn]] inline void fatal(const std::string& what) {
    std::fprintf(stderr, "lwm2m bench data: %s\n", what.c_str());
    std::exit(2);
}

/** Reads `<data_dir()>/<name>` whole. */
inline std::string read_text_file(std::string_view name) {
    const std::string path = data_dir() + "/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    if (!in) fatal("cannot open " + path + " (set LWM2M_BENCH_DATA to the bench/data directory)");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/** Loads a one-line hex file (surrounding whitespace ignored) as bytes. */
inline std::vector<std::byte> load_hex(std::string_view name) {
    const std::string text = read_text_file(name);
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    const std::size_t last = text.find_last_not_of(" \t\r\n");
    const std::string_view hex =
        first == std::string::npos ? std::string_view{} : std::string_view{text}.substr(first, last - first + 1);
    std::vector<std::byte> bytes(hex.size() / 2);
    const auto n = from_hex(hex, bytes);
    if (!n || bytes.empty()) fatal("malformed hex in " + data_dir() + "/" + std::string(name));
    return bytes;
}

/** One reference datagram: its short name ("register", ...) and bytes. */
struct reference_datagram {
    std::string_view name;
    std::vector<std::byte> bytes;

    [[nodiscard]] bytes_view view() const noexcept { return bytes; }
};

/** Index of each CoAP reference datagram in `coap_references()`. */
enum class coap_ref : std::size_t { register_ = 0, response = 1, notify = 2 };

/** The three CoAP reference datagrams, in the order register, response, notify. */
inline const std::array<reference_datagram, 3>& coap_references() {
    static const std::array<reference_datagram, 3> data{{
        {"register", load_hex("coap-register.hex")},
        {"response", load_hex("coap-response.hex")},
        {"notify", load_hex("coap-notify.hex")},
    }};
    return data;
}
inline const reference_datagram& coap_reference(coap_ref r) { return coap_references()[static_cast<std::size_t>(r)]; }

namespace detail {
// Forces loading during static initialisation, so a missing file fails before any measurement.
inline const std::array<reference_datagram, 3>& coap_references_at_startup = coap_references();
} // namespace detail

} // namespace lwm2m::bench
