// config.hpp: project-wide types and macros for the fastenet kernels.
//
// Index is signed (std::ptrdiff_t) so loop arithmetic never wraps; FASTENET_RESTRICT
// marks pointers the compiler may assume do not alias.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastenet {

using Index = std::ptrdiff_t;

#if defined(__GNUC__) || defined(__clang__)
#define FASTENET_RESTRICT __restrict__
#define FASTENET_INLINE inline __attribute__((always_inline))
#else
#define FASTENET_RESTRICT
#define FASTENET_INLINE inline
#endif

// Lets a reduction loop vectorize without -ffast-math: the pragma licenses the
// reassociation of this one sum only (built with -fopenmp-simd, no OpenMP runtime).
#define FASTENET_PRAGMA(x) _Pragma(#x)
#define FASTENET_SIMD_SUM(var) FASTENET_PRAGMA(omp simd reduction(+ : var))
#define FASTENET_SIMD FASTENET_PRAGMA(omp simd)

// A function compiled for AVX-512, AVX2 and the baseline, the widest the CPU has picked
// at load time (ifunc; x86-64 Linux with GCC, else one baseline build): vec.cpp,
// logistic_rows.cpp. Under the same condition, FASTENET_AVX512 marks a function of
// AVX-512 intrinsics, called only where the CPU has them (gather.cpp, cross.cpp).
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define FASTENET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define FASTENET_HAVE_CLONES 1
#define FASTENET_AVX512 __attribute__((target("avx512f")))
#else
#define FASTENET_CLONES
#endif

}  // namespace fastenet
