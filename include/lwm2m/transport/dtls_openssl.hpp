#pragma once
/**
 * @file transport/dtls_openssl.hpp
 * DTLS 1.2 in PSK mode (LwM2M 1.1 Transport §5.2.8, RFC 6347, RFC 4279) over OpenSSL, in the
 * sans-I/O shape of the engines: protected records from the network go in with `on_record`,
 * plaintext CoAP datagrams come out of `read_datagram`; plaintext goes in with
 * `write_datagram`, records to send come out of `poll_record`; `next_deadline` /
 * `on_timeout` drive the handshake's retransmissions (RFC 6347 §4.2.4). No socket and no
 * clock inside.
 * - `dtls_psk_client`: one session to a server (an LwM2M client).
 * - `dtls_psk_server`: one session per peer (an LwM2M server), keys looked up by the PSK
 *   identity the client presents, a stateless cookie exchange against spoofed ClientHellos
 *   (RFC 6347 §4.2.1), and each peer's authenticated identity for the application.
 *
 * Opt-in adapter: the engines never include it, and only programs that include it link
 * OpenSSL (`-lssl -lcrypto`). OpenSSL allocates, so this header is outside the no-heap core;
 * it keeps its outgoing records in a small queue of its own for the same reason.
 *
 * Security: the PSK authenticates both sides (a wrong key fails the handshake's Finished
 * check), every record is integrity- and confidentiality-protected, and DTLS replay
 * detection (RFC 6347 §4.1.2.6, on by default in OpenSSL) drops replayed records.
 * Cipher suites: TLS_PSK_WITH_AES_128_CCM_8 (mandatory in LwM2M, RFC 6655) first, then
 * TLS_PSK_WITH_AES_128_CBC_SHA256 (LwM2M 1.0) and the other PSK suites OpenSSL offers.
 */

#if __has_include(<openssl/ssl.h>)

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include <lwm2m/bytes.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::transport {

/** The client's PSK credentials: the identity sent to the server and the shared key. */
struct psk_credentials {
    std::string identity;
    std::vector<std::byte> key;
};

/** A key written as hex digits (as LwM2M servers such as Leshan show PSKs), or nullopt. */
[[nodiscard]] inline std::optional<std::vector<std::byte>> psk_key_from_hex(std::string_view hex) {
    if (hex.empty() || hex.size() % 2 != 0) return std::nullopt;
    const auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::vector<std::byte> key;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        key.push_back(static_cast<std::byte>(hi * 16 + lo));
    }
    return key;
}

/** A key given as text: its bytes (as libcoap's `-k` takes it). */
[[nodiscard]] inline std::vector<std::byte> psk_key_from_text(std::string_view text) {
    std::vector<std::byte> key;
    for (const char c : text) key.push_back(static_cast<std::byte>(c));
    return key;
}

/** The cipher suites offered, most preferred first (OpenSSL names). */
inline constexpr const char* dtls_psk_cipher_list =
    "PSK-AES128-CCM8:PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256:PSK-AES128-CCM:PSK";

/** What a DTLS session is doing. */
enum class dtls_state : std::uint8_t { handshaking, connected, failed, closed };

