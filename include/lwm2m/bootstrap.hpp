#pragma once
/**
 * @file lwm2m/bootstrap.hpp
 * The LwM2M Bootstrap-Server engine and its vocabulary: `bootstrap::server`
 * (bootstrap/server.hpp), the configurations it sends (bootstrap/configuration.hpp) and its
 * events and handler concept (bootstrap/events.hpp).
 */

#include <lwm2m/bootstrap/configuration.hpp>
#include <lwm2m/bootstrap/events.hpp>
#include <lwm2m/bootstrap/server.hpp>
