// CoAP message layer benchmarks on the reference datagrams of bench/data (register, response,
// notify): parse + walk every option, and build + serialize, for lwm2m and (when built with
// LWM2M_HAVE_LIBCOAP) libcoap 4.3.1 in the same binary, so that the ratio comes from one run.
//
// Reports bytes/s and messages/s per benchmark; the last pseudo-benchmark, `ratio/libcoap_over_ours`,
// carries one counter per operation and message: libcoap CPU time / ours (larger is better for us).
// For instruction counts (stable on a noisy machine) use bench/callgrind.sh.
//
// Linked with benchmark::benchmark_main: no BENCHMARK_MAIN() here.

#include "bench_data.hpp"
#include "coap_ops.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <ctime>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace {

using namespace lwm2m;
using namespace lwm2m::bench;

// CPU time per iteration of the last (reported) run of each benchmark, for the ratio pseudo-benchmark
// (process CPU time from std::clock: steadier than wall time on a shared machine).
std::map<std::string, double>& ns_per_op() {
    static std::map<std::string, double> m;
    return m;
}

class run_timer {
public:
    run_timer(benchmark::State& state, std::string key) : state_(state), key_(std::move(key)) {}
    ~run_timer() {
        const double ns = static_cast<double>(std::clock() - start_) * 1e9 / CLOCKS_PER_SEC;
        if (state_.iterations() > 0) ns_per_op()[key_] = ns / static_cast<double>(state_.iterations());
    }
    run_timer(const run_timer&) = delete;
    run_timer& operator=(const run_timer&) = delete;

private:
    benchmark::State& state_;
    std::string key_;
    std::clock_t start_ = std::clock();
};

