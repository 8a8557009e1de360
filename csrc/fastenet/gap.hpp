// gap.hpp: primal value, dual point and duality gap of the elastic net, in double.
//
// Primal (kernel scale, sklearn's cd_fast units: n times sklearn's objective):
//   P(w) = 1/2 ||r||^2_sw + sum_j h_j(w_j),   r = y_c - X_c w   (penalty.hpp for h_j)
// Two dual points are built from the residual:
//   A. sklearn's: the lasso dual of the problem extended by rows sqrt(l2 pf_j) e_j,
//      theta = s * (r, -sqrt(l2 pf) w) with s = min(1, l1 / ||X_ext^T (r, ..)||_{pf,inf}),
//      D_A = -s^2/2 (||r||^2 + sum l2 pf w^2) + s r @ sw y_c. Needs boxes (-inf,inf)/[0,inf).
//   B. Fenchel: theta = s r,  D_B = -s^2/2 ||r||^2 + s r @ sw y_c - sum_j h_j*(s u_j),
//      s the largest value in (0, 1] keeping every h_j* finite. Valid for any box.
// gap = P(w) - D_A where A applies (sklearn's gap, so tol means what it means there), else
// P(w) - D_B. Both bound P(w) - P(w*). A is deliberately preferred although B is often
// smaller near the optimum: B shrinks quadratically in the coefficient error and A only
// linearly, so stopping on B at sklearn's tol would return less accurate coefficients
// than sklearn does at the same tol. Sums are in double: the gap is a small
// difference of large numbers and must not be rounded away in float32.
// Features with penalty factor 0 and an unbounded side carry the dual constraint
// X_j^T theta = 0 (or <= 0, >= 0 with a bound on the other side), which no scaling of
// the residual can meet: the caller first projects the residual off the columns of those
// that need it (free_projection.hpp), after which u_j = 0 for them, u_j lies on the
// bounded side for the others, and they drop out of both dual norms.
// References: Fercoq, Gramfort, Salmon (2015), "Mind the duality gap", sec. 2;
// Duenner et al. (2016), sec. 5.2.3; scikit-learn `_cd_fast.pyx` (formulation A).
#pragma once

#include <cmath>
#include <limits>

#include "fastenet/config.hpp"
#include "fastenet/penalty.hpp"

namespace fastenet {

/// Residual statistics a gap needs: R2 = ||r||^2_sw (primal), and of the unscaled dual
/// point q (= r, or r projected off unpenalized columns): Q2 = ||q||^2_sw, Qy = q @ sw y_c.
struct ResidualStats {
  double R2 = 0, Q2 = 0, Qy = 0;
};

struct GapInfo {
  double gap = std::numeric_limits<double>::infinity();
  double gap_a = std::numeric_limits<double>::infinity();  // formulation A (screening radius)
  double scale_a = 1.0;  // s of formulation A: X_ext_j^T theta = scale_a * (u_j - l2 pf_j w_j)
  double primal = 0;
  double R2 = 0;  // ||r_c||^2_sw at the point
};

template <class P>
inline bool unconstrained_dual(const P& pen, Index j) {
  return !pen.penalized(j) && std::isinf(pen.lo_of(j)) && std::isinf(pen.hi_of(j));
}

/// Gap over the features listed in idx[0:m] (idx == nullptr: all p features) for which
/// keep(j) holds; features not counted must have w_j == 0 and, under formulation B,
/// h_j*(s u_j) == 0, and must not raise the dual norm of A (cd.hpp's outer check leaves
/// out only zero features whose gradient is bounded below their penalty, under A).
/// u_j = X_c[:, j] @ (sw * r), w the coefficients. pen: a Penalty or a PlainPenalty
/// (penalty.hpp visit()). Cost O(m).
template <class P, class Keep>
inline GapInfo duality_gap_if(const ResidualStats& st, const double* u, const double* w,
                              const P& pen, const Index* idx, Index m, Keep keep) {
  GapInfo out;
  const bool use_a = pen.l1 > 0 && pen.sklearn_boxes;
  double pen_val = 0, l2w2 = 0, norm_a = 0, s_b = 1.0;
  // Called on every gap check, over up to all p features: the common case (no penalty
  // factors, no boxes, formulation A) reads no per-feature parameter and calls no libm
  // function (std::fmax is a call in a baseline x86-64 build: 2% of a profile of the
  // quick sparse LassoCV, duality_gap 7%); B's scale is only summed where B is used.
  for (Index t = 0; t < m; ++t) {
    const Index j = idx ? idx[t] : t;
    if (!keep(j)) continue;
    const double wj = w[j], bj = pen.b(j);
    pen_val += pen.value(j, wj);
    l2w2 += bj * wj * wj;
    if (!pen.penalized(j)) continue;
    const double v = u[j] - bj * wj;
    double vn = pen.lo_of(j) == 0.0 ? (v > 0 ? v : 0.0) : std::fabs(v);
    if (pen.pf) vn /= pen.pf[j];  // (no division by 1 per feature without factors)
    if (vn > norm_a) norm_a = vn;
    if (!use_a && bj == 0) {  // an unbounded side with no curvature caps the scale of theta
      if (u[j] > pen.a(j) && std::isinf(pen.hi_of(j))) s_b = std::fmin(s_b, pen.a(j) / u[j]);
      if (u[j] < -pen.a(j) && std::isinf(pen.lo_of(j))) s_b = std::fmin(s_b, -pen.a(j) / u[j]);
    }
  }
  out.primal = 0.5 * st.R2 + pen_val;
  out.R2 = st.R2;

  if (use_a) {  // A: sklearn's extended lasso dual.
    const double s = norm_a > pen.l1 ? pen.l1 / norm_a : 1.0;
    const double dual_a = -0.5 * s * s * (st.Q2 + l2w2) + s * st.Qy;
    out.scale_a = s;
    out.gap_a = out.primal - dual_a;
    out.gap = out.gap_a;
    return out;
  }
  // B: Fenchel dual with the scaled residual.
  double conj = 0;
  for (Index t = 0; t < m; ++t) {
    const Index j = idx ? idx[t] : t;
    if (!keep(j) || unconstrained_dual(pen, j)) continue;
    conj += pen.scaled_conjugate(j, s_b * u[j]);
  }
  out.gap = out.primal - (-0.5 * s_b * s_b * st.Q2 + s_b * st.Qy - conj);
  if (pen.l1 == 0 && pen.l2 == 0) {
    // Least squares has no bounded dual: as sklearn, certify by ||X^T r||^2.
    double g2 = 0;
    for (Index t = 0; t < m; ++t) {
      const Index j = idx ? idx[t] : t;
      if (keep(j)) g2 += u[j] * u[j];
    }
    out.gap = std::fmin(out.gap, g2);
  }
  return out;
}

/// The gap over every feature listed (duality_gap_if).
inline GapInfo duality_gap(const ResidualStats& st, const double* u, const double* w,
                           const Penalty& pen, const Index* idx, Index m) {
  return visit(pen, [&](const auto& p) {
    return duality_gap_if(st, u, w, p, idx, m, [](Index) { return true; });
  });
}

}  // namespace fastenet
