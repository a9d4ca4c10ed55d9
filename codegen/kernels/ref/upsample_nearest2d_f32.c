/* Reference nearest-neighbour resize. The source index is computed exactly like torch
 * (float scale = in/out, floorf(dst * scale)), not with the exact integer ratio: the two
 * disagree for some sizes (e.g. 26 -> 22) because the float scale is rounded. */
#include <math.h>

#include "edgediff/kernels.h"

static int32_t nearest_source_index(int32_t dst, float scale, int32_t in_size) {
    const int32_t src = (int32_t)floorf((float)dst * scale);
    return src < in_size - 1 ? src : in_size - 1;
}

void upsample_nearest2d_f32(const upsample_nearest2d_params_t *p, const float *in, float *out) {
    const float scale_h = (float)p->h_in / (float)p->h_out;
    const float scale_w = (float)p->w_in / (float)p->w_out;
    const int32_t planes = p->n * p->channels;
    for (int32_t plane = 0; plane < planes; ++plane) {
        const float *in_plane = in + plane * p->h_in * p->w_in;
        float *out_plane = out + plane * p->h_out * p->w_out;
        for (int32_t y = 0; y < p->h_out; ++y) {
            const float *in_row = in_plane + nearest_source_index(y, scale_h, p->h_in) * p->w_in;
            for (int32_t x = 0; x < p->w_out; ++x) {
                out_plane[y * p->w_out + x] = in_row[nearest_source_index(x, scale_w, p->w_in)];
            }
        }
    }
}
