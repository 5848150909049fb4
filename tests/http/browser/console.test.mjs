// The web console in headless Chromium against a running `ledger serve` with the demo data:
// the Billing Summary's totals and CSV export against the API, an invoice opened from the list
// with its tables, the bill, account and report pages. Screenshots go to $ARTEFACTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const base = process.env.BASE_URL;
const artefacts = process.env.ARTEFACTS;
assert.ok(base && artefacts, 'BASE_URL and ARTEFACTS are required');

async function api(pathAndQuery) {
  const response = await fetch(new URL(pathAndQuery, base));
  assert.equal(response.status, 200, `${pathAndQuery}: ${response.status}`);
  return response;
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(artefacts, `${name}.png`), fullPage: true });
}

async function waitForPage(page, name) {
  await page.waitForSelector(`main[data-page="${name}"][aria-busy="false"]`);
  const error = await page.$('[data-testid="error"]');
  assert.equal(error, null, error ? await error.textContent() : '');
}

const tests = [];
function test(name, body) { tests.push({ name, body }); }

test('Billing Summary: pick a range, apply, totals match the API, CSV export matches the API', async (page) => {
  await page.goto(new URL('/#/summary', base).href);
  await waitForPage(page, 'summary');
  const defaultRange = await page.textContent('[data-testid="summary-range"]');
  assert.match(defaultRange, /^\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
  await page.fill('#from', '2026-10-01');
  await page.fill('#to', '2026-11-30');
  await page.click('#apply');
  await page.waitForFunction(() => document.querySelector('[data-testid="summary-range"]')?.textContent.startsWith('2026-10-01 to 2026-11-30'));
  await waitForPage(page, 'summary');
  await screenshot(page, 'billing-summary');

  const shown = await page.$$eval('[data-testid="summary-table"] tr[data-total="true"]', (rows) => rows.map((row) => {
    const out = {};
    row.querySelectorAll('td[data-col]').forEach((td) => { out[td.dataset.col] = td.textContent; });
    return out;
  }));
  const report = await (await api('/v1/reports/summary?from=2026-10-01&to=2026-11-30')).json();
  const expected = report.rows.filter((r) => r.is_total).map((r) => ({
    currency: r.currency, total_billed: r.total_billed.text, total_collected: r.total_collected.text,
    outstanding: r.outstanding.text, received: r.received.text,
  }));
  assert.ok(expected.length >= 2, 'the demo has several currencies');
  assert.deepEqual(shown.map((r) => ({ currency: r.currency, total_billed: r.total_billed, total_collected: r.total_collected,
    outstanding: r.outstanding, received: r.received })), expected);
  const dataRows = await page.$$eval('[data-testid="summary-table"] tr[data-total="false"]', (rows) => rows.length);
  assert.equal(dataRows, report.rows.filter((r) => !r.is_total).length);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-summary-csv"]')]);
  assert.equal(download.suggestedFilename(), 'billing-summary_2026-10-01_2026-11-30.csv');
  const saved = path.join(artefacts, download.suggestedFilename());
  await download.saveAs(saved);
  const apiCsv = await (await api('/v1/reports/summary?from=2026-10-01&to=2026-11-30&format=csv')).text();
  assert.equal(await readFile(saved, 'utf8'), apiCsv);

  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-summary-xlsx"]')]);
  assert.equal(xlsx.suggestedFilename(), 'billing-summary_2026-10-01_2026-11-30.xlsx');
  const xlsxPath = path.join(artefacts, xlsx.suggestedFilename());
  await xlsx.saveAs(xlsxPath);
  assert.equal((await readFile(xlsxPath)).subarray(0, 2).toString(), 'PK');
});

test('Invoices: open one from the list; its tables match the API', async (page) => {
  await page.goto(new URL('/#/invoices?status=Closed', base).href);
  await waitForPage(page, 'invoices');
  await screenshot(page, 'invoices');
  const link = await page.$('[data-testid="invoice-link"]');
  assert.ok(link, 'the demo has closed invoices');
  const number = await link.textContent();
  await link.click();
  await waitForPage(page, 'invoice');
  assert.equal(await page.textContent('[data-testid="invoice-number"]'), number);
  const invoice = await (await api(`/v1/invoices/${encodeURIComponent(number)}`)).json();
  assert.equal(await page.textContent('[data-testid="invoice-total"]'), `${invoice.total_billed.text} ${invoice.currency}`);
  const rowCount = (testid) => page.$$eval(`[data-testid="${testid}"] tbody tr`, (rows) => rows.filter((r) => !r.querySelector('td[colspan]')).length);
  assert.equal(await rowCount('charges-table'), invoice.tables.charges.length);
  assert.equal(await rowCount('usage-table'), invoice.tables.usage.length);
  assert.equal(await rowCount('payments-table'), invoice.tables.payments.length);
  assert.equal(await rowCount('corrections-table'), invoice.tables.corrections.length);
  assert.equal(await rowCount('taxes-table'), invoice.tables.taxes.length);
  assert.equal(await rowCount('statement-table'), invoice.lines.length + 1);
  const amounts = await page.$$eval('[data-testid="charges-table"] tbody tr td:last-child', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(amounts, invoice.tables.charges.map((c) => c.amount));
  await screenshot(page, 'invoice-details');

  await page.goto(new URL(`/#/bill/${encodeURIComponent(number)}`, base).href);
  await waitForPage(page, 'bill');
  assert.equal(await page.textContent('[data-testid="bill-lifecycle"]'), invoice.bill.lifecycle_state);
  assert.equal(await page.textContent('[data-testid="bill-to-pay"]'), `${invoice.total_to_pay.text} ${invoice.currency}`);
  await screenshot(page, 'bill');
});

test('Account page: balance, credit limit, preview statement', async (page) => {
  const accounts = await (await api('/v1/accounts?limit=1')).json();
  const account = accounts.accounts[0];
  await page.goto(new URL(`/#/account/${encodeURIComponent(account.account)}`, base).href);
  await waitForPage(page, 'account');
  assert.equal(await page.textContent('[data-testid="account-balance"]'), `${account.balance} ${account.currency}`);
  assert.equal(await page.textContent('[data-testid="account-credit-limit"]'), `${account.credit_limit} ${account.currency}`);
  // The preview statement: a brought-forward row and one row a line, for every open preview,
  // and what the preview asks as the API says.
  const { previews } = await (await api(`/v1/accounts/${encodeURIComponent(account.account)}/preview`)).json();
  assert.ok(previews.length > 0, 'the account has an open preview');
  const statementRows = await page.$$eval('[data-testid="statement-table"] tbody tr', (rows) => rows.length);
  assert.equal(statementRows, previews.reduce((sum, p) => sum + 1 + p.lines.length, 0));
  const toPay = await page.$$eval('[data-testid="preview-to-pay"]', (fields) => fields.map((f) => f.textContent));
  assert.deepEqual(toPay, previews.map((p) => `${p.total_to_pay.text} ${p.currency}`));
  await screenshot(page, 'account');
});

test('Account page: a long statement in pages, each brought forward from the one before', async (page) => {
  // An account whose one open preview has three lines or more, shown two lines a page.
  const { accounts } = await (await api('/v1/accounts?limit=500')).json();
  let account = null;
  for (const a of accounts) {
    const response = await fetch(new URL(`/v1/accounts/${encodeURIComponent(a.account)}/preview`, base));
    const { previews } = await response.json();
    if (response.status === 200 && previews.length === 1 && previews[0].line_count >= 3) { account = a.account; break; }
  }
  assert.ok(account, 'the demo has an account with a one-preview statement of three lines or more');
  const route = `/#/account/${encodeURIComponent(account)}`;
  const preview = `/v1/accounts/${encodeURIComponent(account)}/preview`;
  const statementRows = () => page.$$eval('[data-testid="statement-table"] tbody tr', (rows) => rows.map((r) => [...r.children].map((td) => td.textContent)));
  await page.goto(new URL(`${route}?lines_limit=2`, base).href);
  await waitForPage(page, 'account');
  const first = (await (await api(`${preview}?lines_limit=2`)).json()).previews[0];
  let rows = await statementRows();
  assert.deepEqual(rows.map((r) => r[0]), ['', String(first.lines[0].seq), String(first.lines[1].seq)]);
  assert.equal(rows[0][3], 'Balance brought forward');
  assert.equal(await page.$('[data-testid="statement-earlier"]'), null);
  // The next page starts from the balance the last row of this one reached.
  const reached = rows[2][5];
  await page.click('[data-testid="statement-later"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="statement-table"] tbody tr td:nth-child(4)')?.textContent.startsWith('Brought forward'));
  await waitForPage(page, 'account');
  const second = (await (await api(`${preview}?lines_limit=2&lines_from=${first.lines_next_from}`)).json()).previews[0];
  rows = await statementRows();
  assert.equal(rows[0][3], `Brought forward from line ${first.lines_next_from - 1}`);
  assert.equal(rows[0][5], reached);
  assert.equal(rows[0][5], second.lines_brought_forward.text);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), second.lines.map((l) => String(l.seq)));
  assert.ok(await page.$('[data-testid="statement-earlier"]'), 'a later page links to the lines before it');
  await screenshot(page, 'account-statement-page-2');
});

