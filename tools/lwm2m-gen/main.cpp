// lwm2m-gen: generates constexpr object schemas (include/lwm2m/model/objects/*.hpp) from OMA
// LwM2M object definition (DDF) XML files. See tools/lwm2m-gen/README.md.
//
//   lwm2m-gen [--namespace NS] [--suffix S] [--registry-header FILE] [--include-prefix P]
//             INPUT.xml... (-o OUTDIR | --stdout)
//
// One header per <Object>, named after the object (snake_case of <Name>, plus S):
//   namespace NS::<name> { inline constexpr auto object = make_object(...);
//                          inline constexpr std::uint16_t <resource_name> = <id>; ... }
// --registry-header FILE also writes FILE with `all_objects` (an object_view array of the
// objects of this run, by id) and `registry` (a schema_registry over it) in namespace NS.
//
// Build: g++ -std=c++20 -O2 -Wall -Wextra -Wpedantic -Werror tools/lwm2m-gen/main.cpp -o lwm2m-gen

#include "ddf.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using lwm2m::ddf::ddf_object;
using lwm2m::ddf::ddf_ops;
using lwm2m::ddf::ddf_range_kind;
using lwm2m::ddf::ddf_resource;
using lwm2m::ddf::ddf_type;

constexpr std::string_view usage =
    "usage: lwm2m-gen [--namespace NS] [--suffix S] [--registry-header FILE] [--include-prefix P]\n"
    "                 INPUT.xml... (-o OUTDIR | --stdout)\n"
    "  --namespace NS          enclosing namespace of the generated ones (default lwm2m::objects)\n"
    "  --suffix S              appended to every object name, e.g. _v1_0 (default none)\n"
    "  --registry-header FILE  also write FILE (in OUTDIR) listing the objects of this run\n"
    "  --include-prefix P      include path of the generated headers (default lwm2m/model/objects/)\n"
    "  -o OUTDIR               write <object_name>.hpp files into OUTDIR\n"
    "  --stdout                print the headers instead\n";

// ---- names -----------------------------------------------------------------------------------

const std::set<std::string, std::less<>>& cpp_keywords() {
    static const std::set<std::string, std::less<>> k = {
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
        "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
        "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
        "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
        "friend", "goto", "if", "import", "inline", "int", "long", "module", "mutable", "namespace", "new",
        "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected", "public",
        "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
        "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true",
        "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile",
        "wchar_t", "while", "xor", "xor_eq", "final", "override",
        // macros that would break the generated code
        "assert", "errno", "NULL", "EOF", "stdin", "stdout", "stderr", "unix", "linux", "i386"};
    return k;
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
char lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

/** Rules 1-4 of README.md: words of the name, lowercased, joined with '_'. */
std::string snake_words(std::string_view name) {
    // 1. "(s)" right after a letter is a plural marker: "Key(s)" -> "Keys".
    std::string text;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name.substr(i).starts_with("(s)") && i > 0 && is_alpha(name[i - 1])) {
            text += 's';
            i += 2;
        } else {
            text += name[i];
        }
    }
    // 2. words: maximal runs of ASCII letters and digits.
    std::vector<std::string> words;
    std::string w;
    const auto flush = [&] {
        if (w.empty()) return;
        // 3. camelCase split, only for words without digits ("LwM2M" stays whole).
        if (std::none_of(w.begin(), w.end(), is_digit)) {
            std::string part;
            for (std::size_t i = 0; i < w.size(); ++i) {
                const bool boundary =
                    i > 0 && is_upper(w[i]) &&
                    (is_lower(w[i - 1]) || (is_upper(w[i - 1]) && i + 1 < w.size() && is_lower(w[i + 1])));
                if (boundary) {
                    words.push_back(part);
                    part.clear();
                }
                part += w[i];
            }
            words.push_back(part);
        } else {
            words.push_back(w);
        }
        w.clear();
    };
    for (const char c : text) {
        if (is_alpha(c) || is_digit(c)) w += c;
        else flush();
    }
    flush();
    // 4. lowercase, '_' between words.
    std::string out;
    for (const std::string& word : words) {
        if (!out.empty()) out += '_';
        for (const char c : word) out += lower(c);
    }
    return out;
}

