#pragma once
/**
 * @file bootstrap/configuration.hpp
 * What a Bootstrap-Server sends one client (LwM2M 1.1.1 Core §6.1, 1.0 §5.2): a list of
 * `step`s (Bootstrap-Delete, Bootstrap-Write, Bootstrap-Discover, Bootstrap-Read), after
 * which the engine sends Bootstrap-Finish itself. Write bodies are `format::record`s, so any
 * object (Security /0, Server /1, Access Control /2, ...) is written the same way; the
 * Security and Server resource ids the usual configuration needs are named here, and
 * `dm_server_configuration` builds the usual "one Device Management server, NoSec or PSK"
 * configuration. Everything views memory the caller keeps alive. Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m::bootstrap {

/** The Bootstrap Interface operations a Bootstrap-Server sends (Core §6.1.7, §6.1.8). */
enum class operation : std::uint8_t {
    remove,    ///< Bootstrap-Delete: DELETE on "/", /O or /O/I (answered 2.02)
    write,     ///< Bootstrap-Write: PUT on /O, /O/I or /O/I/R (answered 2.04)
    discover,  ///< Bootstrap-Discover: GET with Accept 40 on "/" or /O (answered 2.05)
    read,      ///< Bootstrap-Read (1.1): GET on /1 or /2 (or an instance of them; answered 2.05)
    finish,    ///< Bootstrap-Finish: POST /bs (answered 2.04; 4.06 when the client finds the data inconsistent)
};

/** One operation of a configuration. */
struct step {
    operation op = operation::remove;
    lwm2m::path target{};
    /** Bootstrap-Write: the values, absolute paths below `target`, sorted by path. */
    std::span<const format::record> records{};
    /**
     * Write: the body's format; Read: the Accept. None: the client's `pct` if it gave one
     * (1.1), else TLV (the 1.0 clients' format).
     */
    std::optional<format::content_format> format{};

    [[nodiscard]] static constexpr step remove(lwm2m::path target) noexcept { return step{operation::remove, target, {}, {}}; }
    [[nodiscard]] static constexpr step write(lwm2m::path target, std::span<const format::record> records) noexcept {
        return step{operation::write, target, records, {}};
    }
    [[nodiscard]] static constexpr step discover(lwm2m::path target = {}) noexcept {
        return step{operation::discover, target, {}, {}};
    }
    [[nodiscard]] static constexpr step read(lwm2m::path target) noexcept { return step{operation::read, target, {}, {}}; }
};

/** The steps sent to one client, in order; Bootstrap-Finish follows the last one. */
struct configuration {
    std::span<const step> steps{};
};

/** Security Object (/0) Security Mode values (Core Appendix E.1, resource 2). */
enum class security_mode : std::uint8_t { psk = 0, rpk = 1, certificate = 2, no_sec = 3, certificate_est = 4 };

/** Resource ids of the Security Object (/0) a configuration usually writes (Core Appendix E.1). */
namespace security_resource {
inline constexpr std::uint16_t server_uri = 0;
inline constexpr std::uint16_t bootstrap_server = 1;
inline constexpr std::uint16_t mode = 2;
inline constexpr std::uint16_t public_key_or_identity = 3;
inline constexpr std::uint16_t server_public_key = 4;
inline constexpr std::uint16_t secret_key = 5;
inline constexpr std::uint16_t short_server_id = 10;
} // namespace security_resource

/** Resource ids of the Server Object (/1) a configuration usually writes (Core Appendix E.2). */
namespace server_resource {
inline constexpr std::uint16_t short_server_id = 0;
inline constexpr std::uint16_t lifetime = 1;
inline constexpr std::uint16_t notification_storing = 6;
inline constexpr std::uint16_t binding = 7;
} // namespace server_resource

/** One LwM2M Server account: its Security (/0) and Server (/1) instances. Views only. */
struct dm_server_account {
    std::string_view server_uri{};  ///< "coap://host:5683", or "coaps://..." with PSK
    security_mode mode = security_mode::no_sec;
    bytes_view psk_identity{};  ///< PSK mode: resource 3
    bytes_view psk_key{};       ///< PSK mode: resource 5
    std::uint16_t short_server_id = 1;
    std::uint32_t lifetime = 86400;
    std::string_view binding = "U";
    std::uint16_t security_instance = 1;  ///< not the client's Bootstrap-Server account instance (<= 65534)
    std::uint16_t server_instance = 0;    ///< <= 65534
};

/**
 * The usual configuration: Bootstrap-Delete "/" (which leaves the Bootstrap-Server account
 * and the Device object, Core §6.1.7.5), Bootstrap-Write of the account's Security instance
 * (not a Bootstrap-Server) and Server instance. The records view `account`'s strings and
 * bytes, which must outlive this object; the object must not move while a session uses
 * `view()` (the configuration points into it).
 */
class dm_server_configuration {
public:
    explicit dm_server_configuration(const dm_server_account& account) noexcept {
        namespace sec = security_resource;
        namespace srv = server_resource;
        const auto at = [](std::uint16_t object, std::uint16_t instance, std::uint16_t resource) {
            return lwm2m::path::make(object, instance, resource).value_or(lwm2m::path{});
        };
        const std::uint16_t si = account.security_instance;
        const bool psk = account.mode == security_mode::psk;
        security_ = {{
            {at(0, si, sec::server_uri), value::of_string(account.server_uri), {}},
            {at(0, si, sec::bootstrap_server), value::of_boolean(false), {}},
            {at(0, si, sec::mode), value::of_integer(static_cast<std::int64_t>(account.mode)), {}},
            {at(0, si, sec::public_key_or_identity), value::of_opaque(psk ? account.psk_identity : bytes_view{}), {}},
            {at(0, si, sec::server_public_key), value::of_opaque(bytes_view{}), {}},
            {at(0, si, sec::secret_key), value::of_opaque(psk ? account.psk_key : bytes_view{}), {}},
            {at(0, si, sec::short_server_id), value::of_integer(account.short_server_id), {}},
        }};
        const std::uint16_t vi = account.server_instance;
        server_ = {{
            {at(1, vi, srv::short_server_id), value::of_integer(account.short_server_id), {}},
            {at(1, vi, srv::lifetime), value::of_integer(account.lifetime), {}},
            {at(1, vi, srv::notification_storing), value::of_boolean(false), {}},
            {at(1, vi, srv::binding), value::of_string(account.binding), {}},
        }};
        steps_ = {{
            step::remove(lwm2m::path{}),
            step::write(lwm2m::path::make(0, si).value_or(lwm2m::path{}), security_),
            step::write(lwm2m::path::make(1, vi).value_or(lwm2m::path{}), server_),
        }};
    }
    dm_server_configuration(const dm_server_configuration&) = delete;
    dm_server_configuration& operator=(const dm_server_configuration&) = delete;

    [[nodiscard]] configuration view() const noexcept { return configuration{steps_}; }
    [[nodiscard]] std::span<const format::record> security_records() const noexcept { return security_; }
    [[nodiscard]] std::span<const format::record> server_records() const noexcept { return server_; }

private:
    std::array<format::record, 7> security_{};
    std::array<format::record, 4> server_{};
    std::array<step, 3> steps_{};
};

} // namespace lwm2m::bootstrap
