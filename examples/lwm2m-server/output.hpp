#pragma once
/**
 * @file output.hpp
 * The stdout side of the `lwm2m-server` example: one compact JSON object per line for
 * replies to commands, errors and events (registrations, notifications, Send).
 *
 *   {"id":2,"ep":"light-1","status":"2.05","content":[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]}
 *   {"id":2,"ep":"light-1","error":"timeout"}
 *   {"event":"registered","ep":"light-1","lifetime":300,"binding":"U","version":"1.1","objects":["/1/0","/3/0"]}
 *   {"event":"notify","ep":"light-1","id":7,"path":"/3311/0/5850","content":[{"n":"/3311/0/5850","vb":true}]}
 *
 * Records are written as SenML JSON records with absolute names and no base fields, the way
 * `lwm2m-cli decode` prints them (RFC 8428 §5; LwM2M 1.1 Core §7.4.4): "n", then "t" when the
 * record has a time, then the value in the label of its kind — Integer/Unsigned/Time and
 * Float in "v" (a Float always with a fraction or exponent, so 22.0 stays a float), String
 * and Corelnk in "vs", Boolean in "vb", Opaque (and untyped raw bytes) in "vd" as base64url
 * without padding, Objlnk in "vlo" "ObjID:InstID"; a value with no kind has no value label.
 * Strings are escaped as RFC 8259 §7 requires; bytes that are not UTF-8 (an endpoint name off
 * the network, a broken string value) are written as U+FFFD so the line stays valid JSON.
 * Example code: allocates freely (std::string).
 */

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m_server {

/** A small compact-JSON line builder: it puts the commas; the caller keeps the nesting right. */
class json_line {
public:
    json_line& begin_object() { separate(); out_ += '{'; first_ = true; return *this; }
    json_line& end_object() { out_ += '}'; first_ = false; return *this; }
    json_line& begin_array() { separate(); out_ += '['; first_ = true; return *this; }
    json_line& end_array() { out_ += ']'; first_ = false; return *this; }
    json_line& key(std::string_view k) { separate(); string_body(lwm2m::as_bytes(k), true); out_ += ':'; after_key_ = true; return *this; }
    json_line& string(std::string_view s) { return string(lwm2m::as_bytes(s)); }
    json_line& string(lwm2m::bytes_view utf8) { separate(); string_body(utf8, true); first_ = false; return *this; }
    /** Text that is already valid JSON (a number literal, a quoted string, an object). */
    json_line& raw(std::string_view json) { separate(); out_ += json; first_ = false; return *this; }
    json_line& number(std::int64_t v) { return formatted(lwm2m::encoding::format_number(v, buf_)); }
    json_line& number(std::uint64_t v) { return formatted(lwm2m::encoding::format_number(v, buf_)); }
    /** A double; with `as_float` an integral value gets ".0". NaN and infinities are written as null. */
    json_line& number(double v, bool as_float = false) {
        auto n = lwm2m::encoding::format_number(v, buf_);
        if (!n) return null();
        std::string_view t{buf_, *n};
        separate();
        out_ += t;
        if (as_float && t.find_first_not_of("-0123456789") == std::string_view::npos) out_ += ".0";
        first_ = false;
        return *this;
    }
    json_line& boolean(bool b) { return raw(b ? "true" : "false"); }
    json_line& null() { return raw("null"); }

    /** A member with a string value. */
    json_line& member(std::string_view k, std::string_view v) { return key(k).string(v); }

    [[nodiscard]] const std::string& str() const& noexcept { return out_; }
    [[nodiscard]] std::string str() && noexcept { return std::move(out_); }

    /** `"…"` with escapes; invalid UTF-8 bytes become U+FFFD (written as \ufffd). */
    void string_body(lwm2m::bytes_view bytes, bool quotes) {
        if (quotes) out_ += '"';
        const auto put = [&](char c) { out_ += c; };
        while (!bytes.empty()) {
            auto ok = lwm2m::encoding::validate_utf8(bytes);
            const std::size_t good = ok ? bytes.size() : ok.error().offset;
            lwm2m::encoding::json_escape_each(bytes.first(good), put);
            if (good == bytes.size()) break;
            out_ += "\\ufffd";
            bytes = bytes.subspan(good + 1);
        }
        if (quotes) out_ += '"';
    }

private:
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_ && !out_.empty()) out_ += ',';
    }
    json_line& formatted(const lwm2m::result<std::size_t>& n) { return raw(std::string_view{buf_, n ? *n : 0}); }

    std::string out_;
    char buf_[lwm2m::encoding::max_number_text]{};
    bool first_ = true;
    bool after_key_ = false;
};

