// A file with channels, trained for in the tab: the model of the total first, as for any
// file; "One model for every channel" trains again with `--by channel`. That model draws the
// total as the channels' sum and lists each channel, its .fcm is byte for byte the CLI's
// with the command the page states (hourly and weekly files alike), and a file without
// channels is not offered the box.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { chooseFile, cli, cliJson, drawn, openApp, random, stamp, startSuite } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

// 45 days of hours, three channels at different levels with their own daily shape.
function channelsCsv() {
  const rnd = random(11);
  const lines = ['date_hour,source,conversions,cost'];
  const start = Date.UTC(2024, 8, 2) / 1000;
  const channels = [
    ['ads', 6, 0],
    ['newsletter', 2, 8],
    ['organic', 4, 14],
  ];
  for (let i = 0; i < 24 * 45; ++i) {
    const t = start + i * 3600;
    const hour = (t / 3600) % 24;
    for (const [name, level, peak] of channels) {
      const mean = Number(level) * (1 + 0.6 * Math.cos(((hour - Number(peak)) / 24) * 2 * Math.PI));
      lines.push(`${stamp(t)},${name},${Math.max(0, Math.round(mean + 2 * rnd() - 1))},${(10 + 5 * rnd()).toFixed(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const sum = (/** @type {number[]} */ a) => a.reduce((s, x) => s + x, 0);

test('a file with channels: one model for every channel trained in the tab, as the CLI trains it', { timeout: 300_000 }, async (t) => {
  const csv = channelsCsv();
  const file = suite.site.fixture('by-source.csv', csv);
  const app = await openApp(t, suite);
  const { page } = app;
  await chooseFile(page, 'by-source.csv', csv);
  // The total's model first, as for any file; the box is offered beside it.
  await page.waitForSelector('#train-box[data-state="running"]', { timeout: 20_000 });
  assert.equal(await page.isVisible('#train-by-channel-label'), true, 'three channels: the box is offered');
  assert.equal(await page.isChecked('#train-by-channel'), false);
  assert.doesNotMatch(await page.textContent('#train-settings'), /--by channel/);

  await page.check('#train-by-channel');
  await page.waitForFunction(() => /--by channel/.test(document.getElementById('train-settings').textContent), null, { timeout: 20_000 });
  assert.equal(await page.textContent('#train-title'), 'A forecast model of every channel of by-source.csv');
  await page.waitForSelector('#train-box[data-state="done"]', { timeout: 240_000 });

  // The total drawn is the channels' sum, each channel listed.
  await page.waitForFunction(() => /each of 3 channels/.test(document.getElementById('forecast-caption').textContent), null, { timeout: 20_000 });
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  const rows = await page.$$eval('#forecast-channels tbody tr', (trs) => trs.map((tr) => tr.children[0].textContent));
  assert.deepEqual(rows, ['ads', 'newsletter', 'organic', 'Total']);

  // The download is the CLI's model with the command the page states, and the forecast
  // drawn is that model's.
  const settings = await page.textContent('#train-settings');
  const command = settings.slice(settings.indexOf('funnelcast train forecast')).trim().split(/\s+/).slice(3);
  assert.ok(command.join(' ').includes('--by channel'), command.join(' '));
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
  const out = suite.site.path('fixtures/cli-by-source.fcm');
  cli(['train', 'forecast', ...command.slice(6), '--data', suite.site.path(file), '--out', out, '--threads', '1', '--quiet', '--no-log']);
  assert.deepEqual(readFileSync(await d.path()), readFileSync(out), 'the page’s model is the CLI’s');
  const want = cliJson(['forecast', '--model', out, '--data', suite.site.path(file), '--json']);
  assert.deepEqual(want.channels.map((c) => c.channel), ['ads', 'newsletter', 'organic']);
  const got = await drawn(page, 'forecast-chart', 'forecast');
  assert.equal(got.length, want.time.length);
  got.forEach((r, i) => {
    assert.ok(Math.abs(r.mean - want.mean[i]) <= 1e-6, `mean[${i}]: page ${r.mean} vs CLI ${want.mean[i]}`);
    const channels = sum(want.channels.map((c) => c.mean[i]));
    assert.ok(Math.abs(r.mean - channels) <= 1e-6 * Math.max(1, channels), `step ${i}: the total is the channels' sum`);
  });
  await app.finish();
});

