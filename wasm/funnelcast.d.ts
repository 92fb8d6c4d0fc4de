// TypeScript declarations of the funnelcast WebAssembly modules:
//   funnelcast.mjs        inference: tables, KPIs, anomalies, forecasts (what the page loads)
//   funnelcast-train.mjs  the same API plus trainForecast (loaded only to train)
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
//
// tests/wasm/declarations.test.mjs type-checks real results and model headers against
// these declarations with the TypeScript compiler: a field written but not declared, or
// declared but not written, fails the test.

/** Epoch seconds (UTC). Exact in a double. */
export type EpochSeconds = number;

/** The column roles of the core's registry (registry() lists them with labels and help). */
export type RoleName = 'time' | 'leads' | 'spend' | 'revenue' | 'cpl' | 'roi' | 'channel' | 'clicks';

/** The metrics of the core's registry, in display order. */
export type MetricName = 'leads' | 'spend' | 'revenue' | 'clicks' | 'cpl' | 'roi' | 'conversion';

/** A column name per role; null = the data has no column for that role. */
export type Roles = Record<RoleName, string | null>;

/**
 * Roles for Table.setRoles: a column name pins the role, null says the data has no
 * such column (it is then never auto-detected), a missing key lets detection choose.
 */
export type RoleChoice = Partial<Record<RoleName, string | null>>;

/** How rows are read: each row one lead (events), and intervals without rows (gaps). */
export interface ReadOptions {
  /** true: every row is one lead; false (default): the leads column is read. */
  events?: boolean;
  /** "missing" (default): an interval of a regular export with no row is missing; "zero": it counts as 0. */
  gaps?: 'missing' | 'zero';
}

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
  /** Whether rows are counted as leads (set with setRoles' options). */
  events: boolean;
  gaps: 'missing' | 'zero';
  /** true when the series could be built with the current roles. */
  ok: boolean;
  /** Why the series could not be built (the core's message), else null. */
  error: string | null;
  /** Roles in use (the detected ones when ok is false). */
  roles: Roles;
  /** The grid interval in seconds (3600 for hourly data); null when ok is false. */
  step: number | null;
  /** Intervals on the grid (0 when ok is false). */
  intervals: number;
  /** First interval, epoch seconds (null when ok is false). */
  start: EpochSeconds | null;
  /** End of the last interval (exclusive), epoch seconds (null when ok is false). */
  end: EpochSeconds | null;
  /** Channel names, sorted; empty without a channel column. */
  channels: string[];
  inputRows: number;
  /** Rows added to an interval that already had a row. */
  rowsAggregated: number;
  /** Intervals with no row (missing, or 0 for events and with gaps "zero"). */
  emptyIntervals: number;
  /** Blank or NA cells in role columns: missing values, never zeros. */
  missingCells: number;
  /** Intervals whose leads are missing. */
  missingLeads: number;
  /** Intervals at the end whose leads are missing. */
  trailingMissing: number;
  /** Rows were counted as leads (asked for, or the file has no numbers but roles). */
  countedEvents: boolean;
  /** false: timestamps were not on a grid and rows were summed per hour. */
  regular: boolean;
  spendDerived: boolean;
  revenueDerived: boolean;
  /** The registry metrics this data can compute. */
  metrics: MetricName[];
  /** Sentences for the user about what was done to the rows (gaps, missing cells, ...). */
  notices: string[];
}

/** One series as whole columns (copies): the summed roles and every metric the data has (null otherwise). */
export interface SeriesData {
  /** "" for the total over all channels. */
  channel: string;
  start: EpochSeconds;
  /** Interval in seconds. */
  step: number;
  size: number;
  time: Float64Array;
  /** NaN = missing. */
  leads: Float64Array;
  spend: Float64Array | null;
  revenue: Float64Array | null;
  clicks: Float64Array | null;
  /** NaN where there are no leads (or a value is missing). */
  cpl: Float64Array | null;
  /** NaN where nothing was spent. */
  roi: Float64Array | null;
  /** NaN where there was no traffic. */
  conversion: Float64Array | null;
  /** 1 where at least one input row fell in the interval. */
  observed: Uint8Array;
}

export interface Table {
  schema(): Schema;
  /** Pins roles and reading options, and rebuilds the series; returns the new schema. Throws (and keeps the old roles) on an unknown column, a column used twice or a column of the wrong type. */
  setRoles(roles: RoleChoice, options?: ReadOptions): Schema;
  channels(): string[];
  /** The series of one channel; "" or undefined for the total. */
  series(channel?: string): SeriesData;
  readonly deleted: boolean;
  /** Frees the table's wasm memory. Safe to call twice. */
  delete(): void;
  [Symbol.dispose](): void;
}

// ---- The model file's header (what `funnelcast inspect` prints, without "file") ----

export type RegressionMetric = 'rmse' | 'mae' | 'r2' | 'smape' | 'mase';

export interface MetricSummary {
  /** null when no fold defines the metric. */
  mean: number | null;
  std: number | null;
  folds_used: number;
}
export type MetricTable = Record<RegressionMetric, MetricSummary>;
/** One fold's values; null = undefined in that fold. */
export type MetricValues = Record<RegressionMetric, number | null>;

export interface ColumnSchema {
  name: string;
  type: 'number' | 'timestamp' | 'category';
  /** The role the column played in training, or null. */
  role: RoleName | null;
}

