#include "connectors/http/metrics.h"

#include <fmt/format.h>

namespace ledger::http {
namespace {

std::string seconds(int64_t us) {
  return fmt::format("{}.{:06}", us / 1'000'000, us % 1'000'000);
}

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void render_histogram(std::string& out, const std::string& name, const std::string& labels,
                      const LatencyHistogram& h) {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep,
                       seconds(LatencyHistogram::kBucketsUs[i]), cumulative);
  }
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, h.count);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, seconds(h.sum_us), name, braces, h.count);
}

}  // namespace

void LatencyHistogram::observe(int64_t latency_us) {
  ++count;
  sum_us += latency_us;
  for (size_t i = 0; i < kBucketsUs.size(); ++i) {
    if (latency_us <= kBucketsUs[i]) {
      ++counts[i];
      return;
    }
  }
}

void Metrics::add_projection(uint64_t applied, uint64_t duplicates, int64_t latency_us) {
  std::lock_guard lock(mutex_);
  applied_ += applied;
  duplicates_ += duplicates;
  batch_latency_.observe(latency_us);
}

void Metrics::add_projector_rejections(const std::map<std::string, uint64_t>& by_reason) {
  std::lock_guard lock(mutex_);
  for (const auto& [reason, count] : by_reason) rejected_[reason] += count;
}

void Metrics::add_refused(const std::string& reason, uint64_t count) {
  std::lock_guard lock(mutex_);
  refused_[reason] += count;
}

void Metrics::add_appended(uint64_t count) {
  std::lock_guard lock(mutex_);
  appended_ += count;
}

void Metrics::observe_http(const std::string& route, const std::string& method, int status,
                           int64_t latency_us) {
  std::lock_guard lock(mutex_);
  http_latency_[{route, method}].observe(latency_us);
  ++http_requests_[{route, method, status}];
}

std::string Metrics::render(const std::vector<uint64_t>& lag) const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP ledger_events_applied_total Events applied to the views by this process.\n";
  out += "# TYPE ledger_events_applied_total counter\n";
  out += fmt::format("ledger_events_applied_total {}\n", applied_);
  out += "# HELP ledger_events_duplicate_total Events dropped as exact duplicates by id.\n";
  out += "# TYPE ledger_events_duplicate_total counter\n";
  out += fmt::format("ledger_events_duplicate_total {}\n", duplicates_);
  out += "# HELP ledger_events_rejected_total Events kept in the log but rejected, by reason.\n";
  out += "# TYPE ledger_events_rejected_total counter\n";
  for (const auto& [reason, count] : rejected_)
    out += fmt::format("ledger_events_rejected_total{{reason=\"{}\"}} {}\n", escape_label(reason), count);
  out += "# HELP ledger_events_refused_total Events refused by the API before the log, by reason.\n";
  out += "# TYPE ledger_events_refused_total counter\n";
  for (const auto& [reason, count] : refused_)
    out += fmt::format("ledger_events_refused_total{{reason=\"{}\"}} {}\n", escape_label(reason), count);
  out += "# HELP ledger_events_appended_total Events appended to the log through the API.\n";
  out += "# TYPE ledger_events_appended_total counter\n";
  out += fmt::format("ledger_events_appended_total {}\n", appended_);
  out += "# HELP ledger_projection_batch_seconds Latency of one projection pass.\n";
  out += "# TYPE ledger_projection_batch_seconds histogram\n";
  render_histogram(out, "ledger_projection_batch_seconds", "", batch_latency_);
  out += "# HELP ledger_projection_lag_events Events appended but not yet projected, per partition.\n";
  out += "# TYPE ledger_projection_lag_events gauge\n";
  for (size_t p = 0; p < lag.size(); ++p)
    out += fmt::format("ledger_projection_lag_events{{partition=\"{}\"}} {}\n", p, lag[p]);
  out += "# HELP ledger_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE ledger_http_requests_total counter\n";
  for (const auto& [key, count] : http_requests_) {
    const auto& [route, method, status] = key;
    out += fmt::format("ledger_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       escape_label(route), method, status, count);
  }
  out += "# HELP ledger_http_request_seconds HTTP latency by route.\n";
  out += "# TYPE ledger_http_request_seconds histogram\n";
  for (const auto& [key, histogram] : http_latency_) {
    const auto& [route, method] = key;
    render_histogram(out, "ledger_http_request_seconds",
                     fmt::format("route=\"{}\",method=\"{}\"", escape_label(route), method), histogram);
  }
  return out;
}

}  // namespace ledger::http
