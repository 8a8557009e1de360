// free_projection.hpp: a feasible dual point when some features are unpenalized.
//
// An unpenalized feature (penalty factor 0) with no bound has the dual constraint
// X_c[:, j]^T sw theta = 0, and one bounded on one side only half of it: u_j <= 0 for a
// box [lo, inf) (the conjugate sup_{w >= lo} u w is finite only there), u_j >= 0 for
// (-inf, hi]. No scaling of the residual r meets them. Projecting r off the columns of a
// set F of such features does:
//   theta = r - X_c[:, F] c,   c = G_FF^{-1} u_F,        G = X_c^T diag(sw) X_c
// and every quantity the gap needs follows without touching X again:
//   u'_j = u_j - G[j, F] c,   ||theta||^2_sw = R2 - u_F . c,   theta . sw y_c = Ry - c . xy_F
// so u'_F = 0 and the gap (gap.hpp) and the screening rule (screening.hpp) hold as
// written. F holds every unbounded one, every one-sided one strictly inside its box
// (where u_j = 0 at the optimum, so the projection vanishes there and the gap can close),
// and every one-sided one at its bound whose projected u'_j lies on its unbounded side;
// those are found by adding them and projecting again (at most one round per feature).
// Setup costs one Gram column per candidate (one pass over X each); each projection
// O(|F|^3 + m |F|), the factorization kept while F does not change.
// Reference: the projected residual is the least-squares residual in the free columns,
// cf. Friedman et al. (2010), sec. 2.6 (unpenalized variables).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fastenet/gap.hpp"

namespace fastenet {

class FreeProjection {
 public:
  /// Collects the candidates among `alive` (unpenalized, unbounded on some side) and the
  /// Gram columns and target correlations a projection on them needs.
  template <class Scheme>
  void init(Scheme& s, const Penalty& pen, const std::vector<Index>& alive) {
    cand_.clear();
    lo_.clear();
    hi_.clear();
    for (Index j : alive)
      if (!pen.penalized(j) && (std::isinf(pen.lo_of(j)) || std::isinf(pen.hi_of(j)))) {
        cand_.push_back(j);
        lo_.push_back(pen.lo_of(j));
        hi_.push_back(pen.hi_of(j));
      }
    const Index f = Index(cand_.size());
    p_ = s.p();
    factored_.clear();
    // The ridge of factor(): 1e-12 of the mean diagonal in float64, 16 eps in float32.
    // A float32 Gram of two collinear columns is indefinite by about its rounding, 1e-7
    // relative: a ridge of 1e-12 left a pivot of 1e-300 and a projection of 1e150 (a gap
    // of -1.2 reported as converged, coefficients all 0). A ridge far above the data's
    // rounding hides a true near-null direction of the free columns instead (at 5e-4,
    // 12 of 40 float32 fits with a 1e-3 near-copy passed as converged off their optimum,
    // at small negative gaps). In float64 the ridge stays 1e-12, not 16 eps: the Gram's
    // rounding along an exact null direction (unpenalized one-hot dummies with an
    // intercept) grows with the rows summed, and at 16 eps 5 of 20 such fits at 10,000 to
    // 50,000 rows ran to max_iter; near-copies closer than about 1e-6 are left unresolved
    // (README, a known limit).
    using T = typename Scheme::T;
    ridge_ = std::max(1e-12, 16.0 * double(std::numeric_limits<T>::epsilon()));
    if (f == 0) return;
    G_.assign(f * p_, 0.0);
    xy_.resize(f);
    for (Index k = 0; k < f; ++k) {
      s.gram_column(cand_[k], G_.data() + k * p_);
      xy_[k] = s.target_correlation(cand_[k]);
    }
  }

  bool empty() const { return cand_.empty(); }

