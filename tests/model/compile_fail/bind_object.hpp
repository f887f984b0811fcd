// Shared by the compile-fail snippets that bind an object to a client engine: include it after
// the snippet's config.hpp switch. `snippet::bind<Schema>()` binds an object of that schema
// (with the hooks every object has, and no more) to a small client.
#pragma once
#include <lwm2m/client/client.hpp>

#include <cstddef>
#include <cstdint>

namespace snippet {

struct rng {
    std::uint32_t operator()() noexcept { return 4; }
};

template <const auto& Schema>
struct object {
    static constexpr const auto& schema = Schema;
    std::size_t instance_count() const noexcept { return 1; }
    std::uint16_t instance_id(std::size_t) const noexcept { return 0; }
    lwm2m::result<void> read(const lwm2m::path&, lwm2m::client::resource_output&) noexcept { return {}; }
};

template <const auto& Schema>
int bind() {
    using limits = lwm2m::client::client_limits<512, 1, 4, 4, 4, 0, 0,
                                                lwm2m::client::format_set::text | lwm2m::client::format_set::tlv>;
    lwm2m::client::engine<limits, rng> client{lwm2m::client::client_config{}, rng{}};
    object<Schema> o;
    return client.add_object(o).has_value() ? 0 : 1;
}

} // namespace snippet
