// Syntax highlighting for the raw JSON view: the pretty-printed text split into typed tokens the
// template colours. A tokenizer, not a parser: whatever the text, it gives back every character.

export type Token = { kind: 'key' | 'string' | 'number' | 'literal' | 'punct' | 'space'; text: string };

const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\],:])|(\s+)|(.)/gy;

export function tokenize(json: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(json)) !== null) {
    if (m[1] !== undefined) {
      if (m[2] !== undefined) {
        out.push({ kind: 'key', text: m[1] }, { kind: 'punct', text: m[2] });
      } else {
        out.push({ kind: 'string', text: m[1] });
      }
    } else if (m[3] !== undefined) out.push({ kind: 'number', text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: 'literal', text: m[4] });
    else if (m[5] !== undefined) out.push({ kind: 'punct', text: m[5] });
    else if (m[6] !== undefined) out.push({ kind: 'space', text: m[6] });
    else out.push({ kind: 'punct', text: m[7] ?? '' });
  }
  return out;
}
