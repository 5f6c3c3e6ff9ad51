// A deep chain of scalar sigmoid layers h_i = sigmoid(w_i h_{i-1} + b_i)
// with a cross-entropy loss, trained by mini-batch SGD (sampling with and
// without replacement).
//
// Model. One input x in R, L = 8 layers, each with a scalar weight and bias:
//     h_0 = x,   z_i = w_i h_{i-1} + b_i,   h_i = sigmoid(z_i)   (i = 1..L),
// and p = h_L = P(y = 1 | x). The parameters are w, b in R^L
// (xt::xtensor<double, 1>). The cross-entropy of one labelled example is
//     J = -y log p - (1 - y) log(1 - p) = softplus((1 - 2y) z_L)   (y in {0, 1}),
// since -log sigmoid(z) = softplus(-z) and -log(1 - sigmoid(z)) = softplus(z).
// The second form is the one evaluated: stable, and z_L is used only once.
//
// Backpropagation (for the record; duet derives it from the code below):
//     ∂J/∂z_L = p - y,   ∂J/∂z_{i-1} = ∂J/∂z_i · w_i · h_{i-1} (1 - h_{i-1}),
//     ∂J/∂w_i = ∂J/∂z_i · h_{i-1},   ∂J/∂b_i = ∂J/∂z_i.
// Each layer multiplies the gradient by w_i σ'(z_{i-1}) with σ' <= 1/4: with
// small weights it vanishes along the chain, so the weights of layers 2..L
// start at 4 (and b_i at -2, centring each layer on h = 1/2), where that
// factor is about 1.
//
// Training. A mini-batch of S examples is evaluated at once (x and y are
// S-vectors, the layer's scalars broadcast over them) and the loss of the
// batch is the mean, so its gradient is (1/S) Σ ∇J⁽ⁱ⁾ and the update is
//     θ ← θ − η (1/S) Σ_{i in batch} ∇θ J⁽ⁱ⁾.
// The batch is drawn once WITH replacement (S uniform indices per step) and
// once WITHOUT (the training set shuffled each epoch and cut into batches).
// The example checks the gradient at the starting point against central
// differences, requires both runs to bring the training loss to at most
// half its starting value, and writes both loss curves to
// deep_chain_sgd_losses.csv (and deep_chain_sgd_losses.png if gnuplot is on
// PATH) in the current directory.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <duet/check/finite_difference.hpp>
#include <duet/duet.hpp>

namespace {

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

constexpr std::size_t layers = 8;     // L
constexpr std::size_t examples = 240;  // training set size N
constexpr std::size_t batch = 12;      // S; N / S = 20 batches per epoch
constexpr std::size_t steps = 1200;    // 60 epochs
constexpr double eta = 0.5;            // learning rate

// e_i in R^L: picks the scalar parameter of layer i out of w or b
// (dot(w, e_i) = w_i, a rank-0 tensor that broadcasts over the batch).
tensor<1> unit(std::size_t i) {
    tensor<1> e = xt::zeros<double>({layers});
    e(i) = 1.0;
    return e;
}

// z_I for a batch of inputs x: generic tensor code, built layer by layer at
// compile time (each layer has its own expression type).
template <std::size_t I, class W, class B>
auto pre_activation(const W& w, const B& b, const tensor<1>& x) {
    if constexpr (I == 1)
        return duet::dot(w, unit(0)) * x + duet::dot(b, unit(0));
    else
        return duet::dot(w, unit(I - 1)) * duet::sigmoid(pre_activation<I - 1>(w, b, x)) +
               duet::dot(b, unit(I - 1));
}

// The mean cross-entropy over a batch (x, y): a function of w and b only.
auto batch_loss(const tensor<1>& x, const tensor<1>& y) {
    const tensor<1> sign = 1.0 - 2.0 * y;  // held by value by the closure
    return [x, sign](const auto& w, const auto& b) {
        return duet::mean(duet::softplus(sign * pre_activation<layers>(w, b, x)));
    };
}

struct data_set {
    tensor<1> x, y;
};

// N points x uniform in [-2, 2]; label 1 when x + 0.3 ε > 0.5 (ε standard
// normal), so the classes overlap a little near x = 0.5.
data_set make_data(std::mt19937& rng) {
    std::uniform_real_distribution<double> input(-2.0, 2.0);
    std::normal_distribution<double> noise(0.0, 1.0);
    data_set d{tensor<1>::from_shape({examples}), tensor<1>::from_shape({examples})};
    for (std::size_t i = 0; i < examples; ++i) {
        d.x(i) = input(rng);
        d.y(i) = d.x(i) + 0.3 * noise(rng) > 0.5 ? 1.0 : 0.0;
    }
    return d;
}

data_set gather(const data_set& d, const std::vector<std::size_t>& indices) {
    data_set s{tensor<1>::from_shape({indices.size()}), tensor<1>::from_shape({indices.size()})};
    for (std::size_t k = 0; k < indices.size(); ++k) {
        s.x(k) = d.x(indices[k]);
        s.y(k) = d.y(indices[k]);
    }
    return s;
}

// Largest |a - b| over the largest |b|.
double relative_error(const tensor<1>& a, const tensor<1>& b) {
    double difference = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        difference = std::max(difference, std::abs(a(i) - b(i)));
        scale = std::max(scale, std::abs(b(i)));
    }
    return difference / (scale > 0 ? scale : 1.0);
}

