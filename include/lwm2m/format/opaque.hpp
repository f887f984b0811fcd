#pragma once
/**
 * @file format/opaque.hpp
 * Opaque (application/octet-stream, Content-Format 42; LwM2M 1.0 §6.4.2, 1.1 Core §7.4.2):
 * the payload is the value of one Opaque Resource or Resource Instance.
 * - `opaque_reader`: payload → record (format/opaque/reader.hpp);
 * - `write_opaque`, `opaque_size`: record → payload (format/opaque/writer.hpp).
 * Allocation: none.
 */

#include <lwm2m/format/opaque/reader.hpp>
#include <lwm2m/format/opaque/writer.hpp>
