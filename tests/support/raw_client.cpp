#include "support/raw_client.hpp"

#include "signalr/record_framer.hpp"
#include "support/blocking_http.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sys/socket.h>

#include <cctype>
#include <csignal>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace copytrader::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

void configure_tls(asio::ssl::context& tls, const std::string& ca_pem) {
  tls.set_verify_mode(asio::ssl::verify_peer);
  tls.add_certificate_authority(asio::buffer(ca_pem));
}

} // namespace

raw_https::raw_https(unsigned short port, const std::string& ca_pem)
    : tls_(asio::ssl::context::tls_client), port_(port) {
  configure_tls(tls_, ca_pem);
}

raw_https::~raw_https() = default;

void raw_https::connect() {
  stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(io_, tls_);
  stream_->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  set_socket_timeout(stream_->next_layer(), io_timeout);
  stream_->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  stream_->handshake(asio::ssl::stream_base::client);
}

raw_response raw_https::send_raw(const std::string& request) {
  if (!stream_) connect();
  beast::error_code ec;
  asio::write(*stream_, asio::buffer(request), ec);
  if (ec) {
    stream_.reset();
    return raw_response{0, {}, {}, true};
  }
  raw_response r = read_response(*stream_);
  if (r.connection_closed || r.headers["connection"] == "close") stream_.reset();
  return r;
}

raw_response raw_https::post(std::string_view path, std::string_view body, std::string_view bearer) {
  std::string request =
      "POST " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  if (!bearer.empty()) request += "Authorization: Bearer " + std::string(bearer) + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  return send_raw(request);
}

raw_hub::raw_hub(unsigned short port, const std::string& ca_pem, const std::string& token)
    : tls_(asio::ssl::context::tls_client) {
  configure_tls(tls_, ca_pem);
  ws_ = std::make_unique<beast::websocket::stream<asio::ssl::stream<tcp::socket>>>(io_, tls_);
  auto& socket = beast::get_lowest_layer(*ws_);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  ws_->next_layer().set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  bool done = false;
  beast::error_code ec;
  const auto deadline = std::chrono::steady_clock::now() + io_timeout;
  ws_->next_layer().async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_until(done, deadline) || ec) throw std::runtime_error("hub TLS handshake failed");
  done = false;
  ws_->async_handshake("127.0.0.1", "/hubs/user?access_token=" + token, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_until(done, deadline) || ec) throw std::runtime_error("hub upgrade refused: " + ec.message());
  ws_->text(true);
}

raw_hub::~raw_hub() {
  beast::error_code ignored;
  beast::get_lowest_layer(*ws_).close(ignored);
}

bool raw_hub::run_until(const bool& done, std::chrono::steady_clock::time_point deadline) {
  io_.restart();
  while (!done) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io_.run_one_until(deadline) == 0 && !done) io_.restart();
  }
  return true;
}

void raw_hub::send(const std::string& text) {
  bool done = false;
  beast::error_code ec;
  ws_->async_write(asio::buffer(text), [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_until(done, std::chrono::steady_clock::now() + io_timeout) || ec) {
    throw std::runtime_error("hub write failed");
  }
}

std::optional<std::string> raw_hub::read(std::chrono::milliseconds timeout) {
  if (closed_) return std::nullopt;
  if (!reading_) {
    reading_ = true;
    read_done_ = false;
    ws_->async_read(read_buffer_, [this](beast::error_code e, std::size_t) {
      read_error_ = e;
      read_done_ = true;
    });
  }
  if (!run_until(read_done_, std::chrono::steady_clock::now() + timeout)) return std::nullopt;
  reading_ = false;
  if (read_error_) {
    closed_ = true;
    close_reason = read_error_.message();
    return std::nullopt;
  }
  std::string message = beast::buffers_to_string(read_buffer_.data());
  read_buffer_.consume(read_buffer_.size());
  return message;
}

std::vector<json::value> raw_hub::records(std::size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (queued_.size() < count) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto message = read(left);
    if (!message) break;
    pending_ += *message;
    std::size_t end;
    while ((end = pending_.find(signalr::record_separator)) != std::string::npos) {
      boost::system::error_code ec;
      auto v = json::parse(std::string_view(pending_).substr(0, end), ec);
      queued_.push_back(ec ? json::value(json::string("<malformed>" + pending_.substr(0, end))) : v);
      pending_.erase(0, end + 1);
    }
  }
  const std::size_t n = std::min(count, queued_.size());
  std::vector<json::value> out(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(n));
  queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(n));
  return out;
}