/** The view of the data a model was trained on; inference holds new data to it. */
export interface DataSchema {
  /** The training file's name. */
  source: string;
  /** Every input column, in file order. */
  columns: ColumnSchema[];
  roles: Roles;
  /** "values": counts per row; "events": one lead per row. */
  rows: 'values' | 'events';
  gaps: 'missing' | 'zero';
  /** The channel trained on; null = all channels summed. */
  channel: string | null;
  channel_count: number;
  /** The time zone times without an offset were read in (`--tz`, e.g. "Europe/Berlin");
   *  absent: UTC. The page refuses a forecast with a model that has one. */
  zone?: string;
  /** The grid the model works on, seconds (3600). */
  interval: number;
  /** The training file's own interval (900 when 15-minute rows were summed to hours). */
  source_interval: number;
  start: EpochSeconds;
  /** Exclusive. */
  end: EpochSeconds;
  intervals: number;
  input_rows: number;
  rows_aggregated: number;
  empty_intervals: number;
  missing_values: number;
  /** The target over the training grid (missing values left out). */
  target: { mean: number | null; std: number | null; min: number | null; max: number | null; count: number };
}

export interface FeatureSpecJson {
  target: string;
  lags: number[];
  rolling_windows: number[];
  rolling_stats: Array<'mean' | 'std' | 'min' | 'max'>;
  calendar: boolean;
  cyclic: boolean;
  exog: Array<{ column: string; lags: number[] }>;
  /** Feature names in matrix order: lag1, roll_mean_24, hour, ... */
  names: string[];
}

/** Gradient boosting parameters (LightGBM names). */
export interface GbdtParams {
  objective: 'regression' | 'poisson' | 'binary';
  num_iterations: number;
  num_leaves: number;
  max_depth: number;
  min_data_in_leaf: number;
  bagging_freq: number;
  max_bin: number;
  early_stopping_round: number;
  learning_rate: number;
  min_sum_hessian_in_leaf: number;
  lambda_l2: number;
  min_gain_to_split: number;
  feature_fraction: number;
  bagging_fraction: number;
  scale_pos_weight: number;
  poisson_max_delta_step: number;
  seed: number;
  /** Categorical splits (written only when changed from LightGBM's defaults 10, 10, 32, 4, 100). */
  cat_smooth?: number;
  cat_l2?: number;
  max_cat_threshold?: number;
  max_cat_to_onehot?: number;
  min_data_per_group?: number;
}

export interface RidgeJson {
  lambda: number;
  intercept: number;
  mean: number[];
  scale: number[];
  weight: number[];
}

/** Residual quantiles per horizon bucket (scaled by sqrt(forecast) when `scaled`). */
export interface IntervalsJson {
  bucket_steps: number;
  scaled: boolean;
  lo95: number[];
  lo80: number[];
  hi80: number[];
  hi95: number[];
}

export interface FoldResult {
  train_start: EpochSeconds;
  train_end: EpochSeconds;
  valid_start: EpochSeconds;
  valid_end: EpochSeconds;
  one_step: MetricValues;
  recursive: MetricValues;
}

export interface CandidateResult {
  name: string;
  one_step: MetricTable;
  recursive: MetricTable;
  /** GBDT: trees chosen by early stopping per fold; 0 for the others. */
  best_iterations: number[];
  /** Rolling-origin backtests at the trained horizon: mean ± std over the origins (folds_used = origins). Absent in older models. */
  backtest?: MetricTable;
}

/** How the forecast candidates were compared and chosen. */
export interface BacktestSummary {
  /** Steps forecast from each origin (the horizon asked for). */
  horizon: number;
  /** Steps between origins. */
  origin_step: number;
  origins: number;
  /** The most recent validation blocks the origins lie in. */
  folds: number;
  /** "mase" (scale: in-sample mean |y[t] - y[t-24]| before each origin), or "rmse" when no candidate had one. */
  selected_by: 'mase' | 'rmse';
  /** Why seasonal naive was kept over the best candidate, or null. */
  fallback: string | null;
  /** The candidates the "combination" row is the median of (empty when there was none). */
  combination: string[];
}

/** A forecaster of a combination (a gbdt member's trees are the model's). */
export interface CombinationMember {
  name: string;
  predictor: 'gbdt' | 'ridge' | 'seasonal_naive' | 'holt_winters' | 'theta';
  objective: 'regression' | 'poisson' | null;
  season: number;
  ridge: RidgeJson | null;
  params: GbdtParams | null;
  /** gbdt only, when not 0: the trees see the target in the units of the mean and standard deviation of the last level_window steps. */
  level_window?: number;
  smoothing?: SmoothingJson;
}

/** holt_winters and theta: the smoothing parameters. */
export interface SmoothingJson {
  alpha: number;
  beta: number;
  gamma_day: number;
  gamma_week: number;
  trend: boolean;
  weekly: boolean;
  /** Steps of history the filter reads (its start aligned to a week). */
  window: number;
}

