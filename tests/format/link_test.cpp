#include <lwm2m/format/link.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace link = lwm2m::format::link;
using lwm2m::errc;
using lwm2m::path;

path P(std::string_view text) { return lwm2m::parse_path(text).value(); }

/** One parsed link, copied out for comparisons. */
struct parsed_attribute {
    std::string name;
    std::string value;  // unescaped
    bool has_value = false;
    bool quoted = false;
    friend bool operator==(const parsed_attribute&, const parsed_attribute&) = default;
};
struct parsed_link {
    std::string uri;
    std::vector<parsed_attribute> attributes;
    friend bool operator==(const parsed_link&, const parsed_link&) = default;
};

struct read_result {
    std::vector<parsed_link> links;
    std::vector<link::link_entry> entries;
    std::optional<lwm2m::error> error;
};

std::string unescaped(std::string_view quoted_value) {
    std::string out(quoted_value.size(), '\0');
    auto n = link::unescape_quoted(quoted_value, out);
    REQUIRE(n.has_value());
    out.resize(*n);
    return out;
}

read_result read_links(std::string_view payload) {
    link::reader reader(payload);
    read_result out;
    for (int guard = 0; guard < 100000; ++guard) {
        auto r = reader.next();
        if (!r) {
            out.error = r.error();
            auto again = reader.next();  // errors are sticky
            CHECK(!again.has_value());
            if (!again) CHECK(again.error() == r.error());
            return out;
        }
        if (!*r) {
            CHECK(!reader.next().value().has_value());  // stays at the end
            return out;
        }
        out.entries.push_back(**r);
        parsed_link l{std::string((*r)->uri()), {}};
        for (auto it = (*r)->begin(); it != (*r)->end(); ++it) {
            l.attributes.push_back(parsed_attribute{std::string(it->name),
                                                    it->quoted ? unescaped(it->value) : std::string(it->value),
                                                    it->has_value, it->quoted});
        }
        out.links.push_back(l);
    }
    FAIL("reader does not end");
    return out;
}

parsed_attribute A(std::string_view name) { return {std::string(name), {}, false, false}; }
parsed_attribute A(std::string_view name, std::string_view token) { return {std::string(name), std::string(token), true, false}; }
parsed_attribute Q(std::string_view name, std::string_view text) { return {std::string(name), std::string(text), true, true}; }

void check_error(std::string_view payload, std::size_t offset, std::size_t links_before = 0) {
    CAPTURE(payload);
    const auto r = read_links(payload);
    REQUIRE(r.error.has_value());
    CHECK(lwm2m::name(r.error->code) == "invalid_link_format");
    CHECK(r.error->offset == offset);
    CHECK(r.links.size() == links_before);
}

std::string written(auto&& fill) {
    std::string buf(4096, '\0');
    lwm2m::format::output_window out(std::span<std::byte>(reinterpret_cast<std::byte*>(buf.data()), buf.size()));
    link::writer w{out};
    fill(w);
    auto n = out.finish();
    REQUIRE(n.has_value());
    buf.resize(*n);
    return buf;
}

/** Interprets every link, the root link first (it gives the alternate root, as a server reads a Register). */
std::vector<link::lwm2m_link> interpret_all(const read_result& r) {
    std::vector<link::lwm2m_link> out;
    std::string_view root;
    for (const auto& e : r.entries) {
        auto l = link::interpret(e, root);
        REQUIRE(l.has_value());
        if (l->is_root) root = l->uri;
        out.push_back(*l);
    }
    return out;
}

} // namespace

// ---- RFC 6690 §5 examples ----------------------------------------------------------------------

