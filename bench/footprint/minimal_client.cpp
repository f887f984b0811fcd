// Footprint benchmark: a minimal LwM2M client as firmware would build it.
//
// Objects 0 (Security, as the server account), 1 (Server, built in) and 3 (Device); Register,
// Update, De-register; Read, Write, Execute, Write-Attributes; Observe with pmin/pmax; content
// formats plain text, TLV and SenML CBOR only (`client_limits::formats`), so the other format
// codecs are not linked, and no optional operation (`client_limits::operations`).
//
// The transport is a stub: `main` plays the LwM2M Server from datagrams built at run time.
// It answers what the client sends (ACK 2.01 / 2.04 / 2.02 echoing the Message ID and token)
// and sends requests whose bytes depend on `argc` (so nothing is constant-folded away). The
// same source builds on the host (bench/footprint.sh runs it there and checks every step of
// the script succeeded: exit status 0) and for a Cortex-M4 with newlib-nano (size measured).
//
// Build (what bench/footprint.sh does):
//   arm-none-eabi-g++ -std=c++20 -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections
//     -fno-exceptions -fno-rtti -Iinclude --specs=nano.specs --specs=nosys.specs
//     -Wl,--gc-sections bench/footprint/minimal_client.cpp -o minimal_client.elf

// Firmware routes precondition failures to its own handler instead of <cassert>.
#define LWM2M_ASSERT(cond) ((cond) ? static_cast<void>(0) : __builtin_trap())
// Codecs this firmware never needs (config.hpp; each can be set back for a comparison, e.g.
// LWM2M_FOOTPRINT_EXTRA=-DLWM2M_FLOAT_VALUES=1 bench/footprint.sh):
// - indefinite-length CBOR strings, which its servers do not send (refused: 4.00);
// - Float and Opaque values: objects 1 and 3 (0 is only the server account) have no such
//   resource (add_object checks it), and gt/lt/st are left out, so no decimal text to or from
//   a double and no base64 is linked;
// - JSON escapes in values: no JSON format is built in (SenML JSON, with every format, needs
//   them and base64);
// - the names and units of the bound schemas, which no LwM2M operation sends.
#ifndef LWM2M_CBOR_INDEFINITE_STRINGS
#define LWM2M_CBOR_INDEFINITE_STRINGS 0
#endif
#ifndef LWM2M_FLOAT_VALUES
#define LWM2M_FLOAT_VALUES 0
#endif
#ifndef LWM2M_SCHEMA_NAMES
#define LWM2M_SCHEMA_NAMES 0
#endif
#ifndef LWM2M_FOOTPRINT_ALL_FORMATS
#ifndef LWM2M_BASE64_VALUES
#define LWM2M_BASE64_VALUES 0
#endif
#ifndef LWM2M_JSON_ESCAPED_VALUES
#define LWM2M_JSON_ESCAPED_VALUES 0
#endif
#endif

#include <lwm2m/client/client.hpp>
#include <lwm2m/client/objects/device.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/parse.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace {

using namespace std::chrono_literals;
namespace cf = lwm2m::format;

// A small client: 1 server, 4 objects, 4 observations, 512-byte datagrams.
#ifdef LWM2M_FOOTPRINT_ALL_FORMATS  // every format the engine knows (for comparison)
using limits = lwm2m::client::client_limits<512, 1, 4, 4, 4, 24, 256, lwm2m::client::format_set::all, 3, 2, 4>;
constexpr bool only_three_formats = false;
#else
// Endpoint sized for one server: 2 pending slots (a registration request and a CON
// notification in flight at once; a NON notification holds its slot only until polled, and
// one that finds no free slot is retried 1 s later), 2 dedup entries, 4 queued datagrams; no
// Block1 bodies. None of
// the optional operations (Create/Delete, the composite ones, Discover): not in the minimal
// feature set, they are answered 4.05 / 4.06. No record list either (0 records, 0 arena
// bytes): Reads and notifications are encoded straight from the objects, and only the
// composite operations and Send, left out here, collect records. Observations use pmin/pmax:
// no gt/lt/st (operation_set::thresholds left out: setting one is 4.00, and no double is
// parsed or compared for them), so no room for their per-instance values (threshold_instances 0).
using limits = lwm2m::client::client_limits<512, 1, 4, 4, 4, 0, 0,
                                            lwm2m::client::format_set::text | lwm2m::client::format_set::tlv |
                                                lwm2m::client::format_set::senml_cbor,
                                            2, 2, 4, 0, 0, 64, lwm2m::client::operation_set::none, 0>;
constexpr bool only_three_formats = true;
#endif

/** Linear congruential generator standing in for the hardware RNG. */
struct rng {
    std::uint32_t state;
    std::uint32_t operator()() noexcept { return state = state * 1664525u + 1013904223u; }
};

using engine_type = lwm2m::client::engine<limits, rng>;
constexpr lwm2m::exchange::peer_id server_peer{1};

} // namespace

