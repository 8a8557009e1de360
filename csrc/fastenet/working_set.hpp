// working_set.hpp: which features the inner solver sweeps.
//
// Features with w_j != 0 or an unpenalized coefficient always belong (score -inf); the
// rest are ranked by their dual-constraint distance (screening.hpp) and the closest join
// until the set holds max(ws_min, 2 * nnz, n_forced, 2 * previous size) features: skglm's
// rule plus celer's doubling, so a path of entering features costs O(log p) outer passes. Violated constraints have
// negative distance, so every KKT violator outranks every satisfied feature.
// Reference: Massias, Gramfort, Salmon (2018), "Celer", Algorithm 2.
#pragma once

#include <algorithm>
#include <limits>
#include <vector>

#include "fastenet/config.hpp"

namespace fastenet {

/// Picks the working set among `alive` features by `score` (lower = more urgent).
/// ws receives the chosen indices in increasing order. O(p).
inline void grow_working_set(const std::vector<Index>& alive, const std::vector<double>& score,
                             Index nnz, Index n_forced, Index ws_min, std::vector<Index>& ws) {
  const Index n_alive = Index(alive.size());
  const Index size = std::min(n_alive, std::max({ws_min, 2 * nnz, n_forced, 2 * Index(ws.size())}));
  ws = alive;
  if (size < n_alive) {
    std::nth_element(ws.begin(), ws.begin() + (size - 1), ws.end(),
                     [&](Index a, Index b) { return score[a] < score[b]; });
    ws.resize(size);
  }
  std::sort(ws.begin(), ws.end());
}

}  // namespace fastenet