TEST_CASE("link format RFC 6690 §5: the /.well-known/core examples, line breaks included") {
    // §5 first example: the response to GET /.well-known/core (the RFC folds it over two lines).
    auto r = read_links("</sensors/temp>;if=\"sensor\",\r\n</sensors/light>;if=\"sensor\"");
    REQUIRE(!r.error);
    CHECK(r.links == std::vector<parsed_link>{{"/sensors/temp", {Q("if", "sensor")}},
                                              {"/sensors/light", {Q("if", "sensor")}}});
    // §5: filtered by ct, then resource types and interface descriptions.
    r = read_links("</sensors>;ct=40");
    REQUIRE(!r.error);
    CHECK(r.links == std::vector<parsed_link>{{"/sensors", {A("ct", "40")}}});
    r = read_links("</sensors/temp>;rt=\"temperature-c\";if=\"sensor\",\n</sensors/light>;rt=\"light-lux\";if=\"sensor\"");
    REQUIRE(!r.error);
    CHECK(r.links == std::vector<parsed_link>{{"/sensors/temp", {Q("rt", "temperature-c"), Q("if", "sensor")}},
                                              {"/sensors/light", {Q("rt", "light-lux"), Q("if", "sensor")}}});
    // §5: absolute URIs, anchors and relations.
    r = read_links(
        "<http://www.example.com/sensors/t123>;anchor=\"/sensors/temp\";rel=\"describedby\",\n"
        "</t>;anchor=\"/sensors/temp\";rel=\"alternate\"");
    REQUIRE(!r.error);
    CHECK(r.links ==
          std::vector<parsed_link>{{"http://www.example.com/sensors/t123", {Q("anchor", "/sensors/temp"), Q("rel", "describedby")}},
                                   {"/t", {Q("anchor", "/sensors/temp"), Q("rel", "alternate")}}});
    // §5: a firmware resource with a size.
    r = read_links("</firmware/v2.1>;rt=\"firmware\";sz=262144");
    REQUIRE(!r.error);
    CHECK(r.links == std::vector<parsed_link>{{"/firmware/v2.1", {Q("rt", "firmware"), A("sz", "262144")}}});
    // A title with a comma and escaped quotes, an ext-name-star parameter, a parameter without value.
    r = read_links(R"(</sensors>;ct=40;title="Sensor \"Index\", v2";title*=UTF-8'en'%C3%A9;obs)");
    REQUIRE(!r.error);
    CHECK(r.links == std::vector<parsed_link>{{"/sensors",
                                               {A("ct", "40"), Q("title", "Sensor \"Index\", v2"),
                                                A("title*", "UTF-8'en'%C3%A9"), A("obs")}}});
    const auto title = r.entries[0].find("title");
    REQUIRE(title.has_value());
    CHECK(title->quoted);
    CHECK(!r.entries[0].find("rt").has_value());
}

TEST_CASE("link format: empty payloads, optional whitespace, empty URI") {
    CHECK(read_links("").links.empty());
    CHECK(!read_links("").error);
    CHECK(read_links(" \r\n\t").links.empty());
    const auto r = read_links("  <> ; a = 1\n , \t</1> ;b  ");
    // Whitespace around '=' is not allowed: the name is "a", then " = 1" is not a parameter.
    REQUIRE(r.error);
    const auto ok = read_links("  <> ; a=1 \n ,\t</1> ;b  ");
    REQUIRE(!ok.error);
    CHECK(ok.links == std::vector<parsed_link>{{"", {A("a", "1")}}, {"/1", {A("b")}}});
}

// ---- LwM2M payloads ---------------------------------------------------------------------------

TEST_CASE("link format LwM2M Register payloads (1.1 Core §6.2.1): root link, ct, ver, objects") {
    // The bench Register payload (shared/bench-data/coap-register.hex).
    constexpr std::string_view payload =
        R"(</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>,</4/0>,</5/0>,</3311/0>,</3311/1>,</3303/0>)";
    const auto r = read_links(payload);
    REQUIRE(!r.error);
    REQUIRE(r.links.size() == 8);
    CHECK(r.links[0] == parsed_link{"/", {Q("rt", "oma.lwm2m"), A("ct", "11543")}});
    const auto links = interpret_all(r);
    CHECK(links[0].is_root);
    CHECK(links[0].target == path{});
    REQUIRE(links[0].ct_count == 1);
    CHECK(links[0].ct[0] == 11543);
    const path targets[] = {P("/1/0"), P("/3/0"), P("/4/0"), P("/5/0"), P("/3311/0"), P("/3311/1"), P("/3303/0")};
    for (std::size_t i = 0; i < std::size(targets); ++i) {
        CHECK(!links[i + 1].is_root);
        CHECK(links[i + 1].target == targets[i]);
    }

    // Object versions, an object without instances, and a quoted list of content formats.
    const auto v = read_links(R"(</>;rt="oma.lwm2m";ct="60 110 112 11542 11543 11544",</1>;ver=1.1,</1/0>,</3>;ver=1.2,</3/0>,</5>)");
    REQUIRE(!v.error);
    const auto vl = interpret_all(v);
    REQUIRE(vl.size() == 6);
    REQUIRE(vl[0].ct_count == 6);
    CHECK(vl[0].ct[0] == 60);
    CHECK(vl[0].ct[5] == 11544);
    CHECK(vl[1].target == P("/1"));
    CHECK(vl[1].ver == std::optional<std::string_view>{"1.1"});
    CHECK(vl[3].ver == std::optional<std::string_view>{"1.2"});
    CHECK(!vl[2].ver);
    CHECK(vl[5].target == P("/5"));

    // rt may list several types (RFC 6690 §3.1).
    const auto several = read_links(R"(</>;rt="core.rd oma.lwm2m")");
    REQUIRE(!several.error);
    CHECK(interpret_all(several)[0].is_root);
}

