// cd.hpp: THE coordinate-descent loop, one template over the update scheme.
//
// Solves  min_w 1/2 ||y_c - X_c w||^2_sw + sum_j h_j(w_j)   (penalty.hpp, gap.hpp)
// by cyclic (or random) coordinate minimization (prox.hpp) inside working sets, with
// gap-safe screening and Anderson extrapolation, and stops on the duality gap:
//   gap(w) <= tol * ||y_c||^2_sw        (sklearn's meaning of tol)
// checked, as sklearn does, once the last epoch's steps are small:
//   max_j |dw_j| <= tol * max_j |w_j|   (never a stopping rule on its own)
// so a given tol yields sklearn's accuracy, not merely sklearn's gap bound.
//
// The scheme contract (NaiveScheme in naive.hpp, CovScheme in covariance.hpp), a scheme
// being constructed with its state built from the solver's starting w:
//   p()                       number of features
//   yy()                      ||y_c||^2_sw
//   curvatures_and_gradient(L, u)   L_j = ||X_c[:, j]||^2_sw and u_j = partial(j) for all
//                             j, in one pass (once per solver, its first call: it may
//                             compute the column means, naive.hpp's Design::means_out),
//                             or none where the scheme was given them (a logistic model)
//   partial(j)                u_j = X_c[:, j] @ (sw * r_c) at the current w, r_c = y_c - X_c w
//   step(j, delta)            the state follows w_j += delta (the loop owns w)
//   gradient(w, u, idx, m)    u[idx[t]] = partial(idx[t]) for t < m (idx null: all p)
//   stats(w)                  ResidualStats {||r_c||^2_sw, r_c @ sw y_c}
//   rebuild(w)                recompute the state from w (drift removal)
//   residual_motion()         ||r_c - r_c at its last call||_sw, marking r_c for the next
//                             (-1: the scheme keeps no residual; its gradients are cheap)
//   restrict_to(w, ws)        until the next rebuild, partial(j) is read and w_j moved
//                             only for j in ws (which holds every nonzero w_j), from w: a
//                             scheme may keep its state exact there only (covariance
//                             updates: O(|ws|) steps; naive updates on a dense set: its
//                             Gram, set_gram.hpp); returns whether it took the set's Gram
//   rebuild_restricted(w, ws) rebuild(w) then restrict_to(w, ws), or as good for the set
//   set_state_is_own()        whether gaps on the set read a state of the set's own (a set
//                             Gram's), not the one an outer check reads
//   set_gradients_certify()   whether the set's gradients read by the last inner check may
//                             stand in the next outer check's certificate (at the same w)
//   hess_vec(idx, m, v, out)  out[t] = (G v)_idx[t] for v supported on idx[0:m]
//   gram_column(j, out)       out[k] = G[k, j] for all k, G = X_c^T diag(sw) X_c
//   target_correlation(j)     X_c[:, j] @ (sw * y_c)
// (the last two only for unpenalized features, free_projection.hpp)
//   state_cost(), step_cost(j)   sizes of the state (-1: keeps none) and of step(j)'s
//                             update
//   float_steps(on)           whether step() may read the Gram in float32 until told
//                             otherwise, rebuild() staying exact (covariance.hpp);
//                             returns whether it does
//   keep_states(k), save_state(slot), load_state(slot), blend_states(c, slots, k)
//                             copies of the state (affine in w) per Anderson slot, and
//                             their combination: the state of sum_t c_t w_(slot t)
// Both schemes give partial(j) the same meaning, so this loop cannot tell them apart.
//
// Outer loop: full gradient -> gap -> stop? -> gap-safe screening -> working set
// (grown 4x per outer pass, capped near the KKT violators: working_set.hpp). The "full"
// gradient skips every zero feature whose last computed gradient, plus what the residual
// has moved since, bounds it below its penalty (outer_gap()): near a solution that is
// nearly all of them, and a check costs a read of the model's columns, not of X.
// Inner loop: epochs over the working set (every K-th a full sweep, the others over its
// nonzero features: glmnet's active-set cycling); every K epochs an Anderson proposal
// (kept only if it lowers the objective) and a gap on the working set, which ends the
// inner loop once it is below max(tol_abs, c * outer gap), c = 0.1 while inner solves
// are short and celer's 0.3 once one takes many epochs, or below tol_abs for a set that
// is likely the last while they are short. When that gap stalls, a Newton step on the
// set's nonzeros with their signs held (conjugate gradients on hess_vec), kept only if
// it lowers both the objective and the gap.
// w enters as a warm start (clipped into the boxes) and leaves as the solution; a path
// (cd_path) runs one solver over a decreasing sequence of penalties, reusing the scheme
// (its Gram cache and residual), the curvatures and the last certified gradient.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "fastenet/anderson.hpp"
#include "fastenet/free_projection.hpp"
#include "fastenet/gap.hpp"
#include "fastenet/params.hpp"
#include "fastenet/penalty.hpp"
#include "fastenet/prox.hpp"
#include "fastenet/screening.hpp"
#include "fastenet/working_set.hpp"

namespace fastenet {

namespace detail {

template <class Scheme>
class CdSolver {
 public:
  CdSolver(Scheme& s, const SolveParams& prm, double* w)
      : s_(s), prm_(prm), w_(w), p_(s.p()), L_(p_), inv_norm_(p_), u_(p_),
        rng_(prm.seed), acc_(prm.anderson_k) {}

