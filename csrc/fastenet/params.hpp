// params.hpp: plain parameters and results of one solve, validated in one place.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "fastenet/config.hpp"

namespace fastenet {

/// Returns nonzero when the solve should stop (Ctrl-C); called from the outer loop.
using InterruptHook = int (*)(void* ctx);

enum class Status : int { converged = 0, max_iter = 1, interrupted = 2 };

struct SolveParams {
  double tol = 1e-4;          // relative: stop when gap <= tol * ||y_c||^2_sw
  Index max_iter = 1000;      // coordinate-descent epochs over the working set, in all
  bool random = false;        // selection='random': coordinates drawn uniformly
  std::uint64_t seed = 0;     // RNG seed for random selection
  bool screening = true;      // gap-safe screening
  bool working_set = true;    // grow a working set instead of sweeping all features
  bool anderson = true;       // Anderson extrapolation of the inner iterates
  bool newton = true;         // sign-fixed Newton (CG) steps when the inner gap stalls
                              // (their CG products are not counted in n_iter)
  bool gradient_bounds = true;  // outer checks skip gradients bounded below the penalty
  bool set_gram = true;       // naive updates: working sets on their Gram (set_gram.hpp)
  bool float_steps = true;    // covariance updates: inner steps read float32 copies of
                              // large float64 Gram columns (covariance.hpp, cd.hpp)
  Index ws_min = 50;          // smallest working set
  Index anderson_k = 5;       // extrapolation memory; also the inner gap-check period
  bool early_checks = true;   // ... or fewer epochs, where the gap's rate predicts the
                              // target sooner (cd.hpp check_period), or where the steps
                              // turn small after the gap has met it (cd.hpp inner)
  bool small_steps = true;    // also wait for sklearn's small-step precondition (cd.hpp)
  double tol_first = 0;       // > 0: stop at min(tol * yy, tol_first * first gap) (cd.hpp)
  Index min_epochs = 0;       // epochs run before the gap may stop the solve
  bool keep_best = true;      // at max_iter, return the best-gap point, not the last
  bool inner_certifies = false;  // a working set of every alive feature ends the solve at
                                 // its inner gap, without an outer check (cd.hpp)
  InterruptHook interrupt = nullptr;
  void* interrupt_ctx = nullptr;

  void validate() const {
    if (!(tol >= 0)) throw std::invalid_argument("tol must be >= 0, got " + std::to_string(tol));
    if (max_iter < 0) throw std::invalid_argument("max_iter must be >= 0");
    if (ws_min < 1) throw std::invalid_argument("ws_min must be >= 1");
    if (anderson_k < 2) throw std::invalid_argument("anderson_k must be >= 2");
  }
};

struct SolveResult {
  double gap = 0;       // final duality gap, kernel scale (n times sklearn's)
  double tol_abs = 0;   // tol * ||y_c||^2_sw, what gap was compared with
  Index n_iter = 0;     // epochs run
  Index n_outer = 0;    // outer (full-gradient) checks
  Index n_grad = 0;     // gradients computed at them (columns read; p per full pass)
  Index n_gram_sets = 0;  // working sets solved on their Gram (set_gram.hpp)
  Status status = Status::converged;
};

}  // namespace fastenet