namespace detail {

/** An SSL_CTX for DTLS 1.2 with the PSK suites, or nullptr. */
inline SSL_CTX* new_dtls_context(const SSL_METHOD* method) {
    SSL_CTX* ctx = SSL_CTX_new(method);
    if (ctx == nullptr) return nullptr;
    SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION);
    if (SSL_CTX_set_cipher_list(ctx, dtls_psk_cipher_list) != 1) {
        SSL_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

/** OpenSSL's reason for the last error (and the error queue cleared), or `fallback`. */
inline std::string take_openssl_error(std::string_view fallback) {
    char text[256] = {};
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return std::string(fallback);
    ERR_error_string_n(e, text, sizeof text);
    return text;
}

/**
 * One DTLS session over a BIO that keeps datagram boundaries (a memory BIO would merge them):
 * each BIO write is one record datagram to send, each BIO read returns the whole datagram
 * given to `on_record` (RFC 6347 §4.1.1). The client and the server sessions differ only in
 * the SSL_CTX they come from and the side they take.
 */
class dtls_session {
public:
    /** Largest record payload OpenSSL is told the path takes (IPv6 minimum MTU minus IP/UDP headers). */
    static constexpr long path_mtu = 1232;

    dtls_session(const dtls_session&) = delete;
    dtls_session& operator=(const dtls_session&) = delete;
    ~dtls_session() {
        if (ssl_ != nullptr) SSL_free(ssl_);  // frees the BIO too
    }

    /** A session from `ctx` (client or server side), `app_data` for the context's callbacks; nullptr if OpenSSL fails. */
    static std::unique_ptr<dtls_session> make(SSL_CTX* ctx, bool server_side, void* app_data) {
        std::unique_ptr<dtls_session> s{new dtls_session};
        s->app_data_ = app_data;
        s->ssl_ = SSL_new(ctx);
        if (s->ssl_ == nullptr) return nullptr;
        SSL_set_app_data(s->ssl_, s.get());
        BIO* bio = BIO_new(datagram_bio_method());
        if (bio == nullptr) return nullptr;
        BIO_set_data(bio, s.get());
        BIO_set_init(bio, 1);
        SSL_set_bio(s->ssl_, bio, bio);  // the SSL owns it now
        // No socket to ask for the MTU: say it (RFC 6347 §4.1.1.1).
        SSL_set_options(s->ssl_, SSL_OP_NO_QUERY_MTU);
        DTLS_set_link_mtu(s->ssl_, path_mtu);
        if (server_side) SSL_set_accept_state(s->ssl_);
        else SSL_set_connect_state(s->ssl_);
        return s;
    }

    /** The session behind an SSL of this kind (in OpenSSL callbacks). */
    static dtls_session* of(SSL* ssl) { return static_cast<dtls_session*>(SSL_get_app_data(ssl)); }
    [[nodiscard]] void* app_data() const noexcept { return app_data_; }

    [[nodiscard]] dtls_state state() const noexcept { return state_; }
    [[nodiscard]] const std::string& failure_reason() const noexcept { return failure_; }
    [[nodiscard]] std::string_view cipher() const noexcept {
        if (state_ != dtls_state::connected) return {};
        const char* c = SSL_get_cipher_name(ssl_);
        return c != nullptr ? std::string_view{c} : std::string_view{};
    }
    /** The PSK identity the client presented (server side; set during the handshake). */
    std::string identity;
    /** The peer (server side: its `exchange::peer_id` value, which the cookie binds to). */
    std::uint32_t peer = 0;
    /** When the peer's first ClientHello came (server side: unfinished handshakes expire). */
    time_point started{};

    /** Advances the handshake (the first flight on the client side). */
    void drive_handshake() {
        const int r = SSL_do_handshake(ssl_);
        if (r == 1) {
            state_ = dtls_state::connected;
            return;
        }
        const int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
        fail_now();
    }

    /**
     * A record datagram from the peer: handshake records advance the handshake, application
     * data is decrypted into the readable queue. Records that fail authentication or replay
     * checks are dropped silently (RFC 6347 §4.1.2.7). False once the session failed.
     */
    bool on_record(bytes_view datagram) {
        if (state_ == dtls_state::failed) return false;
        if (state_ == dtls_state::closed) return true;
        input_.assign(datagram.begin(), datagram.end());
        input_pending_ = true;
        if (state_ == dtls_state::handshaking) drive_handshake();
        // Application data (also right after the handshake: the same datagram may hold it).
        std::array<std::byte, path_mtu + 256> plain;
        while (state_ == dtls_state::connected) {
            const int n = SSL_read(ssl_, plain.data(), static_cast<int>(plain.size()));
            if (n > 0) {
                readable_.emplace_back(plain.begin(), plain.begin() + n);
                continue;
            }
            const int e = SSL_get_error(ssl_, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
            if (e == SSL_ERROR_ZERO_RETURN) {  // close_notify from the peer
                state_ = dtls_state::closed;
                break;
            }
            fail_now();
        }
        input_pending_ = false;
        return state_ != dtls_state::failed;
    }

    /** Protects one datagram (one record, RFC 7252 §9.1). */
    [[nodiscard]] result<void> write(bytes_view datagram) {
        if (state_ != dtls_state::connected)
            return fail(state_ == dtls_state::handshaking ? errc::dtls_handshake_pending : errc::dtls_failure);
        if (SSL_write(ssl_, datagram.data(), static_cast<int>(datagram.size())) <= 0) {
            failure_ = take_openssl_error("SSL_write failed");
            return fail(errc::dtls_failure);
        }
        return {};
    }

    [[nodiscard]] bool has_readable() const noexcept { return !readable_.empty(); }
    [[nodiscard]] bool has_outgoing() const noexcept { return !outgoing_.empty(); }
    /** Moves the front of a queue into `out` (its size; a longer datagram is cut). */
    static std::size_t pop_into(std::deque<std::vector<std::byte>>& q, mutable_bytes out) {
        const auto& d = q.front();
        const std::size_t n = std::min(out.size(), d.size());
        std::copy_n(d.begin(), n, out.begin());
        q.pop_front();
        return n;
    }
    std::size_t pop_readable(mutable_bytes out) { return pop_into(readable_, out); }
    std::size_t pop_outgoing(mutable_bytes out) { return pop_into(outgoing_, out); }

    /** The handshake's retransmission timer, as time left from now, if it runs. */
    [[nodiscard]] std::optional<duration> timer() const {
        if (state_ != dtls_state::handshaking) return std::nullopt;
        timeval tv{};
        if (DTLSv1_get_timeout(ssl_, &tv) != 1) return std::nullopt;
        return std::chrono::duration_cast<duration>(std::chrono::seconds{tv.tv_sec} + std::chrono::microseconds{tv.tv_usec});
    }
    /** Retransmits the last flight when the timer ran out (it gives up after a dozen, then fails). */
    void on_timer() {
        if (state_ == dtls_state::handshaking && DTLSv1_handle_timeout(ssl_) < 0) fail_now();
    }

    /** Sends close_notify (then it is in the outgoing queue) and ends the session. */
    void close() {
        if (state_ == dtls_state::connected) (void)SSL_shutdown(ssl_);
        state_ = dtls_state::closed;
    }

private:
    dtls_session() = default;

    void fail_now() {
        failure_ = take_openssl_error("DTLS handshake failed");
        state_ = dtls_state::failed;
    }

    static int bio_write(BIO* b, const char* data, int size) {
        auto* self = static_cast<dtls_session*>(BIO_get_data(b));
        const auto* p = reinterpret_cast<const std::byte*>(data);
        self->outgoing_.emplace_back(p, p + size);
        return size;
    }
    static int bio_read(BIO* b, char* data, int size) {
        auto* self = static_cast<dtls_session*>(BIO_get_data(b));
        BIO_clear_retry_flags(b);
        if (!self->input_pending_) {
            BIO_set_retry_read(b);
            return -1;
        }
        const int n = std::min(size, static_cast<int>(self->input_.size()));
        std::memcpy(data, self->input_.data(), static_cast<std::size_t>(n));
        self->input_pending_ = false;  // a datagram is read whole (RFC 6347 §4.1.1)
        return n;
    }
    static long bio_ctrl(BIO*, int command, long, void*) {
        switch (command) {
        case BIO_CTRL_FLUSH: return 1;
        case BIO_CTRL_DGRAM_QUERY_MTU:
        case BIO_CTRL_DGRAM_GET_FALLBACK_MTU: return path_mtu;
        default: return 0;  // no pending bytes, no MTU overhead beyond path_mtu, no peer address
        }
    }
    static BIO_METHOD* datagram_bio_method() {
        static BIO_METHOD* const method = [] {
            BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "lwm2m datagram");
            if (m != nullptr) {
                BIO_meth_set_write(m, &dtls_session::bio_write);
                BIO_meth_set_read(m, &dtls_session::bio_read);
                BIO_meth_set_ctrl(m, &dtls_session::bio_ctrl);
            }
            return m;
        }();
        return method;
    }

    SSL* ssl_ = nullptr;
    void* app_data_ = nullptr;
    dtls_state state_ = dtls_state::handshaking;
    std::deque<std::vector<std::byte>> outgoing_;  // record datagrams to send
    std::deque<std::vector<std::byte>> readable_;  // decrypted CoAP datagrams
    std::vector<std::byte> input_;                 // the record datagram being read
    bool input_pending_ = false;
    std::string failure_;
};

} // namespace detail

/**
 * The client side: one session to the LwM2M server, authenticated by a PSK identity and key.
 * Security: the PSK authenticates both sides (a wrong key fails the handshake's Finished
 * check), every record is integrity- and confidentiality-protected, and DTLS replay
 * detection (RFC 6347 §4.1.2.6, on by default in OpenSSL) drops replayed records.
 */
class dtls_psk_client {
public:
    using state = dtls_state;

