/**
 * Makes a @platformatic/kafka consumer parse Fetch responses with ./fetch-response.ts: the client's
 * API lookup (`kGetApi`, which every fetch goes through) hands out, for Fetch v13-v17, the
 * library's own request builder of that version with Riffle's response parser. Fetch sessions,
 * retries, leader and replica handling stay the library's; only the response's `records` change
 * shape (FetchedBatch headers instead of decoded batches). Older versions (brokers before Kafka
 * 3.1) keep the library's parser; the fetcher decodes both.
 */
import { createAPI, fetchV13, fetchV14, fetchV15, fetchV16, fetchV17, kGetApi } from '@platformatic/kafka';
import { parseFetchResponse } from './fetch-response.ts';

type RequestBuilder = (...args: never[]) => unknown;
type LibApi = { version: number };
type ApiCallback = (error: Error | null, api?: LibApi) => void;

const REQUEST_BUILDERS: Record<number, RequestBuilder> = {
  13: fetchV13.createRequest,
  14: fetchV14.createRequest,
  15: fetchV15.createRequest,
  16: fetchV16.createRequest,
  17: fetchV17.createRequest,
};

const FETCH_KEY = 1;
const fastApis = new Map<number, LibApi>();

/** The Fetch API of `version` with Riffle's response parser (undefined: a version it does not parse). */
export function fastFetchApi(version: number): LibApi | undefined {
  const createRequest = REQUEST_BUILDERS[version];
  if (!createRequest) return undefined;
  let api = fastApis.get(version);
  if (!api) {
    api = createAPI(FETCH_KEY, version, createRequest as never, parseFetchResponse as never) as unknown as LibApi;
    fastApis.set(version, api);
  }
  return api;
}

export function useFastFetchParsing(client: object): void {
  const c = client as { [kGetApi]: (name: string, callback: ApiCallback) => void };
  const lookup = c[kGetApi].bind(c);
  c[kGetApi] = (name, callback) =>
    lookup(name, (error, api) => {
      if (error || name !== 'Fetch' || !api) return callback(error, api);
      callback(null, fastFetchApi(api.version) ?? api);
    });
}
