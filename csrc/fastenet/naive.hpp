// naive.hpp: the residual-update scheme ("naive updates", Friedman et al. 2010, sec. 2.1).
//
// State: a residual vector r (n) and its weighted sum rsum, with the centered residual
//   r_c = y_c - X_c w = r - rsum / W          (W = sum sw; rsum == 0 without intercept)
// Dense columns keep r centered (r -= delta * (X[:, j] - m_j): same memory traffic as the
// plain update), so rsum stays ~0 and float32 does not lose the mean. CSC columns keep
// the raw r = y_c - X w and fold the mean in through rsum (glmnet's sparse mean shift),
// so sparse X is never densified:
//   partial(j) = X_c[:, j] @ (sw * r_c) = X[:, j] @ (sw * r) - m_j * rsum
// Each coordinate step costs one column (n for dense, nnz_j for CSC). On a dense design,
// a working set with many more rows than features is solved on its Gram instead
// (set_gram.hpp: restrict_to() enters it, rebuild() leaves it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "fastenet/anderson.hpp"
#include "fastenet/columns.hpp"
#include "fastenet/gap.hpp"
#include "fastenet/set_gram.hpp"
#include "fastenet/vec.hpp"

namespace fastenet {

/// ||X_c[:, j]||^2_sw of column j of cols from its sq = sum sw x^2, weighted mean m and
/// W = sum sw: sq - W m^2, and 0 for a column constant on the rows of nonzero weight
/// (which leaves the problem: 2 of 40 CSC fits with an unpenalized column constant but
/// on rows of weight 0 got coefficients of 3.9e5 against intercepts of -1.4e6). Under
/// sample weights a constant's mean, sum sw x / W, is rounded apart from its value, and
/// the difference came out at about 1e-13 of sq instead of 0: the column was solved as a
/// feature of that curvature, and its gradient, rounding noise, over it made
/// coefficients of 1e5 to 1e114 (an unpenalized constant beside the intercept; in a
/// weighted logistic fit on CSC X, 2.8e5 against an intercept of 1.4e6). Only a
/// difference that cancelled 8 digits or more reads the column again, to see whether its
/// entries are all equal; a column of spread 1e-6 of its mean keeps its norm, as before.
template <class Cols>
inline double centered_sq(const Cols& cols, Index j, const typename Cols::value_type* sw,
                          double sq, double W, double m) {
  const double L = sq - W * m * m;
  if (L <= 1e-8 * sq && cols.constant(j, sw)) return 0.0;
  return std::max(L, 0.0);
}

/// The data of a least-squares problem on raw (uncentered) columns.
template <class Cols>
struct Design {
  using T = typename Cols::value_type;
  Cols cols;
  const T* y = nullptr;       // (n,) raw target
  double y_offset = 0;        // subtracted from y (weighted mean with an intercept)
  const T* sw = nullptr;      // (n,) sample weights or nullptr (all ones)
  // (p,) weighted column means, or nullptr: no centering. In double for every T, with W
  // the exact sum of sw: the formulas below take sum_i sw_i X[i, j] == W m_j, which a
  // float32 mean (or a W of n for float32 weights that sum to n only up to rounding)
  // breaks by about 1e-7 m_j. Under a large mean that is no rounding: with means of
  // 1e4 and unit spreads, sum sw x^2 - W m^2 came out negative, the columns were taken
  // for constants and dropped, and a float32 Lasso returned zeros, certified.
  const double* x_mean = nullptr;
  double W = 0;  // sum of sample weights, in double (n without weights)
  // Non-null (and x_mean == means_out): the means are not known yet, and the scheme's
  // first pass (NaiveScheme::curvatures_and_gradient) writes them, so a fit from w = 0
  // pays no pass of its own for them. Until then x_mean must not be read: the scheme's
  // state is built from w = 0, where no step reads it.
  double* means_out = nullptr;

