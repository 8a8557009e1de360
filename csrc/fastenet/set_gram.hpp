// set_gram.hpp: covariance updates inside the working sets of a residual-update solve.
//
// On a dense design with many more rows than the working set ws has features (m), a
// naive coordinate step costs two reads of a column (2n), and an inner solve tens of
// such epochs; on CSC columns, two gathers per entry of the column, which on a one-hot
// design's frequent levels (tens of thousands of entries each) is far more than m. With
// the set's Gram
//   G_ws = X_c[:, ws]^T diag(sw) X_c[:, ws]          (m x m)
// a step costs m: from the set's gradient g0 and the residual statistics (R2_0, Qy_0) at
// entry, with dw = w_ws - w_ws at entry,
//   g = g0 - G_ws dw,   ||r_c||^2_sw = R2_0 - dw @ (g0 + g),   r_c @ sw y_c = Qy_0 - dw @ c,
// c = X_c[:, ws]^T (sw y_c) (r_c = r_c0 - X_c[:, ws] dw; g0 - g = G_ws dw); the set holds
// every nonzero coefficient, so g0, R2_0 and Qy_0 come from G_ws, c and yy as well (enter()).
// The residual itself is left as it was at entry: the outer loop's rebuild recomputes it
// from w, so every outer gap reads a real residual's statistics, and the products of the
// features outside the set with it; the set's own gradients come from its Gram where
// certifies() (cd.hpp).
// The entries of the last set entered are kept (for the solve and the path); those of
// features new to a set are computed against the rest of it: on dense columns by
// register-blocked tiles (vec.hpp centered_cross), on CSC columns through the rows the
// new columns touch, from an index of the rows of the columns entered so far
// (cover_sparse). Entering a set costs its new entries and O(m^2) (no read of X besides
// them); the rules in enter() take the Gram only where that is a few epochs' worth
// (glmnet's covariance updates, restricted to the working set as in celer's and skglm's
// inner solvers; Friedman et al. 2010, sec. 2.2).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "fastenet/columns.hpp"
#include "fastenet/gap.hpp"
#include "fastenet/vec.hpp"

namespace fastenet {

template <class Cols>
struct Design;  // naive.hpp

template <class Cols>
class SetGram {
 public:
  using T = typename Cols::value_type;
  // dense columns, and plain CSC columns of doubles (not the logistic models' subsets,
  // columns.hpp). Not float32 CSC: its raw residual (rsum folds the means in, naive.hpp)
  // rounds more than a dense, centered one, and an outer check in float32 could fail to
  // certify a set's solution in double that met the tol: a float32 one-hot path with
  // boxes re-entered the same set at every outer iteration until max_iter.
  static constexpr bool kCovers =
      Cols::kDense || (kCscColumns<Cols> && std::is_same_v<T, double>);

  /// reuse: how many solves the set's entries may serve (a path's points: each point's
  /// sets keep most of the last one's entries).
  explicit SetGram(Index p, Index reuse = 1)
      : p_(p), reuse_(std::min<Index>(std::max<Index>(reuse, 1), kMaxReuse)) {}

  bool on() const { return on_; }
  /// In a set whose gradients may join the residual's statistics in an outer check's
  /// gap (cd.hpp): as accurate as the residual's products. Dense entries are centered
  /// before their products (centered_cross), CSC ones subtract W m_j m_k from the raw
  /// products, which cancels their digits where a mean is large against its column's
  /// spread; so only where every feature's W m^2 is at most kCancel times its centered
  /// norm G_tt (its raw products then at most kCancel + 1 times the centered ones:
  /// one-hot columns of frequency up to 3/4). Not in float32: the residual's statistics
  /// carry eps32 ||y||^2, which double gradients do not offset (on a dense float32 path at
  /// tol 1e-8 the gaps were that noise, down to -7x the tol, and points were reported
  /// converged whose float32 coefficients were at up to 14x it; with the residual's
  /// gradients the path ran to max_iter and warned).
  bool certifies() const { return on_ && exact_; }
  bool has(Index j) const { return on_ && at_[j] >= 0; }  // (at_ exists once entered)
  Index size() const { return Index(ws_.size()); }

