// TypeScript declarations of the funnelcast WebAssembly module (funnelcast.mjs).
//
//   import createFunnelcast from './funnelcast.mjs';
//   const fc = await createFunnelcast();
//   const table = fc.loadTable(bytes, 'hourly.csv');
//   try { console.log(fc.kpis(table, { window: 24 })); } finally { table.delete(); }
//
// Every function throws a JS `Error` whose message is the core's message (naming the
// file, line and column where it can). Objects that hold wasm memory (Table, Model)
// must be freed with delete(); results are plain JS objects and typed-array copies
// that stay valid after the object that produced them is deleted.

/** Epoch seconds (UTC). Exact in a double. */
export type EpochSeconds = number;

/** clicks: a traffic column (clicks, sessions, visits, ...), the conversion rate's denominator. */
export type RoleName = 'time' | 'leads' | 'spend' | 'revenue' | 'cpl' | 'roi' | 'channel' | 'clicks';

/** A column name per role; null = the data has no column for that role. */
export type Roles = Record<RoleName, string | null>;

/**
 * Roles for Table.setRoles: a column name pins the role, null says the data has no
 * such column (it is then never auto-detected), a missing key lets detection choose.
 */
export type RoleChoice = Partial<Record<RoleName, string | null>>;

export interface ColumnInfo {
  name: string;
  /** Type inferred from the cells. */
  type: 'number' | 'timestamp' | 'category';
  /** Empty or NA-like cells. */
  missing: number;
  /** Distinct values of a category column. */
  levels?: number;
}

export interface Schema {
  /** The name the file was loaded under (used in error messages). */
  source: string;
  /** Data rows (records) in the CSV. */
  rows: number;
  columns: ColumnInfo[];
  /** Roles guessed from the column names alone. */
  detectedRoles: Roles;
  /** Roles the caller pinned with setRoles (null = "not in the data"). */
  pinnedRoles: RoleChoice;
  /** true when the hourly series could be built with the current roles. */
  ok: boolean;
  /** Why the hourly series could not be built (the core's message), else null. */
  error: string | null;
  /** Roles in use (the detected ones when ok is false). */
  roles: Roles;
  /** Hours on the grid (0 when ok is false). */
  hours: number;
  /** First hour, epoch seconds (null when ok is false). */
  start: EpochSeconds | null;
  /** End of the last hour (exclusive), epoch seconds (null when ok is false). */
  end: EpochSeconds | null;
  /** Channel names, sorted; empty without a channel column. */
  channels: string[];
  inputRows?: number;
  rowsAggregated?: number;
  emptyHours?: number;
  missingCells?: number;
  spendDerived?: boolean;
  revenueDerived?: boolean;
  eventLevel?: boolean;
  has?: { spend: boolean; revenue: boolean; cpl: boolean; roi: boolean };
}

/** One hourly series as whole columns (copies). */
export interface SeriesData {
  /** "" for the total over all channels. */
  channel: string;
  start: EpochSeconds;
  hours: number;
  time: Float64Array;
  leads: Float64Array;
  /** null when the data has no spend (nor cpl to derive it). */
  spend: Float64Array | null;
  revenue: Float64Array | null;
  /** NaN where leads == 0. */
  cpl: Float64Array | null;
  /** NaN where spend == 0. */
  roi: Float64Array | null;
  /** Traffic summed per hour; null when the data has no clicks column. */
  clicks: Float64Array | null;
  /** 1 where at least one input row fell in the hour. */
  observed: Uint8Array;
}

export interface Table {
  schema(): Schema;
  /** Pins roles and rebuilds the hourly series; returns the new schema. Throws (and keeps the old roles) on an unknown column, a column used twice or a column of the wrong type. */
  setRoles(roles: RoleChoice): Schema;
  channels(): string[];
  /** The hourly series of one channel; "" or undefined for the total. */
  series(channel?: string): SeriesData;
  readonly deleted: boolean;
  /** Frees the table's wasm memory. Safe to call twice. */
  delete(): void;
  [Symbol.dispose](): void;
}

/** The model file's JSON header. Forecast models carry the fields below. */
export interface ModelHeader {
  kind: string;
  target?: string;
  features?: { names?: string[]; [key: string]: unknown };
  predictor?: { type: 'gbdt' | 'ridge' | 'seasonal_naive' | string; [key: string]: unknown };
  params?: Record<string, unknown>;
  cv?: {
    folds?: number;
    one_step?: Record<string, { mean: number | null; std: number | null }>;
    recursive?: Record<string, { mean: number | null; std: number | null }>;
    [key: string]: unknown;
  };
  comparison?: Array<{ name: string; one_step?: unknown; recursive?: unknown; [key: string]: unknown }>;
  selected?: string;
  interval_coverage?: { p80?: number | null; p95?: number | null; [key: string]: unknown };
  intervals?: unknown;
  data?: { rows?: number; hours?: number; start?: EpochSeconds; end?: EpochSeconds; [key: string]: unknown };
  created_by?: string;
  created_at?: string;
  [key: string]: unknown;
}

