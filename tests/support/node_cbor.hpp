#pragma once
// The independent CBOR decoder of the CBOR oracle tests (tests/interop/*_cbor_oracle_test.cpp):
// the npm `cbor` package (node-cbor, `decodeAllSync`) run with node from tests/interop/node,
// which prints every payload in a canonical text form; and the same text form made from our
// values, for the tests to compare with.
//
// Needs node and tests/interop/node/node_modules (`cd tests/interop/node && npm ci`);
// `node_cbor::available()` says why not (a doctest MESSAGE) when either is missing.

#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>

#include <doctest/doctest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace lwm2m::test::node_cbor {

namespace fs = std::filesystem;

inline fs::path node_dir() {
#ifdef LWM2M_SOURCE_DIR
    return fs::path(LWM2M_SOURCE_DIR) / "tests" / "interop" / "node";
#else
    return fs::path(__FILE__).parent_path().parent_path() / "interop" / "node";
#endif
}

/** True when node and the cbor package are there; otherwise says which is missing (skip). */
inline bool available() {
    if (std::system("node --version > /dev/null 2>&1") != 0) {
        MESSAGE("skipped: node is not installed");
        return false;
    }
    if (!fs::exists(node_dir() / "node_modules" / "cbor" / "package.json")) {
        MESSAGE("skipped: the npm cbor package is missing (cd " << node_dir().string() << " && npm ci)");
        return false;
    }
    return true;
}

// Prints each decoded file on one line: maps as {k:v,...} in encoded order, arrays as [..],
// numbers as d<hex of the IEEE double> (or i<decimal> for BigInt), NaN as nan, text strings as
// t<hex of UTF-8>, byte strings as h<hex>, tag 1 (a JS Date) as date<seconds>, plus
// true/false/null. Only double quotes inside.
inline constexpr std::string_view oracle_js = R"JS(
const cbor = require("cbor");
const fs = require("fs");
function hex(b) { return Buffer.from(b).toString("hex"); }
function show(x) {
  if (x instanceof Map) return "{" + [...x.entries()].map(([k, v]) => show(k) + ":" + show(v)).join(",") + "}";
  if (Array.isArray(x)) return "[" + x.map(show).join(",") + "]";
  if (x instanceof Uint8Array) return "h" + hex(x);
  if (x instanceof Date) return "date" + String(x.getTime() / 1000);
  if (typeof x === "string") return "t" + hex(Buffer.from(x, "utf8"));
  if (typeof x === "bigint") return "i" + x.toString();
  if (typeof x === "number") {
    if (Number.isNaN(x)) return "nan";
    const b = Buffer.alloc(8); b.writeDoubleBE(x); return "d" + b.toString("hex");
  }
  if (typeof x === "boolean") return x ? "true" : "false";
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "object") {
    const name = x.constructor ? x.constructor.name : "Object";
    if (name !== "Object") return "unexpected:" + name;
    return "{" + Object.entries(x).map(([k, v]) => show(k) + ":" + show(v)).join(",") + "}";
  }
  return "unexpected:" + typeof x;
}
for (const file of process.argv.slice(1)) {
  try {
    const items = cbor.decodeAllSync(fs.readFileSync(file));
    console.log(items.length === 1 ? show(items[0]) : "items:" + items.length);
  } catch (e) {
    console.log("error:" + String(e.message).replace(/\s+/g, " "));
  }
}
)JS";

inline std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

inline std::string show_double(double d) {
    if (std::isnan(d)) return "nan";
    const auto bits = std::bit_cast<std::uint64_t>(d);
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>(bits >> (56 - 8 * i));
    return "d" + hex(bytes);
}

// node-cbor gives a Number for integers of magnitude up to 2^53-1, a BigInt beyond.
inline constexpr std::int64_t max_safe = (std::int64_t{1} << 53) - 1;
inline std::string show_int(std::int64_t v) {
    if (v >= -max_safe && v <= max_safe) return show_double(static_cast<double>(v));
    return "i" + std::to_string(v);
}
inline std::string show_uint(std::uint64_t v) {
    if (v <= static_cast<std::uint64_t>(max_safe)) return show_double(static_cast<double>(v));
    return "i" + std::to_string(v);
}
inline std::string show_text(std::string_view s) { return "t" + hex(s); }

inline std::string decoded(const value& v) {
    std::string s;
    auto n = lwm2m::for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); });
    REQUIRE(n.has_value());
    return s;
}

/**
 * node-cbor's text form of each payload, one string per payload in order (`items:N` when a
 * payload holds N items, `error:...` when it does not decode). The payloads go through files
 * of a fresh temporary directory named after `tag`.
 */
inline std::vector<std::string> decode(const std::vector<std::vector<std::byte>>& payloads, std::string_view tag) {
    const fs::path work = fs::temp_directory_path() / ("lwm2m_" + std::string(tag) + "_" + std::to_string(::getpid()));
    fs::create_directories(work);
    std::string command = "cd '" + node_dir().string() + "' && node -e '" + std::string(oracle_js) + "'";
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        const fs::path file = work / ("payload" + std::to_string(i) + ".cbor");
        std::ofstream(file, std::ios::binary)
            .write(reinterpret_cast<const char*>(payloads[i].data()), static_cast<std::streamsize>(payloads[i].size()));
        command += " '" + file.string() + "'";
    }
    std::string output;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        std::array<char, 4096> chunk{};
        std::size_t got = 0;
        while ((got = std::fread(chunk.data(), 1, chunk.size(), pipe)) > 0) output.append(chunk.data(), got);
        CHECK(::pclose(pipe) == 0);
    } else {
        FAIL("cannot run node");
    }
    fs::remove_all(work);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < output.size()) {
        const std::size_t end = output.find('\n', start);
        lines.push_back(output.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

} // namespace lwm2m::test::node_cbor
