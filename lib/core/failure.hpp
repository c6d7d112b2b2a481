#pragma once
// A predictable failure told in words: `outcome<T>` for operations whose error is reported to a person
// (a lock already held, a file that cannot be written). Code never dispatches on the words: where a
// caller must tell failures apart, the layer that fails sets `code` (projectx/rest_error.hpp).

#include <boost/system/result.hpp>

#include <ostream>
#include <stdexcept>
#include <string>

namespace copytrader {

struct failure {
  // Explicit, so that a string is never mistaken for a failure where a result holds a string.
  failure() = default;
  explicit failure(std::string text) : message(std::move(text)) {}
  failure(boost::system::error_code why, std::string text) : code(why), message(std::move(text)) {}
  boost::system::error_code code; // empty unless the failing layer says what kind it was
  std::string message;
};

inline std::ostream& operator<<(std::ostream& out, const failure& f) { return out << f.message; }

[[noreturn]] inline void throw_exception_from_error(const failure& f, const boost::source_location&) {
  throw std::runtime_error(f.message);
}

template <typename T>
using outcome = boost::system::result<T, failure>;

} // namespace copytrader
