/**
 * The metrics a promotion rule compares, computed over the rows both versions were scored on:
 * - classification: ACCURACY; PRECISION, RECALL and F1 of the positive class (label 1 / TRUE);
 *   LOG_LOSS on P(positive) clamped to [1e-15, 1 − 1e-15]; ROC_AUC exact (Mann-Whitney, ties ½)
 *   over P(positive). A version that gives no probability is scored with its class as 0/1.
 * - regression: MAE, RMSE.
 * "Better" is higher for ACCURACY, PRECISION, RECALL, F1 and ROC_AUC, lower for the others.
 */
export const PROMOTION_METRICS = ['ACCURACY', 'PRECISION', 'RECALL', 'F1', 'LOG_LOSS', 'ROC_AUC', 'MAE', 'RMSE'] as const;
export type PromotionMetric = (typeof PROMOTION_METRICS)[number];

export function isPromotionMetric(name: string): name is PromotionMetric {
  return (PROMOTION_METRICS as readonly string[]).includes(name);
}

export function higherIsBetter(m: PromotionMetric): boolean {
  switch (m) {
    case 'ACCURACY':
    case 'PRECISION':
    case 'RECALL':
    case 'F1':
    case 'ROC_AUC':
      return true;
    case 'LOG_LOSS':
    case 'MAE':
    case 'RMSE':
      return false;
  }
}

/** One version's answer for a row: the predicted value and, for classifiers, P(positive) if known. */
export interface Scored {
  readonly prediction: unknown;
  readonly positiveProbability: number | null;
}

const norm = (v: unknown) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

/** Labels and predictions compare as text, booleans as 1/0 (a BOOLEAN label vs an INT64 class). */
export function sameClass(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && norm(a) === norm(b);
}

/** The positive class: 1, TRUE (or '1', 'true'). */
export function isPositive(v: unknown): boolean {
  const t = norm(v).toLowerCase();
  return t === '1' || t === 'true' || t === '1.0';
}

const EPS = 1e-15;

/** The metric over parallel arrays of answers and labels; null when it is undefined there (no rows, one class only for ROC_AUC). */
export function metricValue(m: PromotionMetric, answers: readonly Scored[], labels: readonly unknown[]): number | null {
  const n = answers.length;
  if (n === 0) return null;
  const prob = (a: Scored) => a.positiveProbability ?? (isPositive(a.prediction) ? 1 : 0);
  switch (m) {
    case 'ACCURACY':
      return answers.filter((a, i) => sameClass(a.prediction, labels[i])).length / n;
    case 'PRECISION':
    case 'RECALL':
    case 'F1': {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      answers.forEach((a, i) => {
        const p = isPositive(a.prediction);
        const y = isPositive(labels[i]);
        if (p && y) tp++;
        else if (p) fp++;
        else if (y) fn++;
      });
      const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
      const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
      if (m === 'PRECISION') return precision;
      if (m === 'RECALL') return recall;
      return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    }
    case 'LOG_LOSS': {
      let sum = 0;
      answers.forEach((a, i) => {
        const p = Math.min(1 - EPS, Math.max(EPS, prob(a)));
        sum -= isPositive(labels[i]) ? Math.log(p) : Math.log(1 - p);
      });
      return sum / n;
    }
    case 'ROC_AUC': {
      const pos: number[] = [];
      const neg: number[] = [];
      answers.forEach((a, i) => (isPositive(labels[i]) ? pos : neg).push(prob(a)));
      if (pos.length === 0 || neg.length === 0) return null;
      // Mann-Whitney by ranks (ties get the mean rank): O(n log n).
      const all = [...pos.map((s) => ({ s, p: true })), ...neg.map((s) => ({ s, p: false }))].sort((a, b) => a.s - b.s);
      let rankSumPos = 0;
      for (let i = 0; i < all.length; ) {
        let j = i;
        while (j < all.length && all[j]!.s === all[i]!.s) j++;
        const meanRank = (i + 1 + j) / 2;
        for (let k = i; k < j; k++) if (all[k]!.p) rankSumPos += meanRank;
        i = j;
      }
      return (rankSumPos - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
    }
    case 'MAE':
    case 'RMSE': {
      let abs = 0;
      let sq = 0;
      let count = 0;
      answers.forEach((a, i) => {
        const d = Number(a.prediction) - Number(labels[i]);
        if (!Number.isFinite(d)) return;
        abs += Math.abs(d);
        sq += d * d;
        count++;
      });
      if (count === 0) return null;
      return m === 'MAE' ? abs / count : Math.sqrt(sq / count);
    }
  }
}
