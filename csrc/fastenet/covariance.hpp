// covariance.hpp: the gradient-update scheme ("covariance updates", Friedman et al. 2010,
// sec. 2.2; glmnet's gaussian_cov).
//
// State: the gradient for every feature, g = X_c^T (sw * r_c) = Xy - G w, with
//   G = X_c^T diag(sw) X_c,  Xy = X_c^T (sw * y_c).
// A coordinate step costs O(p): g -= delta * G[:, j]; inside a working set, O(|ws|)
// (restrict_to: the gradient off the set is only needed at the next outer check, where
// rebuild() recomputes it whole). Residual statistics come free:
//   ||r_c||^2_sw = yy - w @ Xy - w @ g,   r_c @ sw y_c = yy - w @ Xy.
// Gram columns come from a GramSource: given whole (a precomputed Gram, possibly computed
// elsewhere; X is then not needed at all), or computed from X only for features that
// enter the model, one pass over X each:
//   G[:, k] = X^T (sw * X[:, k]) - W * m * m_k.
// Float32 steps (float_steps()): a step reads p Gram entries for a few flops, so an
// epoch streams its moved columns from memory. For a float64 Gram too large for the
// cache, steps read a float32 copy of each column they move instead, half the bytes;
// rebuild() (before every outer check, so before every certificate) reads the float64
// columns. Between rebuilds the gradient is then g(w0) - G~ (w - w0) with w0 the rebuild's
// point and |G~ - G| <= 2^-24 |G| entrywise: its error is (G - G~)(w - w0), which shrinks
// with the distance moved, not with ||w||; each outer iteration is a step of iterative
// refinement, converging while cond(G on the set) * 2^-24 < 1 (cd.hpp goes back to
// float64 steps where an outer gap fails to halve). dense_ill's path (p = 2,000, a 32 MB
// Gram): 2.64 -> 1.47 s, the same 1,633 epochs, on a 2-core EPYC; dense_tall's (p = 500,
// 2 MB): 0.54 -> 0.51 s, hence kFloatStepsMinP.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "fastenet/anderson.hpp"
#include "fastenet/gap.hpp"
#include "fastenet/naive.hpp"

namespace fastenet {

/// A Gram matrix given whole: p x p symmetric, column k at data + k * ld.
template <class T>
struct GivenGram {
  using value_type = T;
  const T* data;
  Index p, ld;
  const T* column(Index k) { return data + k * ld; }
  double diag(Index j) const { return double(data[j * ld + j]); }
};

/// Gram columns of a design, computed on first use and kept for the whole solve.
template <class Cols>
class LazyGram {
 public:
  using T = typename Cols::value_type;
  using value_type = T;
  // The curvatures (the Gram's diagonal, read by CovScheme's first pass) are computed
  // here, in the one pass that also flags the columns whose Gram products are summed
  // in double (Design::large_mean, gram_column).
  explicit LazyGram(const Design<Cols>& d)
      : d_(d), cache_(d.cols.p()), tmp_(d.cols.n(), T(0)), diag_(d.cols.p()) {
    for (Index j = 0; j < d_.cols.p(); ++j) diag_[j] = d_.curvature(j);
    if (Cols::kDense && std::is_same_v<T, float> && d_.x_mean) {
      wide_.resize(d_.cols.p());
      for (Index j = 0; j < d_.cols.p(); ++j) wide_[j] = d_.large_mean(j, diag_[j]);
      if (std::find(wide_.begin(), wide_.end(), 1) == wide_.end()) wide_.clear();
    }
  }

  Index size() const { return d_.cols.p(); }
  double diag(Index j) const { return diag_[j]; }

  const T* column(Index k) {
    auto& c = cache_[k];
    if (!c) {
      c.reset(new T[d_.cols.p()]);
      d_.gram_column(k, c.get(), tmp_, wide_.empty() ? nullptr : wide_.data());
    }
    return c.get();
  }