// The engine's entry points as the firmware calls them, kept out of line (and out of the
// anonymous namespace) so the engine code they pull in is measured as engine code: the
// script subtracts the driver below (fake_server, run, main) to report the engine alone.
namespace engine_api {
[[gnu::noinline]] void on_datagram(engine_type& c, lwm2m::bytes_view d, lwm2m::time_point now) noexcept {
    c.on_datagram(server_peer, d, now);
}
// Lent, not copied (the radio driver sends straight from the engine's buffer): the firmware
// needs no transmit buffer of its own.
[[gnu::noinline]] std::optional<lwm2m::exchange::datagram> poll(engine_type& c) noexcept { return c.poll_datagram(); }
[[gnu::noinline]] void on_timeout(engine_type& c, lwm2m::time_point now) noexcept { c.on_timeout(now); }
[[gnu::noinline]] std::optional<lwm2m::time_point> next_deadline(const engine_type& c) noexcept { return c.next_deadline(); }
[[gnu::noinline]] void value_changed(engine_type& c, const lwm2m::path& p, lwm2m::time_point now) noexcept {
    c.value_changed(p, now);
}
[[gnu::noinline]] void start(engine_type& c, lwm2m::time_point now) noexcept { c.start(now); }
[[gnu::noinline]] void deregister(engine_type& c, lwm2m::time_point now) noexcept { c.deregister(now); }
[[gnu::noinline]] engine_type& construct(std::optional<engine_type>& slot, const lwm2m::client::client_config& config,
                                         rng random) noexcept {
    return slot.emplace(config, random);
}
[[gnu::noinline]] bool add_server(engine_type& c, const lwm2m::client::server_account& a) noexcept {
    return c.add_server(a).has_value();
}
// A battery-powered device: one power source, room for two error codes.
using device_type = lwm2m::client::basic_device_object<1, 2>;
[[gnu::noinline]] bool add_device(engine_type& c, device_type& d) noexcept {
    return c.add_object(d).has_value();
}
} // namespace engine_api

namespace {

/** Counts what the client sent (the "radio"; it sends from the engine's own buffer). */
struct radio {
    std::size_t tx_size = 0;
    int sent = 0;
};

/** The fake LwM2M Server: answers the client's requests, counts the responses it gets. */
struct fake_server {
    engine_type& client;
    radio& air;
    lwm2m::time_point now{};
    std::uint16_t next_mid = 0x4000;
    int failures = 0;
    int notifications = 0;

    /** Drains the client's output; answers requests (CON) and counts responses/notifications. */
    lwm2m::coap::code drain() noexcept {
        lwm2m::coap::code last = lwm2m::coap::code::empty;
        // The lent bytes stay valid until the next call into the engine: `answer` reads the
        // request before it delivers the response.
        while (auto t = engine_api::poll(client)) {
            air.tx_size = t->bytes.size();
            ++air.sent;
            auto m = lwm2m::coap::parse(t->bytes);
            if (!m) {
                ++failures;
                continue;
            }
            if (lwm2m::coap::is_request(m->code())) {
                answer(*m);
                continue;
            }
            last = m->code();
            if (m->observe()) ++notifications;
        }
        return last;
    }

    void answer(const lwm2m::coap::message_view& m) noexcept {
        lwm2m::coap::message_builder<4> b;
        b.type(lwm2m::coap::message_type::acknowledgement).message_id(m.message_id()).token(m.token());
        std::size_t segments = 0;
        for (std::string_view seg : m.uri_path()) segments += seg.empty() ? 0 : 1;
        if (m.code() == lwm2m::coap::code::post && segments == 1)  // POST /rd: Register
            b.code(lwm2m::coap::code::created).location_path("rd").location_path("7");
        else if (m.code() == lwm2m::coap::code::post)  // POST /rd/7: Update
            b.code(lwm2m::coap::code::changed);
        else if (m.code() == lwm2m::coap::code::delete_)  // De-register
            b.code(lwm2m::coap::code::deleted);
        else
            b.code(lwm2m::coap::code::bad_request);
        deliver(b);
    }

    void deliver(const lwm2m::coap::message_builder_base& b) noexcept {
        std::array<std::byte, 256> rx{};
        auto n = b.serialize(rx);
        if (!n) {
            ++failures;
            return;
        }
        engine_api::on_datagram(client, lwm2m::bytes_view{rx.data(), *n}, now);
    }

