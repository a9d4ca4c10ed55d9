/* MVE overrides: same signatures as the reference kernels in kernels.h, suffix _mve.
 * Declared for every target (plain C types), defined only in codegen/kernels/mve/. */
#ifndef EDGEDIFF_KERNELS_MVE_H
#define EDGEDIFF_KERNELS_MVE_H

#include "edgediff/kernels.h"

#endif /* EDGEDIFF_KERNELS_MVE_H */
