#pragma once
/**
 * @file output_window.hpp
 * `output_window`: where every format writer writes. It stores the bytes that fall in a
 * window [skip, skip + buffer size) of the logical output and counts the rest, so:
 * - with skip 0 it is an ordinary bounded buffer that reports the total size needed;
 * - with skip = NUM * block size it yields exactly CoAP Block2 block NUM of a body of any
 *   size from one small buffer (RFC 7959 §2.4), and `total()` tells whether more follow.
 * Allocation: none.
 */

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

class output_window {
public:
    /** Stores bytes [skip, skip + out.size()) of the logical output into `out`. */
    constexpr explicit output_window(mutable_bytes out, std::size_t skip = 0) noexcept : out_(out), skip_(skip) {}

    constexpr void put(std::byte b) noexcept {
        if (total_ >= skip_ && total_ - skip_ < out_.size()) {
            out_[total_ - skip_] = b;
            ++total_;
        } else {
            put_across(bytes_view{&b, 1});
        }
    }
    constexpr void put(char c) noexcept { put(static_cast<std::byte>(c)); }
    constexpr void put(bytes_view b) noexcept {
        if (total_ >= skip_ && b.size() <= out_.size() - std::min(out_.size(), total_ - skip_)) [[likely]] {
            if (!b.empty()) std::copy_n(b.data(), b.size(), out_.data() + (total_ - skip_));
            total_ += b.size();
            return;
        }
        put_across(b);
    }
    void put(std::string_view s) noexcept { put(as_bytes(s)); }

    /**
     * Where the next `n` bytes may be written directly, or nullptr when they do not all fall
     * inside the window (then use `put`). Follow a direct write with `advance(k)`, k <= n.
     * Lets writers of small fixed-size items skip the per-put window arithmetic.
     */
    [[nodiscard]] constexpr std::byte* direct(std::size_t n) noexcept {
        if (total_ < skip_) return nullptr;
        const std::size_t at = total_ - skip_;
        if (at > out_.size() || n > out_.size() - at) return nullptr;
        return out_.data() + at;
    }
    /**
     * The buffer from the next byte of output on when that byte falls in the window, else
     * empty: `direct` for writers that check their room themselves. Write there, then
     * `advance` by the bytes written before any other call.
     */
    [[nodiscard]] constexpr mutable_bytes free_space() noexcept {
        if (total_ < skip_ || total_ - skip_ > out_.size()) return {};
        return mutable_bytes{out_.data() + (total_ - skip_), out_.size() - (total_ - skip_)};
    }
    /** Counts `k` bytes written through `direct`. */
    constexpr void advance(std::size_t k) noexcept { total_ += k; }

    /** Logical bytes produced so far (the full body size once the writer is done). */
    [[nodiscard]] constexpr std::size_t total() const noexcept { return total_; }
    /** Bytes stored in the buffer. */
    [[nodiscard]] constexpr std::size_t written() const noexcept {
        return total_ <= skip_ ? 0 : std::min(total_ - skip_, out_.size());
    }
    /** True if output went past the end of the window (more blocks follow). */
    [[nodiscard]] constexpr bool overflowed() const noexcept { return total_ > skip_ + out_.size(); }
    /** The stored bytes. */
    [[nodiscard]] constexpr bytes_view bytes() const noexcept { return bytes_view{out_.data(), written()}; }

    /**
     * For whole-body writes (skip 0): the size, or `buffer_too_small` with the size needed.
     * For windows: the bytes stored in this window.
     */
    [[nodiscard]] constexpr result<std::size_t> finish() const noexcept {
        // The common case first, in two compares: the output ended inside the window.
        if (total_ >= skip_ && total_ - skip_ <= out_.size()) return total_ - skip_;
        if (skip_ == 0) return fail(errc::buffer_too_small, total_);  // past the end of a whole-body buffer
        return written();
    }

