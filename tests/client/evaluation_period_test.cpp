// Evaluation periods (LwM2M 1.1 Core §5.1.2 epmin/epmax): an observed value is sampled (read
// and its change/threshold conditions evaluated) no more often than epmin and at least every
// epmax, independently of pmin/pmax; a change found at a sample is notified subject to pmin.
// Every read is logged with the virtual time, so the tests assert exact sample and
// notification times.
#include <doctest/doctest.h>

#include <lwm2m/model/objects/temperature.hpp>

#include "sim_world.hpp"

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace lwm2m;
using namespace lwm2m::test;

namespace evaluation_period_test {

/** IPSO Temperature (3303) instance 0 with a Sensor Value the test sets; logs every read. */
class sensor {
public:
    static constexpr const auto& schema = objects::temperature::object;
    explicit sensor(const time_point* clock) : clock_(clock) {}

    double value = 21.5;
    std::vector<time_point> reads;

    std::size_t instance_count() const { return 1; }
    std::uint16_t instance_id(std::size_t) const { return 0; }
    result<void> read(const path& p, client::resource_output& out) {
        if (p.resource_id() != objects::temperature::sensor_value) return fail(errc::not_found);
        reads.push_back(*clock_);
        return out.value(value);
    }

private:
    const time_point* clock_;
};

/** A registered sim_world with the sensor bound. */
struct fixture {
    sim_world w;
    sensor s{&w.now};
    fixture() {
        REQUIRE(w.client.add_object(s).has_value());
        w.register_client();
    }
    void attributes(std::string_view target, std::string_view q) {
        const auto r = w.request(coap::code::put, target, [q](coap::message_builder_base& b) { b.uri_query(q); });
        REQUIRE(r.code == coap::code::changed);
    }
    /** Observes the Sensor Value; returns the handle. Forgets the reads so far and the registration's. */
    std::uint32_t observe() {
        s.reads.clear();  // Write-Attributes probes the resource with a read
        const auto h = w.server.send(coap::code::get, "/3303/0/5700", [](coap::message_builder_base& b) { b.observe(0); });
        REQUIRE(w.wait(h).has_value());
        REQUIRE(s.reads.size() == 1);
        s.reads.clear();
        return h;
    }
    /** Sample times relative to `t0`, in milliseconds. */
    std::vector<long long> reads_since(time_point t0) const {
        std::vector<long long> v;
        for (time_point t : s.reads) v.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(t - t0).count());
        return v;
    }
    /** Notification arrival times (at the server) relative to `t0`, in milliseconds, after the 2.05. */
    std::vector<long long> notifications_since(std::uint32_t h, time_point t0) {
        std::vector<long long> v;
        const auto& r = w.server.responses[h];
        for (std::size_t i = 1; i < r.size(); ++i)
            v.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(r[i].at - t0).count());
        return v;
    }
    std::vector<std::string> notification_texts(std::uint32_t h) {
        std::vector<std::string> v;
        const auto& r = w.server.responses[h];
        for (std::size_t i = 1; i < r.size(); ++i) v.push_back(r[i].text());
        return v;
    }
    void set(double v, bool report) {
        s.value = v;
        if (report) w.client.value_changed(parse_path("/3303/0/5700").value(), w.now);
    }
};

using ms = std::vector<long long>;
using texts = std::vector<std::string>;

} // namespace evaluation_period_test

using namespace evaluation_period_test;

TEST_CASE("LwM2M 1.1 §5.1.2 epmin: a reported change is evaluated no sooner than epmin after the last sample") {
    fixture f;
    f.attributes("/3303/0/5700", "epmin=10");
    const time_point t0 = f.w.now;  // the observation is registered when the GET arrives: 10 ms later
    const auto h = f.observe();
    const time_point obs = t0 + 10ms;
    f.w.run_until(obs + 2s);
    f.set(22, true);  // 2 s after the last sample: deferred to 10 s
    f.w.run_until(obs + 12s);
    f.set(23, true);  // 2 s after the sample at 10 s: deferred to 20 s
    f.w.run_until(obs + 35s);
    f.set(24.5, true);  // 15 s after the last sample: evaluated at once
    f.w.run_until(obs + 60s);
    CHECK(f.reads_since(obs) == ms{10000, 20000, 35000});
    CHECK(f.notifications_since(h, obs) == ms{10010, 20010, 35010});
    CHECK(f.notification_texts(h) == texts{"22", "23", "24.5"});
}

TEST_CASE("LwM2M 1.1 §5.1.2 epmax: the value is sampled every epmax without any report, notified when it differs") {
    fixture f;
    f.attributes("/3303/0", "epmax=30");  // inherited from the instance
    const time_point obs = f.w.now + 10ms;
    const auto h = f.observe();
    f.w.run_until(obs + 40s);
    f.set(25, false);  // the application says nothing
    f.w.run_until(obs + 100s);
    CHECK(f.reads_since(obs) == ms{30000, 60000, 90000});
    CHECK(f.notifications_since(h, obs) == ms{60010});
    CHECK(f.notification_texts(h) == texts{"25"});
}

