// Conformance checks of the client engine against the LwM2M Core operations as third-party
// servers (Eclipse Leshan, Wakaama, Coiote) exercise them: request bytes in, response code
// and payload out (LwM2M 1.1.1 Core §6.3 Device Management, §6.4 Information Reporting,
// §5.1.2 attributes).
#include <doctest/doctest.h>

#include "../support/test_schema.hpp"
#include "sim_world.hpp"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

using namespace lwm2m;
using namespace lwm2m::test;

namespace conformance_test {

// A vendor object (version 1.1) with a writable Multiple-Instance Integer Resource (0), a
// writable single Integer (1), a writable String (2) and an executable Resource (3).
constexpr auto table_schema = make_object(object_info{.id = 32001, .name = "Table", .version = {1, 1}},
                                          res(0, data_type::integer, true), res(1, data_type::integer),
                                          res(2, data_type::string), res(3, data_type::none));

/** Instances of `table_schema`: resource 0's instances by id, and the others' values. */
class table {
public:
    static constexpr const auto& schema = table_schema;
    struct row {
        std::uint16_t id;
        std::map<std::uint16_t, std::int64_t> cells{{0, 10}, {1, 11}};
        std::int64_t number = 1;
        std::string text = "t";
    };
    std::vector<row> rows{{0}};
    int executes = 0;

    std::size_t instance_count() const { return rows.size(); }
    std::uint16_t instance_id(std::size_t i) const { return rows[i].id; }
    row* find(std::uint16_t id) {
        for (auto& r : rows)
            if (r.id == id) return &r;
        return nullptr;
    }
    result<void> read(const path& p, client::resource_output& out) {
        row* r = find(p.instance_id());
        if (r == nullptr) return fail(errc::not_found);
        switch (p.resource_id()) {
        case 0:
            for (const auto& [ri, v] : r->cells)
                if (auto ok = out.instance(ri, v); !ok) return ok;
            return {};
        case 1: return out.value(r->number);
        case 2: return out.value(std::string_view{r->text});
        default: return fail(errc::not_found);
        }
    }
    result<void> write(const path& p, const value& v) {
        row* r = find(p.instance_id());
        if (r == nullptr) return fail(errc::not_found);
        switch (p.resource_id()) {
        case 0: r->cells[p.resource_instance_id()] = v.as_integer(); return {};
        case 1: r->number = v.as_integer(); return {};
        case 2: r->text.assign(as_chars(v.encoded_bytes())); return {};
        default: return fail(errc::not_found);
        }
    }
    result<void> reset(const path& p) {
        row* r = find(p.instance_id());
        if (r == nullptr) return fail(errc::not_found);
        if (p.resource_id() == 0) r->cells.clear();
        return {};
    }
    result<void> execute(const path&, client::execute_args) {
        ++executes;
        return {};
    }
};

auto content(std::uint16_t cf) {
    return [cf](coap::message_builder_base& b) { b.content_format(cf); };
}
auto accept(std::uint16_t cf) {
    return [cf](coap::message_builder_base& b) { b.accept(cf); };
}
auto query(std::string_view q) {
    return [q](coap::message_builder_base& b) { b.uri_query(q); };
}
auto query2(std::string_view a, std::string_view b) {
    return [a, b](coap::message_builder_base& m) { m.uri_query(a).uri_query(b); };
}
auto observe(std::uint32_t v) {
    return [v](coap::message_builder_base& b) { b.observe(v); };
}
/** Write-Attributes of `queries` (one Uri-Query each) on `target`: the response code. */
coap::code put_attributes(sim_world& w, std::string_view target, std::initializer_list<std::string_view> queries) {
    return w.request(coap::code::put, target, [queries](coap::message_builder_base& b) {
                for (std::string_view q : queries) b.uri_query(q);
            }).code;
}

/** A registered sim_world with the table bound. */
struct fixture {
    sim_world w;
    table t;
    fixture() {
        REQUIRE(w.client.add_object(t).has_value());
        w.register_client();
    }
};

} // namespace conformance_test

using namespace conformance_test;

