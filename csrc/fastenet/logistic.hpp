// logistic.hpp: L1 / L2 / elastic-net logistic regression, binary and multinomial, by a
// proximal Newton outer loop whose quadratic subproblems are elastic-net least squares
// solved by THE coordinate-descent loop (cd.hpp) on the working set's columns.
//
// Problem (kernel scale: sklearn's objective divided by C):
//   P(W, b) = sum_i s_i l_i(eta_i) + sum_k sum_j h_j(W_jk),   eta_i = X_i W + b
// with B = 1 block for two classes (l = log(1 + e^eta) - y eta, y in {0, 1}) or B = K
// blocks for K >= 3 (multinomial: l = logsumexp(eta_i) - eta_{i, y_i}); h_j the elastic-
// net penalty of penalty.hpp, the same for every block; intercepts never penalized.
//
// Certificate. theta_ik = s_i (Y_ik - P_ik) (P the probabilities, Y the one-hot labels)
// is the dual point; its Fenchel dual value is
//   D(c theta) = -sum_i s_i negent(c P_i + (1 - c) Y_i) - sum_jk h_j*(c X_j^T theta_k),
// negent(a) = sum a log a (a on the simplex), c in (0, 1] the largest scale keeping every
// h_j* finite (L1 without L2: |X_j^T theta_k| <= l1 pf_j); gap = P - D >= P - P*.
// An intercept adds the constraint sum_i theta_ik = 0: b is solved for exactly (Newton
// on b alone, O(n) a step) before every full gap (screening needs a feasible point).
// Along what nothing penalizes (intercepts, unpenalized coefficients: penalty factor 0
// or C = inf; in a binary model, one bounded on one side only, while inside its box) the
// dual point is infeasible: their cross terms are taken out of P - D and their Newton
// decrements u^2 / (2 H) at the current curvature added (gap_on): an estimate of what
// they could still gain, not a bound.
// Stop: gap <= tol_abs = tol * (objective of the null model: intercept only, or eta = 0).
// The binary case's loops over rows (probabilities, loss, line search, dual) and the
// intercept's sums are logistic_rows.cpp's, vectorized; the multinomial's others stay here.
//
// Outer loop (as cd.hpp's): full gradient -> gap -> stop? -> gap-safe screening ->
// working set. Inner loop: proximal Newton steps on the working set; one step, per block:
//   h_i = s_i P_ik (1 - P_ik) (floored at 1e-5 s_i, as glmnet), z_i = eta_ik + theta_ik / h_i,
//   min_w,b 1/2 ||z - X_ws w - b||^2_h + sum_j h_j(w_j)     by CdSolver: NaiveScheme over
//   SubsetColumns, the intercept by implicit centering (X is neither copied nor centered),
// then a backtracking (Armijo) line search on P along the step; the working-set gap ends
// the inner loop once it is below 0.3 times the outer one (celer's ratio).
// Gap-safe screening: D is mu-strongly concave in the norm sum_ik theta_ik^2 / s_i, mu = 4
// for B = 1 (the binary loss is 1/4-smooth) and 1 for the multinomial, so the optimum
// satisfies |X_j^T (theta - theta*)| <= sqrt(2 gap / mu) ||x_j||_s; feature j is zero
// when |c X_j^T theta_k| plus that radius stays below l1 pf_j for every block.
// References: Friedman, Hastie, Tibshirani (2010), sec. 3-4 (IRLS and partial Newton for
// the binomial and multinomial); Lee, Sun, Saunders (2014) (proximal Newton); Ndiaye et
// al. (2017) (gap-safe rules for the logistic loss); Massias et al. (2018) (dual scaling).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "fastenet/api.hpp"
#include "fastenet/cd.hpp"
#include "fastenet/columns.hpp"
#include "fastenet/logistic_rows.hpp"
#include "fastenet/naive.hpp"
#include "fastenet/params.hpp"
#include "fastenet/penalty.hpp"
#include "fastenet/screening.hpp"
#include "fastenet/working_set.hpp"

namespace fastenet {

namespace detail {

inline double softplus(double x) { return std::fmax(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); }
inline double xlogx(double a) { return a > 0 ? a * std::log(a) : 0.0; }

template <class Cols>
class LogisticSolver {
 public:
  using T = typename Cols::value_type;
  // Smallest Newton weight per unit of |theta_i|: bounds the working response's step,
  // |z - eta| = |theta| / h <= 1e5 (glmnet's purpose for its floor on p (1 - p)), while
  // confidently right rows (theta ~ h) keep their true curvature: a floor per unit of
  // sample weight made near-separable fits (large C) linear, 100+ steps instead of 19.
  static constexpr double kMinWeight = 1e-5;
  static constexpr Index kInnerEpochs = 200;  // per Newton step and block
  // Measured on a 10,000 x 100,000 sparse L1 problem (6,300 nonzeros): looser inner
  // solves (0.3 / 0.3, not 0.1 / 0.01) and a first working set of 100 (not 10) take
  // 0.25 s, not 0.45; a 50-point path on sparse_text 2.3 s, not 2.7.
  static constexpr double kInnerFactor = 0.3;  // working-set gap / outer gap; model gap
                                               // / logistic gap per Newton step
  static constexpr double kModelFactor = 0.3;  // model gap / its first value, at most
  static constexpr Index kMinWorkingSet = 100;

