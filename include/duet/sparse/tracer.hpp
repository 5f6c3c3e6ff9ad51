// Sparsity tracers: number types that carry, instead of derivatives, the SET
// of inputs a value depends on. One evaluation of f on tracers gives the
// sparsity pattern of its Jacobian or Hessian (sparse/sparsity.hpp).
//
//   jacobian_tracer<T>  a leaf with a value T and a dependency set (sorted
//                       input indices). Assigning an expression to it
//                       evaluates the value and takes the union of the sets
//                       of every leaf occurrence, whatever the partial's
//                       value (structural: x * 0, abs at 0, relu below 0
//                       keep their dependence). Constants have no
//                       dependencies.
//   hessian_tracer<T>   a leaf whose value is a jacobian_tracer<T>, as
//                       dual<dual<T>> nests: the rules are evaluated with
//                       jacobian tracers, so each leaf's partial comes back
//                       as a jacobian_tracer whose set is the set of inputs
//                       the partial depends on. For s = phi(a_1..a_k),
//                         H_s = sum_i p_i H_{a_i} + sum_i grad(a_i) grad(p_i)^T,
//                       so each statement records set(a_i) x set(p_i) and
//                       its transpose; the union over all statements (kept
//                       by the hessian_sparsity call, see hessian_recorder)
//                       is a conservative Hessian pattern. Linear operations
//                       have constant partials (empty sets) and record
//                       nothing.
//
// Comparisons, rounding (floor, ...) and classification look at values
// only, as for every duet number: a branch follows the value at the point
// of evaluation, so the pattern is that of the branch taken there.
//
// The dependency sets are immutable values: up to inline_capacity indices
// are stored in the tracer itself (no allocation for the small sets of
// typical sparse problems), larger ones in one heap block shared by copies
// through a reference count. Expressions hold their leaves by value (core/
// expression.hpp), so a copy must be cheap even for a dense row. The count
// is not atomic: a tracer and its copies belong to one thread.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/functions.hpp"
#include "duet/core/numeric_limits.hpp"
#include "duet/sparse/pattern.hpp"

namespace duet {

struct jacobian_sparsity_mode {};
struct hessian_sparsity_mode {};

namespace detail {

// A sorted set of input indices without repeats (see the header comment).
class index_set {
public:
    static constexpr std::uint32_t inline_capacity = 6;

    constexpr index_set() noexcept {}

    // The set of the n sorted, distinct indices at first.
    index_set(const std::uint32_t* first, std::size_t n) : size_(static_cast<std::uint32_t>(n)) {
        std::uint32_t* out = data_.small;
        if (is_heap()) {
            data_.heap = allocate(n, n);
            out = data_.heap + header;
        }
        std::copy(first, first + n, out);
    }
    explicit index_set(std::uint32_t index) : size_(1) { data_.small[0] = index; }

    // Copies share a heap block; the storage union is trivially copyable.
    index_set(const index_set& other) noexcept : size_(other.size_), data_(other.data_) {
        if (is_heap()) ++data_.heap[0];
    }
    index_set(index_set&& other) noexcept : size_(other.size_), data_(other.data_) { other.size_ = 0; }
    index_set& operator=(const index_set& other) noexcept {
        index_set copy(other);
        swap(copy);
        return *this;
    }
    index_set& operator=(index_set&& other) noexcept {
        index_set moved(std::move(other));
        swap(moved);
        return *this;
    }
    constexpr ~index_set() {
        if (is_heap()) release(data_.heap);
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const std::uint32_t* begin() const noexcept { return is_heap() ? data_.heap + header : data_.small; }
    const std::uint32_t* end() const noexcept { return begin() + size_; }

    // The same storage (views of one heap block of the same length), or
    // both empty.
    bool shares(const index_set& other) const noexcept {
        return size_ == other.size_ && (size_ == 0 || (is_heap() && data_.heap == other.data_.heap));
    }

    friend bool operator==(const index_set& a, const index_set& b) noexcept {
        return a.shares(b) || (a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin()));
    }

    // Whether every index of other is in *this.
    bool includes(const index_set& other) const noexcept {
        if (other.size_ > size_) return false;
        if (other.empty()) return true;
        // A shorter view of the same block is a prefix.
        if (is_heap() && other.is_heap() && data_.heap == other.data_.heap) return true;
        if (other.size_ <= 8) {
            for (const std::uint32_t j : other)
                if (!std::binary_search(begin(), end(), j)) return false;
            return true;
        }
        return std::includes(begin(), end(), other.begin(), other.end());
    }

