// lwm2m-cli: command-line companion of the lwm2m toolkit.
//
//   lwm2m-cli coap decode HEX|-     one CoAP datagram (hex) -> one line of JSON
//   lwm2m-cli coap encode JSON|-    the same JSON shape -> the datagram as hex
//
// An example program: it uses the standard library freely (the core under include/ stays
// heap-free). The help text below is the reference for its behaviour; tests/cli/cli_test.sh
// checks it.

#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <lwm2m/bytes.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

#include "coap_json.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_invalid_input = 1;
constexpr int exit_usage = 2;

constexpr std::string_view usage_text = R"(lwm2m-cli - LwM2M / CoAP toolkit on the command line

Usage:
  lwm2m-cli coap decode HEX    decode one CoAP datagram (RFC 7252) into one line of JSON
  lwm2m-cli coap encode JSON   encode a CoAP message described in JSON; prints it as hex
  lwm2m-cli --help | -h        print this help and exit

Arguments:
  HEX    the datagram as hex digits, upper or lower case. Whitespace (space, tab,
         newline, CR, FF, VT) may appear anywhere and is ignored; anything else is an
         error (no "0x" prefix, no ':' or other separators).
  JSON   one JSON object of the shape that 'coap decode' prints (see below).
  -      in place of HEX or JSON: read it from standard input (all of it; one trailing
         newline is removed).

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
  decode  - a hex syntax error (a character that is not a hex digit or whitespace, or an
            odd number of digits) is invalid_argument at the offset of the character in
            HEX (for an odd count: just past the last digit);
          - a malformed datagram gives the codec's error (message_too_short,
            truncated_option_value, invalid_option_length, ...) at the offset in the
            decoded datagram.
  encode  - JSON that is not well-formed (RFC 8259, strict) is invalid_json at the offset
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

Exit status:
  0  success
  1  invalid input (or a failure to read standard input or write standard output)
  2  usage error: unknown command or option, missing or extra argument (one line on
     standard error); run without arguments, this help is printed on standard error

Later versions add payload commands: 'lwm2m-cli decode --format FMT' and
'lwm2m-cli encode --format FMT' (TLV, SenML JSON/CBOR, plain text, opaque, ...).
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

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    if (args.empty()) {
        std::cerr << usage_text;
        return exit_usage;
    }
    for (const std::string_view a : args) {
        if (a == "--help" || a == "-h") return print(std::string(usage_text.substr(0, usage_text.size() - 1)));
    }
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
