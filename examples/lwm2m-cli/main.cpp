// lwm2m-cli: command-line companion of the lwm2m toolkit.
//
//   lwm2m-cli coap decode HEX|-     one CoAP datagram (hex) -> one line of JSON
//   lwm2m-cli coap encode JSON|-    the same JSON shape -> the datagram as hex
//   lwm2m-cli decode --format F [--path P] [--objects DIR] HEX|TEXT|-
//                                   an LwM2M payload -> SenML JSON records (or links)
//   lwm2m-cli encode --format F [--path P] [--objects DIR] JSON|-
//                                   those records (or links) -> the payload
//
// An example program: it uses the standard library freely (the core under include/ stays
// heap-free). The help text below is the reference for its behaviour; tests/cli/cli_test.sh
// checks it.

#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <lwm2m/bytes.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

#include <lwm2m/path/path.hpp>

#include "coap_json.hpp"
#include "payload_json.hpp"
#include "schemas.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_invalid_input = 1;
constexpr int exit_usage = 2;

constexpr std::string_view usage_text = R"(lwm2m-cli - LwM2M / CoAP toolkit on the command line

Usage:
  lwm2m-cli coap decode HEX    decode one CoAP datagram (RFC 7252) into one line of JSON
  lwm2m-cli coap encode JSON   encode a CoAP message described in JSON; prints it as hex
  lwm2m-cli decode --format FMT [--path PATH] [--objects DIR] HEX|TEXT
                               decode an LwM2M payload into records (SenML JSON) or links
  lwm2m-cli encode --format FMT [--path PATH] [--objects DIR] JSON
                               encode records (or links) as a payload; prints hex or text
  lwm2m-cli --help | -h        print this help and exit

Arguments:
  HEX    the datagram, or the payload of a binary format, as hex digits, upper or lower case.
         Whitespace (space, tab, newline, CR, FF, VT) may appear anywhere and is ignored;
         anything else is an error (no "0x" prefix, no ':' or other separators).
  TEXT   the payload of a text format (text, senml-json, oma-json, link): the text itself,
         taken byte for byte. senml-json, oma-json and link also take their payload as HEX
         (an argument of hex digits and whitespace alone cannot be one of those texts);
         text takes TEXT only ("12" is the text 12, not the byte 0x12).
  JSON   one JSON document: for 'coap encode' an object of the shape that 'coap decode'
         prints, for 'encode' an array of the shape that 'decode' prints (see below).
  -      in place of HEX, TEXT or JSON: read it from standard input (all of it; one trailing
         newline is removed).
  --     ends the options of decode/encode: the next argument is HEX, TEXT or JSON even if it
         starts with '-' (e.g. the text "-5").

Payload formats (FMT), and how the payload is given to decode and printed by encode:
  text        text/plain (0)                          TEXT   one value, of the resource at PATH
  opaque      application/octet-stream (42)           HEX    the bytes of the resource at PATH
  cbor        application/cbor (60)                   HEX    one CBOR item, the value at PATH
  tlv         application/vnd.oma.lwm2m+tlv (11542)   HEX
  senml-json  application/senml+json (110)            TEXT|HEX
  senml-cbor  application/senml+cbor (112)            HEX
  lwm2m-cbor  application/vnd.oma.lwm2m+cbor (11544)  HEX
  oma-json    application/vnd.oma.lwm2m+json (11543)  TEXT|HEX  the LwM2M 1.0 JSON format
  link        application/link-format (40)            TEXT|HEX  links, not records; PATH unused