    dtls_psk_client() = default;
    dtls_psk_client(const dtls_psk_client&) = delete;
    dtls_psk_client& operator=(const dtls_psk_client&) = delete;
    ~dtls_psk_client() { reset(); }

    /**
     * Starts a new session (dropping any earlier one): the ClientHello is then ready in
     * `poll_record`. Errors: `invalid_argument` (empty identity or key, or an identity of
     * more than 128 bytes, RFC 4279 §5.3), `dtls_failure` (OpenSSL could not set up).
     */
    [[nodiscard]] result<void> connect(psk_credentials credentials, time_point now) {
        reset();
        if (credentials.identity.empty() || credentials.identity.size() > 128 || credentials.key.empty())
            return fail(errc::invalid_argument);
        credentials_ = std::move(credentials);
        now_ = now;
        ctx_ = detail::new_dtls_context(DTLS_client_method());
        if (ctx_ != nullptr) {
            SSL_CTX_set_psk_client_callback(ctx_, &dtls_psk_client::psk_callback);
            session_ = detail::dtls_session::make(ctx_, false, this);
        }
        if (session_ == nullptr) {
            setup_failure_ = detail::take_openssl_error("cannot set up OpenSSL");
            return fail(errc::dtls_failure);
        }
        session_->drive_handshake();
        return session_->state() == state::failed ? fail(errc::dtls_failure) : result<void>{};
    }

