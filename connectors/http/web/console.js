// The ledger web console: a few pages over the /v1 API, routed by the URL's hash. No framework
// and nothing fetched from elsewhere: everything here is served by `ledger serve` itself.
'use strict';

// ---------------------------------------------------------------------------------------
// building blocks

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class ApiError extends Error {}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const e = body.error || {};
    throw new ApiError(`${e.message || response.statusText}${e.field ? ` (field: ${e.field})` : ''}`);
  }
  const offsets = response.headers.get('X-Ledger-Offsets');
  if (offsets) document.getElementById('offsets').textContent = `offsets ${offsets}`;
  return body;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}

// An integer of minor (or milli, micro) units as an exact decimal string.
function scaled(value, digits) {
  const negative = value < 0;
  let text = String(Math.abs(value)).padStart(digits + 1, '0');
  if (digits > 0) text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return (negative ? '-' : '') + text;
}

function exponentOf(moneyText) {
  const dot = String(moneyText).indexOf('.');
  return dot < 0 ? 0 : String(moneyText).length - dot - 1;
}

function day(text) { return text ? String(text).slice(0, 10) : ''; }
function badge(text) { return text ? h('span', { class: `badge ${String(text).split(' ')[0]}` }, text) : ''; }
function field(key, value, testid) {
  return h('div', { class: 'field' }, h('div', { class: 'k' }, key), h('div', { class: 'v', 'data-testid': testid }, value === '' || value === undefined ? '—' : value));
}
function card(...children) { return h('div', { class: 'card' }, ...children); }
function tableOf(headers, rows, attrs) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs || {},
      h('thead', {}, h('tr', {}, headers.map((c) => h('th', { class: c.num ? 'num' : '' }, c.title || c)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'Nothing to show')))));
}
function cell(value, num, attrs) { return h('td', Object.assign({ class: num ? 'num' : '' }, attrs || {}), value); }

function cellText(column, value) {
  if (value === null || value === undefined) return '';
  if (column.kind === 'money') return value.text;
  return String(value);
}

// A report table as the API gives it: typed columns, rows with is_total; a group header per
// currency when `groupBy` names a column.
function reportTable(report, testid, groupBy) {
  const columns = report.columns;
  const rows = [];
  let group = null;
  for (const row of report.rows) {
    if (groupBy && !row.is_total && row[groupBy] !== group) {
      group = row[groupBy];
      rows.push(h('tr', { class: 'group' }, h('td', { colspan: columns.length }, group)));
    }
    rows.push(h('tr', { class: row.is_total ? 'total' : '', 'data-total': row.is_total ? 'true' : 'false' },
      columns.map((c) => cell(cellText(c, row[c.name]),
        c.kind === 'money' || c.kind === 'integer', { 'data-col': c.name }))));
  }
  return tableOf(columns.map((c) => ({ title: c.title, num: c.kind === 'money' || c.kind === 'integer' })), rows, { 'data-testid': testid });
}

function exportLinks(report, params) {
  return [
    h('a', { class: 'button secondary', 'data-testid': `export-${report}-csv`, href: `/v1/reports/${report}${query({ ...params, format: 'csv' })}`, download: '' }, 'Export CSV'),
    h('a', { class: 'button secondary', 'data-testid': `export-${report}-xlsx`, href: `/v1/reports/${report}${query({ ...params, format: 'xlsx' })}`, download: '' }, 'Export Excel'),
  ];
}

function dateInput(id, value) { return h('input', { type: 'date', id, name: id, value: value || '' }); }
function textInput(id, value, placeholder) { return h('input', { type: 'text', id, name: id, value: value || '', placeholder }); }
function selectInput(id, choices, value) {
  return h('select', { id, name: id }, choices.map((c) => h('option', { value: c, selected: c === value }, c || 'Any')));
}
function labelled(text, input) { return h('label', {}, text, input); }
function valueOf(id) { return document.getElementById(id).value.trim(); }

// ---------------------------------------------------------------------------------------
// Billing Summary (seed 000)