  double mean(Index j) const { return x_mean ? x_mean[j] : 0.0; }
  /// Whether column j's mean passes 16x its spread (L: its curvature), where float32
  /// sums against it lose their digits: W m^2 > 256 L (NaiveScheme::kRawFloat32,
  /// kDenseFloat32). Not for constants (L = 0), which leave the problem.
  bool large_mean(Index j, double L) const {
    const double m = mean(j);
    return L > 0 && W * m * m > 256.0 * L;
  }
  /// ||X_c[:, j]||^2_sw = sum sw x^2 - W m_j^2 (centered_sq). O(nnz_j).
  double curvature(Index j) const {
    return centered_sq(cols, j, sw, cols.wsq(j, sw), W, mean(j));
  }
  /// out[j] = G[j, k] for every j, G = X_c^T diag(sw) X_c, by
  ///   G[:, k] = X^T t - m s,   t = sw * (X[:, k] - m_k),  s = sum t (0 up to rounding)
  /// (the column centered before the products: X^T (sw * X[:, k]) - W m m_k cancelled
  /// all of float32's digits under a mean of 1e4 and unit spread).
  /// tmp: n zeros in, n zeros out. One pass over X.
  /// wide: the columns large_mean() flags (null: none), whose products are summed in
  /// double where T is float (t is centered, X[:, j] is not: in float32 the covariance
  /// fits at means of 1e4 reported gaps 1.4-2x below their true ones).
  template <class Out>
  void gram_column(Index k, Out* out, std::vector<T>& tmp,
                   const unsigned char* wide = nullptr) const {
    const Index n = cols.n();
    cols.axpy(k, T(1), tmp.data());  // tmp = X[:, k] (dense; zero outside the support)
    double s = 0;
    if (x_mean) {
      const Shift<T> c(mean(k));  // (vec.hpp)
      for (Index i = 0; i < n; ++i) tmp[i] = c.from(tmp[i]);
    }
    if (sw)
      for (Index i = 0; i < n; ++i) tmp[i] *= sw[i];
    if (x_mean)
      for (Index i = 0; i < n; ++i) s += double(tmp[i]);
    for (Index j = 0; j < cols.p(); ++j) {
      double xt = 0;
      if constexpr (Cols::kDense && std::is_same_v<T, float>) {
        if (wide && wide[j]) xt = wdot_wide(n, nullptr, cols.col(j), tmp.data());
        else xt = double(cols.dot(j, tmp.data()));
      } else {
        xt = double(cols.dot(j, tmp.data()));
      }
      out[j] = Out(xt - mean(j) * s);
    }
    std::fill(tmp.begin(), tmp.end(), T(0));
  }

  /// out[j] = X[:, j] @ sw / W for every j. One pass over X (moments' other two sums,
  /// in the same read, go unused: this pass runs only when the solver's first cannot
  /// serve, a warm start or covariance updates).
  void compute_means(double* out) const {
    double sq, sum;
    for (Index j = 0; j < cols.p(); ++j) {
      cols.moments(j, sw, y, sq, sum);
      out[j] = sum / W;
    }
  }

  /// X_c[:, j] @ (sw * y_c); ysum = sum(sw * y_c) (0 up to rounding). O(nnz_j).
  /// On dense and CSC columns summed in double on y centered at y_offset: a float32 sum
  /// on the raw y loses the correlation under a large mean of y (the covariance scheme's
  /// Xy, and with it its gaps, 1% off on a float32 fit with mean(y) = 1e4).
  double target_correlation(Index j, double ysum) const {
    if constexpr (Cols::kDense) {
      const T* FASTENET_RESTRICT x = cols.col(j);
      const T* FASTENET_RESTRICT yv = y;
      const double off = y_offset;
      double s = 0;
      if (sw) {
        FASTENET_SIMD_SUM(s)
        for (Index i = 0; i < cols.n(); ++i)
          s += double(x[i]) * double(sw[i]) * (double(yv[i]) - off);
      } else {
        FASTENET_SIMD_SUM(s)
        for (Index i = 0; i < cols.n(); ++i) s += double(x[i]) * (double(yv[i]) - off);
      }
      return s - mean(j) * ysum;
    } else if constexpr (kCscColumns<Cols>) {
      double s = 0;
      for (auto e = cols.indptr[j]; e < cols.indptr[j + 1]; ++e) {
        const Index i = Index(cols.indices[e]);
        s += double(cols.data[e]) * (sw ? double(sw[i]) : 1.0) * (double(y[i]) - y_offset);
      }
      return s - mean(j) * ysum;
    } else {
      return double(cols.wdot(j, sw, y)) - mean(j) * (y_offset * W + ysum);
    }
  }

