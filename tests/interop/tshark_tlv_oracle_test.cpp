// Wireshark's LwM2M-TLV dissector (`lwm2mtlv`) as an independent decoder of what `write_tlv`
// writes (LwM2M 1.0 §6.4.3, 1.1 Core §7.4.3). doctest, no main here: link with tests/main.cpp.
//
// About 80 seeded random record sets (tests/support/random_records.hpp) of the shipped schemas are
// encoded as TLV and carried in CoAP 2.05 responses (Content-Format 11542) to GET requests on
// their paths, both built with `coap::message_builder` and written to a pcap
// (tests/interop/tshark_support.hpp): Device /3/0 instances, single resources and resource
// instances of /3/0; whole objects of several instances (/0, /1, /2, /3303, ...), with sparse 8-
// and 16-bit ids; object links (/3/0/22, /1/x/y). The request and its response share a UDP
// conversation and a token, so the CoAP dissector knows the request path and Wireshark's
// LwM2M-TLV dissector types Device resources with its own built-in object definitions
// (e.g. "lwm2mtlv.resource.battery_level"); other resources get its generic "As Integer", "As
// Unsigned Integer", "As Boolean", ... interpretations.
//
// `tshark -T pdml` is parsed line by line. For every packet: no Malformed, no expert info of
// warning level or above; and the TLVs tshark shows, in tree order, are exactly the ones the
// records imply: entry type (Object Instance / Resource Instance / Multiple Resources / Resource),
// identifier, length, position of the header in the payload, and the value: raw bytes for
// strings, opaque and object links (compared with the record's bytes, and ObjID:InstID as two
// big-endian uint16); integers, times, unsigned integers and booleans through tshark's decimal
// interpretation (any of its fields for that TLV); floats from tshark's bytes as IEEE 754 of the
// length it shows, bit for bit.
//
// tshark comes from LWM2M_TSHARK (a string macro set by the build; empty when not found), else
// PATH; without it the test reports a MESSAGE and passes. The run is bounded by `timeout 120`.

#include <lwm2m/coap.hpp>
#include <lwm2m/format/tlv.hpp>
#include <lwm2m/model/objects/all.hpp>

#include "../support/random_records.hpp"
#include "tshark_support.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m::test::tshark_tlv {

using namespace lwm2m::test::tshark;  // bytes, pcap_file, run, split, temp_dir, ...
using format::record;
using random_data::instance_generator;
using random_data::instance_set;
using random_data::shape;