void set_counters(benchmark::State& state, const reference_datagram& ref, std::size_t options) {
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(ref.bytes.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["bytes"] = static_cast<double>(ref.bytes.size());
    state.counters["options"] = static_cast<double>(options);
}

std::string key(std::string_view op, std::string_view msg, std::string_view impl) {
    return std::string(op) + "/" + std::string(msg) + "/" + std::string(impl);
}

// ---- parse + walk -----------------------------------------------------------------------------

void bm_ours_parse_walk(benchmark::State& state, const reference_datagram* ref) {
    const message_fields f = extract_fields(ref->view());
    {
        run_timer t{state, key("parse_walk", ref->name, "ours")};
        for (auto _ : state) {
            bytes_view d = ref->view();
            benchmark::DoNotOptimize(d);
            benchmark::DoNotOptimize(ours_parse_walk(d));
        }
    }
    set_counters(state, *ref, f.option_count);
}

#if LWM2M_BENCH_LIBCOAP
void bm_libcoap_parse_walk(benchmark::State& state, const reference_datagram* ref) {
    const message_fields f = extract_fields(ref->view());
    coap_pdu_t* pdu = libcoap_new_rx_pdu();
    {
        run_timer t{state, key("parse_walk", ref->name, "libcoap")};
        for (auto _ : state) {
            bytes_view d = ref->view();
            benchmark::DoNotOptimize(d);
            benchmark::DoNotOptimize(libcoap_parse_walk(pdu, d));
        }
    }
    coap_delete_pdu(pdu);
    set_counters(state, *ref, f.option_count);
}

void bm_libcoap_parse_walk_alloc(benchmark::State& state, const reference_datagram* ref) {
    const message_fields f = extract_fields(ref->view());
    {
        run_timer t{state, key("parse_walk", ref->name, "libcoap_alloc")};
        for (auto _ : state) {
            bytes_view d = ref->view();
            benchmark::DoNotOptimize(d);
            benchmark::DoNotOptimize(libcoap_parse_walk_alloc(d));
        }
    }
    set_counters(state, *ref, f.option_count);
}
#endif

// ---- build + serialize --------------------------------------------------------------------------

void bm_ours_build_builder(benchmark::State& state, const reference_datagram* ref) {
    const message_fields f = extract_fields(ref->view());
    std::array<std::byte, 1500> out{};
    {
        run_timer t{state, key("build", ref->name, "ours_builder")};
        for (auto _ : state) {
            const message_fields* fp = &f;
            benchmark::DoNotOptimize(fp);
            benchmark::DoNotOptimize(ours_build_builder(*fp, out));
            benchmark::ClobberMemory();
        }
    }
    set_counters(state, *ref, f.option_count);
}

void bm_ours_build_writer(benchmark::State& state, const reference_datagram* ref) {
    const message_fields f = extract_fields(ref->view());
    std::array<std::byte, 1500> out{};
    {
        run_timer t{state, key("build", ref->name, "ours_writer")};
        for (auto _ : state) {
            const message_fields* fp = &f;
            benchmark::DoNotOptimize(fp);
            benchmark::DoNotOptimize(ours_build_writer(*fp, out));
            benchmark::ClobberMemory();
        }
    }
    set_counters(state, *ref, f.option_count);
}

#if LWM2M_BENCH_LIBCOAP
void bm_libcoap_build(benchmark::State& state, const reference_datagram* ref) {
    const message_fields f = extract_fields(ref->view());
    libcoap_init();
    {
        run_timer t{state, key("build", ref->name, "libcoap")};
        for (auto _ : state) {
            const message_fields* fp = &f;
            benchmark::DoNotOptimize(fp);
            benchmark::DoNotOptimize(libcoap_build(*fp));
            benchmark::ClobberMemory();
        }
    }
    set_counters(state, *ref, f.option_count);
}
#endif

// ---- ratios -------------------------------------------------------------------------------------

// One counter per (operation, message): libcoap ns/op divided by ours, from the runs above.
void bm_ratio(benchmark::State& state) {
    for (auto _ : state) {
    }
#if LWM2M_BENCH_LIBCOAP
    const auto& m = ns_per_op();
    const auto ratio = [&](const std::string& name, const std::string& theirs, const std::string& ours) {
        const auto t = m.find(theirs);
        const auto o = m.find(ours);
        if (t != m.end() && o != m.end() && o->second > 0) state.counters[name] = t->second / o->second;
    };
    for (const reference_datagram& ref : coap_references()) {
        const std::string msg{ref.name};
        ratio(msg + ".parse_walk", key("parse_walk", msg, "libcoap"), key("parse_walk", msg, "ours"));
        ratio(msg + ".build_builder", key("build", msg, "libcoap"), key("build", msg, "ours_builder"));
        ratio(msg + ".build_writer", key("build", msg, "libcoap"), key("build", msg, "ours_writer"));
    }
    state.SetLabel("libcoap CPU time / lwm2m CPU time (see bench/callgrind.sh for instruction counts)");
#else
    state.SetLabel("built without libcoap: no ratios");
#endif
}

[[maybe_unused]] const bool registered = [] {
    for (const reference_datagram& ref : coap_references()) {
        const std::string msg{ref.name};
        check_equivalence(msg, ref.view());
        benchmark::RegisterBenchmark(("coap_parse_walk/" + msg + "/ours").c_str(), bm_ours_parse_walk, &ref);
#if LWM2M_BENCH_LIBCOAP
        benchmark::RegisterBenchmark(("coap_parse_walk/" + msg + "/libcoap").c_str(), bm_libcoap_parse_walk, &ref);
        benchmark::RegisterBenchmark(("coap_parse_walk/" + msg + "/libcoap_alloc").c_str(), bm_libcoap_parse_walk_alloc, &ref);
#endif
        benchmark::RegisterBenchmark(("coap_build/" + msg + "/ours_builder").c_str(), bm_ours_build_builder, &ref);
        benchmark::RegisterBenchmark(("coap_build/" + msg + "/ours_writer").c_str(), bm_ours_build_writer, &ref);
#if LWM2M_BENCH_LIBCOAP
        benchmark::RegisterBenchmark(("coap_build/" + msg + "/libcoap").c_str(), bm_libcoap_build, &ref);
#endif
    }
    benchmark::RegisterBenchmark("ratio/libcoap_over_ours", bm_ratio)->Iterations(1);
    return true;
}();

} // namespace
