/**
 * Runs the statements of requests against the one engine: parses them, checks the caller's role,
 * applies the request's properties for the duration of the request, and turns results into
 * ksqlDB entities. Executions are serialized (see ./serializer.ts); push queries only hold the
 * serializer while they are set up, not while they stream.
 */
import { parseStatements } from '../sql/parser.ts';
import type { ParsedStatement } from '../sql/ast.ts';
import type { Engine } from '../engine/engine.ts';
import type { StatementResult } from '../engine/results.ts';
import { allowedFor, type Principal } from './auth.ts';
import { ApiError, ErrorCode, badRequest, statementError } from './errors.ts';
import { Serializer } from './serializer.ts';
import { commandIdOf, toEntity, type CommandRecord } from './entities.ts';

export interface RequestSettings {
  /** Session properties for this request (`streamsProperties` / `properties`). */
  readonly properties: Readonly<Record<string, string>>;
  /** `sessionVariables`: substituted for ${name} in the SQL. */
  readonly variables: Readonly<Record<string, string>>;
}

/** Reads a `{name: scalar}` object from a request body; 400 for anything else. */
export function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`'${field}' must be an object of names to values`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw badRequest(`'${field}.${k}' must be a string, number or boolean`);
    // ksqlDB's clients prefix Kafka Streams settings; Riffle's properties are the bare names.
    out[k.startsWith('ksql.streams.') ? k.slice('ksql.streams.'.length) : k] = String(x);
  }
  return out;
}

/** Statements that belong on the streaming endpoints, not on /ksql. */
export function isStreamingStatement(p: ParsedStatement): boolean {
  const s = p.statement;
  return s.kind === 'Print' || s.kind === 'QueryStatement';
}

export class StatementService {
  readonly engine: Engine;
  private readonly serializer = new Serializer();
  private sequence = 0;
  readonly commands = new Map<string, CommandRecord>();

  constructor(engine: Engine) {
    this.engine = engine;
  }

  get commandSequenceNumber(): number {
    return this.sequence;
  }

  parse(sql: string, settings: RequestSettings): ParsedStatement[] {
    const variables = new Map([...this.engine.variables, ...Object.entries(settings.variables).map(([k, v]) => [k.toUpperCase(), v] as [string, string])]);
    try {
      return parseStatements(sql, variables, { types: this.engine.types });
    } catch (e) {
      throw statementError(e, sql);
    }
  }

  authorize(principal: Principal, statements: readonly ParsedStatement[]): void {
    for (const p of statements) {
      if (!allowedFor(principal.role, p.statement)) {
        throw new ApiError(403, ErrorCode.FORBIDDEN, `User '${principal.name}' (role ${principal.role}) may not run ${p.statement.kind} statements`, p.text);
      }
    }
  }

  /** /ksql: runs the statements in order; stops at the first failure (its error names the statement). */
  async executeAll(statements: readonly ParsedStatement[], settings: RequestSettings): Promise<Record<string, unknown>[]> {
    for (const p of statements) {
      if (isStreamingStatement(p)) {
        throw new ApiError(
          400,
          ErrorCode.QUERY_ENDPOINT,
          "The following statement types should be issued to the websocket endpoint '/query':\n\t* PRINT\n\t* SELECT",
          p.text,
        );
      }
    }
    return this.withSettings(settings, async () => {
      const entities: Record<string, unknown>[] = [];
      for (const p of statements) {
        let result: StatementResult;
        try {
          result = await this.engine.executeStatement(p);
        } catch (e) {
          throw statementError(e, p.text);
        }
        entities.push(toEntity(this.engine, p, result, result.kind === 'message' ? this.recordCommand(p, result.message) : null));
      }
      return entities;
    });
  }

  /** /query, /query-stream, /ws/query: one SELECT or PRINT, set up with the request's properties. */
  async startQuery(p: ParsedStatement, settings: RequestSettings): Promise<StatementResult> {
    if (!isStreamingStatement(p)) {
      throw new ApiError(400, ErrorCode.BAD_STATEMENT, 'This endpoint runs a single SELECT or PRINT statement; other statements go to /ksql', p.text);
    }
    return this.withSettings(settings, async () => {
      try {
        return await this.engine.executeStatement(p);
      } catch (e) {
        throw statementError(e, p.text);
      }
    });
  }

  private recordCommand(p: ParsedStatement, message: string): CommandRecord {
    const record: CommandRecord = { commandId: commandIdOf(p.statement), sequenceNumber: ++this.sequence, message };
    this.commands.set(record.commandId, record);
    return record;
  }

  private withSettings<T>(settings: RequestSettings, fn: () => Promise<T>): Promise<T> {
    return this.serializer.run(async () => {
      // Always restored: a SET inside a request affects that request's later statements only.
      const entries = Object.entries(settings.properties);
      const saved = new Map(this.engine.properties);
      for (const [k, v] of entries) this.engine.properties.set(k, v);
      try {
        return await fn();
      } finally {
        this.engine.properties.clear();
        for (const [k, v] of saved) this.engine.properties.set(k, v);
      }
    });
  }
}