std::string hex_of(const std::uint8_t* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}
std::string hex_of(const bytes& b) { return hex_of(b.data(), b.size()); }
std::string hex_of(std::string_view s) { return hex_of(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

// ---------------------------------------------------------------------------------------------
// What the records imply: the TLVs in tree (pre-)order

struct expected_tlv {
    int type = 0;  ///< 0 Object Instance, 1 Resource Instance, 2 Multiple Resources, 3 Resource
    std::uint16_t id = 0;
    std::size_t length = 0;
    std::size_t offset = 0;     ///< of the header in the payload
    const record* leaf = nullptr;  ///< the value of a Resource / Resource Instance
    std::vector<expected_tlv> children;
};

std::size_t header_size(const expected_tlv& t) { return format::tlv::header_size(t.id, t.length); }

expected_tlv leaf(int type, std::uint16_t id, const record& r) {
    const auto n = format::tlv::encoded_value_size(r.value);
    REQUIRE(n.has_value());
    return expected_tlv{type, id, *n, 0, &r, {}};
}

expected_tlv container(int type, std::uint16_t id, std::vector<expected_tlv> children) {
    expected_tlv t{type, id, 0, 0, nullptr, std::move(children)};
    for (const auto& c : t.children) t.length += header_size(c) + c.length;
    return t;
}

/** Resource and Multiple Resource TLVs of records [i, end), all of one instance. */
std::vector<expected_tlv> resources(const std::vector<record>& rs, std::size_t i, std::size_t end) {
    std::vector<expected_tlv> out;
    while (i < end) {
        const path& p = rs[i].path;
        if (p.depth() == 3) {
            out.push_back(leaf(3, p.resource_id(), rs[i]));
            ++i;
            continue;
        }
        std::vector<expected_tlv> instances;
        std::size_t j = i;
        while (j < end && rs[j].path.depth() == 4 && rs[j].path.resource_id() == p.resource_id()) {
            instances.push_back(leaf(1, rs[j].path.resource_instance_id(), rs[j]));
            ++j;
        }
        out.push_back(container(2, p.resource_id(), std::move(instances)));
        i = j;
    }
    return out;
}

std::vector<expected_tlv> expected_tree(const instance_set& set) {
    const auto& rs = set.records;
    switch (set.base.level()) {
    case path_level::object: {
        std::vector<expected_tlv> out;
        for (std::size_t i = 0; i < rs.size();) {
            std::size_t end = i;
            while (end < rs.size() && rs[end].path.instance_id() == rs[i].path.instance_id()) ++end;
            out.push_back(container(0, rs[i].path.instance_id(), resources(rs, i, end)));
            i = end;
        }
        return out;
    }
    case path_level::instance:
    case path_level::resource: return resources(rs, 0, rs.size());
    case path_level::resource_instance:
        REQUIRE(rs.size() == 1);
        return {leaf(1, set.base.resource_instance_id(), rs[0])};
    case path_level::root: break;
    }
    FAIL("root base");
    return {};
}

void flatten(std::vector<expected_tlv>& tree, std::size_t& offset, std::vector<const expected_tlv*>& out) {
    for (auto& t : tree) {
        t.offset = offset;
        out.push_back(&t);
        offset += header_size(t);
        if (t.leaf) offset += t.length;
        else flatten(t.children, offset, out);
    }
}

// ---------------------------------------------------------------------------------------------
// What tshark shows: PDML, one <field .../> per line

/** An attribute of a PDML line, XML entities left as they are ("" when absent). */
std::string attribute(std::string_view line, std::string_view name) {
    const std::string key = " " + std::string(name) + "=\"";
    const auto at = line.find(key);
    if (at == std::string_view::npos) return {};
    const auto from = at + key.size();
    const auto to = line.find('"', from);
    return std::string(line.substr(from, to - from));
}

struct shown_field {
    std::string name, show, value;
};

struct shown_tlv {
    std::size_t pos = 0;  ///< of the header, in the frame
    std::optional<int> type;
    std::optional<std::uint16_t> id;
    std::optional<std::size_t> length;
    std::optional<std::string> raw;       ///< lwm2mtlv.value, hex ("" for an empty value)
    std::vector<shown_field> typed;       ///< lwm2mtlv.value.* and lwm2mtlv.resource.<name>
};

struct shown_packet {
    bool has_tlv = false;
    std::size_t payload_pos = 0;
    bool malformed = false;
    std::vector<std::string> severities, expert_messages;
    std::vector<shown_tlv> tlvs;
};

std::vector<shown_packet> parse_pdml(const std::string& pdml) {
    std::vector<shown_packet> packets;
    for (const std::string& raw_line : split(pdml, '\n')) {
        std::string_view line = raw_line;
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        if (line.rfind("<packet>", 0) == 0) {
            packets.emplace_back();
            continue;
        }
        if (packets.empty()) continue;
        shown_packet& p = packets.back();
        const std::string name = attribute(line, "name");
        if (name.empty()) continue;
        if (line.rfind("<proto ", 0) == 0) {
            if (name == "lwm2mtlv") {
                p.has_tlv = true;
                p.payload_pos = std::stoul(attribute(line, "pos"));
            } else if (name == "_ws.malformed") {
                p.malformed = true;
            }
            continue;
        }
        if (name == "_ws.expert.severity") p.severities.push_back(attribute(line, "show"));
        if (name == "_ws.expert.message") p.expert_messages.push_back(attribute(line, "show"));
        if (name.rfind("lwm2mtlv.", 0) != 0) continue;
        if (name == "lwm2mtlv.header") {
            p.tlvs.emplace_back();
            p.tlvs.back().pos = std::stoul(attribute(line, "pos"));
            continue;
        }
        if (p.tlvs.empty()) continue;
        shown_tlv& t = p.tlvs.back();
        const std::string show = attribute(line, "show");
        if (name == "lwm2mtlv.type.type") t.type = std::stoi(show);
        else if (name == "lwm2mtlv.identifier") t.id = static_cast<std::uint16_t>(std::stoul(show));
        else if (name == "lwm2mtlv.type.length" || name == "lwm2mtlv.length") t.length = std::stoul(show);
        else if (name == "lwm2mtlv.value") t.raw = attribute(line, "value");
        else if (name.rfind("lwm2mtlv.value.", 0) == 0 || name.rfind("lwm2mtlv.resource.", 0) == 0)
            t.typed.push_back({name, show, attribute(line, "value")});
    }
    return packets;
}

// ---------------------------------------------------------------------------------------------
// Comparing one value

bool typed_shows(const shown_tlv& t, const std::string& want) {
    for (const auto& f : t.typed)
        if (f.show == want) return true;
    return false;
}

std::string typed_list(const shown_tlv& t) {
    std::string s;
    for (const auto& f : t.typed) s += " " + f.name + "=" + f.show;
    return s;
}

std::vector<std::uint8_t> raw_bytes(const std::string& hex) {
    std::vector<std::uint8_t> out(hex.size() / 2);
    const auto r = lwm2m::from_hex(hex, mutable_bytes{reinterpret_cast<std::byte*>(out.data()), out.size()});
    REQUIRE(r.has_value());
    return out;
}

std::uint64_t big_endian(const std::vector<std::uint8_t>& b) {
    std::uint64_t v = 0;
    for (auto x : b) v = (v << 8) | x;
    return v;
}

/** Empty when tshark's view of a value TLV is the record's value, else what differs. */
std::string value_difference(const record& r, const shown_tlv& t) {
    const value& v = r.value;
    const std::string raw = t.raw.value_or("");
    const std::vector<std::uint8_t> b = raw_bytes(raw);
    switch (v.kind()) {
    case value_kind::string:
    case value_kind::opaque:
    case value_kind::corelnk: {
        const std::string want = hex_of(random_data::decoded_bytes(v));
        return raw == want ? std::string{} : "bytes " + raw + ", want " + want;
    }
    case value_kind::objlnk: {
        const objlnk l = v.as_objlnk();
        const std::uint8_t want[4] = {static_cast<std::uint8_t>(l.object_id >> 8), static_cast<std::uint8_t>(l.object_id),
                                      static_cast<std::uint8_t>(l.instance_id >> 8), static_cast<std::uint8_t>(l.instance_id)};
        return raw == hex_of(want, 4) ? std::string{} : "objlnk bytes " + raw + ", want " + hex_of(want, 4);
    }
    case value_kind::integer:
    case value_kind::time: {
        // Two's complement big-endian of the shown length (1, 2, 4 or 8 bytes), sign-extended.
        if (b.size() != 1 && b.size() != 2 && b.size() != 4 && b.size() != 8) return "integer of " + raw;
        const unsigned shift = static_cast<unsigned>(64 - 8 * b.size());
        const auto got = static_cast<std::int64_t>(big_endian(b) << shift) >> shift;
        if (got != v.as_integer()) return "integer bytes " + raw + ", want " + std::to_string(v.as_integer());
        // tshark's own reading: "As Integer", or the Device resource's integer field; a Time
        // resource it knows is shown as a date, so only the bytes say the number there.
        if (v.kind() == value_kind::integer && !typed_shows(t, std::to_string(v.as_integer())))
            return "tshark shows" + typed_list(t) + ", want " + std::to_string(v.as_integer());
        return {};
    }
    case value_kind::unsigned_integer: {
        if (b.size() != 1 && b.size() != 2 && b.size() != 4 && b.size() != 8) return "unsigned of " + raw;
        if (big_endian(b) != v.as_unsigned()) return "unsigned bytes " + raw + ", want " + std::to_string(v.as_unsigned());
        if (!typed_shows(t, std::to_string(v.as_unsigned())))
            return "tshark shows" + typed_list(t) + ", want " + std::to_string(v.as_unsigned());
        return {};
    }
    case value_kind::boolean: {
        const std::string want = v.as_boolean() ? "1" : "0";
        if (raw != (v.as_boolean() ? "01" : "00")) return "boolean bytes " + raw;
        if (!typed_shows(t, want)) return "tshark shows" + typed_list(t) + ", want " + want;
        return {};
    }
    case value_kind::float_: {
        double got = 0;
        if (b.size() == 4) got = static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(big_endian(b))));
        else if (b.size() == 8) got = std::bit_cast<double>(big_endian(b));
        else return "float of " + raw;
        if (std::bit_cast<std::uint64_t>(got) != std::bit_cast<std::uint64_t>(v.as_float()))
            return "float bytes " + raw;
        return {};
    }
    default: return "unexpected value kind";
    }
}