  /// Enters `ws` (which holds every nonzero w_j) at coefficients w when the Gram pays
  /// there (the rule below), computing the entries it lacks; yy = ||y_c||^2_sw. Returns
  /// whether it entered. Not while in a set (the caller leaves it first).
  /// `again`: the set was entered before in this inner solve and left (a rebuild): it
  /// re-enters without the rule, whose answer may have changed (declined_), so that the
  /// solve keeps the mode its Anderson states were kept in.
  bool enter(const Design<Cols>& d, const std::vector<Index>& ws, const double* w,
             double yy, double ysum, bool again = false) {
    const Index m = Index(ws.size());
    if (m == 0 || m > kMaxSet) return false;
    Index fresh = 0;
    for (Index j : ws) fresh += !in_gram(j);
    if (again) {
      // (the rule took this set at the solve's start)
    } else if constexpr (Cols::kDense) {
      if (!dense_pays(d.cols.n(), m, fresh)) return false;
    } else if constexpr (kCscColumns<Cols>) {
      // (a declined set is solved by naive epochs, which the next rule allows for)
      declined_ = sparse_pays(d, ws) ? 0 : declined_ + 1;
      if (declined_ > 0) return false;
    } else {
      return false;
    }
    if (at_.empty()) {  // the first set entered (a single sparse fit often enters none)
      at_.assign(p_, -1);
      slot_.assign(p_, -1);
    }
    for (Index t = 0; t < m; ++t) at_[ws[t]] = t;  // (cover_sparse reads them)
    cover(d, ws, fresh, ysum);
    exact_ = std::is_same_v<T, double>;
    if constexpr (!Cols::kDense) {  // (cover_sparse subtracts the means from raw products)
      for (Index t = 0; t < m; ++t) {
        const double mu = d.mean(ws[t]);
        if (d.W * mu * mu > kCancel * G_[t + t * m]) exact_ = false;
      }
    }
    ws_.assign(ws.begin(), ws.end());
    w0_.resize(m);
    for (Index t = 0; t < m; ++t) w0_[t] = w[ws[t]];
    // ws holds every nonzero: r_c = y_c - X_c[:, ws] w_ws, so from the Gram alone
    //   g0 = c - G_ws w_ws,  ||r_c||^2_sw = yy - w_ws @ (c + g0),  r_c @ sw y_c = yy - w_ws @ c
    // (no read of X). Their rounding, about eps (yy + |w|^T |G_ws| |w|), can exceed eps yy
    // on correlated sets with large coefficients of opposite signs. The statistics' reaches
    // only the inner gaps (the outer checks read the real residual's); g's reaches the
    // outer checks where certifies(), and is of the order of a rebuilt residual's
    // products, eps |X_c[:, j]|^T |X_c[:, ws]| |w_ws| (r = y - X w carries it too).
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
    // g -= delta * G_ws[:, t], through vec.cpp's axpy (the widest vectors the CPU has: a
    // loop here compiles for the baseline only)
    axpy(m, -delta, G_.data() + t * m, state_.data());
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
      axpy(m, -v[t], G_.data() + t * m, g);
    }
  }

  // Dense columns: the entries of the last set entered are kept; the fresh features need
  // theirs against the rest of the set and each other (a triangle), and their
  // correlations with y: `pairs` products of n rows, at kTileSpeedup times the rate of a
  // coordinate step's multiply-adds. An epoch over the set costs 2m such column products
  // (a read for the partial, a write for the step); the Gram is taken when its entries
  // cost at most kPaybackEpochs epochs.
  static bool dense_pays(Index n, Index m, Index fresh) {
    if (n < kMinRows || kRowsPerFeature * m > n) return false;
    const double pairs = double(fresh) * (double(m - fresh) + 0.5 * double(fresh) + 1.5);
    return pairs <= kTileSpeedup * kPaybackEpochs * 2.0 * double(m);
  }

