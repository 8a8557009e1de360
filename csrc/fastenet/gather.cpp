// gather.cpp: the sparse column primitives of vec.hpp (gather_dot, scatter_axpy,
// gather_moments, gather_scale), the reads and updates of a CSC column at its row
// indices.
//
// On x86-64 Linux with GCC each has two versions, the loader binding one (ifunc): the
// baseline's scalar loop and an AVX-512 one with gathers, scatters and a masked last
// chunk. Most columns of a sparse design are short (half of
// sparse_text's have 5 entries or fewer), so the masked chunk, which takes a short
// column in one step, matters as much as the vector width. Measured on sparse_text's
// 10,000 x 100,000 design (one AVX-512 core): X^T v 2.8-3.0 -> 1.8-1.9 ms (float32
// 3.5-3.7 -> 1.4-1.5 ms), an epoch of coordinate descent (a dot product and an update
// per column) over its 4,800 heaviest columns 1.65-1.79 -> 1.43-1.61 ms. Sums are
// accumulated in lanes and reduced at the end: the order of additions differs from the
// scalar loop's, by rounding only.
#include <cstdint>

#include "fastenet/vec.hpp"
#include "fastenet/avx512.hpp"  // (last: it silences a false GCC warning, see there)

namespace fastenet {

namespace {

// In four chains: with one, each entry waited for the previous add (its latency, not
// the loads, bound the loop).
template <class T, class I>
inline T gather_dot_scalar(Index len, const T* FASTENET_RESTRICT a,
                           const I* FASTENET_RESTRICT ind, const T* FASTENET_RESTRICT v) {
  T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  Index k = 0;
  for (; k + 4 <= len; k += 4) {
    s0 += a[k] * v[ind[k]];
    s1 += a[k + 1] * v[ind[k + 1]];
    s2 += a[k + 2] * v[ind[k + 2]];
    s3 += a[k + 3] * v[ind[k + 3]];
  }
  for (; k < len; ++k) s0 += a[k] * v[ind[k]];
  return (s0 + s1) + (s2 + s3);
}

template <class T, class I>
inline T gather_moments_scalar(Index len, const T* FASTENET_RESTRICT a,
                               const I* FASTENET_RESTRICT ind, const T* FASTENET_RESTRICT v,
                               double* sq, double* sum) {
  double q = 0, m = 0;
  for (Index k = 0; k < len; ++k) {
    q += double(a[k]) * double(a[k]);
    m += double(a[k]);
  }
  *sq = q;
  *sum = m;
  return gather_dot_scalar(len, a, ind, v);
}

template <class T, class I>
inline void gather_scale_scalar(Index len, const T* FASTENET_RESTRICT a,
                                const I* FASTENET_RESTRICT ind, const T* FASTENET_RESTRICT v,
                                T* FASTENET_RESTRICT out, double* sum, double* sq) {
  double s = 0, q = 0;
  for (Index k = 0; k < len; ++k) {
    out[k] = a[k] * v[ind[k]];
    s += double(out[k]);
    q += double(out[k]) * double(a[k]);
  }
  *sum = s;
  *sq = q;
}

template <class T, class I>
inline void scatter_axpy_scalar(Index len, T s, const T* FASTENET_RESTRICT a,
                                const I* FASTENET_RESTRICT ind, T* FASTENET_RESTRICT v) {
  for (Index k = 0; k < len; ++k) v[ind[k]] += s * a[k];
}

#ifdef FASTENET_HAVE_CLONES

// One chunk of L lanes (L = 8 for double or 64-bit indices, else 16) of a column, the
// lanes past its end masked off (a masked load does not touch them).
template <class T, class I>
struct Lanes;

template <>
struct Lanes<double, std::int32_t> {
  static constexpr Index L = 8;
  using V = __m512d;
  using M = __mmask8;
  using Idx = __m256i;
  FASTENET_AVX512 static Idx index(M m, const std::int32_t* p) {
    return _mm512_castsi512_si256(_mm512_maskz_loadu_epi32(__mmask16(m), p));
  }
  FASTENET_AVX512 static V gather(M m, Idx i, const double* v) {
    return _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m, i, v, 8);
  }
  FASTENET_AVX512 static void scatter(M m, Idx i, V x, double* v) {
    _mm512_mask_i32scatter_pd(v, m, i, x, 8);
  }
};

template <>
struct Lanes<double, std::int64_t> {
  static constexpr Index L = 8;
  using V = __m512d;
  using M = __mmask8;
  using Idx = __m512i;
  FASTENET_AVX512 static Idx index(M m, const std::int64_t* p) {
    return _mm512_maskz_loadu_epi64(m, p);
  }
  FASTENET_AVX512 static V gather(M m, Idx i, const double* v) {
    return _mm512_mask_i64gather_pd(_mm512_setzero_pd(), m, i, v, 8);
  }
  FASTENET_AVX512 static void scatter(M m, Idx i, V x, double* v) {
    _mm512_mask_i64scatter_pd(v, m, i, x, 8);
  }
};

template <>
struct Lanes<float, std::int32_t> {
  static constexpr Index L = 16;
  using V = __m512;
  using M = __mmask16;
  using Idx = __m512i;
  FASTENET_AVX512 static Idx index(M m, const std::int32_t* p) {
    return _mm512_maskz_loadu_epi32(m, p);
  }
  FASTENET_AVX512 static V gather(M m, Idx i, const float* v) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, i, v, 4);
  }
  FASTENET_AVX512 static void scatter(M m, Idx i, V x, float* v) {
    _mm512_mask_i32scatter_ps(v, m, i, x, 4);
  }
};