  /// ||y_c||^2_sw and sum(sw * y_c). O(n).
  void target_stats(double& yy, double& ysum) const {
    yy = ysum = 0;
    for (Index i = 0; i < cols.n(); ++i) {
      const double s = sw ? double(sw[i]) : 1.0, v = double(y[i]) - y_offset;
      yy += s * v * v;
      ysum += s * v;
    }
  }
};

/// sklearn's wording for a non-finite column sum of squares (raised as ValueError): NaN
/// or infinity in X, or finite values so large that the fit cannot be finite.
inline std::string non_finite_message(double value, bool entries_finite, Index column) {
  if (entries_finite)
    return "Coordinate descent iterations resulted in non-finite parameter values. The "
           "input data may contain large values and need to be preprocessed (column " +
           std::to_string(column) + ").";
  return std::string(std::isnan(value) ? "Input X contains NaN"
                                       : "Input X contains infinity or a value too large") +
         " (in column " + std::to_string(column) + ").";
}

template <class Cols>
class NaiveScheme {
 public:
  using T = typename Cols::value_type;

  /// set_gram: solve working sets on their Gram where it pays (dense and CSC columns);
  /// points: how many penalties the scheme serves (a path's: set_gram.hpp's reuse).
  NaiveScheme(const Design<Cols>& d, const double* w, bool set_gram = false, Index points = 1)
      : d_(d),
        r_(d.cols.n()),
        set_gram_(set_gram && SetGram<Cols>::kCovers),
        sg_(set_gram_ ? p() : 0, points) {
    d_.target_stats(yy_, ysum_);
    rebuild(w);
    mark_ = r_;
    marked_at_ = version_;
    mark_shift_ = shift();
  }

  /// A state the caller already knows (CSC columns): the raw residual r0 = y - y_offset
  /// - X w (n values, copied) and the first pass's results at it, L0 and u0 (p values
  /// each, read once by curvatures_and_gradient() instead of a pass over X). A logistic
  /// model at its linearization point knows all three without reading X (logistic.hpp);
  /// the caller vouches for X's finiteness, which that pass would have checked.
  NaiveScheme(const Design<Cols>& d, const T* r0, const double* L0, const double* u0)
      : d_(d), r_(r0, r0 + d.cols.n()), set_gram_(false), sg_(0), L0_(L0), u0_(u0) {
    static_assert(!Cols::kDense, "a dense residual is kept centered: rebuild() it");
    d_.target_stats(yy_, ysum_);
    rsum_ = d_.x_mean ? wsum_d(d_.cols.n(), d_.sw, r_.data()) : 0.0;
    mark_ = r_;
    marked_at_ = version_;
    mark_shift_ = shift();
  }

  Index p() const { return d_.cols.p(); }
  double yy() const { return yy_; }
  /// L[j] = ||X_c[:, j]||^2_sw and u[j] = partial(j) for every j: one pass over X, which
  /// also computes the column means when the design asks for them (Design::means_out).
  /// This pass is also X's finiteness check (so the Python layer skips its own): a NaN
  /// or infinite entry makes its column's sum of squares NaN or infinite.
  void curvatures_and_gradient(double* L, double* u) {
    if (L0_) {  // given at construction
      std::copy(L0_, L0_ + p(), L);
      std::copy(u0_, u0_ + p(), u);
      L0_ = u0_ = nullptr;
      d_.means_out = nullptr;
      return;
    }
    for (Index j = 0; j < p(); ++j) {
      double sq, sum;
      const double xr = double(d_.cols.moments(j, d_.sw, r_.data(), sq, sum));
      if (d_.means_out) d_.means_out[j] = sum / d_.W;
      const double m = d_.mean(j);
      u[j] = xr - m * rsum_;
      if (!std::isfinite(sq))
        throw std::invalid_argument(non_finite_message(sq, d_.cols.finite(j), j));
      L[j] = centered_sq(d_.cols, j, d_.sw, sq, d_.W, m);
      if constexpr (kDenseFloat32) {
        if (d_.x_mean) {
          if (wide_.empty()) wide_.assign(p(), 0);
          wide_[j] = d_.large_mean(j, L[j]);
          if (wide_[j]) u[j] = residual_partial(j);  // (xr was summed in float32)
        }
      }
      if constexpr (kRawFloat32) {
        if (d_.large_mean(j, L[j]))
          throw std::range_error(raw_shift_message(j));
      }
    }
    if (std::find(wide_.begin(), wide_.end(), 1) == wide_.end()) wide_.clear();
    d_.means_out = nullptr;  // known from here on
  }

