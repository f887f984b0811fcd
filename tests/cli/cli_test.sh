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

# ---- payloads: decode / encode --format -----------------------------------------------------
# The 121-byte TLV of `GET /3/0` from the LwM2M 1.0 TLV specification (SPEC-NOTES §2), and
# bench/data/device-3-0.senml.json.
DEVICE_TLV=c800144f70656e204d6f62696c6520416c6c69616e6365c801164c69676874776569676874204d324d20436c69656e74c80209333435303030313233c303312e30860641000141010588070842000ed842011388870841007d42010384c10964c10a0f830b410000c40d5182428fc60e2b30323a3030c11055
DEVICE_TLV_JSON='[{"n":"/3/0/0","vs":"Open Mobile Alliance"},{"n":"/3/0/1","vs":"Lightweight M2M Client"},{"n":"/3/0/2","vs":"345000123"},{"n":"/3/0/3","vs":"1.0"},{"n":"/3/0/6/0","v":1},{"n":"/3/0/6/1","v":5},{"n":"/3/0/7/0","v":3800},{"n":"/3/0/7/1","v":5000},{"n":"/3/0/8/0","v":125},{"n":"/3/0/8/1","v":900},{"n":"/3/0/9","v":100},{"n":"/3/0/10","v":15},{"n":"/3/0/11/0","v":0},{"n":"/3/0/13","v":1367491215},{"n":"/3/0/14","vs":"+02:00"},{"n":"/3/0/16","vs":"U"}]'
DEVICE_SENML='[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1","vs":"Lightweight M2M Client"},{"n":"2","vs":"345000123"},{"n":"3","vs":"1.0"},{"n":"6/0","v":1},{"n":"6/1","v":5},{"n":"7/0","v":3800},{"n":"7/1","v":5000},{"n":"9","v":100},{"n":"10","v":15},{"n":"11/0","v":0},{"n":"13","v":1700000000},{"n":"14","vs":"+01:00"},{"n":"16","vs":"U"}]'
DEVICE_SENML_JSON='[{"n":"/3/0/0","vs":"Open Mobile Alliance"},{"n":"/3/0/1","vs":"Lightweight M2M Client"},{"n":"/3/0/2","vs":"345000123"},{"n":"/3/0/3","vs":"1.0"},{"n":"/3/0/6/0","v":1},{"n":"/3/0/6/1","v":5},{"n":"/3/0/7/0","v":3800},{"n":"/3/0/7/1","v":5000},{"n":"/3/0/9","v":100},{"n":"/3/0/10","v":15},{"n":"/3/0/11/0","v":0},{"n":"/3/0/13","v":1700000000},{"n":"/3/0/14","vs":"+01:00"},{"n":"/3/0/16","vs":"U"}]'
SENML_FILE=$(dirname "$0")/../../bench/data/device-3-0.senml.json
if [ -f "$SENML_FILE" ]; then
    check "device-3-0.senml.json is the payload tested here" [ "$(cat "$SENML_FILE")" = "$DEVICE_SENML" ]
fi

# ---- decode: spec examples and the reference payloads
expect "payload decode: spec TLV Device /3/0 (121 bytes)" 0 "$DEVICE_TLV_JSON" "" decode --format tlv --path /3/0 "$DEVICE_TLV"
expect "payload decode: the same wrapped in an Object Instance TLV" 0 "$DEVICE_TLV_JSON" "" decode --format tlv --path /3/0 "080079$DEVICE_TLV"
expect "payload decode: the same at /3 (Object Instance TLV)" 0 "$DEVICE_TLV_JSON" "" decode --format tlv --path /3 "080079$DEVICE_TLV"
expect "payload decode: TLV worked example 1" 0 '[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]' "" \
    decode --format tlv --path /3/0/0 c800144f70656e204d6f62696c6520416c6c69616e6365
expect "payload decode: TLV worked example 2 (multiple resource)" 0 '[{"n":"/3/0/7/0","v":3800},{"n":"/3/0/7/1","v":5000}]' "" \
    decode --format tlv --path /3/0/7 88070842000ed842011388
expect "payload decode: TLV worked example 3 (16-bit id)" 0 '[{"n":"/2/0/2/310","v":1}]' "" \
    decode --format tlv --path /2/0/2 61013601
expect "payload decode: TLV empty object instance (no value key)" 0 '[{"n":"/3303/0"}]' "" decode --format tlv --path /3303 0000
expect "payload decode: TLV of an object without definition is vd of the raw bytes" 0 \
    '[{"n":"/32769/0/5","vd":"ZA"},{"n":"/32769/0/6","vd":"AQI"}]' "" decode --format tlv --path /32769/0 c10564c2060102
expect "payload decode: TLV, empty payload" 0 "[]" "" decode --format tlv --path /3/0 ""
expect "payload decode: device-3-0.senml.json" 0 "$DEVICE_SENML_JSON" "" decode --format senml-json --path /3/0 "$DEVICE_SENML"
expect "payload decode: SenML JSON at the root, bt + t, time typed by the schema" 0 \
    '[{"n":"/3/0/9","t":1700000005,"v":100},{"n":"/3/0/13","t":1700000000,"v":1700000000}]' "" \
    decode --format senml-json --path / '[{"bn":"/3/0/","bt":1700000000,"n":"9","v":100,"t":5},{"n":"13","v":1.7e9}]'
expect "payload decode: SenML JSON Float 22 is 22.0" 0 '[{"n":"/3303/0/5700","v":22.0}]' "" \
    decode --format senml-json --path /3303/0 '[{"n":"/3303/0/5700","v":22}]'
expect "payload decode: SenML CBOR NaN is null" 0 '[{"n":"/3303/0/5700","v":null}]' "" \
    decode --format senml-cbor --path / 81a2006c2f333330332f302f3537303002f97e00
expect "payload decode: LwM2M CBOR {3: {0: {0: ..., 7: {0: 3800, 1: 5000}}}}" 0 \
    '[{"n":"/3/0/0","vs":"Open Mobile Alliance"},{"n":"/3/0/7/0","v":3800},{"n":"/3/0/7/1","v":5000}]' "" \
    decode --format lwm2m-cbor --path /3/0 a103a100a200744f70656e204d6f62696c6520416c6c69616e636507a200190ed801191388
expect "payload decode: SenML CBOR chunked bn, n, vs (RFC 8949 §3.2.3) after tag 55799 are joined" 0 \
    '[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]' "" \
    decode --format senml-cbor --path / d9d9f781a3217f632f332f62302fff007f6130ff037f654f70656e206f4d6f62696c6520416c6c69616e6365ff
