// File errors that name the action, the path and the system's reason.
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace mveb {

// Call right after the failing system call: it reads errno.
inline std::runtime_error ioError(const std::string& action, const std::string& path) {
  return std::runtime_error("cannot " + action + " '" + path + "': " + std::strerror(errno));
}

}  // namespace mveb
