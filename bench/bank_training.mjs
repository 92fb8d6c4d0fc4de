// The lead-scoring training the wasm benches time on bank marketing: the options
// panels/score-training.js trains with by default (DEFAULTS there), with the outcome
// column, and the same training as the CLI's flags (what the page's "train it with the
// CLI" line writes). Shared by bench/score_page.mjs and bench/wasm_train_ab.mjs.
export const OPTIONS = { target: 'subscription', folds: 5, iterations: 300, learning_rate: 0.1, num_leaves: 31, seed: 0 };
export const CLI_TRAIN = ['train', 'score', '--quiet', '--no-log', '--target', 'subscription', '--threads', '1', '--folds', '5',
  '--param', 'num_iterations=300', '--param', 'learning_rate=0.1', '--param', 'num_leaves=31', '--param', 'seed=0'];