expect "payload decode: SenML CBOR chunked vd" 0 '[{"n":"/5/0/0","vd":"AQL_"}]' "" \
    decode --format senml-cbor --path / 81a200662f352f302f30085f41014202ffff
expect "payload decode: SenML CBOR text chunk that is not UTF-8 by itself" 1 "" "error: invalid_utf8 at offset 15" \
    decode --format senml-cbor --path / 81a200662f332f302f30037f616161c361a9ff
expect "payload decode: LwM2M CBOR chunked text after tag 55799" 0 '[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]' "" \
    decode --format lwm2m-cbor --path /3/0 d9d9f7a103a100a1007f644f70656e70204d6f62696c6520416c6c69616e6365ff
expect "payload decode: OMA JSON with bt and t" 0 \
    '[{"n":"/3/0/0","t":25462634,"vs":"Open Mobile Alliance"},{"n":"/3/0/7/0","t":25462629,"v":3800}]' "" \
    decode --format oma-json --path /3/0 '{"bn":"/3/0/","bt":25462634,"e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"7/0","v":3800,"t":-5}]}'
expect "payload decode: text String" 0 '[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]' "" decode --format text --path /3/0/0 'Open Mobile Alliance'
expect "payload decode: text Integer" 0 '[{"n":"/3/0/9","v":100}]' "" decode --format text --path /3/0/9 100
expect "payload decode: text Float" 0 '[{"n":"/3303/0/5700","v":-12.25}]' "" decode --format text --path /3303/0/5700 -- -12.25
expect "payload decode: text Boolean" 0 '[{"n":"/3311/0/5850","vb":true}]' "" decode --format text --path /3311/0/5850 1
expect "payload decode: text Objlnk" 0 '[{"n":"/3/0/22/0","vlo":"66:0"}]' "" decode --format text --path /3/0/22/0 66:0
expect "payload decode: text Opaque (base64 in, base64url out)" 0 '[{"n":"/5/0/0","vd":"AQL_"}]' "" decode --format text --path /5/0/0 AQL/
expect "payload decode: text Unsigned Integer" 0 '[{"n":"/5/0/13","v":18446744073709551615}]' "" \
    decode --format text --path /5/0/13 18446744073709551615
expect "payload decode: text Time" 0 '[{"n":"/3/0/13","v":1700000000}]' "" decode --format text --path /3/0/13 1700000000
expect "payload decode: text without definition is a String" 0 '[{"n":"/32769/0/1","vs":"42"}]' "" decode --format text --path /32769/0/1 42
expect "payload decode: opaque" 0 '[{"n":"/5/0/0","vd":"AQL_"}]' "" decode --format opaque --path /5/0/0 "01 02 FF"
expect "payload decode: opaque, empty" 0 '[{"n":"/5/0/0","vd":""}]' "" decode --format opaque --path /5/0/0 ""
expect "payload decode: cbor (60) Integer" 0 '[{"n":"/3/0/9","v":100}]' "" decode --format cbor --path /3/0/9 1864
expect "payload decode: cbor (60) Time, tag 1 as Leshan writes it" 0 '[{"n":"/3/0/13","v":1367491215}]' "" \
    decode --format cbor --path /3/0/13 c11a5182428f
expect "payload decode: cbor (60) needs a resource path" 1 "" "error: path_wrong_level at offset 0" decode --format cbor --path /3/0 01

# The reference datagrams' payloads (what scripts/demo.sh shows).
RESPONSE_PAYLOAD=$(printf '%s' "$RESPONSE_JSON" | sed 's/.*"payload":"\([0-9a-f]*\)".*/\1/')
NOTIFY_PAYLOAD=$(printf '%s' "$NOTIFY_JSON" | sed 's/.*"payload":"\([0-9a-f]*\)".*/\1/')
expect "payload decode: the Read /3/0 response (coap-response.hex)" 0 \
    '[{"n":"/3/0/0","vs":"Open Mobile Alliance"},{"n":"/3/0/1","vs":"Lightweight M2M Client"},{"n":"/3/0/2","vs":"345000123"},{"n":"/3/0/3","vs":"1.0.2-streetlight"},{"n":"/3/0/9","v":100},{"n":"/3/0/10","v":15},{"n":"/3/0/13","v":1700000000},{"n":"/3/0/16","vs":"U"},{"n":"/3/0/17","vs":"Streetlight-Controller"}]' \
    "" decode --format tlv --path /3/0 "$RESPONSE_PAYLOAD"
expect "payload decode: the notification (coap-notify.hex)" 0 '[{"n":"/3303/0/5700","v":22.5}]' "" \
    decode --format tlv --path /3303/0 "$NOTIFY_PAYLOAD"
"$CLI" coap decode "$RESPONSE" | sed 's/.*"payload":"\([0-9a-f]*\)".*/\1/' >"$TMP/payload.hex"
INPUT=$TMP/payload.hex
expect "payload decode: payload piped from coap decode" 0 \
    '[{"n":"/3/0/0","vs":"Open Mobile Alliance"},{"n":"/3/0/1","vs":"Lightweight M2M Client"},{"n":"/3/0/2","vs":"345000123"},{"n":"/3/0/3","vs":"1.0.2-streetlight"},{"n":"/3/0/9","v":100},{"n":"/3/0/10","v":15},{"n":"/3/0/13","v":1700000000},{"n":"/3/0/16","vs":"U"},{"n":"/3/0/17","vs":"Streetlight-Controller"}]' \
    "" decode --format tlv --path /3/0 -
INPUT=/dev/null

# ---- decode: link format
REGISTER_LINKS='</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>,</4/0>,</5/0>,</3311/0>,</3311/1>,</3303/0>'
expect "payload decode: link, the Register payload" 0 \
    '[{"path":"/","attributes":{"rt":"oma.lwm2m","ct":11543}},{"path":"/1/0","attributes":{}},{"path":"/3/0","attributes":{}},{"path":"/4/0","attributes":{}},{"path":"/5/0","attributes":{}},{"path":"/3311/0","attributes":{}},{"path":"/3311/1","attributes":{}},{"path":"/3303/0","attributes":{}}]' \
    "" decode --format link "$REGISTER_LINKS"
expect "payload decode: link, a Discover payload (numbers)" 0 \
    '[{"path":"/3/0","attributes":{"pmin":10,"pmax":60}},{"path":"/3/0/7","attributes":{"dim":2,"gt":50,"lt":10.5,"st":0.5,"epmin":1,"epmax":5}}]' \
    "" decode --format link '</3/0>;pmin=10;pmax=60,</3/0/7>;dim=2;gt=50;lt=10.5;st=0.5;epmin=1;epmax=5'