    [[nodiscard]] state current_state() const noexcept { return session_ ? session_->state() : state::closed; }
    [[nodiscard]] bool connected() const noexcept { return current_state() == state::connected; }
    /** OpenSSL's reason for the last failure (for logs), or empty. */
    [[nodiscard]] const std::string& failure_reason() const noexcept {
        return session_ ? session_->failure_reason() : setup_failure_;
    }
    /** The negotiated cipher suite (OpenSSL name), or empty before the handshake completes. */
    [[nodiscard]] std::string_view cipher() const noexcept { return session_ ? session_->cipher() : std::string_view{}; }

    /**
     * A datagram from the server (see `detail::dtls_session::on_record`). Errors:
     * `dtls_failure` when the handshake failed (a wrong key, no common suite) or the server
     * sent a fatal alert.
     */
    [[nodiscard]] result<void> on_record(bytes_view datagram, time_point now) {
        now_ = now;
        if (!session_) return {};
        return session_->on_record(datagram) ? result<void>{} : fail(errc::dtls_failure);
    }

    /** The next decrypted datagram into `out` (its size), or nullopt when none is waiting. */
    [[nodiscard]] std::optional<std::size_t> read_datagram(mutable_bytes out) {
        if (!session_ || !session_->has_readable()) return std::nullopt;
        return session_->pop_readable(out);
    }

    /**
     * Protects a CoAP datagram (one record: CoAP over DTLS is one message per record,
     * RFC 7252 §9.1). Errors: `dtls_handshake_pending` before the handshake completes (hold
     * the datagram, or let the engine retransmit it), `dtls_failure` otherwise.
     */
    [[nodiscard]] result<void> write_datagram(bytes_view datagram) {
        if (!session_) return fail(errc::dtls_failure);
        return session_->write(datagram);
    }

    /** The next record datagram to send to the server, copied into `out` (its size), or nullopt. */
    [[nodiscard]] std::optional<std::size_t> poll_record(mutable_bytes out) {
        if (!session_ || !session_->has_outgoing()) return std::nullopt;
        return session_->pop_outgoing(out);
    }

    /** When the handshake's retransmission timer fires (RFC 6347 §4.2.4), if it runs. */
    [[nodiscard]] std::optional<time_point> next_deadline() const {
        if (!session_) return std::nullopt;
        const auto left = session_->timer();
        return left ? std::optional<time_point>{now_ + *left} : std::nullopt;
    }

    /** Retransmits the last handshake flight when its timer ran out. */
    void on_timeout(time_point now) {
        now_ = now;
        if (session_) session_->on_timer();
    }

