// The drift view against the native CLI: a reference and a current leads file (the
// current one with a source renamed and time on site doubled) give `funnelcast drift
// --json`'s PSI, KS and flags per column, side-by-side histograms for the flagged columns
// only, and the demo model's ROC-AUC on the current file (it has the outcome); without the
// outcome, the page says it cannot be measured. No request leaves the page's origin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { chooseFile, cliPath, openApp, scoringReady, startSuite } from './helpers.mjs';
import { spawnSync } from 'node:child_process';

let suite;
let lines;
before(async () => {
  suite = await startSuite();
  lines = readFileSync(suite.site.path('demo/leads.csv'), 'utf8').trim().split('\n');
});
after(() => suite && suite.close());

// `funnelcast drift --json` (exit 3 when it alerts).
function cliDrift(ref, cur) {
  const r = spawnSync(cliPath(), ['drift', '--json', '--reference', ref, '--current', cur, '--model', suite.site.path('models/demo_leads.fcm')], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 3, r.stderr);
  return JSON.parse(r.stdout);
}

test('drift: per-column PSI, KS and flags as funnelcast drift gives them, histograms of the flagged columns, the model’s AUC on the current file', { timeout: 180_000 }, async (t) => {
  const header = lines[0].split(',');
  const tos = header.indexOf('time_on_site');
  const half = 8000;
  const refText = `${lines.slice(0, half + 1).join('\n')}\n`;
  const curRows = lines.slice(half + 1).map((l) => {
    const cells = l.replace(',google_ads,', ',facebook,').split(',');
    cells[tos] = String(Number(cells[tos]) * 2);
    return cells.join(',');
  });
  const curText = `${[lines[0], ...curRows].join('\n')}\n`;
  const ref = suite.site.path(suite.site.fixture('reference.csv', refText));
  const cur = suite.site.path(suite.site.fixture('current.csv', curText));
  const want = cliDrift(ref, cur);
  const flaggedWant = want.columns.filter((c) => c.severity !== 'none').map((c) => c.column);
  assert.ok(flaggedWant.includes('source') && flaggedWant.includes('time_on_site'), `the CLI flags both: ${flaggedWant}`);

  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  await chooseFile(page, 'reference.csv', refText, { kind: 'reference' });
  await chooseFile(page, 'current.csv', curText, { kind: 'current' });
  await page.waitForFunction(() => document.getElementById('drift-panel').dataset.state === 'ready' && /current\.csv against reference\.csv/.test(document.getElementById('drift-summary').textContent), null, { timeout: 60_000 });

  const rows = await page.$$eval('#drift-table tbody tr', (trs) => trs.map((tr) => ({ column: tr.dataset.column, severity: tr.dataset.severity, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })));
  assert.deepEqual(rows.map((r) => r.column), want.columns.map((c) => c.column));
  for (let i = 0; i < rows.length; ++i) {
    const c = want.columns[i];
    assert.equal(rows[i].severity, c.severity, `${c.column} flag`);
    assert.equal(rows[i].cells[1], c.psi == null ? '–' : c.psi.toFixed(3), `${c.column} PSI`);
    assert.equal(rows[i].cells[2], c.ks == null ? '–' : c.ks.toFixed(3), `${c.column} KS`);
  }
  assert.equal(await page.getAttribute('#drift-summary', 'data-alert'), String(want.alert));
  // The flagged columns' histograms, reference and current side by side; none for the others.
  const charts = await page.$$eval('#drift-charts .drift-chart', (els) => els.map((e) => e.dataset.column));
  assert.ok(charts.includes('time_on_site') && charts.includes('source'), `histograms drawn: ${charts}`);
  assert.ok(charts.every((c) => flaggedWant.includes(c)), 'only flagged columns are drawn');
  const bins = await page.evaluate(() => document.querySelector('#drift-charts .drift-chart[data-column="time_on_site"]').fcView.data('bins'));
  const sides = (s) => bins.filter((b) => b.side === s).reduce((a, b) => a + b.share, 0);
  assert.ok(Math.abs(sides('reference') - 1) < 1e-9 && Math.abs(sides('current') - 1) < 1e-9, 'each side’s shares add up to 1');
  // The model's ROC-AUC on the current file, as the CLI measures it.
  const auc = Number(await page.getAttribute('#drift-model', 'data-roc-auc'));
  assert.ok(Math.abs(auc - want.model_check.roc_auc) < 1e-12, `ROC-AUC: page ${auc}, CLI ${want.model_check.roc_auc}`);
  assert.match(await page.textContent('#drift-model'), /demo_leads\.fcm on current\.csv: ROC-AUC \d\.\d{3} on [\d,]+ leads with an outcome/);

  // A current file without the outcome: drift still, and no AUC.
  const noTarget = curText
    .trim()
    .split('\n')
    .map((l) => l.split(',').slice(0, -1).join(','))
    .join('\n');
  await chooseFile(page, 'current-unlabelled.csv', `${noTarget}\n`, { kind: 'current' });
  await page.waitForFunction(() => /current-unlabelled\.csv against/.test(document.getElementById('drift-summary').textContent) && document.getElementById('drift-panel').dataset.state === 'ready', null, { timeout: 60_000 });
  assert.equal(await page.getAttribute('#drift-model', 'data-roc-auc'), '');
  assert.match(await page.textContent('#drift-model'), /has no converted column/);

  // A current file a quarter of which the reference holds too: the ROC-AUC is said to be
  // in-sample, and the other leads' ROC-AUC given beside it, as the CLI measures them.
  const overlapText = `${[lines[0], ...lines.slice(half - 1999, half + 6001)].join('\n')}\n`;
  const overlap = suite.site.path(suite.site.fixture('current-overlap.csv', overlapText));
  const o = cliDrift(ref, overlap).model_check;
  assert.equal(o.shared_rows, 2000);
  assert.equal(o.new_rows, 6000);
  assert.equal(o.in_sample, true);
  await chooseFile(page, 'current-overlap.csv', overlapText, { kind: 'current' });
  await page.waitForFunction(() => /current-overlap\.csv against/.test(document.getElementById('drift-summary').textContent) && document.getElementById('drift-panel').dataset.state === 'ready', null, { timeout: 60_000 });
  const text = await page.textContent('#drift-model');
  assert.ok(text.includes(`2,000 of them are also in reference.csv: if the model was trained on it, that ROC-AUC is in-sample and reads high. On the 6,000 others: ROC-AUC ${o.new_roc_auc.toFixed(3)}`), text);
  assert.ok(text.includes(`The outcome rate is ${(o.outcome_rate * 100).toFixed(1)}% here, ${(o.reference_outcome_rate * 100).toFixed(1)}% in reference.csv.`), text);
  await app.finish();
});

