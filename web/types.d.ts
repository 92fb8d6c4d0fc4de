// Types for checking the page's JavaScript (tsconfig.json; nothing here is loaded by the
// page): the globals the page's scripts share, and what the workers answer the page. The
// values that come from the wasm core are the declarations' (wasm/funnelcast.d.ts); what a
// worker adds or picks out of them is written here, next to the message that carries it.
import type * as FC from '../wasm/funnelcast';
import type { Result as EmbedResult, default as VegaEmbed } from 'vega-embed';
import type { Engine } from './engine.js';
import type { createStore } from './store.js';

declare global {
  interface Window {
    /** vega-embed's UMD bundle (vendor/vega-embed.min.js, a deferred classic script). */
    vegaEmbed?: typeof VegaEmbed;
    /** Vega's UMD bundle (vendor/vega.min.js, a deferred classic script). */
    vega?: typeof import('vega');
    /** Vega-Lite's UMD bundle, loaded on demand by charts.js for charts not compiled at build time. */
    vegaLite?: typeof import('vega-lite');
    /** The dashboard's worker, started early by boot.js (null when it could not start). */
    fcWorker?: Worker | null;
    /** Why that worker failed to load, when it did. */
    fcWorkerError?: string;
    /** The tab the page opened on when it is not the dashboard (boot.js): 'scoring'. */
    fcFirstView?: 'scoring';
    /** Lead scoring's worker, started early by boot.js when the page opens on lead scoring. */
    fcLeadWorker?: Worker | null;
    /** Why that worker failed to load, when it did. */
    fcLeadWorkerError?: string;
  }
  interface HTMLElement {
    /** The Vega view drawn in a chart element (charts.js), read by the e2e tests. */
    fcView?: EmbedResult['view'] | null;
  }
  interface DataTransferItem {
    /** Chromium's File System Access API: a handle to read the dropped file again. */
    getAsFileSystemHandle?(): Promise<FileSystemFileHandle | null>;
  }
}

// ---- Files ----

/** Where a file comes from (files.js). */
export type Source =
  | { kind: 'file'; file: File; handle?: FileSystemFileHandle | null }
  | { kind: 'url'; url: string; label: string }
  | { kind: 'bytes'; bytes: Uint8Array; name: string };

/** A progress report of a worker: fraction null while the length is unknown. */
export interface Progress {
  stage: string;
  fraction: number | null;
}

// ---- The dashboard's worker (worker.js) ----

/** A table's schema as the dashboard's worker sends it: the core's, and how it was read. */
type SchemaExtras = {
  /** Parse time in ms, the CSV's size and the load's timing marks (openTable). */
  parseMs?: number;
  bytes?: number;
  timing?: { requestedAt: number; readAt: number; parseStartAt: number; parsedAt: number };
  /** The table is read the way this model read its training data. */
  readAs?: { model: string; source: string };
};

/** A schema whose series could be built (ok): what the dashboard shows. */
export type AcceptedSchema = FC.Schema & SchemaExtras & { ok: true; error: null; step: number; start: FC.EpochSeconds; end: FC.EpochSeconds };
/** A readable table whose series cannot be built with its roles (error says why). */
export type PendingSchema = FC.Schema & SchemaExtras & { ok: false; error: string };
export type PageSchema = AcceptedSchema | PendingSchema;

/** accepted: the table is shown; else it waits for its roles to be fixed. */
export type TableReply = { schema: AcceptedSchema; accepted: true } | { schema: PageSchema; accepted: false };

/** A panel's part of a compute: its handler's value, or its error. */
export interface PanelResult<T = unknown> {
  value: T | null;
  error: string | null;
}

export interface DashboardCalls {
  init: { version: string; registry: FC.Registry; startup: { workerStart?: number; wasmReady?: number } };
  openTable: TableReply;
  setRoles: TableReply;
  discardPending: PageSchema | null;
  /** kind 'score': a lead scoring model, not kept (lead scoring's worker takes it). */
  openModel:
    | { kind: 'forecast'; header: FC.ForecastModelHeader; name: string; table: { schema: AcceptedSchema; accepted: true } | null }
    | { kind: 'score'; header: null; name: string; table: null };
  dropModel: null;
  trainingInput: { bytes: Uint8Array; name: string; roles: FC.RoleChoice; events: boolean; gaps: 'missing' | 'zero' };
  compute: { panels: Record<string, PanelResult<any>>; timings: Record<string, number> };
}

