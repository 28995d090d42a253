// Turning C++ failures (c10::Error, std::exception) into JS Error messages.
#pragma once

#include <exception>
#include <string>

namespace mveb {

// A message for the user: c10::Error without its C++ backtrace, or what().
std::string describeException(std::exception_ptr error);

// "what: message", unless the message already starts with "what:" (domain checks name their
// operation too).
std::string prefixed(const std::string& what, const std::string& message);

}  // namespace mveb
