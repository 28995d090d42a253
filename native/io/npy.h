// The NumPy .npy format (versions 1.0-3.0): header parsing and writing.
// No torch here: io/npy_tensor.cc moves the data in and out of tensors.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace mveb::npy {

struct Header {
  std::string descr;           // e.g. "<f4"
  std::vector<int64_t> shape;  // () for a scalar
  bool fortranOrder = false;
  int64_t dataOffset = 0;  // bytes from the start of the file
};

// Parses the header at the start of `in`; throws std::runtime_error naming `path`.
Header readHeader(std::istream& in, const std::string& path);

// A complete version 1.0 header (magic, length, dict, padding to 64 bytes).
std::string formatHeader(const std::string& descr, const std::vector<int64_t>& shape);

}  // namespace mveb::npy