    /** Sends close_notify (then `poll_record` has it) and ends the session. */
    void close() {
        if (session_) session_->close();
    }

private:
    void reset() {
        session_.reset();
        if (ctx_ != nullptr) SSL_CTX_free(ctx_);
        ctx_ = nullptr;
        setup_failure_.clear();
    }

    // RFC 4279 §5.1: the identity in the ClientKeyExchange, the key for the premaster secret.
    static unsigned int psk_callback(SSL* ssl, const char* /*hint*/, char* identity, unsigned int max_identity,
                                     unsigned char* psk, unsigned int max_psk) {
        const auto* self = static_cast<const dtls_psk_client*>(detail::dtls_session::of(ssl)->app_data());
        const auto& c = self->credentials_;
        if (c.identity.size() + 1 > max_identity || c.key.size() > max_psk) return 0;
        std::memcpy(identity, c.identity.data(), c.identity.size());
        identity[c.identity.size()] = '\0';
        std::memcpy(psk, c.key.data(), c.key.size());
        return static_cast<unsigned int>(c.key.size());
    }

    psk_credentials credentials_;
    SSL_CTX* ctx_ = nullptr;
    std::unique_ptr<detail::dtls_session> session_;
    std::string setup_failure_;
    time_point now_{};
};

/**
 * The server side: a session per peer (`exchange::peer_id`, as the UDP adapter numbers
 * addresses). A datagram from a peer without a session starts one when it is a handshake
 * record; a new ClientHello (epoch 0) from a peer whose session is up replaces it (the client
 * restarted, RFC 6347 §4.2.8). The key is looked up by the PSK identity the client presents
 * (no key: the handshake fails); `identity(peer)` then names who the peer proved to be, so
 * the application can tie an endpoint name to its credentials. Failed and closed sessions
 * are dropped; `forget` drops one when its peer is gone.
 * Against spoofed ClientHellos: the cookie exchange (RFC 6347 §4.2.1) makes a peer prove it
 * receives at its address before any key exchange; a handshake that has not completed
 * `handshake_lifetime` after its first ClientHello is dropped, and when `max_sessions` are
 * live a new peer takes the place of the oldest unfinished handshake (a peer beyond that,
 * with every session up, is ignored).
 */
class dtls_psk_server {
public:
    /** The key of a PSK identity, or nullopt when the identity is unknown. */
    using key_lookup = std::function<std::optional<std::vector<std::byte>>(std::string_view identity)>;
    /** A datagram read or to send: the peer and its size in the caller's buffer. */
    struct peer_datagram {
        exchange::peer_id peer{};
        std::size_t size = 0;
    };

    /** How long a handshake may take from the first ClientHello (OpenSSL gives up on flights sooner). */
    static constexpr duration handshake_lifetime = std::chrono::seconds{60};

    explicit dtls_psk_server(key_lookup lookup, std::size_t max_sessions = 4096)
        : lookup_(std::move(lookup)), max_sessions_(max_sessions) {}
    dtls_psk_server(const dtls_psk_server&) = delete;
    dtls_psk_server& operator=(const dtls_psk_server&) = delete;
    ~dtls_psk_server() {
        sessions_.clear();
        if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    }

    /** Sets OpenSSL up; call once before anything else. Errors: `dtls_failure`. */
    [[nodiscard]] result<void> open() {
        ctx_ = detail::new_dtls_context(DTLS_server_method());
        if (ctx_ == nullptr || RAND_bytes(cookie_secret_.data(), static_cast<int>(cookie_secret_.size())) != 1)
            return fail(errc::dtls_failure);
        SSL_CTX_set_psk_server_callback(ctx_, &dtls_psk_server::psk_callback);
        SSL_CTX_set_options(ctx_, SSL_OP_COOKIE_EXCHANGE);
        SSL_CTX_set_cookie_generate_cb(ctx_, &dtls_psk_server::cookie_generate);
        SSL_CTX_set_cookie_verify_cb(ctx_, &dtls_psk_server::cookie_verify);
        return {};
    }

