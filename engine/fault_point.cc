#include "engine/fault_point.h"

#ifdef LEDGER_FAULT_POINTS

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace ledger {
namespace {

struct ArmedPoint {
  FaultAction action = FaultAction::kError;
  uint64_t fire_at_hit = 0;
  uint64_t hits = 0;
  uint64_t fired = 0;
};

//! The armed points. The fast path reads only `armed_count`: points are hit on every append and
//! every projection batch, from several threads.
struct FaultTable {
  std::mutex mutex;
  std::map<std::string, ArmedPoint, std::less<>> points;  //!< guarded by mutex
  std::atomic<size_t> armed_count{0};
  std::once_flag environment_read;
};

FaultTable& table() {
  static FaultTable instance;
  return instance;
}

bool known_point(std::string_view name) {
  return std::find(std::begin(kFaultPointNames), std::end(kFaultPointNames), name) !=
         std::end(kFaultPointNames);
}

//! Ends the process as a crash would. Only async-signal-safe calls: the point may be hit
//! anywhere, and nothing must be flushed or closed on the way out.
[[noreturn]] void abort_now(std::string_view name) {
  std::string message = "fault point " + std::string(name) + ": abort\n";
  ssize_t ignored = ::write(STDERR_FILENO, message.data(), message.size());
  (void)ignored;
  ::_exit(kFaultAbortExitCode);
}

//! Arms one point; the caller has already settled the environment (no call_once inside).
Status arm(std::string_view name, FaultAction action, uint64_t hit) {
  if (!known_point(name))
    return Status::invalid_argument("fault point: '" + std::string(name) + "' is unknown");
  if (hit == 0)
    return Status::invalid_argument("fault point: hit of " + std::string(name) + " must be at least 1");
  FaultTable& faults = table();
  std::lock_guard lock(faults.mutex);
  faults.points[std::string(name)] = ArmedPoint{action, hit, 0, 0};
  faults.armed_count.store(faults.points.size(), std::memory_order_release);
  return Status::ok();
}

Status arm_entry(std::string_view entry) {
  size_t first = entry.find(':');
  size_t second = first == std::string_view::npos ? first : entry.find(':', first + 1);
  if (second == std::string_view::npos) {
    return Status::invalid_argument("LEDGER_FAULT: '" + std::string(entry) +
                                    "' is not <point>:<action>:<hit>");
  }
  std::string_view name = entry.substr(0, first);
  std::string_view action = entry.substr(first + 1, second - first - 1);
  std::string_view hit_text = entry.substr(second + 1);
  if (action != "abort" && action != "error") {
    return Status::invalid_argument("LEDGER_FAULT: action '" + std::string(action) +
                                    "' is neither 'abort' nor 'error'");
  }
  uint64_t hit = 0;
  auto parsed = std::from_chars(hit_text.data(), hit_text.data() + hit_text.size(), hit);
  if (parsed.ec != std::errc() || parsed.ptr != hit_text.data() + hit_text.size()) {
    return Status::invalid_argument("LEDGER_FAULT: hit '" + std::string(hit_text) + "' is not a number");
  }
  return arm(name, action == "abort" ? FaultAction::kAbort : FaultAction::kError, hit);
}

Status arm_all(std::string_view spec) {
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    if (Status armed = arm_entry(spec.substr(0, comma)); !armed) return armed;
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
  }
  return Status::ok();
}

void read_environment() {
  const char* spec = std::getenv("LEDGER_FAULT");
  if (!spec || !*spec) return;
  if (Status armed = arm_all(spec); !armed) {
    // A misspelt fault spec would make a fault test pass without injecting anything.
    std::string message = armed.to_string() + "\n";
    ssize_t ignored = ::write(STDERR_FILENO, message.data(), message.size());
    (void)ignored;
    ::_exit(2);
  }
}

}  // namespace

Status fault_point(std::string_view name) {
  FaultTable& faults = table();
  std::call_once(faults.environment_read, read_environment);
  if (faults.armed_count.load(std::memory_order_acquire) == 0) return Status::ok();
  std::unique_lock lock(faults.mutex);
  auto found = faults.points.find(name);
  if (found == faults.points.end()) return Status::ok();
  ArmedPoint& point = found->second;
  if (++point.hits != point.fire_at_hit) return Status::ok();
  ++point.fired;
  if (point.action == FaultAction::kAbort) abort_now(name);
  return Status::io_error("fault point " + std::string(name) + ": injected error at hit " +
                          std::to_string(point.hits));
}

Status arm_fault_point(std::string_view name, FaultAction action, uint64_t hit) {
  std::call_once(table().environment_read, [] {});  // arming in-process overrides the environment
  return arm(name, action, hit);
}

Status arm_fault_points(std::string_view spec) {
  std::call_once(table().environment_read, [] {});
  return arm_all(spec);
}

void disarm_fault_points() {
  FaultTable& faults = table();
  std::call_once(faults.environment_read, [] {});
  std::lock_guard lock(faults.mutex);
  faults.points.clear();
  faults.armed_count.store(0, std::memory_order_release);
}

uint64_t fault_point_fired(std::string_view name) {
  FaultTable& faults = table();
  std::lock_guard lock(faults.mutex);
  auto found = faults.points.find(name);
  return found == faults.points.end() ? 0 : found->second.fired;
}

}  // namespace ledger

#endif
