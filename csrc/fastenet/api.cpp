// api.cpp: the one translation unit that instantiates the solver for every column
// policy x value type x index type (api.hpp).
#include "fastenet/api.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "fastenet/cd.hpp"
#include "fastenet/columns.hpp"
#include "fastenet/covariance.hpp"
#include "fastenet/logistic.hpp"
#include "fastenet/naive.hpp"

namespace fastenet {

namespace {

void check_problem(Index n, Index p, const Penalty& pen, const Grid& grid) {
  if (n < 0 || p < 0) throw std::invalid_argument("negative dimensions");
  if (grid.size < 0) throw std::invalid_argument("negative path length");
  for (Index k = 0; k < grid.size; ++k)
    if (!(grid.l1[k] >= 0) || !(grid.l2[k] >= 0))
      throw std::invalid_argument("l1 and l2 must be >= 0");
  if (pen.p != p)
    throw std::invalid_argument("penalty has " + std::to_string(pen.p) +
                                " features, X has " + std::to_string(p));
  if (!pen.pf && !pen.lo && !pen.hi) return;  // (no sweep of p defaults per solve)
  for (Index j = 0; j < p; ++j) {
    if (!(pen.pf_of(j) >= 0)) throw std::invalid_argument("penalty factors must be >= 0");
    if (!(pen.lo_of(j) <= 0) || !(pen.hi_of(j) >= 0))
      throw std::invalid_argument("bounds must satisfy lower <= 0 <= upper");
  }
}

template <class Scheme>
Index run_path(Scheme& s, const Penalty& pen, const Grid& grid, const SolveParams& prm,
               double* w, const PathOutput& out) {
  return cd_path(s, pen, grid.l1, grid.l2, grid.size, prm, w, out.coefs, out.results);
}

template <class Cols>
Index path_design(const Cols& cols, const SampleData<typename Cols::value_type>& sd,
                  const Penalty& pen, UpdateScheme scheme, const Grid& grid,
                  const SolveParams& prm, double* w, const PathOutput& out) {
  check_problem(cols.n(), cols.p(), pen, grid);
  Design<Cols> d{cols, sd.y, sd.y_offset, sd.sw, sd.x_mean, sd.W};
  if (scheme == UpdateScheme::automatic) {
    double nnz = 0;
    for (Index j = 0; j < cols.p(); ++j) nnz += double(cols.nnz(j));
    scheme = choose_scheme(cols.n(), cols.p(), nnz, Cols::kDense);
  }
  if (sd.means_out) {
    if (sd.x_mean) throw std::invalid_argument("x_mean and means_out are exclusive");
    d.x_mean = sd.means_out;
    const bool from_zero = std::all_of(w, w + cols.p(), [](double v) { return v == 0; });
    if (scheme == UpdateScheme::naive && from_zero && grid.size > 0)
      d.means_out = sd.means_out;  // the solver's first pass computes them
    else
      d.compute_means(sd.means_out);
  }
  if (scheme == UpdateScheme::covariance) {
    const std::vector<double> xy = design_xy(d);
    double yy, ysum;
    d.target_stats(yy, ysum);
    CovScheme<LazyGram<Cols>> s(LazyGram<Cols>(d), cols.p(), xy.data(), yy, w);
    return run_path(s, pen, grid, prm, w, out);
  }
  NaiveScheme<Cols> s(d, w, prm.set_gram, grid.size);
  return run_path(s, pen, grid, prm, w, out);
}

template <class T, class I>
Index path_csc(const T* data, const I* indices, const I* indptr, Index n, Index p,
               const SampleData<T>& sd, const Penalty& pen, UpdateScheme scheme,
               const Grid& grid, const SolveParams& prm, double* w, const PathOutput& out) {
  return path_design(CscColumns<T, I>{data, indices, indptr, n, p}, sd, pen, scheme, grid,
                     prm, w, out);
}

template <class T>
Index path_gram(const T* G, Index p, Index ld, const double* xy, double yy,
                const Penalty& pen, const Grid& grid, const SolveParams& prm, double* w,
                const PathOutput& out) {
  check_problem(0, p, pen, grid);
  CovScheme<GivenGram<T>> s(GivenGram<T>{G, p, ld}, p, xy, yy, w);
  return run_path(s, pen, grid, prm, w, out);
}

template <class Cols>
Index path_logistic(const Cols& cols, const LabelData<typename Cols::value_type>& lab,
                    const Penalty& pen, const Grid& grid, const SolveParams& prm,
                    double* coef, const PathOutput& out) {
  check_problem(cols.n(), cols.p(), pen, grid);
  return logistic_path(cols, lab, pen, grid.l1, grid.l2, grid.size, prm, coef, out.coefs,
                       out.results);
}

}  // namespace

UpdateScheme choose_scheme(Index n, Index p, double nnz, bool dense) {
  // Covariance updates pay one pass over X per entering feature (Gram columns are
  // computed one at a time, without BLAS): measured on a 50,000 x 500 dense design that
  // costs ~80 passes against ~15 for naive updates inside working sets. Until Gram blocks
  // are computed in batches, naive updates win everywhere; precompute=True still forces
  // covariance updates.
  return UpdateScheme::naive;
}

Index enet_path_dense(const float* X, Index n, Index p, Index ld, const SampleData<float>& sd,
                      const Penalty& pen, UpdateScheme scheme, const Grid& grid,
                      const SolveParams& prm, double* w, const PathOutput& out) {
  return path_design(DenseColumns<float>{X, n, p, ld}, sd, pen, scheme, grid, prm, w, out);
}
Index enet_path_dense(const double* X, Index n, Index p, Index ld,
                      const SampleData<double>& sd, const Penalty& pen, UpdateScheme scheme,
                      const Grid& grid, const SolveParams& prm, double* w,
                      const PathOutput& out) {
  return path_design(DenseColumns<double>{X, n, p, ld}, sd, pen, scheme, grid, prm, w, out);
}
Index enet_path_csc(const float* data, const std::int32_t* indices, const std::int32_t* indptr,
                    Index n, Index p, const SampleData<float>& sd, const Penalty& pen,
                    UpdateScheme scheme, const Grid& grid, const SolveParams& prm, double* w,
                    const PathOutput& out) {
  return path_csc(data, indices, indptr, n, p, sd, pen, scheme, grid, prm, w, out);
}
Index enet_path_csc(const double* data, const std::int32_t* indices,
                    const std::int32_t* indptr, Index n, Index p, const SampleData<double>& sd,
                    const Penalty& pen, UpdateScheme scheme, const Grid& grid,
                    const SolveParams& prm, double* w, const PathOutput& out) {
  return path_csc(data, indices, indptr, n, p, sd, pen, scheme, grid, prm, w, out);
}
Index enet_path_csc(const float* data, const std::int64_t* indices, const std::int64_t* indptr,
                    Index n, Index p, const SampleData<float>& sd, const Penalty& pen,
                    UpdateScheme scheme, const Grid& grid, const SolveParams& prm, double* w,
                    const PathOutput& out) {
  return path_csc(data, indices, indptr, n, p, sd, pen, scheme, grid, prm, w, out);
}
Index enet_path_csc(const double* data, const std::int64_t* indices,
                    const std::int64_t* indptr, Index n, Index p, const SampleData<double>& sd,
                    const Penalty& pen, UpdateScheme scheme, const Grid& grid,
                    const SolveParams& prm, double* w, const PathOutput& out) {
  return path_csc(data, indices, indptr, n, p, sd, pen, scheme, grid, prm, w, out);
}
Index enet_path_gram(const float* G, Index p, Index ld, const double* xy, double yy,
                     const Penalty& pen, const Grid& grid, const SolveParams& prm, double* w,
                     const PathOutput& out) {
  return path_gram(G, p, ld, xy, yy, pen, grid, prm, w, out);
}
Index enet_path_gram(const double* G, Index p, Index ld, const double* xy, double yy,
                     const Penalty& pen, const Grid& grid, const SolveParams& prm, double* w,
                     const PathOutput& out) {
  return path_gram(G, p, ld, xy, yy, pen, grid, prm, w, out);
}

Index logistic_path_dense(const float* X, Index n, Index p, Index ld,
                          const LabelData<float>& lab, const Penalty& pen, const Grid& grid,
                          const SolveParams& prm, double* coef, const PathOutput& out) {
  return path_logistic(DenseColumns<float>{X, n, p, ld}, lab, pen, grid, prm, coef, out);
}
Index logistic_path_dense(const double* X, Index n, Index p, Index ld,
                          const LabelData<double>& lab, const Penalty& pen, const Grid& grid,
                          const SolveParams& prm, double* coef, const PathOutput& out) {
  return path_logistic(DenseColumns<double>{X, n, p, ld}, lab, pen, grid, prm, coef, out);
}
Index logistic_path_csc(const float* data, const std::int32_t* indices,
                        const std::int32_t* indptr, Index n, Index p,
                        const LabelData<float>& lab, const Penalty& pen, const Grid& grid,
                        const SolveParams& prm, double* coef, const PathOutput& out) {
  return path_logistic(CscColumns<float, std::int32_t>{data, indices, indptr, n, p}, lab, pen,
                       grid, prm, coef, out);
}
Index logistic_path_csc(const double* data, const std::int32_t* indices,
                        const std::int32_t* indptr, Index n, Index p,
                        const LabelData<double>& lab, const Penalty& pen, const Grid& grid,
                        const SolveParams& prm, double* coef, const PathOutput& out) {
  return path_logistic(CscColumns<double, std::int32_t>{data, indices, indptr, n, p}, lab,
                       pen, grid, prm, coef, out);
}
Index logistic_path_csc(const float* data, const std::int64_t* indices,
                        const std::int64_t* indptr, Index n, Index p,
                        const LabelData<float>& lab, const Penalty& pen, const Grid& grid,
                        const SolveParams& prm, double* coef, const PathOutput& out) {
  return path_logistic(CscColumns<float, std::int64_t>{data, indices, indptr, n, p}, lab, pen,
                       grid, prm, coef, out);
}
Index logistic_path_csc(const double* data, const std::int64_t* indices,
                        const std::int64_t* indptr, Index n, Index p,
                        const LabelData<double>& lab, const Penalty& pen, const Grid& grid,
                        const SolveParams& prm, double* coef, const PathOutput& out) {
  return path_logistic(CscColumns<double, std::int64_t>{data, indices, indptr, n, p}, lab,
                       pen, grid, prm, coef, out);
}

}  // namespace fastenet
