#pragma once
/**
 * @file format/senml/json_reader.hpp
 * `senml_json_reader`: pull cursor over a SenML JSON pack (application/senml+json,
 * Content-Format 110; RFC 8428 §5, LwM2M 1.1 Core §7.4.4) yielding one resolved
 * `format::record` per SenML record, with absolute paths, straight from the payload (zero-copy).
 * Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/config.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/format/json/number_value.hpp>
#include <lwm2m/format/json/reader.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

/**
 * Reads a SenML JSON pack (RFC 8428 §5; LwM2M 1.1 Core §7.4.4) as records, one per call to
 * `next()`, in payload order. Each record is resolved (RFC 8428 §4.6):
 * - path = the LwM2M path named by "bn" + "n" (§4.5.1; "bn" stays in force until the next
 *   "bn"). A record without "n" is named by "bn" alone; without either it is `invalid_senml`.
 * - time = "bt" + "t" (§4.5.3) when either is present, else none. Times below 2^28 are
 *   relative to "now" (e.g. "t":-5) and are returned as they are: the reader has no clock.
 * - value: "v" → an integer literal is `value::of_integer` (`of_unsigned` above INT64_MAX; a
 *   double beyond the uint64/int64 range), any other number `of_float`; "bv" (§4.5.4) is added
 *   to it, exactly while integers fit; "vs" → string (encoding `json_escaped` when the JSON
 *   string has escapes, else `raw`; zero-copy); "vb" → boolean; "vd" → opaque in `base64url`
 *   (validated now; RFC 8428 §5 says without padding, padding is accepted too; JSON escapes
 *   inside "vd" are not), or in `base64` when it is standard base64 with its padding instead
 *   (as Zephyr and older Leshan write it); "vlo" → objlnk from "ObjID:InstID" (LwM2M 1.1 Core §7.4.4).
 * - "bver" (§4.4) must be a positive integer literal no greater than 10 and the same in every
 *   record that has it; "bu", "u", "ut", "bs" and "s" are type-checked and ignored: a sum is not
 *   an LwM2M value, so a record holding only "s" has no value. Other labels are ignored
 *   (§4.4), except that a label ending in '_' is an error (§4.4). JSON escapes in names and
 *   labels are decoded.
 *
 * Two modes:
 * - values (default): every record must have exactly one value (§4.2) and a path at resource
 *   or resource-instance level (Read, Write, Write-Composite, Send, notifications). A record
 *   holding base fields only (bn, bt, bu, bv, bs, bver; no "n", no value, no other regular
 *   field), like the first record of RFC 8428 §5.1.7, yields no record: its base fields apply
 *   to the records after it;
 * - path list (`senml_json_reader(payload, base, senml_json_reader::path_list_mode)`): the
 *   Read-Composite / Observe-Composite request body, records with names only (LwM2M 1.1 Core
 *   §7.4.4 Table 7.4.4-6); any level (also `/`); the value is `none`; time is resolved as usual.
 *
 * Every path must lie under `base` (the request path; `/` for composite operations).
 * With `schemas`, for an object it knows, the resource must exist, its multiplicity must match
 * the path level (a value at `/O/I/R` of a multiple resource, or at `/O/I/R/RI` of a single one,
 * is `invalid_nesting`), and the value is converted with `coerce` to the resource's data type
 * (e.g. "v":1700000000 → Time, "v":22 → Float 22.0, "vs" → Corelnk; an Objlnk may also come as
 * "vs":"3:0") and checked with `check_range` (strings/opaque by decoded length). Objects the
 * registry does not know are read without typing.
 * Records with the same path are not an error (Send and notifications repeat paths with
 * different times).
 *
 * Errors (then every later `next()` returns the same error); offsets are byte offsets in the
 * payload, at the start of the token concerned (the opening quote of a string):
 * - `invalid_json`, `invalid_utf8`: from the JSON tokenizer (RFC 8259);
 * - `invalid_senml`: the top level is not an array, an element is not an object, a label's
 *   value has the wrong JSON type (offset of the value), a record has no "bn" in force and no
 *   "n" (offset of the record), two value labels in one record (offset of the second label), no
 *   value in values mode (offset of the record) or a value in path-list mode (its label),
 *   "bver" not a positive integer ≤ 10 or different from an earlier record's;
 * - `unknown_mandatory_label`: a label ending in '_' (offset of the label);
 * - `duplicate_entry`: a known label twice in one record (offset of the second);
 * - `path_syntax`, `path_invalid_number`, `path_id_out_of_range`, `path_too_deep`: "bn" + "n"
 *   is not an LwM2M path (the rules of `parse_path`; offset of "n", or of "bn" when there is no
 *   "n");
 * - `invalid_nesting`: the path is not under `base` (the payload names something outside the
 *   request target, as TLV reports an id that differs from the request; offset of the name), or
 *   the schema's multiplicity does not match (see above);
 * - `not_resource_instance_level`: values mode, a path above resource level (offset of the name);
 * - `number_out_of_range`: a number beyond the range of a double, bt + t or bv + v infinite
 *   (offset of the value); with a schema, a value outside the resource's range;
 * - `invalid_base64`: "vd" is neither base64url nor padded base64 (offset of the first
 *   character base64url does not allow);
 * - `invalid_objlnk`: "vlo" is not "ObjID:InstID" with ids ≤ 65535 (offset of the value);
 * - with a schema: `resource_not_in_schema` (offset of the name), `type_mismatch`,
 *   `number_out_of_range`, `invalid_objlnk` (offset of the value).
 *
 * The payload, `base` (copied) and the schema registry must outlive the reader; records view
 * the payload. Allocation: none.
 */