  /// Replaces u[idx[t]] (t < m; idx null: all p) and st.Q2, st.Qy by their values at the
  /// projected dual point; w: the coefficients. Every candidate must be among idx.
  void apply(double* u, ResidualStats& st, const double* w, const Index* idx,
             Index m) {
    const Index f = Index(cand_.size());
    if (f == 0) return;
    in_.assign(f, 0);
    for (Index k = 0; k < f; ++k) {
      const double wk = w[cand_[k]];
      in_[k] = std::isinf(lo_[k]) == std::isinf(hi_[k]) || (wk != lo_[k] && wk != hi_[k]);
    }
    std::vector<double>& c = c_;
    for (;;) {  // add the one-sided candidates whose projected u'_j is infeasible
      project(u, c);
      bool added = false;
      for (Index k = 0; k < f; ++k) {
        if (in_[k]) continue;
        const double v = projected(u, c, cand_[k]);
        if (std::isinf(hi_[k]) ? v > 0 : v < 0) in_[k] = added = true;
      }
      if (!added) break;
    }
    for (Index t = 0; t < Index(F_.size()); ++t) {
      st.Q2 -= u[F_[t]] * c[t];
      st.Qy -= xy_[pos_[t]] * c[t];
    }
    if (st.Q2 < 0) st.Q2 = 0;
    for (Index t = 0; t < m; ++t) {
      const Index j = idx ? idx[t] : t;
      u[j] = projected(u, c, j);
    }
    for (Index j : F_) u[j] = 0.0;  // exactly, not up to rounding
  }

 private:
  // c = G_FF^{-1} u_F for F = the candidates marked in in_, refactoring where F changed.
  void project(const double* u, std::vector<double>& c) {
    if (in_ != factored_) factor();
    const Index f = Index(F_.size());
    c.resize(f);
    for (Index t = 0; t < f; ++t) c[t] = u[F_[t]];
    solve(c);
  }

  double projected(const double* u, const std::vector<double>& c, Index j) const {
    double v = u[j];
    for (Index t = 0; t < Index(F_.size()); ++t) v -= G_[pos_[t] * p_ + j] * c[t];
    return v;
  }

  // chol_ = cholesky(G_FF + ridge I): the ridge keeps collinear free columns solvable.
  void factor() {
    factored_ = in_;
    F_.clear();
    pos_.clear();
    for (Index k = 0; k < Index(cand_.size()); ++k)
      if (in_[k]) {
        F_.push_back(cand_[k]);
        pos_.push_back(k);
      }
    const Index f = Index(F_.size());
    chol_.assign(f * f, 0.0);
    if (f == 0) return;
    double trace = 0;
    for (Index a = 0; a < f; ++a) trace += G_[pos_[a] * p_ + F_[a]];
    for (Index a = 0; a < f; ++a)
      for (Index b = 0; b < f; ++b) chol_[a * f + b] = G_[pos_[b] * p_ + F_[a]];
    for (Index a = 0; a < f; ++a) chol_[a * f + a] += ridge_ * trace / double(f);
    for (Index j = 0; j < f; ++j) {
      double d = chol_[j * f + j];
      for (Index k = 0; k < j; ++k) d -= chol_[j * f + k] * chol_[j * f + k];
      d = std::sqrt(std::fmax(d, 1e-300));
      chol_[j * f + j] = d;
      for (Index i = j + 1; i < f; ++i) {
        double v = chol_[i * f + j];
        for (Index k = 0; k < j; ++k) v -= chol_[i * f + k] * chol_[j * f + k];
        chol_[i * f + j] = v / d;
      }
    }
  }

  void solve(std::vector<double>& b) const {  // chol_ chol_^T x = b
    const Index f = Index(F_.size());
    for (Index i = 0; i < f; ++i) {
      double v = b[i];
      for (Index k = 0; k < i; ++k) v -= chol_[i * f + k] * b[k];
      b[i] = v / chol_[i * f + i];
    }
    for (Index i = f - 1; i >= 0; --i) {
      double v = b[i];
      for (Index k = i + 1; k < f; ++k) v -= chol_[k * f + i] * b[k];
      b[i] = v / chol_[i * f + i];
    }
  }

  std::vector<Index> cand_;      // candidates: unpenalized, unbounded on some side
  std::vector<double> lo_, hi_;  // their boxes
  std::vector<double> G_, xy_;   // G_: p x |cand|, column k at G_ + k * p
  std::vector<char> in_, factored_;  // membership in F now, and at the last factor()
  std::vector<Index> F_, pos_;   // F (feature indices) and their candidate positions
  std::vector<double> chol_, c_;  // c_: apply()'s projection coefficients
  double ridge_ = 1e-12;  // relative to G_FF's mean diagonal (init())
  Index p_ = 0;
};

}  // namespace fastenet
