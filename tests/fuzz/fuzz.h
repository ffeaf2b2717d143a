/* SPDX-License-Identifier: Apache-2.0 */
/* The libFuzzer entry point every tests/fuzz/fuzz_<target>.c defines. */
#ifndef CMC_TEST_FUZZ_H
#define CMC_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