  /// coef: B blocks of p + 1 (coefficients, then the intercept), a warm start in, the
  /// solution out.
  LogisticSolver(const Cols& X, const LabelData<T>& ld, const SolveParams& prm, double* coef)
      : X_(X), ld_(ld), prm_(prm), coef_(coef), n_(X.n()), p_(X.p()),
        B_(ld.n_classes == 2 ? 1 : ld.n_classes), eta_(n_ * B_), P_(n_ * B_), theta_(n_ * B_),
        Lq_(p_), u_(p_ * B_), h_(n_), z_(n_), dz_(n_) {
    if (ld.n_classes < 2) throw std::invalid_argument("need at least 2 classes");
    for (Index i = 0; i < n_; ++i)
      if (ld.label[i] < 0 || ld.label[i] >= ld.n_classes)
        throw std::invalid_argument("labels must lie in [0, n_classes)");
    W_ = 0;
    std::vector<double> freq(ld.n_classes, 0.0);
    for (Index i = 0; i < n_; ++i) {
      W_ += s(i);
      freq[ld.label[i]] += s(i);
    }
    if (ld.intercept) {  // the null model: class frequencies
      null_obj_ = 0;
      for (double f : freq) null_obj_ -= W_ > 0 ? xlogx(f / W_) * W_ : 0.0;
    } else {
      null_obj_ = W_ * std::log(double(B_ == 1 ? 2 : B_));
    }
  }

  /// Solves for `pen` from the current coef_ (a path calls it again with the next
  /// penalty); prev_l1 > pen.l1 seeds the first working set with the strong rule.
  SolveResult run(const Penalty& pen, double prev_l1 = -1) {
    pen_ = pen;
    pen_.prepare();
    res_ = SolveResult{};
    // A null objective of 0 (one class carries all the weight) would leave no target
    // above the rounding of a sum over the rows.
    res_.tol_abs = prm_.tol * std::max(null_obj_, 1e-12 * W_);
    ws_.clear();
    if (!started_) start();
    alive_.clear();
    free_any_ = false;
    for (Index j = 0; j < p_; ++j) {
      if (!(Lq_[j] > 0)) continue;
      alive_.push_back(j);
      free_any_ = free_any_ || may_be_free(j);
    }
    strong_l1_ = prev_l1 > pen_.l1 ? 2 * pen_.l1 - prev_l1 : -1;
    for (;;) {
      fit_intercepts();  // exact before a full gap: the screening rule needs the constraint
      ++res_.n_outer;
      gradient(alive_);
      const Gap g = gap_on(alive_);
      res_.gap = g.gap;
      if (g.gap <= res_.tol_abs) return done(Status::converged);
      if (res_.n_iter >= prm_.max_iter) return done(Status::max_iter);
      if (interrupted()) return done(Status::interrupted);
      if (prm_.screening) screen(g);
      choose_working_set();
      strong_l1_ = -1;
      inner(std::max(res_.tol_abs, kInnerFactor * g.gap), g.gap);
      if (stop_) return done(Status::interrupted);
    }
  }

 private:
  struct Gap {
    double gap = std::numeric_limits<double>::infinity();
    double c = 1.0;  // the dual point is c * theta
  };

  double s(Index i) const { return ld_.sw ? double(ld_.sw[i]) : 1.0; }
  double& w(Index j, Index k) { return coef_[k * (p_ + 1) + j]; }
  double w(Index j, Index k) const { return coef_[k * (p_ + 1) + j]; }
  double& b(Index k) { return coef_[k * (p_ + 1) + p_]; }
  double u(Index j, Index k) const { return u_[k * p_ + j]; }
  // Y_ik: block k's indicator (the positive class for one block).
  bool y(Index i, Index k) const { return ld_.label[i] == (B_ == 1 ? 1 : k); }
  bool is_free(Index j) const {
    return unconstrained_dual(pen_, j) || (pen_.a(j) == 0 && pen_.b(j) == 0 &&
                                           std::isinf(pen_.lo_of(j)) && std::isinf(pen_.hi_of(j)));
  }
  // No penalty, and a bound on one side only.
  bool one_sided_unpenalized(Index j) const {
    return pen_.a(j) == 0 && pen_.b(j) == 0 &&
           std::isinf(pen_.lo_of(j)) != std::isinf(pen_.hi_of(j));
  }
  // Whether some coefficient of feature j may be free (is_free(j, k)) during the solve.
  bool may_be_free(Index j) const {
    return is_free(j) || (B_ == 1 && one_sided_unpenalized(j));
  }
  // Coefficient (j, k) unconstrained by the dual point (gap_on adds its cross term and
  // Newton decrement instead): feature j is free, or, in a binary model, one-sided
  // unpenalized with w_j inside its box, where its gradient is 0 at the optimum. (The
  // scale cap of a penalized feature's open side made the gap infinite there whenever
  // rounding left that gradient on the open side: 6 of 30 random binary fits with
  // penalty_factor 0 and lower_bounds 0 on one feature ended unconverged. Not in a
  // multinomial fit: a block at its bound and two free ones share a direction, the
  // softmax's shift, of low curvature that their separate decrements miss, and 34 of
  // 1000 random fits were reported converged off their optimum.)
  bool is_free(Index j, Index k) const {
    if (is_free(j)) return true;
    const double v = w(j, k);
    return B_ == 1 && one_sided_unpenalized(j) && v != pen_.lo_of(j) && v != pen_.hi_of(j);
  }

  SolveResult done(Status st) {
    res_.status = st;
    return res_;
  }

  bool interrupted() {
    if (stop_) return true;
    if (prm_.interrupt && prm_.interrupt(prm_.interrupt_ctx)) stop_ = true;
    return stop_;
  }