export interface ForecastSection {
  features: FeatureSpecJson;
  predictor: 'gbdt' | 'ridge' | 'seasonal_naive' | 'holt_winters' | 'theta' | 'combination';
  objective: 'regression' | 'poisson' | null;
  /** seasonal_naive: steps back; 0 otherwise. */
  season: number;
  ridge: RidgeJson | null;
  params: GbdtParams | null;
  /** gbdt only, when not 0: the trees see the target and its lags in the units of the mean and standard deviation of the last level_window steps (undone at each step). */
  level_window?: number;
  /** holt_winters and theta only. */
  smoothing?: SmoothingJson;
  /** combination only: the median of their forecasts. */
  members?: CombinationMember[];
  clip_negative: boolean;
  /** Steps validated by cross-validation; forecasts stop there. */
  horizon: number;
  /** Steps of history the features read. */
  min_history: number;
  intervals: IntervalsJson;
  /** Each fold checked against intervals learned from the other folds. */
  coverage: { p80: number | null; p95: number | null; points: number };
  cv: {
    folds: number;
    horizon: number;
    gap: number;
    one_step: MetricTable;
    recursive: MetricTable;
    per_fold: FoldResult[];
  };
  comparison: CandidateResult[];
  selected: string;
  /** Split gain per feature name. */
  feature_importance: Record<string, number>;
  /** How the candidates were compared; absent in models trained before backtests. */
  backtest?: BacktestSummary;
  /** By channel only (`train forecast --by channel`): one model forecasts each of these
   * channels from its own history and the total is their sum. A gbdt reads the channel's
   * index here as one more feature after `features`' own. The section's intervals,
   * coverage, cv and comparison are then the total's. */
  channels?: ChannelSeriesJson[];
}

export interface ForecastModelHeader {
  format: 2;
  kind: 'forecast';
  created_by: string;
  /** Only when the model was trained with --stamp or SOURCE_DATE_EPOCH. */
  created_at?: EpochSeconds;
  data: DataSchema;
  forecast: ForecastSection;
}

export interface TableColumn {
  name: string;
  type: 'number' | 'timestamp' | 'category';
  use: 'target' | 'id' | 'feature' | 'dropped';
  /** Why a column was dropped: constant, id-like, asked, empty, folds; null otherwise. */
  reason: string | null;
}

/** The lead table a scoring model was trained on. */
export interface TableSchema {
  source: string;
  columns: TableColumn[];
  input_rows: number;
  /** Rows with an outcome. */
  rows_used: number;
}

/** One model input. A category's codes index `levels`; unseen values are missing. */
export interface ScoreFeature {
  name: string;
  column: string;
  kind: 'number' | 'category' | 'month' | 'weekday' | 'hour' | 'day';
  missing_share: number;
  /** kind "category": the dictionary, most frequent first. */
  levels?: string[];
  /** kind "number": the training range (null when no value was seen). */
  min?: number | null;
  max?: number | null;
  /** kind "number": the training rows' median (null when not known: an imported model, or a file written before it was stored). */
  median?: number | null;
}

export type ScoreMetricName = 'roc_auc' | 'pr_auc' | 'logloss' | 'brier' | 'accuracy' | 'precision' | 'recall' | 'f1';
/** null where undefined (e.g. precision when nothing is contacted). */
export type ScoreMetrics = Record<ScoreMetricName, number | null>;

export interface CurvePoint {
  threshold: number;
  /** Share of leads at or above the threshold. */
  share: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  lift: number | null;
}

export interface ScoreSection {
  /** Absent for yes/no models; 'value' for a regression imported from XGBoost (the page refuses to score it). */
  output?: 'value';
  target: string;
  positive: string;
  negative: string;
  /** null when unknown (a model imported from XGBoost). */
  positive_rate: number | null;
  id_column: string | null;
  features: ScoreFeature[];
  /** How the trees were trained; null for a model imported from XGBoost. */
  params: GbdtParams | null;
  /** log(scale_pos_weight), taken out of the base score so probabilities stay calibrated. */
  prior_shift: number;
  threshold: number;
  threshold_rule: 'f1' | 'precision' | 'top_share' | 'fixed';
  threshold_target: number;
  /** Out-of-fold threshold curve (at most ~200 points), highest threshold first. */
  curve: CurvePoint[];
  /** 0: fitted once, no cross-validation (cv is then empty). */
  folds: number;
  cv: Partial<Record<ScoreMetricName, MetricSummary>>;
  out_of_fold: ScoreMetrics;
  calibration: Array<{ lower: number; upper: number; count: number; mean_predicted: number | null; observed_rate: number | null }>;
  /** Deciles, then the top 5/10/20/30/50 %. */
  lift: Array<{ share: number; contacted: number; precision: number | null; lift: number | null; gain: number | null }>;
  comparison: Array<ScoreMetrics & { name: string }>;
  importance: Array<{ feature: string; gain: number; mean_abs_shap: number }>;
  warnings: string[];
}

export interface ScoreModelHeader {
  format: 2;
  kind: 'score';
  created_by: string;
  created_at?: EpochSeconds;
  data: TableSchema;
  score: ScoreSection;
}

/** The model file's header, one variant per model kind. */
export type ModelHeader = ForecastModelHeader | ScoreModelHeader;

export interface Model {
  /** A fresh copy of the header each call. */
  header(): ModelHeader;
  readonly deleted: boolean;
  delete(): void;
  [Symbol.dispose](): void;
}

// ---- Results ----

export interface ForecastOptions {
  /** Intervals to forecast after the last one of the data (default and maximum: the model's validated horizon). */
  horizon?: number;
  /** A channel's series (default: the model's channel, or the total). */
  channel?: string;
  /** Also return the forecast CSV (`csv`), as `funnelcast forecast` writes it. */
  csv?: boolean;
}