async function summaryPage(params) {
  const report = await api(`/v1/reports/summary${query({ from: params.from, to: params.to })}`);
  const range = { from: report.from_day, to: report.to_day };
  const apply = () => { location.hash = `#/summary${query({ from: valueOf('from'), to: valueOf('to') })}`; };
  return [
    h('h1', {}, 'Billing Summary'),
    h('div', { class: 'toolbar' },
      labelled('From', dateInput('from', range.from)),
      labelled('To', dateInput('to', range.to)),
      h('button', { id: 'apply', onclick: apply }, 'Apply'),
      ...exportLinks('summary', range)),
    h('p', { class: 'muted', 'data-testid': 'summary-range' },
      `${report.from_day} to ${report.to_day}`, params.from ? '' : ' (by default, the month of the latest activity)',
      ' — billed: bills closed in the range; collected: paid against them; received: cash in the range.'),
    reportTable(report, 'summary-table', 'currency'),
  ];
}

// ---------------------------------------------------------------------------------------
// Invoices (seed 001) and the bill page (seed 003)

const STATUSES = ['', 'Open', 'Closed', 'Settled', 'Partially Settled', 'Unsettled', 'Overdue'];

async function invoicesPage(params) {
  const filters = { account: params.account, status: params.status, from: params.from, to: params.to, as_of: params.as_of, limit: params.limit || 200 };
  const data = await api(`/v1/invoices${query(filters)}`);
  const apply = () => {
    location.hash = `#/invoices${query({ account: valueOf('account'), status: valueOf('status'), from: valueOf('from'), to: valueOf('to'), as_of: valueOf('as_of') })}`;
  };
  const rows = data.invoices.map((i) => {
    const closed = i.status === 'Closed';
    return h('tr', { 'data-invoice': i.invoice_number },
      cell(closed ? h('a', { href: `#/invoice/${encodeURIComponent(i.invoice_number)}`, 'data-testid': 'invoice-link' }, i.invoice_number) : h('span', { class: 'muted' }, '(preview)')),
      cell(h('a', { href: `#/account/${encodeURIComponent(i.account)}` }, i.account)),
      cell(i.operator), cell(day(i.from_day)), cell(day(i.to_day)), cell(i.status),
      cell(i.total_billed.text, true), cell(i.total_to_pay.text, true), cell(i.currency),
      cell(closed ? badge(i.bill.settlement_status) : ''), cell(closed ? day(i.bill.due_day) : ''),
      cell(closed ? i.bill.lifecycle_state : ''),
      cell(closed ? h('a', { href: `#/bill/${encodeURIComponent(i.invoice_number)}` }, 'bill page') : ''));
  });
  return [
    h('h1', {}, 'Invoices'),
    h('div', { class: 'toolbar' },
      labelled('Account', textInput('account', params.account, 'any account')),
      labelled('Status', selectInput('status', STATUSES, params.status || '')),
      labelled('Period from', dateInput('from', params.from)),
      labelled('Period to', dateInput('to', params.to)),
      labelled('As of', dateInput('as_of', params.as_of)),
      h('button', { id: 'apply', onclick: apply }, 'Apply')),
    h('p', { class: 'muted' }, `${data.invoices.length} invoices, settlement as of ${data.as_of_day}`),
    tableOf(['Number', 'Account', 'Operator', 'From', 'To', 'Status', { title: 'Total billed', num: true },
      { title: 'To pay', num: true }, 'Currency', 'Settlement', 'Due', 'Lifecycle', ''], rows, { 'data-testid': 'invoices-table' }),
  ];
}

function chargesTable(lines, e) {
  return tableOf(['#', 'Description', { title: 'Quantity', num: true }, { title: 'Duration (months)', num: true },
    { title: 'Unit price', num: true }, { title: 'Discount', num: true }, { title: 'Taxes', num: true }, { title: 'Amount', num: true }],
  lines.map((l) => h('tr', {}, cell(l.seq), cell(l.description), cell(scaled(l.quantity_milli || 0, 3), true),
    cell(l.duration_months || '', true), cell(scaled(l.unit_price_micro || 0, 6), true), cell(scaled(l.discount_minor || 0, e), true),
    cell(scaled(l.tax_minor || 0, e), true), cell(l.amount, true))), { 'data-testid': 'charges-table' });
}