  // Once: curvature bounds (X's finiteness check), the warm start clipped into its boxes
  // (zero for constant-zero columns), eta = X W + b.
  void start() {
    started_ = true;
    for (Index j = 0; j < p_; ++j) {
      const double q = X_.wsq(j, ld_.sw);
      if (!std::isfinite(q)) throw std::invalid_argument(non_finite_message(q, X_.finite(j), j));
      Lq_[j] = q;
    }
    if (!ld_.intercept)
      for (Index k = 0; k < B_; ++k) b(k) = 0;
    std::vector<T> tmp(n_);
    for (Index k = 0; k < B_; ++k) {
      std::fill(tmp.begin(), tmp.end(), T(0));
      for (Index j = 0; j < p_; ++j) {
        double& v = w(j, k);
        v = Lq_[j] > 0 ? std::min(std::max(v, pen_.lo_of(j)), pen_.hi_of(j)) : 0.0;
        if (v != 0) X_.axpy(j, T(v), tmp.data());
      }
      for (Index i = 0; i < n_; ++i) eta_[k * n_ + i] = b(k) + double(tmp[i]);
    }
    refresh();
  }

  // The probability cache, refreshed whenever eta moves (one exp per row and block):
  // binary: P_[i] = the probability of the class row i is NOT (exact when tiny, where
  // 1 - P would round); multinomial: P_[k n + i] = softmax(eta_i)_k. theta_ follows.
  void refresh() {
    if (B_ == 1) logistic_miss(n_, ld_.label, eta_.data(), P_.data());
    if (B_ > 1)
      for (Index i = 0; i < n_; ++i) {
        double m = -std::numeric_limits<double>::infinity();
        for (Index c = 0; c < B_; ++c) m = std::max(m, eta_[c * n_ + i]);
        double z = 0;
        for (Index c = 0; c < B_; ++c) z += (P_[c * n_ + i] = std::exp(eta_[c * n_ + i] - m));
        for (Index c = 0; c < B_; ++c) P_[c * n_ + i] /= z;
      }
    if (B_ == 1) {  // s (y - P) = +-s miss, exact for tiny misses
      for (Index i = 0; i < n_; ++i) theta_[i] = T(s(i) * (ld_.label[i] == 1 ? P_[i] : -P_[i]));
      return;
    }
    for (Index k = 0; k < B_; ++k)
      for (Index i = 0; i < n_; ++i) theta_[k * n_ + i] = T(s(i) * (double(y(i, k)) - prob(i, k)));
  }

  // theta_ik = s_i (Y_ik - P_ik) in double (theta_ holds it in T).
  double theta_d(Index i, Index k) const {
    if (B_ == 1) return s(i) * (ld_.label[i] == 1 ? P_[i] : -P_[i]);
    return s(i) * (double(y(i, k)) - P_[k * n_ + i]);
  }
  // sum_i theta_ik, and in *H (if given) sum_i s_i P_ik (1 - P_ik): the intercept's
  // gradient and curvature (logistic_rows.hpp; the intercept's Newton steps run them a few
  // times per outer check).
  double theta_sum(Index k, double* H = nullptr) const {
    double h;
    const double t = logistic_class_sums(n_, ld_.sw, ld_.label, B_ == 1 ? 1 : std::int32_t(k),
                                         P_.data() + (B_ == 1 ? 0 : k * n_), B_ == 1, &h);
    if (H) *H = h;
    return t;
  }

  // P_ik from the cache.
  double prob(Index i, Index k) const {
    if (B_ > 1) return P_[k * n_ + i];
    return ld_.label[i] == 1 ? 1.0 - P_[i] : P_[i];
  }
  // P_ik (1 - P_ik), the Newton weight per unit of sample weight.
  double curvature(Index i, Index k) const {
    const double P = B_ == 1 ? P_[i] : P_[k * n_ + i];
    return P * (1 - P);
  }

  // sum_i s_i l_i at eta_ (multinomial: from the cache where that is exact).
  double loss() const {
    if (B_ == 1) return logistic_loss(n_, ld_.sw, ld_.label, eta_.data());
    double f = 0;
    for (Index i = 0; i < n_; ++i) {
      double li;
      const double Py = P_[ld_.label[i] * n_ + i];
      if (Py >= 1e-300) {
        li = -std::log(Py);
      } else {
        double m = -std::numeric_limits<double>::infinity();
        for (Index c = 0; c < B_; ++c) m = std::max(m, eta_[c * n_ + i]);
        double z = 0;
        for (Index c = 0; c < B_; ++c) z += std::exp(eta_[c * n_ + i] - m);
        li = m + std::log(z) - eta_[ld_.label[i] * n_ + i];
      }
      f += s(i) * li;
    }
    return f;
  }

  // The change of the loss when block k's eta moves by t * (dz_ + db), summed from each
  // row's own change (a difference of two sums would be lost to rounding near the
  // optimum, where line searches decide on changes of 1e-14 relative):
  //   l_i(eta + d e_k) - l_i(eta) = log1p(P_ik expm1(d)) - Y_ik d.
  // Binary: logistic_rows' vectorized loop sums the rows with q > -0.5 and leaves their q
  // in q_; this loop adds the others.
  double loss_change(Index k, double t, double db) {
    double f = 0;
    Index rest = n_;
    if (B_ == 1) {
      q_.resize(n_);
      f = logistic_loss_change(n_, ld_.sw, ld_.label, P_.data(), dz_.data(), t, db, q_.data(),
                               &rest);
    }
    for (Index i = 0; i < n_ && rest > 0; ++i) {
      const double d = t * (double(dz_[i]) + db);
      if (d == 0) continue;
      if (B_ == 1 && q_[i] > -0.5) continue;  // summed by logistic_loss_change
      if (B_ == 1) --rest;                     // one of the rows it left
      const double e = eta_[k * n_ + i];
      const double q = B_ == 1 ? q_[i] : prob(i, k) * std::expm1(d);
      double change;
      if (q > -0.5) {
        change = std::log1p(q);
      } else if (B_ == 1) {  // large decrease: the direct difference is accurate
        change = softplus(e + d) - softplus(e);
      } else {
        double m = -std::numeric_limits<double>::infinity();
        for (Index c = 0; c < B_; ++c) m = std::max(m, eta_[c * n_ + i]);
        double z0 = 0, z1 = 0;
        for (Index c = 0; c < B_; ++c) {
          z0 += std::exp(eta_[c * n_ + i] - m);
          z1 += std::exp(eta_[c * n_ + i] + (c == k ? d : 0.0) - m);
        }
        change = std::log(z1 / z0);
      }
      f += s(i) * (change - (y(i, k) ? d : 0.0));
    }
    return f;
  }

