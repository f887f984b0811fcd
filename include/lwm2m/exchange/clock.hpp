#pragma once
/**
 * @file clock.hpp
 * The time vocabulary of the sans-I/O engines. Engines never read a clock: every call that
 * depends on time takes `now`, and engines report `next_deadline()`. `clock` has no `now()`
 * on purpose; adapters convert from their platform clock (steady_clock, a tick counter...).
 */

#include <chrono>
#include <cstdint>

namespace lwm2m {

/** A monotonic millisecond clock whose epoch is chosen by the adapter. */
struct clock {
    using rep = std::int64_t;
    using period = std::milli;
    using duration = std::chrono::duration<rep, period>;
    using time_point = std::chrono::time_point<clock, duration>;
    static constexpr bool is_steady = true;
};

using duration = clock::duration;
using time_point = clock::time_point;

/** Converts any std::chrono time point (e.g. steady_clock::now()) by its time since epoch. */
template <class Clock, class Duration>
[[nodiscard]] constexpr time_point from_chrono(std::chrono::time_point<Clock, Duration> t) noexcept {
    return time_point{std::chrono::duration_cast<duration>(t.time_since_epoch())};
}

} // namespace lwm2m
