// ADOL-C 2.7 contenders (adouble, operator-overloading tape):
//   adolc        - every call records: trace_on ... trace_off, then
//                  gradient() (zos_forward + fos_reverse on the new tape).
//   adolc_replay - the tape is recorded once (untimed); each call is
//                  gradient() only.
//
// Tape buffers: ADOL-C writes a tape to ADOLC-*.tap files in the working
// directory when it outgrows its in-core buffers (usrparms.h: 524288 entries
// each). Each benchmark first records a probe tape on a scratch tag, reads its
// sizes with tapestats(), deletes it, and then records on its own tag with
// trace_on(tag, keep, obs, lbs, vbs, tbs) buffers sized to the tape, so the
// operation, location, value and Taylor stacks stay in core. (Tape-sized
// buffers also help small tapes: the ~10 MB of default buffers per trace_on
// cost 0.4 ms of page faults or nothing, depending on glibc's allocation
// history.) After the first gradient the tape stats and the working directory
// are checked; a tape file aborts the program.
//
// Isolation: every benchmark has its own tape tags, starts from a fresh
// adouble location store (fresh_location_store below), and only one tape is
// in core at a time (a benchmark that starts removes the previous one's).
// benchmark/peers/README.md compares this with one process per benchmark.
#include <adolc/adolc.h>
#include <adolc/taping.h>

#include <malloc.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "peers/common.hpp"

namespace dp = duet_bench::peers;

namespace {

short next_tag() {
    static short tag = 1;
    if (tag == 32767) {
        std::fprintf(stderr, "bench_peer_adolc: out of ADOL-C tape tags\n");
        std::abort();
    }
    return tag++;
}

// The files ADOL-C writes for a tape that outgrows its buffers (TAPE_DIR ".").
std::array<std::string, 4> tape_files(short tag) {
    const std::string t = std::to_string(tag) + ".tap";
    return {"ADOLC-Operations_" + t, "ADOLC-Locations_" + t, "ADOLC-Values_" + t, "ADOLC-Taylors_" + t};
}

bool any_tape_file(short tag) {
    for (const auto& f : tape_files(tag))
        if (std::FILE* h = std::fopen(f.c_str(), "rb")) {
            std::fclose(h);
            return true;
        }
    return false;
}

void remove_tape_files(short tag) {
    for (const auto& f : tape_files(tag)) std::remove(f.c_str());
}

struct tape_sizes {
    unsigned obs = 0, lbs = 0, vbs = 0, tbs = 0;
};

struct adolc_base {
    virtual ~adolc_base() = default;
    virtual void release() = 0;
};
adolc_base* live = nullptr;  // the one benchmark whose tapes are in core

// ADOL-C numbers live adoubles from a global location store that only grows;
// its free list keeps the order in which earlier (larger) tapes released their
// locations, so a small tape recorded after a large one gets scattered, high
// location numbers, and the forward/reverse sweeps then allocate, zero and
// walk arrays sized by the largest location (rosenbrock/adolc/16 measured
// 5.7 us alone, 57-88 us after log_sum_exp/adolc/16384). Switching the store
// manager type while no adouble is alive makes ADOL-C delete the store and
// start a new one (setStoreManagerType -> reallocStore), i.e. the state of a
// fresh process.
// DUET_ADOLC_KEEP_STORE=1 skips the reset (to measure its effect).
void fresh_location_store() {
    static const bool keep = [] {
        const char* e = std::getenv("DUET_ADOLC_KEEP_STORE");
        return e != nullptr && *e != '\0' && std::string(e) != "0";
    }();
    if (keep) return;
    setStoreManagerType(ADOLC_LOCATION_SINGLETONS);
    setStoreManagerType(ADOLC_LOCATION_BLOCKS);
}

template <class P>
struct adolc_runner : adolc_base {
    const bool replay;
    std::vector<double> x, g;
    double v = 0;
    short tag = 0;
    tape_sizes sz;

