#pragma once
/**
 * @file transport/dtls_openssl.hpp
 * `transport::dtls_psk_client`: one DTLS 1.2 session in PSK mode (LwM2M 1.1 Transport §5.2.8,
 * RFC 6347, RFC 4279) over OpenSSL, in the sans-I/O shape of the engines: protected records
 * from the network go in with `on_record`, plaintext CoAP datagrams come out of
 * `read_datagram`; plaintext goes in with `write_datagram`, records to send come out of
 * `poll_record`; `next_deadline` / `on_timeout` drive the handshake's retransmissions
 * (RFC 6347 §4.2.4). No socket and no clock inside.
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

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lwm2m/bytes.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::transport {

/** The client's PSK credentials: the identity sent to the server and the shared key. */
struct psk_credentials {
    std::string identity;
    std::vector<std::byte> key;
};

/** The cipher suites offered, most preferred first (OpenSSL names). */
inline constexpr const char* dtls_psk_cipher_list =
    "PSK-AES128-CCM8:PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256:PSK-AES128-CCM:PSK";

class dtls_psk_client {
public:
    /** What the session is doing. */
    enum class state : std::uint8_t { handshaking, connected, failed, closed };

    /** Largest record payload OpenSSL is told the path takes (IPv6 minimum MTU minus IP/UDP headers). */
    static constexpr long path_mtu = 1232;

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
        ctx_ = SSL_CTX_new(DTLS_client_method());
        if (ctx_ == nullptr) return setup_failed();
        SSL_CTX_set_min_proto_version(ctx_, DTLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(ctx_, DTLS1_2_VERSION);
        if (SSL_CTX_set_cipher_list(ctx_, dtls_psk_cipher_list) != 1) return setup_failed();
        SSL_CTX_set_psk_client_callback(ctx_, &dtls_psk_client::psk_callback);
        ssl_ = SSL_new(ctx_);
        if (ssl_ == nullptr) return setup_failed();
        SSL_set_app_data(ssl_, this);
        BIO* bio = BIO_new(datagram_bio_method());
        if (bio == nullptr) return setup_failed();
        BIO_set_data(bio, this);
        BIO_set_init(bio, 1);
        SSL_set_bio(ssl_, bio, bio);  // the SSL owns it now
        // No socket to ask for the MTU: say it (RFC 6347 §4.1.1.1).
        SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
        DTLS_set_link_mtu(ssl_, path_mtu);
        SSL_set_connect_state(ssl_);
        state_ = state::handshaking;
        now_ = now;
        drive_handshake();
        return state_ == state::failed ? fail(errc::dtls_failure) : result<void>{};
    }

    [[nodiscard]] state current_state() const noexcept { return state_; }
    [[nodiscard]] bool connected() const noexcept { return state_ == state::connected; }
    /** OpenSSL's reason for the last failure (for logs), or empty. */
    [[nodiscard]] const std::string& failure_reason() const noexcept { return failure_; }
    /** The negotiated cipher suite (OpenSSL name), or empty before the handshake completes. */
    [[nodiscard]] std::string_view cipher() const noexcept {
        if (ssl_ == nullptr || state_ != state::connected) return {};
        const char* c = SSL_get_cipher_name(ssl_);
        return c != nullptr ? std::string_view{c} : std::string_view{};
    }