    // *this followed by the n sorted indices at first, all greater than
    // back(), when *this is a heap set that is the longest view of its block
    // (no other set extends it): the indices are appended to the block in
    // place (doubling its capacity when full) and the result is a longer view
    // of it. Sets that share the block keep their own length, so their
    // contents do not change. A sum accumulated in a loop over increasing
    // indices (s += f(x[i], x[i+1])) then costs O(1) per statement instead
    // of a copy of s. Returns false (and does nothing) otherwise.
    bool append_to(const std::uint32_t* first, std::size_t n, index_set& out) const {
        if (!is_heap() || data_.heap[1] != size_ || n == 0 || first[0] <= end()[-1]) return false;
        std::uint32_t* block = data_.heap;
        const std::size_t needed = std::size_t(size_) + n;
        if (needed > std::numeric_limits<std::uint32_t>::max()) return false;
        if (needed > block[2]) {
            const std::size_t doubled = std::min<std::size_t>(2 * std::size_t(block[2]),
                                                              std::numeric_limits<std::uint32_t>::max());
            std::uint32_t* grown = allocate(needed, std::max(needed, doubled));
            std::copy(begin(), end(), grown + header);
            block = grown;
            std::copy(first, first + n, block + header + size_);
            block[1] = static_cast<std::uint32_t>(needed);
            out = index_set();
            out.size_ = static_cast<std::uint32_t>(needed);
            out.data_.heap = block;  // the new block's one reference
            return true;
        }
        std::copy(first, first + n, block + header + size_);
        block[1] = static_cast<std::uint32_t>(needed);
        ++block[0];
        out = index_set();
        out.size_ = static_cast<std::uint32_t>(needed);
        out.data_.heap = block;
        return true;
    }

    void swap(index_set& other) noexcept {
        std::swap(size_, other.size_);
        std::swap(data_, other.data_);
    }

private:
    constexpr bool is_heap() const noexcept { return size_ > inline_capacity; }

    // A heap block: [0] reference count, [1] the length used (the longest
    // view), [2] capacity, then the indices.
    static constexpr std::size_t header = 3;
    static std::uint32_t* allocate(std::size_t used, std::size_t capacity) {
        std::uint32_t* block = new std::uint32_t[header + capacity];
        block[0] = 1;
        block[1] = static_cast<std::uint32_t>(used);
        block[2] = static_cast<std::uint32_t>(capacity);
        return block;
    }

    // Drops one reference to a heap block. Not inlined: GCC 12 inlines the
    // delete into a copy's destructor and then warns (-Wuse-after-free) that
    // another copy reads the freed count, which it cannot: the count was
    // positive while that copy lived. Only sets larger than inline_capacity
    // pay the call.
#if defined(__GNUC__) || defined(__clang__)
    [[gnu::noinline]]
#endif
    static constexpr void release(std::uint32_t* block) noexcept {
        if (--block[0] == 0) delete[] block;
    }

