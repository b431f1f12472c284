/* Stand-in for TensorRT 8.6.1's libnvinfer.so.8, just enough for TF-TRT's conversion pass.
 *
 * TensorFlow 2.17 loads TensorRT at run time (dlopen + dlsym). Before it segments a graph,
 * TF-TRT only asks whether the library loads and which version it is; with dynamic engines
 * (the TF2 default) engines are built later, at the first inference. So these entry points
 * are all that segmentation needs:
 *   - getInferLibVersion() answers 8601, i.e. 8.6.1, the version TF 2.17 was built against;
 *   - the builder / runtime / refitter factories return NULL: nothing can be built, and a
 *     caller that tries (static engines, inference) fails instead of pretending to work;
 *   - the plugin registry is a fake C++ object whose virtual methods all return 0.
 * Set STUB_TRACE=1 to see every call on stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int trace(void) {
  static int enabled = -1;
  if (enabled < 0) enabled = getenv("STUB_TRACE") != NULL;
  return enabled;
}
#define LOG_CALL(name) \
  do { if (trace()) fprintf(stderr, "[trt-stub] %s called\n", name); } while (0)

int32_t getInferLibVersion(void) { LOG_CALL("getInferLibVersion"); return 8601; }

void* createInferBuilder_INTERNAL(void* logger, int32_t version) {
  (void)logger; (void)version;
  LOG_CALL("createInferBuilder_INTERNAL");
  return NULL;
}
void* createInferRuntime_INTERNAL(void* logger, int32_t version) {
  (void)logger; (void)version;
  LOG_CALL("createInferRuntime_INTERNAL");
  return NULL;
}
void* createInferRefitter_INTERNAL(void* engine, void* logger, int32_t version) {
  (void)engine; (void)logger; (void)version;
  LOG_CALL("createInferRefitter_INTERNAL");
  return NULL;
}
void* getLogger(void) { LOG_CALL("getLogger"); return NULL; }

/* A fake nvinfer1::IPluginRegistry. A C++ object with virtual methods starts with a pointer to
   its vtable; every slot here points at one function returning 0 (NULL / false / count 0),
   which is what an empty registry answers. 32 slots cover the interface with room to spare. */
static long return_zero(void* self) { (void)self; LOG_CALL("IPluginRegistry virtual"); return 0; }
static void* registry_vtable[32];
static struct { void** vptr; } fake_registry = { registry_vtable };

__attribute__((constructor)) static void fill_registry_vtable(void) {
  for (int i = 0; i < 32; ++i) registry_vtable[i] = (void*)return_zero;
}

void* getPluginRegistry(void) { LOG_CALL("getPluginRegistry"); return &fake_registry; }
void* getBuilderPluginRegistry(int32_t capability) {
  (void)capability;
  LOG_CALL("getBuilderPluginRegistry");
  return &fake_registry;
}