// ---- The dashboard's panels in the worker (worker-panels.js) ----

export type { PanelContext, PageAnomaly } from './worker-panels.js';
type Handlers = typeof import('./worker-panels.js').PANEL_HANDLERS;
/** The anomaly panel's value: AnomalyResult's columns from shownFrom on, in the page's names
 * (step = interval_seconds, checkedFrom and shownFrom as indices, causeNames = cause_names). */
export type PageAnomalies = ReturnType<Handlers['anomalies']>;
/** The forecast panel's value: ForecastResult with step = interval_seconds and historyTime = history_time. */
export type PageForecast = ReturnType<Handlers['forecast']>;
export type PageKpis = ReturnType<Handlers['kpis']>;

// ---- Lead scoring's worker (lead-worker.js) ----

/** A lead table as the lead worker describes it. */
export interface LeadTableSummary {
  source: string;
  rows: number;
  columns: Array<{ name: string; type: FC.ColumnInfo['type']; missing: number; levels: number | null }>;
  parseMs?: number;
  bytes?: number;
}

/** The last scoring, without its rows (they stay in the worker). */
export interface Scores {
  rows: number;
  threshold: number;
  /** Reasons per lead: worked out for the rows in view (view) and the export. */
  explained: number;
  notices: string[];
  model: string;
  source: string;
  ms: number;
}

export interface Reason {
  feature: string;
  text: string;
  value: number;
}

export interface LeadRow {
  row: number;
  position: number;
  id: string;
  probability: number;
  reasons: Reason[];
}

export interface LeadCalls {
  init: { version: string; startup: { readyAt: number } };
  openLeads: { summary: LeadTableSummary };
  /** kind 'forecast': a dashboard model, not kept. leadsError: the leads shown do not fit this model. */
  openModel:
    | { kind: 'score'; name: string; header: FC.ScoreModelHeader; leadsError: string | null }
    | { kind: 'forecast'; name: string; header: null; leadsError: null };
  score: Scores;
  /** maxAbs: the page's largest |reason|, the scale of its bars. */
  view: { rows: LeadRow[]; total: number; offset: number; contacted: number; maxAbs: number };
  /** Every input's contribution for a sample of the scored leads (rows x features), with each cell's text. */
  shapSample: { ids: string[]; features: string[]; kinds: FC.ScoreFeature['kind'][]; contributions: Float64Array; texts: string[][]; rows: number; total: number; expected: number };
  exportPlan: { rows: number; explain: number; version: number; bytes: number };
  exportSource: { bytes: Uint8Array<ArrayBuffer>; name: string; model: Uint8Array<ArrayBuffer>; modelName: string };
  exportLoad: { rows: number };
  /** header: the CSV's first line (with its newline); body: the rows' lines. */
  exportRows: { header: string; body: Uint8Array<ArrayBuffer> };
  lead: { record: Record<string, string> | null; id: string };
  scoreRecord: {
    probability: number;
    margin: number;
    expectedValue: number | null;
    threshold: number;
    featureNames: string[];
    contributions: Float64Array;
    notices: string[];
  };
  openDrift: { summary: LeadTableSummary };
  drift: FC.DriftResult & { reference: string; current: string; model: string | null };
}

// ---- The training worker (train-worker.js) ----

/** The fields of `funnelcast train score --report` the page reads (TrainScoreResult.report;
 * written by core/src/scoring/train.cpp). */
export interface ScoreTrainingReport {
  data: FC.TableSchema;
  target: { column: string; positive: string; negative: string; positive_rate: number | null };
  folds: number;
  cv: FC.ScoreSection['cv'];
  out_of_fold: FC.ScoreMetrics;
  threshold: number;
  threshold_rule: FC.ScoreSection['threshold_rule'];
  comparison: FC.ScoreSection['comparison'];
  trees: number;
  dropped_columns: Array<{ column: string; reason: string | null }>;
  warnings: string[];
  notices: string[];
}

