// ADOL-C 2.7 sparse Jacobians on the problems of
// benchmark/problems/sparse_problems.hpp (Lorenz-96, 2-D Bratu; the sizes of
// bench_sparse, DUET_BENCH_QUICK=1: the smallest only). The tape is recorded
// once per benchmark (trace_on/trace_off, untimed, with tape-sized buffers as
// in adolc.cpp so nothing spills to disk); each timed call replays it.
//
// ADOL-C's sparse_jac needs ColPack at ADOL-C's build time (otherwise it
// throws FatalError "sparse_jac can only be used if linked with ColPack"; so
// does Debian's libadolc-dev 2.7.2). main() probes it on a 10-variable tape:
//
// with ColPack (counter colpack = 1):
//   adolc_sparse_repeat  sparse_jac(tag, m, n, repeat = 1, ...): pattern and
//                        seed from an untimed repeat = 0 call (ADOL-C's
//                        analogue of duet's plan).
//   adolc_sparse         sparse_jac(..., repeat = 0, ...): pattern, colouring,
//                        seed and compressed Jacobian on every call.
// without ColPack (counter colpack = 0, label "no ColPack"):
//   adolc_compressed_repeat  the same compression by hand: ADOL-C's jac_pat
//                        (no ColPack needed) and a greedy distance-2 column
//                        colouring in natural order (as duet's default),
//                        untimed; timed: fov_forward with the n x colors seed
//                        matrix and unpacking into CSR values.
//   adolc_compressed     jac_pat + colouring + fov_forward + unpacking, timed.
//   adolc_dense          ADOL-C's dense jacobian() (n <= 1024).
// Always: <problem>/peer_plain/<n> (f on double).
// Counters of the sparse / compressed rows: colors (0 when sparse_jac does
// not report them), nonzeros, colpack. Every result is checked entry by entry
// against the problem's hand Jacobian before it is timed (abort on mismatch).
// Memory: as adolc.cpp (and bench_sparse), everything is served from a heap
// that is never trimmed; DUET_ADOLC_GLIBC_MALLOC=1 keeps glibc's defaults.
#include <adolc/adolc.h>
#include <adolc/adolc_fatalerror.h>
#include <adolc/sparse/sparsedrivers.h>
#include <adolc/taping.h>

#include <malloc.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "problems/sparse_problems.hpp"

namespace ds = duet_bench::sparse;

