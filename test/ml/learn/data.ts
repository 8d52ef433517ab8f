/** Loads ../shared/ml-data CSVs (beside the project) (or RIFFLE_ML_DATA): header, numeric features, label last. */
import fs from 'node:fs';
import path from 'node:path';

export const ML_DATA = process.env.RIFFLE_ML_DATA ?? path.resolve(import.meta.dirname, '../../../../shared/ml-data');

export function hasData(file: string): boolean {
  return fs.existsSync(path.join(ML_DATA, file));
}

export interface Dataset {
  readonly columns: string[];
  readonly x: number[][];
  readonly y: string[];
}

export function loadCsv(file: string): Dataset {
  const lines = fs.readFileSync(path.join(ML_DATA, file), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const x: number[][] = [];
  const y: string[] = [];
  for (const line of lines.slice(1)) {
    const parts = line.split(',');
    x.push(parts.slice(0, -1).map(Number));
    y.push(parts[parts.length - 1]);
  }
  return { columns: header.slice(0, -1), x, y };
}
