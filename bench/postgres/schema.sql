-- The ledger as a team would build it in SQL: a transactions table, balances updated in the
-- same transaction, invoice lines per billing period, bills closed by billing runs, and the
-- billing summary as a GROUP BY. Loaded batch by batch by load.sql through apply_batch().

CREATE TABLE operators (
  operator    text PRIMARY KEY,
  currency    text NOT NULL,
  exponent    int NOT NULL,
  terms_days  int NOT NULL
);

CREATE TABLE operator_taxes (
  operator     text NOT NULL REFERENCES operators,
  service_type text NOT NULL,
  code         text NOT NULL,
  rate_ppm     bigint NOT NULL,
  PRIMARY KEY (operator, service_type, code)
);

CREATE TABLE accounts (
  account            text PRIMARY KEY,
  operator           text NOT NULL REFERENCES operators,
  currency           text NOT NULL,
  credit_limit_minor bigint NOT NULL,
  invoice_day        int NOT NULL,
  balance_minor      bigint NOT NULL DEFAULT 0,
  suspended          boolean NOT NULL DEFAULT false
);

-- Every money movement, once: the (account, event id) key makes a re-sent event a no-op.
CREATE TABLE transactions (
  account      text NOT NULL,
  event_id     text NOT NULL,
  time_us      bigint NOT NULL,
  day          date NOT NULL,
  kind         text NOT NULL,
  amount_minor bigint NOT NULL,  -- signed: what the customer owes more (+) or less (-)
  tax_minor    bigint NOT NULL,
  PRIMARY KEY (account, event_id)
);
CREATE INDEX transactions_day ON transactions (day);

CREATE TABLE invoices (
  account              text NOT NULL,
  period_from          date NOT NULL,
  period_to            date NOT NULL,
  status               text NOT NULL DEFAULT 'Open',
  invoice_number       text UNIQUE,
  total_debited_minor  bigint,
  total_credited_minor bigint,
  total_paid_minor     bigint,
  closed_day           date,
  run_number           bigint,
  PRIMARY KEY (account, period_from)
);
CREATE INDEX invoices_open_to ON invoices (period_to) WHERE status = 'Open';
CREATE INDEX invoices_closed_day ON invoices (closed_day);

CREATE TABLE invoice_lines (
  account      text NOT NULL,
  period_from  date NOT NULL,
  event_id     text NOT NULL,
  kind         text NOT NULL,
  day          date NOT NULL,
  amount_minor bigint NOT NULL,
  tax_minor    bigint NOT NULL,
  PRIMARY KEY (account, period_from, event_id)
);

CREATE SEQUENCE invoice_seq;

CREATE FUNCTION period_from_of(d date, invoice_day int) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN extract(day FROM d) >= invoice_day
              THEN make_date(extract(year FROM d)::int, extract(month FROM d)::int, invoice_day)
              ELSE (make_date(extract(year FROM d)::int, extract(month FROM d)::int, invoice_day)
                    - interval '1 month')::date END
$$;

CREATE FUNCTION day_of_time_us(t bigint) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT (timestamp '1970-01-01' + t * interval '1 microsecond')::date $$;