  // h_j(w0 + dw) - h_j(w0), exact when the sign does not change.
  static double penalty_change(const Penalty& pen, Index j, double w0, double dw) {
    const double w1 = w0 + dw;
    const double l1 = (w0 >= 0 && w1 >= 0) ? dw : (w0 <= 0 && w1 <= 0) ? -dw
                                                                       : std::fabs(w1) - std::fabs(w0);
    return pen.a(j) * l1 + pen.b(j) * dw * (w0 + 0.5 * dw);
  }

  // sum_i s_i negent(c P_i + (1 - c) Y_i), the loss conjugate at the dual point c theta.
  // The label's entry, 1 - c (1 - P_y), is formed from the other entries so that it is
  // exact when P_y is near 1.
  double dual_loss(double c) const {
    if (B_ == 1) return logistic_dual_loss(n_, ld_.sw, P_.data(), c);
    double f = 0;
    for (Index i = 0; i < n_; ++i) {
      const Index yc = ld_.label[i];
      double rest = 0, v = 0;
      for (Index k = 0; k < B_; ++k) {
        if (k == yc) continue;
        const double a = c * P_[k * n_ + i];
        rest += a;
        v += xlogx(a);
      }
      v += (1 - rest) * std::log1p(-rest);
      f += s(i) * v;
    }
    return f;
  }

  // loss + dual_loss(1) without a logarithm, row by row: log P_ik = eta_ik - lse(eta_i)
  // turns l_i + negent(P_i) into sum_k P_ik (eta_ik - eta_iy) (binary: miss * margin).
  // A sum of small terms where the other form is a difference of two large ones.
  double fenchel_young() const {
    double f = 0;
    for (Index i = 0; i < n_; ++i) {
      double v = 0;
      if (B_ == 1) {
        v = P_[i] * (ld_.label[i] == 1 ? -eta_[i] : eta_[i]);
      } else {
        const double ey = eta_[ld_.label[i] * n_ + i];
        for (Index k = 0; k < B_; ++k) v += P_[k * n_ + i] * (eta_[k * n_ + i] - ey);
      }
      f += s(i) * v;
    }
    return f;
  }

  // u_jk = X_j^T theta_k for j in set. One pass over those columns per block.
  void gradient(const std::vector<Index>& set) {
    for (Index k = 0; k < B_; ++k) {
      const T* th = theta_.data() + k * n_;
      for (Index j : set) u_[k * p_ + j] = double(X_.dot(j, th));
    }
  }

  // Intercepts solved for exactly (sum_i theta_ik = 0, to rounding) by Newton steps on
  // each b_k in turn; leaves the cache and loss_ current. O(n B) a step.
  void fit_intercepts() {
    bool moved = !loss_known_;
    if (ld_.intercept) {
      for (int round = 0; round < 50; ++round) {
        double worst = 0;
        bool stepped = false;
        for (Index k = 0; k < B_; ++k) {
          double H = 0;
          const double g = -theta_sum(k, &H);
          worst = std::max(worst, std::fabs(g));
          if (!(H > 0) || std::fabs(g) <= 1e-13 * W_) continue;
          // Damped Newton: the derivative is monotone in b_k, so halve until |g| drops
          // (a few times at most: near the optimum rounding decides, and b stays).
          double d = -g / H;
          for (int half = 0; half < 8; ++half, d *= 0.5) {
            shift_block(k, d);
            if (std::fabs(theta_sum(k)) < std::fabs(g)) {
              moved = stepped = true;
              break;
            }
            shift_block(k, -d);
          }
        }
        if (worst <= 1e-13 * W_ || !stepped) break;
      }
    }
    if (moved) loss_ = loss();  // else kept current by the line searches
    loss_known_ = true;
  }

  void shift_block(Index k, double d) {
    for (Index i = 0; i < n_; ++i) eta_[k * n_ + i] += d;
    b(k) += d;
    refresh();
  }

