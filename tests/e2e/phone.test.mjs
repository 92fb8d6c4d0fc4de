// The page on a phone (390x844, an iPhone 12-15's window): the dashboard and lead scoring
// are one column as wide as the window, the charts fit it, tables scroll sideways inside
// their own box, and the page itself never scrolls sideways. Checked on the demo data,
// opened at that size (and at 320 and 360 px), reached by switching tabs, and after a desktop window is narrowed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openApp, scoringReady, startSuite, T } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

// What sticks out of a `width`-px window: the page's scroll width, each chart's drawn
// width, and every shown element whose right edge is past the window, unless it is inside
// a box that scrolls sideways itself (overflow-x auto or scroll: a table's .table-wrap).
async function overflow(page, width) {
  return page.evaluate((w) => {
    const scrolls = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === 'auto' || o === 'scroll') return true;
      }
      return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      const b = el.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) continue; // not shown
      if (b.right > w + 0.5 && !scrolls(el)) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.classList.length ? `.${[...el.classList].join('.')}` : ''} ends at ${Math.round(b.right)} px`);
    }
    const charts = [];
    for (const c of document.querySelectorAll('.chart')) {
      const drawn = c.querySelector('svg, canvas');
      if (!drawn) continue;
      const b = drawn.getBoundingClientRect();
      if (b.width === 0) continue; // in the hidden tab
      charts.push({ id: c.id, width: b.width, right: b.right, slot: c.getBoundingClientRect().width });
    }
    return { scrollWidth: document.documentElement.scrollWidth, out: out.slice(0, 20), count: out.length, charts };
  }, width);
}

function assertFits(o, width, what, charts) {
  assert.ok(o.scrollWidth <= width, `${what}: the page is ${o.scrollWidth} px wide in a ${width} px window`);
  assert.deepEqual(o.out, [], `${what}: ${o.count} elements past the window's right edge`);
  const ids = o.charts.map((c) => c.id);
  for (const id of charts) assert.ok(ids.includes(id), `${what}: ${id} drawn (drawn: ${ids.join(', ')})`);
  for (const c of o.charts) {
    assert.ok(c.width > 100, `${what}: ${c.id} is ${c.width} px wide, still readable`);
    assert.ok(c.width <= width && c.right <= width + 0.5, `${what}: ${c.id} is ${c.width} px wide, ends at ${c.right} px`);
  }
}

const DASHBOARD_CHARTS = ['forecast-chart', 'anomaly-chart'];
const SCORING_CHARTS = ['roc-chart', 'pr-chart', 'calibration-chart', 'gain-chart', 'waterfall-chart'];

async function dashboardReady(page) {
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  await page.waitForSelector('#forecast-chart svg path');
  await page.waitForSelector('#anomaly-chart svg path');
  await page.waitForFunction(() => !document.querySelector('.chart.preparing'));
}

async function scoringDrawn(page) {
  await scoringReady(page);
  for (const id of SCORING_CHARTS) await page.waitForSelector(`#${id} svg path`);
  // The one-lead panel first scores the typical lead, then the table's top lead: measure
  // the waterfall once it shows the top lead (its labels, so its width, differ).
  await page.waitForFunction(() => document.getElementById('lead-panel').dataset.state === 'scored' && /^Lead /.test(document.getElementById('lead-result').dataset.origin || ''), null, { timeout: 20_000 });
  await page.waitForTimeout(500);
}

