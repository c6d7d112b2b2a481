#pragma once
// The TLS context by name only, for headers that pass it on or hold it: Asio's ssl/context.hpp
// brings in OpenSSL's headers, which every unit including them then parses.

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl
