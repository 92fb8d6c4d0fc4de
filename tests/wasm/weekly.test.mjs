// Weekly files through the bundles (issue 16): the training bundle gives the CLI's bytes
// for a weekly file, and the inference bundle forecasts that model as the CLI does, week by
// week (13 weeks from the last Monday).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { bytes, cli, cliJson, loadModule, loadTrainModule, scratchDir, writeScratch } from './helpers.mjs';

const fc = await loadModule();

// 120 weeks from Monday 2024-01-01: a trend and a yearly cycle.
function weekly(weeks) {
  const lines = ['week,leads'];
  for (let w = 0; w < weeks; ++w) {
    const day = new Date(Date.UTC(2024, 0, 1) + w * 7 * 86400e3).toISOString().slice(0, 10);
    lines.push(`${day},${Math.round(200 + 2 * w + 30 * Math.cos((2 * Math.PI * (w % 52)) / 52) + ((w * 11) % 5))}`);
  }
  return lines.join('\n') + '\n';
}

test('a weekly file: trainForecast gives the CLI’s bytes, and the bundle forecasts its 13 weeks as the CLI does', async () => {
  const train = await loadTrainModule();
  const text = weekly(120);
  const path = writeScratch('weekly.csv', text);
  const cliModel = join(scratchDir(), 'cli-weekly.fcm');
  cli(['train', 'forecast', '--data', path, '--out', cliModel, '--quiet', '--threads', '1', '--folds', '3',
    '--param', 'num_iterations=50', '--param', 'learning_rate=0.1', '--param', 'seed=7']);
  const t = train.loadTable(text, 'weekly.csv');
  try {
    const r = train.trainForecast(t, { folds: 3, iterations: 50, learning_rate: 0.1, seed: 7 });
    assert.deepEqual(Buffer.from(r.model), readFileSync(cliModel));
    assert.equal(r.report.data.interval, 604800);
    assert.ok(r.report.notices.some((n) => n.startsWith('weekly series: forecasting 13 weeks ahead with a yearly season')), r.report.notices.join('\n'));
  } finally {
    t.delete();
  }
  const want = cliJson(['forecast', '--model', cliModel, '--data', path, '--json']);
  const table = fc.loadTable(text, 'weekly.csv');
  const model = fc.loadModel(bytes(cliModel), 'cli-weekly.fcm');
  try {
    const got = fc.forecast(table, model, {});
    assert.equal(got.interval_seconds, 604800);
    assert.equal(got.time.length, 13);
    assert.equal(got.time[0], Date.UTC(2024, 0, 1) / 1000 + 120 * 604800);
    for (let i = 0; i < 13; ++i) {
      assert.equal(got.time[i], want.time[i]);
      assert.ok(Math.abs(got.mean[i] - want.mean[i]) <= 1e-9, `mean[${i}]: wasm ${got.mean[i]} vs CLI ${want.mean[i]}`);
      assert.ok(Math.abs(got.upper95[i] - want.upper95[i]) <= 1e-9, `upper95[${i}]`);
    }
  } finally {
    table.delete();
    model.delete();
  }
});
