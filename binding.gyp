{
  # node-gyp build of the addon (CPU). Same sources and LibTorch as CMakeLists.txt:
  # lib/addon/find-libtorch.mjs decides where LibTorch is and which C++ ABI it uses.
  "targets": [
    {
      "target_name": "mveb_native",
      "sources": ["<!@(node scripts/native-sources.mjs)"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native",
        "<!@(node lib/addon/find-libtorch.mjs --gyp include_dirs)"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_CPP_EXCEPTIONS_ALL",
        "MVEB_BUILD_FLAVOUR=\"node-gyp\"",
        "<!@(node lib/addon/find-libtorch.mjs --gyp defines)"
      ],
      # LibTorch reports every error as a C++ exception and uses RTTI.
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["<!(node lib/addon/find-libtorch.mjs --gyp cxx_std)", "-fexceptions", "-frtti", "-O3", "-fno-trapping-math"],
      "libraries": [
        "-L<!(node lib/addon/find-libtorch.mjs --gyp lib_dir)",
        "-Wl,-rpath,<!(node lib/addon/find-libtorch.mjs --gyp lib_dir)",
        "-ltorch", "-ltorch_cpu", "-lc10"
      ]
    }
  ]
}
