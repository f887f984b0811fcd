#pragma once
/**
 * @file lwm2m/server.hpp
 * The LwM2M server engine and its vocabulary: `server::engine` (server/engine.hpp), the
 * events and request types (server/events.hpp), the registration store
 * (server/registration_store.hpp) and the Register/Update validation (server/registration.hpp).
 */

#include <lwm2m/server/engine.hpp>
#include <lwm2m/server/events.hpp>
#include <lwm2m/server/registration.hpp>
#include <lwm2m/server/registration_store.hpp>
