#!/bin/sh
# End-to-end test of the lwm2m-cli example program.
#
#   sh tests/cli/cli_test.sh path/to/lwm2m-cli
#
# Every case checks the exit status, standard output and standard error exactly.
# Prints one line per failure and, at the end, `cli_test: N passed, M failed`;
# exits non-zero if anything failed. POSIX sh; needs only printf, cmp, awk, sed, mktemp.

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 path/to/lwm2m-cli" >&2
    exit 2
fi
CLI=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cli_test.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

passed=0
failed=0
INPUT=/dev/null  # stdin of the next case (a file)

# expect NAME STATUS STDOUT STDERR ARG...
#   Runs "$CLI" ARG... with stdin from $INPUT. STDOUT/STDERR are the exact text without its
#   final newline ("" = nothing at all); one newline is expected after non-empty text.
expect() {
    name=$1 status=$2 out=$3 err=$4
    shift 4
    "$CLI" "$@" <"$INPUT" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ -n "$out" ]; then printf '%s\n' "$out" >"$TMP/exp_out"; else : >"$TMP/exp_out"; fi
    if [ -n "$err" ]; then printf '%s\n' "$err" >"$TMP/exp_err"; else : >"$TMP/exp_err"; fi
    ok=1
    if [ "$rc" != "$status" ]; then
        echo "FAIL [$name]: exit status $rc, expected $status"
        ok=0
    fi
    if ! cmp -s "$TMP/out" "$TMP/exp_out"; then
        echo "FAIL [$name]: stdout"
        echo "  got:      $(cat "$TMP/out")"
        echo "  expected: $out"
        ok=0
    fi
    if ! cmp -s "$TMP/err" "$TMP/exp_err"; then
        echo "FAIL [$name]: stderr"
        echo "  got:      $(cat "$TMP/err")"
        echo "  expected: $err"
        ok=0
    fi
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# check NAME CONDITION-COMMAND...: a free-form assertion.
check() {
    name=$1
    shift
    if "$@"; then passed=$((passed + 1)); else echo "FAIL [$name]"; failed=$((failed + 1)); fi
}

# status_ok_and_quiet STATUS STDERR-FILE: status 0 and nothing on stderr.
status_ok_and_quiet() { [ "$1" = 0 ] && [ ! -s "$2" ]; }

# Sets INPUT to a file holding the given text (printf format, so \n etc. work).
stdin_text() {
    # shellcheck disable=SC2059
    printf "$1" >"$TMP/in"
    INPUT=$TMP/in
}

# ---- the reference datagrams (the same bytes as bench-data/*.hex) -----------------------------
REGISTER=44021a2b11223344b2726411283d0865703d7374726565746c696768742d303030313233066c743d333030096c776d326d3d312e3103623d55ff3c2f3e3b72743d226f6d612e6c776d326d223b63743d31313534332c3c2f312f303e2c3c2f332f303e2c3c2f342f303e2c3c2f352f303e2c3c2f333331312f303e2c3c2f333331312f313e2c3c2f333330332f303e
RESPONSE=68451a2c0102030405060708c22d16ffc800144f70656e204d6f62696c6520416c6c69616e6365c801164c69676874776569676874204d324d20436c69656e74c80209333435303030313233c80311312e302e322d7374726565746c69676874c10964c10a0fc40d6553f100c11055c811165374726565746c696768742d436f6e74726f6c6c6572
NOTIFY=58451a2da1a2a3a4a5a6a7a8623039622d16ffe4164441b40000

