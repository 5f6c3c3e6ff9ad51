#!/usr/bin/env bash
# Mutation check of the tensor layer's derivative rules.
#
# For each mutant below: copy include/ to a temporary directory, make ONE
# edit there (a wrong adjoint or tangent, or a wrong accumulate/overwrite
# flag), compile the tensor tests against the copy (g++ directly, -O0, -I to
# the copy) and run them. A mutant is caught ("killed") when a test fails to
# compile, fails or crashes; it survives when every test passes. The source
# tree is never modified.
#
#   scripts/mutation.sh [-t "fan_out gradients ..."] [-a] [-k] [-m ID] [-j N]
#     -t  the test stems of test/tensor/ to run, in order (default:
#         "fan_out broadcasting axes dot_product_identity gradients"); a mutant
#         stops at the first test that kills it unless -a is given
#     -a  run every test on every mutant (per-test kill counts)
#     -k  keep the temporary directory
#     -m  only the mutant with this id (repeatable: -m 3 -m 7)
#     -j  mutants compiled in parallel (default 1)
#
# Output: one line per mutant (id, killed-by or SURVIVED, description) and
# the score "killed/total". Exit code 0 when every mutant is killed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tests="fan_out broadcasting axes dot_product_identity gradients"
all=0
keep=0
jobs=1
only=()
while getopts "t:akm:j:" opt; do
    case $opt in
        t) tests=$OPTARG ;;
        a) all=1 ;;
        k) keep=1 ;;
        m) only+=("$OPTARG") ;;
        j) jobs=$OPTARG ;;
        *) sed -n '2,25p' "$0"; exit 2 ;;
    esac
done

cxx=${CXX:-g++}
work=$(mktemp -d /tmp/duet-mutation.XXXXXX)
if [[ $keep == 0 ]]; then trap 'rm -rf "$work"' EXIT; fi

# A snapshot of the headers and tests, so that edits made while the check
# runs do not leak into it.
cp -r "$root/include" "$work/pristine-include"
cp -r "$root/test" "$work/pristine-test"

# Catch2's main, compiled once.
cat > "$work/catch_main.cpp" <<'EOF'
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
EOF
"$cxx" -std=c++20 -O0 -DCATCH_CONFIG_FAST_COMPILE -c "$work/catch_main.cpp" -o "$work/catch_main.o"

