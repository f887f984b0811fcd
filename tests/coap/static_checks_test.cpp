// Compile-time checks of the constexpr CoAP API: parse of constexpr datagrams (RFC 7252
// Appendix A and the reference notification), option access, block encode/decode
// (RFC 7959 §2.2), code names and dotted forms (§12.1), the option registry (§5.10, §12.2),
// the writer and builder, Observe freshness (RFC 7641 §3.4) and tokens.
// static_assert only: this file has no test cases; it passes by compiling.

#include <lwm2m/coap.hpp>

#include <lwm2m/bytes.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lwm2m_coap_static_checks {

using lwm2m::bytes_view;
using lwm2m::errc;
using lwm2m::error;
using lwm2m::mutable_bytes;
using namespace lwm2m::coap;
using namespace std::chrono_literals;

// ---- helpers -------------------------------------------------------------------------------------

template <class... T>
constexpr std::array<std::byte, sizeof...(T)> bytes(T... v) {
    return {static_cast<std::byte>(v)...};
}
/// `head` followed by the characters of `text` (without its terminator).
template <std::size_t N, std::size_t M>
constexpr std::array<std::byte, N + M - 1> with_text(const std::array<std::byte, N>& head, const char (&text)[M]) {
    std::array<std::byte, N + M - 1> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = head[i];
    for (std::size_t i = 0; i + 1 < M; ++i) out[N + i] = static_cast<std::byte>(text[i]);
    return out;
}
template <std::size_t N>
constexpr bool same(bytes_view a, const std::array<std::byte, N>& b) {
    if (a.size() != N) return false;
    for (std::size_t i = 0; i < N; ++i)
        if (a[i] != b[i]) return false;
    return true;
}
constexpr bool same_text(bytes_view a, std::string_view text) {
    if (a.size() != text.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (a[i] != static_cast<std::byte>(text[i])) return false;
    return true;
}

// ---- parse: RFC 7252 Appendix A, Figure 16 and 17 ------------------------------------------------

inline constexpr auto fig16_request = with_text(bytes(0x40, 0x01, 0x7d, 0x34, 0xbb), "temperature");
inline constexpr auto fig16_response = with_text(bytes(0x60, 0x45, 0x7d, 0x34, 0xff), "22.3 C");
inline constexpr auto fig17_request = with_text(bytes(0x41, 0x01, 0x7d, 0x35, 0x20, 0xbb), "temperature");

static_assert(fig16_request.size() == 16 && fig16_response.size() == 11 && fig17_request.size() == 17);

static_assert(parse(fig16_request).has_value());
static_assert(parse(fig16_request)->type() == message_type::confirmable);
static_assert(parse(fig16_request)->code() == code::get);
static_assert(parse(fig16_request)->message_id() == 0x7d34);
static_assert(parse(fig16_request)->token().empty());
static_assert(parse(fig16_request)->payload().empty());
static_assert(parse(fig16_request)->has(option_number::uri_path));
static_assert(same_text(parse(fig16_request)->find(option_number::uri_path)->value, "temperature"));
static_assert(!parse(fig16_request)->first_unrecognized_critical().has_value());

static_assert(parse(fig16_response)->type() == message_type::acknowledgement);
static_assert(parse(fig16_response)->code() == code::content);
static_assert(parse(fig16_response)->options().empty());
static_assert(same_text(parse(fig16_response)->payload(), "22.3 C"));
static_assert(parse(fig16_response)->max_age() == 60);  // RFC 7252 §5.10.5 default

static_assert(parse(fig17_request)->token().size() == 1);
static_assert(parse(fig17_request)->token()[0] == std::byte{0x20});

// the reference notification (bench-data/coap-notify.hex): NON 2.05, Observe 12345, CF 11542
inline constexpr auto notify = bytes(0x58, 0x45, 0x1a, 0x2d, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0x62,
                                     0x30, 0x39, 0x62, 0x2d, 0x16, 0xff, 0xe4, 0x16, 0x44, 0x41, 0xb4, 0x00, 0x00);
static_assert(parse(notify)->type() == message_type::non_confirmable);
static_assert(parse(notify)->observe() == 12345u);
static_assert(parse(notify)->content_format() == std::uint16_t{11542});
static_assert(parse(notify)->payload().size() == 7);

constexpr std::size_t count_options(bytes_view datagram) {
    std::size_t n = 0;
    for (const option_view& o : parse(datagram)->options()) {
        (void)o;
        ++n;
    }
    return n;
}
static_assert(count_options(notify) == 2);
static_assert(count_options(fig16_request) == 1);
static_assert(count_options(fig16_response) == 0);

// RFC 7252 §3.1: extended deltas and lengths; a repeated option (delta 0)
// option 13 (D0 00), then delta 65522 = 269 + 0xFEE5 (E0 FE E5) -> 65535, then 65535 again, 1 byte
inline constexpr auto extended = bytes(0x40, 0x01, 0x00, 0x01, 0xD0, 0x00, 0xE0, 0xFE, 0xE5, 0x01, 0x00);
constexpr std::uint32_t last_option_number(bytes_view datagram) {
    std::uint32_t n = 0;
    for (const option_view& o : parse(datagram)->options()) n = static_cast<std::uint16_t>(o.number);
    return n;
}
static_assert(parse(extended).has_value());
static_assert(count_options(extended) == 3);
static_assert(last_option_number(extended) == 65535);
static_assert(parse(extended)->first_unrecognized_critical() == static_cast<option_number>(13));

// ---- parse errors: exact errc and offset -----------------------------------------------------------

inline constexpr auto short3 = bytes(0x40, 0x01, 0x00);
inline constexpr auto version0 = bytes(0x00, 0x01, 0x00, 0x01);
inline constexpr auto tkl9 = bytes(0x49, 0x01, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9);
inline constexpr auto token_cut = bytes(0x44, 0x01, 0x00, 0x01, 1, 2);
inline constexpr auto class1 = bytes(0x40, 0x20, 0x00, 0x01);
inline constexpr auto empty_with_token = bytes(0x61, 0x00, 0x00, 0x01, 0x55);
inline constexpr auto empty_with_payload = bytes(0x60, 0x00, 0x00, 0x01, 0xff, 0x55);
inline constexpr auto rst_get = bytes(0x70, 0x01, 0x00, 0x01);
inline constexpr auto ack_get = bytes(0x60, 0x01, 0x00, 0x01);
inline constexpr auto non_empty = bytes(0x50, 0x00, 0x00, 0x01);
inline constexpr auto delta15 = bytes(0x40, 0x01, 0x00, 0x01, 0xF0);
inline constexpr auto length15 = bytes(0x40, 0x01, 0x00, 0x01, 0xDF, 0x00);
inline constexpr auto ext_cut = bytes(0x40, 0x01, 0x00, 0x01, 0xE0, 0x00);
inline constexpr auto value_cut = bytes(0x40, 0x01, 0x00, 0x01, 0xB3, 0x61);
inline constexpr auto overflow = bytes(0x40, 0x01, 0x00, 0x01, 0xE0, 0xFF, 0xFF);
inline constexpr auto bare_marker = bytes(0x40, 0x01, 0x00, 0x01, 0xFF);
inline constexpr auto etag9 = bytes(0x40, 0x01, 0x00, 0x01, 0x49, 1, 2, 3, 4, 5, 6, 7, 8, 9);

static_assert(parse(short3).error() == error{errc::message_too_short, 3});
static_assert(parse(version0).error() == error{errc::unsupported_version, 0});
static_assert(parse(tkl9).error() == error{errc::invalid_token_length, 0});
static_assert(parse(token_cut).error() == error{errc::truncated_token, 6});
static_assert(parse(class1).error() == error{errc::reserved_code_class, 1});
static_assert(parse(empty_with_token).error() == error{errc::empty_message_not_empty, 0});
static_assert(parse(empty_with_payload).error() == error{errc::empty_message_not_empty, 4});
static_assert(parse(rst_get).error() == error{errc::reset_not_empty, 1});
static_assert(parse(ack_get).error() == error{errc::ack_carries_request, 1});
static_assert(parse(non_empty).error() == error{errc::non_confirmable_empty, 1});
static_assert(parse(delta15).error() == error{errc::reserved_option_delta, 4});
static_assert(parse(length15).error() == error{errc::reserved_option_length, 4});
static_assert(parse(ext_cut).error() == error{errc::truncated_option, 6});
static_assert(parse(value_cut).error() == error{errc::truncated_option_value, 6});
static_assert(parse(overflow).error() == error{errc::option_number_overflow, 4});
static_assert(parse(bare_marker).error() == error{errc::empty_payload_after_marker, 5});
static_assert(parse(etag9).error() == error{errc::invalid_option_length, 4});
// the two parse_options switches
static_assert(parse(rst_get, parse_options{true, false}).has_value());
static_assert(parse(non_empty, parse_options{true, false}).has_value());
static_assert(parse(etag9, parse_options{false, true}).has_value());
static_assert(parse(etag9, parse_options{false, true})->etag()->size() == 9);

// ---- block_option (RFC 7959 §2.2, §3) ---------------------------------------------------------------

static_assert(block_option::decode(33).value() == block_option{2, false, 1});  // 2:2/0/32
static_assert(block_option::decode(59).value() == block_option{3, true, 3});   // 1:3/1/128
static_assert(block_option{2, false, 1}.encode() == 33);
static_assert(block_option{3, true, 3}.encode() == 59);
static_assert(block_option{3, true, 3}.size() == 128);
static_assert(block_option{3, true, 3}.offset() == 384);
static_assert(block_option{0, false, 0}.size() == 16 && block_option{0, false, 6}.size() == 1024);
static_assert(block_option::decode(0).value() == block_option{0, false, 0});
static_assert(!block_option::decode(7).has_value());
static_assert(block_option::decode(7).error().code == errc::invalid_block_option);
static_assert(!block_option::decode(0x1000000).has_value());
static_assert(block_option::szx_for_size(16).value() == 0);
static_assert(block_option::szx_for_size(1024).value() == 6);
static_assert(!block_option::szx_for_size(2048).has_value());
static_assert(block_option::max_num == 0xFFFFF);

// Block2 (23 = 13+10) value 33, then Block1 (+4) value 0x17: SZX 7, its value at offset 8
inline constexpr auto with_blocks = bytes(0x40, 0x01, 0x00, 0x01, 0xD1, 0x0A, 33, 0x41, 0x17);
static_assert(parse(with_blocks)->block2().value().value() == block_option{2, false, 1});
static_assert(parse(with_blocks)->block1().error() == error{errc::invalid_block_option, 8});

// ---- codes (RFC 7252 §12.1 and the later registrations) ---------------------------------------------

static_assert(name(code::content) == "Content");
static_assert(name(code::continue_) == "Continue");
static_assert(name(code::request_entity_incomplete) == "Request Entity Incomplete");
static_assert(name(code::ipatch) == "iPATCH");
static_assert(name(code::hop_limit_reached) == "Hop Limit Reached");
static_assert(name(make_code(2, 6)).empty());
static_assert(dotted(code::content) == std::array<char, 4>{'2', '.', '0', '5'});
static_assert(dotted(code::continue_) == std::array<char, 4>{'2', '.', '3', '1'});
static_assert(dotted(code::unsupported_content_format) == std::array<char, 4>{'4', '.', '1', '5'});
static_assert(dotted(code::empty) == std::array<char, 4>{'0', '.', '0', '0'});
static_assert(make_code(4, 4) == code::not_found);
static_assert(code_class(code::gateway_timeout) == 5 && code_detail(code::gateway_timeout) == 4);
static_assert(is_request(code::get) && !is_request(code::empty) && !is_request(code::content));
static_assert(is_response(code::content) && is_response(code::not_found) && is_response(code::bad_gateway));
static_assert(!is_response(code::empty) && !is_response(code::get));
static_assert(is_reserved_class(make_code(1, 0)) && is_reserved_class(make_code(6, 0)) &&
              is_reserved_class(make_code(7, 31)) && !is_reserved_class(make_code(5, 31)));
constexpr code dotted_or_empty(std::string_view text) {
    code c = code::empty;
    return parse_dotted(text, c) ? c : code::empty;
}
static_assert(dotted_or_empty("4.04") == code::not_found);
static_assert(dotted_or_empty("2.31") == code::continue_);
static_assert(dotted_or_empty("2.32") == code::empty && dotted_or_empty("8.00") == code::empty);
static_assert(name(message_type::reset) == "RST");

// ---- the option registry (RFC 7252 §5.4.6, §5.10 Table 4, §12.2) --------------------------------------

static_assert(find_option_info(option_number::uri_path)->max_length == 255);
static_assert(find_option_info(option_number::uri_path)->repeatable);
static_assert(find_option_info(option_number::proxy_uri)->min_length == 1);
static_assert(find_option_info(option_number::proxy_uri)->max_length == 1034);
static_assert(find_option_info(option_number::if_none_match)->format == option_format::empty);
static_assert(find_option_info(option_number::max_age)->format == option_format::uint);
static_assert(name(option_number::proxy_uri) == "Proxy-Uri");
static_assert(name(option_number::size1) == "Size1");
static_assert(name(option_number::echo) == "Echo");  // above 64: the linear search
static_assert(find_option_info(static_cast<option_number>(0)) == nullptr);
static_assert(find_option_info(static_cast<option_number>(128)) == nullptr);
static_assert(find_option_info(static_cast<option_number>(65535)) == nullptr);
static_assert(is_critical(option_number::uri_host) && !is_critical(option_number::etag));
static_assert(is_unsafe(option_number::uri_host) && !is_unsafe(option_number::etag));
static_assert(is_no_cache_key(option_number::size1) && !is_no_cache_key(option_number::content_format));
static_assert(is_known_option(option_number::block1) && !is_known_option(static_cast<option_number>(13)));

// ---- the writer and the builder, in constant evaluation -----------------------------------------------

inline constexpr auto temperature = with_text(std::array<std::byte, 0>{}, "temperature");
inline constexpr auto reading = with_text(std::array<std::byte, 0>{}, "22.3 C");

constexpr bool writer_reproduces_figure_16() {
    std::array<std::byte, 32> out{};
    message_writer w{out};
    w.header(message_type::confirmable, code::get, 0x7d34).option(option_number::uri_path, temperature);
    const auto n = w.finish();
    return n.has_value() && same(bytes_view{out.data(), *n}, fig16_request);
}
static_assert(writer_reproduces_figure_16());

constexpr bool builder_reproduces_figure_16() {
    message_builder<4> b;
    b.type(message_type::acknowledgement).code(code::content).message_id(0x7d34).payload(bytes_view{reading});
    std::array<std::byte, 32> out{};
    const auto n = b.serialize(out);
    return n.has_value() && same(bytes_view{out.data(), *n}, fig16_response) && b.encoded_size().value() == 11;
}
static_assert(builder_reproduces_figure_16());

constexpr bool builder_sorts_and_copies() {
    message_builder<4> b;
    b.code(code::get).message_id(0x7d34);
    b.uint_option(option_number::content_format, 0);  // added first, encoded second: delta 1, length 0
    b.option(option_number::uri_path, temperature);
    const message_builder<4> copy = b;
    b.max_age(1);
    std::array<std::byte, 32> out{};
    const auto n = copy.serialize(out);
    if (!n || *n != 17) return false;
    return out[4] == std::byte{0xbb} && out[16] == std::byte{0x10};
}
static_assert(builder_sorts_and_copies());

constexpr std::size_t needed_for_figure_16() {
    std::array<std::byte, 8> small{};
    message_writer w{small};
    w.header(message_type::confirmable, code::get, 0x7d34).option(option_number::uri_path, temperature);
    const auto r = w.finish();
    return !r && r.error().code == errc::buffer_too_small ? r.error().offset : 0;
}
static_assert(needed_for_figure_16() == 16);

constexpr errc writer_error(message_type t, code c) {
    std::array<std::byte, 8> out{};
    message_writer w{out};
    w.header(t, c, 1);
    const auto r = w.finish();
    return r ? errc{} : r.error().code;
}
static_assert(writer_error(message_type::reset, code::get) == errc::reset_not_empty);
static_assert(writer_error(message_type::non_confirmable, code::empty) == errc::non_confirmable_empty);
static_assert(writer_error(message_type::acknowledgement, code::put) == errc::ack_carries_request);

constexpr std::uint16_t static_message_round_trip() {
    message_builder<2> b;
    b.type(message_type::non_confirmable).code(code::content).message_id(0x23bc).payload(bytes_view{reading});
    static_message<32> m;
    const auto v = m.assign(b);
    return v ? v->message_id() : 0;
}
static_assert(static_message_round_trip() == 0x23bc);

// ---- Observe (RFC 7641 §3.4, §4.4) ------------------------------------------------------------------------

static_assert(is_newer_notification(1, 2, 0s));
static_assert(!is_newer_notification(2, 1, 0s));
static_assert(is_newer_notification((1u << 24) - 1, 0, 0s));  // wrap-around
static_assert(!is_newer_notification(0, 1u << 23, 0s));
static_assert(is_newer_notification(2, 1, 129s) && !is_newer_notification(2, 1, 128s));

constexpr std::uint32_t third_after(std::uint32_t start) {
    observe_sequence s{start};
    (void)s.next();
    (void)s.next();
    return s.next();
}
static_assert(third_after(2) == 4);
static_assert(third_after((1u << 24) - 1) == 1);

// ---- tokens and Message IDs (RFC 7252 §5.3.1, §4.4) ---------------------------------------------------------

struct fixed_random {
    std::uint32_t value;
    constexpr std::uint32_t operator()() const { return value; }
};
constexpr bool token_from_random() {
    fixed_random r{0x5A5A5A5Au};
    const token t = make_token(r);
    if (t.size() != 8) return false;
    for (std::byte b : t.view())
        if (b != std::byte{0x5A}) return false;
    return make_token(r, 3).size() == 3;
}
static_assert(token_from_random());

constexpr std::uint16_t id_after_wrap() {
    message_id_sequence ids{65535};
    (void)ids.next();
    return ids.next();
}
static_assert(id_after_wrap() == 0);

static_assert(lwm2m::name(errc::truncated_option) == "truncated_option");

} // namespace lwm2m_coap_static_checks
