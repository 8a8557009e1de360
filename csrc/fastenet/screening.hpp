// screening.hpp: the gap-safe rule and the working-set score, one implementation each.
//
// In formulation A (gap.hpp) the dual is 1-strongly concave, so the dual optimum lies in
// the ball of radius rho = sqrt(2 gap_A) around the current dual point theta. Feature j
// is zero at every optimum when the constraint cannot be active anywhere in that ball:
//   |X_ext_j^T theta| + rho ||X_ext_j|| < l1 pf_j,   ||X_ext_j|| = sqrt(L_j + l2 pf_j),
// one-sided (X_ext_j^T theta + ...) when the box is [0, inf).
// The same distance, d_j = (l1 pf_j - |X_ext_j^T theta|) / ||X_ext_j||, ranks features for
// the working set (small d_j: constraint nearly or already violated), |.| counting only
// the directions the box allows (Penalty::open_part: a blocked direction ranks nothing).
// References: Ndiaye et al. (2017), "Gap safe screening rules for sparsity enforcing
// penalties", JMLR, eq. (11); Massias et al. (2018), "Celer", sec. 3.
#pragma once

#include <cmath>

#include "fastenet/gap.hpp"
#include "fastenet/penalty.hpp"

namespace fastenet {

/// Distance d_j of feature j's dual constraint from the dual point of formulation A;
/// inv_norm = 1 / ||X_ext_j|| = 1 / sqrt(L_j + l2 pf_j), computed once per solve.
inline double constraint_distance(const Penalty& pen, const GapInfo& gi, Index j, double u,
                                  double w, double inv_norm) {
  return (pen.a(j) - pen.open_part(j, gi.scale_a * (u - pen.b(j) * w))) * inv_norm;
}

/// Whether feature j, at w_j = 0, violates its optimality condition at gradient u
/// (cd.hpp's partial): the penalty's subgradient at 0, [-a_j, a_j], cannot absorb u
/// in a direction the box allows.
inline bool kkt_violated_at_zero(const Penalty& pen, Index j, double u) {
  return pen.open_part(j, u) > pen.a(j);
}

/// Radius of the ball around theta that holds the dual optimum: sqrt(2 gap_A), with the
/// gap floored at its rounding noise (a gap computed as ~0 or negative from rounding does
/// not mean theta is optimal; a zero radius would discard nearly-active features).
inline double safe_radius(const GapInfo& gi, double gap_noise) {
  return std::sqrt(2.0 * std::fmax(gi.gap_a, gap_noise));
}

/// Whether the gap-safe rule holds at this gap: boxes of sklearn's kinds and a finite
/// gap_A. Then a penalized feature whose constraint_distance exceeds safe_radius is
/// provably zero at the optimum (unpenalized features never are).
inline bool gap_safe_applies(const Penalty& pen, const GapInfo& gi) {
  return pen.sklearn_boxes && std::isfinite(gi.gap_a);
}

}  // namespace fastenet