  /// Solves for `pen` from the current w_. Called again with another penalty (a path),
  /// it reuses the curvatures, the scheme's state and, when the last solve converged,
  /// the gradient it certified with; prev_l1 > pen.l1 (the previous penalty on the path)
  /// seeds the first working set with the sequential strong rule.
  SolveResult run(const Penalty& pen, double prev_l1 = -1) {
    pen_ = pen;
    pen_.prepare();
    res_ = SolveResult{};
    res_.tol_abs = prm_.tol * s_.yy();
    best_gap_ = best_primal_ = std::numeric_limits<double>::infinity();
    best_is_current_ = false;
    best_pending_ = false;
    small_step_ = true;  // no epoch yet: nothing moved
    inner_factor_ = 0.1;
    ws_.clear();
    inner_gap_ = std::numeric_limits<double>::infinity();
    set_known_ = false;
    float_steps_ = s_.float_steps(prm_.float_steps);
    double last_gap = std::numeric_limits<double>::infinity();
    bool fresh = start();
    strong_l1_ = prev_l1 > pen_.l1 ? 2 * pen_.l1 - prev_l1 : -1;
    for (;;) {
      if (!fresh) s_.rebuild(w_);
      ++res_.n_outer;
      GapInfo gi = outer_gap();
      // A gap below minus its rounding certifies nothing (a dual point projected off
      // nearly collinear unpenalized columns, free_projection.hpp, can be off feasible):
      // neither a stop nor a screening radius; the solve goes on.
      if (gi.gap < -gap_floor())
        gi.gap = gi.gap_a = std::numeric_limits<double>::infinity();
      if (res_.n_outer == 1 && prm_.tol_first > 0) relative_target(gi.gap);
      fresh = false;
      res_.gap = gi.gap;
      if (gi.gap <= res_.tol_abs && small_step_ && res_.n_iter >= prm_.min_epochs)
        return done(Status::converged);
      keep_if_best(gi.primal, gi.gap);
      // Float32 steps refine toward the float64 solution while the set's Gram is well
      // conditioned (covariance.hpp); where an outer gap fails to halve (a refinement
      // that may have stalled, or merely a slow solve), the rest of this one steps in
      // float64. (dense_ill's path: the same epochs with the float32 steps as without.)
      if (float_steps_ && !(gi.gap <= 0.5 * last_gap)) float_steps_ = s_.float_steps(false);
      last_gap = gi.gap;
      if (res_.n_iter >= prm_.max_iter)
        return prm_.keep_best ? done_at_best(Status::max_iter) : done(Status::max_iter);
      if (interrupted()) return done(Status::interrupted);
      screen_and_choose_working_set(gi);
      strong_l1_ = -1;  // the strong rule guesses the first working set only
      // Inner target: a decade below the outer gap while inner solves are cheap (each
      // outer check costs a full pass), celer's 0.3 once they take many epochs; the tol
      // itself for a set that is likely the last (screen_and_choose_working_set), only
      // while inner solves are cheap (where one took many epochs, the next may too, and
      // its set may still change).
      const Index before = res_.n_iter;
      const double target = std::max(res_.tol_abs, inner_factor_ * gi.gap);
      if (last_set_ && inner_factor_ < kCelerFactor && target > res_.tol_abs)
        inner(res_.tol_abs, target, gi.gap);
      else
        inner(target, -std::numeric_limits<double>::infinity(), gi.gap);
      for (Index j : ws_) known_at_[j] = -1;  // inner checks overwrote u_ on the set
      // ... with the set's gradients at w_: every return of inner() follows a gap check
      // of the set at the current w_. The next outer check takes them as known instead of
      // reading the set's columns again (on onehot_geo's path, 43 of the checks' 71 passes
      // over X), where they are raw gradients (no free feature's projection) from a state
      // the scheme vouches for (set_gradients_certify: a set Gram as accurate as the
      // residual's products; not a residual, whose drift since the last rebuild, times a
      // column mean of 1e4, left a float64 fit at 1 nonzero of 5).
      set_known_ = free_.empty() && s_.set_gradients_certify();
      if (res_.n_iter - before > 4 * prm_.anderson_k) inner_factor_ = kCelerFactor;
      // A set of every alive feature whose inner gap reached the tol: that gap is the
      // outer one, up to the residual's rounding since the last rebuild (which the outer
      // check would remove). Where that rounding may not reach the certificate (the
      // logistic model solves, certified by the logistic gap), the outer check's rebuild
      // and gradient are skipped: on onehot_geo at 1% nonzeros they were about a third of
      // each model solve. (In a set Gram the inner gap reads no residual at all.)
      if (prm_.inner_certifies && ws_.size() == alive_.size() && !s_.set_state_is_own() &&
          inner_gap_ <= res_.tol_abs && res_.n_iter >= prm_.min_epochs) {
        res_.gap = inner_gap_;
        res_.status = Status::converged;
        u_on_alive_ = false;  // (known_at_ was just reset on the set: a next run recomputes)
        return res_;
      }
    }
  }

 private:
  SolveResult done(Status st) {
    res_.status = st;
    // u_ holds the raw gradient at w_, or one known_at_ an earlier check, only after a
    // converged check without free-feature projection (which rewrites u_); the next
    // run() starts from it or recomputes it.
    u_on_alive_ = st == Status::converged && free_.empty();
    return res_;
  }

  // Curvatures and a gradient at w_ valid (known or bounded, outer_gap()) for every
  // feature. The first run pays one fused pass; later runs, after a converged one, none.
  // Returns whether u_ is the gradient at w_ (init_alive may clip a warm start).
  bool start() {
    if (!started_) {  // the scheme was constructed from w_ (no rebuild needed)
      s_.curvatures_and_gradient(L_.data(), u_.data());  // the first pass serves both
      started_ = true;
      col_norm_.resize(p_);
      for (Index j = 0; j < p_; ++j) col_norm_[j] = std::sqrt(L_[j]);
      for (Index j = 0; j < p_; ++j)
        if (L_[j] > 0) live_.push_back(j);
      known_at_.assign(p_, check_);  // at the residual the scheme was built with (marked)
      drift_at_.assign(p_, drift_);
      const bool fresh = init_alive();
      free_.init(s_, pen_, alive_);
      return fresh;
    }
    // After a converged run every gradient is known or bounded: the features it screened
    // out keep theirs from when they were last computed, and outer_gap() reads their
    // columns only once the residual has moved enough to matter (a 10,000 x 100,000
    // sparse path used to recompute them at each point, about a pass over X).
    if (!u_on_alive_) {
      s_.rebuild(w_);
      s_.gradient(w_, u_.data(), nullptr, p_);
      remark();
      known_at_.assign(p_, check_);
      drift_at_.assign(p_, drift_);
    }
    u_on_alive_ = false;
    return init_alive();
  }

  // An inexact solve (a Newton model, logistic.hpp): the target drops to tol_first times
  // the first gap when that is smaller, never below the gap's rounding noise.
  void relative_target(double first_gap) {
    res_.tol_abs = std::max(std::min(res_.tol_abs, prm_.tol_first * first_gap), noise());
  }

  // The rounding of a gap or primal value: 16 eps ||y||^2 in the scheme's precision.
  double noise() const {
    return 16.0 * std::numeric_limits<typename Scheme::T>::epsilon() * s_.yy();
  }

  // How far below zero rounding takes the gap of a feasible dual point: noise(), and in
  // double at least 1024 eps ||y||^2. Its sums run over the n rows of a residual rebuilt
  // from w: on onehot_geo's path (n = 200,000) a point at its optimum computed
  // -21 eps ||y||^2 (1.3 noise()) at every check and ran to max_iter uncertified.
  // Ordinary float32 fits, whose sums run in double, reach -0.02 noise(); a floor of 64
  // noise() there (1.2e-4 ||y||^2, about sklearn's tol) let near-collinear unpenalized
  // columns pass off their optimum.
  double gap_floor() const {
    return std::max(noise(), 1024.0 * std::numeric_limits<double>::epsilon() * s_.yy());
  }