namespace {

constexpr std::size_t dense_max_n = 1024;
constexpr double tolerance = 1e-12;

bool quick_mode() {
    const char* q = std::getenv("DUET_BENCH_QUICK");
    return q != nullptr && *q != '\0' && std::string(q) != "0";
}

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "\n*** bench_peer_adolc_sparse: CHECK FAILED: %s ***\n\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

short next_tag() {
    static short tag = 1;
    if (tag == 32767) fail("out of ADOL-C tape tags");
    return tag++;
}

std::array<std::string, 4> tape_files(short tag) {
    const std::string t = std::to_string(tag) + ".tap";
    return {"ADOLC-Operations_" + t, "ADOLC-Locations_" + t, "ADOLC-Values_" + t, "ADOLC-Taylors_" + t};
}

void remove_tape_files(short tag) {
    for (const auto& f : tape_files(tag)) std::remove(f.c_str());
}

bool any_tape_file(short tag) {
    for (const auto& f : tape_files(tag))
        if (std::FILE* h = std::fopen(f.c_str(), "rb")) {
            std::fclose(h);
            return true;
        }
    return false;
}

// A fresh adouble location store (see adolc.cpp).
void fresh_location_store() {
    setStoreManagerType(ADOLC_LOCATION_SINGLETONS);
    setStoreManagerType(ADOLC_LOCATION_BLOCKS);
}

// Records y = f(x) on `tag`, with buffers sized by a probe recording.
template <class P>
void record_sized(short tag, const std::vector<double>& x) {
    std::vector<double> y;
    const auto record = [&](short t, bool sized, const std::array<unsigned, 4>& sz) {
        if (sized)
            trace_on(t, 0, sz[0], sz[1], sz[2], sz[3]);
        else
            trace_on(t, 1);
        {
            std::vector<adouble> xa(x.size());
            for (std::size_t i = 0; i < x.size(); ++i) xa[i] <<= x[i];
            std::vector<adouble> ya = P::template f<adouble>(xa);
            y.assign(ya.size(), 0.0);
            for (std::size_t i = 0; i < ya.size(); ++i) ya[i] >>= y[i];
        }
        trace_off();
    };
    fresh_location_store();
    const short probe = next_tag();
    record(probe, false, {});
    std::array<std::size_t, STAT_SIZE> st{};
    tapestats(probe, st.data());
    removeTape(probe, ADOLC_REMOVE_COMPLETELY);
    remove_tape_files(probe);
    const auto fit = [](std::size_t k) { return unsigned(k + k / 8 + 1024); };
    record(tag, true,
           {fit(st[NUM_OPERATIONS]), fit(st[NUM_LOCATIONS]), fit(st[NUM_VALUES]),
            fit(std::max(st[TAY_STACK_SIZE], st[NUM_OPERATIONS]))});
    tapestats(tag, st.data());
    if (st[OP_FILE_ACCESS] || st[LOC_FILE_ACCESS] || st[VAL_FILE_ACCESS] || any_tape_file(tag))
        fail(std::string(P::name) + "/" + std::to_string(x.size()) + ": tape spilled to disk");
}

// Checks coordinate-format entries (row, col, value) against the hand
// Jacobian and their number against the problem's nonzeros.
template <class P>
void check_entries(const std::vector<double>& x, std::size_t nnz, const unsigned* rows, const unsigned* cols,
                   const double* values, const std::string& what) {
    if (nnz != P::nonzeros(x.size()))
        fail(what + ": " + std::to_string(nnz) + " nonzeros, expected " + std::to_string(P::nonzeros(x.size())));
    const double scale = ds::largest_entry<P>(x);
    for (std::size_t k = 0; k < nnz; ++k) {
        const double h = P::entry(x, rows[k], cols[k]);
        if (!(std::abs(values[k] - h) <= tolerance * scale))
            fail(what + ": J(" + std::to_string(rows[k]) + ", " + std::to_string(cols[k]) + ") = " +
                 std::to_string(values[k]) + ", hand " + std::to_string(h));
    }
}

std::string bench_name(const char* problem, const char* contender, std::size_t n) {
    return std::string(problem) + "/" + contender + "/" + std::to_string(n);
}

// ---- the pattern (jac_pat) and a greedy distance-2 column colouring -------------

struct pattern {
    std::size_t n = 0;
    std::vector<std::size_t> offsets{0};
    std::vector<unsigned> columns;
};

pattern adolc_pattern(short tag, std::size_t m, std::size_t n, const double* x) {
    std::vector<unsigned*> jp(m, nullptr);
    int options[3] = {0, 0, 0};  // index domains, safe mode, automatic direction
    const int rc = jac_pat(tag, int(m), int(n), x, jp.data(), options);
    if (rc < 0) fail("jac_pat returned " + std::to_string(rc));
    pattern p;
    p.n = n;
    p.offsets.reserve(m + 1);
    for (std::size_t i = 0; i < m; ++i) {
        const unsigned len = jp[i][0];
        for (unsigned k = 1; k <= len; ++k) p.columns.push_back(jp[i][k]);
        std::sort(p.columns.end() - std::ptrdiff_t(len), p.columns.end());
        p.offsets.push_back(p.columns.size());
        std::free(jp[i]);
    }
    return p;
}

// Columns in natural order, each the smallest colour not used by a column
// sharing a row with it.
std::vector<unsigned> column_colors(const pattern& p, std::size_t& colors) {
    const std::size_t m = p.offsets.size() - 1;
    std::vector<std::vector<std::size_t>> column_rows(p.n);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t k = p.offsets[i]; k < p.offsets[i + 1]; ++k) column_rows[p.columns[k]].push_back(i);
    constexpr unsigned none = unsigned(-1);
    std::vector<unsigned> color(p.n, none);
    std::vector<std::size_t> stamp;
    colors = 0;
    for (std::size_t j = 0; j < p.n; ++j) {
        for (std::size_t i : column_rows[j])
            for (std::size_t k = p.offsets[i]; k < p.offsets[i + 1]; ++k) {
                const unsigned c = color[p.columns[k]];
                if (c != none) {
                    if (stamp.size() <= c) stamp.resize(c + 1, 0);
                    stamp[c] = j + 1;
                }
            }
        unsigned c = 0;
        while (c < stamp.size() && stamp[c] == j + 1) ++c;
        color[j] = c;
        colors = std::max(colors, std::size_t(c) + 1);
    }
    return color;
}