  // Gap over the features in `set` (the others are zero), at the current theta_ and u_.
  // The dual point c theta is infeasible along what nothing penalizes (the intercepts,
  // unpenalized coefficients), where P - D carries the cross terms -c (u_j w_j) and
  // -c b_k sum_i theta_ik: they are added back, leaving the (nonnegative) gap of the
  // penalized part, and each unpenalized coefficient adds its Newton decrement
  // u^2 / (2 H_jj) at its current curvature H_jj: an estimate of what moving it alone
  // could still gain (exact for a quadratic), not a bound.
  Gap gap_on(const std::vector<Index>& set) {
    Gap g;
    double pen_val = 0, cross = 0;
    bool any_free = false;
    // h_j*(c u) is 0 where |u| <= l1 pf_j (c <= 1): the conjugates are summed over the
    // other features only (the violators and the nonzeros, not the 100,000 features of a
    // sparse design a second time).
    hot_.clear();
    for (Index j : set) {
      bool hot = false;
      for (Index k = 0; k < B_; ++k) {
        const double v = u(j, k);
        pen_val += pen_.value(j, w(j, k));
        if (is_free(j, k)) {
          cross += v * w(j, k);
          any_free = true;
          continue;
        }
        const double a = pen_.a(j);
        hot = hot || !(std::fabs(v) <= a);
        if (pen_.b(j) == 0) {  // an unbounded side without curvature caps the scale
          if (v > a && std::isinf(pen_.hi_of(j))) g.c = std::min(g.c, a / v);
          if (v < -a && std::isinf(pen_.lo_of(j))) g.c = std::min(g.c, -a / v);
        }
      }
      if (hot) hot_.push_back(j);
    }
    double conj = 0;
    for (Index j : hot_) {
      for (Index k = 0; k < B_; ++k) conj += pen_.scaled_conjugate(j, g.c * u(j, k));
    }
    double decrement = any_free ? free_decrement(set) : 0.0;
    if (ld_.intercept) {
      for (Index k = 0; k < B_; ++k) {
        double H = 0;
        const double t = theta_sum(k, &H);
        cross += b(k) * t;
        if (t != 0) decrement += H > 0 ? 0.5 * t * t / H : std::numeric_limits<double>::infinity();
      }
    }
    const double base = g.c == 1 ? fenchel_young() : loss_ + dual_loss(g.c);
    g.gap = base + pen_val + conj + g.c * cross + decrement;
    return g;
  }

  // sum_j u_jk^2 / (2 H_jk) over the unpenalized features of `set`, H_jk their current
  // curvature ||x_j||^2 weighted by s P_k (1 - P_k). One pass over those columns a block.
  double free_decrement(const std::vector<Index>& set) {
    double dec = 0;
    for (Index k = 0; k < B_; ++k) {
      for (Index i = 0; i < n_; ++i) h_[i] = T(s(i) * curvature(i, k));
      for (Index j : set) {
        if (!is_free(j, k)) continue;
        const double H = X_.wsq(j, h_.data()), v = u(j, k);
        if (v != 0) dec += H > 0 ? 0.5 * v * v / H : std::numeric_limits<double>::infinity();
      }
    }
    return dec;
  }

  void screen(const Gap& g) {
    if (free_any_ || !pen_.sklearn_boxes || pen_.l1 == 0 || !std::isfinite(g.gap)) return;
    const double mu = B_ == 1 ? 4.0 : 1.0;
    const double noise = 16.0 * std::numeric_limits<T>::epsilon() * null_obj_;
    const double r = std::sqrt(2.0 * std::max(g.gap, noise) / mu);
    Index m = 0;
    for (Index j : alive_) {
      bool zero = true, out = true;
      const double rho = r * std::sqrt(Lq_[j]);
      for (Index k = 0; k < B_ && out; ++k) {
        zero = zero && w(j, k) == 0;
        out = zero && distance(j, k, g.c) > rho;
      }
      if (!out) alive_[m++] = j;
    }
    alive_.resize(m);
  }

  // l1 pf_j - |c X_j^T theta_k| (the part the box allows, Penalty::open_part): < 0
  // violates the KKT condition. Screening takes it at the dual point's scale c, the
  // working set at c = 1 (the raw gradient), as the linear solver does (screening.hpp):
  // then the lowest scores are the violators, the set that choose_working_set takes.
  // Ranked at c, the set of that size went by column norm too: 5 Newton steps and
  // 0.124 s on sparse_text at 1% nonzeros and tol 1e-2, against 3 and 0.09 s at c = 1
  // (median of 5, one run).
  double distance(Index j, Index k, double c) const {
    return pen_.a(j) - pen_.open_part(j, c * (u(j, k) - pen_.b(j) * w(j, k)));
  }

  void choose_working_set() {
    grew_ = false;
    if (!prm_.working_set || pen_.l1 == 0) {
      ws_ = alive_;
      return;
    }
    forced_.clear();
    // written by index, as in cd.hpp (GCC left push_back out of line: 1% of the samples
    // of sparse_text at 5% nonzeros)
    if (cand_.size() < alive_.size()) cand_.resize(alive_.size());
    Index nnz = 0, violators = 0, nc = 0;
    for (Index j : alive_) {
      bool active = false;
      double score = std::numeric_limits<double>::infinity();
      for (Index k = 0; k < B_; ++k) {
        active = active || w(j, k) != 0;
        score = std::min(score, distance(j, k, 1.0));
      }
      if (active || !pen_.penalized(j)) {
        forced_.push_back(j);
        nnz += active;
      } else if (strong_l1_ >= 0 && passes_strong_rule(j)) {
        forced_.push_back(j);
      } else {
        // At W_j. = 0, a negative score is a KKT violation in some block.
        cand_[nc++] = {score / std::sqrt(Lq_[j]), j};
        violators += score < 0;
      }
    }
    cand_.resize(nc);
    // The set grows straight to every KKT violator of the current (unscaled) gradient:
    // on the benchmark designs their count at the first check is close to the final
    // support (1,648 for 999 nonzeros on sparse_text at 1%, 2,428 for 2,360 on
    // onehot_geo at 5%), and each outer pass costs a gradient and a gap over all rows
    // (sparse_text at 5%: 10 Newton steps, 0.45 s, instead of 32 and 0.98 s when the
    // set doubled). Never past them: a Newton step on a set far larger than the
    // model's support costs passes over X that buy nothing.
    // grow_working_set's floor of twice the nonzeros (skglm's rule) only for a path
    // point's first set, where the penalty just fell and the support grows: the spare
    // candidates let entering features join without another outer pass. A fit from
    // zero overshoots its support at the first Newton step and then shrinks it, and the
    // floor filled half of each later set with zeros that stayed zero, swept by every
    // full epoch of the model solves: without it, sparse_text at 5% nonzeros took
    // 0.86-0.94x the time, onehot_geo 0.94-0.98x, with the same Newton steps; on the
    // 50-C paths without the floor anywhere sparse_text took 118 Newton steps, not 105
    // (interleaved A/B runs).
    const Index floor_nnz = strong_l1_ >= 0 ? nnz : 0;
    grow_working_set(forced_, cand_, floor_nnz, std::max(prm_.ws_min, kMinWorkingSet), ws_,
                     Index(forced_.size()) + violators, /*factor=*/0);
    grew_ = violators > 0;
  }