TEST_CASE("link format LwM2M Register with an alternate root path </lwm2m>") {
    const auto r = read_links(R"(</lwm2m>;rt="oma.lwm2m";ct=11543,</lwm2m/1/0>,</lwm2m/3/0>,</lwm2m/5>)");
    REQUIRE(!r.error);
    const auto links = interpret_all(r);
    CHECK(links[0].is_root);
    CHECK(links[0].uri == "/lwm2m");
    CHECK(links[0].target == path{});
    CHECK(links[1].target == P("/1/0"));
    CHECK(links[2].target == P("/3/0"));
    CHECK(links[3].target == P("/5"));
    // With the alternate root given (one trailing '/' ignored), and a URI outside it.
    auto l = link::interpret(r.entries[1], "/lwm2m/");
    REQUIRE(l.has_value());
    CHECK(l->target == P("/1/0"));
    const auto other = read_links("</lwm2mX/1/0>,</1/0>,</lwm2m>");
    REQUIRE(!other.error);
    CHECK(link::interpret(other.entries[0], "/lwm2m").error() == lwm2m::error{errc::path_root_mismatch, 0});
    CHECK(link::interpret(other.entries[1], "/lwm2m").error() == lwm2m::error{errc::path_root_mismatch, 0});
    CHECK(link::interpret(other.entries[2], "/lwm2m")->target == path{});
    // Without the alternate root, such a URI is not a path.
    CHECK(link::interpret(r.entries[1]).error().code == errc::path_invalid_number);
}

TEST_CASE("link format LwM2M Discover (1.1 Core §5.4.2) with dim and notification attributes") {
    constexpr std::string_view payload =
        "</3/0>;pmin=10;pmax=60,</3/0/1>,</3/0/7>;dim=2;gt=50.5;lt=10;st=2,</3/0/11>;dim=1,"
        "</3/0/13>;epmin=1;epmax=30";
    const auto r = read_links(payload);
    REQUIRE(!r.error);
    const auto links = interpret_all(r);
    REQUIRE(links.size() == 5);
    CHECK(links[0].target == P("/3/0"));
    CHECK(links[0].attributes.pmin == std::optional<std::uint32_t>{10});
    CHECK(links[0].attributes.pmax == std::optional<std::uint32_t>{60});
    CHECK(links[1].attributes.empty());
    CHECK(links[2].dim == std::optional<std::uint16_t>{2});
    CHECK(links[2].attributes.gt == std::optional<double>{50.5});
    CHECK(links[2].attributes.lt == std::optional<double>{10});
    CHECK(links[2].attributes.st == std::optional<double>{2});
    CHECK(links[2].attributes.validate().has_value());
    CHECK(links[3].dim == std::optional<std::uint16_t>{1});
    CHECK(links[4].attributes.epmin == std::optional<std::uint32_t>{1});
    CHECK(links[4].attributes.epmax == std::optional<std::uint32_t>{30});
}

