#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/store.h"
#include "engine/view_state.h"
#include "schemas/events_generated.h"

namespace ledger {

//! One verified event as a view sees it, with its place in the log.
struct EventContext {
  const schema::Event& event;
  std::string_view bytes;
  uint32_t partition;
  uint64_t offset;
  uint32_t partition_count;  //!< of the log, for numbering that must be unique across partitions
  //! Empty on an event's first apply() by a view. When that view suspended the event
  //! (ViewState::suspend), the projector committed what it had written and calls it again
  //! with the cursor it gave, here, until it returns without suspending; the views before it
  //! are not called again.
  std::string_view resume;
};

//! Why an event that is well formed cannot be applied. `reason` is a stable code
//! (unknown_account, currency_mismatch, amount_overflow, ...); `message` names the field.
struct Rejection {
  std::string reason;
  std::string message;
};

//! A view's answer to an event: nullopt applies it; a Rejection refuses it for every view.
using Verdict = std::optional<Rejection>;

//! A projection of the log into one or more column families. Views are pure functions of the
//! log's order: apply() reads and writes only through ViewState, never the clock.
class View {
 public:
  virtual ~View() = default;
  //! A short stable name ("balances").
  virtual std::string_view name() const = 0;
  //! The column families the view owns; created with the store.
  virtual std::vector<std::string> column_families() const = 0;
  //! Resolves the view's column families in `store`; called once before any apply().
  virtual Status bind(const Store& store) = 0;
  //! Applies one event. A Rejection makes the projector undo every write any view made for
  //! this event and call record_rejection() on every view instead. An event some view has
  //! suspended (ViewState::suspend) is applied: no view may reject it after that.
  virtual Verdict apply(const EventContext& context, ViewState& state) = 0;
  //! Calls `emit` with the logical rows a stored row of one of the view's column families holds:
  //! what the digest hashes. The default is the row itself; a view that gathers several rows in
  //! one (a page of the lines one batch added) gives them apart, so that a store's digest does not
  //! depend on where its batches began and ended. Corruption when the row cannot be split.
  virtual Status logical_rows(ColumnFamily /*cf*/, std::string_view key, std::string_view value,
                              const std::function<void(std::string_view, std::string_view)>& emit) const {
    emit(key, value);
    return Status::ok();
  }
  //! Called for an event that some view rejected, after its writes were undone.
  virtual void record_rejection(const EventContext& /*context*/, const Rejection& /*rejection*/,
                                ViewState& /*state*/) {}
};

//! The views a projector feeds, in the order they see each event. The engine never names a
//! view: the projections library fills the registry (projections/all_views.h).
class ViewRegistry {
 public:
  void add(std::unique_ptr<View> view) { views_.push_back(std::move(view)); }
  const std::vector<std::unique_ptr<View>>& views() const { return views_; }
  std::vector<std::string> column_families() const {
    std::vector<std::string> names;
    for (const auto& view : views_) {
      for (auto& name : view->column_families()) names.push_back(std::move(name));
    }
    return names;
  }
  Status bind(const Store& store) {
    for (const auto& view : views_) {
      if (Status bound = view->bind(store); !bound) return bound;
    }
    return Status::ok();
  }

 private:
  std::vector<std::unique_ptr<View>> views_;
};

//! Resolves a named column family or says which view needs it.
inline Status bind_column_family(const Store& store, std::string_view name, ColumnFamily* out) {
  *out = store.column_family(name);
  if (*out == nullptr)
    return Status::invalid_argument("store has no column family '" + std::string(name) + "'");
  return Status::ok();
}

}  // namespace ledger
