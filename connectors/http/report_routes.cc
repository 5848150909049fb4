// GET /v1/reports/{report}: every report of `ledger report` with the same parameters, as JSON
// (one page, with the next cursor) or as a CSV or XLSX download of every page.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "connectors/export/csv_writer.h"
#include "connectors/export/report_render.h"
#include "connectors/export/xlsx_writer.h"
#include "connectors/http/api_context.h"
#include "engine/calendar.h"
#include "projections/reports.h"

namespace ledger::http {
namespace {

constexpr std::string_view kReports[] = {"summary", "aging", "credits", "revenue", "transactions", "unpaid"};
constexpr size_t kPageMax = 100'000;

ApiOutcome parse_report_request(const httplib::Request& request, ReportRequest& out) {
  out.report = request.matches[1];
  bool known = false;
  for (auto name : kReports) known = known || out.report == name;
  if (!known) {
    return not_found("report", "report: '" + out.report +
                                   "' is not one of summary, aging, credits, revenue, transactions, unpaid");
  }
  if (auto bad = day_param(request, "from", out.from_day)) return bad;
  if (auto bad = day_param(request, "to", out.to_day)) return bad;
  if (auto bad = day_param(request, "as_of", out.as_of_day)) return bad;
  if (out.from_day && out.to_day && out.from_day > out.to_day) {
    return bad_request("from", "from: " + format_day(out.from_day) + " is after to " +
                                   format_day(out.to_day) + ": the range is empty");
  }
  out.operator_filter = param(request, "operator");
  out.account = param(request, "account");
  out.kind = param(request, "kind");
  if (request.has_param("basis")) out.basis = param(request, "basis");
  if (out.basis != "cash" && out.basis != "accrual") {
    return bad_request("basis", "basis: '" + out.basis + "' is not one of cash, accrual");
  }
  out.status = param(request, "status");
  out.lifecycle = param(request, "lifecycle");
  const std::string overdue = param(request, "overdue");
  if (!overdue.empty() && overdue != "true" && overdue != "false") {
    return bad_request("overdue", "overdue: '" + overdue + "' is not true or false");
  }
  out.overdue_only = overdue == "true";
  out.cursor = param(request, "cursor");
  return count_param(request, "limit", kPageMax, out.limit);
}

//! Runs the pages after `first` until the report says there are no more: one snapshot for
//! all, so the pages add up to one consistent report.
Status for_each_page(ApiContext& context, const ReadSnapshot& snapshot, ReportRequest request,
                     ReportTable first, const std::function<Status(const ReportTable&)>& write) {
  ReportTable page = std::move(first);
  for (;;) {
    if (Status written = write(page); !written) return written;
    if (page.next_cursor.empty()) return Status::ok();
    if (page.next_cursor == request.cursor) {
      return Status::corruption("report " + request.report + ": the cursor did not advance");
    }
    request.cursor = page.next_cursor;
    auto next = run_report(context.engine.store(), snapshot, request);
    if (!next) return next.status();
    page = std::move(*next);
  }
}

void set_download(httplib::Response& response, const ReadSnapshot& snapshot, const std::string& file_name,
                  std::string body, const char* content_type) {
  if (auto offsets = snapshot.offsets()) response.set_header("X-Ledger-Offsets", offsets_header(*offsets));
  response.set_header("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  response.set_content(std::move(body), content_type);
}

//! A CSV download written page by page as the client reads it: the provider keeps one snapshot
//! alive for every page, so memory holds a page at a time rather than the whole report.
class CsvStream {
 public:
  CsvStream(ApiContext& context, const ReportRequest& request)
      : context_(context),
        snapshot_(context.engine.store(), context.engine.log().partition_count()),
        request_(request),
        writer_(buffer_) {}

  const ReadSnapshot& snapshot() const { return snapshot_; }
  //! Runs the first page; its errors are still the caller's 4xx.
  Result<std::string> start() {
    auto first = run_report(context_.engine.store(), snapshot_, request_);
    if (!first) return first.status();
    page_ = std::move(*first);
    return report_file_name(page_, "csv");
  }
  //! Sends the current page and runs the next; false aborts the response (the connection closes).
  bool next(httplib::DataSink& sink) {
    if (finished_) {
      sink.done();
      return true;
    }
    if (!writer_.write_page(page_)) return false;
    const std::string chunk = buffer_.str();
    buffer_.str("");
    if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
    if (page_.next_cursor.empty() || page_.next_cursor == request_.cursor) {
      finished_ = true;
      return true;
    }
    request_.cursor = page_.next_cursor;
    auto more = run_report(context_.engine.store(), snapshot_, request_);
    if (!more) {
      spdlog::error("report {}: {}", request_.report, more.status().to_string());
      return false;
    }
    page_ = std::move(*more);
    return true;
  }

 private:
  ApiContext& context_;
  ReadSnapshot snapshot_;
  ReportRequest request_;
  ReportTable page_;
  std::ostringstream buffer_;
  CsvWriter writer_;
  bool finished_ = false;
};

ApiOutcome reply_csv(ApiContext& context, const ReportRequest& request, httplib::Response& response) {
  auto stream = std::make_shared<CsvStream>(context, request);
  auto name = stream->start();
  if (!name) return from_status(name.status());
  if (auto offsets = stream->snapshot().offsets())
    response.set_header("X-Ledger-Offsets", offsets_header(*offsets));
  response.set_header("Content-Disposition", "attachment; filename=\"" + *name + "\"");
  response.set_chunked_content_provider(
      "text/csv; charset=utf-8", [stream](size_t, httplib::DataSink& sink) { return stream->next(sink); });
  return std::nullopt;
}

//! libxlsxwriter writes to a path: a private temporary file, read back and removed.
ApiOutcome reply_xlsx(ApiContext& context, const ReadSnapshot& snapshot, const ReportRequest& request,
                      ReportTable first, httplib::Response& response) {
  static std::atomic<uint64_t> sequence{0};
  const std::string name = report_file_name(first, "xlsx");
  const auto path = std::filesystem::temp_directory_path() /
                    fmt::format("ledger-export-{}-{}.xlsx", ::getpid(), sequence.fetch_add(1));
  struct Remove {
    std::filesystem::path path;
    ~Remove() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove{path};
  XlsxWriter writer;
  Status status = writer.open(path.string(), first);
  if (status) {
    status = for_each_page(context, snapshot, request, std::move(first),
                           [&writer](const ReportTable& page) { return writer.write_page(page); });
  }
  if (status) status = writer.close();
  if (!status) return from_status(status);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  set_download(response, snapshot, name, bytes.str(),
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  return std::nullopt;
}

}  // namespace

ApiOutcome get_report(ApiContext& context, const httplib::Request& request, httplib::Response& response) {
  if (auto bad = check_params(request, {"from", "to", "as_of", "operator", "account", "kind", "basis",
                                        "status", "lifecycle", "overdue", "cursor", "limit", "format"}))
    return bad;
  ReportRequest report_request;
  if (auto bad = parse_report_request(request, report_request)) return bad;
  const std::string format_text = request.has_param("format") ? param(request, "format") : "json";
  auto format = parse_report_format(format_text, "format");
  if (!format || *format == ReportFormat::kTable) {
    return bad_request("format", "format: '" + format_text + "' is not one of json, csv, xlsx");
  }
  if (auto bad = wait_after(context, request)) return bad;
  if (*format == ReportFormat::kCsv) return reply_csv(context, report_request, response);
  auto snapshot = snapshot_of(context);
  auto first = run_report(context.engine.store(), snapshot, report_request);
  if (!first) return from_status(first.status());
  if (*format == ReportFormat::kXlsx)
    return reply_xlsx(context, snapshot, report_request, std::move(*first), response);
  return reply_json(response, snapshot, report_json(*first));
}

}  // namespace ledger::http