/** One channel of a by-channel forecast model. */
export interface ChannelSeriesJson {
  name: string;
  /** Its bands, from its own backtest errors. */
  intervals: IntervalsJson;
  coverage: { p80: number | null; p95: number | null; points: number };
  /** Its leads over the training grid. */
  target: { mean: number | null; std: number | null; min: number | null; max: number | null; count: number };
  /** Each candidate's mean backtest MASE on this channel. */
  mase: Record<string, number | null>;
}

/** One channel's forecast from a by-channel model, on the total's times. */
export interface ChannelForecast {
  channel: string;
  mean: Float64Array;
  lower80: Float64Array;
  upper80: Float64Array;
  lower95: Float64Array;
  upper95: Float64Array;
  /** Its history, on the total's history_time. */
  history: Float64Array;
}

/** What `funnelcast forecast --json` prints, field for field, plus the history it continues. */
export interface ForecastResult {
  /** The model's name (as loaded). */
  model: string;
  channel: string;
  /** The model's target column (e.g. "leads"). */
  target: string;
  horizon: number;
  /** Interval in seconds. */
  interval_seconds: number;
  /** What differs from training and what was done to the data. */
  notices: string[];
  /** With the option `csv`: the forecast as the CLI writes it. */
  csv?: string;
  /** The zone the CSV's times are local times of (CLI with a zone only; never on the page). */
  zone?: string;
  time: Float64Array;
  mean: Float64Array;
  lower80: Float64Array;
  upper80: Float64Array;
  lower95: Float64Array;
  upper95: Float64Array;
  /** The history the forecast continues, read as the model reads it (its roles, channel and grid). */
  history_time: Float64Array;
  history: Float64Array;
  /** A by-channel model without the `channel` option: each channel's forecast, in the
   * model's order; the forecast above is the total, their sum at every step. */
  channels?: ChannelForecast[];
  /** With channels: how the channels and the total agree ("bottom_up": the total is their sum). */
  reconciliation?: 'bottom_up';
}

/** Whether a model can forecast a table; reason is the error forecast() would throw. */
export interface ModelFit {
  ok: boolean;
  reason: string | null;
  notices: string[];
}

/** A command's options are one field list in the core (registry().commands), the same one
 * the CLI reads its flags from: an option is the flag's name with "_" for "-". A key that is
 * not an option of the command is refused. tests/wasm/declarations.test.mjs checks each
 * *Options interface below against those lists. */
export interface KpiOptions {
  /** Hours per window (default 24, or one interval of coarser data). */
  window?: number;
  channel?: string;
}

/** A window's metrics: null when the data cannot compute the metric or it is undefined (e.g. CPL without leads). */
export type KpiWindow = {
  /** [start, end) epoch seconds. */
  start: EpochSeconds;
  end: EpochSeconds;
  intervals: number;
  /** Intervals whose leads are missing. */
  missing: number;
} & Record<MetricName, number | null>;

/** What `funnelcast kpi --json` prints, field for field. */
export interface KpiSummary {
  channel: string;
  window_hours: number;
  /** The series' interval in seconds. */
  interval_seconds: number;
  /** The metrics the data can compute. */
  metrics: MetricName[];
  current: KpiWindow;
  previous: KpiWindow;
  /** Relative change (current - previous) / |previous|; null when undefined (previous 0) or unavailable. */
  change: Record<MetricName, number | null>;
}

export type AnomalyMethod = 'zscore' | 'robust' | 'seasonal' | 'count' | 'residual' | 'iforest' | 'ensemble';

export interface AnomalyOptions {
  /** A metric (default "cpl") or the name of any numeric column (read on its own grid: the
   * interval from its timestamps, rows in one interval averaged, gaps missing). */
  metric?: MetricName | string;
  /** The time column for a column given as `metric` (default: detected). */
  time?: string;
  /** Default "ensemble" (robust + seasonal + iforest, with residual when `forecasts` are given). */
  method?: AnomalyMethod;
  /** Flag when score >= threshold (0 < t < 1); a z as "3z" or any t > 1 (2.5: score 0.98758).
   * Default (absent): 0.99995, and |z| > 2.5 for zscore. */
  threshold?: number | string;
  /** The checked period at the end: a number of hours, or "36h", "14d", "2w", "336" (intervals); 0 = all. Default 14 days. */
  lookback?: number | string;
  /** zscore and robust: the trailing window, as lookback. Default 7 days. */
  baseline?: number | string;
  /** seasonal: the same hour of the day or week over this many periods (default 4). */
  seasons?: number;
  /** Isolation forest seed (default 1). */
  seed?: number;
  /** zscore/robust: fewer known baseline values give no score (default: a seventh of the baseline, at least 3). */
  min_baseline_points?: number;
  /** One-step-ahead forecasts of the metric, one per interval (NaN where none), with their
   * prediction interval at `level` (default 0.95): the residual method's input. */
  forecasts?: { mean: Float64Array | number[]; lower: Float64Array | number[]; upper: Float64Array | number[]; level?: number };
  channel?: string;
  /** Also return the flagged intervals as CSV text (`csv`): the CLI's default output, byte for byte. */
  csv?: boolean;
}