class senml_json_reader {
public:
    /** Selects path-list mode (Read-Composite / Observe-Composite request bodies). */
    static constexpr senml::path_list_mode_t path_list_mode{};

    /** A reader in values mode over `payload` sent to/for `base`. Allocation: none. */
    senml_json_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas = nullptr) noexcept
        : json_(payload), resolver_(base, schemas, false) {}

    /** A reader in path-list mode. Allocation: none. */
    senml_json_reader(bytes_view payload, const lwm2m::path& base, senml::path_list_mode_t,
                      const schema_registry* schemas = nullptr) noexcept
        : json_(payload), resolver_(base, schemas, true) {}

    /**
     * The next record, or `std::nullopt` after the last one (and on every later call).
     * Errors: see the class comment. Allocation: none.
     */
    [[nodiscard]] LWM2M_HOT_INLINE result<std::optional<record>> next() noexcept {
        if constexpr (LWM2M_SENML_ONE_PASS) {
            // The common record of a plain pack, built once, in the caller's result.
            if (fast_) {
                plain_fields f;
                if (plain_next(f)) return senml::detail::plain_result(f.p, f.v);
                if (json_.take_final_end_array()) {  // the end, as step() finds it
                    state_ = state::done;
                    fast_ = false;
                    return std::optional<record>{};
                }
            } else if (state_ == state::start) {
                return first();
            }
        }
        return next_general();
    }

