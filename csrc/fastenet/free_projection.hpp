// free_projection.hpp: a feasible dual point when some features are unpenalized.
//
// A feature with penalty factor 0 and no box (set F) has the dual constraint
// X_c[:, F]^T sw theta = 0, which no scaling of the residual r can meet. Projecting r off
// those columns does:
//   theta = r - X_c[:, F] c,   c = G_FF^{-1} u_F,        G = X_c^T diag(sw) X_c
// and every quantity the gap needs follows without touching X again:
//   u'_j = u_j - G[j, F] c,   ||theta||^2_sw = R2 - u_F . c,   theta . sw y_c = Ry - c . xy_F
// so u'_F = 0 and the gap (gap.hpp) and the screening rule (screening.hpp) hold as
// written. Setup costs one Gram column per free feature (one pass over X each); each
// projection O(|F|^3 + m |F|).
// Reference: the projected residual is the least-squares residual in the free columns,
// cf. Friedman et al. (2010), sec. 2.6 (unpenalized variables).
#pragma once

#include <cmath>
#include <vector>

#include "fastenet/gap.hpp"

namespace fastenet {

class FreeProjection {
 public:
  /// Collects F among `alive` and the Gram columns and target correlations it needs.
  template <class Scheme>
  void init(Scheme& s, const Penalty& pen, const std::vector<Index>& alive) {
    F_.clear();
    for (Index j : alive)
      if (unconstrained_dual(pen, j)) F_.push_back(j);
    const Index f = Index(F_.size());
    p_ = s.p();
    if (f == 0) return;
    G_.assign(f * p_, 0.0);
    xy_.resize(f);
    for (Index k = 0; k < f; ++k) {
      s.gram_column(F_[k], G_.data() + k * p_);
      xy_[k] = s.target_correlation(F_[k]);
    }
    // chol_ = cholesky(G_FF + eps I): eps keeps collinear free columns solvable.
    chol_.assign(f * f, 0.0);
    double trace = 0;
    for (Index k = 0; k < f; ++k) trace += G_[k * p_ + F_[k]];
    for (Index a = 0; a < f; ++a)
      for (Index b = 0; b < f; ++b) chol_[a * f + b] = G_[b * p_ + F_[a]];
    for (Index a = 0; a < f; ++a) chol_[a * f + a] += 1e-12 * trace / double(f);
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

  bool empty() const { return F_.empty(); }

  /// Replaces u[idx[t]] (t < m; idx null: all p) and st.Q2, st.Qy by their values at the
  /// projected dual point. Every free feature must be among idx.
  void apply(double* u, ResidualStats& st, const Index* idx, Index m) const {
    const Index f = Index(F_.size());
    if (f == 0) return;
    std::vector<double> c(f);
    for (Index k = 0; k < f; ++k) c[k] = u[F_[k]];
    solve(c);
    for (Index k = 0; k < f; ++k) {
      st.Q2 -= u[F_[k]] * c[k];
      st.Qy -= xy_[k] * c[k];
    }
    if (st.Q2 < 0) st.Q2 = 0;
    for (Index t = 0; t < m; ++t) {
      const Index j = idx ? idx[t] : t;
      double v = u[j];
      for (Index k = 0; k < f; ++k) v -= G_[k * p_ + j] * c[k];
      u[j] = v;
    }
    for (Index k = 0; k < f; ++k) u[F_[k]] = 0.0;  // exactly, not up to rounding
  }

 private:
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

  std::vector<Index> F_;
  std::vector<double> G_, xy_, chol_;  // G_: p x |F|, column k at G_ + k * p
  Index p_ = 0;
};

}  // namespace fastenet