 private:
  Design<Cols> d_;
  std::vector<std::unique_ptr<T[]>> cache_;
  std::vector<T> tmp_;
  std::vector<double> diag_;
  std::vector<unsigned char> wide_;  // Design::large_mean's columns (empty: none)
};

template <class Gram>
class CovScheme {
 public:
  using T = typename Gram::value_type;

  /// xy: X_c^T (sw * y_c), (p,); yy: ||y_c||^2_sw.
  CovScheme(Gram gram, Index p, const double* xy, double yy, const double* w)
      : G_(std::move(gram)), p_(p), xy_(xy, xy + p), g_(p), yy_(yy) {
    rebuild(w);
  }

  Index p() const { return p_; }
  double yy() const { return yy_; }
  /// Also the finiteness check of this scheme's inputs (the Python layer skips its own).
  void curvatures_and_gradient(double* L, double* u) const {
    for (Index j = 0; j < p_; ++j) {
      L[j] = G_.diag(j);
      u[j] = g_[j];
      if (!std::isfinite(L[j]) || !std::isfinite(u[j]))
        throw std::invalid_argument("Input X (or its Gram matrix) contains NaN or infinity "
                                    "or a value too large (feature " + std::to_string(j) + ").");
    }
  }
  double partial(Index j) const { return g_[j]; }
  void gram_column(Index j, double* out) {
    const T* Gj = G_.column(j);
    for (Index k = 0; k < p_; ++k) out[k] = double(Gj[k]);
  }
  double target_correlation(Index j) const { return xy_[j]; }

  void step(Index j, double delta) {
    if constexpr (std::is_same_v<T, double>) {
      if (float_steps_)
        if (const float* c = float_column(j)) return step_with(c, delta);
    }
    step_with(G_.column(j), delta);
  }

  /// Whether inner steps may read float32 copies of the Gram's columns (see the top of
  /// this file): only a float64 Gram of p >= kFloatStepsMinP takes them. Returns whether
  /// they are in use.
  bool float_steps(bool on) {
    float_steps_ = on && std::is_same_v<T, double> && p_ >= kFloatStepsMinP;
    return float_steps_;
  }

  /// Until the next rebuild(), keep g exact only on `on` (the working set; it must hold
  /// every nonzero coefficient, as stats() reads g there): a step then costs O(|on|)
  /// instead of O(p). rebuild() restores the whole gradient. `on` must outlive that.
  bool restrict_to(const double*, const std::vector<Index>& on) {
    on_ = 2 * on.size() < std::size_t(p_) ? &on : nullptr;
    return false;
  }
  void rebuild_restricted(const double* w, const std::vector<Index>& on) {
    rebuild(w);
    restrict_to(w, on);
  }

  /// out[t] = (G v)_idx[t] for v supported on idx[0:m]: O(m^2) from the Gram columns.
  /// (Newton steps and gap checks read the float64 columns, whatever float_steps says.)
  void hess_vec(const Index* idx, Index m, const double* v, double* out) {
    std::fill(out, out + m, 0.0);
    for (Index s = 0; s < m; ++s) {
      const T* Gs = G_.column(idx[s]);
      for (Index t = 0; t < m; ++t) out[t] += double(Gs[idx[t]]) * v[s];
    }
  }

  void gradient(const double*, double* u, const Index* idx, Index m) const {
    for (Index t = 0; t < m; ++t) {
      const Index j = idx ? idx[t] : t;
      u[j] = g_[j];
    }
  }

  // Anderson states (cd.hpp): g is affine in w; saved and combined on the entries kept
  // exact (restrict_to), as a step is.
  Index state_cost() const { return on_ ? Index(on_->size()) : p_; }
  Index step_cost(Index) const { return state_cost(); }
  void keep_states(Index slots) { hist_.reserve(slots, p_); }
  void save_state(Index slot) { hist_.save(slot, g_.data(), on_); }
  void load_state(Index slot) { hist_.load(slot, g_.data(), on_); }
  void blend_states(const double* c, const Index* slots, Index k) {
    hist_.blend(c, slots, k, g_.data(), on_);
  }

