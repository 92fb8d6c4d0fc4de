// @ts-check
// Lead scoring's panels, loaded on demand (app.js: loadLeadScoring): when its tab is shown
// (or pointed at, or focused), when a file for it arrives, or at once when the page opens
// on it. The dashboard's first view needs none of this code, its worker or its files.
// Built as a file of its own (scripts/assemble.mjs, 5c) that takes the modules it shares
// with the page (dom.js, files.js, charts.js, ...) from app.js's bundle: one instance each.
import drift from './panels/drift.js';
import lead from './panels/lead.js';
import leads from './panels/leads.js';
import scoreTraining from './panels/score-training.js';
import scoring from './panels/scoring.js';
import shap from './panels/shap.js';
import threshold from './panels/threshold.js';

/** The lead scoring panels, in the order they are set up and started. */
/** @type {import('./types').Panel[]} */
export const LEAD_PANELS = [scoring, threshold, leads, shap, lead, drift, scoreTraining];
