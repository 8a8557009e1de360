// prox.hpp: the scalar coordinate update, the only soft-threshold in fastenet.
//
// Minimizes over w_j, all other coordinates fixed,
//     L/2 (w_j - z/L)^2 + a |w_j| + b/2 w_j^2   subject to lo <= w_j <= hi,
// with z = X_c[:, j] @ (sw * r) + L * w_j (the partial residual correlation):
//     w_j = clip(S(z, a) / (L + b), lo, hi),  S(z, a) = sign(z) max(|z| - a, 0).
// Clipping is exact because the 1-D objective is convex and lo <= 0 <= hi.
// Reference: Friedman, Hastie, Tibshirani (2010), eq. (5) and (6).
#pragma once

#include <algorithm>
#include <cmath>

namespace fastenet {

inline double soft_threshold(double z, double a) {
  if (z > a) return z - a;
  if (z < -a) return z + a;
  return 0.0;
}

/// One coordinate minimizer. L + b must be > 0 (callers skip zero-curvature columns).
inline double prox_update(double z, double L, double a, double b, double lo, double hi) {
  const double w = soft_threshold(z, a) / (L + b);
  return std::min(std::max(w, lo), hi);
}

}  // namespace fastenet
