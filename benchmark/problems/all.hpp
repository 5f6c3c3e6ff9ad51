// The benchmark problem set: every problem, and all_problems listing them.
// Interface of a problem P (see sum_iter.hpp):
//   P::name, P::sizes(), P::quick_size(), P::dimension(n), P::input(n),
//   P::f<T>(const std::vector<T>&) (generic source), P::hand(x, g) (value;
//   gradient into g, pre-sized to x.size()).
#pragma once

#include <tuple>

#include "example1.hpp"
#include "example2.hpp"
#include "example3.hpp"
#include "llsq.hpp"
#include "log_sum_exp.hpp"
#include "matrix_product.hpp"
#include "normal_log_pdf.hpp"
#include "prod_iter.hpp"
#include "regression.hpp"
#include "rosenbrock.hpp"
#include "stochastic_volatility.hpp"
#include "sum_iter.hpp"
#include "window_classifier.hpp"

namespace duet_bench {

using all_problems =
    std::tuple<sum_iter, prod_iter, log_sum_exp, normal_log_pdf, rosenbrock, matrix_product,
               regression, stochastic_volatility, llsq, window_classifier, example1, example2, example3>;

}  // namespace duet_bench
