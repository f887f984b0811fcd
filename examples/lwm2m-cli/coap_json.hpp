#pragma once
/**
 * @file coap_json.hpp
 * CoAP message <-> JSON for `lwm2m-cli coap decode|encode`, and the tolerant hex reader.
 * Allocates (std::string, std::vector): command-line tool code, not core library code.
 *
 * JSON shape (keys in this order on output):
 *   {"type":"CON","code":"0.02","mid":6699,"token":"11223344",
 *    "options":[{"number":11,"name":"Uri-Path","hex":"7264","value":"rd"}, ...],
 *    "payload":"3c2f3e..."}
 *
 * decode: `name` only for options of the registry (option_number.hpp); `hex` always;
 * `value` for known string options whose bytes are UTF-8 (a JSON string) and known uint
 * options (a JSON number); never for empty, opaque or unknown options.
 *
 * encode: see `encode_json` below for what is accepted and which error each mistake gives.
 */

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

#include "json.hpp"

namespace lwm2m_cli {

using bytes = std::vector<std::byte>;

// ---- hex ---------------------------------------------------------------------------------

/** Lowercase hex of `b`. */
[[nodiscard]] inline std::string to_hex(lwm2m::bytes_view b) {
    std::string out(b.size() * 2, '\0');
    (void)lwm2m::to_hex(b, std::span<char>{out.data(), out.size()});
    return out;
}

[[nodiscard]] constexpr int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

[[nodiscard]] constexpr bool is_hex_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/**
 * True when `text` holds at least one hex digit, an even number of them, and nothing else
 * but whitespace: what `parse_hex_text` takes without an error.
 */
[[nodiscard]] constexpr bool is_hex_text(std::string_view text) noexcept {
    std::size_t digits = 0;
    for (const char c : text) {
        if (hex_digit(c) >= 0) ++digits;
        else if (!is_hex_space(c)) return false;
    }
    return digits != 0 && digits % 2 == 0;
}

/**
 * Decodes hex text in which whitespace (space, tab, CR, LF, FF, VT) may appear anywhere and
 * is ignored. Errors (`invalid_argument`): a character that is neither a hex digit nor
 * whitespace (offset = that character); an odd number of digits (offset = just past the
 * last digit, where the missing one belongs).
 */
[[nodiscard]] inline lwm2m_cli::result<bytes> parse_hex_text(std::string_view text) {
    bytes out;
    out.reserve(text.size() / 2);
    int high = -1;
    std::size_t last_digit_end = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (is_hex_space(c)) continue;
        const int d = hex_digit(c);
        if (d < 0) return lwm2m::fail(lwm2m::errc::invalid_argument, i);
        last_digit_end = i + 1;
        if (high < 0) {
            high = d;
        } else {
            out.push_back(static_cast<std::byte>(high * 16 + d));
            high = -1;
        }
    }
    if (high >= 0) return lwm2m::fail(lwm2m::errc::invalid_argument, last_digit_end);
    return out;
}

/** Strict hex (no whitespace) of a JSON string value; nullopt if not hex. */
[[nodiscard]] inline std::optional<bytes> strict_hex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    bytes out(text.size() / 2);
    if (!lwm2m::from_hex(text, lwm2m::mutable_bytes{out.data(), out.size()})) return std::nullopt;
    return out;
}

// ---- decode ------------------------------------------------------------------------------

/** The JSON object describing a parsed message (keys: type, code, mid, token, options, payload). */
[[nodiscard]] inline json::value message_to_json(const lwm2m::coap::message_view& m) {
    using json::value;
    namespace coap = lwm2m::coap;
    const auto dotted = coap::dotted(m.code());
    value root = value::make_object();
    root.add("type", value::make_string(std::string(coap::name(m.type()))));
    root.add("code", value::make_string(std::string(dotted.data(), dotted.size())));
    root.add("mid", value::make_number(static_cast<std::uint64_t>(m.message_id())));
    root.add("token", value::make_string(to_hex(m.token())));
    value options = value::make_array();
    for (const coap::option_view& o : m.options()) {
        value item = value::make_object();
        item.add("number", value::make_number(static_cast<std::uint64_t>(o.number)));
        const coap::option_info* info = coap::find_option_info(o.number);
        if (info) item.add("name", value::make_string(std::string(info->name)));
        item.add("hex", value::make_string(to_hex(o.value)));
        if (info && info->format == coap::option_format::string && json::is_valid_utf8(o.as_string()))
            item.add("value", value::make_string(std::string(o.as_string())));
        // parse() has checked the registered length, so a known uint option has <= 4 bytes.
        if (info && info->format == coap::option_format::uint && o.value.size() <= 8)
            item.add("value", value::make_number(lwm2m::load_be(o.value)));
        options.push_back(std::move(item));
    }
    root.add("options", std::move(options));
    root.add("payload", value::make_string(to_hex(m.payload())));
    return root;
}