  // When the tol cannot be reached (float32 rounding, max_iter), the point returned is
  // the best certified one seen, not the last iterate. Its nonzeros (and signed zeros)
  // are recorded by the sweep of screen_and_choose_working_set(), which reads every
  // alive w_j anyway, each before it may zero it, and comes before the inner solve
  // moves w_; w_j == 0 outside alive_ (init_alive(), screening), so that is all of them
  // (a copy of w here cost O(p) per outer iteration: 3% of a sparse_text fit at
  // alpha_max/20).
  // The best point: the lower primal value where the two differ by more than its
  // rounding (16 eps ||y||^2), else the smaller gap. Near alpha = 0 a gap is rounding
  // noise (its dual point is scaled by alpha / ||X^T r||): a 2-feature positive lasso at
  // alpha 1e-15 kept its second iterate for a smaller gap than the optimum it reached
  // later, 3e-5 above that optimum, and returned it at max_iter. Elsewhere the gap
  // decides: a primal value moves with the square of a coefficient's error, its gap
  // linearly, so among points of equal primal value up to rounding (float32) the gap
  // ranks them better. (Certifying with the best dual value seen, primal - max dual,
  // mixed the rounding of different checks: -8e-9 ||y||^2 on nearly collinear
  // covariance-update fits.)
  void keep_if_best(double primal, double gap) {
    best_is_current_ = primal < best_primal_ - noise() ||
                       (!(primal > best_primal_ + noise()) && gap < best_gap_);
    if (!best_is_current_) return;
    best_primal_ = primal;
    best_gap_ = gap;
    best_pending_ = true;
  }

  SolveResult done_at_best(Status st) {
    // (the best being the current point, its nonzeros not recorded yet, or no point
    // ranked at all, every primal value and gap being inf or NaN: nothing to restore;
    // keep_if_best ranks a point only with a finite primal value or gap)
    constexpr double inf = std::numeric_limits<double>::infinity();
    const bool ranked = best_primal_ < inf || best_gap_ < inf;
    if (ranked && !best_is_current_) {
      std::vector<double> best(p_, 0.0);  // (only for a solve that ran out of epochs)
      for (const auto& [j, v] : best_nz_) best[j] = v;
      for (Index j = 0; j < p_; ++j) set_coef(j, best[j]);
      res_.gap = best_gap_;
    }
    return done(st);  // not converged: the next run() recomputes the gradient
  }

  // Gradient on `set` (one pass over those columns), projected dual point, gap.
  GapInfo gap_on(const std::vector<Index>& set) { return gap_with(set, set); }

  // The gap over `set` after computing the gradient on `need` (a subset).
  GapInfo gap_with(const std::vector<Index>& set, const std::vector<Index>& need) {
    s_.gradient(w_, u_.data(), need.data(), Index(need.size()));
    ResidualStats st = s_.stats(w_);
    free_.apply(u_.data(), st, w_, set.data(), Index(set.size()));
    return duality_gap(st, u_.data(), w_, pen_, set.data(), Index(set.size()));
  }

  // A new mark of the scheme's residual: the gradients known as of the last mark are
  // stale by the motion since (a new check_), unless it did not move.
  void remark() {
    const double moved = s_.residual_motion();
    if (moved == 0) return;
    ++check_;
    bounds_valid_ = moved > 0;  // -1: the scheme cannot say how far
    if (moved > 0) drift_ += moved;
  }

  void mark_known(const std::vector<Index>& set) {
    for (Index j : set) {
      known_at_[j] = check_;
      drift_at_[j] = drift_;
    }
  }

  // |u_j| at the current residual is at most |u_j then| + ||X_c[:, j]||_sw x (the
  // residual's motion since): drift_ sums the motions measured at the checks.
  double gradient_bound(Index j) const {
    return std::fabs(u_[j]) + col_norm_[j] * (drift_ - drift_at_[j]);
  }
  bool known(Index j) const { return known_at_[j] == check_; }
  // u_j, or for a feature skipped at this check its bound (all uses of it below are
  // conservative with the larger value: screening, the working-set score, strong rule).
  double grad_or_bound(Index j) const { return known(j) ? u_[j] : gradient_bound(j); }

  // The outer check: the gradient on the alive features and the gap. A zero feature
  // whose gradient bound is below kBoundMargin x its penalty (the strong rule's
  // threshold on a path's first set) cannot raise formulation A's dual norm above l1,
  // nor add to the primal: it changes neither the dual point nor the gap, and its
  // column is not read. Sparse text at alpha_max/100: 1,400-1,600 of 100,000 features
  // need their column at the checks after the first. Not under formulation B (its
  // conjugate term needs every u_j) nor with unpenalized features (their projection
  // rewrites u_), nor for a scheme that keeps no residual; nor for a column of fewer
  // than kBoundMinCost entries, which costs about what its bookkeeping would (on the
  // 1,600 x 10,000 sparse fold paths of the quick LassoCV, about 3 per column, bounding
  // every column made the paths 5% slower).
  GapInfo outer_gap() {
    remark();
    if (set_known_) mark_known(ws_);  // (run(): the last inner check's, at this w_)
    set_known_ = false;
    const bool bounds = bounds_valid_ && prm_.gradient_bounds && pen_.l1 > 0 &&
                        pen_.sklearn_boxes && free_.empty();
    const double cut = kBoundMargin * (strong_l1_ >= 0 ? strong_l1_ : pen_.l1);
    need_.resize(alive_.size());  // written by index (push_back is a call: 1% of a fit)
    Index nn = 0;
    skipped_ = 0;
    visit(pen_, [&](const auto& pen) {
      for (Index j : alive_) {
        if (known(j)) continue;
        if (bounds && known_at_[j] >= 0 && w_[j] == 0 && s_.step_cost(j) >= kBoundMinCost &&
            pen.penalized(j) && gradient_bound(j) < cut * pen.pf_of(j)) {
          ++skipped_;
          continue;
        }
        need_[nn++] = j;
      }
    });
    need_.resize(nn);
    s_.gradient(w_, u_.data(), need_.data(), Index(need_.size()));
    mark_known(need_);
    res_.n_grad += Index(need_.size());
    ResidualStats st = s_.stats(w_);
    // (with free features there are no bounds: every alive feature is known)
    free_.apply(u_.data(), st, w_, alive_.data(), Index(alive_.size()));
    // The gap over the known features: the skipped ones are not counted (above). One
    // sweep of the alive features, not a list of the known ones and a sweep of it (which
    // reads known_at_ only where some were skipped).
    const bool all = skipped_ == 0;
    return visit(pen_, [&](const auto& pen) {
      return duality_gap_if(st, u_.data(), w_, pen, alive_.data(), Index(alive_.size()),
                            [&](Index j) { return all || known(j); });
    });
  }