    /** Sends a CON request to the client; returns the code of its piggybacked response. */
    template <class Extra>
    lwm2m::coap::code request(lwm2m::coap::code method, std::string_view path, Extra&& extra,
                              lwm2m::bytes_view payload = {}) noexcept {
        lwm2m::coap::message_builder<8> b;
        const std::byte token[] = {std::byte{0xfa}, std::byte(next_mid & 0xff)};
        b.type(lwm2m::coap::message_type::confirmable).code(method).message_id(next_mid++).token(token);
        b.uri_path_segments(path);
        extra(b);
        if (!payload.empty()) b.payload(payload);
        deliver(b);
        return drain();
    }
};

constexpr auto none = [](lwm2m::coap::message_builder_base&) {};

// Static storage, so that the engine's RAM shows in .bss (constructed in place by run()).
std::optional<engine_type> the_client;
engine_api::device_type device;

int run(int argc) noexcept {
    lwm2m::client::client_config config;  // copied by the engine: no static copy needed
    config.endpoint_name = "cm4-footprint";
    config.multi_value_format = cf::content_format::tlv;
    engine_type& client = engine_api::construct(the_client, config, rng{static_cast<std::uint32_t>(argc) * 2654435761u});

    lwm2m::client::server_account account;  // /0/0 and /1/0, copied by add_server
    account.ssid = 1;
    account.peer = server_peer;
    account.uri = "coap://192.0.2.1:5683";
    account.lifetime = 300;
    if (!engine_api::add_server(client, account)) return 1;

    device.manufacturer = "ACME";
    device.model_number = "M4";
    device.firmware_version = "1.0";
    device.battery_level = 80 + argc;
    device.add_power_source({1, 3700, {}});  // internal battery, 3.7 V
    int reboots = 0;
    device.reboot = {[](void* c) { ++*static_cast<int*>(c); }, &reboots};
    if (!engine_api::add_device(client, device)) return 2;

    static radio air;
    fake_server server{client, air};
    using lwm2m::coap::code;

    // Register.
    engine_api::start(client, server.now);
    server.drain();
    if (client.state(1) != lwm2m::client::registration_state::registered) return 3;

    // Read: one resource (plain text), the instance (TLV), the instance in SenML CBOR.
    if (server.request(code::get, "3/0/0", none) != code::content) return 4;
    if (server.request(code::get, "3/0", none) != code::content) return 5;
    if (server.request(code::get, "3/0", [](auto& b) { b.accept(112); }) != code::content) return 6;
    // A format left out answers 4.06.
    if (only_three_formats && server.request(code::get, "3/0", [](auto& b) { b.accept(110); }) != code::not_acceptable)
        return 7;

    // Write: Timezone in text, UTC offset in TLV, Lifetime (causes an Update) in SenML CBOR.
    const char tz[] = {'E', 'u', 'r', 'o', 'p', 'e', '/', 'P', 'a', 'r', 'i', 's', static_cast<char>('0' + argc)};
    if (server.request(code::put, "3/0/15", [](auto& b) { b.content_format(0); },
                       lwm2m::as_bytes(std::string_view{tz, sizeof tz})) != code::changed)
        return 8;
    const std::byte tlv[] = {std::byte{0xc3}, std::byte{14}, std::byte{'+'}, std::byte{'0'}, std::byte('0' + argc)};
    if (server.request(code::put, "3/0/14", [](auto& b) { b.content_format(11542); }, tlv) != code::changed) return 9;
    // [{0: "/1/0/1", 2: 600 + argc}]
    const std::byte senml[] = {std::byte{0x81}, std::byte{0xa2}, std::byte{0x00}, std::byte{0x66},
                               std::byte{'/'},  std::byte{'1'},  std::byte{'/'},  std::byte{'0'},
                               std::byte{'/'},  std::byte{'1'},  std::byte{0x02}, std::byte{0x19},
                               std::byte{0x02}, std::byte(0x58 + argc)};
    if (server.request(code::put, "1/0", [](auto& b) { b.content_format(112); }, senml) != code::changed) return 10;
    server.drain();
    if (client.account(1)->lifetime != 600u + static_cast<unsigned>(argc)) return 11;

    // Execute Reboot.
    if (server.request(code::post, "3/0/4", none) != code::changed || reboots != 1) return 12;

    // Write-Attributes pmin/pmax, then Observe the battery level.
    if (server.request(code::put, "3/0/9", [](auto& b) { b.uri_query("pmin=5").uri_query("pmax=60"); }) != code::changed)
        return 13;
    if (server.request(code::get, "3/0/9", [](auto& b) { b.observe(0); }) != code::content) return 14;
    if (client.observation_count() != 1) return 15;
    const int before = server.notifications;
    // A change inside pmin waits; at pmin it goes out.
    device.battery_level = 70;
    engine_api::value_changed(client, *lwm2m::path::make(3, 0, 9), server.now);
    server.drain();
    if (server.notifications != before) return 16;
    for (int i = 0; i < 200; ++i) {  // drive the clock through pmin and pmax
        const auto d = engine_api::next_deadline(client);
        if (!d) break;
        server.now = *d;
        engine_api::on_timeout(client, server.now);
        server.drain();
        if (server.now > lwm2m::time_point{} + 120s) break;
    }
    if (server.notifications < before + 2) return 17;

    // De-register.
    engine_api::deregister(client, server.now);
    server.drain();
    if (!client.deregistration_done()) return 18;
    return server.failures == 0 ? 0 : 19;
}

} // namespace

int main(int argc, char**) { return run(argc); }
