// api.cpp: the one translation unit that instantiates the solver for every column
// policy x value type x index type (api.hpp).
#include "fastenet/api.hpp"

#include <stdexcept>
#include <string>

#include "fastenet/cd.hpp"
#include "fastenet/columns.hpp"
#include "fastenet/covariance.hpp"
#include "fastenet/naive.hpp"

namespace fastenet {

namespace {

void check_shape(Index n, Index p, const Penalty& pen) {
  if (n < 0 || p < 0) throw std::invalid_argument("negative dimensions");
  if (pen.p != p)
    throw std::invalid_argument("penalty has " + std::to_string(pen.p) +
                                " features, X has " + std::to_string(p));
  if (!(pen.l1 >= 0) || !(pen.l2 >= 0))
    throw std::invalid_argument("l1 and l2 must be >= 0");
  for (Index j = 0; j < p; ++j) {
    if (!(pen.pf_of(j) >= 0)) throw std::invalid_argument("penalty factors must be >= 0");
    if (!(pen.lo_of(j) <= 0) || !(pen.hi_of(j) >= 0))
      throw std::invalid_argument("bounds must satisfy lower <= 0 <= upper");
  }
}

template <class Cols>
SolveResult fit_design(const Cols& cols, const SampleData<typename Cols::value_type>& sd,
                       const Penalty& pen, const SolveParams& prm, UpdateScheme scheme,
                       double* w) {
  check_shape(cols.n(), cols.p(), pen);
  Design<Cols> d{cols, sd.y, sd.y_offset, sd.sw, sd.x_mean, sd.W};
  if (scheme == UpdateScheme::automatic) {
    double nnz = 0;
    for (Index j = 0; j < cols.p(); ++j) nnz += double(cols.nnz(j));
    scheme = choose_scheme(cols.n(), cols.p(), nnz, Cols::kDense);
  }
  if (scheme == UpdateScheme::covariance) {
    const std::vector<double> xy = design_xy(d);
    double yy, ysum;
    d.target_stats(yy, ysum);
    CovScheme<LazyGram<Cols>> s(LazyGram<Cols>(d), cols.p(), xy.data(), yy, w);
    return cd_solve(s, pen, prm, w);
  }
  NaiveScheme<Cols> s(d, w);
  return cd_solve(s, pen, prm, w);
}

template <class T, class I>
SolveResult fit_csc(const T* data, const I* indices, const I* indptr, Index n, Index p,
                    const SampleData<T>& sd, const Penalty& pen, const SolveParams& prm,
                    UpdateScheme scheme, double* w) {
  return fit_design(CscColumns<T, I>{data, indices, indptr, n, p}, sd, pen, prm, scheme, w);
}

template <class T>
SolveResult fit_gram(const T* G, Index p, Index ld, const double* xy, double yy,
                     const Penalty& pen, const SolveParams& prm, double* w) {
  check_shape(0, p, pen);
  CovScheme<GivenGram<T>> s(GivenGram<T>{G, p, ld}, p, xy, yy, w);
  return cd_solve(s, pen, prm, w);
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

SolveResult enet_fit_dense(const float* X, Index n, Index p, Index ld,
                           const SampleData<float>& sd, const Penalty& pen,
                           const SolveParams& prm, UpdateScheme scheme, double* w) {
  return fit_design(DenseColumns<float>{X, n, p, ld}, sd, pen, prm, scheme, w);
}
SolveResult enet_fit_dense(const double* X, Index n, Index p, Index ld,
                           const SampleData<double>& sd, const Penalty& pen,
                           const SolveParams& prm, UpdateScheme scheme, double* w) {
  return fit_design(DenseColumns<double>{X, n, p, ld}, sd, pen, prm, scheme, w);
}
SolveResult enet_fit_csc(const float* data, const std::int32_t* indices,
                         const std::int32_t* indptr, Index n, Index p,
                         const SampleData<float>& sd, const Penalty& pen,
                         const SolveParams& prm, UpdateScheme scheme, double* w) {
  return fit_csc(data, indices, indptr, n, p, sd, pen, prm, scheme, w);
}
SolveResult enet_fit_csc(const double* data, const std::int32_t* indices,
                         const std::int32_t* indptr, Index n, Index p,
                         const SampleData<double>& sd, const Penalty& pen,
                         const SolveParams& prm, UpdateScheme scheme, double* w) {
  return fit_csc(data, indices, indptr, n, p, sd, pen, prm, scheme, w);
}
SolveResult enet_fit_csc(const float* data, const std::int64_t* indices,
                         const std::int64_t* indptr, Index n, Index p,
                         const SampleData<float>& sd, const Penalty& pen,
                         const SolveParams& prm, UpdateScheme scheme, double* w) {
  return fit_csc(data, indices, indptr, n, p, sd, pen, prm, scheme, w);
}
SolveResult enet_fit_csc(const double* data, const std::int64_t* indices,
                         const std::int64_t* indptr, Index n, Index p,
                         const SampleData<double>& sd, const Penalty& pen,
                         const SolveParams& prm, UpdateScheme scheme, double* w) {
  return fit_csc(data, indices, indptr, n, p, sd, pen, prm, scheme, w);
}
SolveResult enet_fit_gram(const float* G, Index p, Index ld, const double* xy, double yy,
                          const Penalty& pen, const SolveParams& prm, double* w) {
  return fit_gram(G, p, ld, xy, yy, pen, prm, w);
}
SolveResult enet_fit_gram(const double* G, Index p, Index ld, const double* xy, double yy,
                          const Penalty& pen, const SolveParams& prm, double* w) {
  return fit_gram(G, p, ld, xy, yy, pen, prm, w);
}

}  // namespace fastenet