REGISTER_JSON='{"type":"CON","code":"0.02","mid":6699,"token":"11223344","options":[{"number":11,"name":"Uri-Path","hex":"7264","value":"rd"},{"number":12,"name":"Content-Format","hex":"28","value":40},{"number":15,"name":"Uri-Query","hex":"65703d7374726565746c696768742d303030313233","value":"ep=streetlight-000123"},{"number":15,"name":"Uri-Query","hex":"6c743d333030","value":"lt=300"},{"number":15,"name":"Uri-Query","hex":"6c776d326d3d312e31","value":"lwm2m=1.1"},{"number":15,"name":"Uri-Query","hex":"623d55","value":"b=U"}],"payload":"3c2f3e3b72743d226f6d612e6c776d326d223b63743d31313534332c3c2f312f303e2c3c2f332f303e2c3c2f342f303e2c3c2f352f303e2c3c2f333331312f303e2c3c2f333331312f313e2c3c2f333330332f303e"}'
RESPONSE_JSON='{"type":"ACK","code":"2.05","mid":6700,"token":"0102030405060708","options":[{"number":12,"name":"Content-Format","hex":"2d16","value":11542}],"payload":"c800144f70656e204d6f62696c6520416c6c69616e6365c801164c69676874776569676874204d324d20436c69656e74c80209333435303030313233c80311312e302e322d7374726565746c69676874c10964c10a0fc40d6553f100c11055c811165374726565746c696768742d436f6e74726f6c6c6572"}'
NOTIFY_JSON='{"type":"NON","code":"2.05","mid":6701,"token":"a1a2a3a4a5a6a7a8","options":[{"number":6,"name":"Observe","hex":"3039","value":12345},{"number":12,"name":"Content-Format","hex":"2d16","value":11542}],"payload":"e4164441b40000"}'

# ---- coap decode: the references ---------------------------------------------------------------
expect "decode register" 0 "$REGISTER_JSON" "" coap decode "$REGISTER"
expect "decode response" 0 "$RESPONSE_JSON" "" coap decode "$RESPONSE"
expect "decode notify" 0 "$NOTIFY_JSON" "" coap decode "$NOTIFY"

# ---- coap encode: the references, and the round trips ----------------------------------------
expect "encode register" 0 "$REGISTER" "" coap encode "$REGISTER_JSON"
expect "encode response" 0 "$RESPONSE" "" coap encode "$RESPONSE_JSON"
expect "encode notify" 0 "$NOTIFY" "" coap encode "$NOTIFY_JSON"

# encode(decode(x)) == x, through a pipe and stdin, for the references and datagrams that use
# every corner of the format: empty message, extended deltas/lengths (13 and 14 nibbles),
# a non-minimal uint (0028), a Uri-Path that is not UTF-8 (no value), escapes in a string
# value (newline, U+0000, non-ASCII), unknown options, If-None-Match, If-Match "", Block2.
LONG_PROXY=40010000de16001f$(awk 'BEGIN { for (i = 0; i < 300; i++) printf "61" }')
for x in "$REGISTER" "$RESPONSE" "$NOTIFY" 40000000 60000000 70000000 \
    40010000b961c3a9f09f98800a0001ff120028e106b7ff \
    "$LONG_PROXY" \
    42017fff123410405341626e10ff0102 \
    61440001aad10a0ed2f7ff02d304000000ff00; do
    "$CLI" coap decode "$x" >"$TMP/rt.json" 2>"$TMP/rt.err"
    rc1=$?
    INPUT=$TMP/rt.json
    expect "round trip $(printf '%s' "$x" | cut -c1-24)" 0 "$x" "" coap encode -
    check "round trip decode status $(printf '%s' "$x" | cut -c1-24)" status_ok_and_quiet "$rc1" "$TMP/rt.err"
done
INPUT=/dev/null

expect "decode non-UTF-8 string option, unknown options, escapes" 0 \
    '{"type":"CON","code":"0.01","mid":0,"token":"","options":[{"number":11,"name":"Uri-Path","hex":"61c3a9f09f98800a00","value":"aé😀\n\u0000"},{"number":11,"name":"Uri-Path","hex":"ff"},{"number":12,"name":"Content-Format","hex":"0028","value":40},{"number":2000,"hex":"ff"}],"payload":""}' \
    "" coap decode 40010000b961c3a9f09f98800a0001ff120028e106b7ff
expect "decode empty, opaque and uint options" 0 \
    '{"type":"CON","code":"0.01","mid":32767,"token":"1234","options":[{"number":1,"name":"If-Match","hex":""},{"number":5,"name":"If-None-Match","hex":""},{"number":10,"hex":"41626e"},{"number":11,"name":"Uri-Path","hex":"","value":""}],"payload":"0102"}' \
    "" coap decode 42017fff123410405341626e10ff0102
expect "decode ACK with Block2 and unknown critical option" 0 \
    '{"type":"ACK","code":"2.04","mid":1,"token":"aa","options":[{"number":23,"name":"Block2","hex":"0e","value":14},{"number":283,"hex":"ff02"},{"number":300,"hex":"000000"}],"payload":"00"}' \
    "" coap decode 61440001aad10a0ed2f7ff02d304000000ff00
