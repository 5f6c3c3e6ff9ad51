// The tensor layer's reusable storage: one pool of released tensor buffers
// per thread.
//
// A tensor gradient allocates every inner node's value (the cache of
// evaluate()), every inner node's adjoint and the operations' temporaries.
// Freed after each call, blocks above glibc's mmap/trim thresholds went back
// to the kernel and were page-faulted in again by the next call: 100-300x
// the plain loop from n = 4096 on (doc/performance.md, "the tensor cliff").
// Instead, tensors that the tensor layer owns give their storage back to
// this thread's pool when they die, and the next tensor of the same number
// of elements takes it from there: after the first call, a repeated driver
// call on the same shapes allocates only what it returns to the caller
// (and the few 8-byte scalars of the expression's constants).
//
//   detail::workspace_tensor<K>(shape)   a tensor<K> of that shape, storage
//                                        taken from the pool when a buffer
//                                        of that size is there (contents
//                                        unspecified, as from_shape)
//   detail::recycle(std::move(t))        gives t's storage to the pool
//   detail::pooled<K>                    owns a tensor<K>, recycles it when
//                                        destroyed (the value caches, the
//                                        adjoints of inner nodes, owned
//                                        tangents)
//   detail::tensor_workspace_scope       marks a driver call (below)
//   release_tensor_workspace()           frees this thread's pool
//   tensor_workspace_memory()            bytes it holds
//
// Invariant (lifetime): a buffer is owned by exactly one tensor or is in
// exactly one thread's free list, never both. The pool hands out only
// buffers nobody owns, so nested and re-entrant calls (a gradient inside the
// function being differentiated), two caches alive at once and other
// threads (each has its own pool; a buffer released on another thread just
// joins that thread's list) need no busy flag, unlike the tape's workspace
// (reverse/workspace.hpp). A tensor handed to the caller (a gradient, a
// plain result) may hold a pooled buffer: it is then the caller's, freed by
// the ordinary allocator; the pool keeps no pointer to it. The pool may be
// released at any time, even inside a driver (buffers in use are not in it).
// Bounds: at most max_buffers buffers; at the end of each outermost driver
// call on the thread, buffers not reused during the last keep_calls such
// calls are freed, so shapes no longer used do not hold memory for long.
// After the thread's pool is destroyed (thread exit), tensors die normally.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <xtensor/xstrides.hpp>
#include <xtensor/xtensor.hpp>

namespace duet {

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

namespace detail {

using tensor_buffer = typename tensor<1>::storage_type;  // the same for every rank

class tensor_pool {
public:
    static constexpr std::size_t max_buffers = 256;
    static constexpr std::uint64_t keep_calls = 4;

    explicit tensor_pool(bool* dead) : dead_(dead) { free_.reserve(64); }
    ~tensor_pool() { *dead_ = true; }
    tensor_pool(const tensor_pool&) = delete;
    tensor_pool& operator=(const tensor_pool&) = delete;

