#pragma once
/**
 * @file format/senml_json.hpp
 * SenML JSON (application/senml+json, Content-Format 110): RFC 8428 §5 as LwM2M 1.1 Core
 * §7.4.4 uses it.
 * - `senml_json_reader`: payload → records, values or path-list mode (format/senml/json_reader.hpp);
 * - `write_senml_json`, `senml_json_size`: records → payload (format/senml/json_writer.hpp);
 * - `senml::label`, `senml::value_label`, ...: the labels (format/senml/record_fields.hpp).
 * Allocation: none.
 */

#include <lwm2m/format/senml/json_reader.hpp>
#include <lwm2m/format/senml/json_writer.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