expect "decode Empty ACK" 0 '{"type":"ACK","code":"0.00","mid":0,"token":"","options":[],"payload":""}' "" coap decode 60000000

# ---- coap decode: the HEX argument ------------------------------------------------------------
expect "decode tolerates whitespace and upper case" 0 "$NOTIFY_JSON" "" coap decode \
    " 58 45 1A 2D	A1A2A3A4 A5A6A7A8
623039 622d16 ff e4164441b40000 "
expect "decode: odd number of digits" 1 "" "error: invalid_argument at offset 15" coap decode 44021a2b1122334
expect "decode: odd number of digits, offset past the last digit" 1 "" "error: invalid_argument at offset 11" coap decode "4402 1a2b 1  "
expect "decode: bad digit" 1 "" "error: invalid_argument at offset 13" coap decode 44021a2b11223g44
expect "decode: 0x prefix" 1 "" "error: invalid_argument at offset 1" coap decode 0x44021a2b
expect "decode: colon separators" 1 "" "error: invalid_argument at offset 2" coap decode 44:02:1a:2b
expect "decode: non-ASCII byte" 1 "" "error: invalid_argument at offset 2" coap decode "44é"
expect "decode: bad digit before odd count" 1 "" "error: invalid_argument at offset 1" coap decode "4z0"

# ---- coap decode: malformed datagrams (offset in the datagram) ---------------------------------
expect "decode: empty" 1 "" "error: message_too_short at offset 0" coap decode ""
expect "decode: short header" 1 "" "error: message_too_short at offset 2" coap decode 4402
expect "decode: version" 1 "" "error: unsupported_version at offset 0" coap decode 84021a2b
expect "decode: token length 9" 1 "" "error: invalid_token_length at offset 0" coap decode 49021a2b
expect "decode: truncated token" 1 "" "error: truncated_token at offset 6" coap decode 44021a2b1122
expect "decode: truncated option value" 1 "" "error: truncated_option_value at offset 10" coap decode 44021a2b11223344b272
expect "decode: truncated extended option header" 1 "" "error: truncated_option at offset 5" coap decode 40010000d0
expect "decode: reserved code class" 1 "" "error: reserved_code_class at offset 1" coap decode 40200000
expect "decode: Empty with token" 1 "" "error: empty_message_not_empty at offset 0" coap decode 4100000001
expect "decode: Empty NON" 1 "" "error: non_confirmable_empty at offset 1" coap decode 50000000
expect "decode: non-empty RST" 1 "" "error: reset_not_empty at offset 1" coap decode 70450000
expect "decode: ACK with request" 1 "" "error: ack_carries_request at offset 1" coap decode 60010000
expect "decode: reserved option delta" 1 "" "error: reserved_option_delta at offset 4" coap decode 40010000f0
expect "decode: reserved option length" 1 "" "error: reserved_option_length at offset 4" coap decode 400100001f
expect "decode: payload marker without payload" 1 "" "error: empty_payload_after_marker at offset 5" coap decode 40010000ff
expect "decode: Content-Format of 3 bytes" 1 "" "error: invalid_option_length at offset 4" coap decode 40010000c3010203
expect "decode: option number overflow" 1 "" "error: option_number_overflow at offset 7" coap decode 40010000e0fef2e00000

# ---- coap encode: accepted input ---------------------------------------------------------------
expect "encode: minimal" 0 40000000 "" coap encode '{"type":"CON","code":"0.00"}'
expect "encode: options sorted, repeated ones keep their order" 0 40010000b17841620161 "" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Query","value":"b"},{"name":"Uri-Path","value":"x"},{"name":"Uri-Query","value":"a"}]}'
expect "encode: If-None-Match with neither hex nor value; number only" 0 4003000150 "" coap encode \
    '{"type":"CON","code":"0.03","mid":1,"options":[{"number":5}]}'
expect "encode: upper-case hex, whitespace in JSON, value 4e1" 0 5845ffffa1a2a3a4a5a6a7a8c128ffabcd "" coap encode \
    '  { "type" : "NON" , "code" : "2.05" , "mid" : 65535 , "token" : "A1A2A3A4A5A6A7A8" ,
       "options" : [ { "number" : 12 , "value" : 4e1 } ] , "payload" : "ABcd" }  '