// ---- runners ------------------------------------------------------------------------

enum class kind { sparse_repeat, sparse_full, compressed_repeat, compressed_full, dense };

struct runner_base {
    virtual ~runner_base() = default;
    virtual void release() = 0;
};
runner_base* live = nullptr;  // only one tape in core at a time

template <class P>
struct runner : runner_base {
    kind k;
    std::vector<double> x;
    std::size_t n;
    short tag = 0;
    // sparse_jac
    int nnz = 0;
    unsigned* rind = nullptr;
    unsigned* cind = nullptr;
    double* values = nullptr;
    // compressed by hand
    pattern pat;
    std::vector<unsigned> color;
    std::size_t colors = 0;
    double** seed = nullptr;
    double** compressed = nullptr;
    std::vector<double> y, csr;
    // dense
    double** J = nullptr;

    runner(kind k_, std::size_t n_) : k(k_), x(P::input(n_)), n(n_), y(n_) {}
    ~runner() override { release(); }

    void release() override {
        if (tag != 0) {
            removeTape(tag, ADOLC_REMOVE_COMPLETELY);
            remove_tape_files(tag);
            tag = 0;
        }
        std::free(rind);
        std::free(cind);
        std::free(values);
        rind = cind = nullptr;
        values = nullptr;
        free_seed();
        if (J) myfree2(J);
        J = nullptr;
        if (live == this) live = nullptr;
    }

    void free_seed() {
        if (seed) myfree2(seed);
        if (compressed) myfree2(compressed);
        seed = compressed = nullptr;
    }

    void plan() {
        pat = adolc_pattern(tag, n, n, x.data());
        color = column_colors(pat, colors);
        free_seed();
        seed = myalloc2(n, colors);
        compressed = myalloc2(n, colors);
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t c = 0; c < colors; ++c) seed[j][c] = color[j] == c ? 1.0 : 0.0;
        csr.assign(pat.columns.size(), 0.0);
    }

    void compressed_jacobian() {
        fov_forward(tag, int(n), int(n), int(colors), x.data(), seed, y.data(), compressed);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t q = pat.offsets[i]; q < pat.offsets[i + 1]; ++q)
                csr[q] = compressed[i][color[pat.columns[q]]];
    }

    void setup() {
        if (live != nullptr && live != this) live->release();
        live = this;
        tag = next_tag();
        record_sized<P>(tag, x);
        int options[4] = {0, 0, 0, 0};
        switch (k) {
        case kind::sparse_repeat:
        case kind::sparse_full:
            sparse_jac(tag, int(n), int(n), 0, x.data(), &nnz, &rind, &cind, &values, options);
            break;
        case kind::compressed_repeat:
        case kind::compressed_full: plan(); break;
        case kind::dense: J = myalloc2(n, n); break;
        }
    }

    void run() {
        if (live != this) setup();
        int options[4] = {0, 0, 0, 0};
        switch (k) {
        case kind::sparse_repeat:
            sparse_jac(tag, int(n), int(n), 1, x.data(), &nnz, &rind, &cind, &values, options);
            break;
        case kind::sparse_full:
            sparse_jac(tag, int(n), int(n), 0, x.data(), &nnz, &rind, &cind, &values, options);
            break;
        case kind::compressed_repeat: compressed_jacobian(); break;
        case kind::compressed_full:
            plan();
            compressed_jacobian();
            break;
        case kind::dense: jacobian(tag, int(n), int(n), x.data(), J); break;
        }
    }

    const double* result() const {
        return k == kind::dense ? J[0] : (k == kind::sparse_repeat || k == kind::sparse_full) ? values : csr.data();
    }

    void check(const std::string& what) const {
        switch (k) {
        case kind::sparse_repeat:
        case kind::sparse_full: check_entries<P>(x, std::size_t(nnz), rind, cind, values, what); break;
        case kind::compressed_repeat:
        case kind::compressed_full: {
            std::vector<unsigned> rows;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t q = pat.offsets[i]; q < pat.offsets[i + 1]; ++q) rows.push_back(unsigned(i));
            check_entries<P>(x, csr.size(), rows.data(), pat.columns.data(), csr.data(), what);
            break;
        }
        case kind::dense: {
            const double scale = ds::largest_entry<P>(x);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < n; ++j)
                    if (!(std::abs(J[i][j] - P::entry(x, i, j)) <= tolerance * scale))
                        fail(what + ": dense J(" + std::to_string(i) + ", " + std::to_string(j) + ") differs");
            break;
        }
        }
    }
};

