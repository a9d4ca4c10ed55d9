/* hal_instruction_count on the host: there is no instruction counter a process can read
 * deterministically, so this is CLOCK_MONOTONIC in nanoseconds (target.toml: counter = "ns"). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <time.h>

#include "hal.h"

uint64_t hal_instruction_count(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}