function invoiceTables(invoice) {
  const t = invoice.tables;
  const e = exponentOf(invoice.total_billed.text);
  const bill = invoice.bill || {};
  const sections = [
    h('h2', {}, 'Charges'), chargesTable(t.charges, e),
    h('h2', {}, 'Usage by destination'),
    tableOf(['Destination', { title: 'Calls', num: true }, { title: 'Seconds', num: true }, { title: 'Net', num: true }, { title: 'Tax', num: true }, { title: 'Amount', num: true }],
      t.usage.map((u) => h('tr', {}, cell(u.destination), cell(u.calls, true), cell(u.seconds, true), cell(scaled(u.net_minor, e), true), cell(scaled(u.tax_minor, e), true), cell(u.amount, true))),
      { 'data-testid': 'usage-table' }),
    h('h2', {}, 'Subscriptions'),
    tableOf(['ID', 'Name', 'Status'], t.subscriptions.map((s) => h('tr', {}, cell(s.id), cell(s.name), cell(s.status))), { 'data-testid': 'subscriptions-table' }),
    h('h2', {}, 'Payments'),
    tableOf(['ID', 'Description', 'Created at', 'Due date', 'Status', { title: 'Amount', num: true }],
      t.payments.map((p) => h('tr', {}, cell(p.reference_id || p.event_id), cell(p.description), cell(day(p.date)), cell(day(bill.due_day)),
        cell(badge(bill.payment_request_status)), cell(p.amount, true))), { 'data-testid': 'payments-table' }),
    h('h2', {}, 'Corrections'),
    tableOf(['#', 'Description', { title: 'Current debt changed', num: true }, 'Approved at'],
      t.corrections.map((c) => h('tr', {}, cell(c.seq), cell(c.description),
        cell(h('span', { class: c.amount_minor >= 0 ? 'up' : 'down' }, `${c.direction} ${c.amount}`), true), cell(c.approved_at))),
      { 'data-testid': 'corrections-table' }),
    h('h2', {}, 'Taxes'),
    tableOf(['Code', 'Name', { title: 'Amount', num: true }], t.taxes.map((x) => h('tr', {}, cell(x.code), cell(x.name), cell(x.amount, true))), { 'data-testid': 'taxes-table' }),
  ];
  if (t.credit_notes.length) {
    sections.push(h('h2', {}, 'Credit notes'),
      tableOf(['#', 'Description', 'Date', { title: 'Amount', num: true }], t.credit_notes.map((c) => h('tr', {}, cell(c.seq), cell(c.description), cell(day(c.date)), cell(c.amount, true)))));
  }
  return sections;
}

// A bank-statement page: the running total brought to its first line, then one row a line. The
// API pages long statements (200 lines unless `lines_limit` says more); `base` is this page's
// route, to which the links to the lines before and after add `lines_from`.
function statement(invoice, base, params) {
  const e = exponentOf(invoice.total_billed.text);
  const first = invoice.lines_from || 1;
  let running = invoice.lines_brought_forward ? invoice.lines_brought_forward.minor : invoice.balance_brought_forward.minor;
  const opening = first > 1 ? `Brought forward from line ${first - 1}` : 'Balance brought forward';
  const rows = [h('tr', {}, cell(''), cell(first > 1 ? '' : day(invoice.from_day)), cell(''), cell(opening), cell('', true), cell(scaled(running, e), true))];
  for (const line of invoice.lines) {
    running += line.amount_minor;
    rows.push(h('tr', {}, cell(line.seq), cell(day(line.date)), cell(line.kind), cell(line.description + (line.late ? ' (late)' : '')),
      cell(line.amount, true), cell(scaled(running, e), true)));
  }
  const table = tableOf(['#', 'Date', 'Kind', 'Description', { title: 'Amount', num: true }, { title: 'Balance', num: true }], rows, { 'data-testid': 'statement-table' });
  if (first === 1 && !invoice.lines_next_from) return table;
  const limit = Number(params.lines_limit) || 200;
  const link = (from, text, testid) => h('a', { href: `${base}${query({ ...params, lines_from: from })}`, 'data-testid': testid }, text);
  const last = invoice.lines.length ? invoice.lines[invoice.lines.length - 1].seq : first - 1;
  return h('div', {}, table, h('p', { class: 'muted', 'data-testid': 'statement-pages' },
    `Lines ${first} to ${last} of ${invoice.line_count}. `,
    first > 1 ? link(Math.max(1, first - limit), 'Earlier lines', 'statement-earlier') : '', ' ',
    invoice.lines_next_from ? link(invoice.lines_next_from, 'Later lines', 'statement-later') : ''));
}

// The statement paging parameters of a console route, as the API takes them.
function linePage(params) {
  return query({ lines_from: params.lines_from, lines_limit: params.lines_limit });
}