Options of decode and encode (after the command, in any order, each at most once; the form
--option=VALUE works too):
  --format FMT   the payload format (required).
  --path PATH    the request path the payload belongs to, as in a Read or Write of PATH
                 (default /). It decides what the payload may hold: text, opaque and cbor need a
                 resource (/3/0/9) or resource instance path, tlv at least an object (/3);
                 every record must lie under PATH.
  --objects DIR  also load the object definitions (OMA DDF XML, as in the OMA registry) of
                 every *.xml file in DIR; they override shipped objects with the same id.
                 e.g. lwm2m-cli decode --objects ./my-objects --format tlv --path /32769/0 HEX
  Values are typed by the object definitions shipped with the toolkit (objects 0-7, 3303,
  3306, 3308, 3311, 3312, 3316, 3328, 3331, 3341) and those of --objects. For an object with
  a definition, a resource it does not define, a value of the wrong type or outside the
  resource's range, and a single/multiple mismatch are errors; objects without one are read
  and written untyped.

decode prints one line: a JSON array in SenML JSON (RFC 8428) with absolute names and no
"bn", one object per record in payload order, with these keys in this order:
  n      the absolute path of the record, e.g. "/3/0/7/1"
  t      the time in seconds, when the format carried one (SenML bt + t, OMA JSON); an
         integer when integral
  then the value, under the label of its type (none for a record without value, e.g. an
  empty object instance in TLV):
  v      Integer, Unsigned Integer and Time (integers printed exactly), Float (shortest form
         that reads back exactly, with ".0" when integral; null for NaN and infinities,
         which JSON cannot hold)
  vs     String and Corelnk
  vb     Boolean
  vd     Opaque, as base64url without padding; also the raw bytes of a value whose type is
         not known (TLV of an object without definition)
  vlo    Objlnk, as "ObjID:InstID"
  Examples:
    $ lwm2m-cli decode --format tlv --path /3/0 c800144f70656e204d6f62696c6520416c6c69616e6365c10964
    [{"n":"/3/0/0","vs":"Open Mobile Alliance"},{"n":"/3/0/9","v":100}]
    $ lwm2m-cli decode --format senml-json --path /3/0 '[{"bn":"/3/0/","n":"7/0","v":3800}]'
    [{"n":"/3/0/7/0","v":3800}]
    $ lwm2m-cli decode --format text --path /3303/0/5700 22
    [{"n":"/3303/0/5700","v":22.0}]

decode --format link prints one line: a JSON array, one object per link, with the keys
  path        the URI as an LwM2M path (e.g. "/3/0"); the URI as written when it is not one
  attributes  an object of the link's parameters in order: the values of pmin, pmax, gt, lt,
              st, epmin, epmax, dim, ssid and ct as JSON numbers when they are numbers, a ct
              list ("60 110") as an array of numbers, every other value as a string (quotes
              and escapes removed), a parameter without value as true
  Example:
    $ lwm2m-cli decode --format link '</>;rt="oma.lwm2m";ct=11543,</3/0>;pmin=10;obs'
    [{"path":"/","attributes":{"rt":"oma.lwm2m","ct":11543}},{"path":"/3/0","attributes":{"pmin":10,"obs":true}}]

encode reads the array that decode prints and prints the payload: as lowercase hex on one
line for binary formats, as the text itself for text formats. Each record is an object with
  n       the name: an absolute path, e.g. "/3/0/0". "bn" is accepted too: as in SenML, the
          name is "bn" + "n", and a "bn" holds for the records after it until the next one.
  t       optional: the time (written by senml-json, senml-cbor and oma-json)
  one of v, vs, vb, vd, vlo, or none: the value. With a definition, the resource's type
          decides: "v" is an Integer, Unsigned Integer, Float or Time as the resource says
          ("v":3800 for an Integer resource is an integer, for a Float one 3800.0; a fraction
          for an integer type is type_mismatch); "vs" is a String, a Corelnk or an Objlnk
          ("3:0"); "vb" a Boolean; "vd" Opaque (base64url, padding optional); "vlo" an Objlnk.
          Without a definition: "v" integer literals are Integer (Unsigned Integer above
          2^63-1), other numbers Float; "vs" String; "vb" Boolean; "vd" Opaque; "vlo" Objlnk.
  Any other key is an error. tlv and lwm2m-cbor get the records sorted by path (they group
  them); the other formats keep the order given. text, opaque and cbor take exactly one record,
  whose name is PATH.
  Examples:
    $ lwm2m-cli encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":100},{"n":"/3/0/7/0","v":3800}]'
    840742000ed8c10964
    $ lwm2m-cli encode --format text --path /3303/0/5700 '[{"n":"/3303/0/5700","v":22.5}]'
    22.5

