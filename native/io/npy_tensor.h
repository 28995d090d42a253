// Tensors to and from .npy files.
#pragma once

#include <ATen/Tensor.h>

#include <string>

namespace mveb::npy {

// A CPU tensor with the file's dtype and shape (Fortran-ordered files come back C-ordered).
at::Tensor load(const std::string& path);

// Writes atomically: a temporary file beside `path`, flushed, then renamed over it.
void save(const at::Tensor& tensor, const std::string& path);

}  // namespace mveb::npy
