/* Stand-in for TensorRT 8.6.1's libnvinfer_plugin.so.8: TF-TRT calls initLibNvInferPlugins()
   once when it first converts a graph; there are no plugins to register, so report success.
   Set STUB_TRACE=1 to see the call on stderr. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

bool initLibNvInferPlugins(void* logger, const char* lib_namespace) {
  (void)logger; (void)lib_namespace;
  if (getenv("STUB_TRACE")) fprintf(stderr, "[trt-stub] initLibNvInferPlugins called\n");
  return true;
}