    /**
     * A datagram from the server: handshake records advance the handshake, application data
     * becomes readable through `read_datagram`. Records that fail authentication or replay
     * checks are dropped silently (RFC 6347 §4.1.2.7). Errors: `dtls_failure` when the
     * handshake failed (a wrong key, no common suite) or the server sent a fatal alert.
     */
    [[nodiscard]] result<void> on_record(bytes_view datagram, time_point now) {
        now_ = now;
        if (state_ == state::failed) return fail(errc::dtls_failure);
        if (ssl_ == nullptr || state_ == state::closed) return {};
        input_.assign(datagram.begin(), datagram.end());
        input_pending_ = true;
        if (state_ == state::handshaking) {
            drive_handshake();
            input_pending_ = false;
            return state_ == state::failed ? fail(errc::dtls_failure) : result<void>{};
        }
        // Application data: decrypt it now, so the input datagram is consumed whole.
        std::vector<std::byte> plain(path_mtu + 256);
        for (;;) {
            const int n = SSL_read(ssl_, plain.data(), static_cast<int>(plain.size()));
            if (n > 0) {
                readable_.emplace_back(plain.begin(), plain.begin() + n);
                continue;
            }
            const int e = SSL_get_error(ssl_, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
            if (e == SSL_ERROR_ZERO_RETURN) {  // close_notify from the server
                state_ = state::closed;
                break;
            }
            note_failure();
            state_ = state::failed;
            input_pending_ = false;
            return fail(errc::dtls_failure);
        }
        input_pending_ = false;
        return {};
    }

    /** The next decrypted datagram into `out` (its size), or nullopt when none is waiting. */
    [[nodiscard]] std::optional<std::size_t> read_datagram(mutable_bytes out) {
        if (readable_.empty()) return std::nullopt;
        const auto& d = readable_.front();
        const std::size_t n = std::min(out.size(), d.size());
        std::copy_n(d.begin(), n, out.begin());
        readable_.pop_front();
        return n;
    }

    /**
     * Protects a CoAP datagram (one record: CoAP over DTLS is one message per record,
     * RFC 7252 §9.1). Errors: `dtls_handshake_pending` before the handshake completes (hold
     * the datagram, or let the engine retransmit it), `dtls_failure` if OpenSSL refuses.
     */
    [[nodiscard]] result<void> write_datagram(bytes_view datagram) {
        if (state_ != state::connected) return fail(state_ == state::handshaking ? errc::dtls_handshake_pending : errc::dtls_failure);
        const int n = SSL_write(ssl_, datagram.data(), static_cast<int>(datagram.size()));
        if (n <= 0) {
            note_failure();
            return fail(errc::dtls_failure);
        }
        return {};
    }

    /** The next record datagram to send to the server, copied into `out` (its size), or nullopt. */
    [[nodiscard]] std::optional<std::size_t> poll_record(mutable_bytes out) {
        if (outgoing_.empty()) return std::nullopt;
        const auto& d = outgoing_.front();
        const std::size_t n = std::min(out.size(), d.size());
        std::copy_n(d.begin(), n, out.begin());
        outgoing_.pop_front();
        return n;
    }

    /** When the handshake's retransmission timer fires (RFC 6347 §4.2.4), if it runs. */
    [[nodiscard]] std::optional<time_point> next_deadline() const {
        if (ssl_ == nullptr || state_ != state::handshaking) return std::nullopt;
        timeval tv{};
        if (DTLSv1_get_timeout(ssl_, &tv) != 1) return std::nullopt;
        return now_ + std::chrono::duration_cast<duration>(std::chrono::seconds{tv.tv_sec} +
                                                           std::chrono::microseconds{tv.tv_usec});
    }

    /** Retransmits the last handshake flight when its timer ran out. */
    void on_timeout(time_point now) {
        now_ = now;
        if (ssl_ == nullptr || state_ != state::handshaking) return;
        if (DTLSv1_handle_timeout(ssl_) < 0) {
            note_failure();
            state_ = state::failed;
        }
    }

    /** Sends close_notify (then `poll_record` has it) and ends the session. */
    void close() {
        if (ssl_ != nullptr && state_ == state::connected) (void)SSL_shutdown(ssl_);
        state_ = state::closed;
    }

private:
    result<void> setup_failed() {
        note_failure();
        state_ = state::failed;
        return fail(errc::dtls_failure);
    }

    void reset() {
        if (ssl_ != nullptr) SSL_free(ssl_);  // frees the BIO too
        if (ctx_ != nullptr) SSL_CTX_free(ctx_);
        ssl_ = nullptr;
        ctx_ = nullptr;
        outgoing_.clear();
        readable_.clear();
        input_.clear();
        input_pending_ = false;
        failure_.clear();
        state_ = state::closed;
    }

    void drive_handshake() {
        const int r = SSL_do_handshake(ssl_);
        if (r == 1) {
            state_ = state::connected;
            return;
        }
        const int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
        note_failure();
        state_ = state::failed;
    }

    void note_failure() {
        char text[256] = {};
        const unsigned long e = ERR_get_error();
        if (e != 0) {
            ERR_error_string_n(e, text, sizeof text);
            failure_ = text;
        } else if (failure_.empty()) {
            failure_ = "DTLS session failed";
        }
        ERR_clear_error();
    }

    // RFC 4279 §5.1: the identity in the ClientKeyExchange, the key for the premaster secret.
    static unsigned int psk_callback(SSL* ssl, const char* /*hint*/, char* identity, unsigned int max_identity,
                                     unsigned char* psk, unsigned int max_psk) {
        const auto* self = static_cast<const dtls_psk_client*>(SSL_get_app_data(ssl));
        if (self == nullptr) return 0;
        const auto& c = self->credentials_;
        if (c.identity.size() + 1 > max_identity || c.key.size() > max_psk) return 0;
        std::memcpy(identity, c.identity.data(), c.identity.size());
        identity[c.identity.size()] = '\0';
        std::memcpy(psk, c.key.data(), c.key.size());
        return static_cast<unsigned int>(c.key.size());
    }

    // A BIO that keeps datagram boundaries (a memory BIO would merge them): each write is one
    // record datagram to send, each read returns the whole datagram given to `on_record`.
    static int bio_write(BIO* b, const char* data, int size) {
        auto* self = static_cast<dtls_psk_client*>(BIO_get_data(b));
        const auto* p = reinterpret_cast<const std::byte*>(data);
        self->outgoing_.emplace_back(p, p + size);
        return size;
    }
    static int bio_read(BIO* b, char* data, int size) {
        auto* self = static_cast<dtls_psk_client*>(BIO_get_data(b));
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
        case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 0;  // path_mtu is already the UDP payload
        case BIO_CTRL_WPENDING:
        case BIO_CTRL_PENDING: return 0;
        default: return 0;
        }
    }
    static BIO_METHOD* datagram_bio_method() {
        static BIO_METHOD* method = [] {
            BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "lwm2m datagram");
            if (m != nullptr) {
                BIO_meth_set_write(m, &dtls_psk_client::bio_write);
                BIO_meth_set_read(m, &dtls_psk_client::bio_read);
                BIO_meth_set_ctrl(m, &dtls_psk_client::bio_ctrl);
            }
            return m;
        }();
        return method;
    }

    psk_credentials credentials_;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    state state_ = state::closed;
    time_point now_{};
    std::deque<std::vector<std::byte>> outgoing_;  // record datagrams to send
    std::deque<std::vector<std::byte>> readable_;  // decrypted CoAP datagrams
    std::vector<std::byte> input_;                 // the record datagram being read
    bool input_pending_ = false;
    std::string failure_;
};

} // namespace lwm2m::transport

#elif !defined(LWM2M_HEADER_CHECK)
#error "lwm2m/transport/dtls_openssl.hpp needs OpenSSL's headers (Debian: libssl-dev); link with -lssl -lcrypto"
#endif
