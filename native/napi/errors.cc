#include "napi/errors.h"

#include <c10/util/Exception.h>

namespace mveb {

std::string describeException(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const c10::Error& e) {
    // what() carries a C++ stack trace the user cannot act on.
    return e.what_without_backtrace();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown native error";
  }
}

std::string prefixed(const std::string& what, const std::string& message) {
  if (message.compare(0, what.size() + 1, what + ":") == 0) return message;
  return what + ": " + message;
}

}  // namespace mveb