expect "payload decode: link, a Bootstrap-Discover payload (ssid, uri, whitespace)" 0 \
    '[{"path":"/","attributes":{"lwm2m":"1.1"}},{"path":"/0/0","attributes":{"uri":"coap://bs.example.com","ssid":101}},{"path":"/1/0","attributes":{"ssid":101}},{"path":"/3/0","attributes":{}}]' \
    "" decode --format link '</>;lwm2m=1.1,</0/0>;uri="coap://bs.example.com";ssid=101,</1/0>;ssid=101, </3/0>'
expect "payload decode: link, ct list, raw URIs, escapes, valueless" 0 \
    '[{"path":"/lwm2m","attributes":{"rt":"oma.lwm2m","ct":[60,110,112,11542,11543]}},{"path":"/lwm2m/1/0","attributes":{"ver":"1.1","title":"a\"b\\c","obs":true}}]' \
    "" decode --format link '</lwm2m>;rt="oma.lwm2m";ct="60 110 112 11542 11543",</lwm2m/1/0>;ver=1.1;title="a\"b\\c";obs'
expect "payload decode: link, values that are not numbers stay strings" 0 \
    '[{"path":"/3/0","attributes":{"pmin":"abc","ct":"60 x","gt":-1.5e2,"epmax":"010"}}]' \
    "" decode --format link '</3/0>;pmin=abc;ct="60 x";gt=-1.5e2;epmax=010'
expect "payload decode: link, empty" 0 "[]" "" decode --format link ""
# The structured text formats also take their payload as hex (it cannot start with a hex digit).
expect "payload decode: link given as hex" 0 '[{"path":"/1","attributes":{"ver":"1.1"}},{"path":"/1/0","attributes":{}}]' "" \
    decode --format link "$(printf '%s' '</1>;ver=1.1,</1/0>' | od -An -tx1 | tr -d ' \n')"
expect "payload decode: SenML JSON given as hex, with whitespace" 0 '[{"n":"/3/0/0","vs":"x"}]' "" \
    decode --format senml-json --path /3/0 "5b 7b 22 6e 22 3a 22 2f 33 2f 30 2f 30 22 2c 22 76 73 22 3a 22 78 22 7d 5d"
expect "payload decode: OMA JSON given as hex" 0 '[{"n":"/3/0/9","v":100}]' "" \
    decode --format oma-json --path /3/0 "$(printf '%s' '{"e":[{"n":"9","v":100}]}' | od -An -tx1 | tr -d ' \n')"
expect "payload decode: hex with an odd digit count stays text (and is no SenML JSON)" 1 "" \
    "error: invalid_senml at offset 0" decode --format senml-json --path /3/0 "5b7"
expect "payload decode: text takes text only, 12 is the value 12" 0 '[{"n":"/3/0/9","v":12}]' "" \
    decode --format text --path /3/0/9 "12"

# ---- encode, and encode -> decode round trips in every format
expect "payload encode: TLV of the spec Device example is the spec bytes" 0 "$DEVICE_TLV" "" encode --format tlv --path /3/0 "$DEVICE_TLV_JSON"
expect "payload encode: TLV sorts records by path" 0 840742000ed8c10964 "" \
    encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":100},{"n":"/3/0/7/0","v":3800}]'
expect "payload encode: SenML JSON, bn accepted" 0 '[{"bn":"/3/0/","n":"9","v":100},{"n":"10","v":15}]' "" \
    encode --format senml-json --path /3/0 '[{"bn":"/3/0/","n":"9","v":100},{"n":"10","v":15}]'
expect "payload encode: SenML JSON keeps the order given" 0 '[{"bn":"/3/0/","n":"10","v":15},{"n":"9","v":100}]' "" \
    encode --format senml-json --path /3/0 '[{"n":"/3/0/10","v":15},{"n":"/3/0/9","v":100}]'
expect "payload encode: typed by the schema: Integer 3800 is an integer" 0 42000ed8 "" \
    encode --format tlv --path /3/0/7/0 '[{"n":"/3/0/7/0","v":3800}]'
expect "payload encode: typed by the schema: Float 22 is a float" 0 '[{"bn":"/3303/0/5700","v":22.0}]' "" \
    encode --format senml-json --path /3303/0/5700 '[{"n":"/3303/0/5700","v":22}]'
expect "payload encode: typed by the schema: Time" 0 c40d6553f100 "" encode --format tlv --path /3/0 '[{"n":"/3/0/13","v":1700000000}]'
expect "payload encode: Integer given as 3.8e3" 0 3800 "" encode --format text --path /3/0/7/0 '[{"n":"/3/0/7/0","v":3.8e3}]'
expect "payload encode: Objlnk from vs" 0 66:0 "" encode --format text --path /3/0/22/0 '[{"n":"/3/0/22/0","vs":"66:0"}]'
expect "payload encode: text String" 0 "Open Mobile Alliance" "" encode --format text --path /3/0/0 '[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]'
expect "payload encode: text Float" 0 22.5 "" encode --format text --path /3303/0/5700 '[{"n":"/3303/0/5700","v":22.5}]'
expect "payload encode: text Opaque is base64" 0 AQL/ "" encode --format text --path /5/0/0 '[{"n":"/5/0/0","vd":"AQL_"}]'
expect "payload encode: opaque" 0 0102ff "" encode --format opaque --path /5/0/0 '[{"n":"/5/0/0","vd":"AQL_"}]'
expect "payload encode: opaque, vd with padding" 0 0102 "" encode --format opaque --path /5/0/0 '[{"n":"/5/0/0","vd":"AQI="}]'
expect "payload encode: cbor (60) String" 0 744f70656e204d6f62696c6520416c6c69616e6365 "" \
    encode --format cbor --path /3/0/0 '[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]'
expect "payload encode: cbor (60) Float, the shortest width" 0 f94da0 "" \
    encode --format cbor --path /3303/0/5700 '[{"n":"/3303/0/5700","v":22.5}]'
expect "payload encode: without definition: integer, float, string" 0 \
    '[{"bn":"/32769/0/","n":"1","v":7},{"n":"2","v":7.0},{"n":"3","vs":"x"},{"n":"4","vb":false},{"n":"5","vlo":"1:2"}]' "" \
    encode --format senml-json --path /32769/0 '[{"n":"/32769/0/1","v":7},{"n":"/32769/0/2","v":7.0},{"n":"/32769/0/3","vs":"x"},{"n":"/32769/0/4","vb":false},{"n":"/32769/0/5","vlo":"1:2"}]'
expect "payload encode: executable resource without value" 0 c004 "" encode --format tlv --path /3/0 '[{"n":"/3/0/4"}]'
expect "payload encode: the empty array" 0 "[]" "" encode --format senml-json --path /3/0 '[]'