bool colpack = false;

template <class P>
void register_contender(const char* contender, kind k, std::size_t n) {
    auto r = std::make_shared<std::unique_ptr<runner<P>>>();
    const std::string name = bench_name(P::name, contender, n);
    benchmark::RegisterBenchmark(name.c_str(), [r, k, n, name](benchmark::State& state) {
        if (!*r) {
            *r = std::make_unique<runner<P>>(k, n);
            (*r)->run();
            (*r)->check(name);
        }
        auto& run = **r;
        for (auto _ : state) {
            run.run();
            benchmark::DoNotOptimize(run.result());
            benchmark::ClobberMemory();
        }
        if (k != kind::dense) {
            state.counters["colors"] = double(run.colors);
            state.counters["nonzeros"] = double(k == kind::sparse_repeat || k == kind::sparse_full
                                                    ? std::size_t(run.nnz)
                                                    : run.csr.size());
        }
        state.counters["colpack"] = colpack ? 1.0 : 0.0;
        if (!colpack) state.SetLabel("no ColPack");
    });
}

template <class P>
void register_problem(std::size_t n) {
    benchmark::RegisterBenchmark(bench_name(P::name, "peer_plain", n).c_str(), [n](benchmark::State& state) {
        const auto x = P::input(n);
        for (auto _ : state) {
            auto y = P::template f<double>(x);
            benchmark::DoNotOptimize(y.data());
            benchmark::ClobberMemory();
        }
    });
    if (colpack) {
        register_contender<P>("adolc_sparse_repeat", kind::sparse_repeat, n);
        register_contender<P>("adolc_sparse", kind::sparse_full, n);
    } else {
        register_contender<P>("adolc_compressed_repeat", kind::compressed_repeat, n);
        register_contender<P>("adolc_compressed", kind::compressed_full, n);
    }
    if (n <= dense_max_n) register_contender<P>("adolc_dense", kind::dense, n);
}

template <class P>
void register_all() {
    const std::vector<std::size_t> sizes = quick_mode() ? std::vector<std::size_t>{P::quick_size()} : P::sizes();
    for (std::size_t n : sizes) register_problem<P>(n);
}

// Whether sparse_jac works (ADOL-C built with ColPack): one call on a small
// Lorenz-96 tape. Without ColPack ADOL-C prints an error and throws.
bool probe_colpack() {
    const std::size_t n = 10;
    const auto x = ds::lorenz96::input(n);
    const short tag = next_tag();
    record_sized<ds::lorenz96>(tag, x);
    int nnz = 0;
    unsigned *rind = nullptr, *cind = nullptr;
    double* values = nullptr;
    int options[4] = {0, 0, 0, 0};
    bool ok = false;
    std::fprintf(stderr, "bench_peer_adolc_sparse: probing sparse_jac (an ADOL-C error below means no ColPack)\n");
    try {
        ok = sparse_jac(tag, int(n), int(n), 0, x.data(), &nnz, &rind, &cind, &values, options) >= 0;
    } catch (const FatalError&) {
        ok = false;
    }
    std::free(rind);
    std::free(cind);
    std::free(values);
    removeTape(tag, ADOLC_REMOVE_COMPLETELY);
    remove_tape_files(tag);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    const char* glibc = std::getenv("DUET_ADOLC_GLIBC_MALLOC");
    if (glibc == nullptr || *glibc == '\0' || std::string(glibc) == "0") {
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    }
    colpack = probe_colpack();
    std::fprintf(stderr, "bench_peer_adolc_sparse: sparse_jac %s\n",
                 colpack ? "works (ColPack)" : "unavailable (ADOL-C without ColPack): compressed by hand instead");
    benchmark::AddCustomContext("adolc_colpack", colpack ? "1" : "0");
    register_all<ds::lorenz96>();
    register_all<ds::bratu2d>();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (live != nullptr) live->release();
    return 0;
}