/** Options of the funnel monitor (`funnelcast monitor`): the detectors' options, as for anomalies(). */
export interface MonitorOptions {
  /** One channel alone (default: the total and every channel, up to 12). */
  channel?: string;
  /** Default "ensemble". */
  method?: AnomalyMethod;
  /** As AnomalyOptions.threshold. */
  threshold?: number | string;
  /** The checked period at the end, as AnomalyOptions.lookback. Default 14 days. */
  lookback?: number | string;
  baseline?: number | string;
  seasons?: number;
  seed?: number;
  min_baseline_points?: number;
  /** The time the data should reach (a timestamp): intervals between the file's end and it are missing. */
  until?: string;
  /** Also return the incidents as CSV text (`csv`): the CLI's --out file, byte for byte. */
  csv?: boolean;
}

/** A KPI of one scope that moved during an incident, at the interval where its score peaked. */
export interface MonitorMovement {
  /** "" for the total. */
  channel: string;
  metric: MetricName;
  label: string;
  /** Its flagged intervals inside the incident. */
  flagged: number;
  time: EpochSeconds;
  timestamp: string;
  value: number | null;
  expected: number | null;
  /** value / expected (null when undefined). */
  ratio: number | null;
  score: number | null;
  direction: 'spike' | 'drop' | '';
  /** A ratio's own cause ("spend", "leads", "both", "mix"), else "". */
  cause: string;
}

/** One incident: flagged intervals at most one interval apart in any KPI or channel, or data missing. */
export interface MonitorIncident {
  /** [start, end) epoch seconds. */
  start: EpochSeconds;
  end: EpochSeconds;
  start_time: string;
  end_time: string;
  /** It runs to the end of the data (or is data missing up to `until`). */
  ongoing: boolean;
  cause: 'spend' | 'leads' | 'revenue' | 'clicks' | 'mix' | 'tracking lost' | 'data missing' | string;
  summary: string;
  /** Where it was seen ("" = the total). */
  channels: string[];
  score: number;
  kpis: MonitorMovement[];
}

/** What `funnelcast monitor --json` prints, field for field. */
export interface MonitorResult {
  source: string;
  method: AnomalyMethod;
  threshold: number;
  lookback: string;
  start: EpochSeconds;
  interval_seconds: number;
  size: number;
  checked_from: EpochSeconds;
  until: EpochSeconds;
  metrics: MetricName[];
  /** The scopes checked ("" = the total). */
  channels: string[];
  /** Scopes whose data stopped early, and when. */
  silent: Array<{ channel: string; since: EpochSeconds; timestamp: string }>;
  notices: string[];
  incidents: MonitorIncident[];
  /** With csv: true. */
  csv?: string;
}

/** A ratio's part at a flagged interval. */
export interface AnomalyPartValue {
  value: number | null;
  expected: number | null;
  score: number | null;
}

/** A flagged interval, as in `funnelcast anomalies --json`. Ratios add `cause` and one entry per part ("spend", "leads"). */
export interface Anomaly {
  time: EpochSeconds;
  /** "2024-03-01 13:00:00" (UTC). */
  timestamp: string;
  value: number | null;
  expected: number | null;
  /** The band of values that would not be flagged; null where open on that side. */
  lower: number | null;
  upper: number | null;
  /** In [0, 1]: 1 - the tail probability of the interval, calibrated on the series' past. */
  score: number | null;
  z: number | null;
  direction: 'spike' | 'drop' | '';
  cause?: string;
  [part: string]: AnomalyPartValue | number | string | null | undefined;
}

export interface AnomalyPart {
  /** "spend", "leads", ... */
  name: string;
  value: Float64Array;
  /** The part's own expected value (seasonal baseline). */
  expected: Float64Array;
  score: Float64Array;
}

/** What `funnelcast anomalies --json` prints (less its `evaluation`), plus every interval's
 * columns as typed arrays (time ... direction, cause, parts' columns, member_scores). */
export interface AnomalyResult {
  channel: string;
  metric: string;
  label: string;
  method: string;
  /** How deviations are judged: "ratio" (cpl, roi, conversion: weighted by volume), "count", "money" or "level" (any column). */
  kind: 'level' | 'count' | 'money' | 'ratio';
  /** 1: higher is good news (leads), -1: lower is (cpl), 0: a column of unknown meaning. */
  good: number;
  /** The score threshold used. */
  threshold: number;
  /** The checked period ("14d", or "all") and the baseline ("7d"), and both in intervals. */
  lookback: string;
  baseline: string;
  lookback_steps: number;
  baseline_steps: number;
  /** Epoch seconds of index 0 (the series grid). */
  start: EpochSeconds;
  /** Interval in seconds. */
  interval_seconds: number;
  /** Intervals in the series (the length of every column). */
  size: number;
  /** Epoch seconds of the first interval inside the lookback (flags only from there). */
  checked_from: EpochSeconds;
  count: number;
  /** Scored intervals inside the lookback. */
  scored: number;
  /** Ratios: the names of the cause codes ("", spend, leads, "both", "mix"); null otherwise. */
  cause_names: string[] | null;
  /** Ratios: the exposure (spend) and quantity (leads) judged on their own; null otherwise. */
  parts: AnomalyPart[] | null;
  /** Ensemble: its members (robust, seasonal, iforest, residual); null otherwise. */
  members: string[] | null;
  notices: string[];
  /** The flagged intervals, oldest first. */
  anomalies: Anomaly[];
  /** With the option `csv`: the flagged intervals as the CLI writes them. */
  csv?: string;
  time: Float64Array;
  /** The metric per interval; NaN where missing or undefined (no leads: no CPL). */
  value: Float64Array;
  /** What the method expected; NaN where not scored. */
  expected: Float64Array;
  /** The band of values that would not be flagged; NaN where not scored or open on that side. */
  lower: Float64Array;
  upper: Float64Array;
  /** In [0, 1]; NaN where not scored. */
  score: Float64Array;
  /** The method's raw signed statistic (z, standardized residual, isolation score). */
  z: Float64Array;
  /** 1 = anomaly (only from checked_from). */
  flagged: Uint8Array;
  /** +1 spike (above expected), -1 drop, 0. */
  direction: Float64Array;
  /** Ratios: why, per interval, as an index into cause_names; absent otherwise. */
  cause?: Uint8Array;
  /** Ensemble: each member's score per interval; absent otherwise. */
  member_scores?: Record<string, Float64Array>;
}

