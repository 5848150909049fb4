#pragma once

#include <cstdint>
#include <string_view>

#include "engine/status.h"

namespace ledger {

//! Named points in the commit path where tests inject a failure or an abort. Compiled in only
//! when LEDGER_FAULT_POINTS is defined (test builds); elsewhere every point is an empty inline
//! that the optimiser removes.
//!
//! Points, in commit order:
//!  - "log.append.mid_batch": after each event's Put into the append's WriteBatch (so between
//!    the partitions of a broadcast and between the events of a batch), nothing written yet;
//!  - "log.append.before_write": the WriteBatch built, not written;
//!  - "log.append.before_visible": the WriteBatch written and synced, the new end offsets not
//!    yet visible to readers (an `error` still makes them visible: the events are in the store);
//!  - "log.append.after_write": the end offsets visible, the caller not yet told;
//!  - "projector.before_write_batch", "projector.after_write_batch": around a projection batch.
//!
//! A point is armed by the environment, read once at its first hit, so that a test can arm the
//! `ledger` binary it spawns:
//!
//!   LEDGER_FAULT=<point>:<action>:<hit>[,<point>:<action>:<hit>...]
//!
//! where <action> is `abort` (the process ends at once with exit code kFaultAbortExitCode, as a
//! crash would: no destructor, no flush, no close) or `error` (the call returns an IoError
//! naming the point), and <hit> counts the hits of that point from 1. Each armed point fires
//! once, at that hit; every other hit passes. In-process tests arm points with arm_fault_point.
#ifdef LEDGER_FAULT_POINTS

//! What an armed point does when it fires.
enum class FaultAction : uint8_t { kAbort, kError };

//! The exit code of a process ended by an `abort` fault point.
inline constexpr int kFaultAbortExitCode = 134;

//! The points this build has, in commit order.
inline constexpr std::string_view kFaultPointNames[] = {
    "log.append.mid_batch",   "log.append.before_write",      "log.append.before_visible",
    "log.append.after_write", "projector.before_write_batch", "projector.after_write_batch"};

Status fault_point(std::string_view name);

//! Arms `name` to fire `action` at its `hit`-th hit from now (1 = the next one). Replaces any
//! earlier arming of that point. InvalidArgument for an unknown point or a hit of 0.
Status arm_fault_point(std::string_view name, FaultAction action, uint64_t hit);

//! Parses a LEDGER_FAULT value and arms what it names; errors name the entry and the reason.
Status arm_fault_points(std::string_view spec);

//! Disarms every point (the environment is not read again).
void disarm_fault_points();

//! How many times `name` has fired since it was armed.
uint64_t fault_point_fired(std::string_view name);

#else
inline Status fault_point(std::string_view) {
  return Status::ok();
}
#endif

}  // namespace ledger
