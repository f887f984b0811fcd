#pragma once
/**
 * @file client/security_object.hpp
 * The built-in Security object (0) of a client engine that bootstraps
 * (`operation_set::bootstrap`): up to N instances, each one LwM2M Server or Bootstrap-Server
 * account (LwM2M 1.1 Core Appendix E.1; schema `lwm2m_security_v1_1`, so that what a 1.1
 * Bootstrap-Server writes is taken: the resources past 12 (Matching Type, SNI, Certificate
 * Usage, DTLS/TLS Ciphersuite, OSCORE Security Mode) are type-checked and dropped, as the SMS
 * ones are, since only NoSec and PSK are used). Only the
 * Bootstrap-Server writes it (Bootstrap-Write, -Delete); DM servers never see it. Allocation:
 * none: the texts and keys live in fixed arrays.
 */

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/model/objects/lwm2m_security_v1_1.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/** Up to `Capacity` bytes written to one Security resource (a URI, a PSK identity or key). */
template <std::size_t Capacity>
struct security_bytes {
    std::array<std::byte, Capacity> data{};
    std::size_t size = 0;

    /** Takes `v`'s decoded bytes. Errors: `capacity_exceeded` (too long: nothing kept). */
    result<void> assign(const value& v) noexcept {
        std::array<std::byte, Capacity> tmp{};
        auto n = copy_value_bytes(v, tmp);
        if (!n) return fail(n.error().code == errc::buffer_too_small ? errc::capacity_exceeded : n.error().code);
        data = tmp;
        size = *n;
        return {};
    }
    [[nodiscard]] bytes_view bytes() const noexcept { return {data.data(), size}; }
    [[nodiscard]] std::string_view text() const noexcept { return as_chars(bytes()); }
};

/**
 * One Security object instance (/0/x): what the client keeps of it. Resources 6-9 (SMS) are
 * accepted by Bootstrap-Write and dropped (no SMS binding here).
 */
struct security_instance {
    std::uint16_t id = 0;                 ///< the instance id x
    std::uint16_t ssid = 0;               ///< /0/x/10 Short Server ID (none for a Bootstrap-Server)
    bool bootstrap_server = false;        ///< /0/x/1
    std::uint8_t mode = 3;                ///< /0/x/2 Security Mode (3: NoSec)
    std::uint32_t hold_off = 0;           ///< /0/x/11 Client Hold Off Time, seconds
    std::uint32_t account_timeout = 0;    ///< /0/x/12 Bootstrap-Server Account Timeout, seconds (0: none)
    security_bytes<64> uri{};             ///< /0/x/0 LwM2M Server URI
    security_bytes<32> identity{};        ///< /0/x/3 Public Key or Identity
    security_bytes<32> secret_key{};      ///< /0/x/5 Secret Key
    exchange::peer_id peer{};             ///< the adapter's handle for `uri` (set when the account is used)
};

/** The Security object (0) over `Capacity` instance slots, kept sorted by instance id. */
template <std::size_t Capacity>
class security_object {
public:
    static constexpr const auto& schema = objects::lwm2m_security_v1_1::object;

    [[nodiscard]] std::size_t instance_count() const noexcept { return count_; }
    [[nodiscard]] std::uint16_t instance_id(std::size_t i) const noexcept { return instances_[i].id; }
    [[nodiscard]] std::span<const security_instance> instances() const noexcept { return {instances_.data(), count_}; }

