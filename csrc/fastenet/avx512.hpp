// avx512.hpp: the AVX-512 intrinsics, for the source files whose FASTENET_AVX512
// functions use them (gather.cpp, cross.cpp). Include it in a .cpp only, last among
// the includes: it changes warnings for the rest of that file.
//
// GCC 12's AVX-512 casts, shuffles and conversions leave their upper lanes "undefined"
// by a self-initialized variable, which -Wuninitialized flags wherever they are inlined
// (GCC bug 105593): a false alarm, silenced for the including file.
#pragma once

#include "fastenet/config.hpp"

#ifdef FASTENET_HAVE_CLONES
#include <immintrin.h>
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
