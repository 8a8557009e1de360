// vec.cpp: the hot vector primitives of vec.hpp, one definition per value type.
//
// On x86-64 Linux with GCC each is cloned for AVX-512, AVX2 and the baseline, and the
// loader picks the widest the CPU has (ifunc): wheels stay portable while a dense
// coordinate step runs at full vector width. Elsewhere they compile once, for the
// baseline. Numerics: the reductions are reassociated (omp simd), never -ffast-math.
#include "fastenet/vec.hpp"

#include <algorithm>
#include <vector>

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

// A 4 x 4 tile of centered_cross on packed columns (a[p * ld + i], b[q * ld + i], i < n,
// centered and weighted by the packing): 16 dot products from 8 column reads, the sums
// in 16 registers, so the loop runs at the rate of its multiply-adds.
FASTENET_INLINE void cross_tile(Index n, const double* FASTENET_RESTRICT a,
                                const double* FASTENET_RESTRICT b, Index ld, double* out) {
  const double *a0 = a, *a1 = a + ld, *a2 = a + 2 * ld, *a3 = a + 3 * ld;
  const double *b0 = b, *b1 = b + ld, *b2 = b + 2 * ld, *b3 = b + 3 * ld;
  double s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  double s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  FASTENET_PRAGMA(omp simd reduction(+ : s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, \
                                         s22, s23, s30, s31, s32, s33))
  for (Index i = 0; i < n; ++i) {
    const double x0 = a0[i], x1 = a1[i], x2 = a2[i], x3 = a3[i];
    const double y0 = b0[i], y1 = b1[i], y2 = b2[i], y3 = b3[i];
    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
    s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
    s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
  }
  // out[r + 4 q] = a[r] @ b[q]
  const double s[16] = {s00, s10, s20, s30, s01, s11, s21, s31,
                        s02, s12, s22, s32, s03, s13, s23, s33};
  for (Index k = 0; k < 16; ++k) out[k] = s[k];
}

// Packs rows [i0, i0 + rows) of m columns: dst[k * ld + i] = (X[k][i0 + i] - c[k]) * w
// (w null: 1), in double.
template <class T>
FASTENET_INLINE void pack_rows(Index i0, Index rows, const T* w, const T* const* X,
                               const double* c, Index m, double* dst, Index ld) {
  for (Index k = 0; k < m; ++k) {
    double* FASTENET_RESTRICT d = dst + k * ld;
    const T* FASTENET_RESTRICT x = X[k] + i0;
    const double ck = c[k];
    if (w) {
      const T* FASTENET_RESTRICT wi = w + i0;
      FASTENET_SIMD
      for (Index i = 0; i < rows; ++i) d[i] = (double(x[i]) - ck) * double(wi[i]);
    } else {
      FASTENET_SIMD
      for (Index i = 0; i < rows; ++i) d[i] = double(x[i]) - ck;
    }
  }
}

constexpr Index kCrossRows = 256;  // rows per packed block (centered_cross)

// out[a + r + (b + q) * ld] += the products of packed columns a < a_end (of pa) and
// b < b_end (of pb), by 4 x 4 tiles; upper: the tiles on and above the diagonal only.
// (A function, not a lambda: inlined, it takes the ISA of the clone that calls it.)
FASTENET_INLINE void cross_tiles(Index rows, const double* pa, Index a_end, const double* pb,
                                 Index b_end, bool upper, double* out, Index ld) {
  for (Index b = 0; b < (b_end + 3) / 4 * 4; b += 4)
    for (Index a = 0; a < (upper ? b + 4 : (a_end + 3) / 4 * 4); a += 4) {
      double tile[16];
      cross_tile(rows, pa + a * kCrossRows, pb + b * kCrossRows, kCrossRows, tile);
      for (Index q = 0; q < 4 && b + q < b_end; ++q)
        for (Index r = 0; r < 4 && a + r < a_end; ++r) out[a + r + (b + q) * ld] += tile[r + 4 * q];
    }
}

// Rows in blocks of kCrossRows, each packed once (GEMM's packing: centered, weighted,
// in double, zero columns up to a multiple of 4), so that the tiles read contiguous
// columns from cache and do nothing but multiply-adds (the unpacked tiles, centering
// and converting as they read, ran at 29 GFLOP/s on one AVX-512 core). One read of A
// serves both products: A x B (nb > 0) and A's own (self non-null), its tiles above
// the diagonal only, mirrored.
template <class T>
FASTENET_INLINE void centered_cross_impl(Index n, const T* w, const T* const* A,
                                         const double* ca, Index na, const T* const* B,
                                         const double* cb, Index nb, double* out, Index ldo,
                                         double* self, Index lds) {
  const Index na4 = (na + 3) / 4 * 4, nb4 = (nb + 3) / 4 * 4;
  std::vector<double> pa(na4 * kCrossRows, 0.0);  // (A - ca) * w
  std::vector<double> pb(nb4 * kCrossRows, 0.0);  // B - cb
  std::vector<double> pu(self && w ? na4 * kCrossRows : 0, 0.0);  // A - ca, if pa has w
  const double* own = self && w ? pu.data() : pa.data();  // A's unweighted packing
  for (Index b = 0; b < nb; ++b)
    for (Index a = 0; a < na; ++a) out[a + b * ldo] = 0;
  if (self)
    for (Index b = 0; b < na; ++b)
      for (Index a = 0; a < na; ++a) self[a + b * lds] = 0;
  for (Index i0 = 0; i0 < n; i0 += kCrossRows) {
    const Index rows = std::min(kCrossRows, n - i0);
    pack_rows(i0, rows, w, A, ca, na, pa.data(), kCrossRows);
    if (nb > 0) {
      pack_rows<T>(i0, rows, nullptr, B, cb, nb, pb.data(), kCrossRows);
      cross_tiles(rows, pa.data(), na, pb.data(), nb, false, out, ldo);
    }
    if (self) {
      if (w) pack_rows<T>(i0, rows, nullptr, A, ca, na, pu.data(), kCrossRows);
      cross_tiles(rows, pa.data(), na, own, na, true, self, lds);
    }
  }
  if (self)  // the lower tiles from the upper ones
    for (Index b = 0; b < na; ++b)
      for (Index a = b / 4 * 4 + 4; a < na; ++a) self[a + b * lds] = self[b + a * lds];
}

}  // namespace

FASTENET_CLONES void centered_cross(Index n, const float* w, const float* const* A,
                                    const double* ca, Index na, const float* const* B,
                                    const double* cb, Index nb, double* out, Index ldo,
                                    double* self, Index lds) {
  centered_cross_impl(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds);
}
FASTENET_CLONES void centered_cross(Index n, const double* w, const double* const* A,
                                    const double* ca, Index na, const double* const* B,
                                    const double* cb, Index nb, double* out, Index ldo,
                                    double* self, Index lds) {
  centered_cross_impl(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds);
}

FASTENET_CLONES float moments(Index n, const float* w, const float* x, const float* v,
                              double* sq, double* sum) {
  return moments_impl(n, w, x, v, sq, sum);
}
FASTENET_CLONES double moments(Index n, const double* w, const double* x, const double* v,
                               double* sq, double* sum) {
  return moments_impl(n, w, x, v, sq, sum);
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
FASTENET_CLONES void axpy_shift(Index n, float a, const float* x, float c, float* y) {
  axpy_shift_impl(n, a, x, c, y);
}
FASTENET_CLONES void axpy_shift(Index n, double a, const double* x, double c, double* y) {
  axpy_shift_impl(n, a, x, c, y);
}

}  // namespace fastenet
