#pragma once
/**
 * @file format/senml_cbor.hpp
 * SenML CBOR (application/senml+cbor, Content-Format 112): RFC 8428 §6 as LwM2M 1.1 Core
 * §7.4.5 uses it.
 * - `senml_cbor_reader`: payload → records, values or path-list mode (format/senml/cbor_reader.hpp);
 * - `write_senml_cbor`, `senml_cbor_size`: records → payload (format/senml/cbor_writer.hpp);
 * - `senml::label`, `senml::label_cbor_key`, ...: the labels (format/senml/record_fields.hpp).
 * Allocation: none.
 */

#include <lwm2m/format/senml/cbor_reader.hpp>
#include <lwm2m/format/senml/cbor_writer.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
