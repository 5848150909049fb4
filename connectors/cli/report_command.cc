// ledger report: the reports of BILLING.md section 7 (seeds 000 and 004) for people (table),
// programs (json) and spreadsheets (csv, xlsx).

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>

#include "connectors/cli/cli_context.h"
#include "connectors/export/csv_writer.h"
#include "connectors/export/report_render.h"
#include "connectors/export/xlsx_writer.h"
#include "engine/calendar.h"
#include "engine/read_snapshot.h"
#include "projections/reports.h"

namespace ledger {
namespace {

constexpr std::string_view kReports[] = {"summary", "aging", "credits", "revenue", "transactions", "unpaid"};

struct ReportArgs {
  std::string report;
  std::string from, to, as_of;
  std::string format;  // empty: the global --format
  std::string out;
  ReportRequest request;
};

//! Parses one optional day option into `day`; an error names the option.
Status parse_day_option(const std::string& text, std::string_view option, int32_t& day) {
  if (text.empty()) return Status::ok();
  auto parsed = parse_day(text, option);
  if (!parsed) return parsed.status();
  day = *parsed;
  return Status::ok();
}

//! Everything that can be checked before the store is opened, so that bad input never
//! leaves a file behind.
Status check_args(ReportArgs& args) {
  bool known = false;
  for (auto name : kReports) known = known || args.report == name;
  if (!known) {
    return Status::invalid_argument("report: '" + args.report +
                                    "' is not one of summary, aging, credits, revenue, transactions, unpaid");
  }
  ReportRequest& request = args.request;
  request.report = args.report;
  if (Status s = parse_day_option(args.from, "--from", request.from_day); !s) return s;
  if (Status s = parse_day_option(args.to, "--to", request.to_day); !s) return s;
  if (Status s = parse_day_option(args.as_of, "--as-of", request.as_of_day); !s) return s;
  if (request.from_day != 0 && request.to_day != 0 && request.from_day > request.to_day) {
    return Status::invalid_argument("--from " + format_day(request.from_day) + " is after --to " +
                                    format_day(request.to_day) + ": the range is empty");
  }
  if (request.limit == 0) return Status::invalid_argument("--limit: a page holds at least one row");
  if (request.basis != "cash" && request.basis != "accrual") {
    return Status::invalid_argument("--basis: '" + request.basis + "' is not one of cash, accrual");
  }
  return Status::ok();
}

//! Where a file goes: --out itself, or the report's own file name inside --out when that is a
//! folder, or in the current folder when there is no --out.
std::string output_path(const std::string& out, const ReportTable& first_page, ReportFormat format) {
  const std::string name = report_file_name(first_page, report_format_extension(format));
  if (out.empty()) return name;
  std::error_code error;
  if (out.back() == '/' || std::filesystem::is_directory(out, error)) {
    return (std::filesystem::path(out) / name).string();
  }
  return out;
}

//! A file that appears under its name only when complete: written beside it, then renamed,
//! so that a failed export never leaves a partial file that looks like a good one.
class PendingFile {
 public:
  explicit PendingFile(std::string path)
      : path_(std::move(path)), temporary_(path_ + ".partial-" + std::to_string(::getpid())) {}
  ~PendingFile() {
    std::error_code ignored;
    if (!committed_) std::filesystem::remove(temporary_, ignored);
  }
  const std::string& temporary() const { return temporary_; }
  const std::string& path() const { return path_; }
  Status commit() {
    std::error_code error;
    std::filesystem::rename(temporary_, path_, error);
    if (error) return Status::io_error("--out: cannot write '" + path_ + "': " + error.message());
    committed_ = true;
    return Status::ok();
  }