  bool interrupted() {
    if (stop_) return true;
    if (prm_.interrupt && prm_.interrupt(prm_.interrupt_ctx)) stop_ = true;
    return stop_;
  }

  void set_coef(Index j, double v) {
    if (v != w_[j]) {
      s_.step(j, v - w_[j]);
      w_[j] = v;
    }
  }

  // Zero-curvature columns are constant (zero after centering): their gradient is 0, so
  // their coefficient is 0 and they leave the problem. Warm starts are clipped into boxes.
  // Returns whether u_ still holds the gradient at w_ (false if a warm start was clipped).
  // Once per path point, so each part is redone only where it can change: the curvatures
  // are fixed from the first run, inv_norm_ only moves with l2 (kept only without
  // factors: a caller may refill a factor array in place), and the clip is a copy
  // without boxes. (On the quick LassoCV's 1,600 x 10,000 sparse fold
  // paths, one loop with a square root, a division and a push_back per feature was 6%
  // of the path: points with few nonzeros cost a few sweeps of p each.)
  bool init_alive() {
    if (!(pen_.l2 == inv_l2_ && pen_.pf == nullptr)) {
      for (Index j = 0; j < p_; ++j) inv_norm_[j] = 1.0 / std::sqrt(L_[j] + pen_.b(j));
      inv_l2_ = pen_.pf == nullptr ? pen_.l2 : std::numeric_limits<double>::quiet_NaN();
    }
    alive_ = live_;
    bool moved = false;
    visit(pen_, [&](const auto& pen) {
      for (Index j = 0; j < p_; ++j) {
        const double wj = std::min(std::max(w_[j], pen.lo_of(j)), pen.hi_of(j));
        const double v = L_[j] > 0 ? wj : 0.0;
        moved |= v != w_[j];
        w_[j] = v;
      }
    });
    return !moved;
  }

  // Gap-safe screening and the working set in one sweep over the alive features: the
  // distance of a feature's dual constraint from the dual point decides whether it is
  // provably zero (discarded), its distance at the unscaled gradient ranks the rest
  // (screening.hpp; the sweep and its selection cost 0.5-1 pass over a 100,000-feature
  // sparse X per outer iteration when they were two).
  void screen_and_choose_working_set(const GapInfo& gi) {
    // (gap_floor(): the gap's own rounding, which a gap accepted near 0 may hide)
    const bool screening = prm_.screening && gap_safe_applies(pen_, gi);
    const double rho = screening ? safe_radius(gi, gap_floor()) : 0.0;
    const bool ranked = prm_.working_set && pen_.l1 != 0;
    if (screening) complete_unscreened(gi.scale_a, rho);
    Index nnz = 0, violators = 0, k = 0;
    forced_.clear();
    // written by index: push_back, left out of line by GCC, was the hottest line of the
    // sweep (its store and call: 6% of the kernel's samples on sparse_text at alpha_max/20)
    if (cand_.size() < alive_.size()) cand_.resize(alive_.size());
    Index nc = 0;
    const bool record = best_pending_;  // keep_if_best(): w_'s nonzeros, before screening
    if (record) best_nz_.clear();
    best_pending_ = false;
    visit(pen_, [&](const auto& pen) {
      for (Index j : alive_) {
        if (record && (w_[j] != 0 || std::signbit(w_[j]))) best_nz_.push_back({j, w_[j]});
        const bool penalized = pen.penalized(j);
        const double uj = grad_or_bound(j);
        const double d =
            penalized ? constraint_distance(pen, j, gi.scale_a, uj, w_[j], inv_norm_[j]) : 0.0;
        if (screening && penalized && d > rho) {
          set_coef(j, 0.0);
          continue;
        }
        alive_[k++] = j;
        if (!ranked) continue;
        if (w_[j] != 0 || !penalized) {
          forced_.push_back(j);
          nnz += w_[j] != 0;
        } else if (strong_l1_ >= 0 && passes_strong_rule(pen, j, uj)) {
          forced_.push_back(j);
        } else {
          // At w_j = 0 the score is negative exactly for a KKT violator (screening.hpp).
          // A feature skipped at this check is none (its bound is below the penalty), and
          // ranks by its last gradient: its bound would rank it nearer than it likely is.
          const double score = constraint_distance(pen, j, 1.0, u_[j], w_[j], inv_norm_[j]);
          cand_[nc++] = {score, j};
          violators += score < 0;
        }
      }
    });
    cand_.resize(nc);
    alive_.resize(k);
    last_set_ = false;
    if (!ranked) {
      ws_ = alive_;
      return;
    }
    // The set grows 4x per outer pass (each outer pass costs a full gradient, so fewer
    // of them pay), but past 1/16 of the alive features no further than the KKT
    // violators: epochs over a set far larger than the model buy nothing (a 1,000 x
    // 10,000 design at alpha_max/100 grew to all 10,000 features for 849 nonzeros, 140
    // passes over X; with the cap 45).
    const Index cap = std::max(Index(forced_.size()) + violators, Index(alive_.size()) / 16);
    grow_working_set(forced_, cand_, nnz, prm_.ws_min, ws_, cap, 4);
    // A set that leaves features out but holds every KKT violator, and no more of them
    // than twice the features it was forced to hold (the nonzeros, unpenalized features
    // and, on a path, the strong rule's guesses), is likely the last one: solving it to
    // the tol saves an outer pass (a pass over X and a sweep of the alive features).
    // Sparse text at alpha_max/20: 5 outer passes and 9.5 passes over X -> 3 and 7.6.
    // Where the violators outnumber the forced features they mostly end at zero, and a
    // tight solve on them is wasted (dense wide at alpha_max/100: 92 epochs on a set of
    // 3,006 left the gap where 22 did). On a path the strong rule forces every violator
    // (its threshold is below l1), so a point's first set always qualifies; the paths'
    // times did not change (sparse path 1,309 -> 1,354 epochs, 5.34 -> 5.25 s, median of 3
    // in one A/B run).
    const Index taken = Index(ws_.size()) - Index(forced_.size());
    last_set_ = taken < Index(cand_.size()) && violators <= taken &&
                violators <= 2 * Index(forced_.size());
  }