/** Collapses "__" (reserved in C++ identifiers) and trims a leading '_'. */
std::string tidy(std::string s) {
    std::string out;
    for (const char c : s)
        if (!(c == '_' && !out.empty() && out.back() == '_')) out += c;
    while (!out.empty() && out.front() == '_') out.erase(out.begin());
    return out;
}

/**
 * Rules 5-8 of README.md: a C++ identifier from a DDF name. `fallback` replaces an empty name, `digit_prefix`
 * goes before a leading digit, `suffix` is appended, and a keyword or a name in `reserved` gets a
 * trailing '_'.
 */
std::string identifier(std::string_view name, const std::string& fallback, std::string_view digit_prefix,
                       std::string_view suffix, const std::set<std::string, std::less<>>& reserved) {
    std::string s = snake_words(name);
    if (s.empty()) s = fallback;
    if (is_digit(s.front())) s = std::string(digit_prefix) + s;
    s += suffix;
    s = tidy(s);
    if (cpp_keywords().count(s) != 0 || reserved.count(s) != 0) s += '_';
    return s;
}

// ---- C++ text --------------------------------------------------------------------------------

/** A C++ string literal for UTF-8 text: printable ASCII kept, the rest as 3-digit octal escapes. */
std::string literal(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c >= 0x20 && c < 0x7F) {
            out += ch;
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(c));
            out += buf;
        }
    }
    return out + "\"";
}

/** Text for a comment: quoted, UTF-8 kept, control characters as spaces, no comment end. */
std::string comment_quote(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) out += ' ';
        else if (ch == '/' && !out.empty() && out.back() == '*') out += " /";
        else out += ch;
    }
    return out + "\"";
}

/** A double as a C++ floating literal (shortest round-trip form, always with '.' or 'e'). */
std::string number(double d) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

/** Human form of a number for comments (no trailing ".0"). */
std::string number_text(double d) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

std::string version_text(const lwm2m::ddf::ddf_version& v) {
    return std::to_string(v.major) + "." + std::to_string(v.minor);
}

std::string_view type_enumerator(ddf_type t) {
    switch (t) {
    case ddf_type::none: return "none";
    case ddf_type::string: return "string";
    case ddf_type::integer: return "integer";
    case ddf_type::unsigned_integer: return "unsigned_integer";
    case ddf_type::float_: return "float_";
    case ddf_type::boolean: return "boolean";
    case ddf_type::opaque: return "opaque";
    case ddf_type::time: return "time";
    case ddf_type::objlnk: return "objlnk";
    case ddf_type::corelnk: return "corelnk";
    }
    return "none";
}

std::string_view ops_enumerator(ddf_ops o) {
    switch (static_cast<unsigned>(o)) {
    case 0: return "none";
    case 1: return "read";
    case 2: return "write";
    case 3: return "read_write";
    case 4: return "execute";
    default: return "";
    }
}

/** `text` as `//` comment lines: trailing blanks removed, blank lines at either end dropped. */
std::string comment_block(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t b = 0;
    while (b <= text.size()) {
        const std::size_t e = std::min(text.find('\n', b), text.size());
        std::string line(text.substr(b, e - b));
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
        // A '\' at the end of a // comment line would splice the next line into it.
        if (!line.empty() && line.back() == '\\') line += " (sic)";
        lines.push_back(std::move(line));
        b = e + 1;
    }
    while (!lines.empty() && lines.front().empty()) lines.erase(lines.begin());
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::string out;
    for (const std::string& l : lines) out += l.empty() ? "//\n" : "// " + l + "\n";
    return out;
}

