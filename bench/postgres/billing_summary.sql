-- The month's billing summary per operator and currency: billed (bills closed in the range),
-- paid on those bills, and cash received in the range. :from and :to are 'YYYY-MM-DD'.
SELECT operator, currency, sum(billed) AS billed, sum(paid_on_bills) AS paid_on_bills, sum(received) AS received
FROM (
  SELECT a.operator, a.currency, i.total_debited_minor - i.total_credited_minor AS billed,
         i.total_paid_minor AS paid_on_bills, 0 AS received
  FROM invoices i JOIN accounts a USING (account)
  WHERE i.closed_day BETWEEN :'from' AND :'to'
  UNION ALL
  SELECT a.operator, a.currency, 0, 0, -t.amount_minor
  FROM transactions t JOIN accounts a USING (account)
  WHERE t.day BETWEEN :'from' AND :'to' AND t.kind IN ('Payment', 'Refill')
) rows
GROUP BY ROLLUP (currency, operator)
ORDER BY currency, operator;
