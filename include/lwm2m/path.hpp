#pragma once
/**
 * @file path.hpp
 * Umbrella header of the path layer: `lwm2m::path`, `parse_path`, `parse_path_segments`
 * (path/path.hpp) and the compile-time `_path` / `path_literal` (path/literal.hpp).
 * Allocation: none.
 */

#include <lwm2m/path/literal.hpp>
#include <lwm2m/path/path.hpp>
