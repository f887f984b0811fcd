#pragma once
/**
 * @file tools/lwm2m-gen/ddf.hpp
 * Reader of OMA LwM2M object definition (DDF) XML files: the `<LWM2M><Object>...` documents
 * of the OMA LwM2M registry, in both schema shapes (LWM2M.xsd for LwM2M 1.0 objects,
 * LWM2M-v1_1.xsd for later ones).
 *
 * Host-side tool code (the generator, the CLI's `--objects DIR`): uses std::string /
 * std::vector and does not depend on include/lwm2m. Two layers:
 *
 * - `parse_xml`: a small non-validating XML parser. Accepts a UTF-8 byte order mark, CRLF
 *   or CR line ends (normalized to LF), the XML declaration and other processing
 *   instructions, a DOCTYPE (skipped), comments, CDATA sections, the five predefined
 *   entities and numeric character references (`&#65;`, `&#x41;`). Attributes are parsed
 *   and kept; namespaces are not interpreted (`xsi:foo` is just a name). No external
 *   entities, no DTD processing. Nesting is limited to `max_xml_depth` levels.
 * - `parse_ddf`: the object facts and resources of one `<Object>`. Lenient where the
 *   registry files vary: element names and keyword values (`Single`, `Mandatory`,
 *   `Unsigned Integer`, ...) are matched case-insensitively, surrounding whitespace is
 *   ignored, unknown elements are ignored, `<ObjectVersion>`/`<LWM2MVersion>` may be absent
 *   or empty (= 1.0), `<Operations>` may be empty or absent (no operation: the Security
 *   object), `<Type>` may be empty (executable resources), and `<RangeEnumeration>` is
 *   read by `parse_range` (`1-65535`, `0..8`, `6 bytes`, `16-32-48 bytes`, `16,32,48`;
 *   anything else, e.g. prose, gives "no range"). Descriptions are not kept.
 *
 * Example:
 * @code
 *   std::string error;
 *   std::optional<lwm2m::ddf::ddf_object> o = lwm2m::ddf::parse_ddf(xml_text, error);
 *   if (!o) std::cerr << "3.xml: " << error << '\n';
 *   else for (const auto& r : o->resources) std::cout << r.id << ' ' << r.name << '\n';
 * @endcode
 */

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lwm2m::ddf {

// ---------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------

/** Deepest element nesting `parse_xml` accepts (DDF files need 5). */
inline constexpr std::size_t max_xml_depth = 64;

/** One attribute, value entity-decoded. */
struct xml_attribute {
    std::string name;
    std::string value;
};

/** One element: its attributes, its own character data (text + CDATA, decoded) and children. */
struct xml_element {
    std::string name;
    std::vector<xml_attribute> attributes;
    std::string text;  ///< concatenated character data directly inside this element
    std::vector<xml_element> children;
    std::size_t line = 0;  ///< 1-based line of the start tag

    /** First child named `n` (exact match), or nullptr. */
    [[nodiscard]] const xml_element* child(std::string_view n) const {
        for (const xml_element& c : children)
            if (c.name == n) return &c;
        return nullptr;
    }
    /** Value of attribute `n` (exact match), or nullptr. */
    [[nodiscard]] const std::string* attribute(std::string_view n) const {
        for (const xml_attribute& a : attributes)
            if (a.name == n) return &a.value;
        return nullptr;
    }
};

/** A parsed document: the root element and the comments that precede it. */
struct xml_document {
    xml_element root;
    std::vector<std::string> leading_comments;  ///< comments before the root element, in order
};

namespace detail {

class xml_parser {
public:
    explicit xml_parser(std::string_view input) {
        if (input.size() >= 3 && static_cast<unsigned char>(input[0]) == 0xEF &&
            static_cast<unsigned char>(input[1]) == 0xBB && static_cast<unsigned char>(input[2]) == 0xBF)
            input.remove_prefix(3);
        // XML 1.0 §2.11: CRLF and lone CR are read as LF.
        text_.reserve(input.size());
        for (std::size_t i = 0; i < input.size(); ++i) {
            if (input[i] == '\r') {
                text_ += '\n';
                if (i + 1 < input.size() && input[i + 1] == '\n') ++i;
            } else {
                text_ += input[i];
            }
        }
    }

    std::optional<xml_document> parse(std::string& error) {
        xml_document doc;
        bool have_root = false;
        for (;;) {
            skip_space();
            if (at_end()) break;
            if (starts("<?")) {
                if (!skip_past("?>", "unterminated processing instruction")) break;
            } else if (starts("<!--")) {
                std::string c;
                if (!comment(c)) break;
                if (!have_root) doc.leading_comments.push_back(std::move(c));
            } else if (starts("<!DOCTYPE")) {
                if (have_root) { fail("DOCTYPE after the root element"); break; }
                if (!doctype()) break;
            } else if (peek() == '<') {
                if (have_root) { fail("more than one root element"); break; }
                if (!element(doc.root, 1)) break;
                have_root = true;
            } else {
                fail("text outside the root element");
                break;
            }
        }
        if (error_.empty() && !have_root) fail("no root element");
        if (!error_.empty()) {
            error = error_;
            return std::nullopt;
        }
        return doc;
    }

private:
    std::string text_;
    std::size_t pos_ = 0;
    std::string error_;

    [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    [[nodiscard]] bool starts(std::string_view s) const { return std::string_view{text_}.substr(pos_).starts_with(s); }
    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    void skip_space() {
        while (!at_end() && is_space(text_[pos_])) ++pos_;
    }
    // 1-based line of offset p; incremental, so a pass over the document stays linear.
    mutable std::size_t line_pos_ = 0;
    mutable std::size_t line_no_ = 1;
    [[nodiscard]] std::size_t line_at(std::size_t p) const {
        if (p > text_.size()) p = text_.size();
        if (p < line_pos_) {
            line_pos_ = 0;
            line_no_ = 1;
        }
        for (; line_pos_ < p; ++line_pos_)
            if (text_[line_pos_] == '\n') ++line_no_;
        return line_no_;
    }
    bool fail(std::string_view what) {
        if (error_.empty()) error_ = "line " + std::to_string(line_at(pos_)) + ": " + std::string(what);
        return false;
    }
    bool skip_past(std::string_view end, std::string_view what) {
        const std::size_t e = text_.find(end, pos_);
        if (e == std::string::npos) return fail(what);
        pos_ = e + end.size();
        return true;
    }
    bool comment(std::string& out) {
        pos_ += 4;  // "<!--"
        const std::size_t e = text_.find("-->", pos_);
        if (e == std::string::npos) return fail("unterminated comment");
        out = text_.substr(pos_, e - pos_);
        pos_ = e + 3;
        return true;
    }
    bool doctype() {
        // Skipped: "<!DOCTYPE name ... [internal subset] >", quotes and brackets respected.
        int brackets = 0;
        char quote = '\0';
        for (pos_ += 9; !at_end(); ++pos_) {
            const char c = text_[pos_];
            if (quote != '\0') {
                if (c == quote) quote = '\0';
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '[') {
                ++brackets;
            } else if (c == ']') {
                --brackets;
            } else if (c == '>' && brackets <= 0) {
                ++pos_;
                return true;
            }
        }
        return fail("unterminated DOCTYPE");
    }
    static bool is_name_char(char c) {
        return !is_space(c) && c != '/' && c != '>' && c != '<' && c != '=' && c != '"' && c != '\'' &&
               c != '&' && c != '\0';
    }
    bool name(std::string& out) {
        const std::size_t b = pos_;
        while (!at_end() && is_name_char(text_[pos_])) ++pos_;
        if (pos_ == b) return fail("expected a name");
        out = text_.substr(b, pos_ - b);
        return true;
    }
    static void append_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    /** At '&': decodes one entity or character reference into `out`. */
    bool reference(std::string& out) {
        std::size_t semi = std::string_view{text_}.substr(pos_, 12).find(';');
        if (semi == std::string_view::npos) return fail("bad '&' (unterminated entity reference)");
        semi += pos_;
        const std::string_view ref = std::string_view{text_}.substr(pos_ + 1, semi - pos_ - 1);
        if (ref == "lt") out += '<';
        else if (ref == "gt") out += '>';
        else if (ref == "amp") out += '&';
        else if (ref == "quot") out += '"';
        else if (ref == "apos") out += '\'';
        else if (ref.size() >= 2 && ref[0] == '#') {
            const bool hex = ref[1] == 'x';
            const std::string_view digits = ref.substr(hex ? 2 : 1);
            if (digits.empty()) return fail("empty character reference");
            std::uint32_t cp = 0;
            for (const char c : digits) {
                std::uint32_t d = 0;
                if (c >= '0' && c <= '9') d = static_cast<std::uint32_t>(c - '0');
                else if (hex && c >= 'a' && c <= 'f') d = static_cast<std::uint32_t>(c - 'a' + 10);
                else if (hex && c >= 'A' && c <= 'F') d = static_cast<std::uint32_t>(c - 'A' + 10);
                else return fail("bad character reference &" + std::string(ref) + ";");
                cp = cp * (hex ? 16 : 10) + d;
                if (cp > 0x10FFFF) return fail("character reference out of range");
            }
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return fail("character reference to an invalid code point");
            append_utf8(out, cp);
        } else {
            return fail("unknown entity &" + std::string(ref) + ";");
        }
        pos_ = semi + 1;
        return true;
    }
    bool attribute_value(std::string& out) {
        const char quote = peek();
        if (quote != '"' && quote != '\'') return fail("expected a quoted attribute value");
        ++pos_;
        for (;;) {
            if (at_end()) return fail("unterminated attribute value");
            const char c = text_[pos_];
            if (c == quote) {
                ++pos_;
                return true;
            }
            if (c == '<') return fail("'<' in an attribute value");
            if (c == '&') {
                if (!reference(out)) return false;
            } else {
                out += c;
                ++pos_;
            }
        }
    }
    bool element(xml_element& e, std::size_t depth) {
        if (depth > max_xml_depth) return fail("elements nested too deeply");
        e.line = line_at(pos_);
        ++pos_;  // '<'
        if (!name(e.name)) return false;
        // attributes
        for (;;) {
            const std::size_t before = pos_;
            skip_space();
            if (starts("/>")) {
                pos_ += 2;
                return true;
            }
            if (peek() == '>') {
                ++pos_;
                break;
            }
            if (pos_ == before) return fail("expected whitespace, '>' or '/>' in <" + e.name + ">");
            xml_attribute a;
            if (!name(a.name)) return false;
            skip_space();
            if (peek() != '=') return fail("expected '=' after attribute " + a.name);
            ++pos_;
            skip_space();
            if (!attribute_value(a.value)) return false;
            e.attributes.push_back(std::move(a));
        }
        // content
        for (;;) {
            if (at_end()) return fail("unterminated element <" + e.name + ">");
            const char c = text_[pos_];
            if (c == '&') {
                if (!reference(e.text)) return false;
            } else if (c != '<') {
                e.text += c;
                ++pos_;
            } else if (starts("<!--")) {
                std::string ignored;
                if (!comment(ignored)) return false;
            } else if (starts("<![CDATA[")) {
                pos_ += 9;
                const std::size_t end = text_.find("]]>", pos_);
                if (end == std::string::npos) return fail("unterminated CDATA section");
                e.text.append(text_, pos_, end - pos_);
                pos_ = end + 3;
            } else if (starts("<?")) {
                if (!skip_past("?>", "unterminated processing instruction")) return false;
            } else if (starts("</")) {
                pos_ += 2;
                std::string closing;
                if (!name(closing)) return false;
                if (closing != e.name)
                    return fail("</" + closing + "> closes <" + e.name + "> (line " + std::to_string(e.line) + ")");
                skip_space();
                if (peek() != '>') return fail("expected '>' after </" + closing);
                ++pos_;
                return true;
            } else if (starts("<!")) {
                return fail("unexpected markup declaration inside <" + e.name + ">");
            } else {
                e.children.emplace_back();
                if (!element(e.children.back(), depth + 1)) return false;
            }
        }
    }
};

[[nodiscard]] inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

[[nodiscard]] inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

[[nodiscard]] inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

} // namespace detail

/**
 * Parses an XML document (see the file comment for what is supported).
 * On error returns nullopt and sets `error` to "line N: what".
 */
[[nodiscard]] inline std::optional<xml_document> parse_xml(std::string_view text, std::string& error) {
    detail::xml_parser p{text};
    return p.parse(error);
}

// ---------------------------------------------------------------------------------------------
// DDF
// ---------------------------------------------------------------------------------------------

/** A resource's data type; same enumerators, in the same order, as `lwm2m::data_type`. */
enum class ddf_type : std::uint8_t { none, string, integer, unsigned_integer, float_, boolean, opaque, time, objlnk, corelnk };

/** Allowed operations as a bit set; same values as `lwm2m::operations` (R=1, W=2, E=4). */
enum class ddf_ops : std::uint8_t { none = 0, read = 1, write = 2, read_write = 3, execute = 4 };

/** What a parsed `<RangeEnumeration>` bounds. */
enum class ddf_range_kind : std::uint8_t {
    none,     ///< no range, or text that is not a range (prose, enumerations)
    numeric,  ///< the value lies in [min, max]
    length,   ///< the value's length in bytes lies in [min, max] (String, Opaque, Corelnk)
};

/** A `<RangeEnumeration>`: the text as written and what `parse_range` made of it. */
struct ddf_range {
    ddf_range_kind kind = ddf_range_kind::none;
    double min = 0;
    double max = 0;
    std::string text;  ///< trimmed text of the element ("" if empty or absent)
};

/** `<ObjectVersion>` / `<LWM2MVersion>`: "major.minor" (1.0 when empty or absent). */
struct ddf_version {
    unsigned major = 1;
    unsigned minor = 0;
    friend bool operator==(const ddf_version&, const ddf_version&) = default;
};

/** One `<Item>` of `<Resources>`. */
struct ddf_resource {
    std::uint16_t id = 0;          ///< `ID` attribute, 0..65535 as written (65535 is not a valid id)
    std::string name;              ///< `<Name>`, trimmed
    ddf_ops ops = ddf_ops::none;   ///< `<Operations>`
    ddf_type type = ddf_type::none;///< `<Type>`; none when empty
    bool multiple = false;         ///< `<MultipleInstances>` is Multiple
    bool mandatory = false;        ///< `<Mandatory>` is Mandatory
    ddf_range range;               ///< `<RangeEnumeration>`
    std::string units;             ///< `<Units>`, trimmed
};

/** One `<Object>`: its facts and its resources in document order. */
struct ddf_object {
    std::string name;               ///< `<Name>`, trimmed
    std::uint16_t id = 0;           ///< `<ObjectID>` (0..65535 as written)
    std::string urn;                ///< `<ObjectURN>`, trimmed
    ddf_version version;            ///< `<ObjectVersion>`, 1.0 when empty or absent
    ddf_version lwm2m_version;      ///< `<LWM2MVersion>`, 1.0 when empty or absent
    bool multiple = false;          ///< `<MultipleInstances>` is Multiple
    bool mandatory = false;         ///< `<Mandatory>` is Mandatory
    std::vector<ddf_resource> resources;
    /** The first comment before the root element (the OMA file header with its license), as written. */
    std::string header_comment;
};

/** Registry spelling of a type ("String", "Unsigned Integer", ...; "" for none). */
[[nodiscard]] inline std::string_view type_name(ddf_type t) {
    switch (t) {
    case ddf_type::none: return "";
    case ddf_type::string: return "String";
    case ddf_type::integer: return "Integer";
    case ddf_type::unsigned_integer: return "Unsigned Integer";
    case ddf_type::float_: return "Float";
    case ddf_type::boolean: return "Boolean";
    case ddf_type::opaque: return "Opaque";
    case ddf_type::time: return "Time";
    case ddf_type::objlnk: return "Objlnk";
    case ddf_type::corelnk: return "Corelnk";
    }
    return "";
}

/** Registry spelling of operations ("R", "W", "RW", "E", "" ...). */
[[nodiscard]] inline std::string ops_name(ddf_ops o) {
    const auto v = static_cast<unsigned>(o);
    std::string s;
    if (v & 1u) s += 'R';
    if (v & 2u) s += 'W';
    if (v & 4u) s += 'E';
    return s;
}

/** Reads a `<Type>` value (case-insensitive, "" = none). False if unknown. */
[[nodiscard]] inline bool parse_type(std::string_view text, ddf_type& out) {
    text = detail::trim(text);
    static constexpr std::pair<std::string_view, ddf_type> names[] = {
        {"", ddf_type::none},           {"String", ddf_type::string},
        {"Integer", ddf_type::integer}, {"Unsigned Integer", ddf_type::unsigned_integer},
        {"Float", ddf_type::float_},    {"Boolean", ddf_type::boolean},
        {"Opaque", ddf_type::opaque},   {"Time", ddf_type::time},
        {"Objlnk", ddf_type::objlnk},   {"Corelnk", ddf_type::corelnk},
        {"None", ddf_type::none},
    };
    for (const auto& [n, t] : names)
        if (detail::iequals(text, n)) {
            out = t;
            return true;
        }
    return false;
}

/** Reads an `<Operations>` value: the letters R, W, E in any order ("" = none). False otherwise. */
[[nodiscard]] inline bool parse_ops(std::string_view text, ddf_ops& out) {
    unsigned v = 0;
    for (const char c : detail::trim(text)) {
        switch (detail::ascii_lower(c)) {
        case 'r': v |= 1u; break;
        case 'w': v |= 2u; break;
        case 'e': v |= 4u; break;
        default: return false;
        }
    }
    out = static_cast<ddf_ops>(v);
    return true;
}

/**
 * Reads a `<RangeEnumeration>` leniently for a resource of type `type`.
 *
 * Recognised: one or more decimal numbers (optional sign, optional fraction) separated by
 * `..`, `-`, `,`, `~` or the word `to`, optionally followed by `byte`/`bytes`/`B`:
 * `0..8`, `1-65535`, `-40..85`, `0.5..1`, `6`, `6 bytes`, `16-32-48 bytes`, `16,32,48`.
 * The range is [smallest, largest] of the numbers (a list of allowed lengths such as
 * `16-32-48 bytes` widens to 16..48). For String, Opaque and Corelnk resources the numbers
 * bound the length in bytes; for Integer, Unsigned Integer, Float and Time the value; for
 * other types (Boolean, Objlnk, none) no range is kept. Text that does not have this
 * shape (`16-bit`, prose, `U,UQ,S`) gives kind none. `text` is always kept, trimmed.
 */
[[nodiscard]] inline ddf_range parse_range(std::string_view text, ddf_type type) {
    ddf_range r;
    text = detail::trim(text);
    r.text = std::string(text);
    if (text.empty()) return r;

    std::vector<double> numbers;
    bool bytes = false;
    std::size_t i = 0;
    const auto space = [&] {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
    };
    const auto digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
    for (;;) {
        space();
        // number: [+-]digits[.digits]
        const std::size_t start = i;
        if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
        if (!digit(i)) return r;
        while (digit(i)) ++i;
        if (i + 1 < text.size() && text[i] == '.' && digit(i + 1)) {
            ++i;
            while (digit(i)) ++i;
        }
        numbers.push_back(std::strtod(std::string(text.substr(start, i - start)).c_str(), nullptr));
        space();
        if (i == text.size()) break;
        // separator or unit
        const std::string_view rest = text.substr(i);
        if (rest.starts_with("..")) i += 2;
        else if (rest[0] == '-' || rest[0] == ',' || rest[0] == '~') i += 1;
        else if (rest.size() > 2 && detail::iequals(rest.substr(0, 2), "to") && (rest[2] == ' ' || digit(i + 2))) i += 2;
        else if (detail::iequals(rest, "bytes") || detail::iequals(rest, "byte") || rest == "B") {
            bytes = true;
            break;
        } else {
            return r;  // "16-bit", prose, ...
        }
    }

    const bool length_type = type == ddf_type::string || type == ddf_type::opaque || type == ddf_type::corelnk;
    const bool numeric_type = type == ddf_type::integer || type == ddf_type::unsigned_integer ||
                              type == ddf_type::float_ || type == ddf_type::time;
    if (length_type) r.kind = ddf_range_kind::length;
    else if (numeric_type && !bytes) r.kind = ddf_range_kind::numeric;
    else return r;
    r.min = r.max = numbers.front();
    for (const double d : numbers) {
        if (d < r.min) r.min = d;
        if (d > r.max) r.max = d;
    }
    if (r.kind == ddf_range_kind::length && r.min < 0) r.kind = ddf_range_kind::none;
    return r;
}

namespace detail {

/** Child element by case-insensitive name, or nullptr. */
[[nodiscard]] inline const xml_element* ichild(const xml_element& e, std::string_view n) {
    for (const xml_element& c : e.children)
        if (iequals(c.name, n)) return &c;
    return nullptr;
}

[[nodiscard]] inline bool parse_uint16(std::string_view s, std::uint16_t& out) {
    s = trim(s);
    if (s.empty() || s.size() > 5) return false;
    std::uint32_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (v > 65535) return false;
    out = static_cast<std::uint16_t>(v);
    return true;
}

[[nodiscard]] inline bool parse_version(std::string_view s, ddf_version& out) {
    s = trim(s);
    if (s.empty()) {
        out = {};
        return true;
    }
    const std::size_t dot = s.find('.');
    const std::string_view ma = s.substr(0, dot);
    const std::string_view mi = dot == std::string_view::npos ? std::string_view{"0"} : s.substr(dot + 1);
    std::uint16_t a = 0, b = 0;
    if (!parse_uint16(ma, a) || !parse_uint16(mi, b) || a > 255 || b > 255) return false;
    out = {a, b};
    return true;
}

/** "Single"/"Multiple" → multiple; false if neither. */
[[nodiscard]] inline bool parse_multiple(std::string_view s, bool& out) {
    s = trim(s);
    if (iequals(s, "Multiple")) out = true;
    else if (iequals(s, "Single")) out = false;
    else return false;
    return true;
}
/** "Mandatory"/"Optional" → mandatory; false if neither. */
[[nodiscard]] inline bool parse_mandatory(std::string_view s, bool& out) {
    s = trim(s);
    if (iequals(s, "Mandatory")) out = true;
    else if (iequals(s, "Optional")) out = false;
    else return false;
    return true;
}

inline std::string where(const xml_element& e) { return "line " + std::to_string(e.line) + ": "; }

[[nodiscard]] inline std::optional<ddf_object> read_object(const xml_element& o, std::string& error) {
    ddf_object obj;
    const auto required = [&](std::string_view n) -> const xml_element* {
        const xml_element* c = ichild(o, n);
        if (c == nullptr) error = where(o) + "<Object> has no <" + std::string(n) + ">";
        return c;
    };
    const xml_element* name = required("Name");
    if (name == nullptr) return std::nullopt;
    obj.name = std::string(trim(name->text));
    const xml_element* id = required("ObjectID");
    if (id == nullptr) return std::nullopt;
    if (!parse_uint16(id->text, obj.id)) {
        error = where(*id) + "bad <ObjectID> '" + std::string(trim(id->text)) + "'";
        return std::nullopt;
    }
    if (const xml_element* urn = ichild(o, "ObjectURN")) obj.urn = std::string(trim(urn->text));
    if (const xml_element* v = ichild(o, "ObjectVersion"); v && !parse_version(v->text, obj.version)) {
        error = where(*v) + "bad <ObjectVersion> '" + std::string(trim(v->text)) + "'";
        return std::nullopt;
    }
    if (const xml_element* v = ichild(o, "LWM2MVersion"); v && !parse_version(v->text, obj.lwm2m_version)) {
        error = where(*v) + "bad <LWM2MVersion> '" + std::string(trim(v->text)) + "'";
        return std::nullopt;
    }
    const xml_element* mi = required("MultipleInstances");
    if (mi == nullptr) return std::nullopt;
    if (!parse_multiple(mi->text, obj.multiple)) {
        error = where(*mi) + "<MultipleInstances> must be Single or Multiple";
        return std::nullopt;
    }
    const xml_element* ma = required("Mandatory");
    if (ma == nullptr) return std::nullopt;
    if (!parse_mandatory(ma->text, obj.mandatory)) {
        error = where(*ma) + "<Mandatory> must be Mandatory or Optional";
        return std::nullopt;
    }
    const xml_element* resources = required("Resources");
    if (resources == nullptr) return std::nullopt;
    for (const xml_element& item : resources->children) {
        if (!iequals(item.name, "Item")) continue;
        ddf_resource r;
        const std::string* rid = item.attribute("ID");
        if (rid == nullptr) {
            for (const xml_attribute& a : item.attributes)
                if (iequals(a.name, "ID")) rid = &a.value;
        }
        if (rid == nullptr || !parse_uint16(*rid, r.id)) {
            error = where(item) + "<Item> without a valid ID attribute (0..65535)";
            return std::nullopt;
        }
        const std::string item_where = where(item) + "resource " + std::to_string(r.id) + ": ";
        const xml_element* rn = ichild(item, "Name");
        if (rn == nullptr) {
            error = item_where + "no <Name>";
            return std::nullopt;
        }
        r.name = std::string(trim(rn->text));
        if (const xml_element* ops = ichild(item, "Operations"); ops && !parse_ops(ops->text, r.ops)) {
            error = item_where + "bad <Operations> '" + std::string(trim(ops->text)) + "'";
            return std::nullopt;
        }
        if (const xml_element* t = ichild(item, "Type"); t && !parse_type(t->text, r.type)) {
            error = item_where + "unknown <Type> '" + std::string(trim(t->text)) + "'";
            return std::nullopt;
        }
        const xml_element* rmi = ichild(item, "MultipleInstances");
        if (rmi == nullptr || !parse_multiple(rmi->text, r.multiple)) {
            error = item_where + "<MultipleInstances> must be Single or Multiple";
            return std::nullopt;
        }
        const xml_element* rma = ichild(item, "Mandatory");
        if (rma == nullptr || !parse_mandatory(rma->text, r.mandatory)) {
            error = item_where + "<Mandatory> must be Mandatory or Optional";
            return std::nullopt;
        }
        if (const xml_element* re = ichild(item, "RangeEnumeration")) r.range = parse_range(re->text, r.type);
        if (const xml_element* u = ichild(item, "Units")) r.units = std::string(trim(u->text));
        obj.resources.push_back(std::move(r));
    }
    return obj;
}

} // namespace detail

/**
 * Every `<Object>` of a DDF document (the schema allows several; registry files have one).
 * On error returns nullopt and sets `error` ("line N: what").
 */
[[nodiscard]] inline std::optional<std::vector<ddf_object>> parse_ddf_all(std::string_view xml, std::string& error) {
    std::optional<xml_document> doc = parse_xml(xml, error);
    if (!doc) return std::nullopt;
    if (!detail::iequals(doc->root.name, "LWM2M")) {
        error = detail::where(doc->root) + "root element is <" + doc->root.name + ">, not <LWM2M>";
        return std::nullopt;
    }
    std::string header;
    for (const std::string& c : doc->leading_comments)
        if (!detail::trim(c).empty()) {
            header = c;
            break;
        }
    std::vector<ddf_object> out;
    for (const xml_element& o : doc->root.children) {
        if (!detail::iequals(o.name, "Object")) continue;
        std::optional<ddf_object> obj = detail::read_object(o, error);
        if (!obj) return std::nullopt;
        obj->header_comment = header;
        out.push_back(std::move(*obj));
    }
    if (out.empty()) {
        error = detail::where(doc->root) + "<LWM2M> has no <Object>";
        return std::nullopt;
    }
    return out;
}

/**
 * The one `<Object>` of a DDF document (an error if it has none or several: use
 * `parse_ddf_all` for those). On error returns nullopt and sets `error` ("line N: what").
 */
[[nodiscard]] inline std::optional<ddf_object> parse_ddf(std::string_view xml, std::string& error) {
    std::optional<std::vector<ddf_object>> all = parse_ddf_all(xml, error);
    if (!all) return std::nullopt;
    if (all->size() != 1) {
        error = "the document defines " + std::to_string(all->size()) + " objects; parse_ddf expects one";
        return std::nullopt;
    }
    return std::move(all->front());
}

} // namespace lwm2m::ddf