encode --format link reads the array that decode --format link prints: "path" (required; the
URI, written as it is) and "attributes" (optional). An attribute true is written without value
(obs), a number as it is (pmin=10), an array of numbers as a quoted list (ct="60 110"), a
string quoted (rt="oma.lwm2m"), except that a ver value that is a token stays bare (ver=1.1).
So decode --format link gives back the JSON that encode --format link was given (but for a
one-element list, which reads back as a number).
  Example:
    $ lwm2m-cli encode --format link '[{"path":"/3/0","attributes":{"ver":"1.1","ct":[60,110]}}]'
    </3/0>;ver=1.1;ct="60 110"

To convert a payload from one format to another, pipe decode into encode:
  lwm2m-cli decode --format tlv --path /3/0 HEX | lwm2m-cli encode --format senml-json --path /3/0 -

coap decode prints one line: a JSON object with exactly these keys, in this order:
  type     "CON", "NON", "ACK" or "RST"
  code     the code in dotted form "c.dd", e.g. "0.02" (POST), "2.05" (Content)
  mid      the message ID, a number 0..65535
  token    the token as lowercase hex ("" when empty)
  options  an array of the options in wire order (ascending number), each an object:
             number  the option number
             name    the registry name, e.g. "Uri-Path"; omitted for unknown options
             hex     the raw value as lowercase hex ("" when empty); always present
             value   known string options (Uri-Host, Location-Path, Uri-Path, Uri-Query,
                     Location-Query, Proxy-Uri, Proxy-Scheme): the text as a JSON string,
                     omitted if the bytes are not UTF-8; known uint options (Observe,
                     Uri-Port, Content-Format, Max-Age, Hop-Limit, Accept, Q-Block1,
                     Block2, Block1, Size2, Q-Block2, Size1, No-Response): the number;
                     omitted for empty (If-None-Match), opaque (If-Match, ETag, OSCORE,
                     Echo, Request-Tag) and unknown options
  payload  the payload as lowercase hex ("" when there is none)
  The datagram is checked against every rule of RFC 7252 sections 3 and 4.1-4.3 and the
  registered option lengths (section 5.4.3); a datagram that breaks one is rejected.
  Example:
    $ lwm2m-cli coap decode 5445000101020304623039
    {"type":"NON","code":"2.05","mid":1,"token":"01020304","options":[{"number":6,"name":"Observe","hex":"3039","value":12345}],"payload":""}

coap encode reads the same shape and prints the datagram as lowercase hex on one line:
  type     required: "CON", "NON", "ACK" or "RST"
  code     required: "c.dd" (class 0-7, detail 00-31)
  mid      optional, default 0: an integer 0..65535
  token    optional, default "": hex of at most 8 bytes
  options  optional, default []: in any order; they are sorted by number, repeated
           options keeping their relative order. Each option is an object with
             number and/or name   the option (a name is a registry name as decode prints
                                  it, case-sensitive; with both, they must agree)
             hex and/or value     its value; with both, they must agree and the hex bytes
                                  are used (so non-minimal uint encodings are kept).
                                  value is a JSON string for string options and an
                                  integer for uint options (encoded in the fewest bytes);
                                  other options need hex, except that an empty option
                                  (If-None-Match) may have neither.
  payload  optional, default "": hex
  Hex inside JSON strings is digits only (any case, even count). Any other key is an
  error. The message must satisfy the same rules decode checks, so
  'coap encode' of the output of 'coap decode X' prints X again.
  Example:
    $ lwm2m-cli coap encode '{"type":"CON","code":"0.01","mid":1,"options":[{"name":"Uri-Path","value":"3"}]}'
    40010001b133

