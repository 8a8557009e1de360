// columns.hpp: how a column of X is read, the policy the solver is templated on.
//
//   DenseColumns<T>     column-major (Fortran) X, column j at data + j * ld
//   CscColumns<T, I>    compressed sparse columns, I = int32_t or int64_t indices, each
//                       column's row indices distinct (canonical: the Python layer
//                       merges duplicates, also under check_input=False, _kernel.py
//                       make_design; scatter_axpy relies on it)
//   SubsetColumns<C>    columns idx[0..m) of another policy, renumbered 0..m-1 (a working
//                       set read in place, logistic.hpp)
// Both give the same operations on raw column j, uncentered:
//   dot(j, v)      = X[:, j] @ v
//   wdot(j, sw, v) = X[:, j] @ (sw * v)       (sw == nullptr: unweighted)
//   axpy(j, a, v)  : v += a * X[:, j]
//   wsq(j, sw)     = X[:, j]^2 @ sw           (double)
//   moments(j, sw, v, sq, sum)  wdot(j, sw, v), and sq = wsq(j, sw), sum = X[:, j] @ sw
//                  (double), in one read of the column
//   finite(j)      no NaN or infinite entry (the rare path after a non-finite wsq)
//   constant(j, sw)  every entry of the column equal on the rows of nonzero weight (all
//                  rows without weights; the rare path after a centered norm that
//                  cancelled, naive.hpp centered_sq)
// Centering is never applied here: the update schemes (naive.hpp, covariance.hpp) carry
// the column means, so X is neither copied nor densified.
#pragma once

#include <cmath>

#include "fastenet/config.hpp"
#include "fastenet/vec.hpp"

namespace fastenet {

template <class T>
struct DenseColumns {
  using value_type = T;
  static constexpr bool kDense = true;
  static constexpr bool kWeightedEntries = false;  // (WeightedSubset)
  const T* data;
  Index n_rows, n_cols, ld;

  Index n() const { return n_rows; }
  Index p() const { return n_cols; }
  const T* col(Index j) const { return data + j * ld; }
  Index nnz(Index) const { return n_rows; }

  T dot(Index j, const T* v) const { return fastenet::dot(n_rows, col(j), v); }
  T wdot(Index j, const T* sw, const T* v) const {
    return sw ? fastenet::wdot(n_rows, sw, col(j), v) : fastenet::dot(n_rows, col(j), v);
  }
  void axpy(Index j, T a, T* v) const { fastenet::axpy(n_rows, a, col(j), v); }
  // sum_i sw_i * X[i, j]^2, in double: a curvature must not lose the centering term.
  double wsq(Index j, const T* sw) const { return wdot_d(n_rows, sw, col(j), col(j)); }
  bool finite(Index j) const {
    for (Index i = 0; i < n_rows; ++i)
      if (!std::isfinite(col(j)[i])) return false;
    return true;
  }
  bool constant(Index j, const T* sw) const {
    const T* x = col(j);
    Index first = -1;
    for (Index i = 0; i < n_rows; ++i) {
      if (sw && sw[i] == 0) continue;
      if (first < 0) first = i;
      else if (x[i] != x[first]) return false;
    }
    return true;
  }
  T moments(Index j, const T* sw, const T* v, double& sq, double& sum) const {
    return fastenet::moments(n_rows, sw, col(j), v, &sq, &sum);
  }
};

template <class T, class I>
struct CscColumns {
  using value_type = T;
  static constexpr bool kDense = false;
  static constexpr bool kWeightedEntries = false;
  const T* data;
  const I* indices;
  const I* indptr;
  Index n_rows, n_cols;

  Index n() const { return n_rows; }
  Index p() const { return n_cols; }
  Index nnz(Index j) const { return Index(indptr[j + 1] - indptr[j]); }

