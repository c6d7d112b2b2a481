#include "sim/json_text.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace copytrader::sim {

void append_text(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::double_: {
      const double d = v.get_double();
      // fmt's shortest round-trip form, in fixed notation for the magnitudes prices and balances have.
      if (std::isfinite(d) && std::abs(d) < 1e15) {
        std::string text = fmt::format("{:f}", d);
        if (text.find('.') != std::string::npos) {
          while (text.back() == '0') text.pop_back();
          if (text.back() == '.') text.pop_back();
        }
        // {:f} prints six decimals; fall back to the shortest form when that lost precision.
        if (std::stod(text) != d) text = fmt::format("{}", d);
        out += text;
      } else {
        out += boost::json::serialize(v);
      }
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::value(key));
        out += ':';
        append_text(value, out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_text(item, out);
      }
      out += ']';
      return;
    }
    default: out += boost::json::serialize(v);
  }
}

std::string to_text(const boost::json::value& v) {
  std::string out;
  append_text(v, out);
  return out;
}

} // namespace copytrader::sim