/** The options of `funnelcast train forecast` the page also has (registry().commands.train_forecast). */
export interface TrainForecastOptions {
  /** The channel to train on (default: all channels summed). */
  channel?: string;
  /** "channel": one model for every channel, each forecast at its own level, the total as their sum. */
  by?: 'channel';
  /** Hours forecast from each cut-off and validated (default 168). */
  horizon?: number;
  /** Time-series folds (default 5). */
  folds?: number;
  /** Hours left out between training and validation (default 0). */
  gap?: number;
  /** Lags as features, e.g. "1-24,48,72,168,336" (the default). */
  lags?: string;
  /** Rolling windows in hours, e.g. "24,168" (the default). */
  windows?: string;
  no_cyclic?: boolean;
  no_calendar?: boolean;
  /** Trees at most (default 600; early stopping picks the count). */
  iterations?: number;
  /** Default 0.05. */
  learning_rate?: number;
  /** Default 31. */
  num_leaves?: number;
  /** Default 0: the same data and seed give the same bytes. */
  seed?: number;
}

export interface TrainForecastResult {
  /** The .fcm file's bytes: the same as `funnelcast train forecast --threads 1` gives. */
  model: Uint8Array;
  /** The cross-validation report, as `--report` writes it. */
  report: {
    data: DataSchema;
    cv: ForecastSection['cv'];
    comparison: CandidateResult[];
    selected: string;
    coverage: { p80: number | null; p95: number | null; points: number; per_fold: Array<{ p80: number | null; p95: number | null; points: number }> };
    intervals: IntervalsJson;
    backtest: BacktestSummary | null;
    notices: string[];
    /** By channel: each channel's coverage and each candidate's mean backtest MASE on it. */
    channels?: Array<{ name: string; coverage: { p80: number | null; p95: number | null }; mase: Record<string, number | null> }>;
    reconciliation?: 'bottom_up';
    /** By channel: reconciliations with a base forecast of the total (total_base: the
     * better of holt_winters and theta on the total) scored on the same backtests, beside
     * bottom-up; best: the one those backtests would pick. Reported only: the forecast
     * stays bottom-up (docs/forecasting.md). */
    reconciliation_backtest?: {
      total_base: string;
      best: 'bottom_up' | 'mint_wls' | 'proportional';
      mase: Record<'bottom_up' | 'mint_wls' | 'proportional', { channels: number | null; total: number | null }>;
    };
  };
  notices: string[];
}

export interface ScoreOptions {
  /** Reasons per lead: K strongest, 0 none (default), -1 or "all" every input. */
  explain?: number | 'all';
  /** The column that names each lead (default: the model's id column, else the line number). */
  id?: string;
  /** The decision threshold (default: the model's). */
  threshold?: number;
  /** Also return the scores CSV (`csv`), as `funnelcast score` writes it. */
  csv?: boolean;
  /** Only these rows of the table (from 0), in this order: ids, scores and reasons as a whole-table run gives them (the page explains the rows in view). */
  rows?: number[];
}

/** What `funnelcast score --json` prints, field for field (its per-lead arrays here as typed arrays). */
export interface ScoreResult {
  model: string;
  /** "probability" (every model trained here); the page refuses "value" models. */
  output: 'probability' | 'value';
  rows: number;
  ids: string[];
  /** The decision threshold used: the option's, else the model's. */
  threshold: number | null;
  /** The mean log-odds TreeSHAP starts from (0 when nothing was explained). */
  expected_value: number | null;
  /** Reasons per row (k), -1 for every input, 0 for none. */
  explained: number;
  feature_names: string[];
  /** rows x k: the cell behind each reason as written (empty with explain -1). */
  reason_text: string[];
  /** Unseen categories, ignored columns. */
  notices: string[];
  /** With the option `csv`: the scores as the CLI writes them. */
  csv?: string;
  probability: Float64Array;
  /** 1 where probability >= threshold (the core's one decision rule). */
  decision: Uint8Array;
  /** Log-odds: expected_value + the sum of every input's contribution. */
  margin: Float64Array;
  /** rows x k (or rows x inputs): the input of each reason, strongest first. */
  reason_feature: Int32Array;
  /** Its contribution on the log-odds scale. */
  reason_value: Float64Array;
}

