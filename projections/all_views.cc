#include "projections/all_views.h"

#include "projections/accounts.h"
#include "projections/balances.h"
#include "projections/charges.h"
#include "projections/invoices.h"
#include "projections/operators.h"
#include "projections/rejections.h"

namespace ledger {

void register_all_views(ViewRegistry& registry) {
  registry.add(std::make_unique<OperatorsView>());
  registry.add(std::make_unique<AccountsView>());
  registry.add(std::make_unique<ChargesView>());
  registry.add(std::make_unique<BalancesView>());
  registry.add(std::make_unique<InvoicesView>());
  registry.add(std::make_unique<RejectionsView>());
}

Result<std::unique_ptr<Engine>> open_ledger(const std::string& data_dir, uint32_t partitions,
                                            const ProjectorOptions& projector) {
  EngineOptions options;
  options.data_dir = data_dir;
  options.partitions = partitions;
  options.projector = projector;
  auto views = std::make_unique<ViewRegistry>();
  register_all_views(*views);
  return Engine::open(options, std::move(views));
}

}  // namespace ledger