TEST_CASE("link format LwM2M Bootstrap-Discover (1.1 Core §5.2.7.3) with ssid and uri") {
    constexpr std::string_view payload =
        R"(</>;lwm2m=1.1,</0/0>;uri="coap://bootstrap.example.com",</0/1>;ssid=101;uri="coaps://server1.example.com:5684",)"
        R"(</1/0>;ssid=101,</3/0>)";
    const auto r = read_links(payload);
    REQUIRE(!r.error);
    const auto links = interpret_all(r);
    REQUIRE(links.size() == 5);
    CHECK(links[0].target == path{});
    CHECK(!links[0].is_root);
    CHECK(links[1].server_uri == std::optional<std::string_view>{"coap://bootstrap.example.com"});
    CHECK(!links[1].ssid);
    CHECK(links[2].ssid == std::optional<std::uint16_t>{101});
    CHECK(links[2].server_uri == std::optional<std::string_view>{"coaps://server1.example.com:5684"});
    CHECK(links[3].ssid == std::optional<std::uint16_t>{101});
    CHECK(links[4].target == P("/3/0"));
}

// ---- malformed payloads -----------------------------------------------------------------------

TEST_CASE("link format errors: every malformed form with its offset") {
    // Missing '<'.
    check_error("/1>", 0);
    check_error("</1>,/2>", 5, 1);
    check_error(",</1>", 0);
    check_error("</1>,,</2>", 5, 1);
    // Unterminated '<' (the offset is where '>' was expected: the end).
    check_error("</1", 3);
    check_error("</1>,</2", 8, 1);
    check_error("<", 1);
    // Bad parameter names.
    check_error("</1>;=a", 5);
    check_error("</1>;", 5);
    check_error("</1>;;a", 5);
    check_error("</1>;a@=1", 6);
    check_error("</1>;a b", 7);
    check_error("</1>;\"a\"=1", 5);
    // Unterminated quoted string.
    check_error("</1>;a=\"b", 9);
    check_error("</1>;a=\"b\\\"", 11);
    check_error("</1>;a=\"b\\", 9);
    // Empty ptoken, and a ptoken with a character outside ptokenchar.
    check_error("</1>;a=", 7);
    check_error("</1>;a=,</2>", 7);
    check_error("</1>;a=;b", 7);
    check_error("</1>;a=b c", 9);
    check_error("</1>;a=b\"c\"", 8);
    check_error("</1>;a=\\b", 7);
    // Trailing comma.
    check_error("</1>,", 5, 1);
    check_error("</1>, \n", 7, 1);
    // Garbage after a link.
    check_error("</1>x", 4);
    check_error("</1> </2>", 5);
    // Control characters and characters outside URI-Reference.
    check_error("</1\x01>", 3);
    check_error("</a b>", 3);
    check_error("</a\"b>", 3);
    check_error("</a<b>", 3);
    check_error("</a\x7f>", 3);
    check_error("</\xc3\xa9>", 2);
    check_error("</1>\x01", 4);
    check_error("</1>;a=\"\x01\"", 8);
    check_error("</1>;a=\"b\nc\"", 9);
    check_error("</1>;a=\"\\\x01\"", 9);  // escaped control characters too (RFC 7230 §3.2.6)
    check_error("</1>;a=b\x01", 8);
    check_error(std::string_view{"</1>\0", 5}, 4);
}