  // A sparse float32 residual is kept raw (uncentered): a column whose weighted mean m is
  // large against its spread s moves it by about m per unit step where the centered
  // residual moves by s, and its gradient is the difference of two float32 sums that
  // large; the error grows as (m / s)^2: 3e-6 of the coefficients at m / s = 3, 3e-5 at
  // 10, 2e-4 at 30 (fits warning of non-convergence), 1.0 at 1e3. Past m / s = 16 the
  // first pass refuses with std::range_error, for the caller to solve in float64
  // (_kernel.solve_path). (Not in the logistic model's solves, logistic.hpp, whose
  // callers have no float64 to turn to.)
  static constexpr bool kRawFloat32 =
      !Cols::kDense && !Cols::kWeightedEntries && std::is_same_v<T, float>;
  // A dense float32 residual is kept centered, but the column is not: X[:, j] @ (sw r)
  // sums terms of size m r that cancel to one of size s r, and in float32 keeps eps32 m /
  // s of it. Past the same ratio those columns' products are summed in double
  // (wdot_wide): at means of 1e4 a naive fit reported 0.96x its tol where its true gap
  // was 1.3x. (wide_: those columns' flags.)
  static constexpr bool kDenseFloat32 = Cols::kDense && std::is_same_v<T, float>;
  static std::string raw_shift_message(Index j) {
    return "fastenet: float32 sparse column " + std::to_string(j) +
           " has a mean too large against its spread for a float32 residual";
  }

  double partial(Index j) {
    if (sg_.on()) {
      if (sg_.has(j)) return sg_.partial(j);
      materialize();
    }
    return residual_partial(j);
  }

  void gram_column(Index j, double* out) {
    std::vector<T> tmp(d_.cols.n(), T(0));
    d_.gram_column(j, out, tmp, wide_.empty() ? nullptr : wide_.data());
  }
  double target_correlation(Index j) const { return d_.target_correlation(j, ysum_); }

  /// Applies w_j += delta to the residual (to the set's gradient inside a set Gram).
  void step(Index j, double delta) {
    if (sg_.on()) {
      if (sg_.has(j)) return sg_.step(j, delta);
      materialize();
    }
    step_residual(j, delta);
  }

  /// out[t] = (H v)_idx[t], H = X_c^T diag(sw) X_c, for v supported on idx[0:m] (v[t]
  /// at idx[t]): z = X_c v, then the columns' products with sw * z. Two reads of those
  /// columns, O(n) besides; X_c is never formed (centering enters through the means).
  void hess_vec(const Index* idx, Index m, const double* v, double* out) {
    if (sg_.on()) {
      if (std::all_of(idx, idx + m, [&](Index j) { return sg_.has(j); }))
        return sg_.hess_vec(idx, m, v, out);
      materialize();
    }
    const Index n = d_.cols.n();
    z_.assign(n, T(0));
    if constexpr (Cols::kDense) {
      if (d_.x_mean) {  // z = X_c v column by column, centered as step() is
        for (Index t = 0; t < m; ++t)
          axpy_shift(n, T(v[t]), d_.cols.col(idx[t]), d_.x_mean[idx[t]], z_.data());
        const double zsum = wsum_d(n, d_.sw, z_.data());  // ~0: sum(sw * X_c v)
        for (Index t = 0; t < m; ++t)
          out[t] = double(d_.cols.wdot(idx[t], d_.sw, z_.data())) - d_.mean(idx[t]) * zsum;
        return;
      }
    }
    // z = X v (raw); with weighted means m_j (sum sw = W) and mv = m @ v,
    //   (X_c^T diag(sw) X_c v)_j = X[:, j] @ (sw * z) - W m_j mv
    double mv = 0;
    for (Index t = 0; t < m; ++t) {
      d_.cols.axpy(idx[t], T(v[t]), z_.data());
      mv += v[t] * d_.mean(idx[t]);
    }
    for (Index t = 0; t < m; ++t)
      out[t] = double(d_.cols.wdot(idx[t], d_.sw, z_.data())) - d_.W * d_.mean(idx[t]) * mv;
  }

