#pragma once
/**
 * @file client/registration.hpp
 * The Client Registration Interface (LwM2M 1.1 Core §6.2, 1.0 §5.3) pieces of the client
 * engine: a server account (what the Server object /1/x and the Security object /0/x hold
 * for one LwM2M Server), the registration states, the timing rules, and the link-format
 * payload of Register/Update. The engine (`client/client.hpp`) drives them. Allocation: none.
 *
 * Timing rules (the registration procedure of LwM2M 1.1.1 Core §6.2.1.1, its values from the
 * account, /1/x/13-20; the Update timing is a documented choice, the spec leaves it open):
 * - Update is sent `update_delay(lifetime)` after a successful Register/Update:
 *   lifetime − MAX_TRANSMIT_WAIT (93 s by default) when the lifetime exceeds twice
 *   MAX_TRANSMIT_WAIT, else half the lifetime, so the whole retransmission sequence of the
 *   Update fits before the registration expires (the rule Anjay uses). Lifetime 0 (infinite)
 *   means no periodic Update.
 * - The first Register after `start` (or a bootstrap) waits the Initial Registration Delay
 *   Timer (/1/x/14, 0 s by default). Servers with a Registration Priority Order (/1/x/13)
 *   register in increasing order, each once those before it have registered or been given up;
 *   one given up with Registration Failure Block (/1/x/15) true stops those after it. A server
 *   without an order registers at once.
 * - A failed Register (error response or timeout) is retried in a communication sequence of
 *   Communication Retry Count attempts (/1/x/17, 5), attempt n+1 following attempt n after
 *   Communication Retry Timer × 2^(n−1) (/1/x/18, 60 s: `client_config::retry_initial` for an
 *   account that does not set it); a failed sequence s is followed by the next after
 *   Communication Sequence Delay Timer × 2^(s−1) (/1/x/19, 86400 s; 0xFFFFFFFF: no other
 *   sequence), up to Communication Sequence Retry Count sequences (/1/x/20, 1) (`retry_delay`).
 *   When the last one fails the server is given up (`registration_state::failed`,
 *   `client_event_kind::registration_failed`) and, if Bootstrap on Registration Failure
 *   (/1/x/16, true) and the client has a Bootstrap-Server account, the client bootstraps
 *   (Client-Initiated Bootstrap; `operation_set::bootstrap`). `start` tries a given-up server again.
 * - An Update answered 4.04 (the Server lost the registration) or failing otherwise leads to
 *   a new Register at once.
 * - Disable (/1/x/4): the 2.04 goes out, then De-register; the server's datagrams are dropped
 *   and nothing is sent to it for Disable Timeout (/1/x/5, default 86400 s), after which the
 *   client registers again by itself.
 */

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <lwm2m/client/dm.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/endpoint.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/exchange/transmission_parameters.hpp>
#include <lwm2m/format/link/writer.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m::client {

/**
 * One LwM2M Server the client registers with: the values of its Server object instance
 * (/1/x, LwM2M 1.1 Core Appendix E.2) and the adapter's peer for its address.
 */
struct server_account {
    std::uint16_t ssid = 1;                      ///< /1/x/0 Short Server ID, 1..65534
    exchange::peer_id peer{};                    ///< the adapter's handle for the server address
    std::string_view uri{};                      ///< /0/x/0 LwM2M Server URI (informative)
    std::uint32_t lifetime = 86400;              ///< /1/x/1 seconds; 0 = infinite
    std::optional<std::uint32_t> default_pmin{}; ///< /1/x/2 (absent: 0)
    std::optional<std::uint32_t> default_pmax{}; ///< /1/x/3 (absent: none)
    std::uint32_t disable_timeout = 86400;       ///< /1/x/5 seconds
    bool notification_storing = true;            ///< /1/x/6
    std::string_view binding = std::string_view{"U", 1};  ///< /1/x/7
    // The registration procedure (LwM2M 1.1.1 Core §6.2.1.1; defaults of its Table 6.2.1.1-1).
    // (32-bit and smaller fields last, in size order: no padding on 32-bit targets.)
    std::optional<std::uint32_t> priority_order{}; ///< /1/x/13 (absent: registers regardless of the others)
    std::uint32_t initial_delay = 0;               ///< /1/x/14 seconds before the first Register
    std::uint32_t retry_count = 5;                 ///< /1/x/17 Register attempts in a communication sequence
    std::optional<std::uint32_t> retry_timer{};    ///< /1/x/18 seconds (absent: client_config::retry_initial)
    std::uint32_t sequence_delay = 86400;          ///< /1/x/19 seconds between sequences (0xFFFFFFFF: one sequence)
    std::uint32_t sequence_retry_count = 1;        ///< /1/x/20 communication sequences
    /// /1/x/12 seconds since 1970 (0: unknown, absent; 32 bits reach 2106 and keep the account 4-aligned)
    std::uint32_t last_bootstrapped = 0;
    std::optional<bool> trigger{};                 ///< /1/x/21 reachable over SMS (absent: false)
    bool failure_block = false;                    ///< /1/x/15 given up: the servers after it in the order are not tried
    bool bootstrap_on_failure = true;              ///< /1/x/16 given up: bootstrap (when there is a Bootstrap-Server account)
    char preferred_transport = 0;                  ///< /1/x/22 one of U S T N (0: absent)
    bool mute_send = false;                        ///< /1/x/23 true: Send to this server is refused (errc::send_muted)
};

/** Where the client is with one server. */
enum class registration_state : std::uint8_t {
    idle,           ///< not started
    registering,    ///< Register sent, waiting for 2.01
    registered,     ///< registered; next Update scheduled
    updating,       ///< Update sent
    deregistering,  ///< De-register sent
    deregistered,   ///< de-registered (by the application); silent
    disabled,       ///< Disable executed; silent until the Disable Timeout ends
    retry_wait,     ///< waiting to send Register: the Initial Registration Delay, or a retry after a failure
    failed,         ///< every communication sequence failed: given up (until `start`, or a bootstrap)
};