struct parameters {
    tensor<1> w, b;
};

// Mini-batch SGD from start; returns the training loss before step 1 and
// after each step (steps + 1 values). next_batch(step) gives the indices.
template <class NextBatch>
std::vector<double> train(const data_set& d, parameters theta, NextBatch next_batch) {
    const auto full_loss = batch_loss(d.x, d.y);
    std::vector<double> curve{full_loss(theta.w, theta.b)};  // plain evaluation
    for (std::size_t step = 1; step <= steps; ++step) {
        const data_set s = gather(d, next_batch());
        const auto [gw, gb] = duet::gradient(batch_loss(s.x, s.y), theta.w, theta.b);
        theta.w -= eta * gw;  // gw = (1/S) Σ ∇w J⁽ⁱ⁾, in w's shape
        theta.b -= eta * gb;
        curve.push_back(full_loss(theta.w, theta.b));
    }
    return curve;
}

// Renders the two curves side by side with gnuplot; false if it could not.
bool plot(const char* csv, const char* png, double ymax) {
    if (std::system(nullptr) == 0 || std::system("command -v gnuplot > /dev/null 2>&1") != 0) return false;
    const char* script = "deep_chain_sgd_losses.gp";
    {
        std::ofstream gp(script);
        gp << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 1000,400 }"
              " else { set terminal png size 1000,400 }\n"
           << "set output '" << png << "'\n"
           << "set datafile separator ','\n"
           << "set key autotitle columnhead\n"
           << "set multiplot layout 1,2 title 'deep chain (8 sigmoid layers), mini-batch SGD, S = "
           << batch << ", eta = " << eta << "'\n"
           << "set xlabel 'step'\nset ylabel 'training loss (mean cross-entropy)'\n"
           << "set yrange [0:" << ymax << "]\nset grid\n"
           << "set title 'sampling with replacement'\n"
           << "plot '" << csv << "' using 1:2 with lines lw 2 notitle\n"
           << "set title 'sampling without replacement (shuffled epochs)'\n"
           << "plot '" << csv << "' using 1:3 with lines lw 2 lc rgb '#c03020' notitle\n"
           << "unset multiplot\n";
    }
    const std::string command = std::string("gnuplot ") + script;
    return std::system(command.c_str()) == 0;
}

}  // namespace

