#pragma once
/**
 * @file payload_json.hpp
 * The payload commands of `lwm2m-cli`: LwM2M payloads of any content format to and from one
 * JSON shape (see the help text in main.cpp for the user-facing rules).
 *
 * - Record formats (text, opaque, TLV, SenML JSON/CBOR, LwM2M CBOR, OMA JSON) ↔ a SenML JSON
 *   pack with absolute names and no "bn": `[{"n":"/3/0/0","vs":"Open Mobile Alliance"},...]`.
 *   Decoding reads the payload with `format::any_reader`; encoding builds `format::record`s
 *   typed by the schema of each resource and writes them with `format::write_records`.
 * - Link format ↔ `[{"path":"/3/0","attributes":{"pmin":10,"rt":"x","obs":true}},...]`.
 *
 * Errors are `lwm2m::error{code, offset}`: offsets into the payload for decoding (the reader's),
 * into the JSON text for encoding. Allocates freely (CLI code, never include/).
 */

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/format/codec.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/link/reader.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

#include "cli_result.hpp"
#include "json.hpp"

namespace lwm2m_cli::payload {

using lwm2m::errc;
using lwm2m::format::content_format;

// ---- formats -----------------------------------------------------------------------------

/** A payload format the CLI handles. */
struct format_info {
    std::string_view name;
    content_format number;
    bool text;  ///< the payload is text (given and printed as is), else bytes (as hex)
};

inline constexpr format_info formats[] = {
    {"text", content_format::text, true},
    {"opaque", content_format::opaque, false},
    {"cbor", content_format::cbor, false},
    {"tlv", content_format::tlv, false},
    {"senml-json", content_format::senml_json, true},
    {"senml-cbor", content_format::senml_cbor, false},
    {"lwm2m-cbor", content_format::lwm2m_cbor, false},
    {"oma-json", content_format::oma_json, true},
    {"link", content_format::link_format, true},
};

[[nodiscard]] inline const format_info* find_format(std::string_view name) noexcept {
    for (const format_info& f : formats)
        if (f.name == name) return &f;
    return nullptr;
}

// ---- small helpers ---------------------------------------------------------------------

/** The shortest text that reads back as `d` (finite). */
[[nodiscard]] inline std::string double_text(double d) {
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

/** A Float value as JSON: shortest text, ".0" when it would read as an integer; null if not finite. */
[[nodiscard]] inline json::value float_json(double d) {
    if (!std::isfinite(d)) return json::value::make_null();
    std::string t = double_text(d);
    if (t.find_first_not_of("-0123456789") == std::string::npos) t += ".0";
    auto v = json::parse(t);
    return v ? std::move(*v) : json::value::make_null();
}

/** A time as JSON: an integer when integral, else the shortest double; null if not finite. */
[[nodiscard]] inline json::value time_json(double t) {
    if (!std::isfinite(t)) return json::value::make_null();
    if (t == std::trunc(t) && t >= -9223372036854775808.0 && t < 9223372036854775808.0)
        return json::value::make_number(static_cast<std::int64_t>(t));
    auto v = json::parse(double_text(t));
    return v ? std::move(*v) : json::value::make_null();
}

[[nodiscard]] inline std::string base64url(const std::string& bytes) {
    std::string out;
    lwm2m::encoding::base64_encode_each(lwm2m::as_bytes(bytes), lwm2m::encoding::base64_alphabet::url,
                                        [&](char c) { out += c; });
    return out;
}

[[nodiscard]] inline std::string objlnk_text(lwm2m::objlnk l) {
    return std::to_string(l.object_id) + ":" + std::to_string(l.instance_id);
}

/** "ObjID:InstID", each 1..5 digits and at most 65535. */
[[nodiscard]] inline std::optional<lwm2m::objlnk> parse_objlnk(std::string_view s) noexcept {
    const std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto id = [](std::string_view d) -> std::optional<std::uint16_t> {
        if (d.empty() || d.size() > 5) return std::nullopt;
        std::uint32_t v = 0;
        for (char c : d) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (v > 0xFFFF) return std::nullopt;
        return static_cast<std::uint16_t>(v);
    };
    const auto o = id(s.substr(0, colon));
    const auto i = id(s.substr(colon + 1));
    if (!o || !i) return std::nullopt;
    return lwm2m::objlnk{*o, *i};
}

/** True if `s` is exactly one JSON number literal (RFC 8259 §6), nothing around it. */
[[nodiscard]] inline bool is_json_number(std::string_view s) {
    if (s.empty() || (s[0] != '-' && (s[0] < '0' || s[0] > '9'))) return false;
    if (s.find_first_of(" \t\r\n") != std::string_view::npos) return false;
    const auto v = json::parse(s);
    return v && v->is_number();
}

// ---- decode: records -------------------------------------------------------------------

/** The JSON object of one record: "n", then "t" if timed, then the value label (none: no label). */
[[nodiscard]] inline lwm2m_cli::result<json::value> record_json(const lwm2m::format::record& r) {
    using lwm2m::value_kind;
    json::value o = json::value::make_object();
    o.add("n", json::value::make_string(std::string(r.path.text().view())));
    if (r.time) o.add("t", time_json(*r.time));
    const lwm2m::value& v = r.value;
    const auto bytes = [&]() -> lwm2m_cli::result<std::string> {
        std::string s;
        auto n = lwm2m::for_each_value_byte(v, [&](std::byte b) { s += static_cast<char>(b); });
        if (!n) return lwm2m::unexpected{n.error()};
        return s;
    };
    switch (v.kind()) {
    case value_kind::none: break;
    case value_kind::integer:
    case value_kind::time: o.add("v", json::value::make_number(v.as_integer())); break;
    case value_kind::unsigned_integer: o.add("v", json::value::make_number(v.as_unsigned())); break;
    case value_kind::float_: o.add("v", float_json(v.as_float())); break;
    case value_kind::boolean: o.add("vb", json::value::make_bool(v.as_boolean())); break;
    case value_kind::objlnk: o.add("vlo", json::value::make_string(objlnk_text(v.as_objlnk()))); break;
    case value_kind::string:
    case value_kind::corelnk: {
        auto s = bytes();
        if (!s) return lwm2m::unexpected{s.error()};
        o.add("vs", json::value::make_string(std::move(*s)));
        break;
    }
    case value_kind::opaque:
    case value_kind::untyped: {
        auto s = bytes();
        if (!s) return lwm2m::unexpected{s.error()};
        o.add("vd", json::value::make_string(base64url(*s)));
        break;
    }
    }
    return o;
}

/** Reads `payload` (a record format) at request path `base`; one line of JSON. */
[[nodiscard]] inline lwm2m_cli::result<std::string> decode_records(content_format format, lwm2m::bytes_view payload,
                                                                   const lwm2m::path& base,
                                                                   const lwm2m::schema_registry& schemas) {
    auto reader = lwm2m::format::any_reader::open(format, payload, base, &schemas);
    if (!reader) return lwm2m::unexpected{reader.error()};
    json::value out = json::value::make_array();
    for (;;) {
        auto r = reader->next();
        if (!r) return lwm2m::unexpected{r.error()};
        if (!*r) break;
        auto o = record_json(**r);
        if (!o) return lwm2m::unexpected{o.error()};
        out.push_back(std::move(*o));
    }
    return json::to_string(out);
}

// ---- decode: links -----------------------------------------------------------------------

/** Attributes printed as numbers when their value is one. */
[[nodiscard]] inline bool is_numeric_attribute(std::string_view name) noexcept {
    constexpr std::string_view names[] = {"pmin", "pmax", "gt", "lt", "st", "epmin", "epmax", "dim", "ssid"};
    for (std::string_view n : names)
        if (n == name) return true;
    return false;
}

/** The JSON value of one link attribute (see the help: numbers, ct lists, strings, true). */
[[nodiscard]] inline json::value attribute_json(const lwm2m::format::link::link_attribute& a) {
    if (!a.has_value) return json::value::make_bool(true);
    std::string text;
    if (a.quoted) {
        for (std::size_t i = 0; i < a.value.size(); ++i) {
            if (a.value[i] == '\\' && i + 1 < a.value.size()) ++i;
            text += a.value[i];
        }
    } else {
        text.assign(a.value);
    }
    if (is_numeric_attribute(a.name) && is_json_number(text)) return *json::parse(text);
    if (a.name == "ct") {
        if (text.find(' ') == std::string::npos) {
            if (is_json_number(text)) return *json::parse(text);
        } else {
            json::value list = json::value::make_array();
            std::string_view rest = text;
            bool all = true;
            for (;;) {
                const std::size_t sp = rest.find(' ');
                const std::string_view item = rest.substr(0, sp);
                if (!is_json_number(item)) {
                    all = false;
                    break;
                }
                list.push_back(*json::parse(item));
                if (sp == std::string_view::npos) break;
                rest.remove_prefix(sp + 1);
            }
            if (all) return list;
        }
    }
    return json::value::make_string(std::move(text));
}

/** Reads a link-format payload; one line of JSON. */
[[nodiscard]] inline lwm2m_cli::result<std::string> decode_links(std::string_view text) {
    lwm2m::format::link::reader reader{text};
    json::value out = json::value::make_array();
    for (;;) {
        auto e = reader.next();
        if (!e) return lwm2m::unexpected{e.error()};
        if (!*e) break;
        const auto& entry = **e;
        json::value link = json::value::make_object();
        const auto p = lwm2m::parse_path(entry.uri());
        link.add("path", json::value::make_string(p ? std::string(p->text().view()) : std::string(entry.uri())));
        json::value attributes = json::value::make_object();
        for (const auto& a : entry) attributes.add(std::string(a.name), attribute_json(a));
        link.add("attributes", std::move(attributes));
        out.push_back(std::move(link));
    }
    return json::to_string(out);
}

// ---- encode: records ---------------------------------------------------------------------

namespace detail {

/** One record built from the JSON, with the offsets errors point at. */
struct json_record {
    lwm2m::format::record rec{};
    std::size_t offset = 0;  ///< of the record object in the JSON text
};

[[nodiscard]] inline lwm2m::unexpected bad(std::size_t offset) { return lwm2m::unexpected{{errc::invalid_argument, offset}}; }
[[nodiscard]] inline lwm2m::unexpected fail_at(errc e, std::size_t offset) { return lwm2m::unexpected{{e, offset}}; }

/** A number label for a resource of data type `t`. */
[[nodiscard]] inline lwm2m_cli::result<lwm2m::value> typed_number(const json::value& n, lwm2m::data_type t) {
    using lwm2m::data_type;
    const std::size_t at = n.offset();
    const auto non_integer = [&]() {
        // Integral but too large, or not integral at all.
        const double d = n.as_double().value_or(0.5);
        return fail_at(std::isfinite(d) && d == std::trunc(d) ? errc::number_out_of_range
                       : std::isfinite(d)                     ? errc::type_mismatch
                                                              : errc::number_out_of_range,
                       at);
    };
    switch (t) {
    case data_type::integer:
    case data_type::time: {
        const auto i = n.as_int64();
        if (!i) return non_integer();
        return t == data_type::time ? lwm2m::value::of_time(*i) : lwm2m::value::of_integer(*i);
    }
    case data_type::unsigned_integer: {
        if (const auto u = n.as_uint64()) return lwm2m::value::of_unsigned(*u);
        if (n.as_int64()) return fail_at(errc::number_out_of_range, at);  // negative
        return non_integer();
    }
    case data_type::float_: {
        const double d = *n.as_double();
        if (!std::isfinite(d)) return fail_at(errc::number_out_of_range, at);
        return lwm2m::value::of_float(d);
    }
    default: return fail_at(errc::type_mismatch, at);
    }
}

/** A number label without a schema: integer literals as Integer (Unsigned above INT64_MAX), others Float. */
[[nodiscard]] inline lwm2m_cli::result<lwm2m::value> untyped_number(const json::value& n) {
    const std::string_view lit = n.number_literal();
    if (lit.find_first_of(".eE") == std::string_view::npos) {
        if (const auto i = n.as_int64()) return lwm2m::value::of_integer(*i);
        if (const auto u = n.as_uint64()) return lwm2m::value::of_unsigned(*u);
    }
    const double d = *n.as_double();
    if (!std::isfinite(d)) return fail_at(errc::number_out_of_range, n.offset());
    return lwm2m::value::of_float(d);
}

} // namespace detail

/**
 * Builds the records a SenML-like JSON pack describes (see the help text) and writes them in
 * `format` for request path `base`. Returns the payload bytes (the text, for text formats).
 */
[[nodiscard]] inline lwm2m_cli::result<std::string> encode_records(content_format format, std::string_view text,
                                                                   const lwm2m::path& base,
                                                                   const lwm2m::schema_registry& schemas) {
    using detail::bad;
    using detail::fail_at;
    using lwm2m::data_type;
    auto doc = json::parse(text);
    if (!doc) return lwm2m::unexpected{doc.error()};
    const json::value& top = *doc;
    if (!top.is_array()) return bad(top.offset());

    std::deque<std::string> blobs;  // decoded "vd" bytes the values view
    std::vector<detail::json_record> records;
    std::string bn;                   // base name in force
    std::size_t bn_offset = 0;
    bool have_bn = false;

    for (const json::value& item : top.items()) {
        if (!item.is_object()) return bad(item.offset());
        const json::value* n = nullptr;
        const json::value* t = nullptr;
        const json::value* val = nullptr;
        std::string_view label;
        for (std::size_t i = 0; i < item.size(); ++i) {
            const std::string_view k = item.key(i);
            const json::value& v = item[i];
            if (k == "bn") {
                if (!v.is_string()) return bad(v.offset());
                bn = v.as_string();
                bn_offset = v.offset();
                have_bn = true;
            } else if (k == "n") {
                if (!v.is_string()) return bad(v.offset());
                n = &v;
            } else if (k == "t") {
                if (!v.is_number()) return bad(v.offset());
                t = &v;
            } else if (k == "v" || k == "vs" || k == "vb" || k == "vd" || k == "vlo") {
                if (val != nullptr) return bad(item.key_offset(i));  // a second value
                const bool ok = k == "v" ? v.is_number() : k == "vb" ? v.is_bool() : v.is_string();
                if (!ok) return bad(v.offset());
                val = &v;
                label = k;
            } else {
                return bad(item.key_offset(i));
            }
        }
        if (n == nullptr && !have_bn) return bad(item.offset());
        const std::string name = (have_bn ? bn : std::string{}) + (n ? n->as_string() : std::string{});
        const std::size_t name_at = n ? n->offset() : bn_offset;
        const auto p = lwm2m::parse_path(name);
        if (!p) return fail_at(p.error().code, name_at);
        if (!base.is_prefix_of(*p)) return fail_at(errc::invalid_nesting, name_at);
        if (val != nullptr && !p->has_resource()) return fail_at(errc::not_resource_instance_level, name_at);

        const lwm2m::resource_def* def = nullptr;
        if (p->has_resource()) {
            if (const lwm2m::object_view* o = schemas.find(p->object_id())) {
                def = o->find(p->resource_id());
                if (def == nullptr) return fail_at(errc::resource_not_in_schema, name_at);
                if (def->is_multiple() != p->has_resource_instance()) return fail_at(errc::invalid_nesting, name_at);
            }
        }

        lwm2m::value typed{};
        if (val != nullptr) {
            const std::size_t at = val->offset();
            const data_type type = def ? def->type : data_type::none;
            if (label == "v") {
                auto v = def ? detail::typed_number(*val, type) : detail::untyped_number(*val);
                if (!v) return lwm2m::unexpected{v.error()};
                typed = *v;
            } else if (label == "vb") {
                if (def && type != data_type::boolean) return fail_at(errc::type_mismatch, at);
                typed = lwm2m::value::of_boolean(val->as_bool());
            } else if (label == "vs") {
                const std::string& s = val->as_string();
                if (!def || type == data_type::string) typed = lwm2m::value::of_string(s);
                else if (type == data_type::corelnk) typed = lwm2m::value::of_corelnk(s);
                else if (type == data_type::objlnk) {
                    const auto l = parse_objlnk(s);
                    if (!l) return fail_at(errc::invalid_objlnk, at);
                    typed = lwm2m::value::of_objlnk(*l);
                } else return fail_at(errc::type_mismatch, at);
            } else if (label == "vd") {
                if (def && type != data_type::opaque) return fail_at(errc::type_mismatch, at);
                const std::string& s = val->as_string();
                const auto alphabet = lwm2m::encoding::base64_alphabet::url;
                const auto size = lwm2m::encoding::base64_decoded_size(s, alphabet);
                if (!size) return fail_at(size.error().code, at);
                std::string& blob = blobs.emplace_back(*size, '\0');
                const auto r = lwm2m::encoding::base64_decode(
                    s, alphabet, lwm2m::mutable_bytes{reinterpret_cast<std::byte*>(blob.data()), blob.size()});
                if (!r) return fail_at(r.error().code, at);
                typed = lwm2m::value::of_opaque(lwm2m::as_bytes(blob));
            } else {  // vlo
                if (def && type != data_type::objlnk) return fail_at(errc::type_mismatch, at);
                const auto l = parse_objlnk(val->as_string());
                if (!l) return fail_at(errc::invalid_objlnk, at);
                typed = lwm2m::value::of_objlnk(*l);
            }
            if (def) {
                if (auto ok = lwm2m::check_range(typed, *def); !ok) return fail_at(ok.error().code, at);
            }
        }

        detail::json_record jr;
        jr.rec.path = *p;
        jr.rec.value = typed;
        jr.offset = item.offset();
        if (t != nullptr) {
            const double d = *t->as_double();
            if (!std::isfinite(d)) return fail_at(errc::number_out_of_range, t->offset());
            jr.rec.time = d;
        }
        records.push_back(jr);
    }

    // TLV and LwM2M CBOR group records by path: they need them sorted (stable: equal paths keep order).
    const content_format f = lwm2m::format::canonical(format);
    if (f == content_format::tlv || f == content_format::lwm2m_cbor)
        std::stable_sort(records.begin(), records.end(),
                         [](const auto& a, const auto& b) { return a.rec.path < b.rec.path; });
    std::vector<lwm2m::format::record> plain;
    plain.reserve(records.size());
    for (const auto& r : records) plain.push_back(r.rec);

    // A writer reports the index of the record at fault: point at that record in the JSON.
    const auto writer_error = [&](const lwm2m::error& e) {
        std::size_t at = top.offset();
        if (!records.empty()) at = records[std::min(e.offset, records.size() - 1)].offset;
        return fail_at(e.code, at);
    };
    lwm2m::format::output_window dry{lwm2m::mutable_bytes{}};
    if (auto ok = lwm2m::format::write_records(format, plain, base, dry); !ok) return writer_error(ok.error());
    std::string out(dry.total(), '\0');
    lwm2m::format::output_window window{lwm2m::mutable_bytes{reinterpret_cast<std::byte*>(out.data()), out.size()}};
    if (auto ok = lwm2m::format::write_records(format, plain, base, window); !ok) return writer_error(ok.error());
    out.resize(window.written());
    return out;
}

// ---- encode: links -----------------------------------------------------------------------

/**
 * Writes the links a JSON array describes (`[{"path":..., "attributes":{...}}, ...]`, the shape
 * `decode_links` prints) as link format.
 */
[[nodiscard]] inline lwm2m_cli::result<std::string> encode_links(std::string_view text) {
    using detail::bad;
    namespace link = lwm2m::format::link;
    auto doc = json::parse(text);
    if (!doc) return lwm2m::unexpected{doc.error()};
    const json::value& top = *doc;
    if (!top.is_array()) return bad(top.offset());

    std::string out;
    bool first = true;
    const auto quoted = [&](std::string_view s) {
        out += '"';
        for (char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    };
    for (const json::value& item : top.items()) {
        if (!item.is_object()) return bad(item.offset());
        const json::value* uri = nullptr;
        const json::value* attributes = nullptr;
        for (std::size_t i = 0; i < item.size(); ++i) {
            const std::string_view k = item.key(i);
            if (k == "path") {
                if (!item[i].is_string()) return bad(item[i].offset());
                uri = &item[i];
            } else if (k == "attributes") {
                if (!item[i].is_object()) return bad(item[i].offset());
                attributes = &item[i];
            } else {
                return bad(item.key_offset(i));
            }
        }
        if (uri == nullptr) return bad(item.offset());
        // URI-Reference characters only, as the link reader accepts them (RFC 3986 §2).
        for (char c : uri->as_string()) {
            const auto u = static_cast<unsigned char>(c);
            if (u <= 0x20 || u >= 0x7F || c == '"' || c == '<' || c == '>') return bad(uri->offset());
        }
        if (!first) out += ',';
        first = false;
        out += '<';
        out += uri->as_string();
        out += '>';
        if (attributes == nullptr) continue;
        for (std::size_t i = 0; i < attributes->size(); ++i) {
            const std::string_view name = attributes->key(i);
            const json::value& v = (*attributes)[i];
            if (name.empty() || !std::all_of(name.begin(), name.end(), link::detail::is_parmname_char))
                return bad(attributes->key_offset(i));
            out += ';';
            out += name;
            switch (v.type()) {
            case json::kind::boolean:
                if (!v.as_bool()) return bad(v.offset());
                break;
            case json::kind::number:
                out += '=';
                out += v.number_literal();
                break;
            case json::kind::string: {
                const std::string& s = v.as_string();
                for (char c : s)
                    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return bad(v.offset());
                out += '=';
                const bool token = !s.empty() && std::all_of(s.begin(), s.end(), link::detail::is_ptoken_char);
                if (name == "ver" && token) out += s;
                else quoted(s);
                break;
            }
            case json::kind::array: {
                if (v.size() == 0) return bad(v.offset());
                std::string list;
                for (const json::value& e : v.items()) {
                    if (!e.is_number()) return bad(e.offset());
                    if (!list.empty()) list += ' ';
                    list += e.number_literal();
                }
                out += '=';
                quoted(list);
                break;
            }
            default: return bad(v.offset());
            }
        }
    }
    return out;
}

} // namespace lwm2m_cli::payload