    /**
     * A 64-bit fingerprint of the whole logical output, the same for every window position
     * and size: a Block2 ETag that tells one representation from another (RFC 7959 §2.4,
     * RFC 7252 §5.10.6) without holding the body. Bytes outside the window are folded as
     * they pass; the window's own bytes are folded here. Not a cryptographic hash.
     */
    [[nodiscard]] constexpr std::uint64_t fingerprint() const noexcept {
        // A polynomial hash composes over concatenation: H(a|b) = H(a) * B^|b| + H(b).
        const bytes_view window = bytes();
        const std::size_t after_size = overflowed() ? total_ - skip_ - out_.size() : 0;
        std::uint64_t h = before_ * power(window.size() + after_size) + fold(0, window) * power(after_size) + after_;
        h ^= static_cast<std::uint64_t>(total_);
        // splitmix64's finaliser: every input bit reaches the low bytes an ETag keeps.
        h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
        h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
        return h ^ (h >> 31);
    }

private:
    // `put` of bytes that are not all inside the window: copy the overlap, fold the rest.
    [[gnu::noinline, gnu::cold]] constexpr void put_across(bytes_view b) noexcept {
        const std::size_t window_end = skip_ + out_.size();
        const std::size_t begin = std::max(total_, skip_);
        const std::size_t end = std::min(total_ + b.size(), window_end);
        if (begin < end) std::copy_n(b.data() + (begin - total_), end - begin, out_.data() + (begin - skip_));
        if (total_ < skip_) before_ = fold(before_, b.first(std::min(b.size(), skip_ - total_)));
        if (total_ + b.size() > window_end)
            after_ = fold(after_, b.last(std::min(b.size(), total_ + b.size() - window_end)));
        total_ += b.size();
    }

    static constexpr std::uint64_t fingerprint_base = 0x100000001b3ULL;  // odd, so B^k never vanishes
    static constexpr std::uint64_t fold(std::uint64_t h, std::byte b) noexcept {
        return h * fingerprint_base + std::to_integer<std::uint64_t>(b) + 1;  // + 1: zeros count too
    }
    static constexpr std::uint64_t fold(std::uint64_t h, bytes_view b) noexcept {
        for (const std::byte x : b) h = fold(h, x);
        return h;
    }
    // Out of line in every build, size builds too: `fingerprint` (Block2 ETags only) calls it twice.
    [[gnu::noinline]] static constexpr std::uint64_t power(std::size_t k) noexcept {
        std::uint64_t result = 1, base = fingerprint_base;
        for (; k != 0; k >>= 1, base *= base)
            if (k & 1) result *= base;
        return result;
    }

    mutable_bytes out_;
    std::size_t skip_ = 0;
    std::size_t total_ = 0;
    std::uint64_t before_ = 0;  // the fold of the bytes before the window
    std::uint64_t after_ = 0;   // the fold of the bytes past the window
};

/**
 * Writes many small items straight into an `output_window`'s buffer with one room check
 * each and no window arithmetic: `room(n)` is where `n` bytes may go when they all fall in
 * the window, `wrote(end)` moves past what was written there, and `through_window` hands the
 * window over (with the direct bytes counted) for an item that does not fit. Call `flush`
 * at the end. Allocation: none.
 */
class direct_cursor {
public:
    constexpr explicit direct_cursor(output_window& out) noexcept : out_(&out) { resume(); }

    /** Where the next `n` bytes may be written, or nullptr when they do not all fit the window. */
    [[nodiscard]] constexpr std::byte* room(std::size_t n) const noexcept {
        return static_cast<std::size_t>(end_ - next_) >= n ? next_ : nullptr;
    }
    /** The bytes up to `end` were written at `room(...)`. */
    constexpr void wrote(std::byte* end) noexcept { next_ = end; }

    /** Calls `write(output_window&)` after counting the direct bytes, and follows its output. */
    template <class Write>
    constexpr void through_window(Write&& write) {
        flush();
        write(*out_);
        resume();
    }
    /** Counts the direct bytes in the window. */
    constexpr void flush() noexcept {
        out_->advance(static_cast<std::size_t>(next_ - start_));
        start_ = next_;
    }

private:
    constexpr void resume() noexcept {
        const mutable_bytes room = out_->free_space();
        start_ = next_ = room.data();
        end_ = room.data() + room.size();
    }

    output_window* out_;
    std::byte* start_ = nullptr;  // the window's position
    std::byte* next_ = nullptr;   // where the next direct byte goes
    std::byte* end_ = nullptr;    // the end of the window's buffer
};

} // namespace lwm2m::format
