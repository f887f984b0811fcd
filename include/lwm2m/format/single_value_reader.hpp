#pragma once
/**
 * @file format/single_value_reader.hpp
 * `detail::single_value_reader`: the pull cursor the one-value formats share (plain text,
 * opaque, single-value CBOR; LwM2M 1.1 Core §7.4.1, §7.4.2, §7.4): the payload is the value
 * of the Resource or Resource Instance the request names, so the cursor gives one record at
 * `base` and then nothing. Allocation: none.
 */

#include <concepts>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::detail {

/** A one-value format's reader, for its decoding: the payload's value, typed and checked by `def` when there is one. */
template <class Format>
concept single_value_format = requires(bytes_view payload, const resource_def* def) {
    { Format::decode(payload, def) } noexcept -> std::same_as<result<value>>;
};

/**
 * The record at `base` whose value `Format::decode(payload, def)` gives, `def` being base's
 * schema entry (null without `schemas` or for an object they do not have). Errors found here,
 * before the value is looked at (offset 0): `path_wrong_level` (base is not a resource or
 * resource instance), `resource_not_in_schema`, `invalid_nesting` (base `/O/I/R` of a
 * multiple resource or `/O/I/R/RI` of a single one: these formats hold one value). After an
 * error every `next()` returns it again. The payload and the registry must outlive the reader.
 */
template <class Format>  // the reader deriving from it (incomplete here: checked in `read`)
class single_value_reader {
public:
    single_value_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas) noexcept
        : payload_(payload), base_(base), schemas_(schemas) {}

    /** The record on the first call, then `std::nullopt`. Allocation: none. */
    [[nodiscard]] result<std::optional<record>> next() noexcept {
        if (failed_) return unexpected{error_};
        if (done_) return std::optional<record>{};
        done_ = true;
        auto v = read();
        if (!v) {
            failed_ = true;
            error_ = v.error();
            return unexpected{error_};
        }
        return std::optional<record>{record{base_, *v, std::nullopt}};
    }

private:
    [[nodiscard]] result<value> read() const noexcept {
        static_assert(single_value_format<Format>);
        if (base_.level() != path_level::resource && base_.level() != path_level::resource_instance)
            return fail(errc::path_wrong_level, 0);
        const object_view* object = schemas_ != nullptr ? schemas_->find(base_.object_id()) : nullptr;
        if (object == nullptr) return Format::decode(payload_, nullptr);
        const resource_def* def = object->find(base_.resource_id());
        if (def == nullptr) return fail(errc::resource_not_in_schema, 0);
        if (def->is_multiple() != base_.has_resource_instance()) return fail(errc::invalid_nesting, 0);
        return Format::decode(payload_, def);
    }

    bytes_view payload_;
    lwm2m::path base_;
    const schema_registry* schemas_ = nullptr;
    bool done_ = false;
    bool failed_ = false;
    error error_{};
};

} // namespace lwm2m::format::detail