expect "encode: escaped string value" 0 40010000b461c3a90a "" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Path","value":"a\u00e9\n"}]}'
expect "encode: surrogate pair" 0 40010000b4f09f9880 "" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Path","value":"\ud83d\ude00"}]}'
expect "encode: hex wins over an agreeing value" 0 40010000c20028 "" coap encode \
    '{"type":"CON","code":"0.01","options":[{"number":12,"name":"Content-Format","hex":"0028","value":40}]}'
expect "encode: unknown option by hex" 0 40010000e106c3ff "" coap encode \
    '{"type":"CON","code":"0.01","options":[{"number":2000,"hex":"ff"}]}'
expect "encode: uint 0 is zero-length" 0 4001000060 "" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Observe","value":0}]}'

# ---- coap encode: JSON syntax ------------------------------------------------------------------
expect "encode: trailing comma" 1 "" "error: invalid_json at offset 14" coap encode '{"type":"CON",}'
expect "encode: empty" 1 "" "error: invalid_json at offset 0" coap encode ""
expect "encode: unterminated" 1 "" "error: invalid_json at offset 8" coap encode '{"type":'
expect "encode: garbage after the object" 1 "" "error: invalid_json at offset 29" coap encode '{"type":"CON","code":"0.00"} x'
expect "encode: lone surrogate" 1 "" "error: invalid_json at offset 67" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Path","value":"\ud83d"}]}'
expect "encode: raw control character" 1 "" "error: invalid_json at offset 10" coap encode '{"type":"C
ON","code":"0.00"}'
expect "encode: not UTF-8" 1 "" "error: invalid_utf8 at offset 10" coap encode "$(printf '{"type":"C\377ON"}')"
expect "encode: duplicate key" 1 "" "error: duplicate_entry at offset 28" coap encode '{"type":"CON","code":"0.01","type":"NON"}'

# ---- coap encode: well-formed JSON that is not a message (invalid_argument) -----------------
expect "encode: not an object" 1 "" "error: invalid_argument at offset 1" coap encode ' [1]'
expect "encode: unknown key" 1 "" "error: invalid_argument at offset 28" coap encode '{"type":"CON","code":"0.01","foo":1}'
expect "encode: unknown option key" 1 "" "error: invalid_argument at offset 52" coap encode \
    '{"type":"CON","code":"0.01","options":[{"number":11,"text":"x"}]}'
expect "encode: missing code" 1 "" "error: invalid_argument at offset 0" coap encode '{"type":"CON"}'
expect "encode: missing type" 1 "" "error: invalid_argument at offset 0" coap encode '{"code":"0.00"}'
expect "encode: bad type" 1 "" "error: invalid_argument at offset 8" coap encode '{"type":"con","code":"0.00"}'
expect "encode: type not a string" 1 "" "error: invalid_argument at offset 8" coap encode '{"type":0,"code":"0.00"}'
expect "encode: bad code" 1 "" "error: invalid_argument at offset 21" coap encode '{"type":"CON","code":"2.5"}'
expect "encode: code detail 32" 1 "" "error: invalid_argument at offset 21" coap encode '{"type":"CON","code":"0.32"}'
expect "encode: code name instead of c.dd" 1 "" "error: invalid_argument at offset 21" coap encode '{"type":"CON","code":"GET"}'
expect "encode: mid too large" 1 "" "error: invalid_argument at offset 34" coap encode '{"type":"CON","code":"0.00","mid":65536}'
expect "encode: negative mid" 1 "" "error: invalid_argument at offset 34" coap encode '{"type":"CON","code":"0.00","mid":-1}'
expect "encode: fractional mid" 1 "" "error: invalid_argument at offset 34" coap encode '{"type":"CON","code":"0.00","mid":1.5}'
expect "encode: mid as a string" 1 "" "error: invalid_argument at offset 34" coap encode '{"type":"CON","code":"0.00","mid":"1"}'
expect "encode: odd token hex" 1 "" "error: invalid_argument at offset 36" coap encode '{"type":"CON","code":"0.01","token":"123"}'
expect "encode: whitespace in payload hex" 1 "" "error: invalid_argument at offset 38" coap encode '{"type":"CON","code":"0.01","payload":"12 34"}'
expect "encode: options not an array" 1 "" "error: invalid_argument at offset 38" coap encode '{"type":"CON","code":"0.01","options":{}}'
expect "encode: option not an object" 1 "" "error: invalid_argument at offset 39" coap encode '{"type":"CON","code":"0.01","options":[11]}'
expect "encode: unknown option name" 1 "" "error: invalid_argument at offset 47" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Paht","value":"x"}]}'
expect "encode: option names are case-sensitive" 1 "" "error: invalid_argument at offset 47" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"uri-path","value":"x"}]}'
expect "encode: number and name disagree" 1 "" "error: invalid_argument at offset 59" coap encode \
    '{"type":"CON","code":"0.01","options":[{"number":12,"name":"Uri-Path","value":"x"}]}'
