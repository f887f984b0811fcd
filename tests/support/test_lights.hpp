#pragma once
// The application object the engine tests bind: IPSO Light Control (3311), two lamps by
// default, with a write counter. Shared by the client (tests/client) and server
// (tests/server) simulations.

#include <lwm2m/client.hpp>
#include <lwm2m/model/objects/light_control.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m::test {

/** The test application object: IPSO Light Control (3311) with counters. */
class test_lights {
public:
    static constexpr const auto& schema = objects::light_control::object;
    struct light {
        std::uint16_t id;
        bool on = false;
        std::int64_t dimmer = 50;
        std::string colour = "white";
        double power = 12.5;
    };
    std::vector<light> lights{{0}, {1}};
    int writes = 0;

    std::size_t instance_count() const { return lights.size(); }
    std::uint16_t instance_id(std::size_t i) const { return lights[i].id; }
    light* find(std::uint16_t id) {
        for (auto& l : lights)
            if (l.id == id) return &l;
        return nullptr;
    }
    result<void> read(const path& p, client::resource_output& out) {
        light* l = find(p.instance_id());
        if (!l) return fail(errc::not_found);
        switch (p.resource_id()) {
        case 5850: return out.value(l->on);
        case 5851: return out.value(l->dimmer);
        case 5706: return out.value(std::string_view{l->colour});
        case 5805: return out.value(l->power);
        default: return fail(errc::not_found);
        }
    }
    result<void> write(const path& p, const value& v) {
        light* l = find(p.instance_id());
        if (!l) return fail(errc::not_found);
        ++writes;
        switch (p.resource_id()) {
        case 5850: l->on = v.as_boolean(); return {};
        case 5851: l->dimmer = v.as_integer(); return {};
        case 5706: {  // decoded: the value may still be in its payload's encoding (escapes, CBOR chunks)
            std::string colour;
            LWM2M_TRY(n, for_each_value_byte(v, [&](std::byte b) { colour.push_back(static_cast<char>(b)); }));
            (void)n;
            l->colour = colour;
            return {};
        }
        default: return fail(errc::operation_not_allowed);
        }
    }
    result<void> create(std::uint16_t id) {
        lights.push_back(light{id});
        return {};
    }
    result<void> remove(std::uint16_t id) {
        for (auto it = lights.begin(); it != lights.end(); ++it)
            if (it->id == id) {
                lights.erase(it);
                return {};
            }
        return fail(errc::not_found);
    }
};

} // namespace lwm2m::test
