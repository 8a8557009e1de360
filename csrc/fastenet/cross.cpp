// cross.cpp: centered_cross (vec.hpp), the blocks of a centered Gram that a working set
// is solved on (set_gram.hpp): out = (A - ca)^T diag(w) (B - cb), and A's own.
//
// Both versions read the rows in blocks of kCrossRows, packed once per block (GEMM's
// packing: centered, weighted, in double), so that the products run from cache:
// - on x86-64 Linux with GCC and an AVX-512 CPU, GEMM's register blocking: a 16 x 8
//   block of the output in 16 registers; each row of the block is one vector of 16
//   packed A entries (two loads) times 8 broadcast B entries (16 multiply-adds), with
//   no horizontal sums; A is packed in 16-column panels, row by row (8 x 8 transposes);
// - elsewhere (and for the AVX2 and baseline clones), 4 x 4 tiles of dot products over
//   packed columns, bound on AVX-512 by reading their columns from L2 (8 loads per 16
//   multiply-adds) and by 16 horizontal sums per tile and block.
// One Sapphire Rapids core, 50,000 rows, best of 7 in a C++ microbenchmark, tiles ->
// blocks: a 256 x 256 block 192 -> 101 ms (34 -> 65 GFLOP/s); 88 fresh columns against
// 36 and their triangle (the 50,000 x 500 fit's second set at alpha_max/100) 20 -> 13-15
// ms, and 19 ms from columns not in cache (memory, and the blocks' padding to 16 x 8);
// 50 against y and their triangle 4.8 -> 4.8 ms (a small triangle is mostly padding).
// The two sum in different orders: their results differ by rounding only.
#include <algorithm>
#include <vector>

#include "fastenet/vec.hpp"
#include "fastenet/avx512.hpp"  // (last: it silences a false GCC warning, see there)