// ---- generation --------------------------------------------------------------------------------

struct input_object {
    std::string file;  // basename of the XML
    ddf_object def;
    std::string name;                   // namespace / header stem
    std::vector<std::string> res_names; // parallel to def.resources
};

struct options {
    std::string ns = "lwm2m::objects";
    std::string suffix;
    std::string registry_header;
    std::string include_prefix = "lwm2m/model/objects/";
    std::string outdir;
    bool to_stdout = false;
    std::vector<std::string> inputs;
};

bool valid_namespace(std::string_view ns) {
    if (ns.empty()) return false;
    std::size_t b = 0;
    for (;;) {
        const std::size_t e = ns.find("::", b);
        const std::string_view part = ns.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b);
        if (part.empty() || is_digit(part.front())) return false;
        for (const char c : part)
            if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
        if (e == std::string_view::npos) return true;
        b = e + 2;
    }
}

/** What make_object would reject, as an error message; empty if the object is fine. */
std::string schema_problem(const ddf_object& o) {
    if (o.id > 65534) return "object id " + std::to_string(o.id) + " is out of range (make_object: schema_error_object_id_out_of_range)";
    std::map<std::uint16_t, const ddf_resource*> seen;
    for (const ddf_resource& r : o.resources) {
        const std::string what = "resource " + std::to_string(r.id) + " \"" + r.name + "\"";
        if (r.id > 65534) return what + ": id out of range (make_object: schema_error_resource_id_out_of_range)";
        if (!seen.emplace(r.id, &r).second)
            return what + ": duplicate id (make_object: schema_error_duplicate_resource_id)";
        const bool exec = (static_cast<unsigned>(r.ops) & 4u) != 0;
        if (exec && r.type != ddf_type::none)
            return what + ": executable with type " + std::string(type_name(r.type)) +
                   " (make_object: schema_error_executable_resource_with_value_type)";
        if (!exec && r.type == ddf_type::none)
            return what + ": not executable and without a type (make_object: schema_error_value_resource_without_type)";
        if (ops_enumerator(r.ops).empty())
            return what + ": operations " + lwm2m::ddf::ops_name(r.ops) + " mix Execute with Read/Write";
    }
    return {};
}

std::string resource_summary(const ddf_resource& r) {
    std::string s = "Resource " + std::to_string(r.id) + " " + comment_quote(r.name) + ": ";
    const std::string ops = lwm2m::ddf::ops_name(r.ops);
    s += ops.empty() ? "no operations" : ops;
    if (r.type != ddf_type::none) s += ", " + std::string(type_name(r.type));
    s += r.multiple ? ", multiple" : ", single";
    s += r.mandatory ? ", mandatory" : ", optional";
    if (r.range.kind == ddf_range_kind::numeric)
        s += ", range " + number_text(r.range.min) + ".." + number_text(r.range.max);
    else if (r.range.kind == ddf_range_kind::length)
        s += ", length " + number_text(r.range.min) + ".." + number_text(r.range.max) + " bytes";
    if (!r.units.empty()) s += ", units " + comment_quote(r.units);
    return s + ".";
}