# decode(encode(J)) == J in every record format (formats carrying times: with a time).
round_trip() {  # round_trip NAME FORMAT PATH JSON [--objects DIR]
    rt_name=$1 rt_format=$2 rt_path=$3 rt_json=$4
    shift 4
    "$CLI" encode "$@" --format "$rt_format" --path "$rt_path" "$rt_json" >"$TMP/rt.payload" 2>"$TMP/rt.err"
    rc1=$?
    check "round trip $rt_name: encode status" status_ok_and_quiet "$rc1" "$TMP/rt.err"
    INPUT=$TMP/rt.payload
    expect "round trip $rt_name: decode" 0 "$rt_json" "" decode "$@" --format "$rt_format" --path "$rt_path" -
    INPUT=/dev/null
}
for f in tlv senml-json senml-cbor lwm2m-cbor oma-json; do
    round_trip "$f spec Device" $f /3/0 "$DEVICE_TLV_JSON"
    round_trip "$f device-3-0" $f /3/0 "$DEVICE_SENML_JSON"
done
for f in senml-json senml-cbor oma-json; do
    round_trip "$f with times" $f / '[{"n":"/3303/0/5700","t":1700000000,"v":22.5},{"n":"/3303/0/5700","t":1700000010.5,"v":23.0}]'
done
round_trip "text String" text /3/0/0 '[{"n":"/3/0/0","vs":"aé\n\"x"}]'
round_trip "text Integer" text /3/0/9 '[{"n":"/3/0/9","v":0}]'
round_trip "text Float" text /3303/0/5700 '[{"n":"/3303/0/5700","v":-1e-07}]'
round_trip "text Boolean" text /3311/0/5850 '[{"n":"/3311/0/5850","vb":false}]'
round_trip "text Time" text /3/0/13 '[{"n":"/3/0/13","v":-1}]'
round_trip "text Objlnk" text /3/0/22/1 '[{"n":"/3/0/22/1","vlo":"65535:65535"}]'
round_trip "text Opaque" text /5/0/0 '[{"n":"/5/0/0","vd":"AAECAwQF_-8"}]'
round_trip "text Unsigned" text /5/0/13 '[{"n":"/5/0/13","v":18446744073709551615}]'
round_trip "opaque" opaque /5/0/0 '[{"n":"/5/0/0","vd":"AAECAwQF_-8"}]'
round_trip "opaque, empty" opaque /5/0/0 '[{"n":"/5/0/0","vd":""}]'
round_trip "tlv untyped" tlv /32769/0 '[{"n":"/32769/0/5","vd":"ZA"},{"n":"/32769/0/6","vd":"AQI"}]'
round_trip "tlv empty instance" tlv /3303 '[{"n":"/3303/0"},{"n":"/3303/1/5700","v":1.5}]'
LINKS_JSON='[{"path":"/","attributes":{"rt":"oma.lwm2m","ct":[60,110,112,11542,11543]}},{"path":"/1/0","attributes":{"ver":"1.1","ssid":101,"uri":"coap://[::1]:5683"}},{"path":"/3/0","attributes":{"pmin":10,"gt":-2.5,"obs":true,"title":"a\"b\\c, d;e"}},{"path":"/lwm2m","attributes":{}}]'
round_trip "link" link / "$LINKS_JSON"
expect "payload encode: link" 0 '</>;rt="oma.lwm2m";ct="60 110 112 11542 11543",</1/0>;ver=1.1;ssid=101;uri="coap://[::1]:5683",</3/0>;pmin=10;gt=-2.5;obs;title="a\"b\\c, d;e",</lwm2m>' "" \
    encode --format link "$LINKS_JSON"
expect "payload encode: link, no attributes key; one-element list; quoted ver" 0 '</3/0>,</4/0>;ct="40";ver="1 1"' "" \
    encode --format link '[{"path":"/3/0"},{"path":"/4/0","attributes":{"ct":[40],"ver":"1 1"}}]'
"$CLI" decode --format link "$REGISTER_LINKS" >"$TMP/links.json"
INPUT=$TMP/links.json
expect "payload encode: link, the Register payload back" 0 "$REGISTER_LINKS" "" encode --format link -
INPUT=/dev/null

# ---- --objects: OMA DDF XML loaded at run time
mkdir "$TMP/objects" "$TMP/objects3" "$TMP/bad-xml" "$TMP/twice" "$TMP/twice-in-one" "$TMP/dup-res" "$TMP/exec-type" "$TMP/empty"
cat >"$TMP/objects/32769.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Object ObjectType="MODefinition">
    <Name>CLI Test</Name>
    <ObjectID>32769</ObjectID>
    <ObjectVersion>1.0</ObjectVersion>
    <MultipleInstances>Multiple</MultipleInstances>
    <Mandatory>Optional</Mandatory>
    <Resources>
      <Item ID="1"><Name>Label</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Mandatory</Mandatory><Type>String</Type><RangeEnumeration>0..8</RangeEnumeration></Item>
      <Item ID="2"><Name>Count</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Integer</Type><RangeEnumeration>-1000..1000</RangeEnumeration></Item>
      <Item ID="3"><Name>Level</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Float</Type></Item>
      <Item ID="4"><Name>Enabled</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Boolean</Type></Item>
      <Item ID="5"><Name>Blob</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Opaque</Type></Item>
      <Item ID="6"><Name>Stamp</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Time</Type></Item>
      <Item ID="7"><Name>Peer</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Objlnk</Type></Item>
      <Item ID="8"><Name>Links</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Corelnk</Type></Item>
      <Item ID="9"><Name>Big</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Unsigned Integer</Type></Item>
      <Item ID="10"><Name>Samples</Name><Operations>R</Operations><MultipleInstances>Multiple</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type>Integer</Type></Item>
      <Item ID="11"><Name>Reset</Name><Operations>E</Operations><MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory><Type></Type></Item>
    </Resources>
  </Object>