Errors:
  Invalid input prints exactly one line on standard error and exits with status 1:
    error: <name> at offset <n>
  <name> is the toolkit's error name (lwm2m::name(errc)) and <n> a byte offset:
  coap decode
          - a hex syntax error (a character that is not a hex digit or whitespace, or an
            odd number of digits) is invalid_argument at the offset of the character in
            HEX (for an odd count: just past the last digit);
          - a malformed datagram gives the codec's error (message_too_short,
            truncated_option_value, invalid_option_length, ...) at the offset in the
            decoded datagram.
  coap encode
          - JSON that is not well-formed (RFC 8259, strict) is invalid_json at the offset
            in JSON (invalid_utf8 for bytes that are not UTF-8, duplicate_entry for a key
            repeated in one object, capacity_exceeded for nesting deeper than 256);
          - well-formed JSON that does not describe a message is invalid_argument at the
            offset of the offending value (of the key, for an unknown key; of the object,
            for a missing key): not an object, unknown key, missing type or code, missing
            number/name or hex/value, unknown option name, wrong JSON type, a number that
            is out of range or not an integer, bad hex, a string for a uint option,
            number/name or hex/value that disagree;
          - a message that RFC 7252 forbids gives the codec's error at the offset of the
            offending value: invalid_token_length, invalid_option_length,
            option_value_too_long, reserved_code_class, empty_message_not_empty,
            non_confirmable_empty, reset_not_empty, ack_carries_request.
  Members are checked in the order they appear (within an option: number/name, then hex,
  then value) and the first error is reported; the rules that tie members together (type
  and code, an Empty message) are checked after all members.
  decode
          - a hex syntax error in HEX is invalid_argument, as for coap decode;
          - a payload that the format, PATH or an object definition rejects gives the
            format's error at its offset in the payload (in bytes; for TEXT, in the text):
            e.g. truncated_value, length_exceeds_payload, invalid_nesting (tlv),
            invalid_senml, invalid_json, invalid_cbor, invalid_link_format,
            resource_not_in_schema, type_mismatch, number_out_of_range, path_wrong_level
            (at offset 0: PATH is not a level the format can hold).
  encode
          - JSON that is not well-formed: as for coap encode;
          - invalid_argument at the offending value (of the key, for an unknown key; of the
            record, for a record without "n" and "bn"): not an array, a record that is not
            an object, unknown key, a key of the wrong JSON type, two value keys (at the
            second); link: a missing "path", a URI or string the link format cannot carry,
            false, null or an object as attribute value, an empty or non-number list;
          - at the name ("n", else "bn"): the path errors (path_syntax, path_invalid_number,
            path_id_out_of_range, path_too_deep), invalid_nesting (not under PATH, or a
            single/multiple mismatch with the definition), not_resource_instance_level (a
            value above resource level), resource_not_in_schema;
          - at the value: type_mismatch, number_out_of_range (not in the type or the
            resource's range; a time that is not finite), invalid_objlnk, invalid_base64;
          - what the format's writer rejects (e.g. invalid_argument for a second record in
            text, or two records with one path in tlv) at the record concerned.
  --objects: a directory that cannot be read or a file that is not a valid object definition
  prints one line "lwm2m-cli: <file>: <what>" on standard error and exits with status 1.

Exit status:
  0  success
  1  invalid input (or a failure to read standard input, --objects or to write standard
     output)
  2  usage error: unknown command or option, missing or extra argument, missing or repeated
     option, unknown format, invalid --path (one line on standard error); run without
     arguments, this help is printed on standard error
)";

int usage_error(std::string_view message) {
    std::cerr << "lwm2m-cli: " << message << " (run 'lwm2m-cli --help' for usage)\n";
    return exit_usage;
}