  // The gradient of every feature skipped by outer_gap() whose bound cannot screen it
  // out at radius rho (it might be screened by its exact value): computed now, so the
  // screening is as strong as with every gradient known. With the bounds alone, about
  // 40% more features stayed alive on the 1,600 x 10,000 sparse fold paths of the quick
  // LassoCV, and their later sweeps cost more than the skipped columns saved.
  void complete_unscreened(double scale, double rho) {
    if (skipped_ == 0) return;  // every alive feature is known
    need_.clear();
    for (Index j : alive_)
      if (!known(j) &&
          !(constraint_distance(pen_, j, scale, gradient_bound(j), 0.0, inv_norm_[j]) > rho))
        need_.push_back(j);
    if (need_.empty()) return;
    s_.gradient(w_, u_.data(), need_.data(), Index(need_.size()));
    mark_known(need_);  // the residual has not moved since outer_gap()'s mark
    res_.n_grad += Index(need_.size());
  }

  // Sequential strong rule (Tibshirani et al. 2012, eq. (7)) at w_j = 0: feature j is
  // guessed active when |u_j| >= pf_j (2 l1_k - l1_{k-1}), |u_j| counting only the
  // directions its box allows (Penalty::open_part).
  // A guess only: the outer gap check over all alive features decides.
  template <class P>
  bool passes_strong_rule(const P& pen, Index j, double uj) const {
    return pen.open_part(j, uj) >= pen.pf_of(j) * strong_l1_;
  }

  // Returns |w_j new - w_j old|; tracks the epoch's largest step and coefficient.
  void update(Index j, double& max_dw, double& max_w) {
    const double L = L_[j], wj = w_[j];
    const double z = s_.partial(j) + L * wj;
    const double v = prox_update(z, L, pen_.a(j), pen_.b(j), pen_.lo_of(j), pen_.hi_of(j));
    set_coef(j, v);
    max_dw = std::max(max_dw, std::fabs(v - wj));
    max_w = std::max(max_w, std::fabs(v));
  }

  // One sweep of the working set (full), or of its nonzero features as the last full
  // sweep left them (glmnet's active-set cycling: zeros of the set mostly stay zero, and
  // near the end of a path half the set is zero). small_step_ records sklearn's
  // precondition for trusting the gap: max |dw| <= tol * max |w| over the epoch.
  void epoch(bool full) {
    const Index m = Index(ws_.size());
    double max_dw = 0, max_w = 0;
    if (prm_.random) {
      std::uniform_int_distribution<Index> pick(0, m - 1);
      for (Index t = 0; t < m; ++t) update(ws_[pick(rng_)], max_dw, max_w);
    } else if (full) {
      active_.clear();
      for (Index j : ws_) {
        update(j, max_dw, max_w);
        if (w_[j] != 0) active_.push_back(j);
      }
    } else {
      for (Index j : active_) update(j, max_dw, max_w);
    }
    small_step_ = !prm_.small_steps || max_w == 0 || max_dw <= prm_.tol * max_w;
  }

  double primal_on_ws() const {
    const ResidualStats st = s_.stats(w_);
    double v = 0.5 * st.R2;
    for (Index j : ws_) v += pen_.value(j, w_[j]);
    return v;
  }

  // Whether Anderson proposals move the scheme's state by combining saved states (about
  // 2K+1 state copies per proposal) rather than by one step per moved coefficient: the
  // nonzeros, there and, for the half of the proposals that are rejected, back. On a
  // 10,000 x 100,000 sparse path the steps cost 15% of the solve.
  bool states_are_cheaper() const {
    const Index cost = s_.state_cost();
    if (cost < 0) return false;
    double steps = 0;
    for (Index j : ws_)
      if (w_[j] != 0) steps += double(s_.step_cost(j));
    return double(2 * prm_.anderson_k + 1) * double(cost) < 1.5 * steps;
  }

  // Moves to the Anderson proposal if it lowers the objective; else stays.
  void try_extrapolation() {
    const Index m = Index(ws_.size());
    if (!acc_.extrapolate(w_acc_.data())) return;
    const double before = primal_on_ws();
    // the state of the unclipped proposal (up to the blend's rounding, which the next
    // rebuild removes): steps only where it is clipped
    if (blend_) {
      for (Index k = 0; k < acc_.terms(); ++k) slots_[k] = acc_.slot(k);
      s_.blend_states(acc_.weights(), slots_.data(), acc_.terms());
    }
    for (Index t = 0; t < m; ++t) {
      const Index j = ws_[t];
      w_old_[t] = w_[j];
      if (blend_) w_[j] = w_acc_[t];
      set_coef(j, std::min(std::max(w_acc_[t], pen_.lo_of(j)), pen_.hi_of(j)));
    }
    if (primal_on_ws() < before) return;
    if (blend_) {  // back to the latest iterate, saved in the last slot
      s_.load_state(acc_.slot(acc_.terms() - 1));
      for (Index t = 0; t < m; ++t) w_[ws_[t]] = w_old_[t];
    } else {
      for (Index t = 0; t < m; ++t) set_coef(ws_[t], w_old_[t]);
    }
  }

