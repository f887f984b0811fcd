#pragma once
/**
 * @file command.hpp
 * The command protocol of the `lwm2m-server` example: one JSON object per stdin line asks the
 * server to do one LwM2M operation on one registered endpoint or on a group of them.
 *
 *   {"id":1,"op":"read","ep":"light-1","path":"/3/0","format":"senml-json"}
 *   {"id":2,"op":"write","group":["a","b"],"path":"/3311/0/5850","value":false}
 *   {"id":"w","op":"write","ep":"a","path":"/3311/0","partial":true,
 *    "content":[{"bn":"/3311/0/","n":"5850","vb":true},{"n":"5851","v":50}]}
 *   {"id":3,"op":"execute","ep":"a","path":"/3/0/4","args":"0='x'"}
 *   {"id":4,"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"pmin":10,"gt":null}}
 *   {"id":5,"op":"read-composite","ep":"a","paths":["/3/0/0","/3311/0"]}
 *   {"id":6,"op":"list"}
 *
 * Members: "id" (number or string, echoed back verbatim), "op" (see `op`), the target "ep"
 * (string) or "group" (array of strings), "path" (checked with `lwm2m::parse_path` and for the
 * level the operation needs), "paths" (composites), "format" (tlv, senml-json, senml-cbor,
 * lwm2m-cbor, text, opaque, oma-json), "value" (a JSON string, number or boolean: a
 * single-resource Write), "content" (an array of SenML JSON records, RFC 8428 §5, read with
 * the library's `format::senml_json_reader`: "bn", "n", "v", "vs", "vb", "vd", "vlo", "t"...),
 * "partial" (bool: partial update instead of replace), "args" (Execute arguments) and
 * "attributes" (pmin, pmax, gt, lt, st, epmin, epmax: numbers, or null to remove one).
 * Unknown members, duplicate members and members the operation does not take are errors.
 *
 * Every malformed line gives one precise English reason (`parsed_command::error`), e.g.
 * `missing "ep" or "group"`, `unknown op "reed"`, `bad path "/3/x"`, `invalid JSON at byte 17`,
 * which the server prints as {"id":..,"error":"<reason>"}.
 *
 * The JSON is tokenized with the library's `format::json::reader`. Example code: allocates
 * freely (std::string, std::vector), never part of include/.
 */

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/json/reader.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml/json_reader.hpp>
#include <lwm2m/model/attributes.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m_server {

/** The operations a command line can ask for (LwM2M 1.1 Core §5.4 Device Management and §5.5 Information Reporting). */
enum class op : std::uint8_t {
    list,              ///< the registered endpoints (no target)
    read,              ///< §5.4.1
    write,             ///< §5.4.3 (replace, or partial update with "partial":true)
    execute,           ///< §5.4.5
    discover,          ///< §5.4.2
    write_attributes,  ///< §5.4.4
    observe,           ///< §5.5.1
    cancel_observe,    ///< §5.5.3 (by "path", or by "paths" for a composite observation)
    create,            ///< §5.4.6
    delete_,           ///< §5.4.7
    read_composite,    ///< §5.4.1 Read-Composite
    write_composite,   ///< §5.4.3 Write-Composite
    observe_composite, ///< §5.5.1 Observe-Composite
};

namespace detail {
inline constexpr std::string_view op_names[] = {
    "list", "read", "write", "execute", "discover", "write-attributes", "observe", "cancel-observe",
    "create", "delete", "read-composite", "write-composite", "observe-composite",
};
} // namespace detail

/** The protocol spelling of an operation ("write-attributes"). */
[[nodiscard]] constexpr std::string_view name(op o) noexcept { return detail::op_names[static_cast<std::size_t>(o)]; }

/** The operation spelled `text`, if any. */
[[nodiscard]] constexpr std::optional<op> op_from_name(std::string_view text) noexcept {
    for (std::size_t i = 0; i < std::size(detail::op_names); ++i)
        if (detail::op_names[i] == text) return static_cast<op>(i);
    return std::nullopt;
}

/** The content formats a command may name in "format" (as `lwm2m::format::name` spells them). */
[[nodiscard]] inline std::optional<lwm2m::format::content_format> format_from_name(std::string_view text) noexcept {
    using lwm2m::format::content_format;
    constexpr content_format known[] = {content_format::tlv,        content_format::senml_json,
                                        content_format::senml_cbor, content_format::lwm2m_cbor,
                                        content_format::text,       content_format::opaque,
                                        content_format::oma_json};
    for (content_format f : known)
        if (lwm2m::format::name(f) == text) return f;
    return std::nullopt;
}