int input_error(const lwm2m::error& e) {
    std::cerr << "error: " << lwm2m::name(e.code) << " at offset " << e.offset << '\n';
    return exit_invalid_input;
}

int print(const std::string& line) {
    std::cout << line << '\n';
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "lwm2m-cli: cannot write standard output\n";
        return exit_invalid_input;
    }
    return exit_ok;
}

// The argument text, or all of stdin for "-" (one trailing "\n" or "\r\n" removed).
bool read_argument(std::string_view arg, std::string& out) {
    if (arg != "-") {
        out.assign(arg);
        return true;
    }
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    if (std::cin.bad()) return false;
    out = std::move(ss).str();
    if (!out.empty() && out.back() == '\n') {
        out.pop_back();
        if (!out.empty() && out.back() == '\r') out.pop_back();
    }
    return true;
}

int coap_decode(std::string_view arg) {
    std::string text;
    if (!read_argument(arg, text)) {
        std::cerr << "lwm2m-cli: cannot read standard input\n";
        return exit_invalid_input;
    }
    const auto datagram = lwm2m_cli::parse_hex_text(text);
    if (!datagram) return input_error(datagram.error());
    const auto json = lwm2m_cli::decode_json(lwm2m::bytes_view{datagram->data(), datagram->size()});
    if (!json) return input_error(json.error());
    return print(*json);
}

int coap_encode(std::string_view arg) {
    std::string text;
    if (!read_argument(arg, text)) {
        std::cerr << "lwm2m-cli: cannot read standard input\n";
        return exit_invalid_input;
    }
    const auto datagram = lwm2m_cli::encode_json(text);
    if (!datagram) return input_error(datagram.error());
    return print(lwm2m_cli::to_hex(lwm2m::bytes_view{datagram->data(), datagram->size()}));
}

// ---- payload commands ----------------------------------------------------------------------

struct payload_options {
    const lwm2m_cli::payload::format_info* format = nullptr;
    std::optional<std::string_view> path_text;
    lwm2m::path base{};
    std::optional<std::string_view> objects;
    std::optional<std::string_view> input;
};

// Parses the arguments after "decode"/"encode". Returns exit_ok, or the usage error's status
// (the message already printed).
int parse_payload_options(std::string_view command, const std::vector<std::string_view>& args, payload_options& o) {
    bool options_done = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (!options_done && a == "--") {
            options_done = true;
            continue;
        }
        if (options_done || a.size() < 2 || a[0] != '-') {
            if (o.input) return usage_error("unexpected argument '" + std::string(a) + "'");
            o.input = a;
            continue;
        }
        std::string_view name = a;
        std::optional<std::string_view> value;
        if (const std::size_t eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
        }
        if (name != "--format" && name != "--path" && name != "--objects")
            return usage_error("unknown option '" + std::string(name) + "'");
        if (!value) {
            if (i + 1 == args.size()) return usage_error("option '" + std::string(name) + "' needs a value");
            value = args[++i];
        }
        const bool repeated = (name == "--format" && o.format) || (name == "--path" && o.path_text) ||
                              (name == "--objects" && o.objects);
        if (repeated) return usage_error("option '" + std::string(name) + "' given twice");
        if (name == "--format") {
            o.format = lwm2m_cli::payload::find_format(*value);
            if (!o.format)
                return usage_error("unknown format '" + std::string(*value) +
                                   "' (text, opaque, cbor, tlv, senml-json, senml-cbor, lwm2m-cbor, oma-json, link)");
        } else if (name == "--path") {
            o.path_text = *value;
            const auto p = lwm2m::parse_path(*value);
            if (!p)
                return usage_error("invalid path '" + std::string(*value) + "' for --path: " +
                                   std::string(lwm2m::name(p.error().code)) + " at offset " +
                                   std::to_string(p.error().offset));
            o.base = *p;
        } else {
            o.objects = *value;
        }
    }
    if (!o.format) return usage_error("missing option '--format' for '" + std::string(command) + "'");
    if (!o.input)
        return usage_error(command == "decode" ? "missing argument: the payload for 'decode' (HEX, TEXT or -)"
                                               : "missing argument: the JSON for 'encode' (or -)");
    return exit_ok;
}

