#include "sim_world.hpp"

template class lwm2m::client::engine<lwm2m::test::test_limits, lwm2m::test::sim_random>;