/** The options of `funnelcast train score` the page also has (registry().commands.train_score). */
export interface TrainScoreOptions {
  /** The outcome column (the page always names it; without it, the certain guess of guessOutcome is trained for, else an Error lists the candidates). */
  target: string;
  positive?: string;
  id?: string;
  /** Columns to leave out: a list, or the CLI's comma-separated text. */
  drop?: string | string[];
  /** Stratified folds (default 5; 0 = fit once). */
  folds?: number;
  /** Each row's fold from this column instead. */
  fold_column?: string;
  /** The decision threshold, at most one of these (default: the best F1): a fixed probability, */
  threshold?: number | string;
  /** the lowest threshold whose precision reaches this, */
  precision?: number | string;
  /** or the top share of leads (0.1 or "10%"). */
  top?: number | string;
  /** Weight of positive rows (default "auto", also 0). */
  scale_pos_weight?: number | 'auto';
  /** Trees at most (default 1000). */
  iterations?: number;
  learning_rate?: number;
  num_leaves?: number;
  seed?: number;
}

export interface TrainScoreResult {
  /** The .fcm bytes: the same as `funnelcast train score --threads 1` with the same options. */
  model: Uint8Array;
  /** The report `--report` writes. */
  report: Record<string, unknown>;
  notices: string[];
}

/** One forecaster's cross-validation, run alone (trainForecastCandidate): pass every candidate's to trainForecast to finish without running them again. Results from other data or options, missing, given twice or damaged are refused. */
export interface TrainForecastCandidate {
  /** 0-based, of forecastCandidates. */
  candidate: number;
  name: string;
  /** The results as the core wrote them (opaque). */
  bytes: Uint8Array;
}

/** One fold of a scoring model's cross-validation, run alone (trainScoreFold): pass every fold's to trainScore to finish without running them again. */
export interface TrainScoreFold {
  /** 0-based. */
  fold: number;
  /** The fold's early-stopped tree count. */
  best: number;
  /** Its validation rows (indices among the rows with an outcome), in order. */
  rows: Uint32Array;
  /** The trees' out-of-fold probabilities of those rows. */
  oof: Float64Array;
  /** The logistic baseline's (NaN where it could not be fitted). */
  oofLogistic: Float64Array;
}

export interface DriftColumn {
  column: string;
  type: 'number' | 'category' | null;
  severity: 'none' | 'moderate' | 'major';
  reason: string;
  psi: number | null;
  ks: number | null;
  ks_p_value: number | null;
  missing_reference: number | null;
  missing_current: number | null;
  /** PSI bins: label and each side's share, for side-by-side histograms. */
  bins: Array<{ label: string; reference_share: number; current_share: number }>;
}

/** What `funnelcast drift --json` prints, field for field. */
export interface DriftResult {
  /** The tables' names, and the model's (null without one). */
  reference: string;
  current: string;
  model: string | null;
  columns: DriftColumn[];
  major: number;
  moderate: number;
  /** The model's ROC-AUC on the current table when it has the outcome column. */
  model_check: {
    roc_auc: number | null;
    cv_roc_auc: number | null;
    /** Current rows with an outcome. */
    rows: number;
    /** Of those, rows the reference holds too (same inputs and outcome): in-sample when the model was trained on it. */
    shared_rows: number;
    /** The labelled rows the reference does not hold, and the ROC-AUC on them (null: none, or one outcome). */
    new_rows: number;
    new_roc_auc: number | null;
    /** Shared rows are more than a tenth of the labelled ones: roc_auc is (partly) in-sample; the verdict uses new_roc_auc. */
    in_sample: boolean;
    /** The outcome's positive rate in the current table, and in the reference (null: it has no outcome column). */
    outcome_rate: number | null;
    reference_outcome_rate: number | null;
    degraded: boolean;
  } | null;
  /** Why the current table's outcome column gave no model check (one outcome in too few rows, say); null otherwise. */
  model_check_skipped: string | null;
  /** "too few rows" when either table has fewer than min_rows rows (nothing is flagged then). */
  verdict: 'stable' | 'drift' | 'too few rows';
  /** Why the verdict is what it is, when that needs saying ("" otherwise). */
  note: string;
  /** The rows each table needs for a verdict. */
  min_rows: number;
  /** Major drift or a degraded model. */
  alert: boolean;
}

export interface RoleInfo {
  name: RoleName;
  label: string;
  help: string;
  /** Normalized names that detect the role. */
  synonyms: string[];
}

export interface MetricInfo {
  name: MetricName;
  label: string;
  unit: 'count' | 'money' | 'ratio';
  /** Which direction is good news. */
  good: 'higher' | 'lower';
  /** The summed roles it needs. */
  needs: Array<'leads' | 'spend' | 'revenue' | 'clicks'>;
  formula: string;
  help: string;
}

/** An anomaly method, from the core's one list of detectors. */
export interface MethodInfo {
  name: AnomalyMethod;
  label: string;
  help: string;
  /** Its default score threshold. */
  threshold: number;
  /** Runs only with one-step forecasts passed in (residual). */
  needs_forecasts: boolean;
  /** Combined by the ensemble. */
  ensemble_member: boolean;
}

/** One option of a command, from the field list the CLI also reads. */
export interface OptionInfo {
  name: string;
  type: 'text' | 'number' | 'integer' | 'flag' | 'span' | 'choice' | 'score' | 'columns';
  help: string;
  /** The default as said in --help; null when none (or said in help). */
  default: string | null;
  min?: number;
  max?: number;
  choices?: string[];
  /** Words that stand for a value ({all: -1}). */
  words?: Record<string, number>;
}