export interface Model {
  /** A fresh copy of the header each call. */
  header(): ModelHeader;
  readonly deleted: boolean;
  delete(): void;
  [Symbol.dispose](): void;
}

export interface ForecastOptions {
  /** Hours to forecast after the last hour of the data (default 168). */
  horizon?: number;
  /** A channel's series instead of the total. */
  channel?: string;
}

export interface ForecastResult {
  channel: string;
  horizon: number;
  /** The model's target (e.g. "leads"). */
  target: string;
  time: Float64Array;
  mean: Float64Array;
  lower80: Float64Array;
  upper80: Float64Array;
  lower95: Float64Array;
  upper95: Float64Array;
}

export interface KpiOptions {
  /** Hours per window (default 24). */
  window?: number;
  channel?: string;
}

export interface KpiWindow {
  /** [start, end) epoch seconds. */
  start: EpochSeconds;
  end: EpochSeconds;
  leads: number;
  /** NaN when the data has no spend. */
  spend: number;
  /** NaN when the data has no revenue. */
  revenue: number;
  /** spend / leads; NaN when leads == 0 or spend unknown. */
  cpl: number;
  /** (revenue - spend) / spend; NaN when spend == 0 or unknown. */
  roi: number;
  /** NaN when the data has no clicks column. */
  clicks: number;
  /** leads / clicks; NaN when clicks == 0 or unknown. */
  conversion: number;
  hasSpend: boolean;
  hasRevenue: boolean;
  hasClicks: boolean;
}

export interface KpiSummary {
  channel: string;
  windowHours: number;
  current: KpiWindow;
  previous: KpiWindow;
  /** Relative change (current - previous) / |previous|; NaN when previous is 0. */
  change: { leads: number; spend: number; revenue: number; cpl: number; roi: number; conversion: number };
}

/** conversion (leads / clicks per hour) needs a clicks column. */
export type AnomalyMetric = 'cpl' | 'leads' | 'spend' | 'revenue' | 'roi' | 'conversion';

export interface AnomalyOptions {
  /** default "cpl" */
  metric?: AnomalyMetric;
  /** "zscore" (mean and std, default) or "robust" (median and MAD). */
  method?: 'zscore' | 'robust';
  /** Flag |z| above this (default 2.5). */
  threshold?: number;
  /** Hours at the end that are checked (default 336; 0 = all). */
  lookback?: number;
  /** Trailing hours that define normal (default 168). */
  baseline?: number;
  /** Fewer non-missing baseline points: no score (default 24). */
  minBaselinePoints?: number;
  channel?: string;
}

export interface Anomaly {
  time: EpochSeconds;
  value: number;
  expected: number;
  score: number;
}

export interface AnomalyResult {
  channel: string;
  metric: string;
  method: string;
  threshold: number;
  lookback: number;
  baseline: number;
  /** Epoch seconds of index 0 (the series grid). */
  start: EpochSeconds;
  /** First index inside the lookback. */
  checkedFrom: number;
  count: number;
  time: Float64Array;
  value: Float64Array;
  /** Baseline mean (median for robust); NaN where not scored. */
  expected: Float64Array;
  /** z-score; NaN where not scored. */
  score: Float64Array;
  /** 1 = anomaly. */
  flagged: Uint8Array;
  /** The flagged hours, oldest first. */
  anomalies: Anomaly[];
}

export interface MemoryStats {
  /** Size of the wasm linear memory. */
  heapBytes: number;
  /** Bytes malloc currently hands out. */
  allocatedBytes: number;
}

export interface FunnelcastModule {
  /** Parses a CSV (bytes or text). Throws on an unreadable CSV; a table whose hourly series cannot be built loads with schema().ok === false. */
  loadTable(bytes: Uint8Array | ArrayBuffer | ArrayBufferView | string, name?: string): Table;
  /** Loads a model file; throws when it is not a valid funnelcast model. */
  loadModel(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, name?: string): Model;
  forecast(table: Table, model: Model, options?: ForecastOptions): ForecastResult;
  kpis(table: Table, options?: KpiOptions): KpiSummary;
  anomalies(table: Table, options?: AnomalyOptions): AnomalyResult;
  /** The core's version, e.g. "0.1.0". */
  version(): string;
  memoryStats(): MemoryStats;
  /** embind's count of live JS value handles (for leak checks). */
  count_emval_handles(): number;
}

export interface FunnelcastModuleOptions {
  /** The .wasm bytes (needed in node, where the module cannot fetch by file path). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, scriptDirectory: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
  onAbort?: (what: unknown) => void;
}

export default function createFunnelcast(options?: FunnelcastModuleOptions): Promise<FunnelcastModule>;
