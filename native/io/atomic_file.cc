#include "io/atomic_file.h"

#include "io/io_error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace mveb {
namespace {

// Owns the temporary file until it is renamed into place.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd_ < 0) throw ioError("create", path_);
  }
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) std::remove(path_.c_str());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  void write(const ByteSpan& span) {
    const auto* bytes = static_cast<const char*>(span.data);
    size_t written = 0;
    while (written < span.size) {
      ssize_t n = ::write(fd_, bytes + written, span.size - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw ioError("write", path_);
      written += static_cast<size_t>(n);
    }
  }

  void commitAs(const std::string& target) {
    if (::fsync(fd_) != 0) throw ioError("flush", path_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw ioError("close", path_);
    if (std::rename(path_.c_str(), target.c_str()) != 0) throw ioError("rename onto", target);
    committed_ = true;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

void writeFileAtomically(const std::string& path, const std::vector<ByteSpan>& spans) {
  TemporaryFile file(path + ".tmp-" + std::to_string(::getpid()));
  for (const auto& span : spans) file.write(span);
  file.commitAs(path);
}

}  // namespace mveb