  // CSC columns: a naive epoch gathers (and, for the coefficients that move, scatters)
  // the set's entries; a Gram epoch streams m contiguous values per step. The Gram is
  // taken where a naive epoch takes 50 us or more (the 1,600-row fold paths of the quick
  // text-like design took 67 sets of smaller epochs without this bound, and were 5-10%
  // slower for them), its epochs cost at most half the naive ones, and entering costs at
  // most kSparsePaybackEpochs of the difference, times the solves its entries may serve
  // (reuse_: on a path, most of a set's entries serve the next points' sets too; a
  // single fit's first sets, all fresh, are not worth their entries), and times one
  // more for each set declined in a row since the last one entered: a declined set's
  // naive epochs cost about what its Gram would have saved, so a run of them (a path
  // whose sets changed at once, all fresh again, and would otherwise never be kept)
  // rents no longer than the Gram would cost (ski rental). The times per unit
  // (below) are rough measurements, so the rule only separates the clear cases: on the
  // benchmarks' 200,000 x 47,740 one-hot path it takes 122 of 122 sets (the path 2.4x
  // faster without intercept), on its single fits and on the 10,000 x 100,000 text-like
  // design's fits none (their columns are short, their sets' Gram entries many).
  bool sparse_pays(const Design<Cols>& d, const std::vector<Index>& ws) const {
    const Index m = Index(ws.size()), n = d.cols.n();
    if (d.cols.p() > Index(INT32_MAX)) return false;  // rows_ holds 32-bit feature ids
    double entries = 0, fresh = 0, kept = 0;
    for (Index j : ws) {
      entries += double(d.cols.nnz(j));
      if (!in_gram(j)) fresh += double(d.cols.nnz(j));
      else ++kept;
    }
    const double mm = double(m) * double(m);
    const double naive = kNaiveEntryNs * entries, gram = kGramEntryNs * mm;
    if (naive < kMinEpochNs) return false;
    // each fresh entry meets its row's entries of the columns in rows_ (about the set's
    // share of the row, rows independent); rows_ is reserved at the first set entered,
    // once for all the solves it serves
    const double products = fresh * entries / double(n);
    const double reserve =
        rows_.ready() ? 0.0 : kReserveEntryNs * double(d.cols.indptr[d.cols.p()]) / double(reuse_);
    const double cover =
        kFreshEntryNs * fresh + kProductNs * products + reserve + kKeptNs * kept * kept;
    return 2.0 * gram <= naive && cover <= kSparsePaybackEpochs * double(reuse_) *
                                               double(1 + declined_) * (naive - gram);
  }

