/**
 * SQL LIKE: `%` matches any sequence (newlines included), `_` any one character, the optional
 * escape character makes the next character literal; the whole value must match; case matters.
 * Constant patterns compile once to the cheapest test (equality, prefix, suffix, substring,
 * else a RegExp); patterns computed per row go through a small cache.
 */

export type LikeTest =
  | { readonly kind: 'equals' | 'prefix' | 'suffix' | 'contains'; readonly text: string }
  | { readonly kind: 'regex'; readonly re: RegExp };

type Token = { wild: '%' | '_' } | { text: string };

function tokenize(pattern: string, escape: string | null): Token[] {
  const out: Token[] = [];
  let text = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (escape !== null && ch === escape && i + 1 < chars.length) {
      text += chars[++i];
    } else if (ch === '%' || ch === '_') {
      if (text) out.push({ text });
      text = '';
      const last = out[out.length - 1];
      if (!(ch === '%' && last && 'wild' in last && last.wild === '%')) out.push({ wild: ch });
    } else {
      text += ch;
    }
  }
  if (text) out.push({ text });
  return out;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function compileLike(pattern: string, escape: string | null): LikeTest {
  const t = tokenize(pattern, escape);
  const isText = (x: Token | undefined): x is { text: string } => x !== undefined && 'text' in x;
  const isPct = (x: Token | undefined): boolean => x !== undefined && 'wild' in x && x.wild === '%';
  if (t.length === 0) return { kind: 'equals', text: '' };
  if (t.length === 1 && isText(t[0])) return { kind: 'equals', text: t[0].text };
  if (t.length === 2 && isText(t[0]) && isPct(t[1])) return { kind: 'prefix', text: t[0].text };
  if (t.length === 2 && isPct(t[0]) && isText(t[1])) return { kind: 'suffix', text: t[1].text };
  if (t.length === 3 && isPct(t[0]) && isText(t[1]) && isPct(t[2])) return { kind: 'contains', text: t[1].text };
  if (t.length === 1 && isPct(t[0])) return { kind: 'prefix', text: '' };
  const body = t.map((x) => ('text' in x ? escapeRe(x.text) : x.wild === '%' ? '.*' : '.')).join('');
  return { kind: 'regex', re: new RegExp(`^${body}$`, 'su') };
}

export function likeMatches(test: LikeTest, v: string): boolean {
  switch (test.kind) {
    case 'equals':
      return v === test.text;
    case 'prefix':
      return v.startsWith(test.text);
    case 'suffix':
      return v.endsWith(test.text);
    case 'contains':
      return v.includes(test.text);
    case 'regex':
      return test.re.test(v);
  }
}

/** LIKE with a pattern known only per row; remembers the most recent patterns. */
export function dynamicLike(escape: string | null): (v: string, pattern: string) => boolean {
  const cache = new Map<string, LikeTest>();
  return (v, pattern) => {
    let test = cache.get(pattern);
    if (!test) {
      if (cache.size >= 64) cache.clear();
      test = compileLike(pattern, escape);
      cache.set(pattern, test);
    }
    return likeMatches(test, v);
  };
}
