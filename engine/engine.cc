#include "engine/engine.h"

#include "engine/schema_upgrade.h"

namespace ledger {

Result<std::unique_ptr<Engine>> Engine::open(const EngineOptions& options,
                                             std::unique_ptr<ViewRegistry> views) {
  std::unique_ptr<Engine> engine(new Engine());
  engine->views_ = std::move(views);
  StoreOptions store_options;
  store_options.view_column_families = engine->views_->column_families();
  auto store = Store::open(options.data_dir, store_options);
  if (!store) return store.status();
  engine->store_ = std::move(*store);
  if (Status bound = engine->views_->bind(*engine->store_); !bound) return bound;
  auto log = EmbeddedLog::open(*engine->store_, options.partitions);
  if (!log) return log.status();
  engine->log_ = std::move(*log);
  if (Status upgraded = upgrade_schema(*engine->store_); !upgraded) return upgraded;
  engine->projector_ =
      std::make_unique<Projector>(*engine->log_, *engine->store_, *engine->views_, options.projector);
  return engine;
}

}  // namespace ledger
