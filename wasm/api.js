// The public JS API of the funnelcast wasm module (linked with --post-js, so it runs
// inside the module factory with `Module` in scope). The raw Embind entry points in
// bindings.cpp return either a result or an Error object; this layer throws the
// Error, so a core error arrives as a JS Error carrying the core's message while no
// C++ frame is ever unwound by a JS exception. Declarations: funnelcast.d.ts.
(function () {
  'use strict';

  function check(value) {
    if (value instanceof Error) throw value;
    return value;
  }

  function toBytes(bytes) {
    if (bytes instanceof Uint8Array) return bytes;
    if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
    if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (typeof bytes === 'string') return new TextEncoder().encode(bytes);
    throw new TypeError('expected the file as a Uint8Array, an ArrayBuffer or a string');
  }

  function live(owner, what) {
    if (!owner._raw) throw new Error('this ' + what + ' was deleted');
    return owner._raw;
  }

  class Table {
    constructor(raw) { this._raw = raw; }
    /** Column names, types, detected and used roles, rows, hours and time span. */
    schema() { return check(live(this, 'table').schema()); }
    /** Pin roles ({leads: 'conversions', revenue: null, ...}) and reading options ({events, gaps}), and rebuild the series. */
    setRoles(roles, options) { return check(live(this, 'table').setRoles(roles || {}, options || {})); }
    channels() { return check(live(this, 'table').channels()); }
    series(channel) { return check(live(this, 'table').series(channel || '')); }
    get deleted() { return !this._raw; }
    /** Frees the wasm memory of this table. Safe to call twice. */
    delete() {
      if (this._raw) {
        this._raw.delete();
        this._raw = null;
      }
    }
  }

  class Model {
    constructor(raw, header) { this._raw = raw; this._header = header; }
    /** The model file's JSON header (a fresh copy each call). */
    header() {
      live(this, 'model');
      return JSON.parse(JSON.stringify(this._header));
    }
    get deleted() { return !this._raw; }
    delete() {
      if (this._raw) {
        this._raw.delete();
        this._raw = null;
      }
    }
  }

  if (typeof Symbol === 'function' && Symbol.dispose) {
    Table.prototype[Symbol.dispose] = Table.prototype.delete;
    Model.prototype[Symbol.dispose] = Model.prototype.delete;
  }

  // options.model: a scoring model whose categories are read as text whatever the file
  // holds (its zip codes 02139, 007 stay text in a batch without letters), as the CLI's
  // score and drift read a batch.
  function loadTable(bytes, name, options) {
    const input = toBytes(bytes);
    const model = options && options.model != null ? live(options.model, 'model') : null;
    const raw = new Module['RawTable']();
    let result;
    try {
      const label = name == null ? 'input' : String(name);
      result = model ? raw.loadFor(input, label, model) : raw.load(input, label);
    } catch (e) {
      raw.delete();
      throw e;
    }
    if (result instanceof Error) {
      raw.delete();
      throw result;
    }
    return new Table(raw);
  }

  function loadModel(bytes, name) {
    const input = toBytes(bytes);
    const raw = new Module['RawModel']();
    let header;
    try {
      header = raw.load(input, name == null ? 'model' : String(name));
    } catch (e) {
      raw.delete();
      throw e;
    }
    if (header instanceof Error) {
      raw.delete();
      throw header;
    }
    return new Model(raw, header);
  }

  function forecast(table, model, options) {
    return check(Module['rawForecast'](live(table, 'table'), live(model, 'model'), optionsText(options)));
  }

  function modelFits(table, model, options) {
    return check(Module['rawModelFits'](live(table, 'table'), live(model, 'model'), optionsText(options)));
  }

  // candidates (optional): every candidate's trainForecastCandidate result, from any
  // workers: the candidates are not run again, and the model has the bytes trainForecast
  // alone gives.
  function trainForecast(table, options, onProgress, candidates) {
    const progress = typeof onProgress === 'function' ? onProgress : null;
    if (candidates == null) return check(Module['rawTrainForecast'](live(table, 'table'), optionsText(options), progress));
    if (!Array.isArray(candidates)) throw new TypeError('candidates must be an array of candidate results (trainForecastCandidate)');
    candidates.forEach(function (c, i) {
      if (!c || typeof c !== 'object' || !(c.bytes instanceof Uint8Array)) {
        throw new TypeError('candidates[' + i + '] must be a candidate result (trainForecastCandidate) with its bytes as a Uint8Array');
      }
    });
    return check(Module['rawTrainForecastCandidates'](live(table, 'table'), optionsText(options), candidates, progress));
  }

  function forecastCandidates(table, options) {
    return check(Module['rawForecastCandidates'](live(table, 'table'), optionsText(options)));
  }

  function trainForecastCandidate(table, options, candidate, onProgress) {
    if (!Number.isInteger(candidate) || candidate < 0) throw new TypeError('candidate must be an integer from 0');
    const progress = typeof onProgress === 'function' ? onProgress : null;
    return check(Module['rawTrainForecastCandidate'](live(table, 'table'), optionsText(options), candidate, progress));
  }

  // drop: a list of columns, or the CLI's comma-separated text (the field list reads text).
  function trainScoreOptions(options) {
    if (!options || !Array.isArray(options.drop)) return optionsText(options);
    const drop = options.drop;
    for (let i = 0; i < drop.length; ++i) {
      if (typeof drop[i] !== 'string') throw new Error("option 'drop' must list column names");
      if (drop[i].indexOf(',') >= 0) throw new Error("option 'drop': the column '" + drop[i] + "' has a comma in its name; rename it to leave it out");
    }
    return optionsText(Object.assign({}, options, { drop: drop.join(',') }));
  }

  // A fold's result as trainScoreFold returns it (in this worker or another, through
  // postMessage): its types checked here, its numbers by the core.
  function foldResult(f, i) {
    const at = 'folds[' + i + ']';
    if (!f || typeof f !== 'object') throw new TypeError(at + ' must be a fold result (trainScoreFold)');
    for (const k of ['fold', 'best']) {
      if (!Number.isInteger(f[k])) throw new TypeError(at + '.' + k + ' must be an integer');
    }
    if (!(f.rows instanceof Uint32Array)) throw new TypeError(at + '.rows must be a Uint32Array');
    for (const k of ['oof', 'oofLogistic']) {
      if (!(f[k] instanceof Float64Array)) throw new TypeError(at + '.' + k + ' must be a Float64Array');
    }
    return f;
  }

  // folds (optional): every fold's trainScoreFold result, from any workers: the folds are
  // not run again, and the model has the bytes trainScore alone gives.
  function trainScore(table, options, onProgress, folds) {
    const progress = typeof onProgress === 'function' ? onProgress : null;
    const text = trainScoreOptions(options);
    if (folds == null) return check(Module['rawTrainScore'](live(table, 'table'), text, progress));
    if (!Array.isArray(folds)) throw new TypeError('folds must be an array of fold results (trainScoreFold)');
    return check(Module['rawTrainScoreFolds'](live(table, 'table'), text, folds.map(foldResult), progress));
  }

  function trainScoreFold(table, options, fold, onProgress) {
    if (!Number.isInteger(fold) || fold < 0) throw new TypeError('fold must be an integer from 0');
    const progress = typeof onProgress === 'function' ? onProgress : null;
    return check(Module['rawTrainScoreFold'](live(table, 'table'), trainScoreOptions(options), fold, progress));
  }

  // Which column is the outcome (the guess of `funnelcast train score` without --target).
  function guessOutcome(table) {
    return check(Module['rawGuessOutcome'](live(table, 'table')));
  }

  function score(table, model, options) {
    return check(Module['rawScore'](live(table, 'table'), live(model, 'model'), optionsText(options)));
  }

  // One lead given as {column: value}: scored with every input's contribution.
  function scoreRecord(model, record) {
    const columns = Object.keys(record);
    const cell = (v) => {
      const s = v == null ? '' : String(v);
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    const text = columns.map(cell).join(',') + '\n' + columns.map((c) => cell(record[c])).join(',') + '\n';
    const table = loadTable(text, 'lead', { model });
    try {
      return score(table, model, { explain: -1 });
    } finally {
      table.delete();
    }
  }

  function drift(reference, current, model) {
    return check(Module['rawDrift'](live(reference, 'table'), live(current, 'table'), model ? live(model, 'model') : null));
  }

  let registryCache = null;
  function registry() {
    if (!registryCache) registryCache = check(Module['rawRegistry']());
    return JSON.parse(JSON.stringify(registryCache));
  }

  // A command's options as JSON text for the core, which checks them against the command's
  // field list (registry().commands). Typed-array columns (`columns`) are handed over apart;
  // JSON has no NaN or Infinity, so they are refused here rather than read as "not given".
  function optionsText(options, columns) {
    if (options == null) return '';
    if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError('options must be an object');
    const plain = {};
    for (const key of Object.keys(options)) {
      const value = options[key];
      if (columns && columns.includes(key)) continue;
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error("option '" + key + "' must be a finite number");
      plain[key] = value;
    }
    return JSON.stringify(plain);
  }

  function kpis(table, options) {
    return check(Module['rawKpis'](live(table, 'table'), optionsText(options)));
  }

  function monitor(table, options) {
    return check(Module['rawMonitor'](live(table, 'table'), optionsText(options)));
  }

  function anomalies(table, options) {
    const forecasts = options && options.forecasts != null ? options.forecasts : null;
    return check(Module['rawAnomalies'](live(table, 'table'), optionsText(options, ['forecasts']), forecasts));
  }

  Module['loadTable'] = loadTable;
  Module['loadModel'] = loadModel;
  Module['forecast'] = forecast;
  Module['modelFits'] = modelFits;
  // Only the training bundle (funnelcast-train.mjs) has the raw entry point; embind
  // registers it after this script ran, so the property is looked up when read.
  Object.defineProperty(Module, 'trainForecast', {
    enumerable: true,
    get() { return Module['rawTrainForecast'] ? trainForecast : undefined; },
  });
  Object.defineProperty(Module, 'forecastCandidates', {
    enumerable: true,
    get() { return Module['rawForecastCandidates'] ? forecastCandidates : undefined; },
  });
  Object.defineProperty(Module, 'trainForecastCandidate', {
    enumerable: true,
    get() { return Module['rawTrainForecastCandidate'] ? trainForecastCandidate : undefined; },
  });
  Object.defineProperty(Module, 'trainScore', {
    enumerable: true,
    get() { return Module['rawTrainScore'] ? trainScore : undefined; },
  });
  Object.defineProperty(Module, 'trainScoreFold', {
    enumerable: true,
    get() { return Module['rawTrainScoreFold'] ? trainScoreFold : undefined; },
  });
  Object.defineProperty(Module, 'guessOutcome', {
    enumerable: true,
    get() { return Module['rawGuessOutcome'] ? guessOutcome : undefined; },
  });
  Module['score'] = score;
  Module['scoreRecord'] = scoreRecord;
  Module['drift'] = drift;
  Module['registry'] = registry;
  Module['kpis'] = kpis;
  Module['anomalies'] = anomalies;
  Module['monitor'] = monitor;
  Module['version'] = function () { return Module['rawVersion'](); };
  Module['memoryStats'] = function () { return Module['rawMemory'](); };
  Module['Table'] = Table;
  Module['Model'] = Model;
})();