TEST_CASE("LwM2M 1.1 §6.3.3 Write partial update of a Multiple-Instance Resource: POST /O/I/R adds and changes instances") {
    // Leshan sends WriteRequest(Mode.UPDATE) on a multiple resource as POST /O/I/R with the
    // payload's Content-Format; a POST without one (or text/plain) is an Execute.
    fixture f;
    // TLV: Multiple Resource 0 { instance 1: 21, instance 5: 50 }.
    const auto tlv = hex("86" "00" "410115" "410532");
    CHECK(f.w.request(coap::code::post, "/32001/0/0", content(11542), tlv).code == coap::code::changed);
    CHECK(f.t.rows[0].cells == std::map<std::uint16_t, std::int64_t>{{0, 10}, {1, 21}, {5, 50}});
    // SenML JSON, one instance.
    CHECK(f.w.request(coap::code::post, "/32001/0/0", content(110), bytes_of(R"([{"bn":"/32001/0/0/","n":"7","v":70}])"))
              .code == coap::code::changed);
    CHECK(f.t.rows[0].cells == std::map<std::uint16_t, std::int64_t>{{0, 10}, {1, 21}, {5, 50}, {7, 70}});
    // PUT on the same resource replaces it whole.
    CHECK(f.w.request(coap::code::put, "/32001/0/0", content(11542), hex("8300" "410963")).code == coap::code::changed);
    CHECK(f.t.rows[0].cells == std::map<std::uint16_t, std::int64_t>{{9, 99}});
    // Partial update of a single resource is not an operation: 4.05, nothing written.
    CHECK(f.w.request(coap::code::post, "/32001/0/1", content(11542), hex("c10107")).code == coap::code::method_not_allowed);
    CHECK(f.t.rows[0].number == 1);
    // Execute is untouched: no Content-Format, or text/plain arguments.
    CHECK(f.w.request(coap::code::post, "/32001/0/3").code == coap::code::changed);
    CHECK(f.w.request(coap::code::post, "/32001/0/3", content(0), bytes_of("0='x'")).code == coap::code::changed);
    CHECK(f.t.executes == 2);
    CHECK(f.w.request(coap::code::post, "/32001/0/0").code == coap::code::method_not_allowed);  // Execute of a value
    // A payload in a data format is a Write, and an executable resource is not writable.
    CHECK(f.w.request(coap::code::post, "/32001/0/3", content(11542), hex("c10307")).code == coap::code::method_not_allowed);
    CHECK(f.t.executes == 2);
    CHECK(f.w.request(coap::code::post, "/32001/4/0", content(11542), tlv).code == coap::code::not_found);
}