    /** A record datagram from `peer`. Decrypted datagrams are then in `read_datagram`. */
    void on_record(exchange::peer_id peer, bytes_view datagram, time_point now) {
        now_ = now;
        if (ctx_ == nullptr || datagram.size() < 13) return;  // not even a record header (RFC 6347 §4.1)
        auto it = sessions_.find(peer.value);
        const bool handshake = datagram[0] == std::byte{22};
        const bool epoch0 = datagram[3] == std::byte{0} && datagram[4] == std::byte{0};
        if (it != sessions_.end() && handshake && epoch0 && it->second->state() == dtls_state::connected) {
            sessions_.erase(it);  // a new handshake from a restarted client
            it = sessions_.end();
        }
        if (it == sessions_.end()) {
            if (!handshake || !epoch0) return;
            if (sessions_.size() >= max_sessions_ && !evict_oldest_handshake()) return;
            auto s = detail::dtls_session::make(ctx_, true, this);
            if (!s) return;
            s->peer = peer.value;
            s->started = now;
            it = sessions_.emplace(peer.value, std::move(s)).first;
        }
        detail::dtls_session& s = *it->second;
        s.on_record(datagram);
        collect_outgoing(peer, s);
        while (s.has_readable()) {
            std::vector<std::byte> d(detail::dtls_session::path_mtu + 256);
            d.resize(s.pop_readable(d));
            readable_.push_back({peer, std::move(d)});
        }
        if (s.state() == dtls_state::failed || s.state() == dtls_state::closed) sessions_.erase(it);
    }

    /** The next decrypted datagram into `out`, or nullopt. */
    [[nodiscard]] std::optional<peer_datagram> read_datagram(mutable_bytes out) { return pop(readable_, out); }

    /**
     * Protects a datagram for `peer`. Errors: `dtls_failure` (no session with that peer:
     * it must handshake first), `dtls_handshake_pending`.
     */
    [[nodiscard]] result<void> write_datagram(exchange::peer_id peer, bytes_view datagram) {
        const auto it = sessions_.find(peer.value);
        if (it == sessions_.end()) return fail(errc::dtls_failure);
        auto ok = it->second->write(datagram);
        collect_outgoing(peer, *it->second);
        return ok;
    }

    /** The next record datagram to send, or nullopt. */
    [[nodiscard]] std::optional<peer_datagram> poll_record(mutable_bytes out) { return pop(outgoing_, out); }

    /** The earliest handshake timer (a retransmission, or an unfinished handshake's end), if any. */
    [[nodiscard]] std::optional<time_point> next_deadline() const {
        std::optional<time_point> next;
        const auto consider = [&](time_point t) {
            if (!next || t < *next) next = t;
        };
        for (const auto& [peer, s] : sessions_) {
            if (s->state() != dtls_state::handshaking) continue;
            consider(s->started + handshake_lifetime);
            if (auto left = s->timer()) consider(now_ + *left);
        }
        return next;
    }

    /** Runs the expired handshake timers; sessions that give up or run out of time are dropped. */
    void on_timeout(time_point now) {
        now_ = now;
        for (auto it = sessions_.begin(); it != sessions_.end();) {
            detail::dtls_session& s = *it->second;
            if (auto left = s.timer(); left && *left <= duration::zero()) s.on_timer();
            collect_outgoing(exchange::peer_id{it->first}, s);
            const bool expired = s.state() == dtls_state::handshaking && now >= s.started + handshake_lifetime;
            if (s.state() == dtls_state::failed || expired) it = sessions_.erase(it);
            else ++it;
        }
    }

    /** The PSK identity `peer` authenticated with, once its session is up. */
    [[nodiscard]] std::optional<std::string_view> identity(exchange::peer_id peer) const {
        const auto it = sessions_.find(peer.value);
        if (it == sessions_.end() || it->second->state() != dtls_state::connected) return std::nullopt;
        return std::string_view{it->second->identity};
    }
    [[nodiscard]] std::string_view cipher(exchange::peer_id peer) const {
        const auto it = sessions_.find(peer.value);
        return it == sessions_.end() ? std::string_view{} : it->second->cipher();
    }
    [[nodiscard]] bool connected(exchange::peer_id peer) const { return identity(peer).has_value(); }
    [[nodiscard]] std::size_t session_count() const noexcept { return sessions_.size(); }

    /** Drops the session with `peer` (after sending close_notify when it is up). */
    void forget(exchange::peer_id peer) {
        const auto it = sessions_.find(peer.value);
        if (it == sessions_.end()) return;
        it->second->close();
        collect_outgoing(peer, *it->second);
        sessions_.erase(it);
    }