export interface InspectReply {
  ok: true;
  type: 'inspect';
  /** The outcome asked for, else the certain guess; null: the user has to choose. */
  target: string | null;
  /** The core's outcome guess for the table (Module.guessOutcome). */
  guess: FC.OutcomeGuess;
  rows: number;
  columns: LeadTableSummary['columns'];
  /** What the core makes of the table for this target (a fit of one tree, no folds); null without a target or when it cannot be the outcome. */
  report: Pick<ScoreTrainingReport, 'data' | 'target' | 'dropped_columns' | 'warnings'> | null;
  notices: string[];
  /** Why the target cannot be trained for (the core's message), beside the selector. */
  error: string | null;
}

export interface TrainScoreReply {
  ok: true;
  type: 'score';
  model: Uint8Array;
  report: ScoreTrainingReport;
  notices: string[];
}

/** A training worker's folds of a scoring model's cross-validation (train-worker.js 'folds'). */
export interface FoldsReply {
  ok: true;
  type: 'folds';
  results: FC.TrainScoreFold[];
}

export interface TrainForecastReply {
  ok: true;
  model: Uint8Array;
  report: FC.TrainForecastResult['report'];
  notices: string[];
}

/** A run of the forecast training panel (panels/training.js), also the store's `training`. */
export interface TrainingRun {
  /** The data trained for: the file and how it is read. */
  key: string;
  source: string;
  /** 'unsupported': data no forecast can be trained for (daily), never run. */
  state: 'running' | 'done' | 'failed' | 'cancelled' | 'unsupported';
  /** The training workers while it runs (the run's own first, then helpers sharing its forecasters). */
  workers: Worker[];
}

// ---- The shell (app.js) and its panels ----

export type Store = ReturnType<typeof createStore>;
export type Origin = 'demo' | 'user' | 'trained';

/** The state the panels share (store.js), as store.on's listeners see it. */
export interface StoreState {
  registry: FC.Registry | null;
  schema: AcceptedSchema | null;
  dataVersion: number;
  dataOrigin: Origin | null;
  header: FC.ForecastModelHeader | null;
  modelName: string | null;
  modelOrigin: Origin | null;
  training: TrainingRun | null;
  channel: string;
  rendered: boolean;
  view: View;
  leads: LeadTableSummary | null;
  leadsOrigin: Origin | null;
  scoreHeader: FC.ScoreModelHeader | null;
  scoreModelName: string | null;
  scoreModelOrigin: Origin | null;
  scores: Scores | null;
  threshold: number | null;
  explaining: number | null;
}
export type View = 'dashboard' | 'scoring';

/** A vega-embed tooltip handler (charts.js: createTooltip). */
export type TooltipHandler = (handler: unknown, event: MouseEvent, item: any, value: any) => void;

/** What app.js hands every panel. */
export interface Shell {
  engine: Engine<DashboardCalls>;
  store: Store;
  /** Resolves once the engine answered 'init' and the store holds the registry. */
  ready: Promise<DashboardCalls['init']>;
  /** Resolves once the dashboard's start-up is over (drawn, or failed). */
  started: Promise<void>;
  /** Resolves once the start-up's KPI tiles are drawn (or the start-up data could not be shown). */
  painted: Promise<void>;
  leadWorker: () => Engine<LeadCalls>;
  refresh: () => Promise<void>;
  refreshPanel: (name: string) => Promise<void> | undefined;
  showView: (view: View) => void;
  tooltip: TooltipHandler;
}

/** A query-string key a panel reads (query.js). */
export interface QueryKey<T = any> {
  parse: (raw: string | null) => T | null;
  apply: (value: T) => unknown;
}

/** A panel module's default export (app.js: PANELS). */
export interface Panel {
  name: string;
  query?: Record<string, QueryKey>;
  setup?: (ctx: Shell) => void;
  start?: (ctx: Shell) => Promise<unknown> | null;
  /** Loads at start-up after the `first` panels' compute was sent (the data panel's model). */
  startSecond?: (ctx: Shell) => Promise<unknown> | null;
  prepare?: (ctx: Shell) => Promise<unknown>;
  request?: (ctx: Shell) => object | null;
  /** Computed first, before the model is read at start-up: it needs only the data (the KPI tiles). */
  first?: boolean;
  /** Computed after the other panels, which are drawn first (anomalies: the whole history). */
  slow?: boolean;
  render?: (result: PanelResult<any>, ctx: Shell) => unknown;
}