TEST_CASE("LwM2M 1.1 §5.1.2 epmax: a change found before pmin is notified at pmin, sampled again then") {
    fixture f;
    f.attributes("/3303/0/5700", "pmin=50");
    f.attributes("/3303/0/5700", "epmax=20");
    const time_point obs = f.w.now + 10ms;
    const auto h = f.observe();
    f.w.run_until(obs + 5s);
    f.set(30, false);
    f.w.run_until(obs + 45s);
    f.set(31, false);  // the value notified at 50 s is the one read then
    f.w.run_until(obs + 75s);
    // 20 s: change found, pmin not passed; 40 s: epmax sample; 50 s: pmin, sampled and sent; 70 s: epmax.
    CHECK(f.reads_since(obs) == ms{20000, 40000, 50000, 70000});
    CHECK(f.notifications_since(h, obs) == ms{50010});
    CHECK(f.notification_texts(h) == texts{"31"});
}

TEST_CASE("LwM2M 1.1 §5.1.2 epmax with st: a sampled change below the step is not notified") {
    fixture f;
    f.attributes("/3303/0/5700", "st=5");
    f.attributes("/3303/0/5700", "epmax=10");
    const time_point obs = f.w.now + 10ms;
    const auto h = f.observe();
    f.w.run_until(obs + 1s);
    f.set(23.5, false);  // +2 from 21.5
    f.w.run_until(obs + 11s);
    f.set(27, false);  // +5.5 from the notified 21.5
    f.w.run_until(obs + 25s);
    CHECK(f.reads_since(obs) == ms{10000, 20000});
    CHECK(f.notifications_since(h, obs) == ms{20010});
    CHECK(f.notification_texts(h) == texts{"27"});
}

TEST_CASE("LwM2M 1.1 §5.1.2 epmin delays pmax notifications until the value may be sampled again") {
    fixture f;
    f.attributes("/3303/0/5700", "pmax=10");
    f.attributes("/3303", "epmin=15");  // inherited from the object
    const time_point obs = f.w.now + 10ms;
    const auto h = f.observe();
    f.w.run_until(obs + 50s);
    CHECK(f.reads_since(obs) == ms{15000, 30000, 45000});
    CHECK(f.notifications_since(h, obs) == ms{15010, 30010, 45010});
}

TEST_CASE("LwM2M 1.1 §5.1.2 an effective epmax not above epmin is ignored; epmin > epmax in one level's set is 4.00") {
    fixture f;
    // epmin on the object, epmax on the resource: each set is valid, the effective pair is
    // not (an epmin > epmax written to one level is refused: conformance_test.cpp).
    f.attributes("/3303", "epmin=10");
    f.attributes("/3303/0/5700", "epmax=10");
    const auto same_level = f.w.request(coap::code::put, "/3303/0/5700",
                                        [](coap::message_builder_base& b) { b.uri_query("epmin=10").uri_query("epmax=5"); });
    CHECK(same_level.code == coap::code::bad_request);
    const time_point obs = f.w.now + 10ms;
    const auto h = f.observe();
    f.set(40, false);
    f.w.run_until(obs + 60s);
    CHECK(f.reads_since(obs).empty());
    CHECK(f.w.server.responses[h].size() == 1);
    // epmax below the inherited epmin: also ignored.
    f.attributes("/3303/0/5700", "epmax=5");
    const time_point t1 = f.w.now;
    f.s.reads.clear();  // the Write-Attributes probe
    f.set(41, true);    // more than epmin since the last sample: evaluated at once
    f.w.run_until(t1 + 60s);
    CHECK(f.reads_since(t1) == ms{0});
    CHECK(f.notification_texts(h) == texts{"41"});
    // A valid pair takes effect for the running observation: epmax has passed since the
    // sample at t1, so the Write-Attributes (arriving 10 ms after it is sent) samples at once.
    f.set(42, false);
    const time_point t2 = f.w.now;
    f.s.reads.clear();
    f.attributes("/3303/0/5700", "epmax=20");
    f.w.run_until(t2 + 50s);
    // The probe read of the Write-Attributes, then its evaluation, both 10 ms after t2.
    CHECK(f.reads_since(t2) == ms{10, 10, 20010, 40010});
    CHECK(f.notification_texts(h) == texts{"41", "42"});
    CHECK(f.w.server.responses[h].back().at - t2 == 20ms);
}

