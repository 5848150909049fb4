#pragma once

#include <memory>
#include <string>

#include "engine/embedded_log.h"
#include "engine/projector.h"
#include "engine/status.h"
#include "engine/store.h"
#include "engine/view.h"

namespace ledger {

struct EngineOptions {
  std::string data_dir = "./data";
  //! Partitions of a new store (0 = the stored count, or the default for a new store).
  uint32_t partitions = 0;
  ProjectorOptions projector;
};

//! One machine's ledger: the store, the embedded log in it, and the projector feeding the
//! views of `registry`. Connectors hold one of these.
class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(const EngineOptions& options,
                                              std::unique_ptr<ViewRegistry> views);

  Store& store() { return *store_; }
  EmbeddedLog& log() { return *log_; }
  Projector& projector() { return *projector_; }
  const ViewRegistry& views() const { return *views_; }

 private:
  Engine() = default;

  std::unique_ptr<ViewRegistry> views_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EmbeddedLog> log_;
  std::unique_ptr<Projector> projector_;
};

}  // namespace ledger