private:
    using opt_record = std::optional<record>;
    using output = senml::detail::pack_resolver::output;
    using token = json::token;
    using token_kind = json::token_kind;
    enum class state : std::uint8_t { start, records, done };

    /** A label decoded from a key token (first bytes only: known labels are short). */
    struct key_name {
        char chars[8]{};
        std::size_t length = 0;
        char last = 0;
        [[nodiscard]] std::optional<senml::label> known() const noexcept {
            if (length > sizeof(chars)) return std::nullopt;
            return senml::label_from_text(std::string_view{chars, length});
        }
    };

    [[nodiscard]] static key_name decode_key(const token& k) noexcept {
        key_name out;
        senml::detail::for_each_char(senml::detail::text_field::json(k.text, k.escaped, k.offset), [&](char c) {
            if (out.length < sizeof(out.chars)) out.chars[out.length] = c;
            ++out.length;
            out.last = c;
        });
        return out;
    }

    [[nodiscard]] static result<senml::detail::text_field> text(const token& t) noexcept {
        if (t.kind != token_kind::string) return fail(errc::invalid_senml, t.offset);
        return senml::detail::text_field::json(t.text, t.escaped, t.offset);
    }

    /** "v" / "bv": integer literals stay integers while they fit int64 / uint64. */
    [[nodiscard]] static result<value> number_value(const token& t) noexcept {
        if (t.kind != token_kind::number) return fail(errc::invalid_senml, t.offset);
        return json::number_value(t);
    }

    [[nodiscard]] static result<double> number_double(const token& t) noexcept {
        if (t.kind != token_kind::number) return fail(errc::invalid_senml, t.offset);
        auto d = encoding::parse_double(t.text);
        if (!d) return fail(errc::number_out_of_range, t.offset);
        return *d;
    }

    /** Reads the value of a known label into `r`. */
    [[nodiscard]] static result<void> field(senml::label l, const token& t, senml::detail::raw_record& r) noexcept {
        using senml::label;
        switch (l) {
        case label::bver: {
            if (t.kind != token_kind::number) return fail(errc::invalid_senml, t.offset);
            // 0 (rejected by the resolver) for negative and non-integer numbers; an integer too
            // large for uint64 is still a version we do not understand.
            r.bver = 0;
            if (t.integer && t.text[0] != '-') {
                auto u = encoding::parse_uint64(t.text);
                r.bver = u ? *u : senml::max_version + 1;
            }
            r.bver_offset = t.offset;
            return {};
        }
        case label::bn: {
            LWM2M_TRY(f, text(t));
            r.bn = f;
            return {};
        }
        case label::n: {
            LWM2M_TRY(f, text(t));
            r.n = f;
            return {};
        }
        case label::bu:
        case label::u: {
            LWM2M_TRY(f, text(t));
            (void)f;
            return {};
        }
        case label::bt: {
            LWM2M_TRY(d, number_double(t));
            r.bt = d;
            r.bt_offset = t.offset;
            return {};
        }
        case label::t: {
            LWM2M_TRY(d, number_double(t));
            r.t = d;
            r.t_offset = t.offset;
            return {};
        }
        case label::bs:
        case label::s:
        case label::ut: {
            LWM2M_TRY(d, number_double(t));
            (void)d;
            return {};
        }
        case label::bv: {
            LWM2M_TRY(v, number_value(t));
            r.bv = v;
            r.bv_offset = t.offset;
            return {};
        }
        case label::v: {
            LWM2M_TRY(v, number_value(t));
            r.val = v;
            break;
        }
        case label::vs: {
            LWM2M_TRY(f, text(t));
            r.val = value::of_string(f.text, f.encoding);
            break;
        }
        case label::vb:
            if (t.kind != token_kind::true_ && t.kind != token_kind::false_) return fail(errc::invalid_senml, t.offset);
            r.val = value::of_boolean(t.kind == token_kind::true_);
            break;
        case label::vd: {
            LWM2M_TRY(f, text(t));
            // Validated now so that decoding later cannot fail; a backslash is not base64.
            // RFC 8428 §4.3 asks for base64url (padding is accepted too). Standard base64 with
            // its padding is taken as well: Zephyr and older Leshan write "vd" that way, and
            // Leshan's reader takes both. One value uses one alphabet; the writer always
            // answers in unpadded base64url.
            auto encoded = text_encoding::base64url;
            if (auto n = encoding::base64_decoded_size(f.text, encoding::base64_alphabet::url); !n) {
                if (!encoding::base64_decoded_size(f.text, encoding::base64_alphabet::standard))
                    return fail(errc::invalid_base64, t.offset + 1 + n.error().offset);
                encoded = text_encoding::base64;
            }
            r.val = value::of_opaque(as_bytes(f.text), encoded);
            break;
        }
        case label::vlo: {
            LWM2M_TRY(f, text(t));
            LWM2M_TRY(v, senml::detail::objlnk_value(f));
            r.val = v;
            break;
        }
        }
        r.value_label = l;
        r.value_offset = t.offset;
        return {};
    }

    /**
     * The fast path for the records nearly every pack is made of: known labels, string values
     * of printable ASCII without escapes, numbers and booleans. Scans the next record straight
     * from the payload into `r`, exactly as `read_record` would read it, and returns where the
     * record ends; returns 0 (leaving the tokenizer where it was) at anything else: other
     * shapes, unknown labels and every error are left to `read_record`, which then reads the
     * record again token by token and reports what it finds.
     */
    [[nodiscard]] std::size_t scan_record(senml::detail::raw_record& r) const noexcept {
        using position = json::reader::array_position;
        const position where = json_.position_in_array();
        if (where == position::none) return 0;
        const std::string_view in = json_.input();
        const std::size_t size = in.size();
        std::size_t i = json_.offset();
        // Whether `c` is next, after optional whitespace; most packs have none, so the character
        // is compared first and whitespace skipped only when it differs.
        const auto skip_ws = [&] {
            while (i < size && in[i] <= ' ' && (in[i] == ' ' || in[i] == '\n' || in[i] == '\r' || in[i] == '\t')) ++i;
        };
        const auto at = [&](char c) {
            if (i < size && in[i] == c) return true;
            skip_ws();
            return i < size && in[i] == c;
        };
        if (where == position::after_element) {
            if (!at(',')) return 0;
            ++i;
        }
        if (!at('{')) return 0;
        r.offset = i++;
        for (;;) {
            if (!at('"')) return 0;
            const std::size_t key_at = i;
            // Every label is 1 to 4 letters: find the closing quote by looking, not scanning
            // (a key with another character is no label: label_from_text rejects it). The
            // common lengths 1 and 2 are tried first, so that the lookup is specialised.
            if (size - i < 6) return 0;  // the shortest member, "n":0, and a closing brace
            std::optional<senml::label> l;
            std::size_t key_length = 1;
            if (in[i + 2] == '"') {
                l = senml::label_from_text({in.data() + i + 1, 1});
            } else if (in[i + 3] == '"') {
                key_length = 2;
                l = senml::label_from_text({in.data() + i + 1, 2});
            } else {
                key_length = in[i + 4] == '"' ? 3 : in[i + 5] == '"' ? 4 : 0;
                if (key_length == 0) return 0;
                l = senml::label_from_text({in.data() + i + 1, key_length});
            }
            if (!l || r.labels.has(*l)) return 0;
            i += key_length + 2;
            if (!at(':')) return 0;
            ++i;
            skip_ws();
            if (i == size) return 0;
            r.labels.add(*l);
            if (senml::is_value_label(*l)) {
                if (r.value_label) return 0;
                r.value_key_offset = key_at;
            }
            const std::size_t value_at = i;
            const char c = in[i];
            if (c == '"') {
                // A string of printable ASCII; "n" and "vs" stored here, as `field` would.
                const std::size_t body = i + 1;
                const std::size_t end = body + encoding::json_plain_prefix({in.data() + body, size - body}, true);
                if (end >= size || in[end] != '"') return 0;
                i = end + 1;
                const std::string_view text{in.data() + body, end - body};
                if (*l == senml::label::n) {
                    r.n = senml::detail::text_field{text, text_encoding::raw, value_at};
                } else if (*l == senml::label::vs) {
                    r.val = value::of_string(text);
                    r.value_label = *l;
                    r.value_offset = value_at;
                } else {
                    token t{};
                    t.kind = token_kind::string;
                    t.text = text;
                    t.offset = value_at;
                    if (!field(*l, t, r)) return 0;
                }
            } else if (c >= '1' && c <= '9' && *l == senml::label::v) {
                // "v" as a positive integer of up to 18 digits (no overflow), as `field` reads it.
                std::int64_t x = c - '0';
                std::size_t k = i + 1;
                const std::size_t limit = size - i > 18 ? i + 18 : size;
                while (k < limit && static_cast<unsigned char>(in[k] - '0') < 10) x = x * 10 + (in[k++] - '0');
                if (k == size || in[k] == '.' || in[k] == 'e' || in[k] == 'E' || static_cast<unsigned char>(in[k] - '0') < 10)
                    return 0;
                r.val = value::of_integer(x);
                r.value_label = *l;
                r.value_offset = value_at;
                i = k;
            } else {
                token t{};
                t.offset = value_at;
                if (c == '-' || (c >= '0' && c <= '9')) {
                    const std::size_t n = encoding::scan_json_number(slice(in, i), t.integer);
                    if (n == 0) return 0;
                    t.kind = token_kind::number;
                    t.text = slice(in, i, n);
                    i += n;
                } else if (slice(in, i, 4) == "true") {
                    t.kind = token_kind::true_;
                    i += 4;
                } else if (slice(in, i, 5) == "false") {
                    t.kind = token_kind::false_;
                    i += 5;
                } else {
                    return 0;
                }
                if (!field(*l, t, r)) return 0;
            }
            if (at(',')) {
                ++i;
                continue;
            }
            if (at('}')) return i + 1;
            return 0;
        }
    }

    /** What `plain_record` did. */
    enum class plain : std::uint8_t { record, error, not_taken };

    /** A record `plain_members` read: its path and value (untyped), where it ends. */
    struct plain_fields {
        lwm2m::path p;
        value v;
        std::size_t name_at = 0;   // offset of the name
        std::size_t value_at = 0;  // offset of the value
        std::size_t end = 0;       // just after its '}'
    };

    /**
     * `plain_record` for the next record of a plain pack (`fast_`), from `next()`: the record
     * and its typing (`pack_resolver::type_plain`) when it has no error, taken then (as
     * `plain_record` takes it); false, having changed nothing, for anything else.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool plain_next(plain_fields& f) noexcept {
        const std::string_view in = json_.input();
        const std::size_t i = json_.offset();
        // `,{"n":"`, a name of one character and the shortest rest, `","v":0}`: 16 characters.
        if (in.size() - i < 16 || slice(in, i, 7) != R"(,{"n":")") return false;
        if (!plain_members(i + 6, resolver_.base_name_state(), f) || !resolver_.type_plain(f.p, f.v)) return false;
        json_.element_scanned(f.end);
        return true;
    }

    /**
     * The common record in one pass, in compact JSON: `{"n":"<plain ids>","v":<integer>}` (0,
     * or 1 to 18 digits without a leading zero), `{"n":"...","vs":"<printable ASCII, no
     * escape>"}` or `{"n":"...","vb":true|false}` (RFC 8428 §5; what this library's writer and
     * Leshan send), when the pack is plain (`resolver_.plain_records()`), or the same opened by
     * a "bn" that makes it plain (`pack_resolver::plain_base_name`), as its first record. Stores
     * the record (or the schema's error) exactly as `scan_record` + `pack_resolver::resolve`
     * would. `not_taken` for anything else (whitespace, other labels or orders, other numbers,
     * escapes), having changed nothing: the general code then reads the record from the same
     * position (and finds any error there).
     */
    [[nodiscard]] LWM2M_HOT_INLINE plain plain_record(output& out) noexcept {
        if constexpr (!LWM2M_SENML_ONE_PASS) return plain::not_taken;  // size builds: the general code only
        using position = json::reader::array_position;
        const position where = json_.position_in_array();
        if (where == position::none) return plain::not_taken;
        const std::string_view in = json_.input();
        const std::size_t size = in.size();
        std::size_t i = json_.offset();
        if (where == position::after_element) {
            if (i == size || in[i] != ',') return plain::not_taken;
            ++i;
        }
        // `{"n":"`, the name, `","v` and the shortest rest, `":0}`: 16 characters at least.
        if (size - i < 16) return plain::not_taken;
        if (resolver_.plain_records() && slice(in, i, 6) == R"({"n":")") return plain_record_in_pack(i + 5, out);
        if (slice(in, i, 7) == R"({"bn":")") return plain_record_with_base_name(i, out);
        return plain::not_taken;
    }

    /**
     * `plain_record` for a record of a plain pack whose name opens at `name_at`; out of line
     * (`plain_next` takes most).
     */
    LWM2M_NOINLINE plain plain_record_in_pack(std::size_t name_at, output& out) noexcept {
        plain_fields f;
        if (!plain_members(name_at, resolver_.base_name_state(), f)) return plain::not_taken;
        return store(f, out);
    }

    /** Takes the record `plain_members` read and stores it (or the schema's error) in `out`. */
    plain store(const plain_fields& f, output& out) noexcept {
        json_.element_scanned(f.end);
        return resolver_.store_plain(f.p, f.v, f.name_at, f.value_at, out) == senml::detail::resolved::record
                   ? plain::record
                   : plain::error;
    }

    /**
     * `plain_record` for `{"bn":"<printable ASCII, no escape>","n":...` at `at`, the first
     * record of a plain pack; out of line (once a pack).
     */
    LWM2M_NOINLINE plain plain_record_with_base_name(std::size_t at, output& out) noexcept {
        senml::detail::text_field bn;
        senml::detail::path_builder state;
        plain_fields f;
        const std::size_t name_at = plain_base_name(at, bn, state);
        if (name_at == 0 || !plain_members(name_at, state, f)) return plain::not_taken;
        resolver_.take_plain_base_name(bn, state);
        return store(f, out);
    }

    /**
     * The pack's first record from `next()`, when it is `[{"bn":"...","n":...` in one pass
     * (`plain_record_with_base_name`) with no error: the '[' and the record taken; false,
     * having changed nothing, for anything else.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool first_record(plain_fields& f) noexcept {
        const std::string_view in = json_.input();
        if (json_.offset() != 0 || slice(in, 0, 8) != R"([{"bn":")") return false;
        senml::detail::text_field bn;
        senml::detail::path_builder state;
        const std::size_t name_at = plain_base_name(1, bn, state);
        if (name_at == 0 || !plain_members(name_at, state, f) || !resolver_.type_plain(f.p, f.v) ||
            !json_.take_begin_array())
            return false;
        json_.element_scanned(f.end);
        resolver_.take_plain_base_name(bn, state);
        state_ = state::records;
        fast_ = true;  // as next_general() would find: the pack is plain, after an element
        return true;
    }

    /** `next()` for the first record: `first_record`, else the general code. */
    LWM2M_NOINLINE result<std::optional<record>> first() noexcept {
        plain_fields f;
        if (!failed_ && first_record(f)) return senml::detail::plain_result(f.p, f.v);
        return next_general();
    }

    /**
     * For a record `{"bn":"<printable ASCII, no escape>","n":"` at `at` whose "bn" leaves the
     * pack plain (`pack_resolver::plain_base_name`): the offset of the opening quote of its
     * name, with `bn` and its path state `state`; 0 for anything else.
     */
    [[nodiscard]] std::size_t plain_base_name(std::size_t at, senml::detail::text_field& bn,
                                              senml::detail::path_builder& state) const noexcept {
        const std::string_view in = json_.input();
        const std::size_t size = in.size();
        const std::size_t bn_at = at + 6;  // the opening quote
        std::size_t end = bn_at + 1;
        end += encoding::json_plain_prefix({in.data() + end, size - end}, true);
        if (end == size || in[end] != '"') return 0;
        bn = senml::detail::text_field{std::string_view{in.data() + bn_at + 1, end - bn_at - 1}, text_encoding::raw, bn_at};
        if (!resolver_.plain_base_name(bn, state) || slice(in, end + 1, 6) != R"(,"n":")") return 0;
        return end + 6;
    }

    /**
     * Reads the members "n" and value of `plain_record`, from the opening quote of the name at
     * `name_at` on, the name continuing the base name state `bn_state`, into `f` (the value
     * untyped); false for anything else. Changes nothing else.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool plain_members(std::size_t name_at, const senml::detail::path_builder& bn_state,
                                                      plain_fields& f) const noexcept {
        const std::string_view in = json_.input();
        const std::size_t size = in.size();
        // The name is plain ids (`pack_resolver::plain_path`): it ends at the first character
        // that cannot continue them, which must be the closing quote. A short name's quote is
        // looked for, a longer one's reached by a scan.
        const std::size_t name = name_at + 1;
        std::size_t k = name;  // the closing quote
        if (size - name > 4 && (in[name + 1] == '"' || in[name + 2] == '"' || in[name + 3] == '"' || in[name + 4] == '"')) {
            k = in[name + 1] == '"' ? name + 1 : in[name + 2] == '"' ? name + 2 : in[name + 3] == '"' ? name + 3 : name + 4;
        } else {
            while (k < size && ((in[k] >= '0' && in[k] <= '9') || in[k] == '/')) ++k;
        }
        if (!senml::detail::pack_resolver::plain_path(bn_state, in.data() + name, k - name, f.p)) return false;
        if (size - k < 8 || in[k] != '"' || in[k + 1] != ',' || in[k + 2] != '"' || in[k + 3] != 'v') return false;
        const std::size_t i = k + 4;  // after `","v`
        std::size_t value_at = 0;
        if (in[i] == '"' && in[i + 1] == ':') {  // "v": an integer
            value_at = i + 2;
            k = value_at;
            const char first = in[k];
            if (first == '0') {
                f.v = value::of_integer(0);
                ++k;
            } else if (first >= '1' && first <= '9') {
                // Up to 18 digits: no overflow of int64, as `scan_record` reads them.
                std::int64_t x = 0;
                const std::size_t limit = size - k > 18 ? k + 18 : size;
                while (k < limit && in[k] >= '0' && in[k] <= '9') x = x * 10 + (in[k++] - '0');
                f.v = value::of_integer(x);
            } else {
                return false;
            }
        } else if (in[i] == 's' && in[i + 1] == '"' && in[i + 2] == ':' && in[i + 3] == '"') {  // "vs": a string
            value_at = i + 3;
            k = value_at + 1;
            k += encoding::json_plain_prefix({in.data() + k, size - k}, true);
            if (k == size || in[k] != '"') return false;
            f.v = value::of_string(std::string_view{in.data() + value_at + 1, k - value_at - 1});
            ++k;
        } else if (in[i] == 'b' && in[i + 1] == '"' && in[i + 2] == ':') {  // "vb": a boolean
            value_at = i + 3;
            if (slice(in, value_at, 4) == "true") {
                f.v = value::of_boolean(true);
                k = value_at + 4;
            } else if (slice(in, value_at, 5) == "false") {
                f.v = value::of_boolean(false);
                k = value_at + 5;
            } else {
                return false;
            }
        } else {
            return false;
        }
        // The record ends here; a digit or a fraction would mean another number.
        if (k == size || in[k] != '}') return false;
        f.name_at = name_at;
        f.value_at = value_at;
        f.end = k + 1;
        return true;
    }

    /** Reads one record object whose '{' was at `at`. */
    [[nodiscard]] result<senml::detail::raw_record> read_record(std::size_t at) noexcept {
        senml::detail::raw_record r;
        r.offset = at;
        for (;;) {
            LWM2M_TRY(k, json_.next());
            if (k.kind == token_kind::end_object) return r;
            const key_name name = decode_key(k);
            const auto l = name.known();
            if (!l) {
                // RFC 8428 §4.4: unknown labels are ignored unless they end in '_'.
                if (name.last == '_') return fail(errc::unknown_mandatory_label, k.offset);
                LWM2M_TRY(skipped, json_.next());
                if (auto ok = json_.skip_value(skipped); !ok) return unexpected{ok.error()};
                continue;
            }
            if (r.labels.has(*l)) return fail(errc::duplicate_entry, k.offset);
            r.labels.add(*l);
            if (senml::is_value_label(*l)) {
                if (r.value_label) return fail(errc::invalid_senml, k.offset);
                r.value_key_offset = k.offset;
            }
            LWM2M_TRY(v, json_.next());
            if (auto ok = field(*l, v, r); !ok) return unexpected{ok.error()};
        }
    }

    /**
     * `next()` when the common record is not next (the first call, other shapes, base-only
     * records, errors, the end): the general code, out of line.
     */
    LWM2M_NOINLINE result<std::optional<record>> next_general() noexcept {
        output out = std::nullopt;  // the record is built in place, in the caller's object
        if (failed_) {
            out = unexpected{error_};
        } else if (!step(out)) {
            failed_ = true;
            error_ = out.error();
        }
        fast_ = !failed_ && state_ == state::records && resolver_.plain_records() &&
                json_.position_in_array() == json::reader::array_position::after_element;
        return out;
    }

    /** Stores an error in `out`; returns false (what `step` returns on error). */
    static bool fail_with(output& out, const error& e) noexcept {
        out = unexpected{e};
        return false;
    }

    /** Reads up to the next record and stores it in `out` (nothing at the end); false with an error in `out`. */
    [[nodiscard]] LWM2M_HOT_INLINE bool step(output& out) noexcept {
        if (state_ != state::records) {
            if (state_ == state::done) return true;
            auto first = json_.next();
            if (!first) return fail_with(out, first.error());
            if (first->kind != token_kind::begin_array) return fail_with(out, error{errc::invalid_senml, first->offset});
            state_ = state::records;
        }
        for (;;) {
            if (json_.take_final_end_array()) {  // what read_record_slowly would find
                state_ = state::done;
                return true;
            }
            switch (plain_record(out)) {
            case plain::record: return true;
            case plain::error: return false;
            case plain::not_taken: break;  // the general code reads it from the same position
            }
            senml::detail::raw_record& raw = raw_.get();
            raw.clear(0);
            if (const std::size_t end = scan_record(raw); end != 0) {
                json_.element_scanned(end);
            } else if (!read_record_slowly(raw, out)) {
                return false;
            } else if (state_ == state::done) {
                return true;
            }
            switch (resolver_.resolve(raw, out)) {
            case senml::detail::resolved::record: return true;
            case senml::detail::resolved::error: return false;
            case senml::detail::resolved::base_only: break;  // go on
            }
        }
    }

    /**
     * The next element token by token: a record object into `r`, or the end of the array
     * (state done). False with the error in `out`.
     */
    LWM2M_NOINLINE bool read_record_slowly(senml::detail::raw_record& r, output& out) noexcept {
        auto t = json_.next();
        if (!t) return fail_with(out, t.error());
        if (t->kind == token_kind::end_array) {
            // The tokenizer rejects anything but whitespace after the array.
            auto end_token = json_.next();
            if (!end_token) return fail_with(out, end_token.error());
            state_ = state::done;
            return true;
        }
        if (t->kind != token_kind::begin_object) return fail_with(out, error{errc::invalid_senml, t->offset});
        auto slow = read_record(t->offset);
        if (!slow) return fail_with(out, slow.error());
        r = *slow;
        return true;
    }

    json::reader json_;
    senml::detail::pack_resolver resolver_;
    senml::detail::lazy_raw_record raw_;  // the record being read (reused: see raw_record::clear)
    state state_ = state::start;
    bool failed_ = false;
    // `next()` may try `plain_next`: records are being read, no error, the pack is plain
    // (`resolver_.plain_records()`) and the tokenizer is after an element of the array.
    bool fast_ = false;
    error error_{};
};

} // namespace lwm2m::format
