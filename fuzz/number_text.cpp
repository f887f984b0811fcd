// libFuzzer target for encoding::compact, the firmware's float text (LWM2M_COMPACT_FLOAT_TEXT),
// against libstdc++'s std::from_chars / std::to_chars:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/number_text.cpp -o number_text
//   ./number_text fuzz/corpus/number_text
//
// Input: the whole input as text, and its first 8 bytes as a double (when there are 8).
// - parse_double accepts exactly what from_chars reads whole and finite (scan_decimal_number's
//   grammar first: JSON's, and a '+', leading zeros, "5.", ".5"), with the same double (bit for
//   bit), and reports the same out-of-range cases;
// - parse_int64 / parse_uint64 accept exactly that grammar's integers (no '-' for uint64) with
//   from_chars' value, out of range where from_chars is;
// - format_double writes to_chars' text (an integer in fixed notation may end in zeros where
//   to_chars writes every digit), which parses back to the same double.

#include <lwm2m/encoding/number_text.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace {

using namespace lwm2m;

void check(bool ok) {
    if (!ok) std::abort();
}

void check_parse(std::string_view s) {
    const auto got = encoding::compact::parse_double(s);
    bool integral = false;
    if (s.empty() || encoding::scan_decimal_number(s, integral) != s.size()) {
        check(!got && got.error().code == errc::invalid_number);
        return;
    }
    const std::size_t first = s[0] == '+' ? 1 : 0;  // from_chars reads no '+'
    double want = 0;
    const auto r = std::from_chars(s.data() + first, s.data() + s.size(), want);
    check(r.ptr == s.data() + s.size());
    if (r.ec == std::errc::result_out_of_range || !encoding::is_finite(want)) {
        check(!got && got.error().code == errc::number_out_of_range);
        return;
    }
    check(r.ec == std::errc{} && got.has_value());
    check(std::bit_cast<std::uint64_t>(*got) == std::bit_cast<std::uint64_t>(want));
}

template <class T, class Parse>
void check_integer(std::string_view s, Parse parse) {
    const auto got = parse(s);
    bool integral = false;
    const bool minus = !s.empty() && s[0] == '-';
    if (s.empty() || encoding::scan_decimal_number(s, integral) != s.size() || !integral ||
        (minus && !std::is_signed_v<T>)) {
        check(!got && got.error().code == errc::invalid_number);
        return;
    }
    const std::size_t first = s[0] == '+' ? 1 : 0;
    T want = 0;
    const auto r = std::from_chars(s.data() + first, s.data() + s.size(), want);
    check(r.ptr == s.data() + s.size());
    if (r.ec == std::errc::result_out_of_range) {
        check(!got && got.error().code == errc::number_out_of_range);
        return;
    }
    check(r.ec == std::errc{} && got.has_value() && *got == want);
}

void check_format(double v) {
    char ours[encoding::max_number_text];
    const auto n = encoding::compact::format_double(v, ours);
    if (!encoding::is_finite(v)) {
        check(!n);
        return;
    }
    check(n.has_value());
    const std::string_view text{ours, *n};
    char theirs[64];
    const auto r = std::to_chars(theirs, theirs + sizeof theirs, v);
    const std::string_view reference{theirs, static_cast<std::size_t>(r.ptr - theirs)};
    if (text != reference) {  // only an integer padded with zeros may differ
        check(text.size() == reference.size() && text.find_first_of(".e") == std::string_view::npos &&
              reference.find_first_of(".e") == std::string_view::npos && text.back() == '0');
    }
    const auto back = encoding::compact::parse_double(text);
    check(back.has_value() && std::bit_cast<std::uint64_t>(*back) == std::bit_cast<std::uint64_t>(v));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text{reinterpret_cast<const char*>(data), size};
    check_parse(text);
    check_integer<std::int64_t>(text, [](std::string_view t) { return encoding::parse_int64(t); });
    check_integer<std::uint64_t>(text, [](std::string_view t) { return encoding::parse_uint64(t); });
    if (size >= 8) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, data, 8);
        check_format(std::bit_cast<double>(bits));
    }
    return 0;
}
