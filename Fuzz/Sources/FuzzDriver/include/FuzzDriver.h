#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that keep their own `main` (compiler-rt, FuzzerInterface.h).
///
/// SwiftPM gives every executable a `main` of its own (it renames the module's entry point and links
/// `main` to it), so the fuzz targets cannot use the `main` that `-sanitize=fuzzer` links in; their
/// `main.swift` hands the command line and the test function to this driver instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
