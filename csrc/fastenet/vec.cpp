// vec.cpp: the hot vector primitives of vec.hpp, one definition per value type.
//
// On x86-64 Linux with GCC each is cloned for AVX-512, AVX2 and the baseline, and the
// loader picks the widest the CPU has (ifunc): wheels stay portable while a dense
// coordinate step runs at full vector width. Elsewhere they compile once, for the
// baseline. Numerics: the reductions are reassociated (omp simd), never -ffast-math.
#include "fastenet/vec.hpp"

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define FASTENET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FASTENET_CLONES
#endif

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
FASTENET_INLINE void axpy_shift_impl(Index n, T a, const T* FASTENET_RESTRICT x, T c,
                                     T* FASTENET_RESTRICT y) {
  FASTENET_SIMD
  for (Index i = 0; i < n; ++i) y[i] += a * (x[i] - c);
}

}  // namespace

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
FASTENET_CLONES void axpy_shift(Index n, float a, const float* x, float c, float* y) {
  axpy_shift_impl(n, a, x, c, y);
}
FASTENET_CLONES void axpy_shift(Index n, double a, const double* x, double c, double* y) {
  axpy_shift_impl(n, a, x, c, y);
}

}  // namespace fastenet
