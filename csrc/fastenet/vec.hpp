// vec.hpp: dense vector primitives on raw pointers (the only ISA-sensitive code).
//
//   dot(n, x, y)        = x @ y
//   wdot(n, w, x, y)    = x @ (w * y)
//   axpy(n, a, x, y)    : y += a * x
//   axpy_shift(n,a,x,c,y): y += a * (x - c)
// Sums accumulate in T (the hot loops are memory bound; a wider accumulator would halve
// the float32 vector width); callers that need an exact reduction use the *_d variants.
#pragma once

#include "fastenet/config.hpp"

namespace fastenet {

template <class T>
FASTENET_INLINE T dot(Index n, const T* FASTENET_RESTRICT x, const T* FASTENET_RESTRICT y) {
  T s = 0;
  FASTENET_SIMD_SUM(s)
  for (Index i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

template <class T>
FASTENET_INLINE T wdot(Index n, const T* FASTENET_RESTRICT w, const T* FASTENET_RESTRICT x,
                       const T* FASTENET_RESTRICT y) {
  T s = 0;
  FASTENET_SIMD_SUM(s)
  for (Index i = 0; i < n; ++i) s += w[i] * x[i] * y[i];
  return s;
}

template <class T>
FASTENET_INLINE void axpy(Index n, T a, const T* FASTENET_RESTRICT x, T* FASTENET_RESTRICT y) {
  FASTENET_SIMD
  for (Index i = 0; i < n; ++i) y[i] += a * x[i];
}

template <class T>
FASTENET_INLINE void axpy_shift(Index n, T a, const T* FASTENET_RESTRICT x, T c,
                                T* FASTENET_RESTRICT y) {
  FASTENET_SIMD
  for (Index i = 0; i < n; ++i) y[i] += a * (x[i] - c);
}

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