</LWM2M>
EOF
echo "not XML, and not named *.xml: ignored" >"$TMP/objects/README"
# Object 3 redefined: only resource 0, an Integer (overrides the shipped Device object).
cat >"$TMP/objects3/3.xml" <<'EOF'
<LWM2M><Object><Name>Not the Device</Name><ObjectID>3</ObjectID><MultipleInstances>Single</MultipleInstances>
<Mandatory>Mandatory</Mandatory><Resources><Item ID="0"><Name>Number</Name><Operations>R</Operations>
<MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory><Type>Integer</Type></Item>
</Resources></Object></LWM2M>
EOF
printf '<LWM2M><Object>\n<Name>x</Name>\n' >"$TMP/bad-xml/a.xml"
cp "$TMP/objects/32769.xml" "$TMP/twice/a.xml"
cp "$TMP/objects/32769.xml" "$TMP/twice/b.xml"
# One document with the object twice: the <Object> element repeated inside <LWM2M>.
sed -n '/<Object /,/<\/Object>/p' "$TMP/objects/32769.xml" >"$TMP/object-only"
{ echo '<LWM2M>'; cat "$TMP/object-only" "$TMP/object-only"; echo '</LWM2M>'; } >"$TMP/twice-in-one/a.xml"
sed 's/Item ID="2"/Item ID="1"/' "$TMP/objects/32769.xml" >"$TMP/dup-res/x.xml"
sed 's/<Type><\/Type>/<Type>Integer<\/Type>/' "$TMP/objects/32769.xml" >"$TMP/exec-type/x.xml"

ALL_TYPES='[{"n":"/32769/0/1","vs":"hi"},{"n":"/32769/0/2","v":-42},{"n":"/32769/0/3","v":2.5},{"n":"/32769/0/4","vb":true},{"n":"/32769/0/5","vd":"AQL_"},{"n":"/32769/0/6","v":1700000000},{"n":"/32769/0/7","vlo":"3:0"},{"n":"/32769/0/8","vs":"</3/0>"},{"n":"/32769/0/9","v":18446744073709551615},{"n":"/32769/0/10/0","v":7},{"n":"/32769/0/10/1","v":-7}]'
ALL_TYPES_TLV=c2016869c102d6c40340200000c10401c3050102ffc4066553f100c40700030000c6083c2f332f303ec80908ffffffffffffffff860a4100074101f9
expect "--objects: encode String and Integer" 0 c2016869c102d6 "" \
    encode --objects "$TMP/objects" --format tlv --path /32769/0 '[{"n":"/32769/0/1","vs":"hi"},{"n":"/32769/0/2","v":-42}]'
expect "--objects: decode String and Integer" 0 '[{"n":"/32769/0/1","vs":"hi"},{"n":"/32769/0/2","v":-42}]' "" \
    decode --objects "$TMP/objects" --format tlv --path /32769/0 c2016869c102d6
expect "--objects: without it the same TLV is untyped" 0 '[{"n":"/32769/0/1","vd":"aGk"},{"n":"/32769/0/2","vd":"1g"}]' "" \
    decode --format tlv --path /32769/0 c2016869c102d6
expect "--objects: encode every type" 0 "$ALL_TYPES_TLV" "" encode --objects "$TMP/objects" --format tlv --path /32769/0 "$ALL_TYPES"
expect "--objects: decode every type" 0 "$ALL_TYPES" "" decode --format tlv --path /32769/0 --objects "$TMP/objects" "$ALL_TYPES_TLV"
for f in tlv senml-json senml-cbor lwm2m-cbor oma-json; do
    round_trip "$f --objects, every type" $f /32769/0 "$ALL_TYPES" --objects "$TMP/objects"
done
expect "--objects: text Corelnk" 0 '[{"n":"/32769/0/8","vs":"</1>,</2>"}]' "" decode --objects="$TMP/objects" --format text --path /32769/0/8 '</1>,</2>'
expect "--objects: executable resource" 0 '[{"n":"/32769/0/11"}]' "" decode --objects "$TMP/objects" --format tlv --path /32769/0 c00b
expect "--objects: resource not in the definition (decode)" 1 "" "error: resource_not_in_schema at offset 0" \
    decode --objects "$TMP/objects" --format tlv --path /32769/0 c10c01
expect "--objects: resource not in the definition (encode)" 1 "" "error: resource_not_in_schema at offset 6" \
    encode --objects "$TMP/objects" --format tlv --path /32769/0 '[{"n":"/32769/0/12","v":1}]'
expect "--objects: range of the Integer (decode)" 1 "" "error: number_out_of_range at offset 2" \
    decode --objects "$TMP/objects" --format tlv --path /32769/0 c20203e9
expect "--objects: range of the Integer (encode)" 1 "" "error: number_out_of_range at offset 23" \
    encode --objects "$TMP/objects" --format tlv --path /32769/0 '[{"n":"/32769/0/2","v":1001}]'
expect "--objects: length range of the String (encode)" 1 "" "error: number_out_of_range at offset 24" \
    encode --objects "$TMP/objects" --format tlv --path /32769/0 '[{"n":"/32769/0/1","vs":"123456789"}]'
expect "--objects: String given a number" 1 "" "error: type_mismatch at offset 23" \
    encode --objects "$TMP/objects" --format tlv --path /32769/0 '[{"n":"/32769/0/1","v":1}]'
expect "--objects: a value for the executable resource" 1 "" "error: type_mismatch at offset 24" \
    encode --objects "$TMP/objects" --format tlv --path /32769/0 '[{"n":"/32769/0/11","v":1}]'
expect "--objects: a multiple resource at resource level" 1 "" "error: invalid_nesting at offset 6" \
    encode --objects "$TMP/objects" --format tlv --path /32769/0 '[{"n":"/32769/0/10","v":1}]'
expect "--objects: overrides a shipped object (decode)" 0 '[{"n":"/3/0/0","v":100}]' "" \
    decode --objects "$TMP/objects3" --format tlv --path /3/0 c10064
expect "--objects: overrides a shipped object (resource 9 is gone)" 1 "" "error: resource_not_in_schema at offset 0" \
    decode --objects "$TMP/objects3" --format tlv --path /3/0 c10964
expect "--objects: overrides a shipped object (encode)" 0 c10064 "" \
    encode --objects "$TMP/objects3" --format tlv --path /3/0 '[{"n":"/3/0/0","v":100}]'
expect "--objects: an empty directory changes nothing" 0 '[{"n":"/3/0/9","v":100}]' "" \
    decode --objects "$TMP/empty" --format tlv --path /3/0 c10964
expect "--objects: not a directory" 1 "" "lwm2m-cli: cannot read directory '$TMP/objects/32769.xml'" \
    decode --objects "$TMP/objects/32769.xml" --format tlv --path /3/0 c10964
expect "--objects: no such directory" 1 "" "lwm2m-cli: cannot read directory '$TMP/nonexistent'" \
    encode --objects "$TMP/nonexistent" --format tlv --path /3/0 '[]'
expect "--objects: malformed XML" 1 "" "lwm2m-cli: $TMP/bad-xml/a.xml: line 3: unterminated element <Object>" \
    decode --objects "$TMP/bad-xml" --format tlv --path /3/0 c10964
expect "--objects: the same object in two files" 1 "" "lwm2m-cli: $TMP/twice/b.xml: object 32769 is also defined in $TMP/twice/a.xml" \
    decode --objects "$TMP/twice" --format tlv --path /3/0 c10964
