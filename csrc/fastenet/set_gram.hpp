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
  /// whether it entered. Not while in a set (the caller leaves it first).
  bool enter(const Design<Cols>& d, const std::vector<Index>& ws, const double* w,
             double yy) {
    const Index m = Index(ws.size()), n = d.cols.n();
    if (m == 0 || m > kMaxSet || n < kMinRows || kRowsPerFeature * m > n) return false;
    Index fresh = 0;
    for (Index j : ws) fresh += slot_[j] < 0;
    // The entries of the last set entered are kept; the fresh features need theirs
    // against the rest of the set and each other (a triangle), and their correlations
    // with y: `pairs` products of n rows, at kTileSpeedup times the rate of a coordinate
    // step's multiply-adds. An epoch over the set costs 2m such column products (a read
    // for the partial, a write for the step); the Gram is taken when its entries cost at
    // most kPaybackEpochs epochs.
    const double pairs = double(fresh) * (double(m - fresh) + 0.5 * double(fresh) + 1.5);
    if (pairs > kTileSpeedup * kPaybackEpochs * 2.0 * double(m)) return false;
    cover(d, ws, fresh);
    ws_.assign(ws.begin(), ws.end());
    w0_.resize(m);
    for (Index t = 0; t < m; ++t) {
      at_[ws[t]] = t;
      w0_[t] = w[ws[t]];
    }
    // ws holds every nonzero: r_c = y_c - X_c[:, ws] w_ws, so from the Gram alone
    //   g0 = c - G_ws w_ws,  ||r_c||^2_sw = yy - w_ws @ (c + g0),  r_c @ sw y_c = yy - w_ws @ c
    // (no read of X). Their rounding, about eps (yy + |w|^T |G_ws| |w|), can exceed eps yy
    // on correlated sets with large coefficients of opposite signs; it reaches only the
    // inner gaps, never the outer checks, which read the real residual.
    g0_.assign(c_.begin(), c_.end());
    subtract_gram(w0_.data(), g0_.data());
    state_.assign(2 * m, 0.0);  // [g, dw] = [g0, 0]
    std::copy(g0_.begin(), g0_.end(), state_.begin());
    double wc = 0, wg = 0;
    for (Index t = 0; t < m; ++t) {
      wc += w0_[t] * c_[t];
      wg += w0_[t] * g0_[t];
    }
    // max: a residual norm, nonnegative; rounding could take yy - ... below 0 at a fit
    st0_.R2 = st0_.Q2 = std::max(yy - wc - wg, 0.0);
    st0_.Qy = yy - wc;
    on_ = true;
    return true;
  }

  /// Leaves the set. The caller's residual is the state again once it has applied every
  /// dw(t) (or is rebuilt from w).
  void leave() {
    if (!on_) return;
    for (Index j : ws_) at_[j] = -1;
    on_ = false;
  }

  /// Whether the set entered is `ws` (same features, same order).
  bool entered(const std::vector<Index>& ws) const {
    return on_ && std::equal(ws.begin(), ws.end(), ws_.begin(), ws_.end());
  }

  // The set's gradient and coefficient moves, [g (m), dw (m)]: affine in w (Anderson
  // states, cd.hpp).
  double* state() { return state_.data(); }
  Index state_size() const { return Index(state_.size()); }
  /// w_j - w_j at entry for the t-th feature of the set (ws()[t]).
  double dw(Index t) const { return state_[size() + t]; }
  const std::vector<Index>& ws() const { return ws_; }

  double partial(Index j) const { return state_[at_[j]]; }

  /// w_j += delta for j in the set. O(m).
  void step(Index j, double delta) {
    const Index m = size(), t = at_[j];
    const double* FASTENET_RESTRICT col = G_.data() + t * m;
    double* FASTENET_RESTRICT g = state_.data();
    // g -= delta * G_ws[:, t]
    FASTENET_SIMD
    for (Index s = 0; s < m; ++s) g[s] -= delta * col[s];
    state_[m + t] += delta;
  }

  ResidualStats stats() const {
    const Index m = size();
    const double* g = state_.data();
    const double* dw = g + m;
    // moved = dw @ (g0 + g), cy = dw @ c
    double moved = 0, cy = 0;
    for (Index t = 0; t < m; ++t) {
      moved += dw[t] * (g0_[t] + g[t]);
      cy += dw[t] * c_[t];
    }
    ResidualStats st;
    st.R2 = st.Q2 = std::max(st0_.R2 - moved, 0.0);  // a norm: rounding only below 0
    st.Qy = st0_.Qy - cy;
    return st;
  }

  /// out[t] = (G v)_idx[t] for v supported on idx[0:k], every idx[t] in the set. O(k^2).
  void hess_vec(const Index* idx, Index k, const double* v, double* out) const {
    const Index m = size();
    // out = G_ws[pos, pos] @ v, pos = the set positions of idx
    std::fill(out, out + k, 0.0);
    for (Index s = 0; s < k; ++s) {
      const double* col = G_.data() + at_[idx[s]] * m;
      for (Index t = 0; t < k; ++t) out[t] += col[at_[idx[t]]] * v[s];
    }
  }

  /// The state at w (drift removal within the set). O(m^2).
  void refresh(const double* w) {
    const Index m = size();
    double* g = state_.data();
    double* dw = g + m;
    // dw = w[ws] - w0; g = g0 - G_ws @ dw
    for (Index t = 0; t < m; ++t) dw[t] = w[ws_[t]] - w0_[t];
    std::copy(g0_.begin(), g0_.end(), g);
    subtract_gram(dw, g);
  }

 private:
  // g -= G_ws @ v (G_ws of the set being entered or entered), skipping v's zeros.
  void subtract_gram(const double* v, double* g) const {
    const Index m = Index(c_.size());
    for (Index t = 0; t < m; ++t) {
      if (v[t] == 0) continue;
      const double* col = G_.data() + t * m;
      for (Index s = 0; s < m; ++s) g[s] -= v[t] * col[s];
    }
  }

  // G_ and c_ for ws: the entries among features kept from the last set entered
  // (slot_), and, for the `fresh` ones, one centered_cross call (one read of their
  // columns): fresh x [kept, y] and fresh x fresh (symmetric).
  void cover(const Design<Cols>& d, const std::vector<Index>& ws, Index fresh) {
    const Index m = Index(ws.size()), m_old = Index(last_.size()), n = d.cols.n();
    // pos: the set positions, kept features first (pos[0:kept]), then the fresh ones
    std::vector<Index> pos;
    pos.reserve(m);
    for (Index t = 0; t < m; ++t)
      if (slot_[ws[t]] >= 0) pos.push_back(t);
    const Index kept = Index(pos.size());
    for (Index t = 0; t < m; ++t)
      if (slot_[ws[t]] < 0) pos.push_back(t);
    std::vector<double> G(m * m), c(m);
    for (Index u = 0; u < kept; ++u) {
      const Index t = pos[u], a = slot_[ws[t]];
      c[t] = c_[a];
      for (Index v = 0; v < kept; ++v) G[pos[v] + t * m] = G_[slot_[ws[pos[v]]] + a * m_old];
    }
    if (fresh > 0) {
      // columns in pos order, then y (centered at y_offset: its products are
      // X_c[:, j] @ (sw y_c)); the fresh ones are cols[kept:m]
      std::vector<const T*> cols(m + 1);
      std::vector<double> centers(m + 1);
      for (Index u = 0; u < m; ++u) {
        cols[u] = d.cols.col(ws[pos[u]]);
        centers[u] = d.mean(ws[pos[u]]);
      }
      cols[m] = d.y;
      centers[m] = d.y_offset;
      std::vector<const T*> kept_y(cols.begin(), cols.begin() + kept);
      std::vector<double> kept_y_centers(centers.begin(), centers.begin() + kept);
      kept_y.push_back(d.y);
      kept_y_centers.push_back(d.y_offset);
      const T* const* fresh_cols = cols.data() + kept;
      const double* fresh_centers = centers.data() + kept;
      std::vector<double> cross(fresh * (kept + 1)), own(fresh * fresh);
      centered_cross(n, d.sw, fresh_cols, fresh_centers, fresh, kept_y.data(),
                     kept_y_centers.data(), kept + 1, cross.data(), fresh, own.data(), fresh);
      // symmetric fill: column u of the products is set position pos[kept + a]'s row
      for (Index a = 0; a < fresh; ++a) {
        const Index t = pos[kept + a];
        for (Index u = 0; u < m; ++u) {
          const double v = u < kept ? cross[a + u * fresh] : own[a + (u - kept) * fresh];
          G[t + pos[u] * m] = G[pos[u] + t * m] = v;
        }
        c[t] = cross[a + kept * fresh];
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
  // centered_cross's multiply-adds per second / a coordinate step's: 35 / 3.75 GFLOP/s
  // on one AVX-512 core with the 4 x 4 tiles (50,000 rows; the steps stream their columns
  // from memory). The 16 x 8 blocks (cross.cpp) run at 45-65 GFLOP/s; 12 instead of 8
  // changed no set entered on the bench's 50,000 x 500 and 30,000 x 1,500 fits, so the
  // rule is left as tuned.
  static constexpr double kTileSpeedup = 8;
  // Tuned on the 50,000 x 500 fit at alpha_max/100 (sets of 50, 123 and 90; 88 of the
  // second's features new), whose inner solves take 5-8 epochs a set, mostly over the
  // set's nonzeros alone. With 2 epochs only the first set is taken; with 4 the second
  // too (and the third, mostly the second's features, then costs little): with the first
  // tile kernel that was 10% slower, with the packed and symmetric one within noise; once
  // the inner checks waited less for small steps (cd.hpp inner), 4 took 0.89-1.0x the
  // time of 2 (median 0.94x, seven interleaved runs in both orders on the Xeon).
  static constexpr double kPaybackEpochs = 4;

  std::vector<Index> at_;    // (p,) position in the entered set, -1 outside
  std::vector<Index> slot_;  // (p,) position in the last set entered (last_), -1 if not
  std::vector<Index> last_, ws_;  // the last set entered (G_, c_ are its); the set now (on_)
  bool on_ = false;
  std::vector<double> G_, c_;  // G_ws (m x m, column t contiguous) and X_c[:, ws]^T sw y_c
  std::vector<double> g0_, w0_, state_;  // at entry: g0, w0; [g, dw]
  ResidualStats st0_;
};

}  // namespace fastenet
