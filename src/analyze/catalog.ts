/**
 * The catalog: streams, tables, queries and models the engine knows. It is rebuilt on start by
 * replaying the command log (see engine/command-log.ts), so everything here is derived from
 * statements and plain data.
 */
import type { FormatName } from '../serde/types.ts';
import type { LogicalSchema } from '../types/schema.ts';
import type { WindowInfo } from '../types/window.ts';

export interface SourceFormats {
  readonly keyFormat: FormatName;
  readonly valueFormat: FormatName;
  /** Values with one column: wrapped in an object/record (default) or bare. */
  readonly wrapSingleValue: boolean;
  readonly keyDelimiter?: string;
  readonly valueDelimiter?: string;
}

export interface DataSource {
  readonly name: string;
  readonly type: 'STREAM' | 'TABLE';
  readonly topic: string;
  readonly schema: LogicalSchema;
  readonly formats: SourceFormats;
  /** Column whose value is the record's event time instead of the record timestamp. */
  readonly timestampColumn: string | null;
  readonly timestampFormat: string | null;
  /** Set when the key is windowed (tables from windowed aggregations). */
  readonly window: WindowInfo | null;
  /** The statement that created it, as written (after variable substitution). */
  readonly sql: string;
  /** Id of the persistent query writing it (CREATE ... AS SELECT), if any. */
  readonly writerQueryId: string | null;
  readonly readOnly: boolean;
}

export interface QueryInfo {
  readonly id: string;
  readonly sql: string;
  readonly sink: string;
  readonly sources: readonly string[];
}

/** A model declared with CREATE MODEL; `spec` is the ml layer's ModelSpec (opaque here). */
export interface ModelInfo {
  readonly name: string;
  readonly sql: string;
  readonly inputs: readonly { readonly name: string; readonly type: import('../types/sql-type.ts').SqlType }[];
  readonly outputs: readonly { readonly name: string; readonly type: import('../types/sql-type.ts').SqlType }[];
  readonly spec: unknown;
}

export class Catalog {
  private readonly sources = new Map<string, DataSource>();
  private readonly queries = new Map<string, QueryInfo>();
  readonly models = new Map<string, ModelInfo>();

  getSource(name: string): DataSource | undefined {
    return this.sources.get(name);
  }

  putSource(source: DataSource): void {
    this.sources.set(source.name, source);
  }

  dropSource(name: string): void {
    this.sources.delete(name);
  }

  listSources(type?: 'STREAM' | 'TABLE'): DataSource[] {
    return [...this.sources.values()].filter((s) => !type || s.type === type);
  }

  getQuery(id: string): QueryInfo | undefined {
    return this.queries.get(id);
  }

  putQuery(q: QueryInfo): void {
    this.queries.set(q.id, q);
  }

  dropQuery(id: string): void {
    this.queries.delete(id);
  }

  listQueries(): QueryInfo[] {
    return [...this.queries.values()];
  }

  /** Queries reading from the given source. */
  readersOf(name: string): QueryInfo[] {
    return this.listQueries().filter((q) => q.sources.includes(name));
  }

  /** Case-insensitive lookup for "did you mean" messages. */
  /**
   * ksqlDB's hint for a source name that does not exist (MetaStore#checkAlternatives): the
   * sources whose name differs only in case (of `type`, when given), as `\nDid you mean ...?`
   * with the fix: quoting for a name with lower-case letters, unquoting otherwise; '' if none.
   */
  alternatives(name: string, type?: 'STREAM' | 'TABLE'): string {
    const upper = name.toUpperCase();
    const matched = [...this.sources.values()].filter((s) => s.name.toUpperCase() === upper && (!type || s.type === type)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (matched.length === 0) return '';
    if (matched.length > 1) {
      const n = matched.length;
      const listed = matched.map((s, i) => `"${s.name}" (${s.type})${i < n - 2 ? ', ' : i === n - 2 ? (i === 0 ? ' or ' : ', or ') : '? '}`).join('');
      return `\nDid you mean ${listed}Hint: wrap the source name in double quotes to make it case-sensitive.`;
    }
    const only = matched[0].name;
    return /[a-z]/.test(only) ? `\nDid you mean "${only}"? Hint: wrap the source name in double quotes to make it case-sensitive.` : `\nDid you mean ${only}? Hint: try removing double quotes from the source name.`;
  }
}