std::string generate_header(const input_object& in, const options& opt) {
    const ddf_object& o = in.def;
    std::ostringstream h;
    h << "// Generated by tools/lwm2m-gen from " << in.file << " (OMA LwM2M registry, object " << o.id << " v"
      << version_text(o.version) << "). Do not edit.\n";
    if (!o.header_comment.empty()) {
        h << "//\n// The object definition file carries this notice, kept here as it asks:\n//\n";
        h << comment_block(o.header_comment);
    }
    h << "\n#pragma once\n";
    h << "/**\n * @file " << opt.include_prefix << in.name << ".hpp\n";
    h << " * Schema of LwM2M object " << o.id << " " << comment_quote(o.name) << " v" << version_text(o.version);
    if (!o.urn.empty()) h << " (" << o.urn << ")";
    h << ", LwM2M " << version_text(o.lwm2m_version) << ":\n";
    h << " * `object` (an `lwm2m::object_def`) and one `std::uint16_t` constant per resource id.\n";
    h << " * Allocation: none.\n */\n\n";
    h << "#include <cstdint>\n\n";
    h << "#include <lwm2m/model/data_type.hpp>\n";
    h << "#include <lwm2m/model/object_def.hpp>\n";
    h << "#include <lwm2m/model/resource_def.hpp>\n\n";
    h << "/** Object " << o.id << " " << comment_quote(o.name) << " v" << version_text(o.version)
      << ": schema and resource ids. */\n";
    h << "namespace " << opt.ns << "::" << in.name << " {\n\n";

    std::vector<std::size_t> order(o.resources.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return o.resources[a].id < o.resources[b].id; });

    h << "/** Object " << o.id << " " << comment_quote(o.name) << " v" << version_text(o.version) << ": "
      << (o.multiple ? "multiple instances" : "single instance") << ", " << (o.mandatory ? "mandatory" : "optional")
      << ", " << o.resources.size() << " resources. */\n";
    h << "inline constexpr auto object = ::lwm2m::make_object(\n";
    h << "    ::lwm2m::object_info{.id = " << o.id << ",\n";
    h << "                         .name = " << literal(o.name) << ",\n";
    h << "                         .version = {" << o.version.major << ", " << o.version.minor << "},\n";
    h << "                         .instances = ::lwm2m::multiplicity::" << (o.multiple ? "multiple" : "single") << ",\n";
    h << "                         .required = ::lwm2m::presence::" << (o.mandatory ? "mandatory" : "optional") << ",\n";
    h << "                         .urn = " << literal(o.urn) << "}";
    for (const std::size_t i : order) {
        const ddf_resource& r = o.resources[i];
        h << ",\n    ::lwm2m::resource_def{.id = " << r.id << ", .name = " << literal(r.name)
          << ", .ops = ::lwm2m::operations::" << ops_enumerator(r.ops) << ", .type = ::lwm2m::data_type::"
          << type_enumerator(r.type) << ",\n";
        h << "                          .instances = ::lwm2m::multiplicity::" << (r.multiple ? "multiple" : "single")
          << ", .required = ::lwm2m::presence::" << (r.mandatory ? "mandatory" : "optional") << ",\n";
        h << "                          .range = ";
        if (r.range.kind == ddf_range_kind::none) h << "{}";
        else h << "{.present = true, .min = " << number(r.range.min) << ", .max = " << number(r.range.max) << "}";
        h << ", .units = " << literal(r.units) << "}";
    }
    h << ");\n";
    for (const std::size_t i : order) {
        const ddf_resource& r = o.resources[i];
        h << "\n/** " << resource_summary(r) << " */\n";
        h << "inline constexpr std::uint16_t " << in.res_names[i] << " = " << r.id << ";";
    }
    h << "\n\n} // namespace " << opt.ns << "::" << in.name << "\n";
    return h.str();
}