expect "--objects: the same object twice in one file" 1 "" "lwm2m-cli: $TMP/twice-in-one/a.xml: object 32769 is defined twice" \
    decode --objects "$TMP/twice-in-one" --format tlv --path /3/0 c10964
expect "--objects: duplicate resource id" 1 "" "lwm2m-cli: $TMP/dup-res/x.xml: object 32769: resource 1: duplicate id" \
    decode --objects "$TMP/dup-res" --format tlv --path /3/0 c10964
expect "--objects: executable resource with a type" 1 "" "lwm2m-cli: $TMP/exec-type/x.xml: object 32769: resource 11: executable with a type" \
    decode --objects "$TMP/exec-type" --format tlv --path /3/0 c10964

# ---- decode: invalid input (the format's error at its offset in the payload)
expect "payload decode: bad hex digit" 1 "" "error: invalid_argument at offset 6" decode --format tlv --path /3/0 c10964zz
expect "payload decode: odd hex count" 1 "" "error: invalid_argument at offset 5" decode --format tlv --path /3/0 c1096
expect "payload decode: TLV length beyond the payload" 1 "" "error: length_exceeds_payload at offset 0" decode --format tlv --path /3/0 c80014
expect "payload decode: TLV truncated header" 1 "" "error: truncated_value at offset 3" decode --format tlv --path /3/0 c10964c8
expect "payload decode: TLV at the root" 1 "" "error: path_wrong_level at offset 0" decode --format tlv --path / c10964
expect "payload decode: TLV id other than the path's" 1 "" "error: invalid_nesting at offset 0" decode --format tlv --path /3/0/10 c10964
expect "payload decode: TLV duplicate resource" 1 "" "error: duplicate_entry at offset 3" decode --format tlv --path /3/0 c10964c10964
expect "payload decode: TLV resource not in the schema" 1 "" "error: resource_not_in_schema at offset 0" decode --format tlv --path /3/0 c1fe64
expect "payload decode: TLV value out of the resource's range" 1 "" "error: number_out_of_range at offset 2" decode --format tlv --path /3/0 c1096e
expect "payload decode: TLV integer of 3 bytes" 1 "" "error: invalid_integer_length at offset 2" decode --format tlv --path /3/0 c309000064
expect "payload decode: TLV multiple resource as single" 1 "" "error: invalid_nesting at offset 0" decode --format tlv --path /3/0 c10701
expect "payload decode: text at instance level" 1 "" "error: path_wrong_level at offset 0" decode --format text --path /3/0 100
expect "payload decode: text not a number" 1 "" "error: invalid_number at offset 0" decode --format text --path /3/0/9 abc
expect "payload decode: text out of range" 1 "" "error: number_out_of_range at offset 0" decode --format text --path /3/0/9 101
expect "payload decode: text bad boolean" 1 "" "error: invalid_boolean at offset 0" decode --format text --path /3311/0/5850 2
expect "payload decode: text bad object link" 1 "" "error: invalid_objlnk at offset 0" decode --format text --path /3/0/22/0 66
expect "payload decode: opaque for a String resource" 1 "" "error: type_mismatch at offset 0" decode --format opaque --path /3/0/0 00
expect "payload decode: SenML JSON syntax" 1 "" "error: invalid_json at offset 20" decode --format senml-json --path /3/0 '[{"n":"/3/0/9","v":1'
expect "payload decode: SenML JSON wrong label type" 1 "" "error: invalid_senml at offset 19" decode --format senml-json --path /3/0 '[{"n":"/3/0/9","v":"x"}]'
expect "payload decode: SenML JSON outside the path" 1 "" "error: invalid_nesting at offset 6" decode --format senml-json --path /3/0 '[{"n":"/4/0/9","v":1}]'
expect "payload decode: SenML JSON mandatory label" 1 "" "error: unknown_mandatory_label at offset 15" decode --format senml-json --path /3/0 '[{"n":"/3/0/9","x_":1,"v":1}]'
expect "payload decode: SenML CBOR truncated" 1 "" "error: truncated_value at offset 1" decode --format senml-cbor --path /3/0 81a1
expect "payload decode: LwM2M CBOR truncated" 1 "" "error: truncated_value at offset 0" decode --format lwm2m-cbor --path /3/0 a1
expect "payload decode: OMA JSON wrong value type" 1 "" "error: invalid_senml at offset 20" decode --format oma-json --path /3/0 '{"e":[{"n":"9","bv":1}]}'
expect "payload decode: link, stray ';'" 1 "" "error: invalid_link_format at offset 7" decode --format link '</3/0>;'
expect "payload decode: link, garbage after a link" 1 "" "error: invalid_link_format at offset 7" decode --format link '</3/0>,x'
stdin_text "c10964zz\n"
expect "payload decode - (offset in stdin)" 1 "" "error: invalid_argument at offset 6" decode --format tlv --path /3/0 -
stdin_text "101\n"
expect "payload decode - text (trailing newline removed)" 1 "" "error: number_out_of_range at offset 0" decode --format text --path /3/0/9 -
stdin_text "100\n"
expect "payload decode - text" 0 '[{"n":"/3/0/9","v":100}]' "" decode --format text --path /3/0/9 -
INPUT=/dev/null