  // G_ and c_ for ws: the entries among features kept from the last set entered
  // (slot_), and those of the `fresh` ones against the whole set (cover_dense,
  // cover_sparse).
  void cover(const Design<Cols>& d, const std::vector<Index>& ws, Index fresh, double ysum) {
    const Index m = Index(ws.size()), m_old = Index(last_.size());
    // pos: the set positions, kept features first (pos[0:kept]), then the fresh ones
    std::vector<Index> pos;
    pos.reserve(m);
    for (Index t = 0; t < m; ++t)
      if (slot_[ws[t]] >= 0) pos.push_back(t);
    const Index kept = Index(pos.size());
    for (Index t = 0; t < m; ++t)
      if (slot_[ws[t]] < 0) pos.push_back(t);
    // into the spare buffer (G_ is read below), grown geometrically: its capacity and
    // G_'s persist, so a path's growing sets do not take fresh pages at every entry
    std::vector<double>& G = G_spare_;
    if (G.capacity() < std::size_t(m * m))
      G.reserve(std::size_t(std::min(2 * m * m, kMaxSet * kMaxSet)));
    // Every entry is written below: the kept x kept ones copied, the fresh columns summed
    // (cover_sparse: from zero) or set (cover_dense), the fresh rows of the kept columns
    // by symmetry. So only the fresh columns of a CSC set are zeroed.
    G.resize(std::size_t(m * m));
    if constexpr (kCscColumns<Cols>)
      for (Index u = kept; u < m; ++u) std::fill_n(G.data() + pos[u] * m, m, 0.0);
    std::vector<double> c(m);
    // ws and last_ are both sorted (working_set.hpp), so the kept features have the same
    // order in both: a kept column's entries move in runs, contiguous in both layouts,
    // broken only where a fresh feature entered or a feature left. (Copied one entry at a
    // time through pos, ws and slot_, this was 7% of the one-hot path's kernel samples.)
    runs_.clear();
    for (Index v = 0; v < kept; ++v) {
      const Index to = pos[v], from = slot_[ws[to]];
      if (!runs_.empty() && runs_.back().to + runs_.back().len == to &&
          runs_.back().from + runs_.back().len == from)
        ++runs_.back().len;
      else
        runs_.push_back({to, from, 1});
    }
    for (Index u = 0; u < kept; ++u) {
      const Index t = pos[u], a = slot_[ws[t]];
      c[t] = c_[a];
      for (const Run& r : runs_)
        std::copy_n(G_.data() + r.from + a * m_old, r.len, G.data() + r.to + t * m);
    }
    if constexpr (kCscColumns<Cols>) {
      if (fresh > 0) cover_sparse(d, ws, pos, kept, G, c, ysum);
    } else if constexpr (Cols::kDense) {
      if (fresh > 0) cover_dense(d, ws, pos, kept, fresh, G, c);
    }
    for (Index j : last_) slot_[j] = -1;
    last_.assign(ws.begin(), ws.end());
    for (Index t = 0; t < m; ++t) slot_[ws[t]] = t;
    G_.swap(G);
    c_.swap(c);
  }

