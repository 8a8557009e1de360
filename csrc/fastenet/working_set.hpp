// working_set.hpp: which features the inner solver sweeps.
//
// Features with w_j != 0 or an unpenalized coefficient always belong (score -inf); the
// rest are ranked by a score (screening.hpp for the linear solver's) and the lowest join
// until the set holds max(ws_min, 2 * nnz, n_forced, factor * previous size) features:
// skglm's rule plus celer's doubling (factor 2; the linear solver grows 4x, the logistic
// one straight to its cap), so a path of entering features costs O(log p) outer passes.
// The lowest-scored candidates are the KKT violators, so they join first; a cap (the
// solvers pass about the forced features plus the violators) stops the growth past what
// can enter.
// Reference: Massias, Gramfort, Salmon (2018), "Celer", Algorithm 2.
#pragma once

#include <algorithm>
#include <array>
#include <vector>

#include "fastenet/config.hpp"

namespace fastenet {

/// A feature outside the model and its working-set score (screening.hpp).
struct Candidate {
  double score;
  Index j;
  // (left uninitialized by a resize: the sweeps that fill cand_ write cand_[0, nc) and
  // resize it to nc before anything reads it)
  Candidate() {}  // NOLINT
  Candidate(double s, Index k) : score(s), j(k) {}
};

/// Moves the `take` candidates of lowest score (ties in any order) to cand[0, take),
/// 0 < take < |cand|. A full nth_element over 100,000 candidates cost about half a pass
/// over a sparse X per outer iteration, for sets of a few hundred: when the set is a
/// small part of the candidates, a threshold from an even sample of the scores (the
/// sample quantile at twice the fraction wanted, plus 16 of 1,024 for slack) filters
/// them first, in one sweep, and nth_element runs on what passes; should too few pass,
/// on all of them.
inline void select_lowest(std::vector<Candidate>& cand, Index take) {
  const Index n = Index(cand.size());
  constexpr Index kSample = 1024;
  auto end = cand.end();
  if (n >= 16 * kSample && take <= n / 16) {
    std::array<double, kSample> sample;
    for (Index t = 0; t < kSample; ++t) sample[t] = cand[t * (n / kSample)].score;
    const Index q = 2 * take * kSample / n + 16;  // <= 2 * 1024 / 16 + 16
    std::nth_element(sample.begin(), sample.begin() + q, sample.end());
    const double threshold = sample[q];
    const auto below = [threshold](const Candidate& c) { return c.score <= threshold; };
    const auto kept = std::partition(cand.begin(), cand.end(), below);
    if (kept - cand.begin() >= take) end = kept;
  }
  const auto by_score = [](const Candidate& a, const Candidate& b) { return a.score < b.score; };
  std::nth_element(cand.begin(), cand.begin() + (take - 1), end, by_score);
}

/// ws = `forced` plus the candidates of lowest score, max(ws_min, 2 * nnz, |forced|,
/// factor * previous |ws|) features in all (fewer if there are not that many), in
/// increasing index order. Reorders `cand`. O(|forced| + |cand|), on contiguous
/// (score, j) pairs. A cap >= 0 bounds the growth: the set holds at most max(cap,
/// ws_min, 2 * nnz, |forced|) features; factor 0 grows straight to the cap.
inline void grow_working_set(const std::vector<Index>& forced, std::vector<Candidate>& cand,
                             Index nnz, Index ws_min, std::vector<Index>& ws,
                             Index cap = -1, Index factor = 2) {
  const Index n_forced = Index(forced.size()), n_cand = Index(cand.size());
  Index grown = factor > 0 ? factor * Index(ws.size()) : n_forced + n_cand;
  if (cap >= 0) grown = std::min(grown, cap);
  const Index size = std::min(n_forced + n_cand, std::max({ws_min, 2 * nnz, n_forced, grown}));
  const Index take = size - n_forced;
  if (take > 0 && take < n_cand) select_lowest(cand, take);
  ws = forced;
  for (Index t = 0; t < take; ++t) ws.push_back(cand[t].j);
  std::sort(ws.begin(), ws.end());
}

}  // namespace fastenet