# ---- encode: invalid input (offsets in the JSON)
expect "payload encode: JSON syntax" 1 "" "error: invalid_json at offset 20" encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":1'
expect "payload encode: duplicate key" 1 "" "error: duplicate_entry at offset 21" encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":1,"n":"/3/0/10"}]'
expect "payload encode: not an array" 1 "" "error: invalid_argument at offset 0" encode --format tlv --path /3/0 '{"n":"/3/0/9"}'
expect "payload encode: record not an object" 1 "" "error: invalid_argument at offset 1" encode --format tlv --path /3/0 '[1]'
expect "payload encode: unknown key" 1 "" "error: invalid_argument at offset 21" encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":1,"bt":2}]'
expect "payload encode: n not a string" 1 "" "error: invalid_argument at offset 6" encode --format tlv --path /3/0 '[{"n":9,"v":1}]'
expect "payload encode: v not a number" 1 "" "error: invalid_argument at offset 19" encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":"1"}]'
expect "payload encode: vb not a boolean" 1 "" "error: invalid_argument at offset 26" encode --format tlv --path /3311/0 '[{"n":"/3311/0/5850","vb":1}]'
expect "payload encode: t not a number" 1 "" "error: invalid_argument at offset 25" encode --format senml-json --path /3/0 '[{"n":"/3/0/9","v":1,"t":"0"}]'
expect "payload encode: two values" 1 "" "error: invalid_argument at offset 21" encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":1,"vs":"a"}]'
expect "payload encode: no name" 1 "" "error: invalid_argument at offset 1" encode --format tlv --path /3/0 '[{"v":1}]'
expect "payload encode: relative name" 1 "" "error: path_syntax at offset 6" encode --format tlv --path /3/0 '[{"n":"3/0/9","v":1}]'
expect "payload encode: bad id" 1 "" "error: path_invalid_number at offset 6" encode --format tlv --path /3/0 '[{"n":"/3/0/09","v":1}]'
expect "payload encode: id 65535" 1 "" "error: path_id_out_of_range at offset 6" encode --format tlv --path /3/0 '[{"n":"/3/0/65535","v":1}]'
expect "payload encode: too deep" 1 "" "error: path_too_deep at offset 6" encode --format tlv --path /3/0 '[{"n":"/3/0/9/0/1","v":1}]'
expect "payload encode: bad bn + n (offset of n)" 1 "" "error: path_syntax at offset 19" encode --format tlv --path /3/0 '[{"bn":"/3/0/","n":"/9","v":1}]'
expect "payload encode: bad bn alone (offset of bn)" 1 "" "error: path_syntax at offset 7" encode --format tlv --path /3/0 '[{"bn":"/3/0/","v":1}]'
expect "payload encode: not under --path" 1 "" "error: invalid_nesting at offset 6" encode --format tlv --path /3/0 '[{"n":"/4/0/9","v":1}]'
expect "payload encode: value above resource level" 1 "" "error: not_resource_instance_level at offset 6" encode --format tlv --path /3/0 '[{"n":"/3/0","v":1}]'
expect "payload encode: resource not in the schema" 1 "" "error: resource_not_in_schema at offset 6" encode --format tlv --path /3/0 '[{"n":"/3/0/99","v":1}]'
expect "payload encode: multiple resource without instance" 1 "" "error: invalid_nesting at offset 6" encode --format tlv --path /3/0 '[{"n":"/3/0/7","v":1}]'
expect "payload encode: single resource with instance" 1 "" "error: invalid_nesting at offset 6" encode --format tlv --path /3/0 '[{"n":"/3/0/9/0","v":1}]'
expect "payload encode: fraction for an Integer" 1 "" "error: type_mismatch at offset 19" encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":1.5}]'
expect "payload encode: out of the resource's range" 1 "" "error: number_out_of_range at offset 19" encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":101}]'
expect "payload encode: Integer beyond 64 bits" 1 "" "error: number_out_of_range at offset 21" encode --format tlv --path /3/0 '[{"n":"/3/0/7/0","v":1e30}]'
expect "payload encode: negative Unsigned Integer" 1 "" "error: number_out_of_range at offset 20" encode --format tlv --path /5/0 '[{"n":"/5/0/13","v":-1}]'
expect "payload encode: Float beyond double" 1 "" "error: number_out_of_range at offset 25" encode --format tlv --path /3303/0 '[{"n":"/3303/0/5700","v":1e999}]'
expect "payload encode: vs for an Integer" 1 "" "error: type_mismatch at offset 20" encode --format tlv --path /3/0 '[{"n":"/3/0/9","vs":"1"}]'
expect "payload encode: v for a String" 1 "" "error: type_mismatch at offset 19" encode --format tlv --path /3/0 '[{"n":"/3/0/0","v":1}]'
expect "payload encode: vb for a String" 1 "" "error: type_mismatch at offset 20" encode --format tlv --path /3/0 '[{"n":"/3/0/0","vb":true}]'
expect "payload encode: vd for a String" 1 "" "error: type_mismatch at offset 20" encode --format tlv --path /3/0 '[{"n":"/3/0/0","vd":"AA"}]'
expect "payload encode: vlo for a String" 1 "" "error: type_mismatch at offset 21" encode --format tlv --path /3/0 '[{"n":"/3/0/0","vlo":"1:1"}]'
expect "payload encode: a value for an executable resource" 1 "" "error: type_mismatch at offset 19" encode --format tlv --path /3/0 '[{"n":"/3/0/4","v":1}]'
expect "payload encode: bad base64url" 1 "" "error: invalid_base64 at offset 20" encode --format tlv --path /5/0 '[{"n":"/5/0/0","vd":"A*=="}]'
expect "payload encode: base64url of a bad length" 1 "" "error: invalid_base64 at offset 20" encode --format tlv --path /5/0 '[{"n":"/5/0/0","vd":"A"}]'
expect "payload encode: bad object link" 1 "" "error: invalid_objlnk at offset 24" encode --format tlv --path /3/0 '[{"n":"/3/0/22/0","vlo":"3"}]'
expect "payload encode: object link id beyond 65535" 1 "" "error: invalid_objlnk at offset 23" encode --format tlv --path /3/0 '[{"n":"/3/0/22/0","vs":"3:70000"}]'
expect "payload encode: time not finite" 1 "" "error: number_out_of_range at offset 25" encode --format senml-json --path /3/0 '[{"n":"/3/0/9","v":1,"t":1e400}]'
expect "payload encode: TLV, the same path twice (at the second record)" 1 "" "error: invalid_argument at offset 22" \
    encode --format tlv --path /3/0 '[{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":2}]'
expect "payload encode: text, two records" 1 "" "error: invalid_argument at offset 22" \
    encode --format text --path /3/0/9 '[{"n":"/3/0/9","v":1},{"n":"/3/0/9","v":2}]'
expect "payload encode: text, no record" 1 "" "error: invalid_argument at offset 0" encode --format text --path /3/0/9 '[]'
expect "payload encode: text at instance level" 1 "" "error: path_wrong_level at offset 1" encode --format text --path /3/0 '[{"n":"/3/0/9","v":1}]'
expect "payload encode: opaque of a String" 1 "" "error: type_mismatch at offset 1" encode --format opaque --path /3/0/0 '[{"n":"/3/0/0","vs":"x"}]'
expect "payload encode: OMA JSON record without value" 1 "" "error: invalid_argument at offset 22" \
    encode --format oma-json --path /3/0 '[{"n":"/3/0/9","v":1},{"n":"/3/0/10"}]'
