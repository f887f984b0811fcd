#include "server_world.hpp"

template class lwm2m::server::engine<lwm2m::test::server_tests::limits, lwm2m::test::server_tests::xorshift,
                                     lwm2m::test::server_tests::recorder>;
template class lwm2m::client::engine<lwm2m::test::server_tests::client_limits, lwm2m::test::server_tests::xorshift>;