/**
 * One parsed command. Move-only: `value` and `content` view the command's own copy of the line
 * (strings with JSON escapes stay escaped, `lwm2m::text_encoding::json_escaped`, as the
 * library's readers leave them; `lwm2m::for_each_value_byte` decodes them).
 */
struct command {
    std::string id;                        ///< raw JSON of "id" (`7`, `"abc"`), empty when absent
    op operation = op::list;
    std::string ep;                        ///< target endpoint name (decoded), empty when `group` is used
    std::vector<std::string> group;        ///< target endpoint names (decoded)
    std::optional<lwm2m::path> path;
    std::vector<lwm2m::path> paths;        ///< composite targets, in the given order
    std::optional<lwm2m::format::content_format> format;
    std::optional<lwm2m::value> value;     ///< string, integer (unsigned above INT64_MAX), float or boolean
    bool has_content = false;              ///< "content" was given (it may be empty for create)
    std::vector<lwm2m::format::record> content;  ///< absolute paths, under `path` when one is given
    bool partial = false;
    std::optional<std::string> args;       ///< Execute arguments (decoded)
    std::vector<lwm2m::attribute_change> attributes;  ///< in the given order; `remove` for null

    /** The line the views in `value` and `content` point into. */
    [[nodiscard]] std::string_view text() const noexcept { return line_ ? std::string_view{*line_} : std::string_view{}; }

    /** True when the command targets a group rather than one endpoint. */
    [[nodiscard]] bool is_group() const noexcept { return !group.empty(); }

private:
    friend struct command_parser;
    std::unique_ptr<std::string> line_;  // heap-held so that moving the command keeps views valid
};

/** A parsed line: the command, or the reason it is malformed (`cmd.id` is set if it was read). */
struct parsed_command {
    command cmd;
    std::string error;  ///< empty on success
    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

/** Parses a command; see `parse_command`. */
struct command_parser {
    [[nodiscard]] static parsed_command parse(std::string line) {
        parsed_command out;
        out.cmd.line_ = std::make_unique<std::string>(std::move(line));
        command_parser p{out.cmd};
        out.error = p.run();
        return out;
    }

private:
    using token = lwm2m::format::json::token;
    using token_kind = lwm2m::format::json::token_kind;

    /** Where a member's value lies in the line, kept until the operation is known. */
    struct span_of {
        bool present = false;
        token first{};
        std::size_t begin = 0, end = 0;
    };

    enum member : std::uint8_t { m_id, m_op, m_ep, m_group, m_path, m_paths, m_format, m_value, m_content, m_partial, m_args, m_attributes, member_count };
    static constexpr std::string_view member_names[member_count] = {
        "id", "op", "ep", "group", "path", "paths", "format", "value", "content", "partial", "args", "attributes",
    };

    explicit command_parser(command& c) : cmd_(c), text_(*c.line_), json_(text_) {}

    static std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

    std::string json_error(const lwm2m::error& e) const {
        const char* what = e.code == lwm2m::errc::invalid_utf8 ? "invalid UTF-8 at byte " : "invalid JSON at byte ";
        return what + std::to_string(e.offset);
    }

    /** Decodes a string token (validated by the tokenizer, so decoding cannot fail). */
    static std::string decode(const token& t) {
        if (!t.escaped) return std::string(t.text);
        std::string s;
        (void)lwm2m::encoding::json_unescape_each(t.text, [&](std::byte b) { s += static_cast<char>(b); });
        return s;
    }

    /** Reads the members of the top-level object into `members_`. */
    std::string scan() {
        auto first = json_.next();
        if (!first) return json_error(first.error());
        if (first->kind != token_kind::begin_object) return "command is not a JSON object";
        for (;;) {
            auto k = json_.next();
            if (!k) return json_error(k.error());
            if (k->kind == token_kind::end_object) break;
            const std::string key = decode(*k);
            std::size_t m = 0;
            while (m < member_count && member_names[m] != key) ++m;
            if (m == member_count) return "unknown member " + quoted(key);
            if (members_[m].present) return "duplicate member " + quoted(key);
            auto v = json_.next();
            if (!v) return json_error(v.error());
            span_of& s = members_[m];
            s.present = true;
            s.first = *v;
            s.begin = v->offset;
            if (auto skipped = json_.skip_value(*v); !skipped) return json_error(skipped.error());
            s.end = json_.offset();
        }
        auto end = json_.next();
        if (!end) return json_error(end.error());
        return {};
    }