    adolc_runner(const std::vector<double>& x0, bool replay_) : replay(replay_), x(x0), g(x0.size()) {}
    ~adolc_runner() override { release(); }

    void record(short t, bool sized) {
        if (sized)
            trace_on(t, 0, sz.obs, sz.lbs, sz.vbs, sz.tbs);
        else
            trace_on(t, 1);  // keep = 1 so tapestats reports the Taylor stack size
        {
            std::vector<adouble> xa(x.size());
            for (std::size_t i = 0; i < x.size(); ++i) xa[i] <<= x[i];
            adouble y = P::template f<adouble>(xa);
            y >>= v;
        }
        trace_off();
    }

    void setup() {
        if (live != nullptr && live != this) live->release();
        live = this;
        fresh_location_store();
        // Probe: the tape's sizes at this n (may spill to disk; untimed).
        const short probe = next_tag();
        record(probe, false);
        std::array<std::size_t, STAT_SIZE> st{};
        tapestats(probe, st.data());
        removeTape(probe, ADOLC_REMOVE_COMPLETELY);
        remove_tape_files(probe);  // removeTape leaves a spilled Taylor file
        const auto fit = [](std::size_t k) { return unsigned(k + k / 8 + 1024); };
        sz = {fit(st[NUM_OPERATIONS]), fit(st[NUM_LOCATIONS]), fit(st[NUM_VALUES]),
              fit(std::max(st[TAY_STACK_SIZE], st[NUM_OPERATIONS]))};
        tag = next_tag();
        record(tag, true);
        ::gradient(tag, int(x.size()), x.data(), g.data());
        tapestats(tag, st.data());
        if (st[OP_FILE_ACCESS] || st[LOC_FILE_ACCESS] || st[VAL_FILE_ACCESS] || any_tape_file(tag)) {
            std::fprintf(stderr, "bench_peer_adolc: %s/%zu: tape spilled to disk despite sized buffers\n", P::name,
                         x.size());
            std::abort();
        }
    }

    void release() override {
        if (tag != 0) {
            removeTape(tag, ADOLC_REMOVE_COMPLETELY);
            remove_tape_files(tag);
        }
        tag = 0;
        if (live == this) live = nullptr;
    }

    void run() {
        if (live != this) setup();
        if (!replay) record(tag, true);
        ::gradient(tag, int(x.size()), x.data(), g.data());
    }
    double value() const { return v; }
    const std::vector<double>& gradient() const { return g; }
};

}  // namespace

int main(int argc, char** argv) {
    // Every trace_on allocates the tape buffers and trace_off/gradient frees
    // them. With glibc's dynamic mmap/trim thresholds, whether those blocks
    // come back from the heap or as fresh pages (page faults on every call)
    // depends on what the process allocated before. Serving everything from
    // the heap and never trimming it (ADOL-C in a warmed-up process) made two
    // full runs agree within 15% on 107 of 114 ADOL-C benchmarks, against 55
    // of 114 with glibc's defaults (README.md). DUET_ADOLC_GLIBC_MALLOC=1
    // keeps glibc's defaults.
    const char* glibc = std::getenv("DUET_ADOLC_GLIBC_MALLOC");
    if (glibc == nullptr || *glibc == '\0' || std::string(glibc) == "0") {
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    }
    dp::for_each_problem([](auto tag) {
        using P = typename decltype(tag)::type;
        for (std::size_t n : dp::run_sizes<P>()) {
            dp::register_plain<P>(n);
            dp::register_contender<P>("adolc", n, [](const std::vector<double>& x) {
                return std::make_unique<adolc_runner<P>>(x, false);
            });
            dp::register_contender<P>("adolc_replay", n, [](const std::vector<double>& x) {
                return std::make_unique<adolc_runner<P>>(x, true);
            });
        }
    });
    const int rc = dp::run_main(argc, argv);
    // Remove the last tape while ADOL-C is certainly alive (the runners
    // themselves are destroyed with Google Benchmark's registry at exit).
    if (live != nullptr) live->release();
    return rc;
}
