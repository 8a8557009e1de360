// set_gram.hpp: covariance updates inside the working sets of a residual-update solve.
//
// On a dense design with many more rows than the working set ws has features (m), a
// naive coordinate step costs two reads of a column (2n), and an inner solve tens of
// such epochs. With the set's Gram
//   G_ws = X_c[:, ws]^T diag(sw) X_c[:, ws]          (m x m)
// a step costs m: from the set's gradient g0 and the residual statistics (R2_0, Qy_0) at
// entry, with dw = w_ws - w_ws at entry,
//   g = g0 - G_ws dw,   ||r_c||^2_sw = R2_0 - dw @ (g0 + g),   r_c @ sw y_c = Qy_0 - dw @ c,
// c = X_c[:, ws]^T (sw y_c) (r_c = r_c0 - X_c[:, ws] dw; g0 - g = G_ws dw); the set holds
// every nonzero coefficient, so g0, R2_0 and Qy_0 come from G_ws, c and yy as well (enter()).
// The residual itself is left as it was at entry: the outer loop's rebuild recomputes it
// from w, so every outer gap, and the certificate, come from a real residual.
// The entries of the last set entered are kept (for the solve and the path); those of
// features new to a set are computed against the rest of it, by register-blocked tiles
// (vec.hpp centered_cross). Entering a set costs its new entries and O(m^2) (no read of X
// besides them); the rule in enter() takes the Gram only where that is a few epochs'
// worth (glmnet's covariance updates, restricted to the working set as in celer's and
// skglm's inner solvers; Friedman et al. 2010, sec. 2.2).
#pragma once

#include <algorithm>
#include <vector>

#include "fastenet/gap.hpp"
#include "fastenet/vec.hpp"

namespace fastenet {

template <class Cols>
struct Design;  // naive.hpp

template <class Cols>
class SetGram {
 public:
  using T = typename Cols::value_type;

  explicit SetGram(Index p) : at_(p, -1), slot_(p, -1) {}

  bool on() const { return on_; }
  bool has(Index j) const { return at_[j] >= 0; }
  Index size() const { return Index(ws_.size()); }

  /// Enters `ws` (which holds every nonzero w_j) at coefficients w when the Gram pays
  /// there (the rule below), computing the entries it lacks; yy = ||y_c||^2_sw. Returns
  /// whether it entered.
  bool enter(const Design<Cols>& d, const std::vector<Index>& ws, const double* w,
             double yy) {
    leave();
    const Index m = Index(ws.size()), n = d.cols.n();
    if (m == 0 || m > kMaxSet || n < kMinRows || kRowsPerFeature * m > n) return false;
    Index fresh = 0;
    for (Index j : ws) fresh += slot_[j] < 0;
    // The entries of the last set entered are kept; the fresh features need theirs
    // against the rest of the set and each other (a triangle), and their correlations
    // with y: about `pairs` products of n rows, at kTileSpeedup times the rate of a
    // coordinate step's. Taken when they cost at most kPaybackEpochs epochs over the set.
    const double pairs = double(fresh) * (double(m - fresh) + 0.5 * double(fresh) + 1.5);
    if (pairs > kTileSpeedup * kPaybackEpochs * double(m)) return false;
    cover(d, ws, fresh);
    ws_.assign(ws.begin(), ws.end());
    g0_.resize(m);
    w0_.resize(m);
    gd_.assign(2 * m, 0.0);
    // ws holds every nonzero: r_c = y_c - X_c[:, ws] w_ws, so from the Gram alone
    //   g0 = c - G_ws w_ws,  ||r_c||^2_sw = yy - w_ws @ (c + g0),  r_c @ sw y_c = yy - w_ws @ c
    // (no read of X; the cancellation is eps * yy, far below any tol of a gap in yy).
    double wc = 0, wg = 0;
    for (Index t = 0; t < m; ++t) {
      const Index j = ws[t];
      at_[j] = t;
      w0_[t] = w[j];
      g0_[t] = c_[t];
    }
    for (Index s = 0; s < m; ++s) {
      if (w0_[s] == 0) continue;
      const double* col = G_.data() + s * m;
      for (Index t = 0; t < m; ++t) g0_[t] -= w0_[s] * col[t];
    }
    for (Index t = 0; t < m; ++t) {
      gd_[t] = g0_[t];
      wc += w0_[t] * c_[t];
      wg += w0_[t] * g0_[t];
    }
    st0_.R2 = st0_.Q2 = std::max(yy - wc - wg, 0.0);
    st0_.Qy = yy - wc;
    on_ = true;
    return true;
  }