/** Writes one record as a SenML JSON object with an absolute name (see the file comment). */
inline void write_record(json_line& w, const lwm2m::format::record& r) {
    using lwm2m::value_kind;
    w.begin_object();
    w.member("n", r.path.text().view());
    if (r.time) {
        const double t = *r.time;
        if (std::isfinite(t) && t == std::trunc(t) && std::fabs(t) < 9.0e15) w.key("t").number(static_cast<std::int64_t>(t));
        else w.key("t").number(t);
    }
    const lwm2m::value& v = r.value;
    // Decoded bytes of a string/opaque value; nullopt when its encoded text does not decode.
    const auto decoded = [&]() -> std::optional<std::string> {
        std::string s;
        auto n = lwm2m::for_each_value_byte(v, [&](std::byte b) { s += static_cast<char>(b); });
        if (!n) return std::nullopt;
        return s;
    };
    switch (v.kind()) {
    case value_kind::none: break;
    case value_kind::integer:
    case value_kind::time: w.key("v").number(v.as_integer()); break;
    case value_kind::unsigned_integer: w.key("v").number(v.as_unsigned()); break;
    case value_kind::float_: w.key("v").number(v.as_float(), true); break;
    case value_kind::boolean: w.key("vb").boolean(v.as_boolean()); break;
    case value_kind::objlnk: {
        const lwm2m::objlnk l = v.as_objlnk();
        w.member("vlo", std::to_string(l.object_id) + ":" + std::to_string(l.instance_id));
        break;
    }
    case value_kind::string:
    case value_kind::corelnk: {
        auto s = decoded();
        if (s) w.member("vs", *s);
        else w.key("vs").null();
        break;
    }
    case value_kind::opaque:
    case value_kind::untyped: {
        auto s = decoded();
        if (!s) {
            w.key("vd").null();
            break;
        }
        std::string b64;
        lwm2m::encoding::base64_encode_each(lwm2m::as_bytes(*s), lwm2m::encoding::base64_alphabet::url,
                                            [&](char c) { b64 += c; });
        w.member("vd", b64);
        break;
    }
    }
    w.end_object();
}

/** `"content":[...]` */
inline void write_content(json_line& w, std::span<const lwm2m::format::record> records) {
    w.key("content").begin_array();
    for (const auto& r : records) write_record(w, r);
    w.end_array();
}

/** A reply to a command. Empty `id` / `ep` are left out; optional parts only when set. */
struct reply {
    std::string_view id;      ///< raw JSON of the command's "id" (`command::id`)
    std::string_view ep;      ///< the endpoint that answered
    std::string_view status;  ///< the CoAP response code, "2.05"
    std::optional<std::span<const lwm2m::format::record>> content;  ///< Read / Read-Composite / Observe
    std::optional<std::string_view> links;     ///< Discover: the link-format payload as a string
    std::optional<std::string_view> location;  ///< Create: the new instance's path, "/3311/1"
};