# The mutants: file (under include/duet/) | text to replace (exactly one
# occurrence; \n for a newline) | replacement | what it models.
mutants=$(cat <<'EOF'
tensor/linear_algebra.hpp|blas::gemm(g, false, b, true, out, accumulate);|blas::gemm(g, false, b, true, out, false);|matmul left adjoint (matrix) overwrites instead of accumulating
tensor/linear_algebra.hpp|blas::gemm(a, true, g, false, out, accumulate);|blas::gemm(a, true, g, false, out, false);|matmul right adjoint (matrix) overwrites
tensor/linear_algebra.hpp|blas::outer(g, b, out, accumulate);  // g bᵀ|blas::outer(g, b, out, false);|matmul left adjoint (matrix x vector) overwrites
tensor/linear_algebra.hpp|blas::gemv(a, true, g, out, accumulate);  // Aᵀ g|blas::gemv(a, true, g, out, false);|matmul right adjoint (matrix x vector) overwrites
tensor/linear_algebra.hpp|blas::gemv(b, false, g, out, accumulate);  // B g|blas::gemv(b, false, g, out, false);|matmul left adjoint (vector x matrix) overwrites
tensor/linear_algebra.hpp|blas::outer(a, g, out, accumulate);  // a gᵀ|blas::outer(a, g, out, false);|matmul right adjoint (vector x matrix) overwrites
tensor/linear_algebra.hpp|if (db) product(a, *db, t, written);|if (db) product(a, *db, t, false);|matmul tangent: dB term overwrites the dA term
tensor/linear_algebra.hpp|blas::gemm(g, false, b, true, out, accumulate);|blas::gemm(g, false, b, false, out, accumulate);|matmul left adjoint G B instead of G Bᵀ
tensor/linear_algebra.hpp|blas::axpy(g(), b.data(), out.data(), b.size(), accumulate);|blas::axpy(g(), b.data(), out.data(), b.size(), false);|dot left adjoint overwrites
tensor/linear_algebra.hpp|blas::axpy(g(), a.data(), out.data(), a.size(), accumulate);|blas::axpy(g(), a.data(), out.data(), a.size(), false);|dot right adjoint overwrites
tensor/linear_algebra.hpp|if (db) s += blas::dot(a.data(), db->data(), a.size());|if (db) s = blas::dot(a.data(), db->data(), a.size());|dot tangent: db term overwrites
tensor/linear_algebra.hpp|blas::gemv(g, false, b, out, accumulate);  // G b|blas::gemv(g, false, b, out, false);|outer left adjoint overwrites
tensor/linear_algebra.hpp|blas::gemv(g, true, a, out, accumulate);  // Gᵀ a|blas::gemv(g, true, a, out, false);|outer right adjoint overwrites
tensor/linear_algebra.hpp|if (db) blas::outer(a, *db, t, written);|if (db) blas::outer(a, *db, t, false);|outer tangent: db term overwrites
tensor/linear_algebra.hpp|        if (accumulate)\n            out += xt::transpose(g);|        if (false)\n            out += xt::transpose(g);|transpose adjoint overwrites
tensor/elementwise.hpp|detail::store(out.data()[i], c, accumulate);|detail::store(out.data()[i], c, false);|elementwise unary adjoint overwrites
tensor/elementwise.hpp|const double c = g.data()[i] * rule.derivative(a.data()[i], y.data()[i]);|const double c = g.data()[i];|elementwise unary adjoint forgets the local derivative
tensor/elementwise.hpp|return rule.right(ai, bi, yi); });|return rule.left(ai, bi, yi); });|elementwise binary right adjoint uses the left partial
tensor/elementwise.hpp|if (d != 0) s += rule.right(pa[ia], pb[ib], py[i]) * d;|if (d != 0) s = rule.right(pa[ia], pb[ib], py[i]) * d;|elementwise binary tangent: right term overwrites
tensor/elementwise.hpp|OVERWRITE_SAME_SHAPE|false|elementwise binary adjoint (same shape) overwrites
tensor/elementwise.hpp|OVERWRITE_REDUCED|true|elementwise binary adjoint of a broadcast operand overwrites (zeroes earlier contributions)
tensor/elementwise.hpp|OVERWRITE_REDUCED|false|elementwise binary adjoint of a broadcast operand adds to uninitialised storage
tensor/elementwise.hpp|SUM_OVER_BROADCAST|=|elementwise binary adjoint of a broadcast operand keeps one element instead of the sum
tensor/reductions.hpp|        if (accumulate)\n            out += c;|        if (false)\n            out += c;|sum adjoint overwrites
tensor/reductions.hpp|SUM_AXIS_OVERWRITE|false|sum(A, axis) adjoint overwrites
tensor/reductions.hpp|const double c = mean ? 1.0 / static_cast<double>(a.shape()[axis]) : 1.0;|const double c = 1.0;|mean(A, axis) adjoint forgets 1/n
tensor/reductions.hpp|blas::axpy(1.0, g.data(), out.data(), g.size(), accumulate);|blas::axpy(1.0, g.data(), out.data(), g.size(), false);|reshape adjoint overwrites
tensor/reductions.hpp|detail::store(out.data()[e], lse_c, accumulate);|detail::store(out.data()[e], lse_c, false);|log_sum_exp adjoint overwrites
tensor/reductions.hpp|out.data()[e] = accumulate ? out.data()[e] + c : c;|out.data()[e] = c;|softmax adjoint overwrites
tensor/reductions.hpp|const double c = s.data()[e] * (g.data()[e] - gs);|const double c = s.data()[e] * (g.data()[e] + gs);|softmax adjoint: g + <g, s> instead of g - <g, s>
tensor/reductions.hpp|t.data()[e] = s.data()[e] * (da.data()[e] - sd);|t.data()[e] = s.data()[e] * da.data()[e];|softmax tangent forgets the - <s, da> term
tensor/reductions.hpp|s += std::exp(a.data()[e] - y.data()[k]) * da.data()[e];|s += da.data()[e];|log_sum_exp tangent forgets the softmax weight
tensor/reductions.hpp|const std::size_t s0 = l.start(k);\n            double gs = 0;|const std::size_t s0 = k * l.n;\n            double gs = 0;|softmax adjoint along an axis walks the wrong lane
tensor/reductions.hpp|detail::store(out.data()[e], prod_c, accumulate);|detail::store(out.data()[e], prod_c, false);|prod adjoint overwrites
tensor/reductions.hpp|const double partial = prefix * suffix[j + 1];|const double partial = suffix[0] / a[e];|prod partial as product / a_j (wrong at a zero element)
tensor/reductions.hpp|if (d != 0) s += partial * d;|if (d != 0) s = partial * d;|prod tangent keeps one term
tensor/reductions.hpp|        if (!accumulate) out.fill(0.0);|        if (true) out.fill(0.0);|amax / amin adjoint zeroes earlier contributions
tensor/reductions.hpp|        if (!accumulate) out.fill(0.0);|        if (false) out.fill(0.0);|amax / amin adjoint adds to uninitialised storage
tensor/reductions.hpp|if (a[s0 + j * l.inner] == y) f(s0 + j * l.inner, 1.0 / static_cast<double>(ties));|if (a[s0 + j * l.inner] == y) f(s0 + j * l.inner, 1.0);|amax / amin ties each get the full derivative
tensor/indexing.hpp|        if (!accumulate) out.fill(0.0);|        if (true) out.fill(0.0);|view / element adjoint zeroes earlier contributions
tensor/indexing.hpp|        if (!accumulate) out.fill(0.0);|        if (false) out.fill(0.0);|view / element adjoint adds to uninitialised storage
tensor/indexing.hpp|out.data()[e] += g.data()[i];|out.data()[e] = g.data()[i];|view / element adjoint scatter overwrites
tensor/indexing.hpp|t.data()[i] = da.data()[e];|t.data()[i] = da.data()[i];|view tangent reads the wrong element
tensor/reductions.hpp|detail::store(out.data()[e], xent_c, accumulate);|detail::store(out.data()[e], xent_c, false);|softmax_cross_entropy adjoint (scores) overwrites
tensor/reductions.hpp|blas::axpy(-g() * scale(l), z.data(), out.data(), z.size(), accumulate);|blas::axpy(-g() * scale(l), z.data(), out.data(), z.size(), false);|softmax_cross_entropy adjoint (targets) overwrites
tensor/reductions.hpp|const double xent_c = c * (s - y.data()[e]);|const double xent_c = c * s;|softmax_cross_entropy adjoint forgets the targets
tensor/evaluate.hpp|                out += g;|                out = g;|a returned variable's adjoint overwrites
tensor/evaluate.hpp|produce(gc, false);|produce(gc, true);|an inner node's adjoint adds to uninitialised storage
drivers/tensor.hpp|produce(std::get<I>(gradients), touched[I]);|produce(std::get<I>(gradients), false);|gradient sink: every contribution overwrites
drivers/tensor.hpp|produce(std::get<I>(gradients), touched[I]);|produce(std::get<I>(gradients), true);|gradient sink: the first contribution adds to uninitialised storage
drivers/tensor.hpp|            sink.reset();\n|\n|reverse Jacobian: rows accumulate (sink not reset)
tensor/blas.hpp|    if (accumulate) {\n        if (m == 0 \|\| n == 0) return;|    if (false) {\n        if (m == 0 \|\| n == 0) return;|blas::outer ignores accumulate
tensor/blas.hpp|    if (!accumulate) {\n        for (std::size_t i = 0; i < n; ++i) out[i] = alpha * x[i];|    if (true) {\n        for (std::size_t i = 0; i < n; ++i) out[i] = alpha * x[i];|blas::axpy ignores accumulate
EOF
)

# Replacements that are easier to state as a pattern than as text (the
# placeholders above): python3 applies them.
apply_mutant() {  # dir file old new
    python3 - "$1/duet/$2" "$3" "$4" <<'PY'
import re, sys
path, old, new = sys.argv[1], sys.argv[2], sys.argv[3]
src = open(path, encoding="utf-8").read()
patterns = {
    "OVERWRITE_SAME_SHAPE": r"(detail::store\(po\[i\], contribution\(i, ia, ib\), )accumulate(\))",
    "OVERWRITE_REDUCED": r"(if \()!accumulate(\) out\.fill\(0\.0\);)",
    "SUM_OVER_BROADCAST": r"(po\[Left \? ia : ib\] )\+=( contribution\(i, ia, ib\);)",
    "SUM_AXIS_OVERWRITE": r"(if \()accumulate(\)\n\s*out \+= c \* spread;)",
}
old = old.replace("\\n", "\n").replace("\\|", "|")
new = new.replace("\\n", "\n").replace("\\|", "|")
if old in patterns:
    found = re.findall(patterns[old], src)
    if len(found) != 1:
        sys.exit(f"mutant pattern {old} matches {len(found)} times in {path}")
    src = re.sub(patterns[old], lambda m: m.group(1) + new + m.group(2), src)
else:
    n = src.count(old)
    if n != 1:
        sys.exit(f"mutant text occurs {n} times in {path}: {old!r}")
    src = src.replace(old, new)
open(path, "w", encoding="utf-8").write(src)
PY
}

run_mutant() {  # id line -> prints a result line
    local id=$1 line=$2
    local file old new what
    IFS='|' read -r file old new what <<<"$(sed 's/\\|/\x01/g' <<<"$line")"
    old=${old//$'\x01'/\\|}; new=${new//$'\x01'/\\|}
    local dir="$work/m$id"
    mkdir -p "$dir"
    cp -r "$work/pristine-include" "$dir/include"
    if ! apply_mutant "$dir/include" "$file" "$old" "$new" 2>"$dir/apply.log"; then
        printf '%3s  NOT APPLIED  %s (%s)\n' "$id" "$what" "$(cat "$dir/apply.log")"
        return
    fi
    local killed=()
    # Reductions and selections are exercised most by the axes tests: try
    # those first (the order only changes how fast a mutant is killed).
    local order=$tests
    if [[ $file == tensor/reductions.hpp || $file == tensor/indexing.hpp ]] && [[ " $tests " == *" axes "* ]]; then
        order="axes ${tests//axes/}"
    fi
    for t in $order; do
        local src="$work/pristine-test/tensor/$t.cpp"
        [[ -f $src ]] || continue
        if ! "$cxx" -std=c++20 -O0 -DCATCH_CONFIG_FAST_COMPILE -I"$dir/include" -I"$work/pristine-test/tensor" \
                -c "$src" -o "$dir/$t.o" 2>"$dir/$t.compile.log"; then
            killed+=("$t(compile)")
        elif ! "$cxx" "$dir/$t.o" "$work/catch_main.o" -lopenblas -o "$dir/$t" 2>>"$dir/$t.compile.log"; then
            killed+=("$t(link)")
        elif ! timeout 300 "$dir/$t" >"$dir/$t.log" 2>&1; then
            killed+=("$t")
        fi
        if [[ ${#killed[@]} -gt 0 && $all == 0 ]]; then break; fi
    done
    if [[ ${#killed[@]} -gt 0 ]]; then
        printf '%3s  killed by %-28s %s\n' "$id" "${killed[*]}" "$what"
    else
        printf '%3s  SURVIVED %-30s %s\n' "$id" "" "$what"
    fi
    [[ $keep == 1 ]] || rm -rf "$dir"
}

selected=()
id=0
while IFS= read -r line; do
    [[ -z $line ]] && continue
    id=$((id + 1))
    if [[ ${#only[@]} -gt 0 ]]; then
        match=0
        for o in "${only[@]}"; do [[ $o == "$id" ]] && match=1; done
        [[ $match == 1 ]] || continue
    fi
    selected+=("$id")
    printf '%s\n' "$line" > "$work/line.$id"
done <<<"$mutants"

echo "duet mutation check: ${#selected[@]} mutants, tests: $tests, compiler: $cxx"
export -f run_mutant apply_mutant
export root work tests all keep cxx
printf '%s\n' "${selected[@]}" |
    xargs -P "$jobs" -I{} bash -c 'run_mutant {} "$(cat "$work/line.{}")"' |
    tee "$work/results.txt"

total=$(grep -c . "$work/results.txt" || true)
killed=$(grep -c "killed by" "$work/results.txt" || true)
skipped=$(grep -c "NOT APPLIED" "$work/results.txt" || true)
echo "score: $killed/$((total - skipped)) mutants killed ($skipped not applicable)"
[[ $killed -eq $((total - skipped)) ]]