void raw_hub::open(const std::vector<std::pair<std::string, std::int64_t>>& subscriptions) {
  send(std::string(R"({"protocol":"json","version":1})") + signalr::record_separator);
  auto handshake = records(1, std::chrono::seconds(10));
  if (handshake.size() != 1 || !handshake[0].is_object() || !handshake[0].as_object().empty()) {
    throw std::runtime_error("hub handshake failed");
  }
  for (const auto& [method, account] : subscriptions) {
    const std::string id = std::to_string(next_id_++);
    std::string frame = R"({"type":1,"invocationId":")" + id + R"(","target":")" + method + R"(","arguments":[)";
    if (account != 0) frame += std::to_string(account);
    frame += "]}";
    frame.push_back(signalr::record_separator);
    send(frame);
    for (;;) {
      auto reply = records(1, std::chrono::seconds(10));
      if (reply.empty()) throw std::runtime_error("no completion for " + method);
      const auto& o = reply[0].as_object();
      if (o.at("type").as_int64() == 6) continue; // a ping on the way
      if (o.at("type").as_int64() != 3 || o.at("invocationId").as_string() != id || o.contains("error")) {
        throw std::runtime_error(method + " failed: " + json::serialize(reply[0]));
      }
      break;
    }
  }
}

sim_process::sim_process(std::vector<std::string> extra_args, std::optional<std::string> world_json,
                         const std::map<std::string, std::string>& env) {
  if (world_json)
    dir.write("world.json", *world_json);
  else
    dir.write("world.json", R"({"users":[{"username":"leader_user","api_key":"leader-key"},
    {"username":"follower_user","api_key":"follower-key"}],
   "accounts":[{"id":1001,"username":"leader_user"},{"id":1002,"username":"leader_user"},
    {"id":2001,"username":"follower_user"},
    {"id":2002,"username":"follower_user"},{"id":2003,"username":"follower_user","position_brackets":true}]})");
  const auto ports = dir.path() / "ports.json";
  std::vector<std::string> args{"--world",     (dir.path() / "world.json").string(),
                                "--ca-out",    (dir.path() / "ca.pem").string(),
                                "--ports-out", ports.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<child_process>(PROJECTX_SIM_PATH, args, env, dir.path() / "sim.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(ports)) {
    if (std::chrono::steady_clock::now() > deadline || !process_->running()) {
      throw std::runtime_error("projectx-sim did not start: " + read_file(dir.path() / "sim.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto p = json::parse(read_file(ports)).as_object();
  port = static_cast<unsigned short>(p.at("port").as_int64());
  control_port = static_cast<unsigned short>(p.at("control_port").as_int64());
  ca_pem = read_file(dir.path() / "ca.pem");
}

sim_process::~sim_process() {
  process_->signal(SIGTERM);
  process_->wait_exit(std::chrono::seconds(5));
}

std::string sim_process::login(const std::string& user, const std::string& key) const {
  auto r = https().post("/api/Auth/loginKey", R"({"userName":")" + user + R"(","apiKey":")" + key + R"("})");
  return std::string(r.json().at("token").as_string());
}

int sim_process::position(std::int64_t account, std::string_view contract) const {
  const auto book = ledger(account);
  for (const auto& p : book.at("positions").as_array()) {
    if (p.at("contractId").as_string() != contract) continue;
    const auto size = static_cast<int>(p.at("size").to_number<double>());
    const auto type = p.at("type").to_number<int>();
    return type == 1 ? size : type == 2 ? -size : 0;
  }
  return 0;
}

json::value sim_process::ledger(std::int64_t account) const {
  return control("GET", "/ledger?account=" + std::to_string(account)).json();
}

std::string sim_process::log_text() const { return read_file(dir.path() / "sim.log"); }

} // namespace copytrader::testing