    union storage {
        std::uint32_t small[inline_capacity];
        std::uint32_t* heap;  // a block (allocate), viewed up to size_
    };
    std::uint32_t size_ = 0;
    storage data_{};
};

// The union of the nonempty sets *sets[0 .. k). The common cases allocate
// nothing: all sets within the largest one (x * x, s + t with t in s), and
// a union of at most inline_capacity indices.
inline index_set unite(const index_set* const* sets, std::size_t k) {
    const index_set* largest = nullptr;
    std::size_t total = 0;
    for (std::size_t i = 0; i < k; ++i) {
        total += sets[i]->size();
        if (!largest || sets[i]->size() > largest->size()) largest = sets[i];
    }
    if (!largest) return {};
    bool contained = true;
    for (std::size_t i = 0; i < k && contained; ++i)
        if (sets[i] != largest) contained = largest->includes(*sets[i]);
    if (contained) return *largest;
    constexpr std::size_t small = 64;
    if (total <= small) {
        std::array<std::uint32_t, small> buffer;
        std::size_t n = 0;
        for (std::size_t i = 0; i < k; ++i)
            for (const std::uint32_t j : *sets[i]) buffer[n++] = j;
        std::sort(buffer.begin(), buffer.begin() + std::ptrdiff_t(n));
        n = std::size_t(std::unique(buffer.begin(), buffer.begin() + std::ptrdiff_t(n)) - buffer.begin());
        return index_set(buffer.data(), n);
    }
    // Large sets (a dense row, a long sum). When the others add a few
    // indices above the largest one's, append them to its block.
    if (total - largest->size() <= small) {
        std::array<std::uint32_t, small> added;
        std::size_t n = 0;
        for (std::size_t i = 0; i < k; ++i)
            if (sets[i] != largest)
                for (const std::uint32_t j : *sets[i]) added[n++] = j;
        std::sort(added.begin(), added.begin() + std::ptrdiff_t(n));
        n = std::size_t(std::unique(added.begin(), added.begin() + std::ptrdiff_t(n)) - added.begin());
        // Those already in the largest set need no place (x[i] in
        // s += f(x[i], x[i+1]) after the previous statement added it).
        const std::uint32_t* begin = largest->begin();
        const std::uint32_t* end = largest->end();
        n = std::size_t(std::remove_if(added.begin(), added.begin() + std::ptrdiff_t(n),
                                       [&](std::uint32_t j) { return std::binary_search(begin, end, j); }) -
                        added.begin());
        index_set out;
        if (largest->append_to(added.data(), n, out)) return out;
    }
    // Otherwise merge one set at a time into the largest, in scratch
    // buffers the thread keeps.
    thread_local std::vector<std::uint32_t> merged, next;
    merged.assign(largest->begin(), largest->end());
    for (std::size_t i = 0; i < k; ++i) {
        if (sets[i] == largest) continue;
        next.resize(merged.size() + sets[i]->size());
        const auto end = std::set_union(merged.begin(), merged.end(), sets[i]->begin(), sets[i]->end(), next.begin());
        next.resize(std::size_t(end - next.begin()));
        merged.swap(next);
    }
    return index_set(merged.data(), merged.size());
}

// Collects the sets of the leaf occurrences of one statement, then unites
// them. Holds pointers into the statement's expression, which outlives it.
class set_union_builder {
public:
    void add(const index_set& s) {
        if (s.empty()) return;
        if (count_ > 0 && (sets_[count_ - 1] == &s || sets_[count_ - 1]->shares(s))) return;
        if (count_ == sets_.size()) {  // a long statement: fold what we have
            folded_ = unite(sets_.data(), count_);
            sets_[0] = &folded_;
            count_ = 1;
        }
        sets_[count_++] = &s;
    }
    index_set result() const {
        if (count_ == 0) return {};
        if (count_ == 1) return *sets_[0];
        return unite(sets_.data(), count_);
    }

private:
    std::array<const index_set*, 16> sets_{};
    std::size_t count_ = 0;
    index_set folded_;
};

// The pairs of dependency sets a Hessian detection records, and the
// pattern they span. One per hessian_sparsity call, on that call's stack;
// active() points to it for the duration of the call on the calling thread
// (hessian_recorder::scope), and to the recorder it interrupted afterwards.
// Tracers assigned while no recorder is active (outside hessian_sparsity,
// or on another thread) record nothing.
class hessian_recorder {
public:
    static hessian_recorder*& active() {
        thread_local hessian_recorder* current = nullptr;
        return current;
    }

    // Makes r the active recorder until the end of the scope.
    class scope {
    public:
        explicit scope(hessian_recorder& r) : previous_(active()) { active() = &r; }
        ~scope() { active() = previous_; }
        scope(const scope&) = delete;
        scope& operator=(const scope&) = delete;

    private:
        hessian_recorder* previous_;
    };

    // Records the interactions a x b and b x a.
    void add(const index_set& a, const index_set& b) {
        if (a.empty() || b.empty()) return;
        if (!records_.empty() && records_.back().first == a && records_.back().second == b) return;
        records_.emplace_back(a, b);
    }

    // The n x n pattern: (i, j) for every record (a, b) with i in a and j in
    // b or i in b and j in a. Row by row from an incidence list (which
    // records touch row i), with a marker per column: memory is the
    // records' sizes plus the pattern, never the product of the sets.
    sparsity_pattern pattern(std::size_t n) const {
        std::vector<std::size_t> offsets(n + 1, 0);
        for (const auto& [a, b] : records_) {
            for (const std::uint32_t i : a) ++offsets[i + 1];
            for (const std::uint32_t j : b) ++offsets[j + 1];
        }
        for (std::size_t i = 0; i < n; ++i) offsets[i + 1] += offsets[i];
        std::vector<const index_set*> touching(offsets[n]);
        {
            std::vector<std::size_t> cursor(offsets.begin(), offsets.end() - 1);
            for (const auto& [a, b] : records_) {
                for (const std::uint32_t i : a) touching[cursor[i]++] = &b;
                for (const std::uint32_t j : b) touching[cursor[j]++] = &a;
            }
        }
        sparsity_pattern p;
        p.rows = n;
        p.cols = n;
        p.row_offsets.assign(n + 1, 0);
        std::vector<std::size_t> mark(n, std::size_t(-1));
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t row_start = p.column_indices.size();
            for (std::size_t r = offsets[i]; r < offsets[i + 1]; ++r)
                for (const std::uint32_t j : *touching[r])
                    if (mark[j] != i) {
                        mark[j] = i;
                        p.column_indices.push_back(j);
                    }
            std::sort(p.column_indices.begin() + std::ptrdiff_t(row_start), p.column_indices.end());
            p.row_offsets[i + 1] = p.column_indices.size();
        }
        return p;
    }

private:
    std::vector<std::pair<index_set, index_set>> records_;
};

}  // namespace detail

