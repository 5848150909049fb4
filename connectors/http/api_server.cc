#include "connectors/http/api_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <regex>
#include <thread>

#include "connectors/http/bounded_work_queue.h"
#include "connectors/http/embedded_assets.h"

namespace ledger::http {
namespace {

//! "/v1/accounts/{account}" -> "/v1/accounts/([^/]+)"
std::string route_regex(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      i = path.find('}', i);
      out += "([^/]+)";
    } else if (path[i] == '.') {
      out += "\\.";
    } else {
      out.push_back(path[i]);
    }
  }
  return out;
}

std::string content_type_of(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

//! Compares without stopping at the first difference, so timing says nothing of the token.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

constexpr char kLoginPage[] =
    "<!doctype html><html><head><meta charset=utf-8><title>ledger</title></head><body style=\"font-family:"
    "sans-serif;margin:3em\"><h1>ledger console</h1><form method=get action=/login><label>Token "
    "<input type=password name=token autofocus></label> <button>Sign in</button></form></body></html>";

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

ApiServer::ApiServer(Engine& engine, ServeOptions options)
    : options_(std::move(options)), loop_(engine, metrics_), context_{engine, loop_, metrics_, options_, {}} {
  server_.new_task_queue = [this] {
    return new BoundedWorkQueue(options_.worker_threads, options_.queue_max);
  };
  server_.set_payload_max_length(options_.body_max_bytes);
  // httplib writes the headers and the body apart; with Nagle on, the body waits for the
  // client's delayed ACK (about 40 ms a response).
  server_.set_tcp_nodelay(true);
  server_.set_read_timeout(std::chrono::seconds(30));
  server_.set_write_timeout(std::chrono::seconds(30));
  server_.set_error_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;  // a handler's own error, already written
    const bool form =
        request.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0;
    if (response.status == 413 && form) {
      // httplib parses form bodies itself, within a small bound of its own.
      write_error(response, {413, "body_too_large", "Content-Type",
                             "Content-Type: a form body this large is refused; send the JSON with "
                             "Content-Type: application/json"});
    } else if (response.status == 413) {
      write_error(response, {413, "body_too_large", "body",
                             fmt::format("body: larger than the {} bytes a request may carry",
                                         options_.body_max_bytes)});
    } else if (response.status == 404) {
      write_error(response, not_found("path", "path: no route " + request.method + " " + request.path));
    } else {
      write_error(response, {response.status, "http_error", "", "HTTP " + std::to_string(response.status)});
    }
  });
  register_api();
  register_console();
}

ApiServer::~ApiServer() {
  stop();
}

Result<int> ApiServer::bind() {
  if (options_.token.empty() && !is_loopback_host(options_.host)) {
    return Status::invalid_argument(
        "--listen: " + options_.host +
        " is not a loopback address; set --token (or LEDGER_TOKEN) to serve on it");
  }
  int port = options_.port;
  if (port == 0) {
    port = server_.bind_to_any_port(options_.host);
    if (port < 0) return Status::io_error("--listen: cannot bind " + options_.host);
  } else if (!server_.bind_to_port(options_.host, port)) {
    return Status::io_error(fmt::format("--listen: cannot bind {}:{} (in use?)", options_.host, port));
  }
  loop_.start();
  return port;
}

void ApiServer::serve() {
  serve_entered_ = true;
  if (!stop_requested_) server_.listen_after_bind();
  serve_returned_ = true;
}

void ApiServer::stop() {
  stop_requested_ = true;
  // A serve() that has not seen the request yet is about to listen: wait for its loop to run
  // (a few microseconds), since httplib ignores a stop() that comes before it.
  while (serve_entered_ && !serve_returned_ && !server_.is_running()) std::this_thread::yield();
  server_.stop();
  loop_.stop();
}

bool ApiServer::authorized(const httplib::Request& request) const {
  if (options_.token.empty()) return true;
  const std::string header = request.get_header_value("Authorization");
  if (header.rfind("Bearer ", 0) == 0 && same_secret(header.substr(7), options_.token)) return true;
  const std::string cookies = request.get_header_value("Cookie");
  static const std::regex kCookie("(?:^|;\\s*)ledger_token=([^;]*)");
  std::smatch match;
  return std::regex_search(cookies, match, kCookie) && same_secret(match[1].str(), options_.token);
}

void ApiServer::write_error(httplib::Response& response, const ApiError& error) const {
  response.status = error.http_status;
  if (error.http_status == 401) response.set_header("WWW-Authenticate", "Bearer");
  if (error.http_status == 503) response.set_header("Retry-After", "1");
  response.set_content(error.to_json().dump(), "application/json");
}

void ApiServer::register_api() {
  for (const RouteSpec& spec : api_routes()) {
    const bool open = spec.path == "/healthz" || spec.path == "/readyz";
    auto handler = [this, spec, open](const httplib::Request& request, httplib::Response& response) {
      const auto start = std::chrono::steady_clock::now();
      response.status = 200;
      ApiOutcome outcome;
      if (!open && !authorized(request)) {
        outcome =
            ApiError{401, "unauthorized", "Authorization", "Authorization: a valid bearer token is required"};
      } else {
        try {
          outcome = spec.handler(context_, request, response);
        } catch (const std::exception& error) {
          spdlog::error("{} {}: {}", request.method, request.path, error.what());
          outcome = ApiError{500, "internal", "", error.what()};
        }
      }
      if (outcome) write_error(response, *outcome);
      const auto elapsed = std::chrono::steady_clock::now() - start;
      metrics_.observe_http(std::string(spec.path), request.method, response.status,
                            std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
    };
    const std::string pattern = route_regex(spec.path);
    if (spec.method == "GET") server_.Get(pattern, handler);
    if (spec.method == "POST") server_.Post(pattern, handler);
  }
}

void ApiServer::register_console() {
  auto serve_asset = [this](const std::string& path, const httplib::Request& request,
                            httplib::Response& response) {
    if (!authorized(request)) {
      response.status = 401;
      response.set_content(kLoginPage, "text/html; charset=utf-8");
      return;
    }
    const EmbeddedAsset* asset = find_asset(path);
    if (!asset) {
      write_error(response, not_found("path", "path: no file " + request.path));
      return;
    }
    response.set_header("Cache-Control", "no-cache");
    response.set_content(std::string(asset->bytes), content_type_of(path).c_str());
  };
  server_.Get("/", [serve_asset](const httplib::Request& request, httplib::Response& response) {
    serve_asset("web/index.html", request, response);
  });
  server_.Get("/console/([A-Za-z0-9_.-]+)",
              [serve_asset](const httplib::Request& request, httplib::Response& response) {
                serve_asset("web/" + request.matches[1].str(), request, response);
              });
  server_.Get("/login", [this](const httplib::Request& request, httplib::Response& response) {
    const std::string token = request.get_param_value("token");
    if (options_.token.empty() || !same_secret(token, options_.token)) {
      response.status = 401;
      response.set_content(kLoginPage, "text/html; charset=utf-8");
      return;
    }
    response.set_header("Set-Cookie", "ledger_token=" + token + "; HttpOnly; SameSite=Strict; Path=/");
    response.set_redirect("/");
  });
}

}  // namespace ledger::http
