#include "connectors/ingest/json_lines_ingester.h"

#include <vector>

#include "engine/event_validation.h"

namespace ledger {
namespace {

//! Events decoded but not yet appended.
struct PendingBatch {
  std::vector<std::string> events;
  std::vector<AppendRequest> requests;
  uint64_t last_line = 0;

  void add(std::string bytes, uint64_t line) {
    events.push_back(std::move(bytes));
    last_line = line;
  }
  void build_requests() {
    requests.clear();
    for (const auto& bytes : events) {
      const schema::Event* event = schema::GetEvent(bytes.data());
      std::string_view account = event->account() ? event->account()->string_view() : std::string_view();
      requests.push_back({account, bytes, is_broadcast(event->body_type())});
    }
  }
  void clear() {
    events.clear();
    requests.clear();
  }
};

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

Result<IngestReport> JsonLinesIngester::ingest(std::istream& input, const ErrorSink& on_error,
                                               const AckSink& on_ack) {
  IngestReport report;
  PendingBatch batch;
  auto flush = [&]() -> Status {
    if (batch.events.empty()) return Status::ok();
    batch.build_requests();
    if (Status appended = log_.append(batch.requests, nullptr); !appended) return appended;
    report.appended += batch.events.size();
    if (on_ack) on_ack(batch.last_line, report.appended);
    batch.clear();
    return Status::ok();
  };
  std::string line;
  for (uint64_t number = 1; std::getline(input, line); ++number) {
    if (is_blank(line)) continue;
    ++report.lines_read;
    auto event = codec_.from_json(line);
    if (!event) {
      ++report.refused;
      if (on_error) on_error({number, event.status().message()});
      continue;
    }
    batch.add(std::move(*event), number);
    if (batch.events.size() >= batch_events_) {
      if (Status flushed = flush(); !flushed) return flushed;
    }
  }
  if (Status flushed = flush(); !flushed) return flushed;
  return report;
}

}  // namespace ledger
