#pragma once
/**
 * @file schemas.hpp
 * `lwm2m_cli::schema_set`: the object schemas the command-line tool types values with — the
 * shipped ones (`lwm2m::objects::registry`) plus OMA DDF XML files loaded at run time
 * (`--objects DIR`), which override shipped objects with the same id.
 *
 * DDF files are read with the generator's parser (tools/lwm2m-gen/ddf.hpp) and converted into
 * run-time `object_info` / `resource_def` arrays owned here (std::deque keeps addresses
 * stable, since `object_view` and `resource_def::name` point into them). The checks are the
 * ones `make_object` applies at compile time to generated schemas: ids up to 65534, no
 * duplicate resource ids, executable resources without a type and value resources with one.
 * Like json.hpp this file allocates freely: it belongs to the CLI, never to include/.
 */

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <span>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>

// Relative to this file, so it builds with just -Iinclude (and with -I<repository root>).
#include "../../tools/lwm2m-gen/ddf.hpp"

namespace lwm2m_cli {

// The DDF reader mirrors the library's enumerations value for value.
static_assert(static_cast<int>(lwm2m::ddf::ddf_type::corelnk) == static_cast<int>(lwm2m::data_type::corelnk));
static_assert(static_cast<int>(lwm2m::ddf::ddf_type::unsigned_integer) ==
              static_cast<int>(lwm2m::data_type::unsigned_integer));
static_assert(static_cast<int>(lwm2m::ddf::ddf_type::none) == static_cast<int>(lwm2m::data_type::none));
static_assert(static_cast<int>(lwm2m::ddf::ddf_ops::execute) == static_cast<int>(lwm2m::operations::execute));
static_assert(static_cast<int>(lwm2m::ddf::ddf_ops::read_write) == static_cast<int>(lwm2m::operations::read_write));

class schema_set {
public:
    schema_set() { rebuild(); }
    schema_set(const schema_set&) = delete;
    schema_set& operator=(const schema_set&) = delete;

    /** The registry: loaded objects first, then the shipped ones they do not override. */
    [[nodiscard]] const lwm2m::schema_registry& registry() const noexcept { return registry_; }

    /**
     * Loads every regular file whose name ends in ".xml" in `dir` (not recursive), in name
     * order. Returns "" on success, else a one-line message ("<file>: line N: what").
     */
    [[nodiscard]] std::string load_directory(const std::filesystem::path& dir) {
        std::error_code ec;
        std::vector<std::filesystem::path> files;
        std::filesystem::directory_iterator it(dir, ec);
        if (ec) return "cannot read directory '" + dir.string() + "'";
        for (const std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
            if (ec) return "cannot read directory '" + dir.string() + "'";
            const std::filesystem::path& p = it->path();
            if (p.extension() == ".xml" && it->is_regular_file(ec)) files.push_back(p);
        }
        if (ec) return "cannot read directory '" + dir.string() + "'";
        std::sort(files.begin(), files.end());
        for (const std::filesystem::path& f : files) {
            std::ifstream in(f, std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            if (!in || in.bad()) return f.string() + ": cannot read the file";
            if (std::string e = add_ddf(std::move(text).str(), f.string()); !e.empty()) return e;
        }
        return {};
    }

    /**
     * Adds the objects of one DDF document (`where` names it in messages). Returns "" on
     * success, else a one-line message.
     */
    [[nodiscard]] std::string add_ddf(std::string_view xml, const std::string& where) {
        std::string error;
        auto objects = lwm2m::ddf::parse_ddf_all(xml, error);
        if (!objects) return where + ": " + error;
        for (std::size_t k = 0; k < objects->size(); ++k) {
            const lwm2m::ddf::ddf_object& o = (*objects)[k];
            if (std::string e = problem(o); !e.empty()) return where + ": object " + std::to_string(o.id) + ": " + e;
            for (std::size_t i = 0; i < loaded_.size(); ++i)
                if (loaded_[i].id == o.id)
                    return where + ": object " + std::to_string(o.id) + " is also defined in " + origins_[i];
            for (std::size_t j = 0; j < k; ++j)  // a registry holds each object once
                if ((*objects)[j].id == o.id) return where + ": object " + std::to_string(o.id) + " is defined twice";
        }
        for (lwm2m::ddf::ddf_object& o : *objects) {
            loaded_.push_back(std::move(o));
            origins_.push_back(where);
            convert(loaded_.back());
        }
        rebuild();
        return {};
    }

private:
    /** What `make_object` would reject; "" if the object is fine. */
    static std::string problem(const lwm2m::ddf::ddf_object& o) {
        if (o.id > 65534) return "id out of range (at most 65534)";
        std::set<std::uint16_t> seen;
        for (const lwm2m::ddf::ddf_resource& r : o.resources) {
            const std::string what = "resource " + std::to_string(r.id) + ": ";
            if (r.id > 65534) return what + "id out of range (at most 65534)";
            if (!seen.insert(r.id).second) return what + "duplicate id";
            const bool exec = (static_cast<unsigned>(r.ops) & 4u) != 0;
            if (exec && r.type != lwm2m::ddf::ddf_type::none) return what + "executable with a type";
            if (!exec && r.type == lwm2m::ddf::ddf_type::none) return what + "not executable and without a type";
        }
        return {};
    }

    void convert(const lwm2m::ddf::ddf_object& o) {
        lwm2m::object_info info;
        info.id = o.id;
        info.name = o.name;
        info.version = {static_cast<std::uint8_t>(o.version.major), static_cast<std::uint8_t>(o.version.minor)};
        info.instances = o.multiple ? lwm2m::multiplicity::multiple : lwm2m::multiplicity::single;
        info.required = o.mandatory ? lwm2m::presence::mandatory : lwm2m::presence::optional;
        info.urn = o.urn;
        infos_.push_back(info);
        std::vector<lwm2m::resource_def> rs;
        rs.reserve(o.resources.size());
        for (const lwm2m::ddf::ddf_resource& r : o.resources) {
            lwm2m::resource_def d;
            d.id = r.id;
            d.name = r.name;
            d.ops = static_cast<lwm2m::operations>(r.ops);
            d.type = static_cast<lwm2m::data_type>(r.type);
            d.instances = r.multiple ? lwm2m::multiplicity::multiple : lwm2m::multiplicity::single;
            d.required = r.mandatory ? lwm2m::presence::mandatory : lwm2m::presence::optional;
            if (r.range.kind != lwm2m::ddf::ddf_range_kind::none) d.range = {true, r.range.min, r.range.max};
            d.units = r.units;
            rs.push_back(d);
        }
        std::sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
        resources_.push_back(std::move(rs));
    }

    void rebuild() {
        views_.clear();
        std::set<std::uint16_t> ids;
        for (std::size_t i = 0; i < infos_.size(); ++i) {
            views_.emplace_back(infos_[i], std::span<const lwm2m::resource_def>{resources_[i]});
            ids.insert(infos_[i].id);
        }
        for (const lwm2m::object_view& v : lwm2m::objects::all_objects)
            if (ids.count(v.id()) == 0) views_.push_back(v);
        registry_ = lwm2m::schema_registry{std::span<const lwm2m::object_view>{views_}};
    }

    std::deque<lwm2m::ddf::ddf_object> loaded_;  // owns the names the views point into
    std::deque<std::string> origins_;            // file of each loaded object
    std::deque<lwm2m::object_info> infos_;
    std::deque<std::vector<lwm2m::resource_def>> resources_;
    std::vector<lwm2m::object_view> views_;
    lwm2m::schema_registry registry_;
};

} // namespace lwm2m_cli