  /// Leaves the set: the caller's residual is again the state once it has applied move(t).
  void leave() {
    if (!on_) return;
    for (Index j : ws_) at_[j] = -1;
    on_ = false;
  }

  /// Whether the set entered is `ws` (same features, same order).
  bool is(const std::vector<Index>& ws) const {
    return on_ && std::equal(ws.begin(), ws.end(), ws_.begin(), ws_.end());
  }

  // The set's gradient and coefficient moves, [g (m), dw (m)]: affine in w (Anderson
  // states, cd.hpp).
  double* state() { return gd_.data(); }
  Index state_size() const { return Index(gd_.size()); }
  /// dw for the t-th feature of the set (ws()[t]).
  double move(Index t) const { return gd_[size() + t]; }
  const std::vector<Index>& ws() const { return ws_; }

  double partial(Index j) const { return gd_[at_[j]]; }

  /// w_j += delta for j in the set: g -= delta * G_ws[:, t]. O(m).
  void step(Index j, double delta) {
    const Index m = size(), t = at_[j];
    const double* FASTENET_RESTRICT col = G_.data() + t * m;
    double* FASTENET_RESTRICT g = gd_.data();
    FASTENET_SIMD
    for (Index s = 0; s < m; ++s) g[s] -= delta * col[s];
    gd_[m + t] += delta;
  }

  ResidualStats stats() const {
    const Index m = size();
    double moved = 0, cy = 0;
    for (Index t = 0; t < m; ++t) {
      const double dw = gd_[m + t];
      moved += dw * (g0_[t] + gd_[t]);
      cy += dw * c_[t];
    }
    ResidualStats st;
    st.R2 = st.Q2 = std::max(st0_.R2 - moved, 0.0);
    st.Qy = st0_.Qy - cy;
    return st;
  }

  /// out[t] = (G v)_idx[t] for v supported on idx[0:k], every idx[t] in the set. O(k^2).
  void hess_vec(const Index* idx, Index k, const double* v, double* out) const {
    const Index m = size();
    std::fill(out, out + k, 0.0);
    for (Index s = 0; s < k; ++s) {
      const double* col = G_.data() + at_[idx[s]] * m;
      for (Index t = 0; t < k; ++t) out[t] += col[at_[idx[t]]] * v[s];
    }
  }

  /// The state at w (drift removal within the set): dw = w_ws - w0, g = g0 - G_ws dw.
  void refresh(const double* w) {
    const Index m = size();
    for (Index t = 0; t < m; ++t) {
      gd_[m + t] = w[ws_[t]] - w0_[t];
      gd_[t] = g0_[t];
    }
    for (Index t = 0; t < m; ++t) {
      const double dw = gd_[m + t];
      if (dw == 0) continue;
      const double* col = G_.data() + t * m;
      for (Index s = 0; s < m; ++s) gd_[s] -= dw * col[s];
    }
  }