export interface Registry {
  roles: RoleInfo[];
  metrics: MetricInfo[];
  methods: MethodInfo[];
  /** Each command's options (JS keys), in the order --help lists them. */
  commands: Record<'kpi' | 'anomalies' | 'score' | 'forecast' | 'monitor', OptionInfo[]> &
    /** The training bundle's only (the trainers' options). */
    Partial<Record<'train_forecast' | 'train_score', OptionInfo[]>>;
}

export interface MemoryStats {
  /** Size of the wasm linear memory. */
  heapBytes: number;
  /** Bytes malloc currently hands out. */
  allocatedBytes: number;
}

export interface LoadTableOptions {
  /** A scoring model: its categories are read as text whatever the file holds (zip codes 02139, 007 keep their levels in a batch without letters), as `funnelcast score` reads a batch. */
  model?: Model;
}

/** One column that could be the outcome (best first in OutcomeGuess.candidates). */
export interface OutcomeCandidate {
  name: string;
  /** Why it is a candidate: "named like an outcome, two values", "two values, yes/no-like", "two values", "named like an outcome, 5 values". */
  reason: string;
  /** The label read as the positive one (1, yes, true, converted...); null when neither label is a known yes. */
  positive: string | null;
  /** Share of labelled rows with the positive label; null when unknown. */
  positive_rate: number | null;
  /** Distinct non-missing values (21 stands for more than 20). */
  values: number;
  /** 1 named like an outcome with two values, 2 yes/no-like, 3 other two-valued, 4 named like an outcome with more values. */
  rank: 1 | 2 | 3 | 4;
}

/** The outcome guess (scoring/outcome.hpp): certain only when one two-valued column is named like an outcome. */
export interface OutcomeGuess {
  /** The certain guess; null when the user has to choose. */
  column: string | null;
  certain: boolean;
  candidates: OutcomeCandidate[];
}

export interface FunnelcastModule {
  /** Parses a CSV (bytes or text). Throws on an unreadable CSV; a table whose series cannot be built loads with schema().ok === false. */
  loadTable(bytes: Uint8Array | ArrayBuffer | ArrayBufferView | string, name?: string, options?: LoadTableOptions): Table;
  /** Loads a model file; throws when it is not a valid funnelcast model. */
  loadModel(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, name?: string): Model;
  /** Forecasts the table with the model, reading it the way the model says (roles pinned on the table win). */
  forecast(table: Table, model: Model, options?: ForecastOptions): ForecastResult;
  /** Whether forecast() would work on this table, and why not. */
  modelFits(table: Table, model: Model, options?: ForecastOptions): ModelFit;
  kpis(table: Table, options?: KpiOptions): KpiSummary;
  anomalies(table: Table, options?: AnomalyOptions): AnomalyResult;
  /** The funnel monitor, as `funnelcast monitor --json`: every KPI of the total and each channel, incidents with their cause. */
  monitor(table: Table, options?: MonitorOptions): MonitorResult;
  /** funnelcast-train.mjs only: trains a forecast model as `funnelcast train forecast` would (one thread). */
  trainForecast?(table: Table, options?: TrainForecastOptions, onProgress?: (stage: string, fraction: number) => void, candidates?: TrainForecastCandidate[]): TrainForecastResult;
  /** funnelcast-train.mjs only: the forecasters trainForecast compares on this table with these options, in its order (a by-channel training is refused: its candidates run together). */
  forecastCandidates?(table: Table, options?: TrainForecastOptions): string[];
  /** funnelcast-train.mjs only: one candidate (0-based, of forecastCandidates) through trainForecast's cross-validation alone, so several workers can share the candidates; pass every candidate's to trainForecast to finish. */
  trainForecastCandidate?(table: Table, options: TrainForecastOptions | undefined, candidate: number, onProgress?: (stage: string, fraction: number) => void): TrainForecastCandidate;
  /** funnelcast-train.mjs only: trains a scoring model as `funnelcast train score` would (one thread). */
  trainScore?(table: Table, options: TrainScoreOptions, onProgress?: (stage: string, fraction: number) => void, folds?: TrainScoreFold[]): TrainScoreResult;
  /** funnelcast-train.mjs only: one fold (0-based) of trainScore's cross-validation alone, so several workers can share the folds; throws when the options have no such fold. */
  trainScoreFold?(table: Table, options: TrainScoreOptions, fold: number, onProgress?: (stage: string, fraction: number) => void): TrainScoreFold;
  /** funnelcast-train.mjs only: which column is the outcome, as `funnelcast train score` guesses it without --target. */
  guessOutcome?(table: Table): OutcomeGuess;
  /** Scores every row of a lead table with a scoring model, with reasons. */
  score(table: Table, model: Model, options?: ScoreOptions): ScoreResult;
  /** One lead as {column: value}, with every input's contribution. */
  scoreRecord(model: Model, record: Record<string, string | number | null>): ScoreResult;
  /** Drift between two tables (a scoring model's inputs when one is given), as `funnelcast drift --json`. */
  drift(reference: Table, current: Table, model?: Model | null): DriftResult;
  /** The core's roles, metrics, anomaly methods and each command's options. */
  registry(): Registry;
  /** The core's version, e.g. "0.2.0". */
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