expect "encode: option number too large" 1 "" "error: invalid_argument at offset 49" coap encode \
    '{"type":"CON","code":"0.01","options":[{"number":65536,"hex":""}]}'
expect "encode: neither number nor name" 1 "" "error: invalid_argument at offset 39" coap encode \
    '{"type":"CON","code":"0.01","options":[{"hex":"00"}]}'
expect "encode: neither hex nor value" 1 "" "error: invalid_argument at offset 39" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Path"}]}'
expect "encode: string for a uint option" 1 "" "error: invalid_argument at offset 72" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Content-Format","value":"40"}]}'
expect "encode: number for a string option" 1 "" "error: invalid_argument at offset 66" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Path","value":3}]}'
expect "encode: negative uint value" 1 "" "error: invalid_argument at offset 72" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Content-Format","value":-1}]}'
expect "encode: value for an opaque option" 1 "" "error: invalid_argument at offset 62" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"ETag","value":"x"}]}'
expect "encode: value for an unknown option" 1 "" "error: invalid_argument at offset 62" coap encode \
    '{"type":"CON","code":"0.01","options":[{"number":2000,"value":1}]}'
expect "encode: hex and value disagree" 1 "" "error: invalid_argument at offset 77" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Path","hex":"78","value":"y"}]}'
expect "encode: hex and uint value disagree" 1 "" "error: invalid_argument at offset 85" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Content-Format","hex":"0028","value":41}]}'

# ---- coap encode: messages RFC 7252 forbids (the codec's error at the offending value) ----------
expect "encode: token of 9 bytes" 1 "" "error: invalid_token_length at offset 36" coap encode \
    '{"type":"CON","code":"0.01","token":"112233445566778899"}'
expect "encode: uint too large for Content-Format" 1 "" "error: invalid_option_length at offset 72" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Content-Format","value":70000}]}'
expect "encode: empty Uri-Host" 1 "" "error: invalid_option_length at offset 66" coap encode \
    '{"type":"CON","code":"0.01","options":[{"name":"Uri-Host","value":""}]}'
expect "encode: If-None-Match with a value byte" 1 "" "error: invalid_option_length at offset 57" coap encode \
    '{"type":"CON","code":"0.01","options":[{"number":5,"hex":"00"}]}'
expect "encode: reserved code class" 1 "" "error: reserved_code_class at offset 21" coap encode '{"type":"CON","code":"1.00"}'
expect "encode: non-empty RST" 1 "" "error: reset_not_empty at offset 21" coap encode '{"type":"RST","code":"2.05"}'
expect "encode: ACK with a request" 1 "" "error: ack_carries_request at offset 21" coap encode '{"type":"ACK","code":"0.01"}'
expect "encode: Empty NON" 1 "" "error: non_confirmable_empty at offset 21" coap encode '{"type":"NON","code":"0.00"}'
expect "encode: Empty with token" 1 "" "error: empty_message_not_empty at offset 36" coap encode '{"type":"CON","code":"0.00","token":"01"}'
expect "encode: Empty with option" 1 "" "error: empty_message_not_empty at offset 39" coap encode \
    '{"type":"CON","code":"0.00","options":[{"number":11,"value":"x"}]}'
expect "encode: Empty with payload" 1 "" "error: empty_message_not_empty at offset 38" coap encode '{"type":"CON","code":"0.00","payload":"00"}'
expect "encode: first error in the text wins" 1 "" "error: invalid_argument at offset 11" coap encode '{"payload":"zz","type":"XXX"}'