    [[nodiscard]] security_instance* find(std::uint16_t id) noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (instances_[i].id == id) return &instances_[i];
        return nullptr;
    }
    [[nodiscard]] const security_instance* find(std::uint16_t id) const noexcept {
        return const_cast<security_object*>(this)->find(id);
    }
    /** The Bootstrap-Server account, or nullptr. */
    [[nodiscard]] const security_instance* bootstrap_account() const noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (instances_[i].bootstrap_server) return &instances_[i];
        return nullptr;
    }
    /** The DM server account with Short Server ID `ssid`, or nullptr. */
    [[nodiscard]] security_instance* find_server(std::uint16_t ssid) noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (!instances_[i].bootstrap_server && instances_[i].ssid == ssid) return &instances_[i];
        return nullptr;
    }

    /** Adds an instance (an id not taken). Errors: `capacity_exceeded`, `instance_exists`. */
    result<security_instance*> add(const security_instance& s) noexcept {
        if (find(s.id) != nullptr) return fail(errc::instance_exists);
        if (count_ == Capacity) return fail(errc::capacity_exceeded);
        std::size_t i = count_++;
        for (; i > 0 && instances_[i - 1].id > s.id; --i) instances_[i] = instances_[i - 1];
        instances_[i] = s;
        return &instances_[i];
    }

    /** Bootstrap-Write of a new instance: created empty, its resources written next. */
    result<void> create(std::uint16_t id) noexcept {
        security_instance s{};
        s.id = id;
        auto added = add(s);
        if (!added) return unexpected{added.error()};
        return {};
    }
    result<void> remove(std::uint16_t id) noexcept {
        security_instance* s = find(id);
        if (s == nullptr) return fail(errc::not_found);
        std::copy(s + 1, instances_.data() + count_, s);
        --count_;
        return {};
    }

    result<void> read(const path& p, resource_output& out) noexcept {
        namespace s = objects::lwm2m_security_v1_1;
        const security_instance* x = find(p.instance_id());
        if (x == nullptr) return fail(errc::not_found);
        switch (p.resource_id()) {
        case s::lwm2m_server_uri: return out.value(x->uri.text());
        case s::bootstrap_server: return out.value(x->bootstrap_server);
        case s::security_mode: return out.value(std::int64_t{x->mode});
        case s::public_key_or_identity: return out.value(value::of_opaque(x->identity.bytes()));
        case s::secret_key: return out.value(value::of_opaque(x->secret_key.bytes()));
        case s::short_server_id: return out.value(std::int64_t{x->ssid});
        case s::client_hold_off_time: return out.value(std::int64_t{x->hold_off});
        case s::bootstrap_server_account_timeout: return out.value(std::int64_t{x->account_timeout});
        default: return fail(errc::not_found);
        }
    }

    /** Bootstrap-Write of one value. Errors: `capacity_exceeded`, `number_out_of_range`, `invalid_argument`. */
    result<void> write(const path& p, const value& v) noexcept {
        namespace s = objects::lwm2m_security_v1_1;
        security_instance* x = find(p.instance_id());
        if (x == nullptr) return fail(errc::not_found);
        const auto in_range = [&](std::int64_t max) -> result<std::uint32_t> {
            if (v.as_integer() < 0 || v.as_integer() > max) return fail(errc::number_out_of_range);
            return static_cast<std::uint32_t>(v.as_integer());
        };
        switch (p.resource_id()) {
        case s::lwm2m_server_uri: return x->uri.assign(v);
        case s::bootstrap_server: x->bootstrap_server = v.as_boolean(); return {};
        case s::security_mode: {
            LWM2M_TRY(m, in_range(4));
            x->mode = static_cast<std::uint8_t>(m);
            return {};
        }
        case s::public_key_or_identity: return x->identity.assign(v);
        case s::server_public_key: {  // no room for certificates or raw public keys (PSK and NoSec only)
            auto n = value_byte_size(v);
            if (!n) return unexpected{n.error()};
            return *n == 0 ? result<void>{} : fail(errc::capacity_exceeded);
        }
        case s::secret_key: return x->secret_key.assign(v);
        case s::short_server_id: {
            LWM2M_TRY(id, in_range(65535));
            x->ssid = static_cast<std::uint16_t>(id);
            return {};
        }
        case s::client_hold_off_time: {
            LWM2M_TRY(t, in_range(0xFFFFFFFF));
            x->hold_off = t;
            return {};
        }
        case s::bootstrap_server_account_timeout: {
            LWM2M_TRY(t, in_range(0xFFFFFFFF));
            x->account_timeout = t;
            return {};
        }
        default: return {};  // SMS resources (6-9), 1.1 resources (13-17): accepted, not kept
        }
    }

    [[nodiscard]] bool has_resource(const path& p) const noexcept {
        namespace s = objects::lwm2m_security_v1_1;
        const std::uint16_t r = p.resource_id();
        return r <= s::secret_key || (r >= s::short_server_id && r <= s::bootstrap_server_account_timeout);
    }

private:
    std::array<security_instance, Capacity> instances_{};
    std::size_t count_ = 0;
};

} // namespace lwm2m::client
