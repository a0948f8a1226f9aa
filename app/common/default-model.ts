/** The embedded default model, shared by both halves: the main side resolves it when a job
 * names no model, and tests and benchmarks build their recipes on it. */
export const DEFAULT_MODEL_ID = 'tessera/vq-ar-emoji32-cpu-11h';