  // Sequential strong rule (Tibshirani et al. 2012) at W_j = 0, any block.
  bool passes_strong_rule(Index j) const {
    for (Index k = 0; k < B_; ++k) {
      if (pen_.open_part(j, u(j, k)) >= pen_.pf_of(j) * strong_l1_) return true;
    }
    return false;
  }

  // Prox-Newton steps on ws_ until the working-set gap is below eps; only one while the
  // set is still growing (it took in KKT violators): the next outer check, which grows
  // it again, costs about what a working-set gap does when the rows outnumber the
  // columns' entries (each gap evaluates a log per row), and steps on an incomplete set
  // are partly undone (onehot_geo at 1% nonzeros: 12 -> 7 Newton steps, 0.37 -> 0.27 s).
  void inner(double eps, double ref) {
    for (;;) {
      bool moved = false;
      for (Index k = 0; k < B_ && !stop_; ++k) moved = newton_step(k, ref) || moved;
      if (B_ > 1) recenter();
      ++res_.n_iter;  // (the steps move the intercepts too: no exact solve needed here)
      if (grew_) return;
      gradient(ws_);
      const Gap g = gap_on(ws_);
      ref = g.gap;
      if (g.gap <= eps || !moved || res_.n_iter >= prm_.max_iter ||
          interrupted())
        return;
    }
  }

  // The multinomial loss is blind to a shift of W_j. (one value added to every block):
  // each feature of ws_ takes the shift that minimizes its penalty, the direction that
  // per-block Newton steps cannot see (without it a 3-class L2 fit converged at 0.9 a
  // sweep, 120 sweeps to a 1e-10 gap). P, theta and the loss do not change.
  void recenter() {
    std::fill(dz_.begin(), dz_.end(), T(0));
    bool any = false;
    for (Index j : ws_) {
      if (std::isfinite(pen_.lo_of(j)) || std::isfinite(pen_.hi_of(j))) continue;
      const double m = best_shift(j);
      if (m == 0) continue;
      for (Index k = 0; k < B_; ++k) w(j, k) -= m;
      X_.axpy(j, T(m), dz_.data());
      any = true;
    }
    if (!any) return;
    for (Index k = 0; k < B_; ++k)
      for (Index i = 0; i < n_; ++i) eta_[k * n_ + i] -= double(dz_[i]);
  }

  // argmin_m sum_k a |W_jk - m| + b/2 (W_jk - m)^2 (the mean when a = b = 0; among
  // minimizers, the one nearest 0). The objective is convex and piecewise quadratic with
  // breaks at the W_jk: its minimizer is a break or a stationary point between two.
  double best_shift(Index j) {
    const double a = pen_.a(j), bq = pen_.b(j);
    shift_.resize(B_);
    for (Index k = 0; k < B_; ++k) shift_[k] = w(j, k);
    std::sort(shift_.begin(), shift_.end());
    if (a == 0 && bq == 0) {
      double mean = 0;
      for (double v : shift_) mean += v;
      return mean / double(B_);
    }
    auto f = [&](double m) {
      double v = 0;
      for (double x : shift_) v += a * std::fabs(x - m) + 0.5 * bq * (x - m) * (x - m);
      return v;
    };
    double best = 0, fbest = f(0.0);
    auto consider = [&](double m) {
      const double fm = f(m);
      if (fm < fbest || (fm == fbest && std::fabs(m) < std::fabs(best))) {
        best = m;
        fbest = fm;
      }
    };
    double sum = 0;
    for (double x : shift_) sum += x;
    for (Index t = 0; t <= B_; ++t) {  // m between shift_[t-1] and shift_[t]
      if (t < B_) consider(shift_[t]);
      if (bq > 0) {  // stationary: b (sum x - B m) + a (#above - #below) = 0
        const double m = (bq * sum + a * (double(B_ - t) - double(t))) / (bq * double(B_));
        const bool inside = (t == 0 || m > shift_[t - 1]) && (t == B_ || m < shift_[t]);
        if (inside) consider(m);
      }
    }
    return best;
  }