  /// u[j] = partial(j) for j in idx[0:m] (all p when idx == nullptr). One pass over X.
  void gradient(const double* w, double* u, const Index* idx, Index m) {
    if constexpr (!Cols::kDense && !Cols::kWeightedEntries) {
      // Weighted sparse columns: sw * r once, then one gather per entry instead of two
      // (sw's and r's), where the columns hold at least n entries (sample-weighted fits
      // on onehot_geo at alpha_max/100: 0.83-0.88x in interleaved A/B runs; the logistic
      // models' columns carry their weights already, columns.hpp WeightedSubset).
      if (d_.sw && !sg_.on()) {
        const Index n = d_.cols.n();
        Index entries = 0;
        for (Index t = 0; t < m && entries < n; ++t) entries += d_.cols.nnz(idx ? idx[t] : t);
        if (entries >= n) {
          swr_.resize(n);
          for (Index i = 0; i < n; ++i) swr_[i] = d_.sw[i] * r_[i];
          for (Index t = 0; t < m; ++t) {
            const Index j = idx ? idx[t] : t;
            u[j] = double(d_.cols.dot(j, swr_.data())) - d_.mean(j) * rsum_;
          }
          return;
        }
      }
    }
    for (Index t = 0; t < m; ++t) {
      const Index j = idx ? idx[t] : t;
      u[j] = partial(j);
    }
  }

  ResidualStats stats(const double* /*w*/) const {
    if (sg_.on()) return sg_.stats();
    // The residual unchanged since they were last summed (a path point's first check
    // reads the last point's certified residual): the same sums, without their O(n) read
    if (stats_at_ == version_) return stats_;
    const Index n = d_.cols.n();
    // Reassociated sums (as vec.hpp's *_d): in order, each add waited for the last, and
    // this loop and residual_motion()'s took a fifth of the outer checks' time on the
    // 200,000-row one-hot path.
    double R2 = 0, Ry = 0;
    const T* FASTENET_RESTRICT r = r_.data();
    const T* FASTENET_RESTRICT y = d_.y;
    const T* FASTENET_RESTRICT sw = d_.sw;
    const double off = d_.y_offset;
    if (sw) {
      FASTENET_PRAGMA(omp simd reduction(+ : R2, Ry))
      for (Index i = 0; i < n; ++i) {
        const double sr = double(sw[i]) * double(r[i]);
        R2 += sr * double(r[i]);
        Ry += sr * (double(y[i]) - off);
      }
    } else {
      FASTENET_PRAGMA(omp simd reduction(+ : R2, Ry))
      for (Index i = 0; i < n; ++i) {
        R2 += double(r[i]) * double(r[i]);
        Ry += double(r[i]) * (double(y[i]) - off);
      }
    }
    return cache_stats(R2, Ry);
  }

  // Anderson states (cd.hpp): r and rsum are affine in w, so a proposal's residual is
  // the proposal's combination of the saved residuals, O(n) instead of one column per
  // moved coefficient (step_cost). Near convergence the Anderson weights reach 1e3-1e4
  // and multiply the rounding that tells the saved residuals apart: in double the state
  // then drifts by up to ~1e-10 relative (steps: ~1e-13) until the next outer rebuild;
  // in float32 by ~1e-4, which stalled fits (a float32 dense path with boxes at
  // tol=1e-6: 12,776 epochs instead of 907), so float32 residuals are not blended
  // (state_cost -1).
  // Inside a set Gram the state is the set's [g, dw], in double (SetGram::state); the
  // inner loop keeps, saves and blends states within one set.
  Index state_cost() const {
    if (sg_.on()) return sg_.state_size();
    return std::is_same_v<T, double> ? d_.cols.n() : -1;
  }
  Index step_cost(Index j) const {
    return sg_.has(j) ? sg_.size() : d_.cols.nnz(j);
  }
  void keep_states(Index slots) {
    if (in_set_) return set_hist_.reserve(slots, sg_.state_size());
    hist_.reserve(slots, d_.cols.n());
    hsum_.resize(slots);
  }
  void save_state(Index slot) {
    check_states();
    if (sg_.on()) return set_hist_.save(slot, sg_.state(), nullptr);
    hist_.save(slot, r_.data(), nullptr);
    hsum_[slot] = rsum_;
  }
  void load_state(Index slot) {
    check_states();
    if (sg_.on()) return set_hist_.load(slot, sg_.state(), nullptr);
    hist_.load(slot, r_.data(), nullptr);
    rsum_ = hsum_[slot];
    ++version_;
  }
  void blend_states(const double* c, const Index* slots, Index k) {
    check_states();
    if (sg_.on()) return set_hist_.blend(c, slots, k, sg_.state(), nullptr);
    hist_.blend(c, slots, k, r_.data(), nullptr);
    rsum_ = 0;
    for (Index t = 0; t < k; ++t) rsum_ += c[t] * hsum_[slots[t]];
    ++version_;
  }

