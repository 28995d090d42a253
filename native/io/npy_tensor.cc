#include "io/npy_tensor.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "dtypes.h"
#include "io/npy.h"
#include "torch_compat.h"

namespace mveb::npy {
namespace {

std::runtime_error ioError(const std::string& action, const std::string& path) {
  return std::runtime_error("cannot " + action + " '" + path + "': " + std::strerror(errno));
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

at::Tensor load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ioError("open", path);
  Header header = readHeader(in, path);
  const auto& dtype = dtypeOfNpyDescr(header.descr);
  std::vector<int64_t> shape = header.shape;
  if (header.fortranOrder) std::reverse(shape.begin(), shape.end());
  at::Tensor tensor = at::empty(shape, at::TensorOptions().dtype(dtype.type));
  const auto bytes = static_cast<std::streamsize>(tensor.nbytes());
  in.seekg(0, std::ios::end);
  const std::streamoff available = static_cast<std::streamoff>(in.tellg()) - header.dataOffset;
  if (available != bytes) {
    throw std::runtime_error("'" + path + "' is not a valid .npy file: shape and dtype need " +
                             std::to_string(bytes) + " data bytes, file has " + std::to_string(available));
  }
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
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  {
    File file(std::fopen(temporary.c_str(), "wb"));
    if (!file) throw ioError("create", temporary);
    const bool written =
        std::fwrite(header.data(), 1, header.size(), file.get()) == header.size() &&
        std::fwrite(compat::constDataPtr(data), 1, data.nbytes(), file.get()) == data.nbytes() &&
        std::fflush(file.get()) == 0 && ::fsync(::fileno(file.get())) == 0;
    if (!written) {
      auto error = ioError("write", temporary);
      std::remove(temporary.c_str());
      throw error;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    auto error = ioError("rename onto", path);
    std::remove(temporary.c_str());
    throw error;
  }
}

}  // namespace mveb::npy
