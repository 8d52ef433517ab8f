/**
 * What the editor completes: streams, tables and their columns (SHOW STREAMS / SHOW TABLES, then
 * DESCRIBE of each), functions (SHOW FUNCTIONS) and models (the console's model summary), all
 * read from the server, so completion follows the live catalog. Refreshed after DDL.
 */
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { getJson, ksql, type Entity } from './api.ts';

export interface SourceMeta {
  readonly name: string;
  readonly type: 'STREAM' | 'TABLE';
  readonly topic: string;
  readonly columns: readonly { readonly name: string; readonly type: string; readonly key: boolean }[];
}

export interface ModelMeta {
  readonly name: string;
  readonly inputs: readonly { name: string; type: string }[];
  readonly outputs: readonly { name: string; type: string }[];
}

export interface CatalogMeta {
  readonly sources: readonly SourceMeta[];
  readonly functions: readonly { name: string; type: string }[];
  readonly models: readonly ModelMeta[];
}

export const EMPTY_META: CatalogMeta = { sources: [], functions: [], models: [] };

type FieldSchema = { type: string; fields?: { name: string; schema: FieldSchema }[] | null; memberSchema?: FieldSchema | null };

function typeText(s: FieldSchema): string {
  if (s.type === 'STRUCT') return `STRUCT<${(s.fields ?? []).map((f) => `${f.name} ${typeText(f.schema)}`).join(', ')}>`;
  if (s.type === 'ARRAY') return `ARRAY<${s.memberSchema ? typeText(s.memberSchema) : '?'}>`;
  if (s.type === 'MAP') return `MAP<STRING, ${s.memberSchema ? typeText(s.memberSchema) : '?'}>`;
  return s.type;
}

export async function loadCatalogMeta(): Promise<CatalogMeta> {
  const [lists, models] = await Promise.all([ksql('SHOW STREAMS; SHOW TABLES; SHOW FUNCTIONS;'), getJson<{ models: ModelMeta[] }>('/riffle/console/models')]);
  const names: { name: string; type: 'STREAM' | 'TABLE'; topic: string }[] = [];
  for (const e of lists) {
    const list = (e.streams ?? e.tables) as { name: string; topic: string }[] | undefined;
    if (list) for (const s of list) names.push({ name: s.name, type: e['@type'] === 'streams' ? 'STREAM' : 'TABLE', topic: s.topic });
  }
  const functions = ((lists.find((e) => e['@type'] === 'function_names')?.functions ?? []) as { name: string; type: string }[]).map((f) => ({ name: f.name, type: f.type }));
  const described: Entity[] = names.length ? await ksql(names.map((s) => `DESCRIBE \`${s.name.replace(/`/g, '``')}\`;`).join('\n')) : [];
  const sources = names.map((s, i) => {
    const d = described[i]?.sourceDescription as { fields?: { name: string; type?: string; schema: FieldSchema }[] } | undefined;
    return { ...s, columns: (d?.fields ?? []).map((f) => ({ name: f.name, type: typeText(f.schema), key: f.type === 'KEY' || f.type === 'PRIMARY_KEY' })) };
  });
  return { sources, functions, models: models.models.map((m) => ({ name: m.name, inputs: m.inputs, outputs: m.outputs })) };
}

/** Completion of catalog names at the word before the cursor (keywords come from the SQL language itself). */
export function catalogCompletion(meta: () => CatalogMeta) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const word = ctx.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (!word && !ctx.explicit) return null;
    const m = meta();
    const before = ctx.state.sliceDoc(Math.max(0, (word?.from ?? ctx.pos) - 1), word?.from ?? ctx.pos);
    const options: Completion[] = [];
    if (before === '.') {
      // `source.` completes that source's columns (also for an alias we cannot resolve: all columns).
      const qualifier = ctx.matchBefore(/[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z0-9_]*/)?.text.split('.')[0].toUpperCase() ?? '';
      const src = m.sources.find((s) => s.name.toUpperCase() === qualifier);
      for (const s of src ? [src] : m.sources) for (const c of s.columns) options.push({ label: c.name, type: 'property', detail: `${c.type} · ${s.name}` });
    } else {
      for (const s of m.sources) options.push({ label: s.name, type: 'class', detail: s.type.toLowerCase(), boost: 2 });
      for (const s of m.sources) for (const c of s.columns) options.push({ label: c.name, type: 'property', detail: `${c.type} · ${s.name}`, boost: 1 });
      for (const f of m.functions) options.push({ label: f.name, type: 'function', detail: f.type, apply: `${f.name}(` });
      for (const md of m.models) options.push({ label: md.name, type: 'variable', detail: `model (${md.inputs.map((i) => i.name).join(', ')})`, boost: 2 });
    }
    return { from: word?.from ?? ctx.pos, options: dedupe(options), validFor: /^[A-Za-z0-9_]*$/ };
  };
}

function dedupe(options: Completion[]): Completion[] {
  const seen = new Set<string>();
  return options.filter((o) => {
    const k = `${o.label}\u0000${o.type}\u0000${o.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