/** Short name for logs: "registered", "retry_wait", ... */
[[nodiscard]] constexpr std::string_view name(registration_state s) noexcept {
    constexpr std::string_view names[] = {"idle",         "registering", "registered", "updating",
                                          "deregistering", "deregistered", "disabled",  "retry_wait",
                                          "failed"};
    return names[static_cast<std::uint8_t>(s)];
}

/**
 * The engine's state for one server: its account (the Server object instance values) and
 * where its registration is. Owned by `client::engine`; the Server object reads and writes it.
 */
struct server_session {
    server_account account{};
    registration_state state = registration_state::idle;
    bool start_pending = false;
    bool update_requested = false;
    bool objects_dirty = false;
    bool lifetime_dirty = false;
    bool binding_dirty = false;
    bool disable_requested = false;
    bool disable_after_deregister = false;
    bool initial_delay_pending = false;  ///< the next Register is the first since `start` or a bootstrap
    bool bootstrap_requested = false;    ///< /1/x/9 executed: bootstrap once the 2.04 has gone out
    exchange::request_handle pending{};
    time_point next_update{};
    time_point next_action{};
    std::uint32_t attempts = 0;   ///< failed Registers in the current communication sequence
    std::uint32_t sequences = 0;  ///< failed communication sequences
    std::array<char, 64> location_text{};
    std::size_t location_size = 0;
    std::array<char, 8> binding_text{};
    std::size_t binding_size = 0;
    std::uint16_t instance = 0;  ///< its Server object instance id /1/x (a client that bootstraps; else its index)

    [[nodiscard]] std::string_view location() const noexcept { return {location_text.data(), location_size}; }
    void set_binding(std::string_view b) noexcept {
        binding_size = std::min(b.size(), binding_text.size());
        std::copy_n(b.data(), binding_size, binding_text.data());
        account.binding = std::string_view{binding_text.data(), binding_size};
    }
};

/**
 * Delay from a successful Register/Update to the next Update for `lifetime_s` seconds (see
 * the file comment), or nullopt for an infinite lifetime (0).
 */
[[nodiscard]] constexpr std::optional<duration> update_delay(std::uint32_t lifetime_s,
                                                             const exchange::transmission_parameters& tp) noexcept {
    if (lifetime_s == 0) return std::nullopt;
    const duration lifetime = std::chrono::seconds(lifetime_s);
    const duration wait = tp.max_transmit_wait();
    if (lifetime > 2 * wait) return lifetime - wait;
    return lifetime / 2;
}

static_assert(*update_delay(86400, {}) == std::chrono::seconds(86400 - 93));
static_assert(*update_delay(60, {}) == std::chrono::seconds(30));

/**
 * `base_s` seconds × 2^(n−1) (LwM2M 1.1.1 Core §6.2.1.1: the n-th retry of a sequence, the
 * n-th sequence), saturated at 2^40 s rather than overflowing.
 */
[[nodiscard]] constexpr duration retry_delay(std::uint32_t base_s, std::uint32_t n) noexcept {
    std::uint64_t s = base_s;
    for (std::uint32_t i = 1; i < n && s < (std::uint64_t{1} << 40); ++i) s *= 2;
    return std::chrono::seconds(std::min(s, std::uint64_t{1} << 40));
}

static_assert(retry_delay(60, 1) == std::chrono::seconds(60));
static_assert(retry_delay(60, 4) == std::chrono::seconds(480));
static_assert(retry_delay(0xFFFFFFFF, 100) == std::chrono::seconds(std::uint64_t{1} << 40));

/**
 * Writes the Register / Update payload (LwM2M 1.1 Core §6.2.1, 1.0 §5.3.1): a root link
 * `</>;rt="oma.lwm2m";ct="..."` naming the content formats the client supports (1.1 only;
 * `formats` empty for 1.0), then the objects and instances in object id order: `</O>;ver=X.Y`
 * for an object whose version is not 1.0, `</O>` for an object without instances,
 * `</O/I>` for each instance. The Security object (0) is never listed (1.0 §5.3.1, 1.1 §6.2.1).
 * With the 1.1 root link, a core object always carries its `ver`, 1.0 too (`dm::gives_version`:
 * the Server, Device and Connectivity Monitoring objects here are 1.0, and the core versions
 * differ between 1.1 and 1.1.1; Leshan issue #1434, OMA_LwM2M_for_Developers #561).
 * `objects` must be sorted by id.
 */
inline void write_registration_links(std::span<const object_binding> objects, std::string_view formats,
                                     format::output_window& out) noexcept {
    using namespace std::string_view_literals;  // (no strlen at run time: see engine::binding_query)
    format::link::writer w{out};
    if (!formats.empty()) {
        w.begin("/"sv);
        w.quoted_attribute("rt"sv, "oma.lwm2m"sv);
        w.quoted_attribute("ct"sv, formats);
    }
    for (const object_binding& o : objects) {
        if (o.id() == 0) continue;
        const object_version v = o.schema.info().version;
        const std::size_t n = o.instance_count();
        const bool versioned = dm::gives_version(o.id(), v, !formats.empty());
        if (versioned || n == 0) {  // the object's own link: for its version, or as it has no instance
            w.begin(*path::make(o.id()));
            if (versioned) dm::write_object_version(w, v);
        }
        for (std::size_t i = 0; i < n; ++i) w.begin(*path::make(o.id(), o.instance_id(i)));
    }
}

} // namespace lwm2m::client