  ResidualStats stats(const double* w) const {
    double wxy = 0, wg = 0;
    for (Index j = 0; j < p_; ++j)
      if (w[j] != 0) {
        wxy += w[j] * xy_[j];
        wg += w[j] * g_[j];
      }
    ResidualStats st;
    st.R2 = st.Q2 = std::max(yy_ - wxy - wg, 0.0);
    st.Qy = yy_ - wxy;
    return st;
  }

  /// No residual is kept: -1 (cd.hpp then reads every gradient at an outer check, which
  /// costs O(1) each here).
  double residual_motion() const { return -1; }
  bool set_state_is_own() const { return false; }
  bool set_gradients_certify() const { return false; }  // (outer gradients cost no pass)

  /// g = Xy - G w from scratch (removes drift), on every feature, from the float64
  /// columns. O(p * nnz(w)).
  void rebuild(const double* w) {
    on_ = nullptr;
    g_ = xy_;
    for (Index j = 0; j < p_; ++j)
      if (w[j] != 0) step_with(G_.column(j), w[j]);
  }

 private:
  // The smallest p given float32 steps: below it the Gram is cache-sized (p = 500: 2 MB)
  // and the copies bought 6% on dense_tall's path.
  static constexpr Index kFloatStepsMinP = 1024;

  template <class U>
  void step_with(const U* Gj, double delta) {
    double* FASTENET_RESTRICT g = g_.data();
    if (on_) {  // g[on] -= delta * G[on, j]: O(|on|), see restrict()
      for (Index k : *on_) g[k] -= delta * double(Gj[k]);
      return;
    }
    // g -= delta * G[:, j]
    FASTENET_SIMD
    for (Index k = 0; k < p_; ++k) g[k] -= delta * double(Gj[k]);
  }

  // Column j's float32 copy, made on first use; null where its entries reach beyond
  // [1e-30, 1e30] in magnitude (float32 would overflow, or round them to subnormals, whose
  // error is no longer 2^-24 relative to the column), or once the copies hold
  // kFloatCopyBytes: that column steps in float64.
  const float* float_column(Index j) {
    if (low_.empty()) {
      low_.resize(p_);
      low_tried_.assign(p_, 0);
    }
    auto& c = low_[j];
    if (!c && !low_tried_[j]) {
      low_tried_[j] = 1;
      const T* Gj = G_.column(j);
      double big = 0;
      for (Index k = 0; k < p_; ++k) big = std::max(big, std::fabs(double(Gj[k])));
      if (!(big >= 1e-30 && big <= 1e30)) return nullptr;
      const std::size_t bytes = sizeof(float) * std::size_t(p_);
      if (low_bytes_ + bytes > kFloatCopyBytes) return nullptr;
      low_bytes_ += bytes;
      c.reset(new float[p_]);
      for (Index k = 0; k < p_; ++k) c[k] = float(Gj[k]);
    }
    return c.get();
  }

  Gram G_;
  Index p_;
  std::vector<double> xy_, g_;
  double yy_;
  const std::vector<Index>* on_ = nullptr;  // restrict_to(); null: all features
  bool float_steps_ = false;
  // float32 copies of the columns moved by float32 steps (float_column(): at most half
  // the Gram's memory again, for the features that ever moved, and kFloatCopyBytes),
  // which were tried, and their bytes
  std::vector<std::unique_ptr<float[]>> low_;
  std::vector<char> low_tried_;
  std::size_t low_bytes_ = 0;
  // A cap on the copies' memory: 1 GiB holds 13,000 moved columns of p = 20,000 (a given
  // Gram of 3.2 GB), past any cache the copies are meant to fit in.
  static constexpr std::size_t kFloatCopyBytes = std::size_t(1) << 30;
  StateHistory<double> hist_;
};

/// Xy = X_c^T (sw * y_c) for a design: one pass over X.
template <class Cols>
std::vector<double> design_xy(const Design<Cols>& d) {
  double yy, ysum;
  d.target_stats(yy, ysum);
  std::vector<double> xy(d.cols.p());
  for (Index j = 0; j < d.cols.p(); ++j) xy[j] = d.target_correlation(j, ysum);
  return xy;
}

}  // namespace fastenet