int main() {
    std::mt19937 rng(6);
    const data_set d = make_data(rng);

    // The starting point: w_i = 4, b_i = -2, jittered, except the first
    // layer, which starts with the wrong sign (w_1 = -1, b_1 = 0): the chain
    // begins by predicting the opposite class.
    std::normal_distribution<double> jitter(0.0, 0.1);
    parameters start{tensor<1>::from_shape({layers}), tensor<1>::from_shape({layers})};
    for (std::size_t i = 0; i < layers; ++i) {
        start.w(i) = (i == 0 ? -1.0 : 4.0) + jitter(rng);
        start.b(i) = (i == 0 ? 0.0 : -2.0) + jitter(rng);
    }
    bool ok = true;

    // 1. The gradient at the starting point: reverse mode against central
    //    differences and the forward mode, on the whole training set; and the
    //    gradient of a batch's mean equals the mean of per-example gradients.
    {
        const auto loss = batch_loss(d.x, d.y);
        const auto [gw, gb] = duet::gradient(duet::reverse, loss, start.w, start.b);
        const auto [fw, fb] = duet::gradient(duet::forward, loss, start.w, start.b);
        const auto [nw, nb] = duet::fd::gradient(loss, start.w, start.b);
        const double fd_error = std::max(relative_error(gw, nw), relative_error(gb, nb));
        const double mode_error = std::max(relative_error(fw, gw), relative_error(fb, gb));

        tensor<1> mean_w = xt::zeros<double>({layers}), mean_b = xt::zeros<double>({layers});
        for (std::size_t i = 0; i < batch; ++i) {
            const data_set one = gather(d, {i});
            const auto [w1, b1] = duet::gradient(batch_loss(one.x, one.y), start.w, start.b);
            mean_w += w1 / static_cast<double>(batch);
            mean_b += b1 / static_cast<double>(batch);
        }
        std::vector<std::size_t> first(batch);
        std::iota(first.begin(), first.end(), std::size_t{0});
        const data_set s = gather(d, first);
        const auto [sw, sb] = duet::gradient(batch_loss(s.x, s.y), start.w, start.b);
        const double batch_error = std::max(relative_error(sw, mean_w), relative_error(sb, mean_b));

        std::printf("dJ/dw at the start: [");
        for (double g : gw) std::printf(" %.3e", g);
        std::printf(" ]\n");
        std::printf("reverse vs central differences: %.2e (required <= 1e-7)\n", fd_error);
        std::printf("forward vs reverse:             %.2e (required <= 1e-12)\n", mode_error);
        std::printf("batch mean vs mean of per-example gradients: %.2e (required <= 1e-12)\n",
                    batch_error);
        ok = ok && fd_error <= 1e-7 && mode_error <= 1e-12 && batch_error <= 1e-12;
    }

    // 2. SGD, with and without replacement, from the same starting point.
    std::mt19937 with_rng(61), without_rng(62);
    std::uniform_int_distribution<std::size_t> pick(0, examples - 1);
    const auto with_replacement = train(d, start, [&] {
        std::vector<std::size_t> indices(batch);
        for (auto& i : indices) i = pick(with_rng);
        return indices;
    });
    std::vector<std::size_t> order(examples);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::size_t position = examples;  // the epoch is used up: shuffle first
    const auto without_replacement = train(d, start, [&] {
        if (position + batch > examples) {
            std::shuffle(order.begin(), order.end(), without_rng);
            position = 0;
        }
        std::vector<std::size_t> indices(order.begin() + static_cast<std::ptrdiff_t>(position),
                                         order.begin() + static_cast<std::ptrdiff_t>(position + batch));
        position += batch;
        return indices;
    });

    const char* csv = "deep_chain_sgd_losses.csv";
    {
        std::ofstream out(csv);
        out << "step,with_replacement,without_replacement\n";
        for (std::size_t step = 0; step <= steps; ++step)
            out << step << ',' << with_replacement[step] << ',' << without_replacement[step] << '\n';
        ok = ok && static_cast<bool>(out);
    }
    std::printf("step  with-replacement  without-replacement\n");
    for (std::size_t step = 0; step <= steps; step += steps / 6)
        std::printf("%4zu  %16.4f  %19.4f\n", step, with_replacement[step], without_replacement[step]);

    const double initial = with_replacement.front();
    const double threshold = 0.5 * initial;
    std::printf("training loss %.4f -> %.4f (with), %.4f (without); required <= %.4f (half)\n", initial,
                with_replacement.back(), without_replacement.back(), threshold);
    ok = ok && with_replacement.back() <= threshold && without_replacement.back() <= threshold;
    std::printf("loss curves written to %s\n", csv);
    const double ymax = 1.1 * std::max(*std::max_element(with_replacement.begin(), with_replacement.end()),
                                       *std::max_element(without_replacement.begin(), without_replacement.end()));
    if (plot(csv, "deep_chain_sgd_losses.png", ymax))
        std::printf("plot written to deep_chain_sgd_losses.png\n");
    else
        std::printf("gnuplot not available: plot skipped\n");
    std::printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
