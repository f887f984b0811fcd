#pragma once
/**
 * @file coap.hpp
 * Umbrella for the CoAP message layer (RFC 7252, 7641, 7959, 8132): everything a gateway
 * that only needs the codec includes. Depends only on the shared vocabulary (result, errc, bytes, config).
 */

#include <lwm2m/coap/block.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/message_type.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/message_writer.hpp>
#include <lwm2m/coap/observe.hpp>
#include <lwm2m/coap/option.hpp>
#include <lwm2m/coap/option_iterator.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/coap/token.hpp>
