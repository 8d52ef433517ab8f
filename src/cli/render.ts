/** Text rendering of statement results and rows for the CLI: ksqlDB-style boxed tables. */
import type { StatementResult } from '../engine/results.ts';
import type { LogicalSchema } from '../types/schema.ts';
import { Decimal } from '../types/decimal.ts';

export function renderTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(cellText));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const fmt = (r: readonly string[]) => '|' + r.map((c, i) => ` ${c.padEnd(widths[i])} `).join('|') + '|';
  return [line, fmt(columns), line, ...cells.map(fmt), line].join('\n');
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Decimal) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Decimal ? x.toString() : x));
}

export function renderResult(r: StatementResult): string {
  switch (r.kind) {
    case 'message':
      return r.message;
    case 'table':
      return r.rows.length === 0 ? `${r.title}: (none)` : renderTable(r.columns, r.rows);
    case 'text':
      return r.text;
    case 'push':
      return `Push query ${r.query.id}`;
    case 'print':
      return 'Printing topic';
  }
}

/** Streaming table for push queries: a header once, then a line per row as rows arrive. */
export class LiveTable {
  private readonly widths: number[];
  private readonly columns: string[];
  private readonly write: (s: string) => void;

  constructor(schema: LogicalSchema, write: (s: string) => void) {
    this.columns = [...schema.key, ...schema.value].map((c) => c.name);
    this.widths = this.columns.map((c) => Math.max(c.length, 12));
    this.write = write;
  }

  header(): void {
    const line = '+' + this.widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
    this.write(line + '\n' + '|' + this.columns.map((c, i) => ` ${c.padEnd(this.widths[i])} `).join('|') + '|\n' + line + '\n');
  }

  row(values: readonly unknown[]): void {
    this.write('|' + values.map((v, i) => ` ${cellText(v).padEnd(this.widths[i] ?? 12)} `).join('|') + '|\n');
  }
}