/** Parses `datagram` (strict RFC 7252 checks) and returns its one-line JSON description. */
[[nodiscard]] inline lwm2m_cli::result<std::string> decode_json(lwm2m::bytes_view datagram) {
    const auto m = lwm2m::coap::parse(datagram);
    if (!m) return lwm2m::unexpected{m.error()};
    return json::to_string(message_to_json(*m));
}

// ---- encode ------------------------------------------------------------------------------

namespace detail {

/** Option number for a registry name (exact, case-sensitive), from option_number.hpp. */
[[nodiscard]] inline std::optional<lwm2m::coap::option_number> option_by_name(std::string_view name) {
    // Built once from the public lookup so that it follows the registry as it grows.
    static const std::vector<std::pair<std::string_view, lwm2m::coap::option_number>> table = [] {
        std::vector<std::pair<std::string_view, lwm2m::coap::option_number>> t;
        for (std::uint32_t n = 0; n <= 0xFFFF; ++n) {
            const auto number = static_cast<lwm2m::coap::option_number>(n);
            if (const auto* info = lwm2m::coap::find_option_info(number)) t.emplace_back(info->name, number);
        }
        return t;
    }();
    for (const auto& [n, number] : table)
        if (n == name) return number;
    return std::nullopt;
}

/** A builder whose option storage is sized at run time (any number of options). */
struct option_storage {
    std::vector<lwm2m::coap::builder_option> slots;
};
class dynamic_builder : private option_storage, public lwm2m::coap::message_builder_base {
public:
    explicit dynamic_builder(std::size_t capacity)
        : option_storage{std::vector<lwm2m::coap::builder_option>(capacity)},
          message_builder_base(std::span<lwm2m::coap::builder_option>{slots}) {}
};

[[nodiscard]] inline lwm2m::unexpected bad(const json::value& v) {
    return lwm2m::fail(lwm2m::errc::invalid_argument, v.offset());
}

/** Rejects members of `obj` whose key is not in `allowed` (offset of the key). */
template <std::size_t N>
[[nodiscard]] lwm2m::result<void> only_keys(const json::value& obj, const std::string_view (&allowed)[N]) {
    for (std::size_t i = 0; i < obj.size(); ++i) {
        const std::string_view k = obj.key(i);
        if (std::find(std::begin(allowed), std::end(allowed), k) == std::end(allowed))
            return lwm2m::fail(lwm2m::errc::invalid_argument, obj.key_offset(i));
    }
    return {};
}

/** A JSON string holding strict hex. */
[[nodiscard]] inline lwm2m_cli::result<bytes> hex_member(const json::value& v) {
    if (!v.is_string()) return bad(v);
    auto b = strict_hex(v.as_string());
    if (!b) return bad(v);
    return std::move(*b);
}

/** A JSON number that is exactly an integer in 0..max. */
[[nodiscard]] inline lwm2m::result<std::uint64_t> uint_member(const json::value& v, std::uint64_t max) {
    const auto n = v.as_uint64();
    if (!n || *n > max) return bad(v);
    return *n;
}

struct option_in {
    lwm2m::coap::option_number number{};
    bytes value;
    std::size_t offset = 0;  // of the option object
};

[[nodiscard]] inline lwm2m_cli::result<option_in> option_from_json(const json::value& o) {
    namespace coap = lwm2m::coap;
    if (!o.is_object()) return bad(o);
    static constexpr std::string_view keys[] = {"number", "name", "hex", "value"};
    if (auto r = only_keys(o, keys); !r) return lwm2m::unexpected{r.error()};

    option_in out;
    out.offset = o.offset();
    const json::value* number = o.find("number");
    const json::value* name = o.find("name");
    const json::value* hex = o.find("hex");
    const json::value* value = o.find("value");

    // Which option: number and/or name (both must agree).
    if (number) {
        auto n = uint_member(*number, 0xFFFF);
        if (!n) return lwm2m::unexpected{n.error()};
        out.number = static_cast<coap::option_number>(*n);
    }
    if (name) {
        if (!name->is_string()) return bad(*name);
        const auto by_name = option_by_name(name->as_string());
        if (!by_name || (number && *by_name != out.number)) return bad(*name);
        out.number = *by_name;
    }
    if (!number && !name) return bad(o);
    const coap::option_info* info = coap::find_option_info(out.number);
    // Unknown options are handled like opaque ones (hex only).
    const coap::option_format format = info ? info->format : coap::option_format::opaque;

    // The value: hex and/or value (both must agree; hex is used, keeping its exact bytes).
    // Lengths: the registered range (RFC 7252 §5.4.3), then the encoding's limit.
    const auto check_length = [&](const bytes& v, const json::value& at) -> lwm2m::result<void> {
        if (info && (v.size() < info->min_length || v.size() > info->max_length))
            return lwm2m::fail(lwm2m::errc::invalid_option_length, at.offset());
        if (v.size() > coap::max_option_value_length)
            return lwm2m::fail(lwm2m::errc::option_value_too_long, at.offset());
        return {};
    };
    if (hex) {
        auto b = hex_member(*hex);
        if (!b) return lwm2m::unexpected{b.error()};
        if (auto r = check_length(*b, *hex); !r) return lwm2m::unexpected{r.error()};
        out.value = std::move(*b);
    }
    if (value) {
        bytes from_value;
        if (format == coap::option_format::string) {
            if (!value->is_string()) return bad(*value);
            const std::string& s = value->as_string();
            const auto* p = reinterpret_cast<const std::byte*>(s.data());
            from_value.assign(p, p + s.size());
            if (hex && from_value != out.value) return bad(*value);
        } else if (format == coap::option_format::uint) {
            auto n = uint_member(*value, 0xFFFFFFFF);
            if (!n) return lwm2m::unexpected{n.error()};
            from_value.resize(lwm2m::uint_length(*n));
            lwm2m::store_be(*n, lwm2m::mutable_bytes{from_value.data(), from_value.size()});
            // With hex too, the number must be what the (possibly non-minimal) hex encodes;
            // the hex length is within the option's range (<= 4 bytes) here.
            if (hex && lwm2m::load_be(lwm2m::bytes_view{out.value.data(), out.value.size()}) != *n) return bad(*value);
        } else {
            return bad(*value);  // empty, opaque and unknown options take hex only
        }
        if (!hex) {
            if (auto r = check_length(from_value, *value); !r) return lwm2m::unexpected{r.error()};
            out.value = std::move(from_value);
        }
    }
    if (!hex && !value && format != coap::option_format::empty) return bad(o);
    return out;
}

} // namespace detail

