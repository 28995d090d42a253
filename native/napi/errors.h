// Turning C++ failures (c10::Error, std::exception) into JS Error messages.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace mveb {

// A message for the user: c10::Error without its C++ backtrace, or what().
std::string describeException(std::exception_ptr error);

// An error in the caller's arguments, reported as a JS TypeError-like message.
class ArgumentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mveb
