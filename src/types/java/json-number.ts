/**
 * A JSON number kept as its source text (`12.30`, `1.0E-5`, `900719925474099312`), as Jackson
 * reads numbers into BigDecimal for ksqlDB: the digits and the scale survive, where a double
 * would round them. Used by the JSON serdes and by the JSON functions (EXTRACTJSONFIELD('{"a":
 * 1.50}', '$.a') is '1.50').
 */
import type { Decimal } from '../decimal.ts';
import { parseJavaDecimal } from './decimal-parse.ts';

// Node 24 (V8 13) implements JSON.rawJSON; lib.es2023 lacks it.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

export class JsonNumber {
  /** The token's text, exactly as written in the JSON source. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  /** The nearest double. */
  valueOf(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  /** JSON.stringify writes the text verbatim. */
  toJSON(): unknown {
    return rawJSON(this.text);
  }

  /** The exact value; the scale is that of the text (`12.30` -> scale 2, `1e3` -> scale 0). */
  toDecimal(): Decimal {
    return parseJavaDecimal(this.text);
  }
}

export const isJsonNumber = (v: unknown): v is JsonNumber => v instanceof JsonNumber;