# ---- standard input ------------------------------------------------------------------------------
stdin_text "$NOTIFY\n"
expect "decode - (trailing newline)" 0 "$NOTIFY_JSON" "" coap decode -
stdin_text "$REGISTER"
expect "decode - (no trailing newline)" 0 "$REGISTER_JSON" "" coap decode -
stdin_text "5845 1a2d\r\na1a2a3a4a5a6a7a8\r\n623039622d16ffe4164441b40000\r\n"
expect "decode - (several CRLF lines)" 0 "$NOTIFY_JSON" "" coap decode -
stdin_text "44021a2bz\n"
expect "decode - (bad digit: offset in stdin)" 1 "" "error: invalid_argument at offset 8" coap decode -
stdin_text ""
expect "decode - (empty stdin)" 1 "" "error: message_too_short at offset 0" coap decode -
stdin_text "$(printf '%s' "$RESPONSE_JSON" | sed 's/%/%%/g')\n"
expect "encode - " 0 "$RESPONSE" "" coap encode -
stdin_text '{"type":"CON",\n"code":0}\n'
expect "encode - (error offset counts stdin bytes)" 1 "" "error: invalid_argument at offset 22" coap encode -
INPUT=/dev/null

# ---- help and usage ------------------------------------------------------------------------------
"$CLI" --help >"$TMP/help" 2>"$TMP/help.err"
check "--help exits 0" [ $? = 0 ]
check "--help writes nothing on stderr" [ ! -s "$TMP/help.err" ]
"$CLI" -h >"$TMP/h" 2>&1
check "-h exits 0" [ $? = 0 ]
check "-h prints the same as --help" cmp -s "$TMP/help" "$TMP/h"
"$CLI" coap decode --help >"$TMP/h2" 2>&1
check "--help after a command prints the help" cmp -s "$TMP/help" "$TMP/h2"
"$CLI" >"$TMP/noargs.out" 2>"$TMP/noargs.err"
check "no arguments: exit status 2" [ $? = 2 ]
check "no arguments: nothing on stdout" [ ! -s "$TMP/noargs.out" ]
check "no arguments: the help on stderr" cmp -s "$TMP/help" "$TMP/noargs.err"
# The help documents every command, argument, output key, error form and exit status.
for phrase in "lwm2m-cli coap decode HEX" "lwm2m-cli coap encode JSON" "lwm2m-cli --help | -h" \
    "  HEX " "  JSON " "  -      in place of HEX or JSON" \
    "  type " "  code " "  mid " "  token " "  options " "  payload " \
    "number " "name " "hex " "value " "omitted for unknown options" \
    "error: <name> at offset <n>" "invalid_argument" "invalid_json" \
    "  0  success" "  1  invalid input" "  2  usage error" "--format"; do
    check "help mentions '$phrase'" grep -qF -e "$phrase" "$TMP/help"
done
check "help lines fit 100 columns (but example lines)" awk '!/^    [$\{]/ && length > 100 { exit 1 }' "$TMP/help"
# The examples in the help are true.
sed -n 's/^    \$ lwm2m-cli //p' "$TMP/help" >"$TMP/examples"
check "help has two examples" [ "$(wc -l <"$TMP/examples")" -eq 2 ]
n=0
while IFS= read -r cmdline; do
    n=$((n + 1))
    expected=$(awk -v n="$n" '/^    \$ lwm2m-cli /{ k++; if (k == n) { getline; sub(/^    /, ""); print; exit } }' "$TMP/help")
    eval "set -- $cmdline"
    expect "help example $n" 0 "$expected" "" "$@"
done <"$TMP/examples"

USAGE_HINT="(run 'lwm2m-cli --help' for usage)"
expect "unknown command" 2 "" "lwm2m-cli: unknown command 'frobnicate' $USAGE_HINT" frobnicate
expect "unknown coap command" 2 "" "lwm2m-cli: unknown command 'coap parse' $USAGE_HINT" coap parse 40000000
expect "coap without command" 2 "" "lwm2m-cli: missing command after 'coap' (decode or encode) $USAGE_HINT" coap
expect "decode without argument" 2 "" "lwm2m-cli: missing argument: 'coap decode HEX' $USAGE_HINT" coap decode
expect "encode without argument" 2 "" "lwm2m-cli: missing argument: 'coap encode JSON' $USAGE_HINT" coap encode
expect "extra argument" 2 "" "lwm2m-cli: unexpected argument '00' $USAGE_HINT" coap decode 40000000 00
expect "unknown option" 2 "" "lwm2m-cli: unknown option '--format' $USAGE_HINT" coap decode --format tlv 40000000
expect "unknown short option" 2 "" "lwm2m-cli: unknown option '-x' $USAGE_HINT" -x

echo "cli_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
