/* Opens a shared library by absolute path and keeps it open for the life of the process.
 *
 * A prebuilt addon names LibTorch by soname only (libtorch.so, libc10.so, ...). When the
 * user's LibTorch is outside the loader's search path (a pip torch in a virtualenv), the
 * loader (lib/addon/load.ts) opens those libraries here first; the addon's DT_NEEDED entries
 * then resolve to the objects already loaded. This module links no LibTorch, so it loads
 * whatever LibTorch is installed, and it is plain C so that it builds in a second. */
#include <dlfcn.h>
#include <node_api.h>
#include <stddef.h>

static napi_value preload(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok ||
      length + 1 >= sizeof path) {
    napi_throw_type_error(env, NULL, "preload(path): path must be a string shorter than 4096 bytes");
    return NULL;
  }
  /* RTLD_LOCAL: the addon still finds these by soname; nothing else in the process sees
   * LibTorch's symbols. The handle is never closed: the addon needs the library until exit. */
  if (dlopen(path, RTLD_NOW | RTLD_LOCAL) == NULL) {
    const char* reason = dlerror();
    napi_throw_error(env, NULL, reason != NULL ? reason : "dlopen failed");
    return NULL;
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value function;
  if (napi_create_function(env, "preload", NAPI_AUTO_LENGTH, preload, NULL, &function) != napi_ok ||
      napi_set_named_property(env, exports, "preload", function) != napi_ok) {
    return NULL;
  }
  return exports;
}
