/**
 * URL functions, parsing like Java's java.net.URI (RFC 2396): components are NULL when absent;
 * path and query come back percent-decoded, URL_EXTRACT_PARAMETER's value raw.
 */
import type { FunctionDef } from './types.ts';
import { fn, strict } from './signature.ts';
import { scalar } from './define.ts';

interface Url {
  scheme: string | null;
  authority: string | null;
  userInfo: string | null;
  host: string | null;
  port: number | null;
  path: string;
  query: string | null;
  fragment: string | null;
}

const URI_RE = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function parseUrl(text: string): Url | null {
  const m = URI_RE.exec(text);
  if (!m) return null;
  const authority = m[2] ?? null;
  let userInfo: string | null = null;
  let host: string | null = null;
  let port: number | null = null;
  if (authority !== null) {
    let hostPort = authority;
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      userInfo = authority.slice(0, at);
      hostPort = authority.slice(at + 1);
    }
    const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    if (pm) {
      host = pm[1] === '' ? null : pm[1];
      port = pm[2] ? Number(pm[2]) : null;
    }
  }
  return { scheme: m[1] ?? null, authority, userInfo, host, port, path: m[3], query: m[4] ?? null, fragment: m[5] ?? null };
}

function part<K extends keyof Url>(key: K, decoded: boolean) {
  return strict((url: string) => {
    const u = parseUrl(url);
    if (!u) return null;
    const v = u[key];
    if (v === null || !decoded || typeof v !== 'string') return v;
    return decode(v);
  });
}

function parameter(url: string, name: string): string | null {
  const u = parseUrl(url);
  if (!u || u.query === null) return null;
  for (const pair of u.query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) {
      if (pair === name) return null;
    } else if (pair.slice(0, eq) === name) {
      return pair.slice(eq + 1);
    }
  }
  return null;
}

/** Java's URLEncoder.encode(s, UTF-8): space as '+', only [A-Za-z0-9.*_-] kept. */
function encodeParam(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function decodeParam(s: string): string | null {
  return decode(s.replace(/\+/g, ' '));
}

export const urlFunctions: FunctionDef[] = [
  scalar('URL_ENCODE_PARAM', 'Escapes a value for use in a URL query (application/x-www-form-urlencoded).', [
    fn('input STRING', 'STRING', strict(encodeParam)),
  ]),
  scalar('URL_DECODE_PARAM', 'Unescapes a URL-encoded (application/x-www-form-urlencoded) value.', [
    fn('input STRING', 'STRING', strict(decodeParam)),
  ]),
  scalar('URL_EXTRACT_FRAGMENT', 'The fragment of a URL, or NULL.', [fn('url STRING', 'STRING', part('fragment', true))]),
  scalar('URL_EXTRACT_HOST', 'The host of a URL, or NULL.', [fn('url STRING', 'STRING', part('host', false))]),
  scalar('URL_EXTRACT_PATH', 'The (decoded) path of a URL.', [fn('url STRING', 'STRING', part('path', true))]),
  scalar('URL_EXTRACT_PORT', 'The port of a URL, or NULL.', [fn('url STRING', 'INT', part('port', false))]),
  scalar('URL_EXTRACT_PROTOCOL', 'The scheme of a URL, or NULL.', [fn('url STRING', 'STRING', part('scheme', false))]),
  scalar('URL_EXTRACT_QUERY', 'The (decoded) query of a URL, or NULL.', [fn('url STRING', 'STRING', part('query', true))]),
  scalar('URL_EXTRACT_PARAMETER', 'The raw value of the first query parameter with that name, or NULL.', [
    fn('url STRING, parameterName STRING', 'STRING', strict(parameter)),
  ]),
];
