// Request parsing and response helpers shared by every handler.

#include <fmt/format.h>

#include <charconv>

#include "connectors/http/api_context.h"
#include "connectors/json/view_json.h"
#include "engine/calendar.h"

namespace ledger::http {

ApiOutcome check_params(const httplib::Request& request, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : request.params) {
    bool known = false;
    for (auto a : allowed) known = known || name == a;
    if (name == "after" || name == "wait_ms" || name == "token") known = true;
    if (!known) {
      std::string choices;
      for (auto a : allowed) choices += (choices.empty() ? "" : ", ") + std::string(a);
      return bad_request(name, "'" + name + "' is not a parameter of this route" +
                                   (choices.empty() ? std::string() : " (expected: " + choices + ")"));
    }
  }
  return std::nullopt;
}

std::string param(const httplib::Request& request, const std::string& name) {
  return request.has_param(name) ? request.get_param_value(name) : std::string();
}

ApiOutcome day_param(const httplib::Request& request, const std::string& name, int32_t& day) {
  const std::string text = param(request, name);
  if (text.empty()) return std::nullopt;
  auto parsed = parse_day(text, name);
  if (!parsed) return bad_request(name, parsed.status().message());
  day = *parsed;
  return std::nullopt;
}

namespace {

//! A decimal integer filling all of `text`.
std::optional<uint64_t> parse_u64(std::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

ApiOutcome count_param(const httplib::Request& request, const std::string& name, size_t max, size_t& value) {
  const std::string text = param(request, name);
  if (text.empty()) return std::nullopt;
  auto parsed = parse_u64(text);
  if (!parsed || *parsed == 0 || *parsed > max) {
    return bad_request(name, fmt::format("{}: '{}' is not a whole number from 1 to {}", name, text, max));
  }
  value = *parsed;
  return std::nullopt;
}

ApiOutcome parse_body_object(const httplib::Request& request, nlohmann::json& out) {
  try {
    out = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& error) {
    return ApiError{400, "malformed_json", "body", fmt::format("body: not JSON ({})", error.what())};
  }
  if (!out.is_object()) return ApiError{400, "invalid_argument", "body", "body: expected a JSON object"};
  return std::nullopt;
}

ApiOutcome check_keys(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                      const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      const std::string field = where + "." + key;
      return bad_request(field, field + ": unknown field");
    }
  }
  return std::nullopt;
}

namespace {

//! Parses "P:O,P:O" into per-partition targets.
ApiOutcome parse_after(const std::string& text, size_t partitions, std::vector<uint64_t>& targets) {
  targets.assign(partitions, 0);
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string_view item(text.data() + start, comma - start);
    const size_t colon = item.find(':');
    auto partition = colon == std::string_view::npos ? std::nullopt : parse_u64(item.substr(0, colon));
    auto offset = colon == std::string_view::npos ? std::nullopt : parse_u64(item.substr(colon + 1));
    if (!partition || !offset) {
      return bad_request("after", "after: '" + std::string(item) + "' is not PARTITION:OFFSET");
    }
    if (*partition >= partitions) {
      return bad_request("after", fmt::format("after: partition {} does not exist (the log has {})",
                                              *partition, partitions));
    }
    targets[*partition] = std::max(targets[*partition], *offset);
    start = comma + 1;
  }
  return std::nullopt;
}

}  // namespace

ApiOutcome wait_after(ApiContext& context, const httplib::Request& request) {
  const std::string after = param(request, "after");
  size_t wait_ms = static_cast<size_t>(context.options.wait_default.count());
  if (auto bad =
          count_param(request, "wait_ms", static_cast<size_t>(context.options.wait_max.count()), wait_ms))
    return bad;
  if (after.empty()) return std::nullopt;
  std::vector<uint64_t> targets;
  if (auto bad = parse_after(after, context.engine.log().partition_count(), targets)) return bad;
  if (!context.loop.wait_for(targets, std::chrono::milliseconds(wait_ms))) {
    return ApiError{503, "not_caught_up", "after",
                    fmt::format("after: the views did not reach {} within {} ms (projected: {})", after,
                                wait_ms, offsets_header(context.loop.projected()))};
  }
  return std::nullopt;
}

std::vector<uint64_t> log_ends(ApiContext& context) {
  return context.loop.end_offsets();
}

std::string offsets_header(const std::vector<uint64_t>& offsets) {
  std::string out;
  for (size_t p = 0; p < offsets.size(); ++p) out += fmt::format("{}{}:{}", p == 0 ? "" : ",", p, offsets[p]);
  return out;
}

ApiOutcome reply_json(httplib::Response& response, const ReadSnapshot& snapshot, nlohmann::json body,
                      int status) {
  auto offsets = snapshot.offsets();
  if (!offsets) return from_status(offsets.status());
  body["offsets"] = offsets_json(*offsets);
  response.status = status;
  response.set_header("X-Ledger-Offsets", offsets_header(*offsets));
  response.set_content(body.dump(), "application/json");
  return std::nullopt;
}

}  // namespace ledger::http
