#include "projectx/rest_error.hpp"

#include <string>

namespace copytrader::projectx {
namespace {

// Boost's error_category has a protected non-virtual destructor by design: a category is a static
// object, never deleted through a pointer to its base.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class rest_category_impl final : public boost::system::error_category {
public:
  [[nodiscard]] const char* name() const noexcept override { return "projectx.rest"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<rest_error>(value)) {
      case rest_error::stopping: return "not sent: the daemon is stopping";
      case rest_error::no_session: return "no session: the login failed";
      case rest_error::transport: return "no complete response";
      case rest_error::unauthorized: return "unauthorized after a fresh login";
      case rest_error::throttled: return "throttled by the venue (HTTP 429)";
      case rest_error::http_status: return "unexpected HTTP status";
      case rest_error::malformed: return "response not understood";
      case rest_error::refused_by_venue: return "refused by the venue";
      case rest_error::not_found: return "not found at the venue";
    }
    return "unknown REST error";
  }
};
#pragma GCC diagnostic pop

} // namespace

const boost::system::error_category& rest_category() noexcept {
  static const rest_category_impl category;
  return category;
}

} // namespace copytrader::projectx