// 64-bit indices address 8 floats per chunk: the lower half of a float vector.
template <>
struct Lanes<float, std::int64_t> {
  static constexpr Index L = 8;
  using V = __m512;
  using M = __mmask16;
  using Idx = __m512i;
  FASTENET_AVX512 static Idx index(M m, const std::int64_t* p) {
    return _mm512_maskz_loadu_epi64(__mmask8(m), p);
  }
  FASTENET_AVX512 static V gather(M m, Idx i, const float* v) {
    const __m256 g = _mm512_mask_i64gather_ps(_mm256_setzero_ps(), __mmask8(m), i, v, 4);
    // zero-extended to 512 bits (_mm512_zextps256_ps512 needs GCC 10)
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_setzero_pd(), _mm256_castps_pd(g), 0));
  }
  FASTENET_AVX512 static void scatter(M m, Idx i, V x, float* v) {
    _mm512_mask_i64scatter_ps(v, __mmask8(m), i, _mm512_castps512_ps256(x), 4);
  }
};

FASTENET_AVX512 inline __m512d load(__mmask8 m, const double* p) { return _mm512_maskz_loadu_pd(m, p); }
FASTENET_AVX512 inline __m512 load(__mmask16 m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
FASTENET_AVX512 inline __m512d fmadd(__m512d a, __m512d b, __m512d c) { return _mm512_fmadd_pd(a, b, c); }
FASTENET_AVX512 inline __m512 fmadd(__m512 a, __m512 b, __m512 c) { return _mm512_fmadd_ps(a, b, c); }
FASTENET_AVX512 inline __m512d add(__m512d a, __m512d b) { return _mm512_add_pd(a, b); }
FASTENET_AVX512 inline __m512 add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
FASTENET_AVX512 inline double reduce(__m512d a) { return _mm512_reduce_add_pd(a); }
FASTENET_AVX512 inline float reduce(__m512 a) { return _mm512_reduce_add_ps(a); }
FASTENET_AVX512 inline __m512d splat(double a) { return _mm512_set1_pd(a); }
FASTENET_AVX512 inline __m512 splat(float a) { return _mm512_set1_ps(a); }
FASTENET_AVX512 inline __m512d mul(__m512d a, __m512d b) { return _mm512_mul_pd(a, b); }
FASTENET_AVX512 inline __m512 mul(__m512 a, __m512 b) { return _mm512_mul_ps(a, b); }
FASTENET_AVX512 inline void store(__mmask8 m, double* p, __m512d x) { _mm512_mask_storeu_pd(p, m, x); }
FASTENET_AVX512 inline void store(__mmask16 m, float* p, __m512 x) { _mm512_mask_storeu_ps(p, m, x); }
// The lower and upper 8 floats of x as doubles.
FASTENET_AVX512 inline __m512d lower(__m512 x) { return _mm512_cvtps_pd(_mm512_castps512_ps256(x)); }
FASTENET_AVX512 inline __m512d upper(__m512 x) {
  return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)));
}
// s += p, q += p x in double lanes (float: both halves converted).
FASTENET_AVX512 inline void product_sums(__m512d p, __m512d x, __m512d& s, __m512d& q) {
  s = _mm512_add_pd(s, p);
  q = _mm512_fmadd_pd(p, x, q);
}
FASTENET_AVX512 inline void product_sums(__m512 p, __m512 x, __m512d& s, __m512d& q) {
  product_sums(lower(p), lower(x), s, q);
  product_sums(upper(p), upper(x), s, q);
}
// The lanes of a chunk that starts `rest` entries before the column's end.
template <class C>
FASTENET_AVX512 inline typename C::M first_lanes(Index rest) {
  return typename C::M((1u << (rest >= C::L ? C::L : rest)) - 1);
}