/**
 * Builds the datagram that a JSON description asks for.
 *
 * Accepted: an object with `type` ("CON"|"NON"|"ACK"|"RST", required), `code` ("c.dd",
 * required), `mid` (integer 0..65535, default 0), `token` (hex, default ""), `options`
 * (array, default []), `payload` (hex, default ""). Each option is an object with `number`
 * (0..65535) and/or `name` (registry name, case-sensitive; must match `number` if both),
 * and `hex` and/or `value` (must agree if both; `hex` bytes are used). `value` is a JSON
 * string for string-format options and an integer for uint-format options (shortest
 * encoding); other options need `hex`, except that an empty-format option (If-None-Match)
 * may have neither. Hex inside JSON strings is strict: digits only, even count, any case.
 * Options may come in any order; they are sorted by number, repeated options keeping their
 * relative order.
 *
 * Errors (offset = byte offset in `text`):
 *   invalid_json / invalid_utf8 / duplicate_entry / capacity_exceeded  from json::parse;
 *   invalid_argument   not an object, unknown key (offset of the key), missing `type`/`code`
 *                      (offset of the object), missing number/name or hex/value (offset of
 *                      the option object), unknown option name, wrong JSON type, number out
 *                      of range or not an integer, bad hex, hex and value or number and name
 *                      that disagree (offset of the offending value);
 *   invalid_token_length (token over 8 bytes), invalid_option_length (value length outside
 *   the option's registered range), option_value_too_long, reserved_code_class,
 *   empty_message_not_empty, non_confirmable_empty, reset_not_empty, ack_carries_request:
 *   the message would break RFC 7252 (exactly what `coap::parse` rejects), at the offset of
 *   the offending value.
 * Members are checked in document order (within an option: number/name, hex, value) and
 * the first error is returned; the type/code and Empty-message rules come after all members.
 * So every datagram produced here is accepted by `decode_json`, and for every datagram `x`
 * that it accepts, encode_json(decode_json(x)) == x.
 */
