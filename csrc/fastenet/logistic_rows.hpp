// logistic_rows.hpp: the per-row loops of the logistic loss (logistic.hpp): the binary
// case's, with z_i = -eta_i for label 1 and eta_i otherwise (the margin against the row's
// class), and the intercept's sums for both cases:
//   logistic_miss         P_i = sigmoid(z_i), the probability of the class row i is not
//   logistic_loss         sum_i s_i softplus(z_i), softplus(z) = max(z, 0) + log1p(e^-|z|)
//   logistic_loss_change  sum_i s_i (log1p(q_i) - y_i d_i) over the rows with q_i > -0.5,
//                         d_i = t (dz_i + db), q_i = P1_i expm1(d_i), P1_i the probability
//                         of class 1 (1 - P_i for label 1, else P_i), y_i = [label 1]:
//                         the change of the loss when eta moves by d (exact near 0, where
//                         a difference of two losses would be lost to rounding); q (n,)
//                         receives every q_i, and the rows with q_i <= -0.5 (or NaN),
//                         left to the caller, are counted in *rest.
//   logistic_dual_loss    sum_i s_i (a log a + (1 - a) log1p(-a)), a = c P_i (0 log 0 = 0):
//                         the negative entropy of the scaled dual point (c in (0, 1]).
//   logistic_class_sums   t = sum_i theta_i and *h = sum_i s_i P_i (1 - P_i), the gradient
//                         and curvature of an intercept: binary (P the miss, pos = 1)
//                         theta_i = +-s_i P_i, + for the rows of class 1; else (P the
//                         probabilities of class pos) theta_i = s_i ([label_i == pos] - P_i).
// sw (n,) null: weights 1. One pass each over n rows, vectorized with vmath.hpp's exp,
// expm1 and log1p (within 2 ulp of glibc's), cloned per instruction set as vec.cpp is:
// glibc's scalar calls were 15% of a one-hot L1 fit.
#pragma once

#include <cstdint>

#include "fastenet/config.hpp"

namespace fastenet {

void logistic_miss(Index n, const std::int32_t* label, const double* eta, double* P);
double logistic_loss(Index n, const float* sw, const std::int32_t* label, const double* eta);
double logistic_loss(Index n, const double* sw, const std::int32_t* label, const double* eta);
double logistic_loss_change(Index n, const float* sw, const std::int32_t* label,
                            const double* P, const float* dz, double t, double db,
                            double* q, Index* rest);
double logistic_loss_change(Index n, const double* sw, const std::int32_t* label,
                            const double* P, const double* dz, double t, double db,
                            double* q, Index* rest);
double logistic_class_sums(Index n, const float* sw, const std::int32_t* label,
                           std::int32_t pos, const double* P, bool binary, double* h);
double logistic_class_sums(Index n, const double* sw, const std::int32_t* label,
                           std::int32_t pos, const double* P, bool binary, double* h);
double logistic_dual_loss(Index n, const float* sw, const double* P, double c);
double logistic_dual_loss(Index n, const double* sw, const double* P, double c);

}  // namespace fastenet
