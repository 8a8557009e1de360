// vec.hpp: vector primitives on raw pointers, dense (vec.cpp; centered_cross in
// cross.cpp) and sparse (gather.cpp): the only ISA-sensitive code.
//
//   dot(n, x, y)        = x @ y
//   wdot(n, w, x, y)    = x @ (w * y)
//   axpy(n, a, x, y)    : y += a * x
//   axpy_shift(n,a,x,c,y): y += a * (x - c)
//   moments(n, w, x, v, &sq, &sum) = x @ (w * v); sq = sum w x^2, sum = sum w x (double;
//                       w null: ones): a solve's first pass, one read of the column
//   centered_cross(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds)
//                       out[a + b*ldo] = (A[a] - ca[a]) @ (w * (B[b] - cb[b])) for a < na,
//                       b < nb, in double: a block of a centered Gram (set_gram.hpp);
//                       self non-null: also A's own, self[a + c*lds] for a, c < na
//                       (symmetric: about half the work), from the same read of A
// Sums accumulate in T (the hot loops are memory bound; a wider accumulator would halve
// the float32 vector width); callers that need an exact reduction use the *_d variants,
// which stay inline templates (they run once per gap, not per coordinate).
#pragma once

#include "fastenet/config.hpp"

namespace fastenet {

// The hot primitives, compiled once per instruction set (vec.cpp) and picked at load
// time on x86-64 Linux: measured 1.75x on dense fits (AVX-512 vs the SSE2 baseline).
float dot(Index n, const float* x, const float* y);
double dot(Index n, const double* x, const double* y);
float wdot(Index n, const float* w, const float* x, const float* y);
double wdot(Index n, const double* w, const double* x, const double* y);
void axpy(Index n, float a, const float* x, float* y);
void axpy(Index n, double a, const double* x, double* y);
// A double c as hi + lo in T (lo = 0 for double): (x - hi) - lo is x - c as accurately
// as a centered value in T can be (x - hi is exact where x is near c), where x - T(c)
// carried the rounding of c, about 6e-8 c in float32: under a mean of 1e4 and unit
// spread, 1e-3 of each centered value, the same sign in every row.
template <class T>
struct Shift {
  T hi, lo;
  explicit Shift(double c) : hi(T(c)), lo(T(c - double(T(c)))) {}
  T from(T x) const { return (x - hi) - lo; }
};

// wdot_wide(n, w, x, v) = x @ (w * v) summed in double (w null: ones): a float32 column
// whose mean is large against its spread (NaiveScheme::wide_) sums terms of size mean
// that cancel to one of size spread, and a float32 sum keeps eps32 * mean / spread of
// it; in double the rounding is that of the data.
double wdot_wide(Index n, const float* w, const float* x, const float* v);
void axpy_shift(Index n, float a, const float* x, double c, float* y);
void axpy_shift(Index n, double a, const double* x, double c, double* y);
float moments(Index n, const float* w, const float* x, const float* v, double* sq,
              double* sum);
double moments(Index n, const double* w, const double* x, const double* v, double* sq,
               double* sum);
void centered_cross(Index n, const float* w, const float* const* A, const double* ca,
                    Index na, const float* const* B, const double* cb, Index nb,
                    double* out, Index ldo, double* self, Index lds);
void centered_cross(Index n, const double* w, const double* const* A, const double* ca,
                    Index na, const double* const* B, const double* cb, Index nb,
                    double* out, Index ldo, double* self, Index lds);

// Sparse (CSC) column primitives (gather.cpp: AVX-512 gathers and scatters where the CPU
// has them): a column's len entries a[k] at the distinct rows ind[k].
//   gather_dot(len, a, ind, v)      = sum_k a[k] v[ind[k]]
//   scatter_axpy(len, s, a, ind, v) : v[ind[k]] += s a[k]   (the rows must be distinct)
//   gather_moments(len, a, ind, v, &sq, &sum) = gather_dot(len, a, ind, v), and in
//                                     double sq = sum_k a[k]^2, sum = sum_k a[k]
//   gather_scale(len, a, ind, v, out, &sum, &sq): out[k] = a[k] v[ind[k]], and in
//                                     double sum = sum_k out[k], sq = sum_k out[k] a[k]
float gather_dot(Index len, const float* a, const std::int32_t* ind, const float* v);
float gather_dot(Index len, const float* a, const std::int64_t* ind, const float* v);
double gather_dot(Index len, const double* a, const std::int32_t* ind, const double* v);
double gather_dot(Index len, const double* a, const std::int64_t* ind, const double* v);
void scatter_axpy(Index len, float s, const float* a, const std::int32_t* ind, float* v);
void scatter_axpy(Index len, float s, const float* a, const std::int64_t* ind, float* v);
void scatter_axpy(Index len, double s, const double* a, const std::int32_t* ind, double* v);
void scatter_axpy(Index len, double s, const double* a, const std::int64_t* ind, double* v);
float gather_moments(Index len, const float* a, const std::int32_t* ind, const float* v,
                     double* sq, double* sum);
float gather_moments(Index len, const float* a, const std::int64_t* ind, const float* v,
                     double* sq, double* sum);
double gather_moments(Index len, const double* a, const std::int32_t* ind, const double* v,
                      double* sq, double* sum);
double gather_moments(Index len, const double* a, const std::int64_t* ind, const double* v,
                      double* sq, double* sum);
void gather_scale(Index len, const float* a, const std::int32_t* ind, const float* v,
                  float* out, double* sum, double* sq);
void gather_scale(Index len, const float* a, const std::int64_t* ind, const float* v,
                  float* out, double* sum, double* sq);
void gather_scale(Index len, const double* a, const std::int32_t* ind, const double* v,
                  double* out, double* sum, double* sq);
void gather_scale(Index len, const double* a, const std::int64_t* ind, const double* v,
                  double* out, double* sum, double* sq);

// Reductions for certificates: accumulated in double (a gap must not be rounded away).
template <class T>
inline double dot_d(Index n, const T* x, const T* y) {
  double s = 0;
  FASTENET_SIMD_SUM(s)
  for (Index i = 0; i < n; ++i) s += double(x[i]) * double(y[i]);
  return s;
}

template <class T>
inline double wdot_d(Index n, const T* w, const T* x, const T* y) {
  if (w == nullptr) return dot_d(n, x, y);
  double s = 0;
  FASTENET_SIMD_SUM(s)
  for (Index i = 0; i < n; ++i) s += double(w[i]) * double(x[i]) * double(y[i]);
  return s;
}

template <class T>
inline double wsum_d(Index n, const T* w, const T* x) {
  double s = 0;
  if (w == nullptr) {
    FASTENET_SIMD_SUM(s)
    for (Index i = 0; i < n; ++i) s += double(x[i]);
  } else {
    FASTENET_SIMD_SUM(s)
    for (Index i = 0; i < n; ++i) s += double(w[i]) * double(x[i]);
  }
  return s;
}

}  // namespace fastenet
