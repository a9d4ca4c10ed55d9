/* RVV overrides: same signatures as the reference kernels in kernels.h, suffix _rvv.
 * Declared for every target (plain C types), defined only in codegen/kernels/rvv/. */
#ifndef EDGEDIFF_KERNELS_RVV_H
#define EDGEDIFF_KERNELS_RVV_H

#include "edgediff/kernels.h"

#endif /* EDGEDIFF_KERNELS_RVV_H */
