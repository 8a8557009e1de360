// api.hpp: the boundary of the kernels, concrete (non-template) overloads only.
//
// Every entry point solves a path of elastic-net problems (cd.hpp, cd_path) from the warm
// start w (float64, p; left at the last solution), for float32 or float64 data:
//   enet_path_dense  X column-major (Fortran), n x p, leading dimension ld
//   enet_path_csc    X in CSC with int32 or int64 indices (sorted, no duplicates)
//   enet_path_gram   a Gram matrix G = X_c^T diag(sw) X_c and Xy = X_c^T (sw y_c) given
//                    whole (e.g. computed elsewhere); X itself is not needed.
// A single fit is a path of one point. The return value is the number of points solved
// (fewer than grid.size only when interrupted).
// Nothing here allocates more than O(n + p) besides the lazily computed Gram columns.
// Errors are thrown as std::invalid_argument; no Python headers.
#pragma once

#include <cstdint>

#include "fastenet/params.hpp"
#include "fastenet/penalty.hpp"

namespace fastenet {

/// How coordinate steps update the state (naive.hpp, covariance.hpp).
enum class UpdateScheme : int { naive = 0, covariance = 1, automatic = 2 };

/// The penalties along a path, kernel scale: problem k has l1[k], l2[k] (Penalty's own
/// l1, l2 are ignored). Sorted by decreasing l1 for warm starts to pay; not required.
struct Grid {
  const double* l1 = nullptr;
  const double* l2 = nullptr;
  Index size = 0;
};

/// Where a path's solutions go: coefs (p x grid.size, column k at coefs + k * p) and
/// results (grid.size).
struct PathOutput {
  double* coefs = nullptr;
  SolveResult* results = nullptr;
};

/// The sample side of a problem. y (n,), sw (n,) or null, x_mean (p,) or null (no
/// intercept); W = sum(sw) (n without weights); y_offset is subtracted from y.
/// means_out (p,), with x_mean null: centered with the weighted column means, which the
/// kernel computes into means_out (in the first pass of a naive-update solve from w = 0,
/// else in a pass of their own).
template <class T>
struct SampleData {
  const T* y = nullptr;
  double y_offset = 0;
  const T* sw = nullptr;
  const double* x_mean = nullptr;  // (in double for every T: naive.hpp's Design)
  double W = 0;
  double* means_out = nullptr;
};

/// The sample side of a classification problem (logistic.hpp): labels in
/// [0, n_classes), raw weights (sample weights times class weights) or null.
template <class T>
struct LabelData {
  const std::int32_t* label = nullptr;
  Index n_classes = 2;
  const T* sw = nullptr;
  bool intercept = true;
};

Index enet_path_dense(const float* X, Index n, Index p, Index ld, const SampleData<float>& sd,
                      const Penalty& pen, UpdateScheme scheme, const Grid& grid,
                    const SolveParams& prm, double* w, const PathOutput& out);
Index enet_path_dense(const double* X, Index n, Index p, Index ld,
                      const SampleData<double>& sd, const Penalty& pen, UpdateScheme scheme,
                      const Grid& grid, const SolveParams& prm, double* w,
                      const PathOutput& out);

Index enet_path_csc(const float* data, const std::int32_t* indices, const std::int32_t* indptr,
                    Index n, Index p, const SampleData<float>& sd, const Penalty& pen,
                    UpdateScheme scheme, const Grid& grid,
                    const SolveParams& prm, double* w, const PathOutput& out);
Index enet_path_csc(const double* data, const std::int32_t* indices,
                    const std::int32_t* indptr, Index n, Index p, const SampleData<double>& sd,
                    const Penalty& pen, UpdateScheme scheme, const Grid& grid,
                    const SolveParams& prm, double* w, const PathOutput& out);
Index enet_path_csc(const float* data, const std::int64_t* indices, const std::int64_t* indptr,
                    Index n, Index p, const SampleData<float>& sd, const Penalty& pen,
                    UpdateScheme scheme, const Grid& grid,
                    const SolveParams& prm, double* w, const PathOutput& out);
Index enet_path_csc(const double* data, const std::int64_t* indices,
                    const std::int64_t* indptr, Index n, Index p, const SampleData<double>& sd,
                    const Penalty& pen, UpdateScheme scheme, const Grid& grid,
                    const SolveParams& prm, double* w, const PathOutput& out);

/// G (p x p, column k at G + k * ld), xy (p,), yy = ||y_c||^2_sw.
Index enet_path_gram(const float* G, Index p, Index ld, const double* xy, double yy,
                     const Penalty& pen, const Grid& grid, const SolveParams& prm,
                     double* w, const PathOutput& out);
Index enet_path_gram(const double* G, Index p, Index ld, const double* xy, double yy,
                     const Penalty& pen, const Grid& grid, const SolveParams& prm,
                     double* w, const PathOutput& out);

/// Logistic regression along a path (logistic.hpp): B = 1 block for two classes, else
/// n_classes blocks; coef holds B blocks of p coefficients and an intercept (warm start
/// in, last solution out) and out.coefs receives B (p + 1) values per point.
Index logistic_path_dense(const float* X, Index n, Index p, Index ld,
                          const LabelData<float>& lab, const Penalty& pen, const Grid& grid,
                          const SolveParams& prm, double* coef, const PathOutput& out);
Index logistic_path_dense(const double* X, Index n, Index p, Index ld,
                          const LabelData<double>& lab, const Penalty& pen, const Grid& grid,
                          const SolveParams& prm, double* coef, const PathOutput& out);
Index logistic_path_csc(const float* data, const std::int32_t* indices,
                        const std::int32_t* indptr, Index n, Index p,
                        const LabelData<float>& lab, const Penalty& pen, const Grid& grid,
                        const SolveParams& prm, double* coef, const PathOutput& out);
Index logistic_path_csc(const double* data, const std::int32_t* indices,
                        const std::int32_t* indptr, Index n, Index p,
                        const LabelData<double>& lab, const Penalty& pen, const Grid& grid,
                        const SolveParams& prm, double* coef, const PathOutput& out);
Index logistic_path_csc(const float* data, const std::int64_t* indices,
                        const std::int64_t* indptr, Index n, Index p,
                        const LabelData<float>& lab, const Penalty& pen, const Grid& grid,
                        const SolveParams& prm, double* coef, const PathOutput& out);
Index logistic_path_csc(const double* data, const std::int64_t* indices,
                        const std::int64_t* indptr, Index n, Index p,
                        const LabelData<double>& lab, const Penalty& pen, const Grid& grid,
                        const SolveParams& prm, double* coef, const PathOutput& out);

/// The scheme `automatic` picks for an n x p design with the given total nonzeros.
UpdateScheme choose_scheme(Index n, Index p, double nnz, bool dense);

}  // namespace fastenet