// Too small a current file is not judged (issue 17): 1, 5 and 50 leads copied from the
// reference give the CLI's "too few rows" verdict and its note (exit 0, no alert), no
// column flagged, no histogram, and no model verdict beyond "too few leads to judge".
test('1, 5 and 50 copied leads: too few rows to judge, as funnelcast drift says, no alert and no retrain advice', { timeout: 180_000 }, async (t) => {
  const refText = `${lines.slice(0, 8001).join('\n')}\n`;
  const ref = suite.site.path(suite.site.fixture('reference-8000.csv', refText));
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  await chooseFile(page, 'reference-8000.csv', refText, { kind: 'reference' });
  for (const n of [1, 5, 50]) {
    const name = `copied-${n}.csv`;
    const text = `${lines.slice(0, n + 1).join('\n')}\n`;
    const want = cliDrift(ref, suite.site.path(suite.site.fixture(name, text)));
    assert.equal(want.verdict, 'too few rows', `the CLI on ${n}`);
    assert.equal(want.alert, false);
    assert.match(want.note, new RegExp(`^too few rows to judge: ${name.replace('.', '\\.')} has ${n} rows?;`));
    await chooseFile(page, name, text, { kind: 'current' });
    await page.waitForFunction((f) => document.getElementById('drift-panel').dataset.state === 'ready' && document.getElementById('drift-summary').textContent.startsWith(`${f} against`), name, { timeout: 60_000 });
    const summary = await page.evaluate(() => ({ ...document.getElementById('drift-summary').dataset, text: document.getElementById('drift-summary').textContent }));
    assert.equal(summary.verdict, 'too few rows', `${n} leads`);
    assert.equal(summary.alert, 'false', `${n} leads: no alert`);
    assert.equal(summary.text, `${name} against reference-8000.csv: ${want.note}.`);
    assert.ok(!/retrain/i.test(summary.text), summary.text);
    const severities = await page.$$eval('#drift-table tbody tr', (trs) => trs.map((tr) => tr.dataset.severity));
    assert.deepEqual(severities, want.columns.map((c) => c.severity));
    assert.ok(severities.every((s) => s === 'none'), `${n} leads: no column flagged`);
    assert.equal(await page.locator('#drift-charts .drift-chart').count(), 0, `${n} leads: no histogram`);
    const model = await page.textContent('#drift-model');
    assert.ok(!/holding up|degraded|retrain/.test(model), `${n} leads: ${model}`);
    if (want.model_check) assert.match(model, /too few new leads to judge/, `${n} leads: ${model}`);
    // One lead has one outcome: no ROC-AUC, and the page says why (never "has no converted column").
    else assert.equal(model, `demo_leads.fcm on ${name}: no ROC-AUC (${want.model_check_skipped}).`);
  }
  await app.finish();
});
