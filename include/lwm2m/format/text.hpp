#pragma once
/**
 * @file format/text.hpp
 * Plain text (text/plain;charset=utf-8, Content-Format 0; LwM2M 1.0 §6.4.1, 1.1 Core §7.4.1):
 * a single Resource or Resource Instance value.
 * - `text::parse_value`, `text_reader`: text → value / record (format/text/reader.hpp);
 * - `text::write_value`, `write_text`, `text_size`: value / record → text (format/text/writer.hpp).
 * Allocation: none.
 */

#include <lwm2m/format/text/reader.hpp>
#include <lwm2m/format/text/writer.hpp>
