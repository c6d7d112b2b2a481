#pragma once
// JSON text as the gateway writes it: numbers as plain decimals (149831.92, 29423), never in the
// exponent form Boost.JSON's serializer prefers (1.4983192E5).

#include <boost/json/value.hpp>

#include <string>

namespace copytrader::sim {

std::string to_text(const boost::json::value& v);
void append_text(const boost::json::value& v, std::string& out);

} // namespace copytrader::sim