  // A Newton step on the set's nonzero coefficients, their signs held: on them the
  // problem is smooth, min 1/2 ||y_c - X_c w||^2_sw + sum_j (a_j s_j w_j + b_j/2 w_j^2),
  // and conjugate gradients from d = 0, preconditioned by the curvatures L_j + b_j,
  // solve (H + diag b) d = -grad for its step (H = X_c^T diag(sw) X_c restricted to
  // them; each product, hess_vec, reads their columns twice). CG stops at the budget,
  // along a direction of no curvature, once its residual (in the preconditioner's norm)
  // has fallen by kCgTol, or, usually first, once the set's gap at w + d is estimated
  // below kCgGap times the inner target eps, or when that estimate has not fallen by
  // 30% in 3 products (after the first kCgFirst: on a small set the residuals of CG rise
  // and fall before it is exact). The estimate: with e the gradient CG leaves on the
  // nonzeros (its residual) and the set's zeros ignored, the gap at w + d is at most
  //   (1 - q) |sum_j w_j e_j| + q sum_j a_j |w_j| + q^2 / 2 (R2 + sum_j b_j w_j^2),
  // where 1 - q = 1 / max_j (1 + |e_j| / a_j) is the scale that keeps the dual point
  // feasible (gap.hpp, formulation A; R2 at w stands in for R2 at w + d). For small e
  // it is about max|e| ||w||_1; at a tiny alpha, an e_j above a_j costs nearly R2 / 2.
  // On the late points of the sparse path the estimate stalls at 1-5 eps after 5-10
  // products, where the step's gap stays however long CG runs: the set's zeros and a
  // few badly conditioned coefficients, left to the epochs that follow.
  // A coefficient whose sign the whole step would flip stops at 0; if that step
  // does not pay, the step up to the first sign change is tried, along which the
  // objective is the smooth one, so lower than at w. A step is kept only if it lowers
  // the set's gap and does not raise the objective by more than its rounding, noise()
  // (one that lowers the objective can raise the gap: the zeros of the set, which it
  // holds, then violate their constraints more; near the optimum a step that lowers the
  // gap may move the objective by less than float32 rounds it: on the float32 sparse
  // path, steps that took the gap from 10 to 0.2-0.4 came out 5e-4 higher of 1.9e4, were
  // undone, and the points after them crawled for up to 379 epochs). Returns that gap,
  // or -1 with w restored exactly. Not tried with bounds (inner()).
  // Why: on a nearly singular set (late points of a sparse path, thousands of nonzeros
  // for 10,000 rows) coordinate descent crawls, hundreds of epochs with the gap within
  // 2x of its target, while CG needs about the square root of the condition number in
  // products: the 10,000 x 100,000 sparse path of the benchmarks took 7,685 epochs and
  // 19.8 s without these steps, 2,604 epochs and 8.6 s with up to 40 plain CG products
  // each; with the preconditioner, the stopping rule above and no wait after a step
  // that paid (inner()), 1,464 epochs and 3.8 s (6.9 s for the plain steps in that run);
  // 1,402 epochs once a failed step keeps its CG budget (inner()).
  double try_newton(const GapInfo& gi, double eps) {
    const double gap = gi.gap;
    using T = typename Scheme::T;
    nz_.clear();
    for (Index j : ws_)
      if (w_[j] != 0) nz_.push_back(j);
    const Index m = Index(nz_.size());
    if (m == 0) return -1;
    cg_res_.resize(m);
    cg_dir_.resize(m);
    cg_hp_.resize(m);
    cg_d_.assign(m, 0.0);
    cg_old_.resize(m);
    double rr = 0;
    for (Index t = 0; t < m; ++t) {
      const Index j = nz_[t];
      const double sign = w_[j] > 0 ? 1.0 : -1.0;
      // u_ holds the set's gradient from the check just made (as is: no free features
      // for FreeProjection to rewrite it); else one more read of the column.
      const double u = free_.empty() ? u_[j] : s_.partial(j);
      cg_res_[t] = u - pen_.a(j) * sign - pen_.b(j) * w_[j];  // -gradient
      cg_dir_[t] = pre(j) * cg_res_[t];
      rr += cg_res_[t] * cg_dir_[t];
    }
    // Curvature below this share of the diagonal's (the Rayleigh quotient of the
    // preconditioned system) is rounding (of H v in T): along such a direction the
    // step length rr / pHp is noise.
    const double flat = std::max(kCgFlat, 64.0 * double(std::numeric_limits<T>::epsilon()));
    const double rr_stop = kCgTol * kCgTol * rr;
    bool moved = false;
    double best_est = std::numeric_limits<double>::infinity();
    Index stale = 0;
    for (Index k = 0; k < cg_budget_ && rr > rr_stop; ++k) {
      s_.hess_vec(nz_.data(), m, cg_dir_.data(), cg_hp_.data());
      double pHp = 0, pDp = 0;
      for (Index t = 0; t < m; ++t) {
        cg_hp_[t] += pen_.b(nz_[t]) * cg_dir_[t];
        pHp += cg_dir_[t] * cg_hp_[t];
        pDp += cg_dir_[t] * cg_dir_[t] * (L_[nz_[t]] + pen_.b(nz_[t]));
      }
      if (!(pHp > flat * pDp)) break;
      const double alpha = rr / pHp;
      double rr_new = 0, q = 0, we = 0, aw = 0, bw2 = 0;
      for (Index t = 0; t < m; ++t) {
        const Index j = nz_[t];
        cg_d_[t] += alpha * cg_dir_[t];
        cg_res_[t] -= alpha * cg_hp_[t];
        rr_new += pre(j) * cg_res_[t] * cg_res_[t];
        const double e = cg_res_[t], a = pen_.a(j), v = w_[j] + cg_d_[t];
        we += v * e;
        aw += a * std::abs(v);
        bw2 += pen_.b(j) * v * v;
        if (a > 0) q = std::max(q, std::abs(e) / (a + std::abs(e)));
      }
      moved = true;
      const double est = (1 - q) * std::abs(we) + q * aw + 0.5 * q * q * (gi.R2 + bw2);
      if (est <= kCgGap * eps) break;
      if (est < 0.7 * best_est) {
        best_est = est;
        stale = 0;
      } else if (++stale >= 3 && k >= kCgFirst) {
        break;
      }
      for (Index t = 0; t < m; ++t)
        cg_dir_[t] = pre(nz_[t]) * cg_res_[t] + (rr_new / rr) * cg_dir_[t];
      rr = rr_new;
    }
    if (!moved) return -1;
    double first_flip = 1;
    Index flip = -1;  // the coefficient that changes sign first, set to exactly 0
    for (Index t = 0; t < m; ++t) {
      const Index j = nz_[t];
      cg_old_[t] = w_[j];
      if (pen_.a(j) > 0 && (w_[j] + cg_d_[t] > 0) != (w_[j] > 0) &&
          -w_[j] / cg_d_[t] < first_flip) {
        first_flip = -w_[j] / cg_d_[t];
        flip = t;
      }
    }
    // The state follows by a rebuild, not by steps: a long step and its undoing would
    // leave the float32 residual with the rounding of the long step.
    const double before = primal_on_ws();
    for (const double scale : {1.0, first_flip}) {
      for (Index t = 0; t < m; ++t) {
        const Index j = nz_[t];
        const double v = cg_old_[t] + scale * cg_d_[t];
        const bool flips = pen_.a(j) > 0 && (v > 0) != (cg_old_[t] > 0);
        w_[j] = flips || (scale < 1 && t == flip) ? 0.0 : v;
      }
      rebuild_on_ws();
      if (primal_on_ws() < before + noise()) {
        const double after = gap_on(ws_).gap;
        if (after < gap) return after;
      }
      if (!(first_flip < 1)) break;
    }
    for (Index t = 0; t < m; ++t) w_[nz_[t]] = cg_old_[t];
    rebuild_on_ws();
    return -1;
  }

  // try_newton()'s preconditioner: 1 / (L_j + b_j), the inverse curvature of run()'s
  // penalty (inv_norm_ is refreshed for it by init_alive()).
  double pre(Index j) const { return inv_norm_[j] * inv_norm_[j]; }

  // The scheme's state recomputed from w_, restricted again to the working set (inner()).
  void rebuild_on_ws() { s_.rebuild_restricted(w_, ws_); }