    /** The value of member `m` when present: its tokens re-read from the line. */
    lwm2m::format::json::reader sub_reader(member m) const {
        return lwm2m::format::json::reader{text_.substr(members_[m].begin, members_[m].end - members_[m].begin)};
    }

    std::string target() {
        const bool has_ep = members_[m_ep].present;
        const bool has_group = members_[m_group].present;
        if (!has_ep && !has_group) return "missing \"ep\" or \"group\"";
        if (has_ep && has_group) return "both \"ep\" and \"group\" given";
        if (has_ep) {
            const token& t = members_[m_ep].first;
            if (t.kind != token_kind::string) return "\"ep\" must be a string";
            cmd_.ep = decode(t);
            if (cmd_.ep.empty()) return "\"ep\" must not be empty";
            return {};
        }
        const std::string bad = "\"group\" must be a non-empty array of non-empty strings";
        auto r = sub_reader(m_group);
        auto open = r.next();
        if (!open || open->kind != token_kind::begin_array) return bad;
        for (;;) {
            auto t = r.next();
            if (!t) return bad;
            if (t->kind == token_kind::end_array) break;
            if (t->kind != token_kind::string) return bad;
            std::string name = decode(*t);
            if (name.empty()) return bad;
            for (const std::string& g : cmd_.group)
                if (g == name) return "duplicate endpoint " + quoted(name) + " in \"group\"";
            cmd_.group.push_back(std::move(name));
        }
        if (cmd_.group.empty()) return bad;
        return {};
    }

    /** Parses a path string token; `where` names the member for the message. */
    static std::string path_of(const token& t, std::string_view where, lwm2m::path& out) {
        if (t.kind != token_kind::string) return "\"" + std::string(where) + "\" must be a string";
        const std::string text = decode(t);
        auto p = lwm2m::parse_path(text);
        if (!p) return "bad path " + quoted(text) + (where == "paths" ? " in \"paths\"" : "");
        out = *p;
        return {};
    }

    std::string path_member() {
        lwm2m::path p;
        if (auto e = path_of(members_[m_path].first, "path", p); !e.empty()) return e;
        cmd_.path = p;
        return {};
    }

    std::string paths_member() {
        const std::string bad = "\"paths\" must be a non-empty array of path strings";
        auto r = sub_reader(m_paths);
        auto open = r.next();
        if (!open || open->kind != token_kind::begin_array) return bad;
        for (;;) {
            auto t = r.next();
            if (!t) return bad;
            if (t->kind == token_kind::end_array) break;
            if (t->kind != token_kind::string) return bad;
            lwm2m::path p;
            if (auto e = path_of(*t, "paths", p); !e.empty()) return e;
            cmd_.paths.push_back(p);
        }
        if (cmd_.paths.empty()) return bad;
        return {};
    }

    std::string format_member() {
        const token& t = members_[m_format].first;
        if (t.kind != token_kind::string) return "\"format\" must be a string";
        const std::string name = decode(t);
        auto f = format_from_name(name);
        if (!f) return "unknown format " + quoted(name);
        cmd_.format = *f;
        return {};
    }

    std::string value_member() {
        const token& t = members_[m_value].first;
        switch (t.kind) {
        case token_kind::string:
            cmd_.value = lwm2m::value::of_string(t.text, t.escaped ? lwm2m::text_encoding::json_escaped : lwm2m::text_encoding::raw);
            return {};
        case token_kind::true_:
        case token_kind::false_: cmd_.value = lwm2m::value::of_boolean(t.kind == token_kind::true_); return {};
        case token_kind::number: {
            if (t.integer) {
                if (auto i = lwm2m::encoding::parse_int64(t.text)) {
                    cmd_.value = lwm2m::value::of_integer(*i);
                    return {};
                }
                if (auto u = lwm2m::encoding::parse_uint64(t.text)) {
                    cmd_.value = lwm2m::value::of_unsigned(*u);
                    return {};
                }
            }
            auto d = lwm2m::encoding::parse_double(t.text);
            if (!d) return "\"value\" " + std::string(t.text) + " is out of range";
            cmd_.value = lwm2m::value::of_float(*d);
            return {};
        }
        default: return "\"value\" must be a string, number or boolean";
        }
    }