test('at 390x844 the demo dashboard is one column: tiles, forecast and anomaly charts within the window', T, async (t) => {
  const app = await openApp(t, suite, '', { viewport: PHONE });
  const { page } = app;
  await dashboardReady(page);
  assertFits(await overflow(page, PHONE.width), PHONE.width, 'dashboard', DASHBOARD_CHARTS);
  // One column: every KPI tile shown starts at the same left edge and spans the row.
  const tiles = await page.$$eval('#kpi-tiles .tile:not([hidden])', (els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  assert.ok(tiles.length >= 4, 'the demo shows its KPI tiles');
  for (const b of tiles) assert.equal(Math.round(b.left), Math.round(tiles[0].left), 'tiles in one column');
  assert.ok(tiles[0].width > PHONE.width * 0.8, `a tile spans the row (${tiles[0].width} px)`);
  // The forecast's future half is inside the window: its last drawn mark ends before the edge.
  const marks = await page.$$eval('#forecast-chart svg .mark-area path, #forecast-chart svg .mark-line path', (ps) => ps.map((p) => p.getBoundingClientRect().right));
  assert.ok(marks.length > 0, 'forecast marks');
  assert.ok(Math.max(...marks) <= PHONE.width, `forecast marks end at ${Math.max(...marks)} px`);
  await app.finish();
});

// One page opened on lead scoring at 390x844: it fits, then the tabs are switched.
test('at 390x844 lead scoring', T, async (t) => {
  const app = await openApp(t, suite, '?view=scoring', { viewport: PHONE });
  const { page } = app;
  await scoringDrawn(page);

  await t.test('fits: the small charts and the waterfall within the window, the leads table scrolls in its box', async () => {
    const o = await overflow(page, PHONE.width);
    assertFits(o, PHONE.width, 'scoring', SCORING_CHARTS);
    // The waterfall is drawn narrower than its desktop size (420 px plot plus labels) to fit.
    const waterfall = o.charts.find((c) => c.id === 'waterfall-chart');
    assert.ok(waterfall.width <= waterfall.slot + 0.5, `the waterfall (${waterfall.width} px) fits its slot (${waterfall.slot} px)`);
    // The leads table is wider than the phone and scrolls inside its own box; the reasons
    // column is reached by scrolling that box.
    const box = await page.$eval('#leads-table', (table) => {
      const wrap = table.closest('.table-wrap');
      return { client: wrap.clientWidth, scroll: wrap.scrollWidth, overflowX: getComputedStyle(wrap).overflowX };
    });
    assert.ok(box.client <= PHONE.width, 'the table box is within the window');
    assert.ok(box.scroll > box.client, `the table (${box.scroll} px) is wider than its box (${box.client} px)`);
    assert.match(box.overflowX, /auto|scroll/);
    await page.$eval('#leads-table', (table) => {
      const wrap = table.closest('.table-wrap');
      wrap.scrollLeft = wrap.scrollWidth;
    });
    const reasons = await page.$eval('#leads-table tbody tr:first-child .reasons', (r) => r.getBoundingClientRect().toJSON());
    assert.ok(reasons.right <= PHONE.width + 0.5 && reasons.left >= 0, `the reasons column scrolled into view (${reasons.left}–${reasons.right} px)`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, 'scrolling the table does not widen the page');
  });

  await t.test('switching to the dashboard and back keeps every chart within the window', async () => {
    await page.click('[role="tab"][aria-controls="dashboard-view"]');
    await dashboardReady(page);
    await page.waitForTimeout(300); // a chart fitted to its slot once shown is drawn again
    assertFits(await overflow(page, PHONE.width), PHONE.width, 'dashboard after the tab switch', DASHBOARD_CHARTS);
    await page.click('[role="tab"][aria-controls="scoring-view"]');
    await page.waitForTimeout(300);
    assertFits(await overflow(page, PHONE.width), PHONE.width, 'scoring after the tab switch', SCORING_CHARTS);
  });

  await app.finish();
});

test('a desktop window narrowed to 390 px redraws the waterfall to fit, and widened again draws it at its own size', T, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringDrawn(page);
  const own = await page.$eval('#waterfall-chart svg', (s) => Number(s.getAttribute('width')));
  const slot = await page.$eval('#waterfall-chart', (c) => c.clientWidth);
  assert.ok(own <= slot, `at 1280 px the waterfall (${own} px) is drawn at its own size in its slot (${slot} px)`);
  // Its input names are whole: drawn after the typical lead's shorter ones, the top lead's
  // labels got room of their own (they were clipped at the left edge before).
  const clipped = await page.$eval('#waterfall-chart svg', (svg) => {
    const left = svg.getBoundingClientRect().left;
    return [...svg.querySelectorAll('.role-axis-label text')].filter((t) => t.getBoundingClientRect().left < left - 0.5).map((t) => t.textContent);
  });
  assert.deepEqual(clipped, [], 'axis labels cut at the chart’s left edge');
  await page.setViewportSize(PHONE);
  await page.waitForFunction((w) => Number(document.querySelector('#waterfall-chart svg')?.getAttribute('width')) <= w - 20, PHONE.width, { timeout: 10_000 });
  assertFits(await overflow(page, PHONE.width), PHONE.width, 'scoring narrowed', SCORING_CHARTS);
  await page.setViewportSize({ width: 1280, height: 900 });
  // Drawn at its own size again, the first draw's, not left fitted to 390 px.
  await page.waitForFunction((w) => Math.abs(Number(document.querySelector('#waterfall-chart svg')?.getAttribute('width')) - w) <= 1, own, { timeout: 10_000 });
  await app.finish();
});

test('narrower phones, 320 and 360 px wide: the dashboard and lead scoring still fit', T, async (t) => {
  for (const width of [320, 360]) {
    const viewport = { width, height: 740 };
    const dash = await openApp(t, suite, '', { viewport });
    await dashboardReady(dash.page);
    assertFits(await overflow(dash.page, width), width, `dashboard at ${width} px`, DASHBOARD_CHARTS);
    await dash.finish();
    const scoring = await openApp(t, suite, '?view=scoring', { viewport });
    await scoringDrawn(scoring.page);
    assertFits(await overflow(scoring.page, width), width, `scoring at ${width} px`, SCORING_CHARTS);
    await scoring.finish();
  }
});