async function invoicePage(number, params) {
  const i = await api(`/v1/invoices/${encodeURIComponent(number)}${linePage(params)}`);
  const bill = i.bill || {};
  return [
    h('h1', {}, `Invoice ${i.invoice_number}`),
    card(h('div', { class: 'grid' },
      field('Invoice number', i.invoice_number, 'invoice-number'),
      field('Account', h('a', { href: `#/account/${encodeURIComponent(i.account)}` }, i.account), 'invoice-account'),
      field('Total', `${i.total_billed.text} ${i.currency}`, 'invoice-total'),
      field('External total', bill.external_currency ? `${scaled(bill.external_total_minor, exponentOf(i.total_billed.text))} ${bill.external_currency}` : ''),
      field('Approval date', bill.approval_date),
      field('Payment model', 'Postpay'),
      field('Status', i.status, 'invoice-status'),
      field('From', day(i.from_day)), field('To', day(i.to_day)),
      field('Bill page', h('a', { href: `#/bill/${encodeURIComponent(i.invoice_number)}` }, 'lifecycle, totals, payments')))),
    ...invoiceTables(i),
    h('h2', {}, 'Statement'), statement(i, `#/invoice/${encodeURIComponent(number)}`, params),
  ];
}

async function billPage(number) {
  const i = await api(`/v1/invoices/${encodeURIComponent(number)}`);
  const b = i.bill;
  const e = exponentOf(i.total_billed.text);
  const money = (minor) => `${scaled(minor, e)} ${i.currency}`;
  const changeState = async () => {
    const status = document.getElementById('state-result');
    try {
      await api(`/v1/invoices/${encodeURIComponent(number)}/state`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ state: valueOf('new-state'), note: valueOf('state-note') }),
      });
      route();
    } catch (error) { status.textContent = error.message; status.className = 'error'; }
  };
  return [
    h('h1', {}, `Bill ${i.invoice_number}`),
    h('h2', {}, 'Main information'),
    card(h('div', { class: 'grid' },
      field('Bill to', i.account), field('Accounts receivable', i.account), field('Currency', i.currency),
      field('Type', b.type), field('Life cycle state', b.lifecycle_state, 'bill-lifecycle'),
      field('Status', badge(b.settlement_status), 'bill-settlement'), field('Classification', b.classification),
      field('Billing run number', b.run_number), field('Billing run as of', day(b.run_as_of_day)))),
    h('h2', {}, 'Bill summary'),
    card(h('div', { class: 'grid' },
      field('From date', day(i.from_day)), field('To date', day(i.to_day)), field('Due date', day(b.due_day)),
      field('Balance brought forward', `${i.balance_brought_forward.text} ${i.currency}`),
      field('Total debited amount', `${i.total_debited.text} ${i.currency}`),
      field('Total credited amount', `${i.total_credited.text} ${i.currency}`),
      field('Total billed amount', `${i.total_billed.text} ${i.currency}`, 'bill-total-billed'))),
    h('h2', {}, 'Bill totals'),
    card(h('div', { class: 'grid' },
      field('Total amount to be paid', `${i.total_to_pay.text} ${i.currency}`, 'bill-to-pay'),
      field('Outstanding amount', money(b.outstanding_minor)), field('Unsettled amount', money(b.unsettled_minor)),
      field('Payment request', badge(b.payment_request_status)))),
    h('h2', {}, 'Life cycle'),
    tableOf(['State', 'Note', 'At', 'Event'], b.lifecycle_history.map((s) => h('tr', {}, cell(s.state), cell(s.note), cell(s.at), cell(s.event_id))), { 'data-testid': 'lifecycle-table' }),
    h('div', { class: 'toolbar', style: 'margin-top:10px' },
      labelled('New state', selectInput('new-state', ['Presented', 'Presented and Confirmed', 'Presented and Rejected', 'Printed'], 'Presented')),
      labelled('Note', textInput('state-note', '', 'optional')),
      h('button', { id: 'change-state', onclick: changeState }, 'Change state'), h('span', { id: 'state-result' })),
    h('h2', {}, 'Payments'),
    tableOf(['Payment', 'Reference', 'At', { title: 'Allocated', num: true }],
      b.allocations.map((a) => h('tr', {}, cell(a.event_id), cell(a.reference_id), cell(a.at), cell(money(a.amount_minor), true))), { 'data-testid': 'allocations-table' }),
    h('h2', {}, 'Communications'),
    tableOf(['Channel', 'Subject', 'Sent at'], b.communications.map((c) => h('tr', {}, cell(c.channel), cell(c.subject), cell(c.sent_at)))),
    h('p', {}, h('a', { href: `#/invoice/${encodeURIComponent(number)}` }, 'Invoice details and tables')),
  ];
}

