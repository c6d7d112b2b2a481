#pragma once
// How Catch2 shows our result types when an assertion fails: the errors, which is what one needs.

#include "config/diagnostic.hpp"
#include "core/failure.hpp"

#include <catch2/catch.hpp>

namespace Catch {

template <typename T>
struct StringMaker<boost::system::result<T, copytrader::config_errors>> {
  static std::string convert(const boost::system::result<T, copytrader::config_errors>& r) {
    return r ? std::string("(ok)") : "(errors)\n" + r.error().to_string();
  }
};

template <typename T>
struct StringMaker<boost::system::result<T, copytrader::failure>> {
  static std::string convert(const boost::system::result<T, copytrader::failure>& r) {
    return r ? std::string("(ok)") : "(failure) " + r.error().message;
  }
};

} // namespace Catch
