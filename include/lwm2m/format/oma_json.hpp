#pragma once
/**
 * @file format/oma_json.hpp
 * LwM2M 1.0 JSON (application/vnd.oma.lwm2m+json, Content-Format 11543; the pre-IANA number 1543
 * is mapped to it by `canonical(content_format)`): LwM2M 1.0 §6.4.4, kept by 1.1/1.2 Core for
 * compatibility.
 * - `oma_json_reader`: payload → records (format/oma_json/reader.hpp);
 * - `write_oma_json`, `oma_json_size`: records → payload (format/oma_json/writer.hpp);
 * - `oma_json::label`: the member names.
 * Allocation: none.
 */

#include <lwm2m/format/oma_json/reader.hpp>
#include <lwm2m/format/oma_json/writer.hpp>