  // The working set's columns for a model on the weights h_, and their weighted means
  // xm_[t] = X[:, ws_[t]] @ h_ / Wh (with an intercept). CSC: each entry also times its
  // row's weight (WeightedSubset; hx_ is refilled here, in the same read as the means
  // and the model's curvatures Lm_, which model_scheme() may hand to the scheme).
  auto model_columns(Index m, double Wh) {
    if constexpr (Cols::kDense) {
      // (summed in double: the scheme takes X^T h == Wh xm to double precision, naive.hpp)
      for (Index t = 0; t < m && ld_.intercept; ++t)
        xm_[t] = dot_d(n_, X_.col(ws_[t]), h_.data()) / Wh;
      return SubsetColumns<Cols>{&X_, ws_.data(), m};
    } else {
      hx_start_.resize(m + 1);
      hx_start_[0] = 0;
      for (Index t = 0; t < m; ++t) hx_start_[t + 1] = hx_start_[t] + X_.nnz(ws_[t]);
      hx_.resize(hx_start_[m]);
      Lm_.resize(m);
      for (Index t = 0; t < m; ++t) {
        const Index j = ws_[t], lo = X_.indptr[j];
        double sum, sq;
        gather_scale(X_.nnz(j), X_.data + lo, X_.indices + lo, h_.data(),
                     hx_.data() + hx_start_[t], &sum, &sq);
        if (ld_.intercept) xm_[t] = sum / Wh;
        const double mt = ld_.intercept ? xm_[t] : 0.0;
        Lm_[t] = centered_sq(X_, j, h_.data(), sq, Wh, mt);  // as NaiveScheme's (naive.hpp)
      }
      return WeightedSubset<Cols>{&X_, ws_.data(), m, h_.data(), hx_.data(), hx_start_.data()};
    }
  }

  // The model's residual-update scheme at W's current block k. CSC, one block, every
  // nonzero of W in ws_: at that point the model's residual and its first pass are
  // known without reading X, since X_ws w = eta - b there (z - eta = theta / h):
  //   r = z - z_mean - (eta - b),  partial_j = X_j^T (h r) - xm_j sum(h r)
  //                                          = X_j^T theta - xm_j sum(theta) = u_j - ...,
  // u_ being the gradient at this theta (the outer check's, or inner()'s on ws_), and the
  // curvatures from model_columns(). Otherwise (dense columns keep a centered residual;
  // several blocks move theta between steps) the scheme builds them: one pass over the
  // set's nonzero columns for the residual, one over all of its columns for the rest
  // (sparse_text at 5% nonzeros: about 2 of 14-20 ms per Newton step).
  template <class Sub>
  NaiveScheme<Sub> model_scheme(const Design<Sub>& d, Index k) {
    if constexpr (!Cols::kDense) {
      if (B_ == 1 && support_in_ws(k)) {
        const Index m = Index(ws_.size());
        r0_.resize(n_);
        for (Index i = 0; i < n_; ++i)
          r0_[i] = T(double(z_[i]) - d.y_offset - (eta_[k * n_ + i] - b(k)));
        const double tsum = ld_.intercept ? theta_sum(k) : 0.0;
        um_.resize(m);
        for (Index t = 0; t < m; ++t)
          um_[t] = u(ws_[t], k) - (ld_.intercept ? xm_[t] * tsum : 0.0);
        return NaiveScheme<Sub>(d, r0_.data(), Lm_.data(), um_.data());
      }
    }
    return NaiveScheme<Sub>(d, w_new_.data());
  }

  // Every nonzero of block k is in ws_ (always, as choose_working_set forces them: a
  // check, O(p), not an assumption).
  bool support_in_ws(Index k) const {
    Index in_ws = 0, all = 0;
    for (Index j : ws_) in_ws += w(j, k) != 0;
    for (Index j = 0; j < p_; ++j) all += w(j, k) != 0;
    return in_ws == all;
  }