  /// Inside a set Gram, gaps on the set read the Gram's statistics, not the residual.
  bool set_state_is_own() const { return sg_.on(); }
  bool float_steps(bool) { return false; }  // (its steps read X, not a Gram)
  /// Whether the set's gradients are as accurate as the residual's products (SetGram::
  /// certifies): cd.hpp's next outer check takes the last inner check's.
  bool set_gradients_certify() const { return sg_.certifies(); }

  /// ||r_c - r_c at the last call (or construction)||_sw, in double; marks the current
  /// residual for the next call. O(n). By Cauchy-Schwarz in the sw inner product,
  /// |partial(j) now - partial(j) then| <= sqrt(L_j) times this (cd.hpp's gradient
  /// bounds).
  double residual_motion() {
    if (sg_.on()) materialize();
    if (marked_at_ == version_) return 0.0;  // r_ is the mark, bit for bit
    const Index n = d_.cols.n();
    const double c = shift(), dc = c - mark_shift_;
    const T* FASTENET_RESTRICT r = r_.data();
    T* FASTENET_RESTRICT m = mark_.data();
    const T* FASTENET_RESTRICT y = d_.y;
    const double off = d_.y_offset;
    double s = 0, R2 = 0, Ry = 0;
    // the new mark written in the same loop (a separate copy read r_ a second time: on
    // a 200,000-row residual, 4% of a one-hot fit's time in memmove), and stats()'s sums,
    // which an outer check asks for next (cached: one read of r_ per check, not two)
    if (d_.sw) {
      const T* FASTENET_RESTRICT sw = d_.sw;
      FASTENET_PRAGMA(omp simd reduction(+ : s, R2, Ry))
      for (Index i = 0; i < n; ++i) {
        const double e = double(r[i]) - double(m[i]) - dc;
        const double sr = double(sw[i]) * double(r[i]);
        s += double(sw[i]) * e * e;
        R2 += sr * double(r[i]);
        Ry += sr * (double(y[i]) - off);
        m[i] = r[i];
      }
    } else {
      FASTENET_PRAGMA(omp simd reduction(+ : s, R2, Ry))
      for (Index i = 0; i < n; ++i) {
        const double e = double(r[i]) - double(m[i]) - dc;
        s += e * e;
        R2 += double(r[i]) * double(r[i]);
        Ry += double(r[i]) * (double(y[i]) - off);
        m[i] = r[i];
      }
    }
    mark_shift_ = c;
    marked_at_ = version_;
    cache_stats(R2, Ry);
    return std::sqrt(s);
  }

  /// Until the next rebuild(), partial(j) is read and w_j moved only for j in ws, from
  /// w: the residual serves every feature at once, but a dense set with many more rows
  /// than features is solved on its Gram where that pays (set_gram.hpp).
  bool restrict_to(const double* w, const std::vector<Index>& ws) {
    if (sg_.on()) materialize();  // a set entered before: its moves into the residual
    in_set_ = set_gram_ && sg_.enter(d_, ws, w, yy_, ysum_);
    return in_set_;
  }

  /// The state recomputed from w, restricted to ws again, in the mode restrict_to() chose
  /// (the Anderson states were kept in it): inside the set's Gram, O(m^2).
  void rebuild_restricted(const double* w, const std::vector<Index>& ws) {
    if (sg_.entered(ws)) return sg_.refresh(w);
    rebuild(w);
    if (in_set_) sg_.enter(d_, ws, w, yy_, ysum_, /*again=*/true);
  }