template <std::floating_point T>
class jacobian_tracer;
template <std::floating_point T>
class hessian_tracer;

template <class T>
struct leaf_traits<jacobian_tracer<T>> {
    using value_type = T;
    using family = duet::family<jacobian_sparsity_mode, T, 1>;
    static constexpr const T& value(const jacobian_tracer<T>& t) { return t.value(); }
};
template <class T>
struct scalar_of<jacobian_tracer<T>> {
    using type = T;
};

template <class T>
struct leaf_traits<hessian_tracer<T>> {
    using value_type = jacobian_tracer<T>;
    using family = duet::family<hessian_sparsity_mode, jacobian_tracer<T>, 1>;
    static constexpr const jacobian_tracer<T>& value(const hessian_tracer<T>& t) { return t.value(); }
};
template <class T>
struct scalar_of<hessian_tracer<T>> {
    using type = T;
};

// A value and the set of inputs it depends on.
template <std::floating_point T>
class jacobian_tracer {
    using own_family = duet::family<jacobian_sparsity_mode, T, 1>;
    template <class E>
    static constexpr bool is_own_expression = expression_of<E, own_family>;

public:
    using value_type = T;

    constexpr jacobian_tracer() = default;

    // A number: no dependencies.
    template <class U>
        requires(!is_own_expression<U> && !std::is_same_v<std::remove_cvref_t<U>, jacobian_tracer> &&
                 std::is_constructible_v<T, const U&>)
    constexpr jacobian_tracer(const U& v) : value_(T(v)) {}

    // Input j of a detection: depends on itself.
    static jacobian_tracer independent(const T& v, std::uint32_t j) {
        jacobian_tracer t(v);
        t.dependencies_ = detail::index_set(j);
        return t;
    }

    template <class E>
        requires is_own_expression<E> && (!std::is_same_v<std::remove_cvref_t<E>, jacobian_tracer>)
    jacobian_tracer(const E& e) {
        assign(e);
    }
    template <class E>
        requires is_own_expression<E> && (!std::is_same_v<std::remove_cvref_t<E>, jacobian_tracer>)
    jacobian_tracer& operator=(const E& e) {
        assign(e);
        return *this;
    }
    template <class U>
        requires(!is_own_expression<U> && std::is_constructible_v<T, const U&>)
    jacobian_tracer& operator=(const U& v) {
        value_ = T(v);
        dependencies_ = {};
        return *this;
    }

    // Compound assignment reads copies of *this, so `x *= x` is safe.
    template <class E>
    jacobian_tracer& operator+=(const E& e) { return *this = *this + e; }
    template <class E>
    jacobian_tracer& operator-=(const E& e) { return *this = *this - e; }
    template <class E>
    jacobian_tracer& operator*=(const E& e) { return *this = *this * e; }
    template <class E>
    jacobian_tracer& operator/=(const E& e) { return *this = *this / e; }

    constexpr const T& value() const { return value_; }
    // The inputs this value depends on, ascending.
    const detail::index_set& dependencies() const { return dependencies_; }

    // A value with the union of two tracers' dependencies (the product of
    // an adjoint and a partial in a Hessian detection).
    friend jacobian_tracer structural_product(const jacobian_tracer& a, const jacobian_tracer& b) {
        jacobian_tracer out(chain_product(a.value_, b.value_));
        const detail::index_set* sets[2] = {&a.dependencies_, &b.dependencies_};
        if (a.dependencies_.empty()) out.dependencies_ = b.dependencies_;
        else if (b.dependencies_.empty()) out.dependencies_ = a.dependencies_;
        else out.dependencies_ = detail::unite(sets, 2);
        return out;
    }

private:
    template <class E>
    void assign(const E& e) {
        const auto cache = duet::evaluate(e);
        detail::set_union_builder sets;
        // Structural: every leaf occurrence counts, whatever its partial.
        auto accumulate = [&sets](const jacobian_tracer& leaf, const T&) { sets.add(leaf.dependencies_); };
        duet::sweep(cache, T(1), accumulate);
        value_ = cache.value;
        dependencies_ = sets.result();
    }