test('Financial reports: charts and tables', async (page) => {
  await page.goto(new URL('/#/reports', base).href);
  await waitForPage(page, 'reports');
  const bars = await page.$$eval('svg.chart rect', (rects) => rects.length);
  assert.ok(bars > 0, 'the charts have bars');
  const aging = await (await api('/v1/reports/aging')).json();
  const shown = await page.$$eval('[data-testid="aging-table"] tbody tr[data-total]', (rows) => rows.length);
  assert.equal(shown, aging.rows.filter((r) => r.is_total).length);
  await screenshot(page, 'financial-reports');
  await page.check('#detail');
  await page.click('#apply');
  // Every account's row appears once the page has rendered again with the detail.
  await page.waitForFunction((expected) => document.querySelectorAll('[data-testid="aging-table"] tbody tr[data-total]').length === expected,
    aging.rows.length);
});

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
let failed = 0;
try {
  for (const { name, body } of tests) {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    try {
      await body(page);
      assert.deepEqual(consoleErrors, [], 'no script errors');
      console.log(`ok - ${name}`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name}\n${error.stack || error}`);
      await page.screenshot({ path: path.join(artefacts, `failed-${tests.findIndex((t) => t.name === name)}.png`), fullPage: true }).catch(() => {});
    }
    await context.close();
  }
} finally {
  await browser.close();
}
await writeFile(path.join(artefacts, 'result.txt'), `${tests.length - failed}/${tests.length} passed\n`);
console.log(`${tests.length - failed}/${tests.length} passed`);
process.exit(failed ? 1 : 0);
