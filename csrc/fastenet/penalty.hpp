// penalty.hpp: the elastic-net penalty, per feature, and its convex conjugate.
//
//   h_j(w) = pf_j * (l1 |w| + l2/2 w^2) + indicator(lo_j <= w <= hi_j),   lo_j <= 0 <= hi_j
//   h_j*(u) = sup_{lo_j <= w <= hi_j} u w - h_j(w)    (finite unless an unbounded side has
//                                                      no l2 curvature and |u| > l1 pf_j)
// l1, l2 are kernel-scale strengths (sklearn's alpha * l1_ratio * n, alpha*(1-l1_ratio)*n).
// Reference for the conjugate-based gap: Duenner et al. (2016), "Primal-Dual Rates and
// Certificates", sec. 5; for penalty factors: Friedman et al. (2010), sec. 2.6.
#pragma once

#include <cmath>
#include <limits>

#include "fastenet/config.hpp"

namespace fastenet {

struct Penalty {
  double l1 = 0, l2 = 0;
  const double* pf = nullptr;  // (p,) or nullptr: all ones
  const double* lo = nullptr;  // (p,) or nullptr: -inf
  const double* hi = nullptr;  // (p,) or nullptr: +inf
  Index p = 0;

  double pf_of(Index j) const { return pf ? pf[j] : 1.0; }
  double a(Index j) const { return l1 * pf_of(j); }
  double b(Index j) const { return l2 * pf_of(j); }
  double lo_of(Index j) const { return lo ? lo[j] : -std::numeric_limits<double>::infinity(); }
  double hi_of(Index j) const { return hi ? hi[j] : std::numeric_limits<double>::infinity(); }
  bool penalized(Index j) const { return pf_of(j) > 0; }

  /// The part of a gradient (or dual) value v that pushes w_j away from 0 in a direction
  /// its box allows: |v| for a box open on both sides, v (resp. -v) when only increases
  /// (decreases) are allowed, -inf for [0, 0]. Feature j at 0 violates its optimality
  /// condition when this exceeds l1 pf_j; screening, working sets and strong rules
  /// rank features by it (a blocked direction is no reason to enter the model).
  double open_part(Index j, double v) const {
    const bool up = hi_of(j) > 0, down = lo_of(j) < 0;
    if (up && down) return std::fabs(v);
    if (up) return v;
    if (down) return -v;
    return -std::numeric_limits<double>::infinity();
  }

  /// True when every box is (-inf, inf) or [0, inf): then sklearn's gap (dual point =
  /// scaled residual) holds; otherwise the conjugate (Fenchel) gap is used alone.
  /// Set once by prepare(), O(p) (O(1) without boxes).
  bool sklearn_boxes = true;
  /// True when every box is (-inf, inf): no bound at all. Set by prepare() too.
  bool unbounded = true;
  void prepare() {
    sklearn_boxes = unbounded = true;
    if (!lo && !hi) return;
    for (Index j = 0; j < p; ++j) {
      const double l = lo_of(j), h = hi_of(j);
      if (std::isfinite(h) || !(l == 0.0 || std::isinf(l))) sklearn_boxes = false;
      if (std::isfinite(h) || std::isfinite(l)) unbounded = false;
    }
  }

  /// Penalty value at w_j (assumes w_j inside its box).
  double value(Index j, double w) const {
    return a(j) * std::fabs(w) + 0.5 * b(j) * w * w;
  }

  /// h_j*(u) at a u scaled to keep it finite (gap.hpp, logistic.hpp): |u| is first held
  /// at l1 pf_j on each unbounded side without curvature, which the scaling meant to meet
  /// and rounding can overshoot by an ulp (an infinite gap otherwise).
  double scaled_conjugate(Index j, double u) const {
    if (b(j) == 0) {
      if (u > a(j) && std::isinf(hi_of(j))) u = a(j);
      if (u < -a(j) && std::isinf(lo_of(j))) u = -a(j);
    }
    return conjugate(j, u);
  }

  /// h_j*(u); +inf when unbounded.
  double conjugate(Index j, double u) const {
    return std::fmax(side_conjugate(u, a(j), b(j), hi_of(j)),
                     side_conjugate(-u, a(j), b(j), -lo_of(j)));
  }

 private:
  // sup_{0 <= w <= c} (u - a) w - b/2 w^2
  static double side_conjugate(double u, double a, double b, double c) {
    const double e = u - a;
    if (e <= 0 || c <= 0) return 0.0;
    double w = b > 0 ? e / b : std::numeric_limits<double>::infinity();
    if (w > c) w = c;
    if (std::isinf(w)) return std::numeric_limits<double>::infinity();
    return e * w - 0.5 * b * w * w;
  }
};

/// Penalty's common case, no penalty factors and no boxes, as a type of its own: the same
/// accessors, constant per feature. A loop over the features written once against
/// `const auto& pen` and run through visit() compiles a version of it that reads no
/// per-feature array and tests no pointer per feature: the outer checks' sweeps (the gap,
/// screening, the working-set scores) read all p features of a wide sparse X, and there
/// the tests and reads cost about as much as the arithmetic.
struct PlainPenalty {
  double l1 = 0, l2 = 0;
  static double pf_of(Index) { return 1.0; }
  double a(Index) const { return l1; }
  double b(Index) const { return l2; }
  static double lo_of(Index) { return -std::numeric_limits<double>::infinity(); }
  static double hi_of(Index) { return std::numeric_limits<double>::infinity(); }
  static bool penalized(Index) { return true; }
  static double open_part(Index, double v) { return std::fabs(v); }
  static constexpr const double* pf = nullptr;  // (a test of it folds away)
  static constexpr bool sklearn_boxes = true;
  double value(Index, double w) const { return l1 * std::fabs(w) + 0.5 * l2 * w * w; }
  double scaled_conjugate(Index j, double u) const {
    Penalty pen;
    pen.l1 = l1;
    pen.l2 = l2;
    return pen.scaled_conjugate(j, u);
  }
};

/// f(PlainPenalty{pen.l1, pen.l2}) where pen has neither factors nor boxes, else f(pen).
template <class F>
decltype(auto) visit(const Penalty& pen, F&& f) {
  if (!pen.pf && !pen.lo && !pen.hi) return f(PlainPenalty{pen.l1, pen.l2});
  return f(pen);
}

}  // namespace fastenet