  // Whether coordinate descent, at the rate the gap fell over the last K epochs (from
  // last to gap), needs more epochs to reach eps than the largest Newton step costs:
  // kCgSteps products, each about an epoch's reads of the nonzero columns. (Measured
  // against the current, smaller budget instead, steps came more often and the sparse
  // path took 10% longer.) While steps pay (newton_hot_), half of that: steps stopped
  // by their gap estimate take 10-20 products. Sparse path 1,402 -> 1,316 epochs (591
  // -> 640 products), 3.76 -> 3.47 s; its 5-fold LassoCV 16.0 -> 15.2 s (median of 3,
  // alternating); the dense paths, where steps fail, unchanged (dense_ill 5 tries
  // instead of 3, in the same time).
  bool newton_pays(double gap, double last, Index span, double eps) const {
    if (!(gap > eps)) return false;
    if (gap >= last) return true;  // not falling at all
    return epochs_to(gap, last, span, eps) > double(newton_hot_ ? kCgSteps / 2 : kCgSteps);
  }

  // Epochs until the gap reaches eps if it keeps falling as it did from `last` to `gap`
  // over the last `span` epochs (eps < gap < last).
  static double epochs_to(double gap, double last, Index span, double eps) {
    return double(span) * std::log(gap / eps) / std::log(last / gap);
  }

  // Epochs before the next gap check of an inner solve: anderson_k, or fewer where the
  // rate the gap fell at over the last `span` epochs (from `last`) reaches eps sooner.
  // A check costs a read of the set's columns and makes its epoch a full sweep (about an
  // epoch and a half of the nonzeros' reads); one that comes at the predicted epoch
  // saves the rest of the period. On dense_tall at alpha_max/100, the last set's first
  // check found its gap 5% above the tol after 2 epochs, and the solve ran 5 more.
  Index check_period(double gap, double last, Index span, double eps) const {
    const Index K = prm_.anderson_k;
    if (!prm_.early_checks || !(gap > eps) || !(gap < last)) return K;
    const double epochs = epochs_to(gap, last, span, eps);
    return epochs < double(K) ? std::max<Index>(1, Index(std::ceil(epochs))) : K;
  }

  // Coordinate descent on the working set until its gap reaches eps. A solve aiming past
  // its usual target (`loose` > eps, for a set that is likely the last) goes on from
  // there only while the gap halves between checks: where rounding floors the gap
  // between eps and loose (float32 at a tol it cannot reach), the outer loop takes over
  // again and keeps the best certified point (a floor above loose ends the solve at
  // max_iter, as for any target below it).
  void inner(double eps, double loose = -std::numeric_limits<double>::infinity(),
             double entry_gap = std::numeric_limits<double>::infinity()) {
    const Index m = Index(ws_.size());
    // (lifted by the rebuild() that starts the next outer iteration)
    res_.n_gram_sets += s_.restrict_to(w_, ws_);
    w_ws_.resize(m);
    w_acc_.resize(m);
    w_old_.resize(m);
    acc_.reset(m);
    blend_ = prm_.anderson && states_are_cheaper();
    if (blend_) {
      s_.keep_states(prm_.anderson_k + 1);
      slots_.resize(prm_.anderson_k);
    }
    bool first = true;
    double last_gap = std::numeric_limits<double>::infinity();
    Index stalls = 0, period = 2;  // the first check comes early: most inner problems
                                   // after the first are easy
    // The last check met the final target but not the small-step test (epoch()): the
    // solve waits for small steps alone.
    bool awaiting_small = false;
    for (Index since = 1;; ++since) {
      // Full sweeps first and before each gap check (which, and whose small-step test,
      // must see every feature of the set); active-set sweeps in between.
      const bool full = (first && since == 1) || since >= period;
      epoch(full);
      ++res_.n_iter;
      if (prm_.anderson) {
        for (Index t = 0; t < m; ++t) w_ws_[t] = w_[ws_[t]];
        if (blend_) s_.save_state(acc_.next_slot());
        if (acc_.push(w_ws_.data())) try_extrapolation();
      }
      // Small steps on the active features: the next sweep is the full one that
      // confirms them, and its check. On onehot_geo at alpha_max/20 the last set met
      // the tol after 4 epochs and ran to the next check, 5 epochs later, for its steps.
      if (prm_.early_checks && awaiting_small && !full && small_step_) period = since + 1;
      if (since < period && res_.n_iter < prm_.max_iter) continue;
      const Index span = since;  // epochs since the last check (or the entry)
      since = 0;
      first = false;
      const GapInfo gi = gap_on(ws_);
      inner_gap_ = gi.gap;
      // Near the end (eps at or below the final target) the inner loop also waits for
      // small steps, so the outer check can declare convergence.
      const bool done_in = gi.gap <= eps && (small_step_ || eps > res_.tol_abs);
      // (halving per anderson_k epochs, for a check that came sooner)
      const bool slowed = gi.gap > eps && gi.gap <= loose &&
                          gi.gap > std::exp2(-double(span) / double(prm_.anderson_k)) * last_gap;
      if (done_in || slowed || res_.n_iter >= prm_.max_iter || interrupted()) return;
      double gap_now = gi.gap;
      // (the first check's rate: from the outer gap the solve started at)
      period = check_period(gi.gap, last_gap < entry_gap ? last_gap : entry_gap, span, eps);
      // A Newton step when coordinate descent, at its recent rate, would need more
      // epochs than the step costs, and has already spent that many on this problem
      // (ski rental: at worst twice the cost of the better choice). After a step that
      // did not pay, the next waits for twice as many such checks in one inner solve
      // (at most 16; the count persists across solves and path points until a step
      // pays), with the same CG budget: the budget measures what a step needs on this
      // problem, and the hardest points, where steps fail, need the most (on the last
      // points of an 8,000-row sparse path without intercept, dropping it back to 10
      // products made every later try too short to pay: 1,726 epochs and 820 products,
      // against 1,633 and 740 when kept; the 10,000-row path 1,464 and 633 against 1,402
      // and 591; a whole 5-fold LassoCV on it, with intercept, about even: 7,990 and
      // 1,295 against 8,381 and 1,150). After a step that paid, the budget doubles and
      // the next step need not wait (its solve has not spent the step's cost yet, but
      // the last step showed that this problem repays it: on the sparse path the late
      // points took 47 epochs each with the wait, 17 without).
      // Not with bounds: on a positive lasso with as many nonzeros as rows, where
      // descent takes tens of thousands of epochs per point either way, the steps made
      // it slower still.
      if (prm_.newton && pen_.unbounded && newton_pays(gi.gap, last_gap, span, eps) &&
          (newton_hot_ || (res_.n_iter >= cg_budget_ && ++stalls >= newton_wait_))) {
        stalls = 0;
        const double after = try_newton(gi, eps);
        // A step that did not halve the gap counts as a failure: on a dense design
        // with about as many nonzeros as rows the gap falls by only 1-3% (the set's
        // zeros, which the step holds, bind), on the sparse path by 5-40x.
        const bool paid = after >= 0 && after < 0.5 * gi.gap;
        newton_wait_ = paid ? 1 : std::min<Index>(2 * newton_wait_, 16);
        newton_hot_ = paid;
        if (paid) cg_budget_ = std::min(2 * cg_budget_, kCgSteps);
        if (after >= 0) {
          inner_gap_ = after;
          // The iterates jumped: the history no longer extrapolates (while steps keep
          // paying, Anderson has no time to propose). small_step_ stays the last
          // epoch's: the step lowered the gap, which certifies the result either way.
          acc_.reset(m);
          gap_now = after;
          period = prm_.anderson_k;
          if (after <= eps && eps > res_.tol_abs) return;  // not the last inner solve
        }
      }
      awaiting_small = gap_now <= eps;  // (and eps <= tol_abs, without small steps)
      last_gap = gap_now;
    }
  }