    // A released buffer of exactly n elements (the most recent), if any.
    bool take(std::size_t n, tensor_buffer& out) {
        for (std::size_t i = free_.size(); i-- > 0;) {
            if (free_[i].buffer.size() == n) {
                out = std::move(free_[i].buffer);
                bytes_ -= n * sizeof(double);
                free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
                return true;
            }
        }
        return false;
    }
    void give(tensor_buffer&& b) {
        const std::size_t n = b.size();
        if (n == 0) return;
        if (free_.size() == max_buffers) {  // the oldest goes
            bytes_ -= free_.front().buffer.size() * sizeof(double);
            free_.erase(free_.begin());
        }
        free_.push_back({std::move(b), epoch_});
        bytes_ += n * sizeof(double);
    }
    void enter() { ++depth_; }
    void leave() {
        if (--depth_ != 0) return;
        ++epoch_;
        std::size_t kept = 0;
        for (auto& e : free_) {
            if (e.epoch + keep_calls >= epoch_)
                free_[kept++] = std::move(e);
            else
                bytes_ -= e.buffer.size() * sizeof(double);
        }
        free_.resize(kept);
    }
    void clear() {
        free_.clear();
        free_.shrink_to_fit();
        bytes_ = 0;
    }
    std::size_t bytes() const { return bytes_; }
    std::size_t buffers() const { return free_.size(); }

private:
    struct entry {
        tensor_buffer buffer;
        std::uint64_t epoch;  // the outermost call it was released in
    };
    std::vector<entry> free_;  // most recently released last
    std::size_t bytes_ = 0;
    std::uint64_t epoch_ = 0;  // outermost driver calls finished on this thread
    unsigned depth_ = 0;       // driver calls running on this thread
    bool* dead_;
};

// This thread's pool, or nullptr once it has been destroyed (thread exit).
inline tensor_pool* this_thread_tensor_pool() {
    thread_local bool dead = false;  // trivially destructible: readable during teardown
    if (dead) return nullptr;
    thread_local tensor_pool pool(&dead);
    return &pool;
}

// A tensor<K> of the given shape; its storage comes from the pool when a
// buffer of that many elements is there. Contents unspecified.
template <std::size_t K, class Shape>
tensor<K> workspace_tensor(const Shape& shape) {
    typename tensor<K>::shape_type s{};
    std::size_t n = 1;
    for (std::size_t d = 0; d < K; ++d) {
        s[d] = static_cast<std::size_t>(shape[d]);
        n *= s[d];
    }
    tensor_buffer buffer;
    tensor_pool* pool = n != 0 ? this_thread_tensor_pool() : nullptr;
    if (pool == nullptr || !pool->take(n, buffer)) return tensor<K>::from_shape(s);
    typename tensor<K>::strides_type strides{};
    xt::compute_strides(s, xt::layout_type::row_major, strides);
    return tensor<K>(std::move(buffer), std::move(s), std::move(strides));
}

// A rank-0 tensor holding v, from the pool when it can.
inline tensor<0> workspace_scalar(double v) {
    auto t = workspace_tensor<0>(std::array<std::size_t, 0>{});
    t() = v;
    return t;
}

// Gives t's storage to this thread's pool (t is left empty).
template <std::size_t K>
void recycle(tensor<K>&& t) {
    if (t.storage().size() == 0) return;
    if (tensor_pool* pool = this_thread_tensor_pool()) pool->give(std::move(t.storage()));
}

// Owns a tensor<K> and recycles its storage when destroyed.
template <std::size_t K>
class pooled {
public:
    pooled(tensor<K>&& t) noexcept : t_(std::move(t)) {}  // NOLINT: implicit on purpose
    pooled(const pooled&) = default;
    pooled(pooled&&) noexcept = default;
    pooled& operator=(const pooled&) = default;
    pooled& operator=(pooled&& o) noexcept {
        if (this != &o) {
            recycle(std::move(t_));
            t_ = std::move(o.t_);
        }
        return *this;
    }
    ~pooled() { recycle(std::move(t_)); }

    tensor<K>& get() { return t_; }
    const tensor<K>& get() const { return t_; }

private:
    tensor<K> t_;
};

// Marks one driver call on this thread (for the pool's age bound).
class tensor_workspace_scope {
public:
    tensor_workspace_scope() : pool_(this_thread_tensor_pool()) {
        if (pool_) pool_->enter();
    }
    ~tensor_workspace_scope() {
        if (pool_) pool_->leave();
    }
    tensor_workspace_scope(const tensor_workspace_scope&) = delete;
    tensor_workspace_scope& operator=(const tensor_workspace_scope&) = delete;

private:
    tensor_pool* pool_;
};

}  // namespace detail

// Frees the buffers this thread's tensor workspace holds. Safe at any time,
// also inside a driver call (buffers in use are not in the workspace).
inline void release_tensor_workspace() {
    if (detail::tensor_pool* pool = detail::this_thread_tensor_pool()) pool->clear();
}

// Bytes held by this thread's tensor workspace (released buffers waiting
// for reuse).
inline std::size_t tensor_workspace_memory() {
    const detail::tensor_pool* pool = detail::this_thread_tensor_pool();
    return pool ? pool->bytes() : 0;
}

}  // namespace duet
