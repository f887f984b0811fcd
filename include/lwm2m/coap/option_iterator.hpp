#pragma once
/**
 * @file option_iterator.hpp
 * Forward iteration over the options of an already validated option area (RFC 7252 §3.1):
 * every option in order, or only the repetitions of one option number.
 *
 * The iterators decode the delta/length nibbles lazily and do no bounds checks of their
 * own: they are only handed out by `message_view`, whose option area `parse()` validated.
 */

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include <lwm2m/coap/option.hpp>

namespace lwm2m::coap {

namespace detail {
/** Reads a nibble's extended value (13: +1 byte, 14: +2 bytes) from validated bytes. */
constexpr std::uint32_t read_extended(std::uint32_t nibble, const std::byte*& p) noexcept {
    if (nibble < 13) return nibble;
    if (nibble == 13) return 13u + static_cast<std::uint8_t>(*p++);
    const std::uint32_t v = (static_cast<std::uint32_t>(static_cast<std::uint8_t>(p[0])) << 8) |
                            static_cast<std::uint8_t>(p[1]);
    p += 2;
    return v + 269u;
}
} // namespace detail

/** Iterator over every option of a message in wire (ascending number) order. */
class option_iterator {
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = option_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const option_view*;
    using reference = const option_view&;

    constexpr option_iterator() noexcept = default;
    constexpr option_iterator(const std::byte* pos, const std::byte* end) noexcept : pos_(pos), end_(end) {
        if (pos_ != end_) decode();
    }

    constexpr reference operator*() const noexcept { return current_; }
    constexpr pointer operator->() const noexcept { return &current_; }
    constexpr option_iterator& operator++() noexcept {
        pos_ = current_.value.data() + current_.value.size();
        if (pos_ != end_) decode();
        return *this;
    }
    constexpr option_iterator operator++(int) noexcept {
        option_iterator old = *this;
        ++*this;
        return old;
    }
    friend constexpr bool operator==(const option_iterator& a, const option_iterator& b) noexcept {
        return a.pos_ == b.pos_;
    }
    /** True past the last option (equal to the range's `end()`). */
    [[nodiscard]] constexpr bool at_end() const noexcept { return pos_ == end_; }
    /** Moves past the last option. */
    constexpr void to_end() noexcept { pos_ = end_; }

private:
    constexpr void decode() noexcept {
        const std::byte* p = pos_;
        const auto header = static_cast<std::uint8_t>(*p++);
        std::uint32_t delta = header >> 4u;
        std::uint32_t length = header & 15u;
        if (delta >= 13 || length >= 13) [[unlikely]] {
            delta = detail::read_extended(delta, p);
            length = detail::read_extended(length, p);
        }
        number_ += delta;
        current_ = option_view{static_cast<option_number>(number_), bytes_view{p, length}};
    }

    const std::byte* pos_ = nullptr;
    const std::byte* end_ = nullptr;
    std::uint32_t number_ = 0;
    option_view current_{};
};

/** All options of a message, in order. */
class option_range {
public:
    constexpr option_range() noexcept = default;
    constexpr option_range(const std::byte* begin, const std::byte* end) noexcept : begin_(begin), end_(end) {}
    [[nodiscard]] constexpr option_iterator begin() const noexcept { return {begin_, end_}; }
    [[nodiscard]] constexpr option_iterator end() const noexcept { return {end_, end_}; }
    [[nodiscard]] constexpr bool empty() const noexcept { return begin_ == end_; }

private:
    const std::byte* begin_ = nullptr;
    const std::byte* end_ = nullptr;
};

/** Projections for `repeated_option_range`. */
struct as_option_view {
    constexpr option_view operator()(const option_view& o) const noexcept { return o; }
};
struct as_string_view {
    std::string_view operator()(const option_view& o) const noexcept { return o.as_string(); }
};

/**
 * The occurrences of one option number, in order (repeatable options such as Uri-Path,
 * Uri-Query, Location-Path, ETag). Each element is `Projection{}(option_view)`.
 */
template <class Projection = as_option_view>
class repeated_option_range {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = decltype(Projection{}(option_view{}));
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = value_type;

        constexpr iterator() noexcept = default;
        constexpr iterator(option_iterator it, option_number n) noexcept : it_(it), number_(n) { skip(); }
        constexpr value_type operator*() const noexcept { return Projection{}(*it_); }
        constexpr iterator& operator++() noexcept {
            ++it_;
            skip();
            return *this;
        }
        constexpr iterator operator++(int) noexcept {
            iterator old = *this;
            ++*this;
            return old;
        }
        friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.it_ == b.it_; }

    private:
        // Options are sorted, so once past `number_` no further match exists.
        constexpr void skip() noexcept {
            while (!it_.at_end() && it_->number != number_) {
                if (static_cast<std::uint16_t>(it_->number) > static_cast<std::uint16_t>(number_)) {
                    it_.to_end();
                    return;
                }
                ++it_;
            }
        }
        // The end of the options is the one `it_` carries (a second iterator for it would
        // double the size of this one and of what `begin()` / `end()` copy).
        option_iterator it_{};
        option_number number_{};
    };

    constexpr repeated_option_range(option_range all, option_number n) noexcept : all_(all), number_(n) {}
    [[nodiscard]] constexpr iterator begin() const noexcept { return {all_.begin(), number_}; }
    [[nodiscard]] constexpr iterator end() const noexcept { return {all_.end(), number_}; }
    [[nodiscard]] constexpr bool empty() const noexcept { return begin() == end(); }
    /** Number of occurrences (walks the options). */
    [[nodiscard]] constexpr std::size_t count() const noexcept {
        std::size_t n = 0;
        for (auto it = begin(); it != end(); ++it) ++n;
        return n;
    }

private:
    option_range all_;
    option_number number_;
};

} // namespace lwm2m::coap
