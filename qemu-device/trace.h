#include "trace/trace-hw_misc_pvgpu.h"
