// vec.cpp: the hot vector primitives of vec.hpp, one definition per value type.
//
// On x86-64 Linux with GCC each is cloned for AVX-512, AVX2 and the baseline, and the
// loader picks the widest the CPU has (ifunc): wheels stay portable while a dense
// coordinate step runs at full vector width. Elsewhere they compile once, for the
// baseline. Numerics: the reductions are reassociated (omp simd), never -ffast-math.
#include <type_traits>

#include "fastenet/vec.hpp"

namespace fastenet {

namespace {

template <class T>
FASTENET_INLINE T dot_impl(Index n, const T* FASTENET_RESTRICT x, const T* FASTENET_RESTRICT y) {
  T s = 0;
  FASTENET_SIMD_SUM(s)
  for (Index i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

template <class T>
FASTENET_INLINE T wdot_impl(Index n, const T* FASTENET_RESTRICT w, const T* FASTENET_RESTRICT x,
                            const T* FASTENET_RESTRICT y) {
  T s = 0;
  FASTENET_SIMD_SUM(s)
  for (Index i = 0; i < n; ++i) s += w[i] * x[i] * y[i];
  return s;
}

template <class T>
FASTENET_INLINE void axpy_impl(Index n, T a, const T* FASTENET_RESTRICT x,
                               T* FASTENET_RESTRICT y) {
  FASTENET_SIMD
  for (Index i = 0; i < n; ++i) y[i] += a * x[i];
}

template <class T>
FASTENET_INLINE void axpy_shift_impl(Index n, T a, const T* FASTENET_RESTRICT x, double c,
                                     T* FASTENET_RESTRICT y) {
  // (vec.hpp's Shift; in double lo is 0, and the loop the one it always was)
  if constexpr (std::is_same_v<T, double>) {
    FASTENET_SIMD
    for (Index i = 0; i < n; ++i) y[i] += a * (x[i] - c);
  } else {
    const Shift<T> s(c);
    FASTENET_SIMD
    for (Index i = 0; i < n; ++i) y[i] += a * s.from(x[i]);
  }
}

// One read of a column for the first pass of a solve (naive.hpp): x @ (w * v) in T, and
// in double sum w x^2 and sum w x (w null: all ones). Each of the three sums runs as two
// chains, over the two halves of the column: with one vector chain per sum the pass was
// bound by the latency of the adds and took two X^T v's time (now about 1.3).
template <class T>
FASTENET_INLINE T moments_impl(Index n, const T* FASTENET_RESTRICT w,
                               const T* FASTENET_RESTRICT x, const T* FASTENET_RESTRICT v,
                               double* sq, double* sum) {
  const Index h = n / 2;
  const T* FASTENET_RESTRICT x1 = x + h;
  const T* FASTENET_RESTRICT v1 = v + h;
  T s0 = 0, s1 = 0;
  double q0 = 0, q1 = 0, m0 = 0, m1 = 0;
  if (w) {
    const T* FASTENET_RESTRICT w1 = w + h;
    FASTENET_PRAGMA(omp simd reduction(+ : s0, s1, q0, q1, m0, m1))
    for (Index i = 0; i < h; ++i) {
      const double a = double(w[i]) * double(x[i]), b = double(w1[i]) * double(x1[i]);
      s0 += w[i] * x[i] * v[i];
      s1 += w1[i] * x1[i] * v1[i];
      q0 += a * double(x[i]);
      q1 += b * double(x1[i]);
      m0 += a;
      m1 += b;
    }
  } else {
    FASTENET_PRAGMA(omp simd reduction(+ : s0, s1, q0, q1, m0, m1))
    for (Index i = 0; i < h; ++i) {
      const double a = double(x[i]), b = double(x1[i]);
      s0 += x[i] * v[i];
      s1 += x1[i] * v1[i];
      q0 += a * a;
      q1 += b * b;
      m0 += a;
      m1 += b;
    }
  }
  for (Index i = 2 * h; i < n; ++i) {  // the odd row left over
    const double wi = w ? double(w[i]) : 1.0, a = wi * double(x[i]);
    s0 += (w ? w[i] : T(1)) * x[i] * v[i];
    q0 += a * double(x[i]);
    m0 += a;
  }
  *sq = q0 + q1;
  *sum = m0 + m1;
  return s0 + s1;
}

}  // namespace

FASTENET_CLONES float moments(Index n, const float* w, const float* x, const float* v,
                              double* sq, double* sum) {
  return moments_impl(n, w, x, v, sq, sum);
}
FASTENET_CLONES double moments(Index n, const double* w, const double* x, const double* v,
                               double* sq, double* sum) {
  return moments_impl(n, w, x, v, sq, sum);
}
FASTENET_CLONES double wdot_wide(Index n, const float* w, const float* x, const float* v) {
  double s = 0;
  if (w == nullptr) {
    FASTENET_SIMD_SUM(s)
    for (Index i = 0; i < n; ++i) s += double(x[i]) * double(v[i]);
  } else {
    FASTENET_SIMD_SUM(s)
    for (Index i = 0; i < n; ++i) s += double(x[i]) * double(w[i] * v[i]);
  }
  return s;
}
FASTENET_CLONES float dot(Index n, const float* x, const float* y) { return dot_impl(n, x, y); }
FASTENET_CLONES double dot(Index n, const double* x, const double* y) { return dot_impl(n, x, y); }
FASTENET_CLONES float wdot(Index n, const float* w, const float* x, const float* y) {
  return wdot_impl(n, w, x, y);
}
FASTENET_CLONES double wdot(Index n, const double* w, const double* x, const double* y) {
  return wdot_impl(n, w, x, y);
}
FASTENET_CLONES void axpy(Index n, float a, const float* x, float* y) { axpy_impl(n, a, x, y); }
FASTENET_CLONES void axpy(Index n, double a, const double* x, double* y) { axpy_impl(n, a, x, y); }
FASTENET_CLONES void axpy_shift(Index n, float a, const float* x, double c, float* y) {
  axpy_shift_impl(n, a, x, c, y);
}
FASTENET_CLONES void axpy_shift(Index n, double a, const double* x, double c, double* y) {
  axpy_shift_impl(n, a, x, c, y);
}

}  // namespace fastenet