  Scheme& s_;
  Penalty pen_;  // the current run's
  const SolveParams& prm_;
  double* w_;
  Index p_;
  std::vector<double> L_, inv_norm_, u_, w_ws_, w_acc_, w_old_;
  std::vector<Index> alive_, ws_, forced_, active_, slots_, nz_;
  std::vector<Index> live_;  // the features of nonzero curvature (init_alive())
  double inv_l2_ = std::numeric_limits<double>::quiet_NaN();  // inv_norm_'s l2 (NaN: none)
  // Gradient bounds (outer_gap()): u_[j] is the gradient at the residual of check
  // known_at_[j] (-1: an inner check's, of no use), when the motions summed so far
  // were drift_at_[j]; col_norm_ = sqrt(L).
  // (32-bit: the outer checks' sweeps read known_at_ for every alive feature; a path
  // makes a few checks per point, far from 2^31)
  std::vector<std::int32_t> known_at_;
  std::vector<Index> need_;
  std::vector<double> drift_at_, col_norm_;
  std::int32_t check_ = 0;
  double drift_ = 0;
  bool bounds_valid_ = true;  // every motion since the bounds' references was measured
  static constexpr double kBoundMargin = 0.99;  // rounding of u_j, many times over
  static constexpr Index kBoundMinCost = 16;     // nonzeros of a column worth bounding
  std::vector<double> cg_res_, cg_dir_, cg_hp_, cg_d_, cg_old_;  // try_newton()
  Index newton_wait_ = 1;  // stalled checks before the next Newton step (doubles on failure)
  bool newton_hot_ = false;  // the last Newton step paid: the next need not wait (inner())
  static constexpr Index kCgSteps = 40;  // CG products per Newton step, at most
  static constexpr Index kCgFirst = 10;  // ... at first, doubling each time a step pays
  Index cg_budget_ = kCgFirst;
  static constexpr double kCgGap = 0.1;  // ... or once the gap estimate is below kCgGap eps
  static constexpr double kCgTol = 1e-4;  // ... until the residual (D^-1 norm) falls by this
  static constexpr double kCgFlat = 1e-10;  // pHp / pDp (D: the diagonal) deemed zero
  std::vector<Candidate> cand_;
  std::mt19937_64 rng_;
  Anderson acc_;
  FreeProjection free_;
  bool float_steps_ = false;  // the scheme's answer to float_steps() in this solve
  SolveResult res_;
  std::vector<std::pair<Index, double>> best_nz_;  // the best point's nonzeros (keep_if_best)
  bool best_pending_ = false;  // ... to be recorded by the next screening sweep
  Index skipped_ = 0;  // alive features the last outer_gap() bounded instead of computing
  double best_gap_ = std::numeric_limits<double>::infinity();
  double best_primal_ = std::numeric_limits<double>::infinity();  // (keep_if_best)
  bool best_is_current_ = false;  // the last outer check's point is the best
  bool small_step_ = true;  // no epoch yet: nothing moved
  double inner_gap_ = std::numeric_limits<double>::infinity();  // the last inner check's
  bool last_set_ = false;   // the working set is likely the last (inner target: tol)
  bool blend_ = false;      // Anderson moves the scheme's state by saved states
  double inner_factor_ = 0.1;
  static constexpr double kCelerFactor = 0.3;  // inner target / outer gap, slow solves
  bool stop_ = false;
  bool started_ = false;     // curvatures computed (first run)
  bool u_on_alive_ = false;  // every u_ known or bounded (the last run converged)
  bool set_known_ = false;   // u_ on ws_ is the gradient at w_ (run(), outer_gap())
  double strong_l1_ = -1;    // 2 l1_k - l1_{k-1} for the first working set; < 0: off
};

}  // namespace detail

/// Runs a solver (CdSolver, logistic.hpp's LogisticSolver: run(pen, prev_l1) from its
/// current coefficients `state`, len values) along the penalties (l1s[k], l2s[k]), each
/// point warm-started from the last; copies state to coefs + k * len after point k.
/// Stops after an interrupted point; returns the number of points solved.
template <class Solver>
Index run_grid(Solver& solver, Penalty pen, const double* l1s, const double* l2s,
               Index size, const double* state, Index len, double* coefs,
               SolveResult* results) {
  for (Index k = 0; k < size; ++k) {
    pen.l1 = l1s[k];
    pen.l2 = l2s[k];
    results[k] = solver.run(pen, k > 0 ? l1s[k - 1] : -1);
    std::copy(state, state + len, coefs + k * len);
    if (results[k].status == Status::interrupted) return k + 1;
  }
  return size;
}

/// Solves along a path of penalties (api.hpp's Grid): problem k, warm-started from
/// solution k-1 (from w for k = 0), leaves its solution at coefs + k * p and its
/// result in results[k]; w ends at the last solution. One scheme, one set of
/// curvatures and (for covariance updates) one Gram cache serve the whole path, and a
/// converged solve's last gradient is the next one's first: a path point whose
/// strong-rule working set is right costs about one pass over X. Stops after an
/// interrupted point; returns the number of points solved.
template <class Scheme>
Index cd_path(Scheme& s, Penalty pen, const double* l1s, const double* l2s, Index size,
              const SolveParams& prm, double* w, double* coefs, SolveResult* results) {
  prm.validate();
  detail::CdSolver<Scheme> solver(s, prm, w);
  return run_grid(solver, pen, l1s, l2s, size, w, s.p(), coefs, results);
}

}  // namespace fastenet