 private:
  std::string path_;
  std::string temporary_;
  bool committed_ = false;
};

//! Runs pages from the one given until the report says there are no more, handing each to
//! `write`. One snapshot serves every page, so the pages add up to one consistent report.
Status for_each_page(const Store& store, const ReadSnapshot& snapshot, ReportRequest request,
                     ReportTable first_page, const std::function<Status(const ReportTable&)>& write) {
  ReportTable page = std::move(first_page);
  for (;;) {
    if (Status written = write(page); !written) return written;
    if (page.next_cursor.empty()) return Status::ok();
    if (page.next_cursor == request.cursor) {
      return Status::corruption("report " + request.report + ": the cursor did not advance past '" +
                                request.cursor + "'");
    }
    request.cursor = page.next_cursor;
    auto next = run_report(store, snapshot, request);
    if (!next) return next.status();
    page = std::move(*next);
  }
}

Status export_csv(const Store& store, const ReadSnapshot& snapshot, const ReportRequest& request,
                  ReportTable first_page, std::ostream& out, size_t& rows) {
  CsvWriter writer(out);
  Status status = for_each_page(store, snapshot, request, std::move(first_page),
                                [&writer](const ReportTable& page) { return writer.write_page(page); });
  out.flush();
  rows = writer.rows_written();
  if (status && !out) return Status::io_error("csv: cannot write the output");
  return status;
}

Status export_xlsx(const Store& store, const ReadSnapshot& snapshot, const ReportRequest& request,
                   ReportTable first_page, const std::string& path, size_t& rows) {
  XlsxWriter writer;
  if (Status opened = writer.open(path, first_page); !opened) return opened;
  Status status = for_each_page(store, snapshot, request, std::move(first_page),
                                [&writer](const ReportTable& page) { return writer.write_page(page); });
  rows = writer.rows_written();
  if (!status) return status;
  return writer.close();
}

//! Writes the report into `file`'s temporary; `rows` counts what was written.
Status export_to_file(const Store& store, const ReadSnapshot& snapshot, const ReportRequest& request,
                      ReportFormat format, ReportTable first_page, const PendingFile& file, size_t& rows) {
  if (format == ReportFormat::kXlsx) {
    return export_xlsx(store, snapshot, request, std::move(first_page), file.temporary(), rows);
  }
  std::ofstream out(file.temporary(), std::ios::binary);
  if (!out) return Status::io_error("--out: cannot create '" + file.path() + "': " + std::strerror(errno));
  if (format == ReportFormat::kCsv) {
    if (Status s = export_csv(store, snapshot, request, std::move(first_page), out, rows); !s) return s;
  } else {
    rows = first_page.rows.size();
    if (format == ReportFormat::kTable) render_report_text(first_page, out);
    if (format == ReportFormat::kJson) out << report_json(first_page).dump(2) << "\n";
  }
  out.close();
  if (!out) return Status::io_error("--out: cannot write '" + file.path() + "'");
  return Status::ok();
}

//! Table and JSON show one page (with the cursor of the next); CSV and XLSX stream them all.
Status write_report(const Store& store, const ReadSnapshot& snapshot, const ReportArgs& args,
                    ReportFormat format, ReportTable first_page) {
  const bool to_file = format == ReportFormat::kXlsx || !args.out.empty();
  if (!to_file) {
    if (format == ReportFormat::kTable) render_report_text(first_page, std::cout);
    if (format == ReportFormat::kJson) std::cout << report_json(first_page).dump(2) << "\n";
    if (format != ReportFormat::kCsv) return Status::ok();
    size_t rows = 0;
    return export_csv(store, snapshot, args.request, std::move(first_page), std::cout, rows);
  }
  PendingFile file(output_path(args.out, first_page, format));
  if (!std::ofstream(file.temporary(), std::ios::binary)) {
    // Found here, the error names the file asked for rather than the one written beside it.
    return Status::io_error("--out: cannot create '" + file.path() + "': " + std::strerror(errno));
  }
  size_t rows = 0;
  if (Status s = export_to_file(store, snapshot, args.request, format, std::move(first_page), file, rows); !s)
    return s;
  if (Status committed = file.commit(); !committed) return committed;
  std::cout << "wrote " << file.path() << " (" << rows << " rows)\n";
  return Status::ok();
}

//! The reports name a request's fields ("operator: 'x' was never configured"); on the command
//! line the user knows them as options, so the message names the option instead.
std::string cli_message(const Status& status) {
  static constexpr std::pair<std::string_view, std::string_view> kOptions[] = {
      {"from", "--from"},           {"to", "--to"},         {"as_of", "--as-of"}, {"operator", "--operator"},
      {"account", "--account"},     {"kind", "--kind"},     {"basis", "--basis"}, {"status", "--status"},
      {"lifecycle", "--lifecycle"}, {"cursor", "--cursor"}, {"limit", "--limit"}};
  if (!status.is_invalid_argument()) return status.to_string();
  const std::string& message = status.message();
  for (const auto& [field, option] : kOptions) {
    if (message.size() > field.size() && message.compare(0, field.size(), field) == 0 &&
        message[field.size()] == ':') {
      return std::string(option) + message.substr(field.size());
    }
  }
  return message;
}

void run_report_command(CliContext& context, ReportArgs& args) {
  auto format = parse_report_format(args.format.empty() ? context.format : args.format, "--format");
  if (!format) return context.fail(format.status().message());
  if (Status checked = check_args(args); !checked) return context.fail(checked.message());
  auto engine = context.open_engine();
  if (!engine) return void(context.exit_code = 1);
  ReadSnapshot snapshot(engine->store(), engine->log().partition_count());
  auto first_page = run_report(engine->store(), snapshot, args.request);
  if (!first_page) return context.fail(cli_message(first_page.status()));
  Status written = write_report(engine->store(), snapshot, args, *format, std::move(*first_page));
  if (!written) return context.fail(cli_message(written));
}

}  // namespace

void add_report_command(CLI::App& app, CliContext& context) {
  auto args = std::make_shared<ReportArgs>();
  auto* report =
      app.add_subcommand("report", "Reports: billing summary, aging, credits, revenue, transactions, unpaid");
  report->add_option("report", args->report, "summary | aging | credits | revenue | transactions | unpaid")
      ->required();
  report->add_option("--from", args->from,
                     "First day of the range, YYYY-MM-DD (summary default: the latest month with activity)");
  report->add_option("--to", args->to, "Last day of the range, YYYY-MM-DD");
  report->add_option(
      "--as-of", args->as_of,
      "Day the report is computed for, YYYY-MM-DD (aging, unpaid; default: the latest billing day)");
  report->add_option("--operator", args->request.operator_filter, "Only this operator or reseller");
  report->add_option("--account", args->request.account, "Only this account (transactions)");
  report->add_option("--kind", args->request.kind,
                     "Only this line kind (transactions): Charge, Usage, Payment, ...");
  report->add_option("--basis", args->request.basis, "Revenue basis: cash or accrual")->capture_default_str();
  report->add_option("--status", args->request.status,
                     "Unpaid: Settled, Partially Settled or Unsettled (default: not settled)");
  report->add_option("--lifecycle", args->request.lifecycle, "Unpaid: only bills in this lifecycle state");
  report->add_flag("--overdue", args->request.overdue_only, "Unpaid: only bills past due as of --as-of");
  report
      ->add_option("--limit", args->request.limit,
                   "Rows per page: table and json show one page, csv and xlsx stream every page")
      ->capture_default_str();
  report->add_option("--cursor", args->request.cursor, "Continue a paged report where the last page ended");
  // The report's own --format shadows the global one (table | json) and adds csv and xlsx.
  report->add_option("--format", args->format, "table, json, csv or xlsx (default: the global --format)");
  report->add_option("--out", args->out,
                     "Write to this file, or into this folder under the report's own file name "
                     "(xlsx without --out: that name in the current folder)");
  on_run(report, context, [&context, args] { run_report_command(context, *args); });
}

}  // namespace ledger
