/**
 * Model serving over the Open Inference Protocol V2 REST API (KServe's "V2", Triton's HTTP API):
 * every model of the catalog, under the server's authentication. The protocol itself lives in
 * ml/serving/v2.ts (framework-agnostic); this file only maps its paths onto the route table.
 * Inference is a read: a read-only user may call models as it may run PREDICT in a SELECT.
 */
import type { Engine } from '../engine/engine.ts';
import { servingCatalog } from '../engine/model-serving.ts';
import { handleV2 } from '../ml/serving/v2.ts';
import { jsonRoute, type HttpMethod, type JsonInput, type Route } from './routes.ts';

const GET_PATHS = [
  '/v2',
  '/v2/health/live',
  '/v2/health/ready',
  '/v2/models/:model',
  '/v2/models/:model/ready',
  '/v2/models/:model/versions/:version',
  '/v2/models/:model/versions/:version/ready',
];
const POST_PATHS = ['/v2/models/:model/infer', '/v2/models/:model/versions/:version/infer'];

/** The request's own path with its parameters filled back in (decoded, then encoded once). */
function concretePath(template: string, input: JsonInput): string {
  return template.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(input.params[name] ?? ''));
}

export function modelRoutes(engine: Engine): Route[] {
  const catalog = servingCatalog(engine);
  const route = (method: HttpMethod, path: string): Route =>
    jsonRoute(method, path, 'read', async (input) => {
      const reply = await handleV2(method, concretePath(path, input), input.body, catalog);
      return { status: reply.status, body: reply.body };
    });
  return [...GET_PATHS.map((p) => route('GET', p)), ...POST_PATHS.map((p) => route('POST', p))];
}
