/**
 * The WITH options of a trained model (`CREATE MODEL m WITH (TYPE = ..., LABEL = ..., ...) AS
 * SELECT`), parsed into LearnOptions. Names are case-insensitive, `-` = `_`. Defaults are River's.
 * Throws SqlError INVALID naming the option (the engine adds the position).
 *
 * | option | models | default |
 * |---|---|---|
 * | TYPE | all | required: LOGISTIC_REGRESSION, LINEAR_REGRESSION, GAUSSIAN_NB, HOEFFDING_TREE, HALF_SPACE_TREES |
 * | LABEL | all (optional for HALF_SPACE_TREES: scores are then unlabelled) | required |
 * | LEARNING_RATE, INTERCEPT_LR, L2, SCALE | linear | 0.01, 0.01, 0, true |
 * | GRACE_PERIOD, DELTA, TAU, N_SPLITS, MAX_DEPTH | Hoeffding tree | 200, 1e-7, 0.05, 10, none |
 * | N_TREES, HEIGHT, WINDOW_SIZE, SEED, SCALE | half-space trees | 10, 8, 250, 42, true |
 * | DRIFT | classifiers, regression | 'ADWIN' ('NONE' = off) |
 * | DRIFT_POLICY | | 'KEEP' (RESET: start the model afresh; CHALLENGER: snapshot the live model as a version, then restart it) |
 * | METRICS_EVERY | | 1000 rows per model key between metric snapshot rows |
 * | SNAPSHOT_EVERY | | none: rows (`10000`) or an interval (`'10 MINUTES'`, `'30s'`) between versions |
 */
import { SqlError } from '../../sql/errors.ts';
import type { PropertyValue } from '../spec.ts';
import { DEFAULT_OPTIONS, MODEL_TYPES, type DriftPolicy, type LearnOptions, type ModelType } from './model.ts';

export interface TrainOptions {
  readonly learn: LearnOptions;
  readonly label: string | null;
  readonly metricsEvery: number;
  readonly snapshotEvery: { readonly rows: number } | { readonly ms: number } | null;
}

const norm = (k: string): string => k.trim().toUpperCase().replace(/[-.\s]/g, '_');

const KNOWN = new Set([
  'TYPE', 'LABEL', 'LEARNING_RATE', 'INTERCEPT_LR', 'L2', 'SCALE', 'GRACE_PERIOD', 'DELTA', 'TAU', 'N_SPLITS', 'MAX_DEPTH',
  'N_TREES', 'HEIGHT', 'WINDOW_SIZE', 'SEED', 'DRIFT', 'DRIFT_POLICY', 'METRICS_EVERY', 'SNAPSHOT_EVERY',
]);

function num(name: string, v: PropertyValue | undefined, dflt: number, check: (n: number) => boolean, what: string): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || !check(n)) throw new SqlError('INVALID', `model option ${name}: '${String(v)}' is not ${what}`);
  return n;
}

function bool(name: string, v: PropertyValue | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  const t = String(v).toUpperCase();
  if (t === 'TRUE') return true;
  if (t === 'FALSE') return false;
  throw new SqlError('INVALID', `model option ${name}: '${String(v)}' is not true or false`);
}

const UNIT_MS: Record<string, number> = { MS: 1, MILLISECOND: 1, MILLISECONDS: 1, S: 1000, SECOND: 1000, SECONDS: 1000, M: 60_000, MINUTE: 60_000, MINUTES: 60_000, H: 3_600_000, HOUR: 3_600_000, HOURS: 3_600_000, DAY: 86_400_000, DAYS: 86_400_000 };

function snapshotEvery(v: PropertyValue | undefined): TrainOptions['snapshotEvery'] {
  if (v === undefined) return null;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v <= 0) throw new SqlError('INVALID', `model option SNAPSHOT_EVERY: ${v} is not a positive number of rows`);
    return { rows: v };
  }
  const m = /^\s*(\d+)\s*([A-Za-z]*)\s*$/.exec(String(v));
  if (!m) throw new SqlError('INVALID', `model option SNAPSHOT_EVERY: '${String(v)}' is neither a number of rows nor an interval ('10 MINUTES')`);
  if (m[2] === '' || /^ROWS?$/i.test(m[2])) return { rows: Number(m[1]) };
  const unit = UNIT_MS[m[2].toUpperCase()];
  if (unit === undefined) throw new SqlError('INVALID', `model option SNAPSHOT_EVERY: unknown unit '${m[2]}'`);
  return { ms: Number(m[1]) * unit };
}