std::string generate_registry(const std::vector<input_object>& objects, const options& opt) {
    std::vector<const input_object*> sorted;
    for (const input_object& o : objects) sorted.push_back(&o);
    std::stable_sort(sorted.begin(), sorted.end(), [](const input_object* a, const input_object* b) {
        return a->def.id < b->def.id;
    });
    std::ostringstream h;
    h << "// Generated by tools/lwm2m-gen from";
    for (const input_object* o : sorted) h << " " << o->file;
    h << " (OMA LwM2M registry). Do not edit.\n\n#pragma once\n";
    h << "/**\n * @file " << opt.include_prefix << opt.registry_header << "\n";
    h << " * Every object schema generated together with this header, as `all_objects` (an array of\n";
    h << " * `lwm2m::object_view`, sorted by object id) and `registry` (an `lwm2m::schema_registry`\n";
    h << " * over it):\n *\n";
    for (const input_object* o : sorted)
        h << " * - " << o->def.id << " " << comment_quote(o->def.name) << " v" << version_text(o->def.version) << ": `"
          << opt.ns << "::" << o->name << "`\n";
    h << " *\n * Allocation: none.\n */\n\n";
    h << "#include <lwm2m/model/object_def.hpp>\n";
    h << "#include <lwm2m/model/schema_registry.hpp>\n\n";
    std::vector<std::string> includes;
    for (const input_object* o : sorted) includes.push_back(opt.include_prefix + o->name + ".hpp");
    std::sort(includes.begin(), includes.end());
    for (const std::string& inc : includes) h << "#include <" << inc << ">\n";
    h << "\nnamespace " << opt.ns << " {\n\n";
    h << "/** The generated object schemas, sorted by object id. */\n";
    h << "inline constexpr ::lwm2m::object_view all_objects" << opt.suffix << "[] = {\n";
    for (const input_object* o : sorted) h << "    " << o->name << "::object,  // " << o->def.id << "\n";
    h << "};\n\n";
    h << "/** A schema registry of `all_objects" << opt.suffix << "`. */\n";
    h << "inline constexpr ::lwm2m::schema_registry registry" << opt.suffix << "{all_objects" << opt.suffix << "};\n\n";
    h << "} // namespace " << opt.ns << "\n";
    return h.str();
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    std::ostringstream s;
    s << f.rdbuf();
    out = s.str();
    return static_cast<bool>(f) || f.eof();
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    return static_cast<bool>(f);
}

