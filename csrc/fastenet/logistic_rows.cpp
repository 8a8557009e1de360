// logistic_rows.cpp: the definitions of logistic_rows.hpp, cloned per instruction set
// (config.hpp, FASTENET_CLONES). Every choice is a vmath::select, so each loop vectorizes.
#include "fastenet/logistic_rows.hpp"

#include <cmath>

#include "fastenet/vmath.hpp"

namespace fastenet {

namespace {

using vmath::select;

// The rows' transcendental functions: vmath's where the loops are compiled for AVX2 and
// AVX-512 (FASTENET_CLONES); libm's where they are not (clang, MSVC, other CPUs: there
// the loops' label loads keep GCC from vectorizing at the baseline, and vmath's scalar
// code takes twice libm's time).
#if defined(FASTENET_HAVE_CLONES)
FASTENET_INLINE double row_exp(double x) { return vmath::exp(x); }
FASTENET_INLINE double row_expm1(double x) { return vmath::expm1(x); }
FASTENET_INLINE double row_log1p(double x) { return vmath::log1p(x); }
FASTENET_INLINE double row_log(double x) { return vmath::log_normal(x); }
#else
FASTENET_INLINE double row_exp(double x) { return std::exp(x); }
FASTENET_INLINE double row_expm1(double x) { return std::expm1(x); }
FASTENET_INLINE double row_log1p(double x) { return std::log1p(x); }
FASTENET_INLINE double row_log(double x) { return std::log(x); }
#endif

// max(z, 0) + log1p(e^-|z|): exact in both tails (e^z for z << 0, z for z >> 0).
FASTENET_INLINE double softplus(double z) {
  return select(z > 0, z, 0.0) + row_log1p(row_exp(-std::fabs(z)));
}

// The weight of row i (sw null: 1), the test outside the loops (kWeighted).
template <bool kWeighted, class T>
FASTENET_INLINE double weight(const T* sw, Index i) {
  if constexpr (kWeighted) return double(sw[i]);
  return 1.0;
}

template <bool kWeighted, class T>
FASTENET_INLINE double loss_impl(Index n, const T* FASTENET_RESTRICT sw,
                                 const std::int32_t* FASTENET_RESTRICT label,
                                 const double* FASTENET_RESTRICT eta) {
  double f = 0;
  FASTENET_SIMD_SUM(f)
  for (Index i = 0; i < n; ++i) {
    const double z = select(label[i] == 1, -eta[i], eta[i]);
    f += weight<kWeighted>(sw, i) * softplus(z);
  }
  return f;
}

template <bool kWeighted, class T>
FASTENET_INLINE double change_impl(Index n, const T* FASTENET_RESTRICT sw,
                                   const std::int32_t* FASTENET_RESTRICT label,
                                   const double* FASTENET_RESTRICT P,
                                   const T* FASTENET_RESTRICT dz, double t, double db,
                                   double* FASTENET_RESTRICT q_out, Index* rest) {
  double f = 0;
  Index hard = 0;
  FASTENET_PRAGMA(omp simd reduction(+ : f, hard))
  for (Index i = 0; i < n; ++i) {
    const bool one = label[i] == 1;
    const double d = t * (double(dz[i]) + db);
    const double q = select(one, 1.0 - P[i], P[i]) * row_expm1(d);
    q_out[i] = q;
    const bool easy = q > -0.5;  // false for NaN too
    const double change = row_log1p(select(easy, q, 0.0)) - select(one, d, 0.0);
    f += select(easy, weight<kWeighted>(sw, i) * change, 0.0);
    hard += easy ? 0 : 1;
  }
  *rest = hard;
  return f;
}

template <bool kWeighted, class T>
FASTENET_INLINE double dual_impl(Index n, const T* FASTENET_RESTRICT sw,
                                 const double* FASTENET_RESTRICT P, double c) {
  double f = 0;
  FASTENET_SIMD_SUM(f)
  for (Index i = 0; i < n; ++i) {
    const double a = c * P[i];
    // a log a and (1 - a) log1p(-a), each 0 at its end of [0, 1] (their limits)
    const double ala = select(a > 0, a * row_log(a), 0.0);
    const double bla = select(a < 1, (1.0 - a) * row_log1p(-a), 0.0);
    f += weight<kWeighted>(sw, i) * (ala + bla);
  }
  return f;
}

// t = sum_i s_i theta_i and h = sum_i s_i P_i (1 - P_i) (logistic_rows.hpp).
template <bool kWeighted, class T>
FASTENET_INLINE double class_sums_impl(Index n, const T* FASTENET_RESTRICT sw,
                                       const std::int32_t* FASTENET_RESTRICT label,
                                       std::int32_t pos, const double* FASTENET_RESTRICT P,
                                       bool binary, double* h_out) {
  // theta_i / s_i: binary (P the miss) +-P_i, + for the rows of class 1; else
  // [label_i == pos] - P_i. As select(hit, y_hit + s_hit P, -P).
  const double y_hit = binary ? 0.0 : 1.0, s_hit = binary ? 1.0 : -1.0;
  double t = 0, h = 0;
  FASTENET_PRAGMA(omp simd reduction(+ : t, h))
  for (Index i = 0; i < n; ++i) {
    const double si = weight<kWeighted>(sw, i);
    t += si * select(label[i] == pos, y_hit + s_hit * P[i], -P[i]);
    h += si * P[i] * (1.0 - P[i]);
  }
  *h_out = h;
  return t;
}

template <class T>
FASTENET_INLINE double loss_rows(Index n, const T* sw, const std::int32_t* label,
                                 const double* eta) {
  return sw ? loss_impl<true>(n, sw, label, eta) : loss_impl<false>(n, sw, label, eta);
}

template <class T>
FASTENET_INLINE double change_rows(Index n, const T* sw, const std::int32_t* label,
                                   const double* P, const T* dz, double t, double db,
                                   double* q, Index* rest) {
  return sw ? change_impl<true>(n, sw, label, P, dz, t, db, q, rest)
            : change_impl<false>(n, sw, label, P, dz, t, db, q, rest);
}

template <class T>
FASTENET_INLINE double class_sums_rows(Index n, const T* sw, const std::int32_t* label,
                                       std::int32_t pos, const double* P, bool binary,
                                       double* h) {
  return sw ? class_sums_impl<true>(n, sw, label, pos, P, binary, h)
            : class_sums_impl<false>(n, sw, label, pos, P, binary, h);
}

}  // namespace

FASTENET_CLONES void logistic_miss(Index n, const std::int32_t* label, const double* eta,
                                   double* P) {
  const std::int32_t* FASTENET_RESTRICT lab = label;
  const double* FASTENET_RESTRICT e = eta;
  double* FASTENET_RESTRICT out = P;
  FASTENET_SIMD
  for (Index i = 0; i < n; ++i) {
    // sigmoid(z) = 1 / (1 + e^-z) for z >= 0, e^z / (1 + e^z) below (no overflow)
    const double z = select(lab[i] == 1, -e[i], e[i]);
    const double x = row_exp(-std::fabs(z)), inv = 1.0 / (1.0 + x);
    out[i] = select(z >= 0, inv, x * inv);
  }
}
FASTENET_CLONES double logistic_loss(Index n, const float* sw, const std::int32_t* label,
                                     const double* eta) {
  return loss_rows(n, sw, label, eta);
}
FASTENET_CLONES double logistic_loss(Index n, const double* sw, const std::int32_t* label,
                                     const double* eta) {
  return loss_rows(n, sw, label, eta);
}
FASTENET_CLONES double logistic_loss_change(Index n, const float* sw,
                                            const std::int32_t* label, const double* P,
                                            const float* dz, double t, double db,
                                            double* q, Index* rest) {
  return change_rows(n, sw, label, P, dz, t, db, q, rest);
}
FASTENET_CLONES double logistic_loss_change(Index n, const double* sw,
                                            const std::int32_t* label, const double* P,
                                            const double* dz, double t, double db,
                                            double* q, Index* rest) {
  return change_rows(n, sw, label, P, dz, t, db, q, rest);
}

FASTENET_CLONES double logistic_class_sums(Index n, const float* sw,
                                           const std::int32_t* label, std::int32_t pos,
                                           const double* P, bool binary, double* h) {
  return class_sums_rows(n, sw, label, pos, P, binary, h);
}
FASTENET_CLONES double logistic_class_sums(Index n, const double* sw,
                                           const std::int32_t* label, std::int32_t pos,
                                           const double* P, bool binary, double* h) {
  return class_sums_rows(n, sw, label, pos, P, binary, h);
}

FASTENET_CLONES double logistic_dual_loss(Index n, const float* sw, const double* P,
                                          double c) {
  return sw ? dual_impl<true>(n, sw, P, c) : dual_impl<false>(n, sw, P, c);
}
FASTENET_CLONES double logistic_dual_loss(Index n, const double* sw, const double* P,
                                          double c) {
  return sw ? dual_impl<true>(n, sw, P, c) : dual_impl<false>(n, sw, P, c);
}

}  // namespace fastenet