TEST_CASE("link format: LwM2M attribute values that are malformed") {
    const auto bad = [](std::string_view payload, errc code, std::size_t offset = 0) {
        CAPTURE(payload);
        const auto r = read_links(payload);
        REQUIRE(!r.error);
        REQUIRE(r.entries.size() == 1);
        const auto l = link::interpret(r.entries[0]);
        REQUIRE(!l.has_value());
        CHECK(lwm2m::name(l.error().code) == lwm2m::name(code));
        CHECK(l.error().offset == offset);
    };
    bad("</>;ct=abc", errc::invalid_link_format);
    bad("</>;ct=\"60  110\"", errc::invalid_link_format);
    bad("</>;ct=70000", errc::invalid_link_format);
    bad("</>;ct=\"0 1 2 3 4 5 6 7 8 9 10 11 12 x\"", errc::invalid_link_format);  // checked past max_ct_values too
    bad("</0/1>;ssid=x", errc::invalid_link_format);
    bad("</0/1>;ssid=\"\"", errc::invalid_link_format);
    bad("</3/0/7>;dim=70000", errc::invalid_link_format);
    bad("</3/0>;pmin=-1", errc::invalid_link_format);
    bad("</3/0>;pmin", errc::invalid_link_format);
    bad("</3/0>;pmax=1.5", errc::invalid_link_format);
    bad("</3/0/7>;gt=x", errc::invalid_link_format);
    bad("</3/0/7>;st=-1", errc::invalid_link_format);
    bad("</a/b>", errc::path_invalid_number, 1);  // path errors: offsets inside the URI
    bad("</3//0>", errc::path_syntax, 3);
    bad("<3/0>", errc::path_syntax);
    bad("</1/2/3/4/5>", errc::path_too_deep, 9);
    bad("</65535>", errc::path_id_out_of_range, 1);
    // Unknown attributes are ignored; ct= with 12 values fits.
    const auto r = read_links("</3/0>;foo=bar;x;ct=\"0 1 2 3 4 5 6 7 8 9 10 11\"");
    REQUIRE(!r.error);
    const auto l = link::interpret(r.entries[0]);
    REQUIRE(l.has_value());
    CHECK(l->ct_count == 12);
    CHECK_FALSE(l->ct_truncated);
    // More than max_ct_values: the first ones are kept and the link stands.
    const auto more = read_links("</>;rt=\"oma.lwm2m\";ct=\"0 1 2 3 4 5 6 7 8 9 10 11 12 13\"");
    REQUIRE(!more.error);
    const auto m = link::interpret(more.entries[0]);
    REQUIRE(m.has_value());
    CHECK(m->ct_count == 12);
    CHECK(m->ct[11] == 11);
    CHECK(m->ct_truncated);
}

// ---- writer -------------------------------------------------------------------------------------

TEST_CASE("link format writer: Register, Discover and Bootstrap-Discover payloads read back") {
    const std::string reg = written([](link::writer& w) {
        w.begin(path{}, "/lwm2m");
        w.quoted_attribute("rt", "oma.lwm2m");
        w.attribute("ct", std::uint64_t{11543});
        w.begin(P("/1/0"), "/lwm2m");
        w.begin(P("/3"), "/lwm2m");
        w.attribute("ver", "1.1");
        w.begin(P("/3/0"), "/lwm2m");
    });
    CHECK(reg == R"(</lwm2m>;rt="oma.lwm2m";ct=11543,</lwm2m/1/0>,</lwm2m/3>;ver=1.1,</lwm2m/3/0>)");
    const auto r = read_links(reg);
    REQUIRE(!r.error);
    const auto links = interpret_all(r);
    CHECK(links[0].is_root);
    CHECK(links[2].target == P("/3"));
    CHECK(links[2].ver == std::optional<std::string_view>{"1.1"});

    const std::string plain = written([](link::writer& w) {
        w.begin(path{});
        w.quoted_attribute("rt", "oma.lwm2m");
        w.begin(P("/3/0/7"));
        w.attribute("dim", std::uint64_t{2});
        w.attribute("gt", 50.5);
        w.attribute("lt", 1e20);
        w.attribute("st", 1e-5);  // no exponent: Leshan's attribute parser reads none
        w.attribute("big", 1e300);  // too long without one: the shortest form
        w.attribute("st", std::numeric_limits<double>::infinity());  // skipped: no text form
        w.begin(P("/0/1"));
        w.attribute("ssid", std::uint64_t{101});
        w.quoted_attribute("uri", R"(coap://h/"q"\x)");
        w.begin("http://example.com/a?b=c");
        w.attribute("obs");
    });
    CHECK(plain == R"(</>;rt="oma.lwm2m",</3/0/7>;dim=2;gt=50.5;lt=100000000000000000000;st=0.00001;big=1e+300,</0/1>;ssid=101;uri="coap://h/\"q\"\\x",)"
                   R"(<http://example.com/a?b=c>;obs)");
    const auto p = read_links(plain);
    REQUIRE(!p.error);
    CHECK(p.links[2].attributes[1] == Q("uri", R"(coap://h/"q"\x)"));
    const auto dl = link::interpret(p.entries[1]);
    REQUIRE(dl.has_value());
    CHECK(dl->attributes.gt == std::optional<double>{50.5});
    CHECK(dl->attributes.lt == std::optional<double>{1e20});
    CHECK(dl->attributes.st == std::optional<double>{1e-5});
    CHECK(link::interpret(p.entries[2])->ssid == std::optional<std::uint16_t>{101});
    // A Block2 window of a long Discover is the matching slice.
    const auto fill = [](link::writer& w) {
        for (std::uint16_t i = 0; i < 40; ++i) {
            w.begin(*path::make(3, 0, i));
            w.attribute("pmin", std::uint64_t{i});
        }
    };
    const std::string whole = written(fill);
    for (std::size_t num = 0; num * 32 < whole.size(); ++num) {
        std::string block(32, '\0');
        lwm2m::format::output_window out(std::span<std::byte>(reinterpret_cast<std::byte*>(block.data()), block.size()),
                                         num * 32);
        link::writer w{out};
        fill(w);
        CHECK(out.total() == whole.size());
        CHECK(block.substr(0, out.written()) == whole.substr(num * 32, 32));
    }
}