// Two chains of full chunks (a gather's latency sets the pace), then masked chunks.
template <class T, class I>
FASTENET_AVX512 inline T gather_dot_avx512(Index len, const T* FASTENET_RESTRICT a,
                                           const I* FASTENET_RESTRICT ind,
                                           const T* FASTENET_RESTRICT v) {
  using C = Lanes<T, I>;
  constexpr Index L = C::L;
  const auto all = first_lanes<C>(L);
  auto s0 = splat(T(0)), s1 = splat(T(0));
  Index k = 0;
  for (; k + 2 * L <= len; k += 2 * L) {
    s0 = fmadd(load(all, a + k), C::gather(all, C::index(all, ind + k), v), s0);
    s1 = fmadd(load(all, a + k + L), C::gather(all, C::index(all, ind + k + L), v), s1);
  }
  for (; k < len; k += L) {
    const auto m = first_lanes<C>(len - k);
    s0 = fmadd(load(m, a + k), C::gather(m, C::index(m, ind + k), v), s0);
  }
  return reduce(add(s0, s1));
}

// A solve's first pass over a column: the dot product and, in double, the sums of its
// squares and its entries, from one load of each chunk.
template <class T, class I>
FASTENET_AVX512 inline T gather_moments_avx512(Index len, const T* FASTENET_RESTRICT a,
                                               const I* FASTENET_RESTRICT ind,
                                               const T* FASTENET_RESTRICT v, double* sq,
                                               double* sum) {
  using C = Lanes<T, I>;
  auto s = splat(T(0));
  __m512d q = _mm512_setzero_pd(), m = _mm512_setzero_pd();
  for (Index k = 0; k < len; k += C::L) {
    const auto lanes = first_lanes<C>(len - k);
    const auto x = load(lanes, a + k);
    s = fmadd(x, C::gather(lanes, C::index(lanes, ind + k), v), s);
    product_sums(x, x, m, q);  // m += x, q += x^2
  }
  *sq = reduce(q);
  *sum = reduce(m);
  return reduce(s);
}

