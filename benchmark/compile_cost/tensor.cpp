// Compile cost of tensor reverse mode: the gradient of the window classifier
// s = u . sigmoid(W x + b) w.r.t. W, b, u and x. See README.md.
#include <tuple>

#include <duet/duet.hpp>

double compile_cost_tensor(const xt::xtensor<double, 2>& W, const xt::xtensor<double, 1>& b,
                           const xt::xtensor<double, 1>& u, const xt::xtensor<double, 1>& x,
                           xt::xtensor<double, 2>& gW, xt::xtensor<double, 1>& gb) {
    const auto model = [](const auto& W_, const auto& b_, const auto& u_, const auto& x_) {
        return duet::dot(u_, duet::sigmoid(duet::matmul(W_, x_) + b_));
    };
    const auto r = duet::value_and_gradient(duet::reverse, model, W, b, u, x);
    gW = std::get<0>(r.gradient);
    gb = std::get<1>(r.gradient);
    return r.value;
}