/** `{"id":..,"ep":..,"status":"2.05"[,"content":[..]][,"links":".."][,"location":".."]}` */
[[nodiscard]] inline std::string format_reply(const reply& r) {
    json_line w;
    w.begin_object();
    if (!r.id.empty()) w.key("id").raw(r.id);
    if (!r.ep.empty()) w.member("ep", r.ep);
    w.member("status", r.status);
    if (r.content) write_content(w, *r.content);
    if (r.links) w.member("links", *r.links);
    if (r.location) w.member("location", *r.location);
    w.end_object();
    return std::move(w).str();
}

/** `{"id":..,"ep":..,"error":"<reason>"}`; empty `id` / `ep` are left out. */
[[nodiscard]] inline std::string format_error(std::string_view id, std::string_view ep, std::string_view reason) {
    json_line w;
    w.begin_object();
    if (!id.empty()) w.key("id").raw(id);
    if (!ep.empty()) w.member("ep", ep);
    w.member("error", reason);
    w.end_object();
    return std::move(w).str();
}

/** What a Register or Update told the server (LwM2M 1.1 Core §5.3.1, §5.3.2). */
struct registration_info {
    std::string_view ep;
    std::uint32_t lifetime = 0;   ///< seconds
    std::string_view binding;     ///< "U", "UQ", ...
    std::string_view version;     ///< LwM2M version, "1.1"
    std::span<const lwm2m::path> objects;  ///< object and instance paths of the registration's links
};

/** Registration events. */
enum class registration_event : std::uint8_t { registered, updated };

/** `{"event":"registered","ep":..,"lifetime":300,"binding":"U","version":"1.1","objects":["/1/0",..]}` */
[[nodiscard]] inline std::string format_registration(registration_event e, const registration_info& r) {
    json_line w;
    w.begin_object();
    w.member("event", e == registration_event::registered ? "registered" : "updated");
    w.member("ep", r.ep);
    w.key("lifetime").number(std::uint64_t{r.lifetime});
    w.member("binding", r.binding);
    w.member("version", r.version);
    w.key("objects").begin_array();
    for (const lwm2m::path& p : r.objects) w.string(p.text().view());
    w.end_array();
    w.end_object();
    return std::move(w).str();
}

/** `{"event":"deregistered","ep":..}` (the client said so) or `{"event":"expired","ep":..}` (lifetime ran out). */
[[nodiscard]] inline std::string format_gone(std::string_view ep, bool expired) {
    json_line w;
    w.begin_object();
    w.member("event", expired ? "expired" : "deregistered");
    w.member("ep", ep);
    w.end_object();
    return std::move(w).str();
}

/** A notification of an Observe or Observe-Composite (LwM2M 1.1 Core §5.5.2). */
struct notification {
    std::string_view ep;
    std::string_view id;                ///< raw JSON id of the observe command, left out when empty
    std::span<const lwm2m::path> paths; ///< the observed path ("path") or paths ("paths" when several)
    std::span<const lwm2m::format::record> content;
};

/** `{"event":"notify","ep":..,"id":..,"path":"/3/0/9","content":[..]}` */
[[nodiscard]] inline std::string format_notify(const notification& n) {
    json_line w;
    w.begin_object();
    w.member("event", "notify");
    w.member("ep", n.ep);
    if (!n.id.empty()) w.key("id").raw(n.id);
    if (n.paths.size() == 1) {
        w.member("path", n.paths[0].text().view());
    } else if (!n.paths.empty()) {
        w.key("paths").begin_array();
        for (const lwm2m::path& p : n.paths) w.string(p.text().view());
        w.end_array();
    }
    write_content(w, n.content);
    w.end_object();
    return std::move(w).str();
}

/** `{"event":"send","ep":..,"content":[..]}` (LwM2M 1.1 Core §5.5.4 Send). */
[[nodiscard]] inline std::string format_send(std::string_view ep, std::span<const lwm2m::format::record> content) {
    json_line w;
    w.begin_object();
    w.member("event", "send");
    w.member("ep", ep);
    write_content(w, content);
    w.end_object();
    return std::move(w).str();
}

} // namespace lwm2m_server
