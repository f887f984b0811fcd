#pragma once
/**
 * @file format/cbor_value.hpp
 * Single-value CBOR (application/cbor, Content-Format 60; LwM2M 1.1 Core §7.4): the payload is
 * one CBOR data item, the value of one Resource or Resource Instance.
 * - `cbor_value_reader`: payload → record (format/cbor_value/reader.hpp);
 * - `write_cbor_value`, `cbor_value_size`: record → payload (format/cbor_value/writer.hpp).
 * Allocation: none.
 */

#include <lwm2m/format/cbor_value/reader.hpp>
#include <lwm2m/format/cbor_value/writer.hpp>