export function trainOptionsFrom(raw: Readonly<Record<string, PropertyValue>>): TrainOptions {
  const p: Record<string, PropertyValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    const n = norm(k);
    if (!KNOWN.has(n)) throw new SqlError('INVALID', `unknown model option '${k}' for a trained model (known: ${[...KNOWN].join(', ')})`);
    p[n] = v;
  }
  if (p.TYPE === undefined) throw new SqlError('INVALID', `model option TYPE is required: one of ${MODEL_TYPES.join(', ')}`);
  const type = String(p.TYPE).toUpperCase() as ModelType;
  if (!MODEL_TYPES.includes(type)) throw new SqlError('INVALID', `model option TYPE: '${String(p.TYPE)}' is not one of ${MODEL_TYPES.join(', ')}`);
  const label = p.LABEL === undefined ? null : String(p.LABEL);
  if (label === null && type !== 'HALF_SPACE_TREES') throw new SqlError('INVALID', `model option LABEL is required for TYPE ${type}: name the label column of the query`);
  const d = DEFAULT_OPTIONS(type);
  const pos = (n: number): boolean => n > 0;
  const nonNeg = (n: number): boolean => n >= 0;
  const int = (n: number): boolean => Number.isInteger(n) && n > 0;
  const driftText = p.DRIFT === undefined ? 'ADWIN' : String(p.DRIFT).toUpperCase();
  if (driftText !== 'ADWIN' && driftText !== 'NONE') throw new SqlError('INVALID', `model option DRIFT: '${String(p.DRIFT)}' is not ADWIN or NONE`);
  const policy = (p.DRIFT_POLICY === undefined ? 'KEEP' : String(p.DRIFT_POLICY).toUpperCase()) as DriftPolicy;
  if (!['KEEP', 'RESET', 'CHALLENGER'].includes(policy)) throw new SqlError('INVALID', `model option DRIFT_POLICY: '${String(p.DRIFT_POLICY)}' is not KEEP, RESET or CHALLENGER`);
  const scale = bool('SCALE', p.SCALE, true);
  const learn: LearnOptions = {
    type,
    linear: {
      learningRate: num('LEARNING_RATE', p.LEARNING_RATE, d.linear.learningRate, pos, 'a positive number'),
      interceptLr: num('INTERCEPT_LR', p.INTERCEPT_LR, d.linear.interceptLr, nonNeg, 'a number >= 0'),
      l2: num('L2', p.L2, d.linear.l2, nonNeg, 'a number >= 0'),
      scale,
    },
    hoeffding: {
      ...d.hoeffding,
      gracePeriod: num('GRACE_PERIOD', p.GRACE_PERIOD, d.hoeffding.gracePeriod, int, 'a positive integer'),
      delta: num('DELTA', p.DELTA, d.hoeffding.delta, (n) => n > 0 && n < 1, 'in (0, 1)'),
      tau: num('TAU', p.TAU, d.hoeffding.tau, nonNeg, 'a number >= 0'),
      nSplits: num('N_SPLITS', p.N_SPLITS, d.hoeffding.nSplits, int, 'a positive integer'),
      maxDepth: num('MAX_DEPTH', p.MAX_DEPTH, d.hoeffding.maxDepth, int, 'a positive integer'),
    },
    hst: {
      nTrees: num('N_TREES', p.N_TREES, d.hst.nTrees, int, 'a positive integer'),
      height: num('HEIGHT', p.HEIGHT, d.hst.height, (n) => int(n) && n <= 20, 'an integer in 1..20'),
      windowSize: num('WINDOW_SIZE', p.WINDOW_SIZE, d.hst.windowSize, int, 'a positive integer'),
      seed: num('SEED', p.SEED, d.hst.seed, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0'),
      scale,
    },
    drift: driftText === 'ADWIN',
    driftPolicy: policy,
  };
  return {
    learn,
    label,
    metricsEvery: num('METRICS_EVERY', p.METRICS_EVERY, 1000, int, 'a positive integer'),
    snapshotEvery: snapshotEvery(p.SNAPSHOT_EVERY),
  };
}