int payload_command(std::string_view command, const std::vector<std::string_view>& args) {
    payload_options o;
    if (const int rc = parse_payload_options(command, args, o); rc != exit_ok) return rc;
    lwm2m_cli::schema_set schemas;
    if (o.objects) {
        if (const std::string e = schemas.load_directory(std::filesystem::path(std::string(*o.objects))); !e.empty()) {
            std::cerr << "lwm2m-cli: " << e << '\n';
            return exit_invalid_input;
        }
    }
    std::string text;
    if (!read_argument(*o.input, text)) {
        std::cerr << "lwm2m-cli: cannot read standard input\n";
        return exit_invalid_input;
    }
    const lwm2m_cli::payload::format_info& f = *o.format;
    const bool links = f.number == lwm2m::format::content_format::link_format;
    if (command == "decode") {
        // SenML JSON, OMA JSON and link format payloads start with '[', '{' or '<' (or are
        // empty), never with a hex digit: given as hex, they are unambiguous, so take both.
        if (f.text && f.number != lwm2m::format::content_format::text && lwm2m_cli::is_hex_text(text)) {
            auto bytes = lwm2m_cli::parse_hex_text(text);
            if (!bytes) return input_error(bytes.error());
            text.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
        }
        if (links) {
            const auto json = lwm2m_cli::payload::decode_links(text);
            if (!json) return input_error(json.error());
            return print(*json);
        }
        std::vector<std::byte> payload;
        if (f.text) {
            payload.assign(reinterpret_cast<const std::byte*>(text.data()),
                           reinterpret_cast<const std::byte*>(text.data()) + text.size());
        } else {
            auto bytes = lwm2m_cli::parse_hex_text(text);
            if (!bytes) return input_error(bytes.error());
            payload = std::move(*bytes);
        }
        const auto json = lwm2m_cli::payload::decode_records(f.number, lwm2m::bytes_view{payload.data(), payload.size()},
                                                             o.base, schemas.registry());
        if (!json) return input_error(json.error());
        return print(*json);
    }
    const auto out = links ? lwm2m_cli::payload::encode_links(text)
                           : lwm2m_cli::payload::encode_records(f.number, text, o.base, schemas.registry());
    if (!out) return input_error(out.error());
    if (f.text) return print(*out);
    return print(lwm2m_cli::to_hex(lwm2m::as_bytes(*out)));
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    if (args.empty()) {
        std::cerr << usage_text;
        return exit_usage;
    }
    for (const std::string_view a : args) {
        if (a == "--") break;
        if (a == "--help" || a == "-h") return print(std::string(usage_text.substr(0, usage_text.size() - 1)));
    }
    if (args[0] == "decode" || args[0] == "encode") return payload_command(args[0], args);
    // Anything else that looks like an option (but "-", which means stdin) is unknown.
    for (const std::string_view a : args) {
        if (a.size() > 1 && a[0] == '-') return usage_error("unknown option '" + std::string(a) + "'");
    }
    if (args[0] != "coap") return usage_error("unknown command '" + std::string(args[0]) + "'");
    if (args.size() < 2) return usage_error("missing command after 'coap' (decode or encode)");
    const std::string_view sub = args[1];
    if (sub != "decode" && sub != "encode") return usage_error("unknown command 'coap " + std::string(sub) + "'");
    if (args.size() < 3)
        return usage_error("missing argument: 'coap " + std::string(sub) + (sub == "decode" ? " HEX'" : " JSON'"));
    if (args.size() > 3) return usage_error("unexpected argument '" + std::string(args[3]) + "'");
    return sub == "decode" ? coap_decode(args[2]) : coap_encode(args[2]);
}
