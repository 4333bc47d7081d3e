{
  "targets": [
    {
      "target_name": "ftpgrid_zero_copy",
      "sources": [
        "native/src/zero_copy.cc",
        "native/src/transfer_loops.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "_FILE_OFFSET_BITS=64"
      ],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"]
    }
  ]
}
