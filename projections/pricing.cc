#include "projections/pricing.h"

#include "engine/money.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

Status sum_taxes(PricedLine& line) {
  int64_t total = 0;
  for (const auto& tax : line.taxes) {
    auto sum = checked_add(total, tax.amount_minor, "body.taxes");
    if (!sum) return sum.status();
    total = *sum;
  }
  line.tax_minor = total;
  auto with_tax = checked_add(line.net_minor, total, "amount_minor");
  if (!with_tax) return with_tax.status();
  line.total_minor = *with_tax;
  return Status::ok();
}

}  // namespace

Result<std::vector<TaxLine>> operator_taxes(const view::OperatorRowT& operator_row,
                                            std::string_view service_type, int64_t net_minor) {
  bool exact = false;
  for (const auto& rate : operator_row.tax_rates) exact = exact || rate->service_type == service_type;
  std::vector<TaxLine> taxes;
  for (const auto& rate : operator_row.tax_rates) {
    if (rate->service_type != (exact ? service_type : std::string_view("*"))) continue;
    auto amount = tax_minor(net_minor, rate->rate_ppm);
    if (!amount) return amount.status();
    taxes.push_back({rate->code, rate->name, *amount});
  }
  return taxes;
}

Result<PricedLine> price_charge(const schema::Charge& charge, const view::OperatorRowT& operator_row,
                                uint8_t exponent) {
  PricedLine line;
  auto gross = line_amount_minor(charge.quantity_milli(), charge.unit_price_micro(), exponent);
  if (!gross) return gross.status();
  line.gross_minor = *gross;
  line.discount_minor = charge.discount_minor();
  if (line.discount_minor > line.gross_minor) {
    return Status::invalid_argument("body.discount_minor: " + std::to_string(line.discount_minor) +
                                    " is more than the line amount " + std::to_string(line.gross_minor));
  }
  line.net_minor = line.gross_minor - line.discount_minor;
  if (charge.taxes()) {
    for (const auto* tax : *charge.taxes()) {
      line.taxes.push_back({text_of(tax->code()), text_of(tax->name()), tax->amount_minor()});
    }
  } else {
    auto taxes = operator_taxes(operator_row, text_of(charge.service_type()), line.net_minor);
    if (!taxes) return taxes.status();
    line.taxes = std::move(*taxes);
  }
  if (Status summed = sum_taxes(line); !summed) return summed;
  return line;
}

Result<PricedLine> price_cdr(const schema::Cdr& cdr, const view::OperatorRowT& operator_row,
                             uint8_t exponent) {
  PricedLine line;
  auto cost = cost_minor_from_micro(cdr.cost_micro(), exponent);
  if (!cost) return cost.status();
  line.gross_minor = *cost;
  line.net_minor = *cost;
  auto taxes = operator_taxes(operator_row, kUsageServiceType, line.net_minor);
  if (!taxes) return taxes.status();
  line.taxes = std::move(*taxes);
  if (Status summed = sum_taxes(line); !summed) return summed;
  return line;
}

}  // namespace ledger
