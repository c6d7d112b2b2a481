#pragma once
// The page, its script and its style, compiled into the binary from lib/dashboard/assets/ (CMake
// writes them into a source file): no CDN, no files to install, nothing fetched at run time.

#include <string_view>

namespace copytrader::dashboard {

struct asset {
  std::string_view body;
  std::string_view content_type;
};

extern const asset page_asset;
extern const asset script_asset;
extern const asset style_asset;

} // namespace copytrader::dashboard