  /// r = y_c - X_c w from scratch (removes drift). One pass over the nonzero columns.
  void rebuild(const double* w) {
    sg_.leave();  // the residual is recomputed: the set's moves need not be applied
    ++version_;
    const Index n = d_.cols.n();
    for (Index i = 0; i < n; ++i) r_[i] = T(double(d_.y[i]) - d_.y_offset);
    rsum_ = d_.x_mean ? wsum_d(n, d_.sw, r_.data()) : 0.0;
    if constexpr (Cols::kDense) rsum_ = 0;  // dense r stays centered: sum(sw * y_c) == 0
    for (Index j = 0; j < p(); ++j)
      if (w[j] != 0) step_residual(j, w[j]);
    if constexpr (Cols::kDense) {
      if (d_.x_mean) rsum_ = wsum_d(n, d_.sw, r_.data());
    }
  }

 private:
  double residual_partial(Index j) const {
    if constexpr (kDenseFloat32) {
      if (!wide_.empty() && wide_[j])
        return wdot_wide(d_.cols.n(), d_.sw, d_.cols.col(j), r_.data()) - d_.mean(j) * rsum_;
    }
    return double(d_.cols.wdot(j, d_.sw, r_.data())) - d_.mean(j) * rsum_;
  }

  void step_residual(Index j, double delta) {
    ++version_;
    const T a = T(-delta);
    if constexpr (Cols::kDense) {
      if (d_.x_mean) {
        // r -= delta * (X[:, j] - m_j)
        axpy_shift(d_.cols.n(), a, d_.cols.col(j), d_.x_mean[j], r_.data());
        return;
      }
    }
    // r -= delta * X[:, j]
    d_.cols.axpy(j, a, r_.data());
    rsum_ -= delta * d_.W * d_.mean(j);
  }

  // Leaves a set Gram off its contract (a feature outside the set read or moved): the
  // residual takes the set's moves since entry.
  void materialize() {
    const auto& ws = sg_.ws();
    for (Index t = 0; t < Index(ws.size()); ++t)
      if (sg_.dw(t) != 0) step_residual(ws[t], sg_.dw(t));
    sg_.leave();
  }

  // The Anderson states kept (keep_states, after restrict_to) are the set Gram's, or the
  // residual's: a state saved in one cannot be loaded in the other. The inner loop never
  // leaves the mode restrict_to() chose between its keep_states and its last load
  // (rebuild_restricted re-enters the set); if it did, this says so.
  void check_states() const {
    if (in_set_ != sg_.on())
      throw std::logic_error("fastenet: Anderson states kept in one update mode, used in another");
  }

  // The stats of r_c from the raw sums R2 = r @ (sw r) and Ry = r @ sw (y - y_offset),
  // kept for this version of r_.
  ResidualStats cache_stats(double R2, double Ry) const {
    const double c = shift();
    stats_.R2 = stats_.Q2 = R2 - rsum_ * c;
    stats_.Qy = Ry - c * ysum_;
    stats_at_ = version_;
    return stats_;
  }

  // r_c = r - shift(): the residual's weighted mean, folded in where r is kept raw.
  double shift() const { return d_.x_mean ? rsum_ / d_.W : 0.0; }

  Design<Cols> d_;
  std::vector<T> r_, z_;  // z_: hess_vec's scratch
  std::vector<unsigned char> wide_;  // kDenseFloat32: wdot_wide's columns (empty: none)
  std::vector<T> swr_;    // gradient()'s sw * r (weighted sparse columns)
  std::vector<T> mark_;   // r at the last residual_motion()
  double rsum_ = 0, yy_ = 0, ysum_ = 0, mark_shift_ = 0;
  // r_ (with rsum_) changes only with version_: the mark and the cached stats() know the
  // version they were taken at
  std::uint64_t version_ = 0, marked_at_ = 0;
  mutable std::uint64_t stats_at_ = ~std::uint64_t(0);
  mutable ResidualStats stats_;
  StateHistory<T> hist_;
  std::vector<double> hsum_;
  bool set_gram_;
  SetGram<Cols> sg_;
  StateHistory<double> set_hist_;  // Anderson states inside a set Gram
  bool in_set_ = false;  // the last restrict_to() entered its set's Gram (and the
                         // Anderson states kept since are the Gram's)
  const double* L0_ = nullptr;     // the first pass's results, if given (constructor)
  const double* u0_ = nullptr;
};

}  // namespace fastenet