 private:
  // G_ and c_ for ws, from those of the last set entered (slot_) and, for the `fresh`
  // features not in it, centered_cross: against the kept features and y in one call,
  // and among themselves by blocks of 4 columns (the triangle only).
  void cover(const Design<Cols>& d, const std::vector<Index>& ws, Index fresh) {
    const Index m = Index(ws.size()), m_old = Index(last_.size());
    // ws reordered: kept features first (ord_[0:kept]), then the fresh ones
    std::vector<Index> ord;
    ord.reserve(m);
    for (Index t = 0; t < m; ++t)
      if (slot_[ws[t]] >= 0) ord.push_back(t);
    const Index kept = Index(ord.size());
    for (Index t = 0; t < m; ++t)
      if (slot_[ws[t]] < 0) ord.push_back(t);
    std::vector<double> G(m * m), c(m);
    for (Index u = 0; u < kept; ++u) {
      const Index t = ord[u], a = slot_[ws[t]];
      c[t] = c_[a];
      for (Index v = 0; v < kept; ++v) G[ord[v] + t * m] = G_[slot_[ws[ord[v]]] + a * m_old];
    }
    if (fresh > 0) {
      std::vector<const T*> cols(m + 1);
      std::vector<double> ctr(m + 1);
      for (Index u = 0; u < m; ++u) {
        cols[u] = d.cols.col(ws[ord[u]]);
        ctr[u] = d.mean(ws[ord[u]]);
      }
      cols[m] = d.y;  // centered at y_offset: its products are X_c[:, j] @ (sw y_c)
      ctr[m] = d.y_offset;
      const T* const* F = cols.data() + kept;
      const double* cF = ctr.data() + kept;
      // fresh x [kept, y]: the kept columns and y as one operand
      std::vector<const T*> B(cols.begin(), cols.begin() + kept);
      std::vector<double> cB(ctr.begin(), ctr.begin() + kept);
      B.push_back(cols[m]);
      cB.push_back(ctr[m]);
      std::vector<double> out(fresh * (kept + 1));
      centered_cross(d.cols.n(), d.sw, F, cF, fresh, B.data(), cB.data(), kept + 1,
                     out.data(), fresh);
      for (Index a = 0; a < fresh; ++a) {
        const Index t = ord[kept + a];
        for (Index v = 0; v < kept; ++v)
          G[t + ord[v] * m] = G[ord[v] + t * m] = out[a + v * fresh];
        c[t] = out[a + kept * fresh];
      }
      // fresh x fresh, column block [b0, b0 + 4) against rows [0, b0 + 4)
      std::vector<double> tri(fresh * 4);
      for (Index b0 = 0; b0 < fresh; b0 += 4) {
        const Index nb = std::min<Index>(4, fresh - b0), na = std::min(b0 + 4, fresh);
        centered_cross(d.cols.n(), d.sw, F, cF, na, F + b0, cF + b0, nb, tri.data(), na);
        for (Index q = 0; q < nb; ++q)
          for (Index a = 0; a < na; ++a) {
            const Index t = ord[kept + a], s = ord[kept + b0 + q];
            G[t + s * m] = G[s + t * m] = tri[a + q * na];
          }
      }
    }
    for (Index j : last_) slot_[j] = -1;
    last_.assign(ws.begin(), ws.end());
    for (Index t = 0; t < m; ++t) slot_[ws[t]] = t;
    G_.swap(G);
    c_.swap(c);
  }

  // A set is entered only with at least kRowsPerFeature rows per feature (a step over a
  // Gram column then costs at most an eighth of a naive one's 2n), and only on long
  // columns: on short ones the epochs run from cache and the tiles gain little (single
  // fits at alpha_max/20, median of 2: 5,000 x 2,000 dense 43 -> 56 ms with the Gram, a
  // 1,000 x 10,000 path 0.88 -> 0.97 s; 50,000 x 500 dense 81 -> 62 ms).
  static constexpr Index kRowsPerFeature = 4;
  static constexpr Index kMinRows = 20000;
  static constexpr Index kMaxSet = 2048;  // G_ws: 32 MB at most
  static constexpr double kTileSpeedup = 8;  // centered_cross's rate / a step's, per entry
  static constexpr double kPaybackEpochs = 4;

  std::vector<Index> at_;    // (p,) position in the entered set, -1 outside
  std::vector<Index> slot_;  // (p,) position in the last set entered (last_), -1 if not
  std::vector<Index> last_, ws_;  // the last set entered (G_, c_ are its); the set now (on_)
  bool on_ = false;
  std::vector<double> G_, c_;  // G_ws (m x m, column t contiguous) and X_c[:, ws]^T sw y_c
  std::vector<double> g0_, w0_, gd_;  // at entry: g0, w0; [g, dw]
  ResidualStats st0_;
};

}  // namespace fastenet
