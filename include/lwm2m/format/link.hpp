#pragma once
/**
 * @file link.hpp
 * Umbrella for the CoRE Link Format (RFC 6690, ct 40) reader, writer and the LwM2M
 * attribute helpers built on them.
 */

#include <lwm2m/format/link/lwm2m_links.hpp>
#include <lwm2m/format/link/reader.hpp>
#include <lwm2m/format/link/writer.hpp>