int run(int argc, char** argv) {
    options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto value = [&](std::string& out) {
            if (i + 1 >= argc) {
                std::cerr << "lwm2m-gen: " << a << " needs a value\n" << usage;
                return false;
            }
            out = argv[++i];
            return true;
        };
        if (a == "-h" || a == "--help") {
            std::cout << usage;
            return 0;
        } else if (a == "--namespace") {
            if (!value(opt.ns)) return 2;
        } else if (a == "--suffix") {
            if (!value(opt.suffix)) return 2;
        } else if (a == "--registry-header") {
            if (!value(opt.registry_header)) return 2;
        } else if (a == "--include-prefix") {
            if (!value(opt.include_prefix)) return 2;
        } else if (a == "-o") {
            if (!value(opt.outdir)) return 2;
        } else if (a == "--stdout") {
            opt.to_stdout = true;
        } else if (a.starts_with("-") && a != "-") {
            std::cerr << "lwm2m-gen: unknown option " << a << "\n" << usage;
            return 2;
        } else {
            opt.inputs.emplace_back(a);
        }
    }
    if (opt.inputs.empty() || (opt.outdir.empty() != opt.to_stdout)) {
        std::cerr << usage;
        return 2;
    }
    if (!valid_namespace(opt.ns)) {
        std::cerr << "lwm2m-gen: --namespace must be identifiers joined by '::': " << opt.ns << "\n";
        return 2;
    }
    for (const char c : opt.suffix)
        if (!is_alpha(c) && !is_digit(c) && c != '_') {
            std::cerr << "lwm2m-gen: --suffix may only contain letters, digits and '_': " << opt.suffix << "\n";
            return 2;
        }
    if (!opt.include_prefix.empty() && opt.include_prefix.back() != '/') opt.include_prefix += '/';

    // Read and check every input.
    std::vector<input_object> objects;
    for (const std::string& path : opt.inputs) {
        std::string text, error;
        if (!read_file(path, text)) {
            std::cerr << "lwm2m-gen: cannot read " << path << "\n";
            return 1;
        }
        auto all = lwm2m::ddf::parse_ddf_all(text, error);
        if (!all) {
            std::cerr << path << ": " << error << "\n";
            return 1;
        }
        for (ddf_object& o : *all) {
            if (const std::string problem = schema_problem(o); !problem.empty()) {
                std::cerr << path << ": object " << o.id << " \"" << o.name << "\": " << problem << "\n";
                return 1;
            }
            input_object in;
            in.file = std::filesystem::path(path).filename().string();
            in.def = std::move(o);
            objects.push_back(std::move(in));
        }
    }

    // Object names (README.md, "Names").
    const std::set<std::string, std::less<>> reserved_objects = {"all_objects" + opt.suffix,
                                                                   "registry" + opt.suffix};
    for (input_object& in : objects)
        in.name = identifier(in.def.name, "object_" + std::to_string(in.def.id), "object_", opt.suffix, reserved_objects);
    {
        std::map<std::string, std::vector<input_object*>> by_name;
        for (input_object& in : objects) by_name[in.name].push_back(&in);
        for (auto& [name, group] : by_name) {
            if (group.size() < 2) continue;
            std::stable_sort(group.begin(), group.end(),
                             [](const input_object* a, const input_object* b) { return a->def.id < b->def.id; });
            for (std::size_t k = 1; k < group.size(); ++k) {
                if (group[k]->def.id == group[0]->def.id) {
                    std::cerr << "lwm2m-gen: " << group[0]->file << " and " << group[k]->file << " both define object "
                              << group[0]->def.id << " as `" << name
                              << "`: generate other versions in a separate run with --suffix\n";
                    return 1;
                }
                group[k]->name = tidy(name + "_" + std::to_string(group[k]->def.id));
            }
        }
        std::set<std::string> check;
        for (const input_object& in : objects)
            if (!check.insert(in.name).second) {
                std::cerr << "lwm2m-gen: two objects are named `" << in.name << "` even after disambiguation\n";
                return 1;
            }
    }
    // Resource names.
    static const std::set<std::string, std::less<>> reserved_resources = {"object"};
    for (input_object& in : objects) {
        const auto& rs = in.def.resources;
        in.res_names.resize(rs.size());
        for (std::size_t i = 0; i < rs.size(); ++i)
            in.res_names[i] = identifier(rs[i].name, "resource_" + std::to_string(rs[i].id), "resource_", "",
                                         reserved_resources);
        // Rule 9, collisions: the lowest id keeps the name, the others get "_<id>".
        std::map<std::string, std::vector<std::size_t>> by_name;
        for (std::size_t i = 0; i < rs.size(); ++i) by_name[in.res_names[i]].push_back(i);
        for (auto& [name, group] : by_name) {
            if (group.size() < 2) continue;
            std::stable_sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) { return rs[a].id < rs[b].id; });
            for (std::size_t k = 1; k < group.size(); ++k)
                in.res_names[group[k]] = tidy(name + "_" + std::to_string(rs[group[k]].id));
        }
    }

    // Output.
    std::vector<std::pair<std::string, std::string>> files;
    for (const input_object& in : objects) files.emplace_back(in.name + ".hpp", generate_header(in, opt));
    if (!opt.registry_header.empty()) files.emplace_back(opt.registry_header, generate_registry(objects, opt));

    if (opt.to_stdout) {
        bool first = true;
        for (const auto& [name, text] : files) {
            if (!first) std::cout << "\n";
            first = false;
            std::cout << "// ---- " << name << " ----\n" << text;
        }
        return std::cout ? 0 : 1;
    }
    std::error_code ec;
    std::filesystem::create_directories(opt.outdir, ec);
    if (ec) {
        std::cerr << "lwm2m-gen: cannot create " << opt.outdir << ": " << ec.message() << "\n";
        return 1;
    }
    for (const auto& [name, text] : files) {
        const std::filesystem::path p = std::filesystem::path(opt.outdir) / name;
        if (!write_file(p, text)) {
            std::cerr << "lwm2m-gen: cannot write " << p.string() << "\n";
            return 1;
        }
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) { return run(argc, argv); }
