-- apply_batch(): applies the events in the session's `staging` table set by set, in the
-- caller's transaction. The session creates its work tables first (load.sql's header):
--   CREATE TEMP TABLE staging (line jsonb NOT NULL) ON COMMIT DELETE ROWS;
--   CREATE TEMP TABLE new_tx (LIKE transactions) ON COMMIT DELETE ROWS;
CREATE FUNCTION apply_batch() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  run record;
BEGIN
  INSERT INTO operators (operator, currency, exponent, terms_days)
  SELECT b->>'operator', b->>'currency', CASE b->>'currency' WHEN 'JPY' THEN 0 ELSE 2 END,
         (b->>'payment_terms_days')::int
  FROM (SELECT line->'body' AS b FROM staging WHERE line->>'body_type' = 'OperatorConfigured') s
  ON CONFLICT (operator) DO UPDATE SET currency = excluded.currency, terms_days = excluded.terms_days;

  INSERT INTO operator_taxes (operator, service_type, code, rate_ppm)
  SELECT s.b->>'operator', t->>'service_type', t->>'code', (t->>'rate_ppm')::bigint
  FROM (SELECT line->'body' AS b FROM staging WHERE line->>'body_type' = 'OperatorConfigured') s,
       jsonb_array_elements(s.b->'tax_rates') t
  ON CONFLICT (operator, service_type, code) DO UPDATE SET rate_ppm = excluded.rate_ppm;

  INSERT INTO accounts (account, operator, currency, credit_limit_minor, invoice_day)
  SELECT line->>'account', line->'body'->>'operator', line->'body'->>'currency',
         (line->'body'->>'credit_limit_minor')::bigint, (line->'body'->>'invoice_day')::int
  FROM staging WHERE line->>'body_type' = 'AccountOpened'
  ON CONFLICT (account) DO NOTHING;

  -- Money movements: priced, taxed, de-duplicated by (account, id); unknown accounts drop out.
  WITH ev AS (
    SELECT line->>'account' AS account, line->>'id' AS id, (line->>'time_us')::bigint AS t,
           line->>'body_type' AS k, line->'body' AS b
    FROM staging
    WHERE line->>'body_type' IN ('Charge', 'Cdr', 'Payment', 'Refill', 'Correction', 'CreditNote')),
  priced AS (
    SELECT ev.account, ev.id, ev.t, ev.k, a.operator,
           CASE ev.k
             WHEN 'Charge' THEN round(coalesce((b->>'quantity_milli')::numeric, 1000)
                                      * (b->>'unit_price_micro')::numeric / (10::numeric ^ (9 - o.exponent)))::bigint
                                - coalesce((b->>'discount_minor')::bigint, 0)
             WHEN 'Cdr' THEN round((b->>'cost_micro')::numeric / (10::numeric ^ (6 - o.exponent)))::bigint
             WHEN 'Correction' THEN (b->>'amount_minor')::bigint
             ELSE -(b->>'amount_minor')::bigint
           END AS amount,
           CASE ev.k WHEN 'Cdr' THEN 'usage' WHEN 'Charge' THEN b->>'service_type' END AS service_type
    FROM ev JOIN accounts a ON a.account = ev.account JOIN operators o ON o.operator = a.operator),
  inserted AS (
    INSERT INTO transactions (account, event_id, time_us, day, kind, amount_minor, tax_minor)
    SELECT p.account, p.id, p.t, day_of_time_us(p.t), p.k, p.amount,
           coalesce((SELECT sum(round(p.amount::numeric * x.rate_ppm / 1000000))::bigint
                     FROM operator_taxes x
                     WHERE x.operator = p.operator AND x.service_type = p.service_type), 0)
    FROM priced p
    ON CONFLICT (account, event_id) DO NOTHING
    RETURNING *)
  INSERT INTO new_tx SELECT * FROM inserted;

  -- Balances in the same transaction; suspension when above the credit limit.
  UPDATE accounts a
  SET balance_minor = a.balance_minor + d.delta,
      suspended = a.balance_minor + d.delta > a.credit_limit_minor
  FROM (SELECT account, sum(amount_minor + tax_minor) AS delta FROM new_tx GROUP BY account) d
  WHERE a.account = d.account;

  -- Invoice lines go to the billing period of their day (a preview invoice per open period).
  INSERT INTO invoices (account, period_from, period_to)
  SELECT DISTINCT n.account, period_from_of(n.day, a.invoice_day),
         (period_from_of(n.day, a.invoice_day) + interval '1 month' - interval '1 day')::date
  FROM new_tx n JOIN accounts a USING (account)
  ON CONFLICT (account, period_from) DO NOTHING;

  INSERT INTO invoice_lines (account, period_from, event_id, kind, day, amount_minor, tax_minor)
  SELECT n.account, period_from_of(n.day, a.invoice_day), n.event_id, n.kind, n.day, n.amount_minor, n.tax_minor
  FROM new_tx n JOIN accounts a USING (account);

  -- Billing runs close every open period that ended at least two days before the as-of day.
  FOR run IN SELECT (line->'body'->>'run_number')::bigint AS number, (line->'body'->>'as_of_day')::text AS as_of
             FROM staging WHERE line->>'body_type' = 'BillingRun' ORDER BY 1 LOOP
    -- One aggregate over the closing periods' lines, joined once to the rows it updates.
    UPDATE invoices i
    SET status = 'Closed', closed_day = to_date(run.as_of, 'YYYYMMDD'), run_number = run.number,
        invoice_number = s.operator || '-' || to_char(to_date(run.as_of, 'YYYYMMDD'), 'YYYYMM') || '-'
                         || lpad(nextval('invoice_seq')::text, 7, '0'),
        total_debited_minor = s.debited, total_credited_minor = s.credited, total_paid_minor = s.paid
    FROM (
      SELECT o.account, o.period_from, a.operator,
             coalesce(sum(CASE WHEN l.amount_minor + l.tax_minor > 0 AND l.kind NOT IN ('Payment', 'Refill')
                               THEN l.amount_minor + l.tax_minor END), 0) AS debited,
             coalesce(sum(CASE WHEN l.kind IN ('CreditNote', 'Correction') AND l.amount_minor < 0
                               THEN -l.amount_minor END), 0) AS credited,
             coalesce(sum(CASE WHEN l.kind IN ('Payment', 'Refill') THEN -l.amount_minor END), 0) AS paid
      FROM invoices o
      JOIN accounts a ON a.account = o.account
      LEFT JOIN invoice_lines l ON l.account = o.account AND l.period_from = o.period_from
      WHERE o.status = 'Open' AND o.period_to <= to_date(run.as_of, 'YYYYMMDD') - 2
      GROUP BY o.account, o.period_from, a.operator) s
    WHERE i.account = s.account AND i.period_from = s.period_from;
  END LOOP;
END
$$;
