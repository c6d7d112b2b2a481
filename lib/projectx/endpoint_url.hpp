#pragma once
// api.base_url and api.user_hub_url (already validated by the config loader) as the host, port and
// path the clients connect to. The hub URL's token is added per connection, never stored here.

#include "core/failure.hpp"
#include "projectx/https_client.hpp"
#include "projectx/hub_client.hpp"

#include <string_view>

namespace copytrader::projectx {

outcome<https_endpoint> rest_endpoint_from(std::string_view base_url, duration request_timeout);
outcome<hub_endpoint> hub_endpoint_from(std::string_view user_hub_url);

} // namespace copytrader::projectx