    std::string content_member() {
        const span_of& s = members_[m_content];
        if (s.first.kind != token_kind::begin_array) return "\"content\" must be an array of SenML records";
        cmd_.has_content = true;
        const lwm2m::path base = cmd_.path.value_or(lwm2m::path::root());
        const std::string_view raw = text_.substr(s.begin, s.end - s.begin);
        lwm2m::format::senml_json_reader reader{lwm2m::as_bytes(raw), base};
        for (;;) {
            auto r = reader.next();
            if (!r) {
                const lwm2m::error e = r.error();
                std::string why;
                switch (e.code) {
                case lwm2m::errc::invalid_nesting: why = "record name is not under " + quoted(base.text().view()); break;
                case lwm2m::errc::not_resource_instance_level: why = "a record must name a resource or resource instance"; break;
                default: why = std::string(lwm2m::description(e.code));
                }
                return "bad \"content\" at byte " + std::to_string(s.begin + e.offset) + ": " + why;
            }
            if (!*r) break;
            cmd_.content.push_back(**r);
        }
        return {};
    }

    std::string attributes_member() {
        const std::string bad = "\"attributes\" must be a non-empty object";
        auto r = sub_reader(m_attributes);
        auto open = r.next();
        if (!open || open->kind != token_kind::begin_object) return bad;
        lwm2m::notification_attributes after;
        for (;;) {
            auto k = r.next();
            if (!k) return bad;
            if (k->kind == token_kind::end_object) break;
            const std::string key = decode(*k);
            const auto which = lwm2m::attribute_from_name(key);
            if (!which) return "unknown attribute " + quoted(key);
            for (const auto& seen : cmd_.attributes)
                if (seen.name == *which) return "duplicate attribute " + quoted(key);
            auto v = r.next();
            if (!v) return bad;
            lwm2m::attribute_change c{*which, false, 0};
            if (v->kind == token_kind::null) {
                c.remove = true;
            } else if (v->kind != token_kind::number) {
                return "attribute " + quoted(key) + " must be a number or null";
            } else if (lwm2m::is_threshold(*which)) {
                auto d = lwm2m::encoding::parse_double(v->text);
                if (!d) return "attribute " + quoted(key) + " is out of range";
                if (*which == lwm2m::attribute_name::st && *d < 0) return "attribute \"st\" must not be negative";
                c.value = *d;
            } else {
                auto u = lwm2m::encoding::parse_uint64(v->text);
                if (!u || *u > 0xFFFFFFFFu) return "attribute " + quoted(key) + " must be a whole number of seconds (0..4294967295)";
                c.value = static_cast<double>(*u);
            }
            after.apply(c);
            cmd_.attributes.push_back(c);
        }
        if (cmd_.attributes.empty()) return bad;
        if (!after.validate())
            return "inconsistent attributes (LwM2M 1.1 §5.1.2 needs lt < gt, lt + 2*st < gt, epmin <= epmax)";
        return {};
    }

    /** Which members each operation takes beyond id and op (target is checked separately). */
    static bool takes(op o, member m) {
        switch (m) {
        case m_id:
        case m_op: return true;
        case m_ep:
        case m_group: return o != op::list;
        case m_path:
            return o != op::list && o != op::read_composite && o != op::write_composite && o != op::observe_composite;
        case m_paths: return o == op::read_composite || o == op::observe_composite || o == op::cancel_observe;
        case m_format:
            return o == op::read || o == op::write || o == op::observe || o == op::create || o == op::read_composite ||
                   o == op::write_composite || o == op::observe_composite;
        case m_value:
        case m_partial: return o == op::write;
        case m_content: return o == op::write || o == op::create || o == op::write_composite;
        case m_args: return o == op::execute;
        case m_attributes: return o == op::write_attributes;
        default: return false;
        }
    }

    /** The level check of "path" for each operation. */
    std::string check_level() const {
        using lwm2m::path_level;
        const lwm2m::path& p = *cmd_.path;
        const path_level l = p.level();
        const std::string what = "path " + quoted(p.text().view()) + " ";
        switch (cmd_.operation) {
        case op::read:
        case op::observe:
        case op::cancel_observe:
        case op::write_attributes:
            if (l == path_level::root) return what + "must name at least an object for " + std::string(name(cmd_.operation));
            return {};
        case op::discover:
            if (l == path_level::root || l == path_level::resource_instance)
                return what + "must name an object, instance or resource for discover";
            return {};
        case op::write:
            if (cmd_.value && l != path_level::resource && l != path_level::resource_instance)
                return what + "must name a resource or resource instance for a \"value\"";
            if (l == path_level::root || l == path_level::object) return what + "must name an instance, resource or resource instance for write";
            return {};
        case op::execute:
            if (l != path_level::resource) return what + "must name a resource for execute";
            return {};
        case op::create:
            if (l != path_level::object) return what + "must name an object for create";
            return {};
        case op::delete_:
            if (l != path_level::instance && l != path_level::resource_instance)
                return what + "must name an instance or resource instance for delete";
            return {};
        default: return {};
        }
    }

