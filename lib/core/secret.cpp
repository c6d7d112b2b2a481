#include "core/secret.hpp"

#include <openssl/crypto.h>

#include <ostream>

namespace copytrader {

// Moving hands the heap buffer over; wipe() then clears what a short string left in the source's
// inline buffer.
secret::secret(secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }

secret& secret::operator=(const secret& other) {
  if (this != &other) {
    wipe();
    value_ = other.value_;
  }
  return *this;
}

secret& secret::operator=(secret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

secret::~secret() { wipe(); }

void secret::wipe() noexcept {
  // The whole capacity, not just size(): a shrunk string still holds the old bytes.
  if (value_.capacity() > 0) OPENSSL_cleanse(value_.data(), value_.capacity());
  value_.clear();
}

std::ostream& operator<<(std::ostream& out, const secret&) { return out << secret::redacted_text; }

} // namespace copytrader
