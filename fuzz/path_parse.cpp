// libFuzzer target for the path layer.
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/path_parse.cpp -o path_parse
//   ./path_parse fuzz/corpus/path_parse
//
// 1. Text: parse_path(input). On success the formatted text must equal the input (ids are
//    canonical, so a valid path has exactly one spelling), re-parse to the same path, and agree
//    with text(), text_length() and segments(). On failure the offset must lie inside the input.
// 2. Uri-Path segments: the input split on '\n' is a list of Uri-Path option values.
//    parse_path_segments must agree with parse_path("/" + join(segments, "/")) whenever no
//    segment holds a '/', and with itself under an alternate root made of its first segment.

#include <lwm2m/path.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void fuzz_text(std::string_view in) {
    const auto r = lwm2m::parse_path(in);
    if (!r) {
        const auto e = r.error();
        check(e.offset <= in.size());
        check(e.code == lwm2m::errc::path_syntax || e.code == lwm2m::errc::path_invalid_number ||
              e.code == lwm2m::errc::path_id_out_of_range || e.code == lwm2m::errc::path_too_deep);
        return;
    }
    const lwm2m::path p = *r;
    std::array<char, lwm2m::path::max_text_length> buf{};
    const auto n = p.format_to(buf);
    check(n.has_value());
    const std::string_view text{buf.data(), *n};
    check(text == in);
    check(*n == p.text_length());
    check(p.text().view() == text);
    const auto again = lwm2m::parse_path(text);
    check(again.has_value() && *again == p);
    check((*again <=> p) == 0);

    // too small a buffer reports the size needed
    const auto small = p.format_to(std::span<char>(buf.data(), *n - 1));
    check(!small && small.error().code == lwm2m::errc::buffer_too_small && small.error().offset == *n);

    // segments give the ids back, and build the same path as Uri-Path options
    std::array<std::string_view, lwm2m::path::max_depth> views{};
    std::array<lwm2m::path_segment_text, lwm2m::path::max_depth> texts{};
    std::size_t count = 0;
    for (auto seg : p.segments()) {
        texts[count] = seg;
        views[count] = texts[count].view();
        ++count;
    }
    check(count == p.depth());
    const auto from_segments = lwm2m::parse_path_segments(std::span<const std::string_view>(views.data(), count));
    check(from_segments.has_value() && *from_segments == p);

    // the structure is consistent
    if (!p.is_root()) {
        check(p.parent().is_prefix_of(p));
        check(p.parent() < p);
        check(p.parent().child(p.id(p.depth() - 1)).value() == p);
    }
}

void fuzz_segments(std::string_view in) {
    constexpr std::size_t max_segments = 8;
    std::array<std::string_view, max_segments> segs{};
    std::size_t count = 0;
    if (!in.empty()) {
        std::size_t pos = 0;
        while (true) {
            if (count == max_segments) return; // keep the work bounded
            const std::size_t end = in.find('\n', pos);
            segs[count++] = in.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
            if (end == std::string_view::npos) break;
            pos = end + 1;
        }
    }
    const std::span<const std::string_view> list(segs.data(), count);
    const auto r = lwm2m::parse_path_segments(list);
    if (!r) {
        check(r.error().offset < count || (count == 0 && r.error().offset == 0));
    }

    // compare with the text parser on "/" + join(segments, "/") when that is the same path
    bool has_slash = false;
    for (auto s : list) has_slash = has_slash || s.find('/') != std::string_view::npos;
    // (one empty segment is rejected, while its join "/" is the root: skip that one case)
    if (!has_slash && !(count == 1 && segs[0].empty())) {
        std::array<char, 1024> joined{};
        std::size_t len = 0;
        bool fits = true;
        if (count == 0) joined[len++] = '/';
        for (auto s : list) {
            if (len + 1 + s.size() > joined.size()) {
                fits = false;
                break;
            }
            joined[len++] = '/';
            for (char c : s) joined[len++] = c;
        }
        if (fits) {
            const auto t = lwm2m::parse_path(std::string_view(joined.data(), len));
            check(t.has_value() == r.has_value());
            if (r) check(*t == *r);
            else check(t.error().code == r.error().code);
        }
    }

    // under an alternate root made of the first segment, the rest must parse as before
    if (count >= 1 && !segs[0].empty() && segs[0].find('/') == std::string_view::npos) {
        std::array<char, 1024> root{};
        if (segs[0].size() + 1 <= root.size()) {
            root[0] = '/';
            for (std::size_t i = 0; i < segs[0].size(); ++i) root[i + 1] = segs[0][i];
            const auto rooted = lwm2m::parse_path_segments(list, std::string_view(root.data(), segs[0].size() + 1));
            const auto rest = lwm2m::parse_path_segments(list.subspan(1));
            check(rooted.has_value() == rest.has_value());
            if (rooted) check(*rooted == *rest);
            else check(rooted.error().code == rest.error().code && rooted.error().offset == rest.error().offset + 1);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in{reinterpret_cast<const char*>(data), size};
    fuzz_text(in);
    fuzz_segments(in);
    return 0;
}
