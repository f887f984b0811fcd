// libFuzzer target for the CoRE Link Format reader, writer and LwM2M interpretation (RFC 6690, ct 40).
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/link_read.cpp -o link_read
//   ./link_read fuzz/corpus/link_read
//
// Input: the link-format payload. Then:
// - errors are sticky, `invalid_link_format`, and their offset lies inside the payload (or at its end);
// - every link is interpreted for LwM2M (the root link's URI as the alternate root of the later
//   ones), which fails or succeeds without crashing, with an offset inside the URI;
// - read → write (link::writer) → read gives the same links (URI, names, unescaped values, which
//   values were quoted), and writing those again gives the same bytes.

#include <lwm2m/format/link.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace link = lwm2m::format::link;

void check(bool ok) {
    if (!ok) std::abort();
}

struct attribute {
    std::string name;
    std::string value;
    bool has_value = false;
    bool quoted = false;
    friend bool operator==(const attribute&, const attribute&) = default;
};
struct one_link {
    std::string uri;
    std::vector<attribute> attributes;
    friend bool operator==(const one_link&, const one_link&) = default;
};

bool read(std::string_view payload, std::vector<one_link>& out) {
    link::reader reader(payload);
    std::string_view root;
    while (true) {
        auto r = reader.next();
        if (!r) {
            check(r.error().code == lwm2m::errc::invalid_link_format);
            check(r.error().offset <= payload.size());
            auto again = reader.next();
            check(!again.has_value() && again.error() == r.error());
            return false;
        }
        if (!*r) {
            check(reader.next().has_value() && !reader.next()->has_value());
            return true;
        }
        const link::link_entry& e = **r;
        one_link l{std::string(e.uri()), {}};
        for (auto it = e.begin(); it != e.end(); ++it) {
            attribute a{std::string(it->name), std::string(it->value), it->has_value, it->quoted};
            check(!a.name.empty());
            if (a.quoted) {
                std::string plain(a.value.size(), '\0');
                auto n = link::unescape_quoted(a.value, plain);
                check(n.has_value());
                plain.resize(*n);
                a.value = plain;
            }
            l.attributes.push_back(a);
        }
        // LwM2M interpretation: never crashes; path errors point inside the URI.
        auto interpreted = link::interpret(e, root);
        if (interpreted) {
            if (interpreted->is_root) root = interpreted->uri;
            check(interpreted->ct_count <= link::max_ct_values);
        } else {
            check(interpreted.error().offset <= e.uri().size());
        }
        out.push_back(l);
        check(out.size() <= payload.size());
    }
}

std::string write(const std::vector<one_link>& links) {
    const auto fill = [&](link::writer& w) {
        for (const one_link& l : links) {
            w.begin(std::string_view{l.uri});
            for (const attribute& a : l.attributes) {
                if (!a.has_value) w.attribute(a.name);
                else if (a.quoted) w.quoted_attribute(a.name, a.value);
                else w.attribute(a.name, std::string_view{a.value});
            }
        }
    };
    lwm2m::format::output_window counter{lwm2m::mutable_bytes{}};
    link::writer count{counter};
    fill(count);
    std::string buf(counter.total(), '\0');
    lwm2m::format::output_window out(std::span<std::byte>(reinterpret_cast<std::byte*>(buf.data()), buf.size()));
    link::writer w{out};
    fill(w);
    check(out.finish().has_value() && *out.finish() == buf.size());
    return buf;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload{reinterpret_cast<const char*>(data), size};
    std::vector<one_link> links;
    if (!read(payload, links)) return 0;
    const std::string written = write(links);
    std::vector<one_link> again;
    check(read(written, again));
    check(again == links);
    check(write(again) == written);
    return 0;
}
