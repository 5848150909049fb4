// ledger-workload: a deterministic telecom event stream as JSON lines or canonical FlatBuffers.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "bench/event_file.h"
#include "bench/workload.h"
#include "engine/event_codec.h"

namespace {

struct Arguments {
  ledger::bench::WorkloadOptions workload;
  std::string format = "json";
  std::string out = "-";
};

//! Writes JSON lines to a file or stdout through a large buffer.
int write_json(const Arguments& args, ledger::bench::WorkloadGenerator& generator,
               ledger::bench::WorkloadCounts& counts) {
  std::FILE* file = args.out == "-" ? stdout : std::fopen(args.out.c_str(), "w");
  if (file == nullptr) {
    std::cerr << "ledger-workload: --out: cannot open " << args.out << "\n";
    return 1;
  }
  static char buffer[1 << 20];
  std::setvbuf(file, buffer, _IOFBF, sizeof buffer);
  counts = generator.generate([file](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), file);
    std::fputc('\n', file);
  });
  const bool failed = std::ferror(file) != 0;
  if ((file != stdout ? std::fclose(file) : std::fflush(file)) != 0 || failed) {
    std::cerr << "ledger-workload: --out: write failed\n";
    return 1;
  }
  return 0;
}

//! Encodes each event to its canonical bytes (as `ledger ingest` does) and writes the batch file.
int write_flatbuffers(const Arguments& args, ledger::bench::WorkloadGenerator& generator,
                      ledger::bench::WorkloadCounts& counts) {
  if (args.out == "-") {
    std::cerr << "ledger-workload: --out: the fb format needs a file\n";
    return 1;
  }
  auto writer = ledger::bench::EventFileWriter::open(args.out);
  if (!writer) {
    std::cerr << "ledger-workload: --out: " << writer.status().to_string() << "\n";
    return 1;
  }
  ledger::EventCodec codec;
  ledger::Status failure;
  counts = generator.generate([&](std::string_view line) {
    if (!failure) return;
    auto bytes = codec.from_json(line);
    if (!bytes) {
      failure = ledger::Status::invalid_argument("generated event refused: " + bytes.status().message() +
                                                 ": " + std::string(line));
      return;
    }
    failure = (*writer)->write(*bytes);
  });
  if (failure) failure = (*writer)->close();
  if (!failure) {
    std::cerr << "ledger-workload: " << failure.to_string() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args;
  CLI::App app{"ledger-workload: a deterministic telecom event stream for benchmarks"};
  app.add_option("--events,-n", args.workload.events, "Events to write (exactly)")->capture_default_str();
  app.add_option("--accounts", args.workload.accounts, "Accounts (0: about events / (18 x months))")
      ->capture_default_str();
  app.add_option("--months", args.workload.months, "Months of event time")
      ->check(CLI::Range(1, 1200))
      ->capture_default_str();
  app.add_option("--first-day", args.workload.first_day, "First day, YYYYMMDD")->capture_default_str();
  app.add_option("--zipf", args.workload.zipf_exponent, "Skew of call activity over accounts (0 = uniform)")
      ->check(CLI::Range(0.0, 4.0))
      ->capture_default_str();
  app.add_option("--seed", args.workload.seed, "Random seed")->capture_default_str();
  app.add_option("--format", args.format, "json: JSON lines (ledger ingest); fb: canonical FlatBuffers file")
      ->check(CLI::IsMember({"json", "fb"}))
      ->capture_default_str();
  app.add_option("--out,-o", args.out, "Output file (- = stdout, json only)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  ledger::bench::WorkloadGenerator generator(args.workload);
  ledger::bench::WorkloadCounts counts;
  const int code = args.format == "json" ? write_json(args, generator, counts)
                                         : write_flatbuffers(args, generator, counts);
  if (code != 0) return code;
  std::cerr << fmt::format("ledger-workload: {} events, {} accounts, {} days from {}, seed {}\n",
                           counts.total, generator.accounts(), generator.days(), args.workload.first_day,
                           args.workload.seed);
  for (size_t k = 0; k < counts.by_kind.size(); ++k) {
    std::cerr << fmt::format("  {:<24}{:>12}  {:5.1f}%\n",
                             ledger::bench::workload_kind_name(static_cast<ledger::bench::WorkloadKind>(k)),
                             counts.by_kind[k],
                             100.0 * counts.by_kind[k] / std::max<uint64_t>(counts.total, 1));
  }
  return 0;
}
