#include "projections/balances.h"

#include "engine/key_encoding.h"
#include "engine/money.h"
#include "projections/accounts.h"
#include "projections/charges.h"
#include "projections/operators.h"
#include "projections/pricing.h"
#include "projections/row_codec.h"

namespace ledger {
namespace {

Rejection zero_amount(std::string_view kind) {
  return {"zero_amount", "body.amount_minor: a " + std::string(kind) + " of zero changes nothing"};
}

}  // namespace

std::string notification_key(uint32_t partition, uint64_t offset, uint32_t index) {
  std::string key;
  put_u32_be(key, partition);
  put_u64_be(key, offset);
  put_u32_be(key, index);
  return key;
}

Status BalancesView::bind(const Store& store) {
  if (Status bound = bind_column_family(store, kColumnFamily, &cf_); !bound) return bound;
  if (Status bound = bind_column_family(store, kNotificationsColumnFamily, &notifications_); !bound)
    return bound;
  if (Status bound = bind_column_family(store, "accounts", &accounts_); !bound) return bound;
  return bind_column_family(store, "operators", &operators_);
}

std::optional<BalancesView::Posting> BalancesView::posting_of(const EventContext& context, ViewState& state,
                                                              Verdict& verdict) {
  const schema::Event& event = context.event;
  auto priced_debit = [&](const Result<PricedLine>& priced) -> std::optional<Posting> {
    if (!priced) {
      verdict = rejection_of(priced.status());
      return std::nullopt;
    }
    return Posting{priced->total_minor, 0};
  };
  auto credit = [&](int64_t amount_minor, std::string_view kind) -> std::optional<Posting> {
    if (amount_minor == 0) {
      verdict = zero_amount(kind);
      return std::nullopt;
    }
    return Posting{0, amount_minor};
  };
  switch (event.body_type()) {
    case schema::Body::Charge:
    case schema::Body::Cdr: {
      auto account = find_account(state, accounts_, text_of(event.account()));
      auto operator_row = find_operator(state, operators_, context.partition, account->operator_);
      if (const auto* charge = event.body_as_Charge()) {
        return priced_debit(price_charge(*charge, *operator_row, account->exponent));
      }
      return priced_debit(price_cdr(*event.body_as_Cdr(), *operator_row, account->exponent));
    }
    case schema::Body::Payment:
      return credit(event.body_as_Payment()->amount_minor(), "payment");
    case schema::Body::Refill:
      return credit(event.body_as_Refill()->amount_minor(), "refill");
    case schema::Body::CreditNote:
      return credit(event.body_as_CreditNote()->amount_minor(), "credit note");
    case schema::Body::Correction: {
      const auto& correction = *event.body_as_Correction();
      if (text_of(correction.approved_by()).empty()) {
        verdict =
            Rejection{"unapproved_correction", "body.approved_by: a correction needs a manager's approval"};
        return std::nullopt;
      }
      if (correction.amount_minor() == 0) return credit(0, "correction");
      if (correction.amount_minor() > 0) return Posting{correction.amount_minor(), 0};
      if (correction.amount_minor() == INT64_MIN) {
        verdict = Rejection{"amount_overflow", "body.amount_minor: does not fit in int64 when negated"};
        return std::nullopt;
      }
      return Posting{0, -correction.amount_minor()};
    }
    case schema::Body::TaxAdjustment: {
      int64_t amount = event.body_as_TaxAdjustment()->amount_minor();
      if (amount == 0) return credit(0, "tax adjustment");
      return Posting{amount, 0};  // a negative tax is a refund: it lowers what was debited
    }
    default:
      return Posting{};
  }
}

Verdict BalancesView::apply(const EventContext& context, ViewState& state) {
  const schema::Event& event = context.event;
  if (event.body_type() == schema::Body::OperatorConfigured ||
      event.body_type() == schema::Body::BillingRun) {
    return std::nullopt;
  }
  std::string_view account_id = text_of(event.account());
  std::optional<view::BalanceRowT> balance;
  if (const auto* cached = cached_row<view::BalanceRow>(state, cf_, account_id)) balance = *cached;
  if (!balance) balance.emplace();
  Verdict verdict;
  auto posting = posting_of(context, state, verdict);
  if (!posting) return verdict;
  auto debited = checked_add(balance->debited_minor, posting->debit_minor, "debited_minor");
  auto credited = checked_add(balance->credited_minor, posting->credit_minor, "credited_minor");
  if (!debited) return rejection_of(debited.status());
  if (!credited) return rejection_of(credited.status());
  auto owed = checked_sub(*debited, *credited, "balance_minor");
  if (!owed) return rejection_of(owed.status());
  balance->debited_minor = *debited;
  balance->credited_minor = *credited;
  balance->balance_minor = *owed;
  balance->events_applied += 1;
  balance->last_event_time_us = event.time_us();
  balance->last_offset = context.offset;
  auto account = find_account(state, accounts_, account_id);
  update_suspension(context, account->credit_limit_minor, *balance, state);
  put_row(state, cf_, account_id, std::move(*balance));
  return std::nullopt;
}

void BalancesView::update_suspension(const EventContext& context, int64_t credit_limit_minor,
                                     view::BalanceRowT& balance, ViewState& state) {
  const bool over_limit = balance.balance_minor > credit_limit_minor;
  if (over_limit == balance.suspended) return;
  balance.suspended = over_limit;
  view::NotificationRowT notification;
  notification.kind =
      over_limit ? view::NotificationKind::AccountSuspended : view::NotificationKind::AccountReenabled;
  notification.account = text_of(context.event.account());
  notification.event_id = text_of(context.event.id());
  notification.notification_id = std::string(over_limit ? "suspended/" : "reenabled/") +
                                 notification.account + "/" + notification.event_id;
  notification.time_us = context.event.time_us();
  notification.balance_minor = balance.balance_minor;
  notification.credit_limit_minor = credit_limit_minor;
  notification.partition = context.partition;
  notification.offset = context.offset;
  state.put(notifications_, notification_key(context.partition, context.offset, 0), encode_row(notification));
}

}  // namespace ledger
