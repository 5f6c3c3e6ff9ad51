// duet/eigen.hpp: to_eigen of a duet::sparse_matrix (sparse_jacobian,
// sparse_hessian) is an Eigen::SparseMatrix<T, RowMajor> with the same
// entries, compressed; it multiplies like the dense matrix; empty matrices.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include <duet/eigen.hpp>
#include <duet/sparse.hpp>

namespace {

struct tridiagonal_residual {
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::sin;
        const std::size_t n = x.size();
        std::vector<T> y;
        for (std::size_t i = 0; i < n; ++i) {
            T s = 2.0 * x[i] + sin(x[i]);
            if (i > 0) s -= x[i - 1] * x[i];
            if (i + 1 < n) s -= x[i + 1];
            y.push_back(s);
        }
        return y;
    }
};

template <class T>
void require_same(const duet::sparse_matrix<T>& S, const Eigen::SparseMatrix<T, Eigen::RowMajor>& A) {
    REQUIRE(std::size_t(A.rows()) == S.rows());
    REQUIRE(std::size_t(A.cols()) == S.cols());
    REQUIRE(std::size_t(A.nonZeros()) == S.nonzeros());
    CHECK(A.isCompressed());
    const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> D(A);
    for (std::size_t i = 0; i < S.rows(); ++i)
        for (std::size_t j = 0; j < S.cols(); ++j) CHECK(D(Eigen::Index(i), Eigen::Index(j)) == S(i, j));
    // the iteration order is the CSR order
    std::size_t k = 0;
    for (Eigen::Index i = 0; i < A.outerSize(); ++i)
        for (typename Eigen::SparseMatrix<T, Eigen::RowMajor>::InnerIterator it(A, i); it; ++it, ++k) {
            CHECK(std::size_t(it.col()) == S.column_indices()[k]);
            CHECK(it.value() == S.values()[k]);
        }
    CHECK(k == S.nonzeros());
}

}  // namespace

TEST_CASE("eigen: to_eigen of a sparse Jacobian and a sparse Hessian") {
    const std::size_t n = 30;
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 0.3 + 0.1 * double(i % 7);
    const auto J = duet::sparse_jacobian(tridiagonal_residual{}, x);
    const auto A = duet::to_eigen(J);
    static_assert(std::is_same_v<decltype(A), const Eigen::SparseMatrix<double, Eigen::RowMajor>>);
    require_same(J, A);
    // J v through Eigen equals jvp
    Eigen::VectorXd v = Eigen::VectorXd::Zero(Eigen::Index(n));
    std::vector<double> w(n);
    for (std::size_t i = 0; i < n; ++i) w[i] = v[Eigen::Index(i)] = std::cos(double(i));
    const Eigen::VectorXd Av = A * v;
    const auto Jv = duet::jvp(tridiagonal_residual{}, x, w);
    for (std::size_t i = 0; i < n; ++i) CHECK(Av[Eigen::Index(i)] == Approx(Jv[i]).epsilon(1e-14));

    const auto rosen = [](const auto& y) {
        using T = std::decay_t<decltype(y[0])>;
        T s = 0.0;
        for (std::size_t i = 0; i + 1 < y.size(); ++i) s += 100 * pow(y[i + 1] - y[i] * y[i], 2) + pow(1 - y[i], 2);
        return s;
    };
    const auto H = duet::sparse_hessian(rosen, x);
    require_same(H, duet::to_eigen(H));
}

TEST_CASE("eigen: to_eigen of float, long double and empty sparse matrices") {
    std::vector<float> xf{0.5f, 0.25f, 2.0f};
    const auto Jf = duet::sparse_jacobian(tridiagonal_residual{}, xf);
    require_same(Jf, duet::to_eigen(Jf));
    std::vector<long double> xl{0.5L, 0.25L, 2.0L, 1.5L};
    const auto Jl = duet::sparse_jacobian(tridiagonal_residual{}, xl);
    require_same(Jl, duet::to_eigen(Jl));
    const duet::sparse_matrix<double> empty;
    const auto E = duet::to_eigen(empty);
    CHECK(E.rows() == 0);
    CHECK(E.nonZeros() == 0);
    duet::sparsity_pattern none;
    none.rows = 3;
    none.cols = 2;
    none.row_offsets.assign(4, 0);
    const duet::sparse_matrix<double> Z(none, {});
    require_same(Z, duet::to_eigen(Z));
}