namespace fastenet {

namespace {

// out (na x nb) and self (na x na, if given), column-major with leading dimensions ldo
// and lds, set to zero before the row blocks add to them.
inline void clear_outputs(Index na, Index nb, double* out, Index ldo, double* self,
                          Index lds) {
  for (Index b = 0; b < nb; ++b)
    for (Index a = 0; a < na; ++a) out[a + b * ldo] = 0;
  if (self)
    for (Index b = 0; b < na; ++b)
      for (Index a = 0; a < na; ++a) self[a + b * lds] = 0;
}

// self's lower triangle from its upper one: both versions compute every entry above
// the diagonal (and some below it, which this overwrites with the same values).
inline void mirror_upper(Index na, double* self, Index lds) {
  for (Index b = 0; b < na; ++b)
    for (Index a = b + 1; a < na; ++a) self[a + b * lds] = self[b + a * lds];
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
FASTENET_INLINE void centered_cross_tiles_impl(Index n, const T* w, const T* const* A,
                                         const double* ca, Index na, const T* const* B,
                                         const double* cb, Index nb, double* out, Index ldo,
                                         double* self, Index lds) {
  const Index na4 = (na + 3) / 4 * 4, nb4 = (nb + 3) / 4 * 4;
  std::vector<double> pa(na4 * kCrossRows, 0.0);  // (A - ca) * w
  std::vector<double> pb(nb4 * kCrossRows, 0.0);  // B - cb
  std::vector<double> pu(self && w ? na4 * kCrossRows : 0, 0.0);  // A - ca, if pa has w
  const double* own = self && w ? pu.data() : pa.data();  // A's unweighted packing
  clear_outputs(na, nb, out, ldo, self, lds);
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
  if (self) mirror_upper(na, self, lds);
}

#ifdef FASTENET_HAVE_CLONES

constexpr Index kMR = 16, kNR = 8;  // the register block: 16 rows of out x 8 columns

FASTENET_AVX512 inline __m512d load8(const double* x) { return _mm512_loadu_pd(x); }
FASTENET_AVX512 inline __m512d load8(const float* x) {
  return _mm512_cvtps_pd(_mm256_loadu_ps(x));
}

// r[k] = column k's 8 entries -> r[k] = the 8 columns' entries in row k (24 shuffles:
// pairs, then 128-bit lanes twice).
FASTENET_AVX512 inline void transpose8(__m512d* r) {
  __m512d t[8], u[8];
  for (int k = 0; k < 8; k += 2) {
    t[k] = _mm512_unpacklo_pd(r[k], r[k + 1]);      // r_k[0] r_k+1[0] r_k[2] ...
    t[k + 1] = _mm512_unpackhi_pd(r[k], r[k + 1]);  // r_k[1] r_k+1[1] r_k[3] ...
  }
  for (int k = 0; k < 8; k += 4)
    for (int h = 0; h < 2; ++h) {
      u[k + 2 * h] = _mm512_shuffle_f64x2(t[k + h], t[k + h + 2], 0x88);      // lanes 0, 2
      u[k + 2 * h + 1] = _mm512_shuffle_f64x2(t[k + h], t[k + h + 2], 0xDD);  // lanes 1, 3
    }
  // u[0]: rows 0, 4 of columns 0-3; u[1]: rows 2, 6; u[2]: rows 1, 5; u[3]: rows 3, 7
  // (u[4:8] the same for columns 4-7)
  const int row_of[4] = {0, 2, 1, 3};
  for (int k = 0; k < 4; ++k) {
    r[row_of[k]] = _mm512_shuffle_f64x2(u[k], u[k + 4], 0x88);
    r[row_of[k] + 4] = _mm512_shuffle_f64x2(u[k], u[k + 4], 0xDD);
  }
}

// Packs rows [i0, i0 + rows) of m columns into 16-column panels, row-major within a
// panel: dst[(g * kCrossRows + i) * kMR + r] = (X[g * kMR + r][i0 + i] - c) * w (w null:
// 1), by 8 x 8 transposes in registers (written one entry at a time, the packing took
// a third of the time of the products). A panel's columns past m hold zeros (stored by
// the transposes, or the caller's zeros in the last rows % 8).
template <class T>
FASTENET_AVX512 void pack_panels(Index i0, Index rows, const T* w, const T* const* X,
                                 const double* c, Index m, double* dst) {
  const Index full = rows / 8 * 8;
  for (Index c0 = 0; c0 < m; c0 += 8) {  // 8 columns: half of panel c0 / kMR
    const Index width = std::min<Index>(8, m - c0);
    double* d = dst + (c0 / kMR) * kMR * kCrossRows + c0 % kMR;
    for (Index i = 0; i < full; i += 8) {
      __m512d r[8];
      const __m512d wi = w ? load8(w + i0 + i) : _mm512_set1_pd(1.0);
      for (Index k = 0; k < 8; ++k)
        r[k] = k < width ? _mm512_mul_pd(_mm512_sub_pd(load8(X[c0 + k] + i0 + i),
                                                       _mm512_set1_pd(c[c0 + k])),
                                         wi)
                         : _mm512_setzero_pd();
      transpose8(r);
      for (Index k = 0; k < 8; ++k) _mm512_storeu_pd(d + (i + k) * kMR, r[k]);
    }
    for (Index k = 0; k < width; ++k)  // the last rows % 8 rows
      for (Index i = full; i < rows; ++i)
        d[i * kMR + k] =
            (double(X[c0 + k][i0 + i]) - c[c0 + k]) * (w ? double(w[i0 + i]) : 1.0);
  }
}

// out[r + q * ldo] += sum_i a[i * kMR + r] * b[q * kCrossRows + i] for r < mr, q < nr:
// one 16-column panel of A against 8 packed columns of B (past nr: zero columns).
FASTENET_AVX512 inline void block_16x8(Index rows, const double* FASTENET_RESTRICT a,
                                       const double* FASTENET_RESTRICT b, double* out,
                                       Index ldo, Index mr, Index nr) {
  __m512d lo[kNR], hi[kNR];
#pragma GCC unroll 8
  for (Index q = 0; q < kNR; ++q) lo[q] = hi[q] = _mm512_setzero_pd();
  for (Index i = 0; i < rows; ++i) {
    const __m512d a0 = _mm512_loadu_pd(a + i * kMR), a1 = _mm512_loadu_pd(a + i * kMR + 8);
#pragma GCC unroll 8
    for (Index q = 0; q < kNR; ++q) {
      const __m512d bq = _mm512_set1_pd(b[q * kCrossRows + i]);
      lo[q] = _mm512_fmadd_pd(a0, bq, lo[q]);
      hi[q] = _mm512_fmadd_pd(a1, bq, hi[q]);
    }
  }
  const __mmask8 mlo = __mmask8((1u << std::min<Index>(mr, 8)) - 1);
  const __mmask8 mhi = __mmask8((1u << std::max<Index>(mr - 8, 0)) - 1);
  for (Index q = 0; q < nr; ++q) {
    double* o = out + q * ldo;
    _mm512_mask_storeu_pd(o, mlo, _mm512_add_pd(_mm512_maskz_loadu_pd(mlo, o), lo[q]));
    _mm512_mask_storeu_pd(o + 8, mhi, _mm512_add_pd(_mm512_maskz_loadu_pd(mhi, o + 8), hi[q]));
  }
}

// out (na x nb, column-major, ld ldo) += the panels of A against B's packed columns;
// upper: only the blocks that reach the diagonal or above it (B is A).
FASTENET_AVX512 inline void blocks(Index rows, const double* pa, Index na, const double* pb,
                                   Index nb, bool upper, double* out, Index ldo) {
  for (Index b = 0; b < nb; b += kNR)
    for (Index a = 0; a < na && (!upper || a < b + kNR); a += kMR)
      block_16x8(rows, pa + a * kCrossRows, pb + b * kCrossRows, out + a + b * ldo, ldo,
                 std::min(kMR, na - a), std::min(kNR, nb - b));
}

template <class T>
FASTENET_AVX512 void centered_cross_avx512(Index n, const T* w, const T* const* A,
                                           const double* ca, Index na, const T* const* B,
                                           const double* cb, Index nb, double* out,
                                           Index ldo, double* self, Index lds) {
  const auto round_up = [](Index m, Index k) { return (m + k - 1) / k * k; };
  std::vector<double> pa(round_up(na, kMR) * kCrossRows, 0.0);  // (A - ca) * w, panels
  std::vector<double> pb(round_up(nb, kNR) * kCrossRows, 0.0);  // B - cb, columns
  std::vector<double> pu(self ? round_up(na, kNR) * kCrossRows : 0, 0.0);  // A - ca
  clear_outputs(na, nb, out, ldo, self, lds);
  for (Index i0 = 0; i0 < n; i0 += kCrossRows) {
    const Index rows = std::min(kCrossRows, n - i0);
    pack_panels(i0, rows, w, A, ca, na, pa.data());
    if (nb > 0) pack_rows<T>(i0, rows, nullptr, B, cb, nb, pb.data(), kCrossRows);
    if (self) pack_rows<T>(i0, rows, nullptr, A, ca, na, pu.data(), kCrossRows);
    if (nb > 0) blocks(rows, pa.data(), na, pb.data(), nb, false, out, ldo);
    if (self) blocks(rows, pa.data(), na, pu.data(), na, true, self, lds);
  }
  if (self) mirror_upper(na, self, lds);
}

bool has_avx512() {
  static const bool yes = (__builtin_cpu_init(), __builtin_cpu_supports("avx512f"));
  return yes;
}
#endif  // FASTENET_HAVE_CLONES

// AVX2 and the baseline only: on an AVX-512 CPU centered_cross_any takes the blocks.
#ifdef FASTENET_HAVE_CLONES
#define FASTENET_TILE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FASTENET_TILE_CLONES
#endif

FASTENET_TILE_CLONES void centered_cross_tiles(Index n, const float* w, const float* const* A,
                                               const double* ca, Index na, const float* const* B,
                                               const double* cb, Index nb, double* out, Index ldo,
                                               double* self, Index lds) {
  centered_cross_tiles_impl(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds);
}
FASTENET_TILE_CLONES void centered_cross_tiles(Index n, const double* w, const double* const* A,
                                               const double* ca, Index na, const double* const* B,
                                               const double* cb, Index nb, double* out, Index ldo,
                                               double* self, Index lds) {
  centered_cross_tiles_impl(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds);
}

// The AVX-512 blocks where the CPU has them (tested per call: a call is a whole block
// of a Gram), else the tiles' widest clone.
template <class T>
void centered_cross_any(Index n, const T* w, const T* const* A, const double* ca, Index na,
                        const T* const* B, const double* cb, Index nb, double* out, Index ldo,
                        double* self, Index lds) {
#ifdef FASTENET_HAVE_CLONES
  if (has_avx512())
    return centered_cross_avx512(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds);
#endif
  centered_cross_tiles(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds);
}

}  // namespace

void centered_cross(Index n, const float* w, const float* const* A, const double* ca,
                    Index na, const float* const* B, const double* cb, Index nb,
                    double* out, Index ldo, double* self, Index lds) {
  centered_cross_any(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds);
}
void centered_cross(Index n, const double* w, const double* const* A, const double* ca,
                    Index na, const double* const* B, const double* cb, Index nb,
                    double* out, Index ldo, double* self, Index lds) {
  centered_cross_any(n, w, A, ca, na, B, cb, nb, out, ldo, self, lds);
}

}  // namespace fastenet