// out = a * v[ind] (a column's entries times their rows' weights), and in double the
// sums of out and of out * a.
template <class T, class I>
FASTENET_AVX512 inline void gather_scale_avx512(Index len, const T* FASTENET_RESTRICT a,
                                                const I* FASTENET_RESTRICT ind,
                                                const T* FASTENET_RESTRICT v,
                                                T* FASTENET_RESTRICT out, double* sum,
                                                double* sq) {
  using C = Lanes<T, I>;
  __m512d s = _mm512_setzero_pd(), q = _mm512_setzero_pd();
  for (Index k = 0; k < len; k += C::L) {
    const auto lanes = first_lanes<C>(len - k);
    const auto x = load(lanes, a + k);
    const auto p = mul(x, C::gather(lanes, C::index(lanes, ind + k), v));
    store(lanes, out + k, p);
    product_sums(p, x, s, q);
  }
  *sum = reduce(s);
  *sq = reduce(q);
}

// Gather, multiply-add, scatter: right because a column's row indices are distinct.
template <class T, class I>
FASTENET_AVX512 inline void scatter_axpy_avx512(Index len, T s, const T* FASTENET_RESTRICT a,
                                                const I* FASTENET_RESTRICT ind,
                                                T* FASTENET_RESTRICT v) {
  using C = Lanes<T, I>;
  const auto sv = splat(s);
  for (Index k = 0; k < len; k += C::L) {
    const auto m = first_lanes<C>(len - k);
    const auto i = C::index(m, ind + k);
    C::scatter(m, i, fmadd(sv, load(m, a + k), C::gather(m, i, v)), v);
  }
}

#endif  // FASTENET_HAVE_CLONES

}  // namespace

#ifdef FASTENET_HAVE_CLONES
// Each primitive is an ifunc, as target_clones makes vec.cpp's: the loader binds it once
// to the AVX-512 version or the scalar one, so that a call costs one jump (a flag tested
// per call, then a second call, cost the short columns of a small design what the
// vectors saved).
#define FASTENET_DISPATCH(ret, name, tag, T, I, params)                              \
  extern "C" {                                                                      \
  static decltype(&name##_scalar<T, I>) fastenet_resolve_##name##_##tag() {         \
    __builtin_cpu_init(); /* (it runs before the library's constructors) */         \
    return __builtin_cpu_supports("avx512f") ? &name##_avx512<T, I>                 \
                                             : &name##_scalar<T, I>;                \
  }                                                                                 \
  }                                                                                 \
  ret name params __attribute__((ifunc("fastenet_resolve_" #name "_" #tag)));
#else
#define FASTENET_DISPATCH(ret, name, tag, T, I, params) \
  ret name params { return name##_scalar<T, I> FASTENET_ARGS_##name; }
#define FASTENET_ARGS_gather_dot (len, a, ind, v)
#define FASTENET_ARGS_scatter_axpy (len, s, a, ind, v)
#define FASTENET_ARGS_gather_moments (len, a, ind, v, sq, sum)
#define FASTENET_ARGS_gather_scale (len, a, ind, v, out, sum, sq)
#endif

#define FASTENET_SPARSE_PRIMITIVES(T, I, tag)                                          \
  FASTENET_DISPATCH(T, gather_dot, tag, T, I,                                         \
                    (Index len, const T* a, const I* ind, const T* v))                \
  FASTENET_DISPATCH(void, scatter_axpy, tag, T, I,                                    \
                    (Index len, T s, const T* a, const I* ind, T* v))                 \
  FASTENET_DISPATCH(T, gather_moments, tag, T, I,                                     \
                    (Index len, const T* a, const I* ind, const T* v, double* sq,     \
                     double* sum))                                                    \
  FASTENET_DISPATCH(void, gather_scale, tag, T, I,                                    \
                    (Index len, const T* a, const I* ind, const T* v, T* out,         \
                     double* sum, double* sq))

FASTENET_SPARSE_PRIMITIVES(float, std::int32_t, f32)
FASTENET_SPARSE_PRIMITIVES(float, std::int64_t, f64)
FASTENET_SPARSE_PRIMITIVES(double, std::int32_t, d32)
FASTENET_SPARSE_PRIMITIVES(double, std::int64_t, d64)

}  // namespace fastenet