    T value_{};
    detail::index_set dependencies_;
};

// The chain-rule product of two jacobian tracers (a Hessian detection's
// adjoint times a partial): its dependencies are both factors' even when
// either value is zero (structural; the strong-zero rule of
// core/strong_zero.hpp applies to the value only). Found by
// argument-dependent lookup from the sweep of core/evaluate.hpp.
template <class T>
DUET_INLINE jacobian_tracer<T> chain_product(const jacobian_tracer<T>& a, const jacobian_tracer<T>& b) {
    return structural_product(a, b);
}

// A value whose own value is a jacobian_tracer (the set of inputs it
// depends on); assigning an expression to it records the statement's
// second-order interactions in the active hessian_recorder.
template <std::floating_point T>
class hessian_tracer {
    using J = jacobian_tracer<T>;
    using own_family = duet::family<hessian_sparsity_mode, J, 1>;
    template <class E>
    static constexpr bool is_own_expression = expression_of<E, own_family>;

public:
    using value_type = J;

    constexpr hessian_tracer() = default;

    // A number, a jacobian_tracer or an expression of them: a constant here
    // (no second-order interactions of its own).
    template <class U>
        requires(!is_own_expression<U> && !std::is_same_v<std::remove_cvref_t<U>, hessian_tracer> &&
                 std::is_constructible_v<J, const U&>)
    constexpr hessian_tracer(const U& v) : value_(J(v)) {}

    // Input j of a detection.
    static hessian_tracer independent(const T& v, std::uint32_t j) {
        hessian_tracer t;
        t.value_ = J::independent(v, j);
        return t;
    }

    template <class E>
        requires is_own_expression<E> && (!std::is_same_v<std::remove_cvref_t<E>, hessian_tracer>)
    hessian_tracer(const E& e) {
        assign(e);
    }
    template <class E>
        requires is_own_expression<E> && (!std::is_same_v<std::remove_cvref_t<E>, hessian_tracer>)
    hessian_tracer& operator=(const E& e) {
        assign(e);
        return *this;
    }
    template <class U>
        requires(!is_own_expression<U> && std::is_constructible_v<J, const U&>)
    hessian_tracer& operator=(const U& v) {
        value_ = J(v);
        return *this;
    }

    template <class E>
    hessian_tracer& operator+=(const E& e) { return *this = *this + e; }
    template <class E>
    hessian_tracer& operator-=(const E& e) { return *this = *this - e; }
    template <class E>
    hessian_tracer& operator*=(const E& e) { return *this = *this * e; }
    template <class E>
    hessian_tracer& operator/=(const E& e) { return *this = *this / e; }

    constexpr const J& value() const { return value_; }
    // The inputs this value depends on (its gradient's pattern), ascending.
    const detail::index_set& dependencies() const { return value_.dependencies(); }

private:
    template <class E>
    void assign(const E& e) {
        const auto cache = duet::evaluate(e);
        detail::hessian_recorder* recorder = detail::hessian_recorder::active();
        // For each leaf occurrence a with total partial p (a jacobian_tracer
        // over the path's local partials): grad(a) grad(p)^T.
        auto accumulate = [recorder](const hessian_tracer& leaf, const J& partial) {
            if (recorder) recorder->add(leaf.value_.dependencies(), partial.dependencies());
        };
        duet::sweep(cache, J(1), accumulate);
        value_ = cache.value;
    }

    J value_{};
};

template <class T>
std::ostream& operator<<(std::ostream& os, const jacobian_tracer<T>& t) {
    os << t.value() << " {";
    bool first = true;
    for (const std::uint32_t j : t.dependencies()) {
        os << (first ? "" : ", ") << j;
        first = false;
    }
    return os << "}";
}
template <class T>
std::ostream& operator<<(std::ostream& os, const hessian_tracer<T>& t) {
    return os << t.value();
}

}  // namespace duet

template <class T>
struct std::numeric_limits<duet::jacobian_tracer<T>> : duet::numeric_limits_from<duet::jacobian_tracer<T>, T> {};
template <class T>
struct std::numeric_limits<duet::hessian_tracer<T>> : duet::numeric_limits_from<duet::hessian_tracer<T>, T> {};