// ---------------------------------------------------------------------------------------------
// The record sets and their messages

struct exchange {
    std::string what;
    instance_set set;
    bytes tlv;
    bytes request, response;
};

bytes serialize(coap::message_builder<8>& b) {
    const auto size = b.encoded_size();
    REQUIRE(size.has_value());
    bytes out(*size);
    REQUIRE(b.serialize(mutable_bytes{reinterpret_cast<std::byte*>(out.data()), out.size()}).has_value());
    return out;
}

void build_messages(exchange& x, std::uint16_t n) {
    std::vector<std::byte> buf(1 << 16);
    format::output_window out(buf);
    const auto ok = format::write_tlv(x.set.records, x.set.base, out);
    INFO(x.what);
    REQUIRE(ok.has_value());
    const auto size = out.finish();
    REQUIRE(size.has_value());
    x.tlv.assign(reinterpret_cast<const std::uint8_t*>(buf.data()), reinterpret_cast<const std::uint8_t*>(buf.data()) + *size);

    const std::uint8_t token[4] = {0x7A, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n), 0x11};
    const bytes_view token_view{reinterpret_cast<const std::byte*>(token), 4};
    std::vector<std::string> segments;
    for (std::size_t i = 0; i < x.set.base.depth(); ++i) segments.push_back(std::to_string(x.set.base.id(i)));
    {
        coap::message_builder<8> b;
        b.type(coap::message_type::confirmable).code(coap::code::get).message_id(static_cast<std::uint16_t>(0x4000 + n));
        b.token(token_view);
        for (const auto& s : segments) b.uri_path(s);
        b.accept(11542);
        x.request = serialize(b);
    }
    {
        coap::message_builder<8> b;
        b.type(coap::message_type::acknowledgement).code(coap::code::content).message_id(static_cast<std::uint16_t>(0x4000 + n));
        b.token(token_view);
        b.content_format(11542);
        b.payload(bytes_view{reinterpret_cast<const std::byte*>(x.tlv.data()), x.tlv.size()});
        x.response = serialize(b);
    }
}