    /**
     * Ends every session, a close_notify (RFC 5246 §7.2.1) queued for each one that is up: on
     * shutdown, so that clients start new sessions at once instead of finding out by timeouts.
     */
    void close_all() {
        for (auto& [peer, session] : sessions_) {
            session->close();
            collect_outgoing(exchange::peer_id{peer}, *session);
        }
        sessions_.clear();
    }

private:
    struct queued {
        exchange::peer_id peer;
        std::vector<std::byte> bytes;
    };

    static std::optional<peer_datagram> pop(std::deque<queued>& q, mutable_bytes out) {
        if (q.empty()) return std::nullopt;
        const queued& d = q.front();
        const std::size_t n = std::min(out.size(), d.bytes.size());
        std::copy_n(d.bytes.begin(), n, out.begin());
        const peer_datagram r{d.peer, n};
        q.pop_front();
        return r;
    }

    void collect_outgoing(exchange::peer_id peer, detail::dtls_session& s) {
        while (s.has_outgoing()) {
            std::vector<std::byte> d(detail::dtls_session::path_mtu + 64);
            d.resize(s.pop_outgoing(d));
            outgoing_.push_back({peer, std::move(d)});
        }
    }

    /** Drops the unfinished handshake that started first; false when every session is up. */
    bool evict_oldest_handshake() {
        auto oldest = sessions_.end();
        for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
            if (it->second->state() == dtls_state::handshaking && (oldest == sessions_.end() || it->second->started < oldest->second->started))
                oldest = it;
        if (oldest == sessions_.end()) return false;
        sessions_.erase(oldest);
        return true;
    }

    static dtls_psk_server& owner(SSL* ssl) { return *static_cast<dtls_psk_server*>(detail::dtls_session::of(ssl)->app_data()); }

    // RFC 4279 §5.1: the key of the identity the client sent; 0 (no key) fails the handshake.
    static unsigned int psk_callback(SSL* ssl, const char* identity, unsigned char* psk, unsigned int max_psk) {
        if (identity == nullptr) return 0;
        const auto key = owner(ssl).lookup_(identity);
        if (!key || key->empty() || key->size() > max_psk) return 0;
        detail::dtls_session::of(ssl)->identity = identity;
        std::memcpy(psk, key->data(), key->size());
        return static_cast<unsigned int>(key->size());
    }

    // RFC 6347 §4.2.1: the cookie is HMAC(secret, the peer), so only a peer that receives at
    // its address can echo it; no key exchange happens for a spoofed ClientHello.
    static bool cookie_of(SSL* ssl, unsigned char* out, unsigned int* length) {
        const dtls_psk_server& self = owner(ssl);
        const std::uint32_t peer = detail::dtls_session::of(ssl)->peer;
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_length = 0;
        if (HMAC(EVP_sha256(), self.cookie_secret_.data(), static_cast<int>(self.cookie_secret_.size()),
                 reinterpret_cast<const unsigned char*>(&peer), sizeof peer, mac, &mac_length) == nullptr)
            return false;
        *length = std::min(mac_length, 16u);
        std::memcpy(out, mac, *length);
        return true;
    }
    static int cookie_generate(SSL* ssl, unsigned char* cookie, unsigned int* length) {
        return cookie_of(ssl, cookie, length) ? 1 : 0;
    }
    static int cookie_verify(SSL* ssl, const unsigned char* cookie, unsigned int length) {
        unsigned char expected[EVP_MAX_MD_SIZE];
        unsigned int expected_length = 0;
        if (!cookie_of(ssl, expected, &expected_length)) return 0;
        return length == expected_length && CRYPTO_memcmp(cookie, expected, length) == 0 ? 1 : 0;
    }

    key_lookup lookup_;
    std::size_t max_sessions_;
    SSL_CTX* ctx_ = nullptr;
    std::array<unsigned char, 32> cookie_secret_{};
    std::unordered_map<std::uint32_t, std::unique_ptr<detail::dtls_session>> sessions_;
    std::deque<queued> outgoing_;
    std::deque<queued> readable_;
    time_point now_{};
};

} // namespace lwm2m::transport

#elif !defined(LWM2M_HEADER_CHECK)
#error "lwm2m/transport/dtls_openssl.hpp needs OpenSSL's headers (Debian: libssl-dev); link with -lssl -lcrypto"
#endif
