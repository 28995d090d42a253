// Replacing a file whole or not at all: a temporary file beside it, fsync, rename.
// A crash or a full disk mid-write leaves the previous file intact.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mveb {

struct ByteSpan {
  const void* data;
  size_t size;
};

// Writes the spans one after the other; throws std::runtime_error naming the path and errno.
void writeFileAtomically(const std::string& path, const std::vector<ByteSpan>& spans);

}  // namespace mveb