[[nodiscard]] inline lwm2m_cli::result<bytes> encode_json(std::string_view text) {
    namespace coap = lwm2m::coap;
    using detail::bad;
    auto parsed = json::parse(text);
    if (!parsed) return lwm2m::unexpected{parsed.error()};
    const json::value& root = *parsed;
    if (!root.is_object()) return bad(root);

    // Members, validated in document order (so the first mistake in the text is reported).
    const json::value* type_v = nullptr;
    const json::value* code_v = nullptr;
    const json::value* token_v = nullptr;
    const json::value* payload_v = nullptr;
    coap::message_type type{};
    coap::code code{};
    std::uint16_t mid = 0;
    bytes token;
    std::vector<detail::option_in> options;
    bytes payload;
    for (std::size_t i = 0; i < root.size(); ++i) {
        const std::string_view key = root.key(i);
        const json::value& v = root[i];
        if (key == "type") {
            type_v = &v;
            if (!v.is_string()) return bad(v);
            bool found = false;
            for (unsigned k = 0; k < 4 && !found; ++k) {
                if (coap::name(static_cast<coap::message_type>(k)) == v.as_string()) {
                    type = static_cast<coap::message_type>(k);
                    found = true;
                }
            }
            if (!found) return bad(v);
        } else if (key == "code") {
            code_v = &v;
            if (!v.is_string() || !coap::parse_dotted(v.as_string(), code)) return bad(v);
            if (coap::is_reserved_class(code)) return lwm2m::fail(lwm2m::errc::reserved_code_class, v.offset());
        } else if (key == "mid") {
            auto n = detail::uint_member(v, 0xFFFF);
            if (!n) return lwm2m::unexpected{n.error()};
            mid = static_cast<std::uint16_t>(*n);
        } else if (key == "token") {
            token_v = &v;
            auto b = detail::hex_member(v);
            if (!b) return lwm2m::unexpected{b.error()};
            token = std::move(*b);
            if (token.size() > lwm2m::config::coap_max_token_length)
                return lwm2m::fail(lwm2m::errc::invalid_token_length, v.offset());
        } else if (key == "options") {
            if (!v.is_array()) return bad(v);
            options.reserve(v.size());
            for (const json::value& o : v.items()) {
                auto opt = detail::option_from_json(o);
                if (!opt) return lwm2m::unexpected{opt.error()};
                options.push_back(std::move(*opt));
            }
        } else if (key == "payload") {
            payload_v = &v;
            auto b = detail::hex_member(v);
            if (!b) return lwm2m::unexpected{b.error()};
            payload = std::move(*b);
        } else {
            return lwm2m::fail(lwm2m::errc::invalid_argument, root.key_offset(i));
        }
    }
    if (!type_v || !code_v) return bad(root);

    // Type/code rules of RFC 7252 §4.1-4.3, as coap::parse checks them.
    if (code == coap::code::empty) {
        if (!token.empty()) return lwm2m::fail(lwm2m::errc::empty_message_not_empty, token_v->offset());
        if (!options.empty()) return lwm2m::fail(lwm2m::errc::empty_message_not_empty, options.front().offset);
        if (!payload.empty()) return lwm2m::fail(lwm2m::errc::empty_message_not_empty, payload_v->offset());
        if (type == coap::message_type::non_confirmable)
            return lwm2m::fail(lwm2m::errc::non_confirmable_empty, code_v->offset());
    } else if (type == coap::message_type::reset) {
        return lwm2m::fail(lwm2m::errc::reset_not_empty, code_v->offset());
    } else if (type == coap::message_type::acknowledgement && coap::is_request(code)) {
        return lwm2m::fail(lwm2m::errc::ack_carries_request, code_v->offset());
    }

    // Build (the builder sorts the options stably) and serialize.
    detail::dynamic_builder b{options.size()};
    b.type(type).code(code).message_id(mid).token(lwm2m::bytes_view{token.data(), token.size()});
    for (const detail::option_in& o : options) b.option(o.number, lwm2m::bytes_view{o.value.data(), o.value.size()});
    b.payload(lwm2m::bytes_view{payload.data(), payload.size()});
    const auto size = b.encoded_size();
    // Everything the writer checks was checked above; report a failure at the document anyway.
    if (!size) return lwm2m::fail(size.error().code, root.offset());
    bytes out(*size);
    const auto written = b.serialize(lwm2m::mutable_bytes{out.data(), out.size()});
    if (!written) return lwm2m::fail(written.error().code, root.offset());
    if (const auto check = coap::parse(lwm2m::bytes_view{out.data(), out.size()}); !check)
        return lwm2m::fail(check.error().code, root.offset());
    return out;
}

} // namespace lwm2m_cli