test('a file without channels is not offered one model for every channel', { timeout: 120_000 }, async (t) => {
  const lines = ['timestamp,leads'];
  const start = Date.UTC(2024, 0, 1) / 1000;
  for (let i = 0; i < 24 * 30; ++i) lines.push(`${stamp(start + i * 3600)},${(i * 7) % 11}`);
  const app = await openApp(t, suite);
  const { page } = app;
  await chooseFile(page, 'one-series.csv', `${lines.join('\n')}\n`);
  await page.waitForSelector('#train-box[data-state="running"], #train-box[data-state="done"]', { timeout: 20_000 });
  assert.equal(await page.isVisible('#train-by-channel-label'), false);
  await app.finish();
});

// 120 weeks (a yearly season) of three channels at their own levels.
function weeklyChannelsCsv() {
  const rnd = random(5);
  const lines = ['week,channel,leads'];
  const start = Date.UTC(2023, 0, 2) / 1000; // a Monday
  for (let w = 0; w < 120; ++w) {
    const wave = 1 + 0.3 * Math.sin((2 * Math.PI * (w % 52)) / 52);
    for (const [name, level] of [['email', 8], ['search', 80], ['social', 400]]) {
      lines.push(`${stamp(start + w * 604800).slice(0, 10)},${name},${Math.round(Number(level) * wave * (0.95 + 0.1 * rnd()))}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

test('a weekly file with channels: one model for every channel, 13 weeks ahead, the CLI\'s bytes', { timeout: 300_000 }, async (t) => {
  const csv = weeklyChannelsCsv();
  const file = suite.site.fixture('weekly-channels.csv', csv);
  const app = await openApp(t, suite);
  const { page } = app;
  await chooseFile(page, 'weekly-channels.csv', csv);
  await page.waitForSelector('#train-box[data-state="running"], #train-box[data-state="done"]', { timeout: 20_000 });
  assert.equal(await page.isVisible('#train-by-channel-label'), true, 'weekly rows with channels: the box is offered');
  await page.check('#train-by-channel');
  await page.waitForFunction(() => /--by channel/.test(document.getElementById('train-settings').textContent), null, { timeout: 20_000 });
  await page.waitForSelector('#train-box[data-state="done"]', { timeout: 240_000 });
  await page.waitForFunction(() => /each of 3 channels/.test(document.getElementById('forecast-caption').textContent), null, { timeout: 20_000 });
  await page.waitForSelector('#dashboard[aria-busy="false"]');

  const settings = await page.textContent('#train-settings');
  const command = settings.slice(settings.indexOf('funnelcast train forecast')).trim().split(/\s+/).slice(3);
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
  const out = suite.site.path('fixtures/cli-weekly-channels.fcm');
  cli(['train', 'forecast', ...command.slice(6), '--data', suite.site.path(file), '--out', out, '--threads', '1', '--quiet', '--no-log']);
  assert.deepEqual(readFileSync(await d.path()), readFileSync(out), 'the page’s model is the CLI’s');
  const want = cliJson(['forecast', '--model', out, '--data', suite.site.path(file), '--json']);
  assert.equal(want.time.length, 13, '13 weeks ahead');
  const got = await drawn(page, 'forecast-chart', 'forecast');
  assert.equal(got.length, 13);
  got.forEach((r, i) => {
    assert.ok(Math.abs(r.mean - want.mean[i]) <= 1e-6, `mean[${i}]: page ${r.mean} vs CLI ${want.mean[i]}`);
    const channels = sum(want.channels.map((c) => c.mean[i]));
    assert.ok(Math.abs(r.mean - channels) <= 1e-6 * Math.max(1, channels), `week ${i}: the total is the channels' sum`);
  });
  await app.finish();
});