    std::string run() {
        if (text_.find_first_not_of(" \t\r\n") == std::string_view::npos) return "empty command";
        auto scanned = scan();
        // Echo the id whenever it could be read, even if the rest is malformed.
        if (members_[m_id].present) {
            const token& t = members_[m_id].first;
            if (t.kind == token_kind::number) cmd_.id = std::string(t.text);
            else if (t.kind == token_kind::string) cmd_.id = quoted(t.text);  // still escaped: valid JSON as is
        }
        if (!scanned.empty()) return scanned;
        if (members_[m_id].present && cmd_.id.empty()) return "\"id\" must be a number or a string";
        if (!members_[m_op].present) return "missing \"op\"";
        if (members_[m_op].first.kind != token_kind::string) return "\"op\" must be a string";
        const std::string op_text = decode(members_[m_op].first);
        const auto o = op_from_name(op_text);
        if (!o) return "unknown op " + quoted(op_text);
        cmd_.operation = *o;
        for (std::size_t m = 0; m < member_count; ++m)
            if (members_[m].present && !takes(*o, static_cast<member>(m)))
                return quoted(member_names[m]) + " is not allowed for " + op_text;
        if (*o == op::list) return {};
        if (auto e = target(); !e.empty()) return e;

        const bool composite_target = *o == op::read_composite || *o == op::observe_composite;
        if (*o == op::cancel_observe) {
            if (members_[m_path].present == members_[m_paths].present) return "cancel-observe needs \"path\" or \"paths\"";
        } else if (composite_target) {
            if (!members_[m_paths].present) return "missing \"paths\"";
        } else if (*o != op::write_composite && !members_[m_path].present) {
            return "missing \"path\"";
        }
        if (members_[m_path].present)
            if (auto e = path_member(); !e.empty()) return e;
        if (members_[m_paths].present)
            if (auto e = paths_member(); !e.empty()) return e;
        if (members_[m_format].present) {
            if (auto e = format_member(); !e.empty()) return e;
            using lwm2m::format::content_format;
            const content_format f = *cmd_.format;
            const bool composite_format = f == content_format::senml_json || f == content_format::senml_cbor ||
                                          f == content_format::lwm2m_cbor;
            if ((composite_target || *o == op::write_composite) && !composite_format)
                return "format " + quoted(name(f)) + " cannot carry " + op_text;
            if (members_[m_content].present && (f == content_format::text || f == content_format::opaque))
                return "format " + quoted(name(f)) + " cannot carry \"content\"; use \"value\"";
        }
        if (members_[m_value].present)
            if (auto e = value_member(); !e.empty()) return e;
        if (*o == op::write) {
            if (members_[m_value].present == members_[m_content].present)
                return members_[m_value].present ? "both \"value\" and \"content\" given" : "write needs \"value\" or \"content\"";
        }
        if (*o == op::write_composite && !members_[m_content].present) return "missing \"content\"";
        if (cmd_.path)
            if (auto e = check_level(); !e.empty()) return e;
        if (members_[m_content].present) {
            if (auto e = content_member(); !e.empty()) return e;
            if (cmd_.content.empty() && *o != op::create) return "empty \"content\"";
        }
        if (members_[m_partial].present) {
            const token& t = members_[m_partial].first;
            if (t.kind != token_kind::true_ && t.kind != token_kind::false_) return "\"partial\" must be true or false";
            cmd_.partial = t.kind == token_kind::true_;
        }
        if (members_[m_args].present) {
            const token& t = members_[m_args].first;
            if (t.kind != token_kind::string) return "\"args\" must be a string";
            cmd_.args = decode(t);
        }
        if (*o == op::write_attributes) {
            if (!members_[m_attributes].present) return "missing \"attributes\"";
            if (auto e = attributes_member(); !e.empty()) return e;
        }
        return {};
    }

    command& cmd_;
    std::string_view text_;
    lwm2m::format::json::reader json_;
    span_of members_[member_count]{};
};

/**
 * Parses one command line (without its newline). On error `error` holds the reason and
 * `cmd.id` the raw id when it could be read, for the error reply.
 */
[[nodiscard]] inline parsed_command parse_command(std::string line) { return command_parser::parse(std::move(line)); }

} // namespace lwm2m_server