TEST_CASE("records_digest tells values apart and ignores NaN payloads and the sign of zero") {
    const auto rec = [](std::string_view p, value v) { return format::record{parse_path(p).value(), v, std::nullopt}; };
    const format::record a[] = {rec("/3/0/1", value::of_string("abc"))};
    const format::record b[] = {rec("/3/0/1", value::of_string("abd"))};
    const format::record c[] = {rec("/3/0/2", value::of_string("abc"))};
    const format::record z1[] = {rec("/3/0/1", value::of_float(0.0))};
    const format::record z2[] = {rec("/3/0/1", value::of_float(-0.0))};
    const format::record i1[] = {rec("/3/0/1", value::of_integer(1))};
    const format::record u1[] = {rec("/3/0/1", value::of_unsigned(1))};
    CHECK(client::records_digest(a) != client::records_digest(b));
    CHECK(client::records_digest(a) != client::records_digest(c));
    CHECK(client::records_digest(z1) == client::records_digest(z2));
    CHECK(client::records_digest(i1) != client::records_digest(u1));
    CHECK(client::records_digest(a) == client::records_digest(std::span<const format::record>{a}));
    // NaNs of any sign and payload are one value; infinities and the largest double are not NaN.
    const auto nan_with = [&](std::uint64_t bits) {
        const format::record r[] = {rec("/3/0/1", value::of_float(std::bit_cast<double>(bits)))};
        return client::records_digest(r);
    };
    const std::uint32_t quiet = nan_with(std::bit_cast<std::uint64_t>(std::numeric_limits<double>::quiet_NaN()));
    CHECK(nan_with(0x7FF0000000000001u) == quiet);
    CHECK(nan_with(0xFFF8000000000123u) == quiet);
    CHECK(nan_with(0x7FFFFFFFFFFFFFFFu) == quiet);
    CHECK(nan_with(0x7FF0000000000000u) != quiet);  // +inf
    CHECK(nan_with(0xFFF0000000000000u) != quiet);  // -inf
    CHECK(nan_with(0x7FF0000000000000u) != nan_with(0xFFF0000000000000u));
    CHECK(nan_with(0x7FEFFFFFFFFFFFFFu) != quiet);
    CHECK(nan_with(0x8000000000000000u) == client::records_digest(z1));
    CHECK(nan_with(0x0000000000000001u) != client::records_digest(z1));  // the smallest subnormal is not zero
}

TEST_CASE("thresholds_met: st is reached by a move either way, gt and lt by a crossing") {
    notification_attributes a{};
    a.st = 5.0;
    CHECK(client::thresholds_met(a, std::nullopt, 1.0));
    CHECK(client::thresholds_met(a, 10.0, 15.0));
    CHECK(client::thresholds_met(a, 10.0, 5.0));
    CHECK_FALSE(client::thresholds_met(a, 10.0, 14.5));
    CHECK_FALSE(client::thresholds_met(a, 10.0, 5.5));
    CHECK(client::thresholds_met(a, -1.0, std::numeric_limits<double>::infinity()));
    CHECK(client::thresholds_met(a, 1.0, -std::numeric_limits<double>::infinity()));
    CHECK_FALSE(client::thresholds_met(a, 1.0, std::numeric_limits<double>::quiet_NaN()));
    CHECK_FALSE(client::thresholds_met(a, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()));
    a.st = 0.0;
    CHECK(client::thresholds_met(a, 3.0, 3.0));
    CHECK(client::thresholds_met(a, 0.0, -0.0));
    a.st = std::nullopt;
    a.gt = 20.0;
    CHECK(client::thresholds_met(a, 19.0, 21.0));
    CHECK(client::thresholds_met(a, 21.0, 20.0));
    CHECK_FALSE(client::thresholds_met(a, 21.0, 22.0));
    CHECK_FALSE(client::thresholds_met(a, 20.0, 19.0));  // at gt is not above it
    a.gt = 0.0;
    CHECK_FALSE(client::thresholds_met(a, -0.0, 0.0));  // -0 == +0 (size builds compare the bits)
    CHECK(client::thresholds_met(a, -1e-300, 5e-324));
    CHECK(client::thresholds_met(a, 1.0, -std::numeric_limits<double>::infinity()));
    a.gt = std::nullopt;
    a.lt = -2.5;
    CHECK(client::thresholds_met(a, -2.0, -3.0));
    CHECK(client::thresholds_met(a, -3.0, -2.5));  // at lt is not below it
    CHECK_FALSE(client::thresholds_met(a, -2.5, -2.0));
    CHECK_FALSE(client::thresholds_met(a, -4.0, -1e300));
    constexpr auto st_met = [](double st, double last, double now) {
        notification_attributes with{};
        with.st = st;
        return client::thresholds_met(with, last, now);
    };
    static_assert(st_met(1.0, 2.0, 0.5));
    static_assert(!st_met(2.0, 2.0, 0.5));
}