  // Dense: one centered_cross call (one read of the fresh columns): fresh x [kept, y]
  // and fresh x fresh (symmetric).
  void cover_dense(const Design<Cols>& d, const std::vector<Index>& ws,
                   const std::vector<Index>& pos, Index kept, Index fresh,
                   std::vector<double>& G, std::vector<double>& c) {
    const Index m = Index(ws.size());
    const Index n = d.cols.n();
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

  // CSC: the fresh features' entries against the whole set, through rows_ (the rows of
  // every column entered into a set so far): a fresh column k, once its own entries are
  // in rows_, adds for each entry x_ik the products sw_i x_ik x_is with row i's entries
  // of the set's features; the centering term W m_s m_k is subtracted. O(sum over the
  // fresh entries of their rows' entries in rows_): no read of the kept columns. at_
  // holds the set's positions (enter()).
  void cover_sparse(const Design<Cols>& d, const std::vector<Index>& ws,
                    const std::vector<Index>& pos, Index kept, std::vector<double>& G,
                    std::vector<double>& c, double ysum) {
    const Index m = Index(ws.size());
    const auto& X = d.cols;
    if (!rows_.ready()) rows_.reserve_rows(X);
    for (Index u = kept; u < m; ++u) {
      const Index t = pos[u], k = ws[t];
      rows_.append(X, k);  // first: the diagonal, and the fresh columns after this one
      double* col = G.data() + t * m;
      for (auto e = X.indptr[k]; e < X.indptr[k + 1]; ++e) {
        const Index i = Index(X.indices[e]);
        const double v = double(X.data[e]) * (d.sw ? double(d.sw[i]) : 1.0);
        const Index lo = rows_.start[i], hi = lo + rows_.fill[i];
        for (Index q = lo; q < hi; ++q) {
          const Index s = at_[rows_.col[q]];
          if (s >= 0) col[s] += v * double(rows_.val[q]);
        }
      }
      const double wm = d.W * d.mean(k);
      if (wm != 0)
        for (Index s = 0; s < m; ++s) col[s] -= wm * d.mean(ws[s]);
      c[t] = d.target_correlation(k, ysum);  // (in double on the centered y)
    }
    // symmetric: a fresh column's entries against the kept features, and against the
    // fresh features before it in pos order (which were in rows_ when it was summed;
    // the earlier column may have missed the later feature), are its row too
    for (Index u = kept; u < m; ++u) {
      const Index t = pos[u];
      for (Index v = 0; v < u; ++v) G[t + pos[v] * m] = G[pos[v] + t * m];
    }
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
  // CSC (sparse_pays): nanoseconds per unit on one core of the benchmarks' Xeon, from
  // the 200,000 x 47,740 one-hot fits and path: a naive full epoch, per entry of the set
  // (1 ms for a set of 200 frequent levels, 552,000 entries); a Gram epoch, per entry of
  // G_ws; entering (cover_sparse): each fresh entry (its append to rows_, first touches
  // included: a first set of 200 such levels took 31 ms with a sort of its columns by
  // row), each product, each entry of X for rows_'s row counts (once), each kept entry
  // copied.
  static constexpr double kNaiveEntryNs = 1.6, kGramEntryNs = 0.1, kFreshEntryNs = 20,
                          kProductNs = 10, kReserveEntryNs = 2, kKeptNs = 1;
  // Below this naive epoch the Gram's costs per entry that the rule leaves out (its
  // buffers, O(m) setup, per-step work) outweigh what it saves.
  static constexpr double kMinEpochNs = 50'000;
  static constexpr double kSparsePaybackEpochs = 3;
  static constexpr Index kMaxReuse = 8;
  static constexpr double kCancel = 3;  // certifies()

  // Whether G_ holds feature j's column (from the last set entered).
  bool in_gram(Index j) const { return !slot_.empty() && slot_[j] >= 0; }

  Index p_;
  std::vector<Index> at_;    // (p,) position in the entered set, -1 outside
  std::vector<Index> slot_;  // (p,) position in the last set entered (last_), -1 if not
  std::vector<Index> last_, ws_;  // the last set entered (G_, c_ are its); the set now (on_)
  bool on_ = false;
  bool exact_ = false;  // certifies() (enter())
  Index reuse_;
  Index declined_ = 0;  // CSC sets declined in a row (sparse_pays)
  std::vector<double> G_spare_;  // cover()'s next G_
  struct Run {
    Index to, from, len;  // set positions now, positions in last_
  };
  std::vector<Run> runs_;  // cover()'s, kept for their capacity
  std::vector<double> G_, c_;  // G_ws (m x m, column t contiguous) and X_c[:, ws]^T sw y_c
  std::vector<double> g0_, w0_, state_;  // at entry: g0, w0; [g, dw]
  ResidualStats st0_;
  // CSC: the rows of the columns entered into a set so far (cover_sparse). A deliberate,
  // partial transposed copy of X: a column's entries are appended when it first enters
  // a set, in room reserved per row from X's row counts but not touched before it is
  // written, so it never takes more memory than X's own entries (with 32-bit indices).
  struct EnteredRows {
    std::vector<Index> start;  // (n + 1): row i's room is [start[i], start[i + 1])
    std::vector<Index> fill;   // (n): entries appended to row i
    std::unique_ptr<std::int32_t[]> col;  // (nnz of X), uninitialized: feature ids
    std::unique_ptr<T[]> val;             // (nnz of X), uninitialized: values
    std::vector<char> in;                 // (p): column appended
    bool ready() const { return !start.empty(); }
    void reserve_rows(const Cols& X) {
      const Index n = X.n(), p = X.p();
      start.assign(n + 1, 0);
      const Index nnz = Index(X.indptr[p]);
      for (Index e = 0; e < nnz; ++e) ++start[Index(X.indices[e]) + 1];
      for (Index i = 0; i < n; ++i) start[i + 1] += start[i];
      fill.assign(n, 0);
      col.reset(new std::int32_t[std::size_t(nnz)]);
      val.reset(new T[std::size_t(nnz)]);
      in.assign(p, 0);
    }
    void append(const Cols& X, Index j) {
      if (in[j]) return;
      in[j] = 1;
      for (auto e = X.indptr[j]; e < X.indptr[j + 1]; ++e) {
        const Index i = Index(X.indices[e]);
        const Index q = start[i] + fill[i]++;
        col[q] = std::int32_t(j);
        val[q] = X.data[e];
      }
    }
  };
  EnteredRows rows_;
};

}  // namespace fastenet