expect "payload encode: link, not an array" 1 "" "error: invalid_argument at offset 0" encode --format link '{}'
expect "payload encode: link, unknown key" 1 "" "error: invalid_argument at offset 16" encode --format link '[{"path":"/3/0","attrs":{}}]'
expect "payload encode: link, no path" 1 "" "error: invalid_argument at offset 1" encode --format link '[{"attributes":{}}]'
expect "payload encode: link, path not a string" 1 "" "error: invalid_argument at offset 9" encode --format link '[{"path":3}]'
expect "payload encode: link, space in the URI" 1 "" "error: invalid_argument at offset 9" encode --format link '[{"path":"/3 0"}]'
expect "payload encode: link, bad attribute name" 1 "" "error: invalid_argument at offset 30" encode --format link '[{"path":"/3/0","attributes":{"a b":1}}]'
expect "payload encode: link, false" 1 "" "error: invalid_argument at offset 36" encode --format link '[{"path":"/3/0","attributes":{"obs":false}}]'
expect "payload encode: link, null" 1 "" "error: invalid_argument at offset 37" encode --format link '[{"path":"/3/0","attributes":{"pmin":null}}]'
expect "payload encode: link, empty list" 1 "" "error: invalid_argument at offset 35" encode --format link '[{"path":"/3/0","attributes":{"ct":[]}}]'
expect "payload encode: link, list of strings" 1 "" "error: invalid_argument at offset 36" encode --format link '[{"path":"/3/0","attributes":{"ct":["40"]}}]'
expect "payload encode: link, control character in a string" 1 "" "error: invalid_argument at offset 38" encode --format link '[{"path":"/3/0","attributes":{"title":"a\u0001"}}]'
stdin_text '[{"n":"/3/0/9",\n"v":1.5}]\n'
expect "payload encode - (error offset counts stdin bytes)" 1 "" "error: type_mismatch at offset 20" encode --format tlv --path /3/0 -
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
    "lwm2m-cli decode --format FMT [--path PATH] [--objects DIR] HEX|TEXT" \
    "lwm2m-cli encode --format FMT [--path PATH] [--objects DIR] JSON" \
    "  HEX " "  TEXT " "  JSON " "  -      in place of HEX, TEXT or JSON" "  --     ends the options" \
    "  type " "  code " "  mid " "  token " "  options " "  payload " \
    "number " "name " "hex " "value " "omitted for unknown options" \
    "  text  " "  opaque  " "  cbor  " "  tlv  " "  senml-json  " "  senml-cbor  " "  lwm2m-cbor  " \
    "  oma-json  " "  link  " "--format FMT" "--path PATH" "--objects DIR" \
    "  n  " "  t  " "  v  " "  vs  " "  vb  " "  vd  " "  vlo  " "bn" "base64url" \
    "  path  " "  attributes  " "pipe decode into encode" \
    "error: <name> at offset <n>" "invalid_argument" "invalid_json" "lwm2m-cli: <file>: <what>" \
    "  0  success" "  1  invalid input" "  2  usage error"; do
    check "help mentions '$phrase'" grep -qF -e "$phrase" "$TMP/help"
done
check "help lines fit 100 columns (but example lines)" awk '!/^    [$\{\[]/ && length > 100 { exit 1 }' "$TMP/help"
check "help no longer promises the payload commands for later" eval '! grep -q "Later versions add" "$TMP/help"'
# The examples in the help are true.
sed -n 's/^    \$ lwm2m-cli //p' "$TMP/help" >"$TMP/examples"
check "help has nine examples" [ "$(wc -l <"$TMP/examples")" -eq 9 ]
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
FORMATS="(text, opaque, cbor, tlv, senml-json, senml-cbor, lwm2m-cbor, oma-json, link)"
expect "payload: missing --format" 2 "" "lwm2m-cli: missing option '--format' for 'decode' $USAGE_HINT" decode c10964
expect "payload: missing --format (encode)" 2 "" "lwm2m-cli: missing option '--format' for 'encode' $USAGE_HINT" encode '[]'
expect "payload: --format without value" 2 "" "lwm2m-cli: option '--format' needs a value $USAGE_HINT" decode --format
expect "payload: unknown format" 2 "" "lwm2m-cli: unknown format 'xml' $FORMATS $USAGE_HINT" decode --format xml 00
expect "payload: application/cbor holds one record" 1 "" "error: invalid_argument at offset 0" encode --format=cbor --path /3/0/9 '[]'
expect "payload: --format twice" 2 "" "lwm2m-cli: option '--format' given twice $USAGE_HINT" decode --format tlv --format tlv 00
expect "payload: --path twice" 2 "" "lwm2m-cli: option '--path' given twice $USAGE_HINT" decode --format tlv --path /3 --path=/3 00
expect "payload: --objects twice" 2 "" "lwm2m-cli: option '--objects' given twice $USAGE_HINT" decode --objects a --objects b --format tlv 00
expect "payload: relative --path" 2 "" "lwm2m-cli: invalid path '3/0' for --path: path_syntax at offset 0 $USAGE_HINT" \
    decode --format tlv --path 3/0 00
expect "payload: bad --path id" 2 "" "lwm2m-cli: invalid path '/3/0/x' for --path: path_invalid_number at offset 5 $USAGE_HINT" \
    encode --format tlv --path=/3/0/x '[]'
expect "payload: unknown option" 2 "" "lwm2m-cli: unknown option '--bogus' $USAGE_HINT" decode --format tlv --bogus 00
expect "payload: unknown option given with =" 2 "" "lwm2m-cli: unknown option '--bogus' $USAGE_HINT" decode --bogus=1 --format tlv 00
expect "payload: unknown short option" 2 "" "lwm2m-cli: unknown option '-x' $USAGE_HINT" decode -x
expect "payload: a negative number needs --" 2 "" "lwm2m-cli: unknown option '-5' $USAGE_HINT" decode --format text --path /3/0/9 -5
expect "payload: -- ends the options" 0 '[{"n":"/3303/0/5700","v":-5.0}]' "" decode --format text --path /3303/0/5700 -- -5
expect "payload: missing payload" 2 "" "lwm2m-cli: missing argument: the payload for 'decode' (HEX, TEXT or -) $USAGE_HINT" decode --format tlv
expect "payload: missing JSON" 2 "" "lwm2m-cli: missing argument: the JSON for 'encode' (or -) $USAGE_HINT" encode --format tlv --path /3/0
expect "payload: extra argument" 2 "" "lwm2m-cli: unexpected argument '11' $USAGE_HINT" decode --format tlv 00 11
expect "payload: options after the argument" 0 '[{"n":"/3/0/9","v":100}]' "" decode c10964 --path /3/0 --format tlv
expect "payload: usage errors come before --objects is read" 2 "" "lwm2m-cli: missing option '--format' for 'decode' $USAGE_HINT" \
    decode --objects "$TMP/nonexistent" 00
"$CLI" decode --format tlv --help >"$TMP/h3" 2>&1
check "--help after decode prints the help" cmp -s "$TMP/help" "$TMP/h3"

echo "cli_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
