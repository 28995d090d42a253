#include "io/npy_tensor.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <numeric>
#include <stdexcept>

#include "dtypes.h"
#include "io/atomic_file.h"
#include "io/io_error.h"
#include "io/npy.h"
#include "torch_compat.h"

namespace mveb::npy {
at::Tensor load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ioError("open", path);
  Header header = readHeader(in, path);
  const auto& dtype = dtypeOfNpyDescr(header.descr);
  std::vector<int64_t> shape = header.shape;
  if (header.fortranOrder) std::reverse(shape.begin(), shape.end());
  // Checked against the file before allocating, so a corrupt shape never reaches the allocator.
  int64_t bytes = static_cast<int64_t>(c10::elementSize(dtype.type));
  for (int64_t size : shape) {
    if (__builtin_mul_overflow(bytes, size, &bytes))
      throw std::runtime_error("'" + path + "' is not a valid .npy file: its shape is too large");
  }
  in.seekg(0, std::ios::end);
  const std::streamoff available = static_cast<std::streamoff>(in.tellg()) - header.dataOffset;
  if (available != bytes) {
    throw std::runtime_error("'" + path + "' is not a valid .npy file: shape and dtype need " + std::to_string(bytes) +
                             " data bytes, file has " + std::to_string(available));
  }
  at::Tensor tensor = at::empty(shape, at::TensorOptions().dtype(dtype.type));
  in.seekg(header.dataOffset);
  if (bytes > 0 && !in.read(static_cast<char*>(tensor.data_ptr()), bytes)) throw ioError("read", path);
  if (header.fortranOrder && tensor.dim() > 1) {
    std::vector<int64_t> reversed(tensor.dim());
    std::iota(reversed.rbegin(), reversed.rend(), 0);
    tensor = tensor.permute(reversed).contiguous();
  }
  return tensor;
}

void save(const at::Tensor& tensor, const std::string& path) {
  const auto& dtype = dtypeOf(tensor.scalar_type());
  at::Tensor data = tensor.to(at::kCPU).contiguous();
  std::string header = formatHeader(dtype.npyDescr, data.sizes().vec());
  writeFileAtomically(path, {{header.data(), header.size()}, {compat::constDataPtr(data), data.nbytes()}});
}

}  // namespace mveb::npy