bool has_nul_string(const instance_set& set) {
    for (const record& r : set.records)
        if (r.value.kind() == value_kind::string && random_data::decoded_bytes(r.value).find('\0') != std::string::npos)
            return true;
    return false;
}

const object_view& schema(std::uint16_t id) {
    const object_view* o = objects::registry.find(id);
    REQUIRE(o != nullptr);
    return *o;
}

/** The record sets; their strings live in `g`. */
std::vector<exchange> make_exchanges(instance_generator& g) {
    std::vector<exchange> xs;
    auto add = [&](std::string what, instance_set set) {
        xs.push_back(exchange{std::move(what), std::move(set), {}, {}, {}});
    };
    for (int i = 0; i < 24; ++i) add("Device /3/0", g.make(schema(3), shape::instance));
    for (int i = 0; i < 10; ++i) add("Device resource", g.make(schema(3), shape::resource));
    for (int i = 0; i < 6; ++i) add("Device resource instance", g.make(schema(3), shape::resource_instance));
    for (const std::uint16_t o : {0, 1, 2, 4, 3303, 3311, 3341}) {
        for (int i = 0; i < 3; ++i) add("object /" + std::to_string(o), g.make(schema(o), shape::object));
    }
    // Object links: /3/0/22 (multiple) and every Objlnk resource of /0 and /1, all instances.
    for (int i = 0; i < 6; ++i) {
        instance_set set;
        set.base = *path::make(3, 0, 22);
        for (const std::uint16_t ri : g.distinct_ids(1 + static_cast<std::size_t>(g.rng.below(6))))
            set.records.push_back(record{*set.base.child(ri), g.value_of(data_type::objlnk, {}), std::nullopt});
        add("objlnk /3/0/22", std::move(set));
    }
    for (const std::uint16_t o : {0, 1}) {
        for (const resource_def& r : schema(o).resources()) {
            if (r.type != data_type::objlnk) continue;
            instance_set set;
            set.base = *path::make(o, g.any_id(), r.id);
            if (r.is_multiple()) {
                for (const std::uint16_t ri : g.distinct_ids(1 + static_cast<std::size_t>(g.rng.below(4))))
                    set.records.push_back(record{*set.base.child(ri), g.value_of(r.type, r.range), std::nullopt});
            } else {
                set.records.push_back(record{set.base, g.value_of(r.type, r.range), std::nullopt});
            }
            add("objlnk /" + std::to_string(o) + "/x/" + std::to_string(r.id), std::move(set));
        }
    }
    return xs;
}

} // namespace lwm2m::test::tshark_tlv

using namespace lwm2m::test::tshark_tlv;

