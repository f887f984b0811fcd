#pragma once
/**
 * @file format/tlv.hpp
 * LwM2M TLV (application/vnd.oma.lwm2m+tlv, Content-Format 11542; the legacy number 1542 is
 * mapped to it by `canonical(content_format)`): LwM2M 1.0 §6.4.3, 1.1 Core §7.4.3.
 * - `tlv::decode_header` / `tlv::encode_header`: one entry header (format/tlv/header.hpp);
 * - `tlv::encode_*`, `tlv::decode_value`: binary value encodings (format/tlv/value_encoding.hpp);
 * - `tlv_reader`: payload → records, one at a time (format/tlv/reader.hpp);
 * - `tlv::read_records`: payload → a span of records in one loop (format/tlv/read_records.hpp);
 * - `write_tlv`, `tlv_size`, `tlv::max_instance_size`: records → payload (format/tlv/writer.hpp).
 * Allocation: none.
 */

#include <lwm2m/format/tlv/header.hpp>
#include <lwm2m/format/tlv/read_records.hpp>
#include <lwm2m/format/tlv/reader.hpp>
#include <lwm2m/format/tlv/value_encoding.hpp>
#include <lwm2m/format/tlv/writer.hpp>