  // One proximal Newton step for block k on ws_: the weighted least-squares model solved
  // by CdSolver (inexactly, `ref` the current logistic gap), then a line search. False
  // when no step lowers P.
  bool newton_step(Index k, double ref) {
    const Index m = Index(ws_.size());
    const T* th = theta_.data() + k * n_;
    double Wh = 0, zh = 0;
    for (Index i = 0; i < n_; ++i) {
      const double si = s(i);
      const double h = si > 0 ? std::max(si * curvature(i, k), kMinWeight * std::fabs(theta_d(i, k))) : 0.0;
      const double e = eta_[k * n_ + i];
      h_[i] = T(h);
      z_[i] = T(h > 0 ? e + double(th[i]) / h : e);
      Wh += double(h_[i]);
      zh += double(h_[i]) * double(z_[i]);
    }
    if (!(Wh > 0)) return false;
    xm_.resize(m);
    w_new_.resize(m);
    pf_.resize(m);
    lo_.resize(m);
    hi_.resize(m);
    const auto sub = model_columns(m, Wh);  // (also the weighted means xm_)
    using Sub = std::decay_t<decltype(sub)>;
    for (Index t = 0; t < m; ++t) {
      const Index j = ws_[t];
      w_new_[t] = w(j, k);
      pf_[t] = pen_.pf_of(j);
      lo_[t] = pen_.lo_of(j);
      hi_[t] = pen_.hi_of(j);
    }
    Penalty sp = pen_;
    sp.pf = pf_.data();
    sp.lo = lo_.data();
    sp.hi = hi_.data();
    sp.p = m;
    const double z_mean = ld_.intercept ? zh / Wh : 0.0;
    Design<Sub> d{sub, z_.data(), z_mean, h_.data(), ld_.intercept ? xm_.data() : nullptr, Wh};
    NaiveScheme<Sub> scheme = model_scheme(d, k);
    SolveParams ip = prm_;
    ip.small_steps = false;  // the model is solved to an absolute gap, nothing more
    // Sign-fixed Newton steps (cd.hpp) off: in these capped model solves they changed
    // the benchmarks' L1 fits by 0.96-1.01x in time (sparse_text, onehot_geo; 1% and 5%).
    ip.newton = false;
    // Gap checks at anderson_k epochs: a model solved past its target makes a better
    // Newton step. With checks as soon as the target is predicted, sparse_text and
    // onehot_geo at 5% / 1% nonzeros first took one more Newton step (up to 1.25x the
    // time); once the model solves ended at their inner gap (inner_certifies below), the
    // same steps, but mixed times: sparse_text 1% 0.82x, 5% 1.05x, onehot_geo 0.92-0.98x
    // (one interleaved A/B run of 5 fits).
    ip.early_checks = false;
    // The model's gap on a set of all its features ends the solve (the logistic gap
    // certifies): no outer check to rebuild the residual and recompute the gradient.
    ip.inner_certifies = true;
    ip.max_iter = kInnerEpochs;
    ip.keep_best = false;  // a capped model solve still moves downhill: its last iterate
    // Inexact Newton: the model's gap below kInnerFactor times the logistic gap `ref` (a
    // hundredth of the final target at least), or kModelFactor times its first value,
    // whichever is smaller (the first value of a far-off model overstates it).
    const double target = std::max(kInnerFactor * ref, 0.01 * res_.tol_abs);
    ip.tol_first = kModelFactor;
    // A model's gap is second order in a KKT violation that its own coefficients alone
    // carry, while the logistic gap (one dual scale for all blocks) is first order in it:
    // a model judged solved at its start still gets its coordinate steps.
    ip.min_epochs = 1;
    ip.tol = scheme.yy() > 0 ? target / scheme.yy() : 0.0;
    CdSolver<NaiveScheme<Sub>> cd(scheme, ip, w_new_.data());
    const SolveResult r = cd.run(sp);
    if (r.status == Status::interrupted) stop_ = true;

    // The step: dz_ = X_ws dw, db; Armijo on P with its directional derivative.
    std::fill(dz_.begin(), dz_.end(), T(0));
    double db = 0, pen_diff = 0;
    if (ld_.intercept) {
      double xw = 0;
      for (Index t = 0; t < m; ++t) xw += xm_[t] * w_new_[t];
      db = z_mean - xw - b(k);
    }
    for (Index t = 0; t < m; ++t) {
      const double dw = w_new_[t] - w(ws_[t], k);
      if (dw != 0) sub.axpy(t, T(dw), dz_.data());
      pen_diff += penalty_change(sp, t, w(ws_[t], k), dw);
    }
    double slope = pen_diff;
    for (Index i = 0; i < n_; ++i) slope -= double(th[i]) * (double(dz_[i]) + db);
    if (!(slope < 0)) return false;
    double step = 1;
    for (int trial = 0; trial < 40; ++trial, step *= 0.5) {
      double pd = 0;
      for (Index t = 0; t < m; ++t) {
        const double w0 = w(ws_[t], k);
        pd += penalty_change(sp, t, w0, step * (w_new_[t] - w0));
      }
      const double df = loss_change(k, step, db);
      if (df + pd <= 1e-4 * step * slope) {
        for (Index t = 0; t < m; ++t) {
          double& wj = w(ws_[t], k);
          wj = step < 1 ? wj + step * (w_new_[t] - wj) : w_new_[t];
        }
        for (Index i = 0; i < n_; ++i) eta_[k * n_ + i] += step * (double(dz_[i]) + db);
        b(k) += step * db;
        loss_ += df;
        refresh();
        return true;
      }
    }
    return false;
  }

  const Cols& X_;
  LabelData<T> ld_;
  const SolveParams& prm_;
  double* coef_;
  Index n_, p_, B_;
  Penalty pen_;
  SolveResult res_;
  std::vector<double> eta_;  // (n, B) block-major: X W + b
  std::vector<double> P_;    // (n, B) block-major: the probability cache (refresh())
  std::vector<double> q_;    // (n,) loss_change()'s P1 expm1(d), binary
  std::vector<T> theta_;     // (n, B) block-major: s (Y - P)
  std::vector<double> Lq_;   // ||x_j||^2_s
  std::vector<double> u_;    // (p, B) block-major: X_j^T theta_k
  std::vector<T> h_, z_, dz_;
  std::vector<double> xm_;  // (in double: Design's means)
  std::vector<double> w_new_, pf_, lo_, hi_, shift_;
  std::vector<Index> alive_, ws_, forced_, hot_;
  std::vector<T> r0_;            // model_scheme(): the model's residual at W
  std::vector<double> Lm_, um_;  // ... its curvatures (model_columns()) and gradient
  std::vector<T> hx_;            // model_columns(): the set's CSC entries times h_
  std::vector<Index> hx_start_;  // ... column t's at [hx_start_[t], hx_start_[t + 1])
  std::vector<Candidate> cand_;
  double W_ = 0, null_obj_ = 0, loss_ = 0;
  double strong_l1_ = -1;
  bool started_ = false, stop_ = false, free_any_ = false, loss_known_ = false;
  bool grew_ = false;  // the last working set took in KKT violators (inner())
};

}  // namespace detail

/// Logistic fits along a path of penalties (Grid, as cd_path): point k is warm-started
/// from point k-1 (from coef for k = 0) and leaves its B (p + 1) coefficients at
/// coefs + k * B (p + 1) and its result in results[k]. Returns the points solved.
template <class Cols>
Index logistic_path(const Cols& X, const LabelData<typename Cols::value_type>& ld,
                    Penalty pen, const double* l1s, const double* l2s, Index size,
                    const SolveParams& prm, double* coef, double* coefs,
                    SolveResult* results) {
  prm.validate();
  const Index len = (ld.n_classes == 2 ? 1 : ld.n_classes) * (X.p() + 1);
  detail::LogisticSolver<Cols> solver(X, ld, prm, coef);
  return run_grid(solver, pen, l1s, l2s, size, coef, len, coefs, results);
}

}  // namespace fastenet