TEST_CASE("tshark's LwM2M-TLV dissector reads our TLV payloads as the records we wrote") {
    const std::string tshark = find_tshark();
    if (tshark.empty()) {
        MESSAGE("tshark not found (LWM2M_TSHARK empty and not on PATH): test skipped");
        return;
    }
    instance_generator g(0x75A4C71Bull);
    std::vector<exchange> xs = make_exchanges(g);
    std::vector<bytes> datagrams;
    std::vector<std::uint16_t> ports;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        build_messages(xs[i], static_cast<std::uint16_t>(i));
        datagrams.push_back(xs[i].request);
        datagrams.push_back(xs[i].response);
        ports.push_back(static_cast<std::uint16_t>(41000 + i));
        ports.push_back(static_cast<std::uint16_t>(41000 + i));
    }

    temp_dir dir;
    const auto file = dir.path / "tlv.pcap";
    {
        std::ofstream out(file, std::ios::binary);
        const std::string pcap = pcap_file(datagrams, ports);
        out.write(pcap.data(), static_cast<std::streamsize>(pcap.size()));
        REQUIRE(out.good());
    }
    const std::string command = (have_program("timeout") ? "timeout 120 " : "") + shell_quote(tshark) + " -n -r " +
                                shell_quote(file.string()) + " -d udp.port==5683,coap -T pdml 2>/dev/null";
    INFO("command: " << command);
    const auto [output, status] = run(command);
    REQUIRE(status == 0);
    const std::vector<shown_packet> packets = parse_pdml(output);
    REQUIRE(packets.size() == datagrams.size());

    std::size_t tlvs_checked = 0, values_checked = 0, failures = 0;
    for (std::size_t i = 0; i < xs.size() && failures < 10; ++i) {
        const exchange& x = xs[i];
        const shown_packet& p = packets[2 * i + 1];
        INFO("exchange " << i << " (" << x.what << "), response packet " << 2 * i + 2 << ", TLV " << hex_of(x.tlv));
        bool ok = true;
        CHECK_MESSAGE(!p.malformed, "Malformed");
        ok &= !p.malformed;
        for (std::size_t k = 0; k < p.severities.size(); ++k) {
            const unsigned long sev = std::stoul(p.severities[k]);
            const std::string message = k < p.expert_messages.size() ? p.expert_messages[k] : "";
            // Wireshark warns about a string field holding U+0000 followed by more text (its
            // display stops at the NUL); such strings are valid LwM2M Strings (UTF-8, 1.1 Core
            // Appendix C), which the generator makes on purpose.
            if (message == "Trailing stray characters" && has_nul_string(x.set)) continue;
            CHECK_MESSAGE(sev < 0x00600000ul, "expert info: " << message);
            ok &= sev < 0x00600000ul;
        }
        std::vector<expected_tlv> tree = expected_tree(x.set);
        std::vector<const expected_tlv*> want;
        std::size_t end = 0;
        flatten(tree, end, want);
        REQUIRE(end == x.tlv.size());
        if (x.tlv.empty()) {
            CHECK(p.tlvs.empty());
            continue;
        }
        REQUIRE(p.has_tlv);
        CHECK_MESSAGE(p.tlvs.size() == want.size(), "tshark shows " << p.tlvs.size() << " TLVs, want " << want.size());
        ok &= p.tlvs.size() == want.size();
        for (std::size_t k = 0; k < p.tlvs.size() && k < want.size(); ++k) {
            const shown_tlv& s = p.tlvs[k];
            const expected_tlv& w = *want[k];
            INFO("TLV " << k << " at payload offset " << w.offset);
            const bool same = s.type == w.type && s.id == w.id && s.length == w.length && s.pos == p.payload_pos + w.offset;
            CHECK_MESSAGE(same, "tshark: type " << s.type.value_or(-1) << " id " << s.id.value_or(0) << " length "
                                                << s.length.value_or(0) << " at " << s.pos - p.payload_pos << "; want type "
                                                << w.type << " id " << w.id << " length " << w.length << " at " << w.offset);
            ok &= same;
            ++tlvs_checked;
            if (!w.leaf) continue;
            const std::string d = value_difference(*w.leaf, s);
            CHECK_MESSAGE(d.empty(), d);
            ok &= d.empty();
            ++values_checked;
        }
        if (!ok) ++failures;
    }
    CHECK(failures == 0);
    CHECK(values_checked > 300);
    MESSAGE(xs.size() << " TLV responses, " << tlvs_checked << " TLVs and " << values_checked
                      << " values checked against " << tshark);
}
