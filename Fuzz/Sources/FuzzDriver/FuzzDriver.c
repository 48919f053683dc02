// Empty: the module only declares LLVMFuzzerRunDriver, which libFuzzer (-sanitize=fuzzer) defines.
#include "FuzzDriver.h"
