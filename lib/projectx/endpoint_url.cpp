#include "projectx/endpoint_url.hpp"

#include <boost/url/parse.hpp>

namespace copytrader::projectx {

namespace {

struct parts {
  std::string host;
  std::string port;
  std::string path;
};

outcome<parts> split(std::string_view url, std::string_view secure_scheme, std::string_view default_port) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return failure("not a URL: " + std::string(url));
  if (parsed->scheme() != secure_scheme) return failure("expected a " + std::string(secure_scheme) + ":// URL");
  parts p{std::string(parsed->host()), parsed->has_port() ? std::string(parsed->port()) : std::string(default_port),
          std::string(parsed->path())};
  if (p.host.empty()) return failure("the URL has no host: " + std::string(url));
  return p;
}

} // namespace

outcome<https_endpoint> rest_endpoint_from(std::string_view base_url, duration request_timeout) {
  auto p = split(base_url, "https", "443");
  if (!p) return p.error();
  https_endpoint ep;
  ep.host = p->host;
  ep.port = p->port;
  ep.request_timeout = request_timeout;
  return ep;
}

outcome<hub_endpoint> hub_endpoint_from(std::string_view user_hub_url) {
  auto p = split(user_hub_url, "wss", "443");
  if (!p) return p.error();
  return hub_endpoint{p->host, p->port, p->path.empty() ? "/hubs/user" : p->path};
}

} // namespace copytrader::projectx
