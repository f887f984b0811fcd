#pragma once
/**
 * @file format/lwm2m_cbor.hpp
 * LwM2M CBOR (application/vnd.oma.lwm2m+cbor, Content-Format 11544): LwM2M 1.2 Core §7.4.7,
 * nested maps keyed by path ids, with arrays of ids as compressed keys.
 * - `lwm2m_cbor_reader`: payload → records (format/lwm2m_cbor/reader.hpp, which also documents our
 *   reading of the specification and what was left uncertain);
 * - `write_lwm2m_cbor`, `lwm2m_cbor_size`: records → payload (format/lwm2m_cbor/writer.hpp).
 * Allocation: none.
 */

#include <lwm2m/format/lwm2m_cbor/reader.hpp>
#include <lwm2m/format/lwm2m_cbor/writer.hpp>