// ---------------------------------------------------------------------------------------
// Accounts

async function accountsPage(params) {
  const data = await api(`/v1/accounts${query({ operator: params.operator, limit: params.limit || 200 })}`);
  const apply = () => { location.hash = `#/accounts${query({ operator: valueOf('operator') })}`; };
  return [
    h('h1', {}, 'Accounts'),
    h('div', { class: 'toolbar' }, labelled('Operator', textInput('operator', params.operator, 'any operator')), h('button', { id: 'apply', onclick: apply }, 'Apply')),
    tableOf(['Account', 'Name', 'Operator', 'Currency', { title: 'Balance', num: true }, { title: 'Credit limit', num: true }, { title: 'Available', num: true }, 'Status'],
      data.accounts.map((a) => h('tr', {}, cell(h('a', { href: `#/account/${encodeURIComponent(a.account)}` }, a.account)), cell(a.name), cell(a.operator), cell(a.currency),
        cell(a.balance, true), cell(a.credit_limit, true), cell(a.available, true), cell(a.suspended ? badge('Suspended') : a.status))), { 'data-testid': 'accounts-table' }),
  ];
}

async function accountPage(id, params) {
  const a = await api(`/v1/accounts/${encodeURIComponent(id)}`);
  let previews = [];
  try { previews = (await api(`/v1/accounts/${encodeURIComponent(id)}/preview${linePage(params)}`)).previews; } catch (e) { previews = []; }
  const out = [
    h('h1', {}, `Account ${a.account}`),
    card(h('div', { class: 'grid' },
      field('Name', a.name), field('Operator', a.operator), field('Status', a.suspended ? 'Suspended' : a.status),
      field('Balance', `${a.balance} ${a.currency}`, 'account-balance'), field('Credit limit', `${a.credit_limit} ${a.currency}`, 'account-credit-limit'),
      field('Available', `${a.available} ${a.currency}`), field('Invoice day', a.invoice_day), field('Opened at', day(a.opened_at)))),
    h('p', {}, h('a', { href: `#/invoices${query({ account: a.account })}` }, 'Invoices of this account')),
  ];
  for (const p of previews) {
    out.push(h('h2', {}, `Preview invoice ${day(p.from_day)} to ${day(p.to_day)}`),
      card(h('div', { class: 'grid' },
        field('Balance brought forward', p.balance_brought_forward.text), field('Debited', p.total_debited.text),
        field('Credited', p.total_credited.text), field('Billed', p.total_billed.text), field('Paid', p.total_paid.text),
        field('To pay', `${p.total_to_pay.text} ${p.currency}`, 'preview-to-pay'))),
      h('h2', {}, 'Statement'), statement(p, `#/account/${encodeURIComponent(id)}`, params), ...invoiceTables(p));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Financial reports (seed 004)

function number(money) { return money ? Number(money.text) : 0; }

async function reportsPage(params) {
  const asOf = { as_of: params.as_of };
  let range = { from: params.from, to: params.to };
  if (!range.from && !range.to) {
    // By default a year of revenue up to the latest month with activity.
    const latest = await api('/v1/reports/revenue');
    const [y, m] = latest.to_day.split('-').map(Number);
    const first = new Date(Date.UTC(y, m - 12, 1));
    range = { from: first.toISOString().slice(0, 10), to: latest.to_day };
  }
  const [aging, revenue, credits, unpaid] = await Promise.all([
    api(`/v1/reports/aging${query(asOf)}`), api(`/v1/reports/revenue${query({ ...range, basis: params.basis })}`),
    api('/v1/reports/credits'), api(`/v1/reports/unpaid${query(asOf)}`)]);
  const currencies = [...new Set(revenue.rows.concat(aging.rows).map((r) => r.currency))].sort();
  const currency = params.currency || currencies[0] || '';
  const buckets = ['current', 'd1_30', 'd31_60', 'd61_90', 'd90_plus'];
  // One bar series per operator: its totals row in the chosen currency.
  const operatorTotals = aging.rows.filter((r) => r.is_total && r.currency === currency && r.operator !== 'Total');
  const agingChart = Charts.bars('Accounts receivable aging', buckets.map((b) => aging.columns.find((c) => c.name === b).title),
    operatorTotals.map((r) => ({ name: r.operator, values: buckets.map((b) => number(r[b])) })), currency);
  const months = revenue.rows.filter((r) => r.currency === currency && !r.is_total);
  const revenueChart = Charts.bars(`Revenue by month, ${params.basis || 'cash'} basis`, months.map((r) => r.month),
    ['billed', 'earned', 'deferred'].map((k) => ({ name: revenue.columns.find((c) => c.name === k).title, values: months.map((r) => number(r[k])) })), currency);
  const apply = () => {
    location.hash = `#/reports${query({ from: valueOf('from'), to: valueOf('to'), as_of: valueOf('as_of'), basis: valueOf('basis'),
      currency: valueOf('currency'), detail: document.getElementById('detail').checked ? '1' : '' })}`;
  };
  // Per-account rows run to thousands: by default the tables show the totals per operator and
  // currency, and the exports carry every row.
  const detail = params.detail === '1';
  const totalsOnly = (report) => (detail ? report : { ...report, rows: report.rows.filter((r) => r.is_total) });
  const firstRows = (report, n) => ({ ...report, rows: report.rows.slice(0, n) });
  return [
    h('h1', {}, 'Financial Reports'),
    h('div', { class: 'toolbar' },
      labelled('Revenue from', dateInput('from', range.from)), labelled('Revenue to', dateInput('to', range.to)),
      labelled('Basis', selectInput('basis', ['cash', 'accrual'], params.basis || 'cash')),
      labelled('Chart currency', selectInput('currency', currencies, currency)),
      labelled('Aging as of', dateInput('as_of', params.as_of || aging.as_of_day)),
      h('label', {}, 'Accounts', h('span', {}, h('input', { type: 'checkbox', id: 'detail', checked: detail }), ' show every account')),
      h('button', { id: 'apply', onclick: apply }, 'Apply')),
    h('div', { class: 'charts' }, card(agingChart), card(revenueChart)),
    h('h2', {}, `Accounts receivable aging as of ${aging.as_of_day}`), h('div', { class: 'toolbar' }, ...exportLinks('aging', asOf)), reportTable(totalsOnly(aging), 'aging-table'),
    h('h2', {}, `Billed, earned and deferred revenue ${revenue.from_day} to ${revenue.to_day}`), h('div', { class: 'toolbar' }, ...exportLinks('revenue', { ...range, basis: params.basis })), reportTable(revenue, 'revenue-table'),
    h('h2', {}, 'Credits'), h('div', { class: 'toolbar' }, ...exportLinks('credits', {})), reportTable(totalsOnly(credits), 'credits-table'),
    h('h2', {}, 'Unpaid bills'), h('p', { class: 'muted' }, unpaid.rows.length > 200 ? `The first 200 of ${unpaid.rows.length} rows; the exports hold all.` : ''),
    h('div', { class: 'toolbar' }, ...exportLinks('unpaid', asOf)), reportTable(firstRows(unpaid, 200), 'unpaid-table'),
    h('p', {}, 'All transactions: ', ...exportLinks('transactions', range)),
  ];
}

// ---------------------------------------------------------------------------------------
// routing

async function route() {
  const hash = location.hash || '#/summary';
  const [path, search] = hash.slice(1).split('?');
  const params = Object.fromEntries(new URLSearchParams(search || ''));
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const pages = {
    summary: () => summaryPage(params), invoices: () => invoicesPage(params), invoice: () => invoicePage(parts[1], params),
    bill: () => billPage(parts[1]), accounts: () => accountsPage(params), account: () => accountPage(parts[1], params),
    reports: () => reportsPage(params),
  };
  const page = pages[parts[0]] || pages.summary;
  const section = { invoice: 'invoices', bill: 'invoices', account: 'accounts' }[parts[0]] || parts[0] || 'summary';
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === section));
  const main = document.getElementById('main');
  main.setAttribute('aria-busy', 'true');
  try {
    const content = await page();
    main.replaceChildren(...content);
  } catch (error) {
    main.replaceChildren(h('div', { class: 'error', 'data-testid': 'error' }, error.message));
  }
  main.setAttribute('aria-busy', 'false');
  main.dataset.page = parts[0] || 'summary';
}

window.addEventListener('hashchange', route);
route();
