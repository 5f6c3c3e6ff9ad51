// The random-program fuzzer: random generic programs (test/fuzz/program.hpp)
// run with double, long double, dual, var (the tape), dual<dual> and
// var<dual>, checked against each other and against central differences
// (test/fuzz/check.hpp). doc/testing.md describes the design and the long
// run:
//
//   DUET_FUZZ_PROGRAMS=100000 [DUET_FUZZ_SEED=s] [DUET_FUZZ_FIRST=k]
//   build/test/test_fuzz_programs "fuzz: random programs"
//
// A mismatch prints the program as C++, the point, every mode's results and
// the line that reproduces it alone.
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

#include "check.hpp"

namespace {

fuzz::run_options options_from_environment(long default_programs) {
    fuzz::run_options o;
    o.seed = fuzz::env_u64("DUET_FUZZ_SEED", o.seed);
    o.first = fuzz::env_u64("DUET_FUZZ_FIRST", 0);
    o.programs = fuzz::env_long("DUET_FUZZ_PROGRAMS", default_programs);
    o.max_reports = int(fuzz::env_long("DUET_FUZZ_REPORTS", 5));
    return o;
}

}  // namespace

TEST_CASE("fuzz: random programs", "[fuzz]") {
    // CI size: about a second. The long run sets DUET_FUZZ_PROGRAMS.
    const fuzz::run_options o = options_from_environment(20000);
    const auto start = std::chrono::steady_clock::now();
    const fuzz::counters c = fuzz::run_programs(o);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "fuzz (seed " << o.seed << ", programs " << o.first << ".." << o.first + std::uint64_t(o.programs)
              << ", " << seconds << " s): " << c.summary() << "\n";
    for (const auto& report : c.reports) std::cout << report << "\n";
    for (const auto& report : c.reports) FAIL_CHECK(report);
    CHECK(c.mismatches == 0);
    // The run checked something: most programs have usable points, and
    // central differences were usable for most partials.
    CHECK(c.points >= c.programs);
    CHECK(c.fd_checked * 2 >= c.points);
}

TEST_CASE("fuzz: the checker catches wrong derivatives", "[fuzz]") {
    // A derivative wrong by 1e-5 in every mode (values unchanged): only the
    // central differences can see it, and they must.
    fuzz::run_options o;
    o.programs = 40;
    o.sab.first_order = 1e-5;
    o.max_reports = 1;
    const fuzz::counters wrong_everywhere = fuzz::run_programs(o);
    INFO(wrong_everywhere.summary());
    CHECK(wrong_everywhere.mismatches >= wrong_everywhere.points / 2);
    REQUIRE(!wrong_everywhere.reports.empty());
    CHECK(wrong_everywhere.reports[0].find("central differences") != std::string::npos);

    // Wrong by 1e-8 on the tape only: below what central differences can
    // resolve, caught by the mode comparison.
    o.sab = {};
    o.sab.tape_only = 1e-8;
    const fuzz::counters wrong_tape = fuzz::run_programs(o);
    INFO(wrong_tape.summary());
    // (A point whose gradient is above 100 hides a 1e-8 absolute error
    // below the 1e-10 relative tolerance.)
    CHECK(wrong_tape.mismatches * 10 >= wrong_tape.points * 9);
    REQUIRE(!wrong_tape.reports.empty());
    CHECK(wrong_tape.reports[0].find("forward and tape gradients differ") != std::string::npos);
}

TEST_CASE("fuzz: programs are reproducible and printable", "[fuzz]") {
    const fuzz::program a = fuzz::generate(7, 12345);
    const fuzz::program b = fuzz::generate(7, 12345);
    CHECK(fuzz::to_cpp(a) == fuzz::to_cpp(b));
    CHECK(fuzz::to_cpp(a) != fuzz::to_cpp(fuzz::generate(7, 12346)));
    CHECK(fuzz::to_cpp(a).find("template <class T>") != std::string::npos);
    // The generator covers every statement kind, constant form and spelling
    // within a CI run.
    std::array<int, 12> kinds{};
    std::array<int, 6> forms{};
    std::array<int, 3> spellings{};
    std::function<void(const std::vector<fuzz::stmt>&)> visit = [&](const std::vector<fuzz::stmt>& body) {
        for (const auto& s : body) {
            kinds[std::size_t(s.k)]++;
            forms[std::size_t(s.k1.f)]++;
            spellings[std::size_t(s.sp)]++;
            visit(s.then_body);
            visit(s.else_body);
        }
    };
    for (std::uint64_t i = 0; i < 400; ++i) visit(fuzz::generate(20261207, i).body);
    for (int k : kinds) CHECK(k > 0);
    for (int f : forms) CHECK(f > 0);
    for (int s : spellings) CHECK(s > 0);
}