TEST_CASE("link format: 2000 seeded random payloads round trip through the writer and the reader") {
    std::mt19937_64 rng(0x6c696e6b666d74ULL);  // "linkfmt"
    constexpr std::string_view ptoken_chars =
        "abcXYZ019!#$%&'()*+-./:<=>?@[]^_`{|}~";
    constexpr std::string_view name_chars = "abcxyzABC019!#$&+-.^_`|~*";
    for (int iteration = 0; iteration < 2000; ++iteration) {
        CAPTURE(iteration);
        std::vector<parsed_link> expected;
        const std::size_t count = rng() % 8;
        for (std::size_t i = 0; i < count; ++i) {
            parsed_link l;
            if (rng() % 2 == 0) {
                const std::size_t depth = rng() % 5;
                path p;
                for (std::size_t k = 0; k < depth; ++k) p = *p.child(rng() % 65535);
                l.uri = std::string(p.text().view());
            } else {
                constexpr std::string_view uri_chars = "abc/:?#[]@!$&'()*+,;=-._~%0189";
                const std::size_t n = rng() % 12;
                for (std::size_t k = 0; k < n; ++k) l.uri.push_back(uri_chars[rng() % uri_chars.size()]);
            }
            const std::size_t attributes = rng() % 5;
            for (std::size_t a = 0; a < attributes; ++a) {
                parsed_attribute at;
                const std::size_t n = 1 + rng() % 6;
                for (std::size_t k = 0; k < n; ++k) at.name.push_back(name_chars[rng() % name_chars.size()]);
                switch (rng() % 3) {
                case 0: break;
                case 1: {
                    at.has_value = true;
                    const std::size_t m = 1 + rng() % 8;
                    for (std::size_t k = 0; k < m; ++k) at.value.push_back(ptoken_chars[rng() % ptoken_chars.size()]);
                    break;
                }
                default: {
                    at.has_value = at.quoted = true;
                    const std::size_t m = rng() % 10;
                    for (std::size_t k = 0; k < m; ++k) {
                        const char printable = static_cast<char>(0x20 + rng() % 95);
                        at.value.push_back(rng() % 8 == 0 ? "\"\\,;<>"[rng() % 6] : printable);
                    }
                    break;
                }
                }
                l.attributes.push_back(at);
            }
            expected.push_back(l);
        }
        const std::string payload = written([&](link::writer& w) {
            for (const parsed_link& l : expected) {
                w.begin(std::string_view{l.uri});
                for (const parsed_attribute& at : l.attributes) {
                    if (!at.has_value) w.attribute(at.name);
                    else if (at.quoted) w.quoted_attribute(at.name, at.value);
                    else w.attribute(at.name, std::string_view{at.value});
                }
            }
        });
        CAPTURE(payload);
        const auto r = read_links(payload);
        REQUIRE(!r.error);
        CHECK(r.links == expected);
        // Written again from what was read: the same bytes.
        const std::string again = written([&](link::writer& w) {
            for (const parsed_link& l : r.links) {
                w.begin(std::string_view{l.uri});
                for (const parsed_attribute& at : l.attributes) {
                    if (!at.has_value) w.attribute(at.name);
                    else if (at.quoted) w.quoted_attribute(at.name, at.value);
                    else w.attribute(at.name, std::string_view{at.value});
                }
            }
        });
        CHECK(again == payload);
    }
}