  // The coordinate step's read of its column (vec.hpp, gather.cpp: vectorized where the
  // CPU allows).
  T dot(Index j, const T* v) const {
    return gather_dot(nnz(j), data + indptr[j], indices + indptr[j], v);
  }
  T wdot(Index j, const T* FASTENET_RESTRICT sw, const T* FASTENET_RESTRICT v) const {
    if (!sw) return dot(j, v);
    const Index lo = indptr[j], hi = indptr[j + 1];
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    Index k = lo;
    for (; k + 4 <= hi; k += 4) {
      const Index i0 = indices[k], i1 = indices[k + 1], i2 = indices[k + 2], i3 = indices[k + 3];
      s0 += data[k] * sw[i0] * v[i0];
      s1 += data[k + 1] * sw[i1] * v[i1];
      s2 += data[k + 2] * sw[i2] * v[i2];
      s3 += data[k + 3] * sw[i3] * v[i3];
    }
    for (; k < hi; ++k) s0 += data[k] * sw[indices[k]] * v[indices[k]];
    return (s0 + s1) + (s2 + s3);
  }
  void axpy(Index j, T a, T* v) const {
    fastenet::scatter_axpy(nnz(j), a, data + indptr[j], indices + indptr[j], v);
  }
  bool finite(Index j) const {
    for (Index k = indptr[j]; k < indptr[j + 1]; ++k)
      if (!std::isfinite(data[k])) return false;
    return true;
  }
  bool constant(Index j, const T* sw) const {  // (the rows not stored hold 0)
    Index stored = 0;  // stored rows of nonzero weight
    T v = 0;
    for (auto k = indptr[j]; k < indptr[j + 1]; ++k) {
      if (sw && sw[indices[k]] == 0) continue;
      if (stored++ == 0) v = data[k];
      else if (data[k] != v) return false;
    }
    if (v == T(0)) return true;
    // v != 0: constant only if no row of nonzero weight is left out (it would hold 0)
    Index weighted = n_rows;
    if (sw) {
      weighted = 0;
      for (Index i = 0; i < n_rows; ++i) weighted += sw[i] != 0;
    }
    return stored == weighted;
  }
  T moments(Index j, const T* FASTENET_RESTRICT sw, const T* FASTENET_RESTRICT v,
            double& sq, double& sum) const {
    const Index lo = indptr[j], hi = indptr[j + 1];
    if (!sw) return gather_moments(hi - lo, data + lo, indices + lo, v, &sq, &sum);
    T s = 0;
    double q = 0, m = 0;
    for (Index k = lo; k < hi; ++k) {
      const Index i = indices[k];
      const T wx = sw ? sw[i] * data[k] : data[k];
      s += wx * v[i];
      const double a = sw ? double(sw[i]) * double(data[k]) : double(data[k]);
      q += a * double(data[k]);
      m += a;
    }
    sq = q;
    sum = m;
    return s;
  }
  double wsq(Index j, const T* sw) const {
    double s = 0;
    const Index lo = indptr[j], hi = indptr[j + 1];
    for (Index k = lo; k < hi; ++k) {
      const double x = data[k];
      s += (sw ? double(sw[indices[k]]) : 1.0) * x * x;
    }
    return s;
  }
};

// Whether a policy is plain CscColumns, whose arrays (data, indices, indptr) a caller may
// read directly (set_gram.hpp, naive.hpp).
template <class Cols>
inline constexpr bool kCscColumns = false;
template <class T, class I>
inline constexpr bool kCscColumns<CscColumns<T, I>> = true;

template <class Cols>
struct SubsetColumns {
  using value_type = typename Cols::value_type;
  using T = value_type;
  static constexpr bool kDense = Cols::kDense;
  static constexpr bool kWeightedEntries = false;
  const Cols* base;
  const Index* idx;
  Index m;

  Index n() const { return base->n(); }
  Index p() const { return m; }
  const T* col(Index j) const { return base->col(idx[j]); }  // dense policies only
  Index nnz(Index j) const { return base->nnz(idx[j]); }
  T dot(Index j, const T* v) const { return base->dot(idx[j], v); }
  T wdot(Index j, const T* sw, const T* v) const { return base->wdot(idx[j], sw, v); }
  void axpy(Index j, T a, T* v) const { base->axpy(idx[j], a, v); }
  double wsq(Index j, const T* sw) const { return base->wsq(idx[j], sw); }
  bool finite(Index j) const { return base->finite(idx[j]); }
  bool constant(Index j, const T* sw) const { return base->constant(idx[j], sw); }
  T moments(Index j, const T* sw, const T* v, double& sq, double& sum) const {
    return base->moments(idx[j], sw, v, sq, sum);
  }
};

/// SubsetColumns of a CSC design (CscColumns) whose entries are also held multiplied by
/// one vector of row weights h (a logistic model's curvatures, logistic.hpp): the
/// products that carry the weights (wdot, wsq, moments with sw == h) then read one
/// array at each entry's row instead of two, h's and v's. hx holds column t's entries
/// times h at [start[t], start[t + 1]): a work buffer as large as the subset's entries,
/// filled by the caller (deliberately: on a 200,000-row one-hot design, the model's
/// weighted dot products were a third of the kernel's time, two gathers per entry).
template <class Cols>
struct WeightedSubset {
  using value_type = typename Cols::value_type;
  using T = value_type;
  static constexpr bool kDense = false;
  static constexpr bool kWeightedEntries = true;  // wdot with sw == h: one gather
  const Cols* base;
  const Index* idx;
  Index m;
  const T* h;  // the weights in hx; products with other weights read h's rows as usual
  const T* hx;
  const Index* start;

  Index n() const { return base->n(); }
  Index p() const { return m; }
  Index nnz(Index j) const { return base->nnz(idx[j]); }
  T dot(Index j, const T* v) const { return base->dot(idx[j], v); }
  T wdot(Index j, const T* sw, const T* v) const {
    if (sw != h) return base->wdot(idx[j], sw, v);
    return gather_dot(start[j + 1] - start[j], hx + start[j], rows(j), v);
  }
  void axpy(Index j, T a, T* v) const { base->axpy(idx[j], a, v); }
  double wsq(Index j, const T* sw) const {
    if (sw != h) return base->wsq(idx[j], sw);
    const T* x = vals(j);
    const T* hxj = hx + start[j];
    double s = 0;
    for (Index k = 0; k < start[j + 1] - start[j]; ++k) s += double(hxj[k]) * double(x[k]);
    return s;
  }
  bool finite(Index j) const { return base->finite(idx[j]); }
  bool constant(Index j, const T* sw) const { return base->constant(idx[j], sw); }
  T moments(Index j, const T* sw, const T* v, double& sq, double& sum) const {
    if (sw != h) return base->moments(idx[j], sw, v, sq, sum);
    const T* x = vals(j);
    const T* hxj = hx + start[j];
    const auto* ind = rows(j);
    T s = 0;
    double q = 0, mm = 0;
    for (Index k = 0; k < start[j + 1] - start[j]; ++k) {
      s += hxj[k] * v[ind[k]];
      q += double(hxj[k]) * double(x[k]);
      mm += double(hxj[k]);
    }
    sq = q;
    sum = mm;
    return s;
  }

 private:
  const auto* rows(Index j) const { return base->indices + base->indptr[idx[j]]; }
  const T* vals(Index j) const { return base->data + base->indptr[idx[j]]; }
};

}  // namespace fastenet