TEST_CASE("LwM2M 1.1 §5.1.2 Write-Attributes: pmin > pmax or epmin > epmax in one level's set is 4.00 and changes nothing") {
    fixture f;
    auto& w = f.w;
    CHECK(w.request(coap::code::put, "/32001/0/1", query2("pmin=10", "pmax=5")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/32001/0/1", query2("epmin=10", "epmax=5")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::get, "/32001/0/1", accept(40)).text() == "</32001/0/1>");
    // Against what the level already has.
    CHECK(w.request(coap::code::put, "/32001/0/1", query("pmin=10")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/32001/0/1", query("pmax=5")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/32001/0/1", query("epmax=4")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/32001/0/1", query("epmin=5")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::get, "/32001/0/1", accept(40)).text() == "</32001/0/1>;pmin=10;epmax=4");
    // Equal is valid; so is removing pmin and then setting a lower pmax.
    CHECK(w.request(coap::code::put, "/32001/0/1", query("pmax=10")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/32001/0/1", query2("pmin", "pmax=3")).code == coap::code::changed);
    // Different levels are not one set: pmin 60 on the object, pmax 30 on the instance is
    // accepted (the effective pmax is then ignored, §5.1.2).
    CHECK(w.request(coap::code::put, "/32001", query("pmin=60")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/32001/0", query("pmax=30")).code == coap::code::changed);
}

TEST_CASE("LwM2M 1.1 §6.3.2 Discover of a Resource carries the attributes it inherits from its Object and Instance") {
    fixture f;
    auto& w = f.w;
    REQUIRE(w.request(coap::code::put, "/32001", query2("pmin=10", "pmax=60")).code == coap::code::changed);
    REQUIRE(w.request(coap::code::put, "/32001/0", query("pmax=30")).code == coap::code::changed);
    REQUIRE(w.request(coap::code::put, "/32001/0/1", query("gt=5")).code == coap::code::changed);
    CHECK(w.request(coap::code::get, "/32001/0/1", accept(40)).text() == "</32001/0/1>;pmin=10;pmax=30;gt=5");
    CHECK(w.request(coap::code::get, "/32001/0/2", accept(40)).text() == "</32001/0/2>;pmin=10;pmax=30");
    // Instance and object targets list what is attached at each link.
    CHECK(w.request(coap::code::get, "/32001/0", accept(40)).text() ==
          "</32001/0>;pmax=30,</32001/0/0>;dim=2,</32001/0/1>;gt=5,</32001/0/2>,</32001/0/3>");
}

TEST_CASE("LwM2M 1.1 §6.3.2 Discover of an Object gives its version (ver) as Register does") {
    fixture f;
    CHECK(f.w.request(coap::code::get, "/32001", accept(40)).text() ==
          "</32001>;ver=1.1,</32001/0>,</32001/0/0>;dim=2,</32001/0/1>,</32001/0/2>,</32001/0/3>");
    CHECK(f.w.request(coap::code::get, "/3311", accept(40)).text().rfind("</3311>,</3311/0>,", 0) == 0);  // 1.0: none
    // A core object of version 1.0 in a 1.1 client: ver=1.0, as in Register (§7.2.3).
    CHECK(f.w.request(coap::code::get, "/3", accept(40)).text().rfind("</3>;ver=1.0,</3/0>,", 0) == 0);
}

TEST_CASE("LwM2M 1.1 §6.4 Create and Delete notify observers of the Object; an observed deleted Instance ends with 4.04") {
    sim_world w;
    w.register_client();
    const auto object = w.server.send(coap::code::get, "/3311", observe(0));
    REQUIRE(w.wait(object).has_value());
    const auto instance = w.server.send(coap::code::get, "/3311/1", observe(0));
    REQUIRE(w.wait(instance).has_value());
    CHECK(w.client.observation_count() == 2);

    REQUIRE(w.request(coap::code::post, "/3311", content(11542), hex("e116da01")).code == coap::code::created);
    const auto created = w.wait(object, 2, 5s);
    REQUIRE(created.has_value());
    CHECK(created->code == coap::code::content);
    CHECK(created->payload == w.request(coap::code::get, "/3311").payload);  // three lamps now

    REQUIRE(w.request(coap::code::delete_, "/3311/1").code == coap::code::deleted);
    const auto gone = w.wait(instance, 2, 5s);
    REQUIRE(gone.has_value());
    CHECK(gone->code == coap::code::not_found);  // RFC 7641 §3.2: the observation ends
    CHECK_FALSE(gone->observe.has_value());
    const auto after_delete = w.wait(object, 3, 5s);
    REQUIRE(after_delete.has_value());
    CHECK(after_delete->code == coap::code::content);
    CHECK(w.client.observation_count() == 1);
}

TEST_CASE("LwM2M 1.1 §6.3.4 Write-Attributes values as Leshan writes them (Java Double.toString: 50.0, 1.0E-5)") {
    fixture f;
    auto& w = f.w;
    CHECK(w.request(coap::code::put, "/32001/0/1", query2("gt=50.0", "lt=1.0E-5")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/32001/0/1", query("st=2.0E1")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/32001/0/1", query("st=25.0")).code == coap::code::bad_request);  // lt + 2*st >= gt
    CHECK(w.request(coap::code::put, "/32001/0/1", query("pmin=5.0")).code == coap::code::bad_request);   // periods are integers
}

TEST_CASE("LwM2M 1.1 §6.3.4 Write-Attributes on a Resource Instance that does not exist is 4.04") {
    fixture f;
    auto& w = f.w;
    CHECK(w.request(coap::code::put, "/32001/0/0/1", query("pmin=5")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/32001/0/0/9", query("pmin=5")).code == coap::code::not_found);
    CHECK(w.request(coap::code::get, "/32001/0/0/9", accept(40)).code != coap::code::content);
    CHECK(w.request(coap::code::get, "/32001/0/0", accept(40)).text() == "</32001/0/0>;dim=2,</32001/0/0/0>,</32001/0/0/1>;pmin=5");
}

TEST_CASE("LwM2M 1.1 §7.4 single-value CBOR (Content-Format 60): Read with Accept 60, Write, Observe; 4.06 for several values") {
    fixture f;
    auto& w = f.w;
    const auto read = w.request(coap::code::get, "/32001/0/1", accept(60));
    CHECK(read.code == coap::code::content);
    CHECK(read.content_format == std::optional<std::uint16_t>{60});
    CHECK(read.payload == hex("01"));  // 1
    const auto text = w.request(coap::code::get, "/32001/0/2", accept(60));
    CHECK(text.payload == hex("6174"));  // "t"
    CHECK(w.request(coap::code::get, "/32001/0/0/1", accept(60)).payload == hex("0b"));  // a resource instance
    // Several values have no single-value CBOR form: 4.06, as text/plain.
    CHECK(w.request(coap::code::get, "/32001/0/0", accept(60)).code == coap::code::not_acceptable);
    CHECK(w.request(coap::code::get, "/32001/0", accept(60)).code == coap::code::not_acceptable);

    CHECK(w.request(coap::code::put, "/32001/0/1", content(60), hex("3863")).code == coap::code::changed);  // -100
    CHECK(f.t.rows[0].number == -100);
    CHECK(w.request(coap::code::put, "/32001/0/2", content(60), hex("63616263")).code == coap::code::changed);
    CHECK(f.t.rows[0].text == "abc");
    CHECK(w.request(coap::code::put, "/32001/0/1", content(60), hex("63616263")).code == coap::code::bad_request);  // a String
    CHECK(f.t.rows[0].number == -100);
    CHECK(w.request(coap::code::put, "/32001/0/1", content(60), hex("0102")).code == coap::code::bad_request);  // bytes after

    const auto obs = w.server.send(coap::code::get, "/32001/0/1", [](coap::message_builder_base& b) { b.observe(0).accept(60); });
    const auto first = w.wait(obs);
    REQUIRE(first.has_value());
    CHECK(first->content_format == std::optional<std::uint16_t>{60});
    CHECK(first->payload == hex("3863"));
}

TEST_CASE("LwM2M 1.2 §5.1.2 gt/lt/st on a whole Multiple-Instance numeric Resource are taken (Leshan writes them), 4.00 elsewhere") {
    fixture f;
    auto& w = f.w;
    CHECK(put_attributes(w, "/32001/0/0", {"gt=40", "st=2"}) == coap::code::changed);
    CHECK(put_attributes(w, "/32001/0/0", {"lt=5"}) == coap::code::changed);
    CHECK(w.request(coap::code::get, "/32001/0/0", accept(40)).text() == "</32001/0/0>;dim=2;gt=40;lt=5;st=2,</32001/0/0/0>,</32001/0/0/1>");
    CHECK(put_attributes(w, "/3/0/7", {"gt=4000"}) == coap::code::changed);  // Power Source Voltage
    // Still refused: a String, an instance, an object.
    CHECK(put_attributes(w, "/32001/0/2", {"gt=1"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001/0", {"lt=1"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001", {"gt=1"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001", {"st=1"}) == coap::code::bad_request);
    CHECK(w.request(coap::code::get, "/32001", accept(40)).text() ==
          "</32001>;ver=1.1,</32001/0>,</32001/0/0>;dim=2;gt=40;lt=5;st=2,</32001/0/1>,</32001/0/2>,</32001/0/3>");
}

TEST_CASE("LwM2M 1.1 §5.1.2 Write-Attributes: an attribute given twice in one request is 4.00 and changes nothing") {
    fixture f;
    auto& w = f.w;
    CHECK(put_attributes(w, "/32001/0/1", {"pmin=1", "pmin=5"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001/0/1", {"gt=5", "gt=5"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001/0/1", {"pmax", "pmax=30"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001/0/1", {"pmin=2", "gt=5", "pmin=2"}) == coap::code::bad_request);
    CHECK(w.request(coap::code::get, "/32001/0/1", accept(40)).text() == "</32001/0/1>");
    // Different attributes in one request are one set.
    CHECK(put_attributes(w, "/32001/0/1", {"pmin=1", "pmax=5"}) == coap::code::changed);
    CHECK(w.request(coap::code::get, "/32001/0/1", accept(40)).text() == "</32001/0/1>;pmin=1;pmax=5");
}

TEST_CASE("LwM2M 1.1 §5.1.2 Write-Attributes: setting one on an executable Resource is 4.00, removing one is accepted") {
    fixture f;
    auto& w = f.w;
    CHECK(put_attributes(w, "/32001/0/3", {"pmin=5"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001/0/3", {"epmax=5"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/3/0/4", {"pmax=60"}) == coap::code::bad_request);  // Reboot
    CHECK(put_attributes(w, "/32001/0/3", {"pmin", "pmax"}) == coap::code::changed);
    CHECK(w.request(coap::code::get, "/32001/0", accept(40)).text() ==
          "</32001/0>,</32001/0/0>;dim=2,</32001/0/1>,</32001/0/2>,</32001/0/3>");
}

TEST_CASE("LwM2M 1.1 §5.1.2 Write-Attributes: lt < gt and lt + 2*st < gt are strict (equal is 4.00)") {
    fixture f;
    auto& w = f.w;
    CHECK(put_attributes(w, "/32001/0/1", {"lt=5", "gt=5"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001/0/1", {"lt=1", "gt=9", "st=4"}) == coap::code::bad_request);
    CHECK(put_attributes(w, "/32001/0/1", {"lt=1", "gt=9", "st=3.5"}) == coap::code::changed);
    CHECK(put_attributes(w, "/32001/0/1", {"gt=8"}) == coap::code::bad_request);  // 1 + 7 = 8
    CHECK(put_attributes(w, "/32001/0/1", {"lt=2"}) == coap::code::bad_request);   // 2 + 7 = 9
    CHECK(w.request(coap::code::get, "/32001/0/1", accept(40)).text() == "</32001/0/1>;gt=9;lt=1;st=3.5");
}

namespace conformance_test {
/** Observes `target` (cells 0: 10, 1: 11 of /32001/0/0); `set` changes a cell as the application would. */
struct observed_cells {
    fixture f;
    std::uint32_t h = 0;
    explicit observed_cells(std::string_view target = "/32001/0/0") {
        h = f.w.server.send(coap::code::get, target, observe(0));
        REQUIRE(f.w.wait(h).has_value());
    }
    void set(std::uint16_t cell, std::int64_t v) {
        f.t.rows[0].cells[cell] = v;
        f.w.client.value_changed(*path::make(32001, 0, 0, cell), f.w.now);
        f.w.run_for(2s);
    }
    std::size_t notifications() { return f.w.server.responses[h].size() - 1; }
    std::string last() { return f.w.server.responses[h].back().text(); }
};
} // namespace conformance_test

TEST_CASE("LwM2M 1.2 §5.1.2 gt/lt on a Multiple-Instance Resource: a notification when any instance crosses one") {
    observed_cells o;
    REQUIRE(put_attributes(o.f.w, "/32001/0/0", {"gt=40", "lt=5"}) == coap::code::changed);
    o.set(1, 12);  // no crossing
    o.set(0, 39);
    CHECK(o.notifications() == 0);
    o.set(0, 45);  // instance 0 crosses gt upwards
    REQUIRE(o.notifications() == 1);
    o.set(0, 46);
    o.set(1, 30);
    CHECK(o.notifications() == 1);
    o.set(1, 4);  // instance 1 crosses lt downwards
    CHECK(o.notifications() == 2);
    o.set(1, 6);  // and back up
    CHECK(o.notifications() == 3);
    o.set(0, 40);  // instance 0 back to gt (40 is not above 40): a crossing
    CHECK(o.notifications() == 4);
}

TEST_CASE("LwM2M 1.2 §5.1.2 st on a Multiple-Instance Resource: each instance measured from its own last notified value") {
    observed_cells o;
    REQUIRE(put_attributes(o.f.w, "/32001/0/0", {"st=5"}) == coap::code::changed);
    o.set(0, 13);  // +3
    CHECK(o.notifications() == 0);
    o.set(1, 17);  // +6 from 11
    REQUIRE(o.notifications() == 1);
    o.set(0, 16);  // +3 from the 13 that notification carried
    CHECK(o.notifications() == 1);
    o.set(1, 13);  // -4 from 17
    CHECK(o.notifications() == 1);
    o.set(0, 18);  // +5 from 13
    CHECK(o.notifications() == 2);
    // An instance that appears, or goes, is a change whatever the thresholds.
    o.set(7, 18);
    CHECK(o.notifications() == 3);
    o.f.t.rows[0].cells.erase(7);
    o.f.w.client.value_changed(*path::make(32001, 0, 0), o.f.w.now);
    o.f.w.run_for(2s);
    CHECK(o.notifications() == 4);
}

TEST_CASE("LwM2M 1.2 §5.1.2 gt on one Resource Instance judges that instance; the others notify on any change") {
    observed_cells o;
    REQUIRE(put_attributes(o.f.w, "/32001/0/0/1", {"gt=40"}) == coap::code::changed);
    o.set(1, 30);  // below its gt
    CHECK(o.notifications() == 0);
    o.set(1, 41);
    CHECK(o.notifications() == 1);
    o.set(0, 11);  // instance 0 has no threshold: any change
    CHECK(o.notifications() == 2);
    // The resource's attributes, with the instance's over them: st on the resource, gt on instance 1.
    REQUIRE(put_attributes(o.f.w, "/32001/0/0", {"st=10"}) == coap::code::changed);
    o.set(0, 15);  // +4 < st
    o.set(1, 45);  // +4 < st, no crossing
    CHECK(o.notifications() == 2);
    o.set(1, 39);  // crosses instance 1's gt
    CHECK(o.notifications() == 3);
}

TEST_CASE("LwM2M 1.2 §5.1.2 a Resource Instance observed alone inherits gt from its Resource") {
    observed_cells o{"/32001/0/0/1"};
    REQUIRE(put_attributes(o.f.w, "/32001/0/0", {"gt=40"}) == coap::code::changed);
    o.set(1, 12);
    CHECK(o.notifications() == 0);
    o.set(1, 45);
    REQUIRE(o.notifications() == 1);
    CHECK(o.last() == "45");
}

TEST_CASE("LwM2M 1.2 §5.1.2 more instances than client_limits::threshold_instances: every change is notified") {
    observed_cells o;
    static_assert(test_limits::threshold_instances == 4);
    REQUIRE(put_attributes(o.f.w, "/32001/0/0", {"gt=1000"}) == coap::code::changed);
    o.set(1, 12);
    CHECK(o.notifications() == 0);
    for (std::uint16_t i = 2; i < 5; ++i) o.f.t.rows[0].cells[i] = i;  // five instances
    o.f.w.client.value_changed(*path::make(32001, 0, 0), o.f.w.now);
    o.f.w.run_for(2s);
    REQUIRE(o.notifications() == 1);  // instances appeared (not kept, but a change)
    o.set(1, 13);  // no threshold met, but they cannot be judged: notified
    CHECK(o.notifications() == 2);
}

TEST_CASE("LwM2M 1.2 §5.1.2 st on a Multiple-Instance Resource measures from what a pmax notification carried") {
    observed_cells o;
    REQUIRE(put_attributes(o.f.w, "/32001/0/0", {"st=5", "pmax=10"}) == coap::code::changed);
    o.f.t.rows[0].cells[0] = 13;  // not reported: only pmax sends it
    o.f.w.run_for(11s);
    REQUIRE(o.notifications() == 1);
    o.set(0, 16);  // +3 from the 13 notified (+6 from the 10 of the Observe answer)
    CHECK(o.notifications() == 1);
    o.set(0, 18);
    CHECK(o.notifications() == 2);
}
