#pragma once
/**
 * @file client.hpp
 * Umbrella of the LwM2M client layer: the sans-I/O engine (`client::engine`), object binding
 * (`client::object`, `client::bind`), the DM operations, registration rules, and the
 * ready-made Device and Connectivity Monitoring objects.
 */

#include <lwm2m/client/attribute_store.hpp>
#include <lwm2m/client/bootstrap.hpp>
#include <lwm2m/client/client.hpp>
#include <lwm2m/client/dm.hpp>
#include <lwm2m/client/execute_args.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/client/objects/connectivity_monitoring.hpp>
#include <lwm2m/client/objects/device.hpp>
#include <lwm2m/client/record_buffer.hpp>
#include <lwm2m/client/registration.hpp>
#include <lwm2m/client/response_code.hpp>
#include <lwm2m/client/security_object.hpp>
