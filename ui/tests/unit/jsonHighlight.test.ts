import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/lib/jsonHighlight';

describe('JSON highlighting', () => {
  it('types every token and loses no character', () => {
    const json = JSON.stringify({ a: 'x "q"', b: [1, -2.5e3, true, null] }, null, 2);
    const tokens = tokenize(json);
    expect(tokens.map((t) => t.text).join('')).toBe(json);
    expect(tokens.filter((t) => t.kind === 'key').map((t) => t.text)).toEqual(['"a"', '"b"']);
    expect(tokens.filter((t) => t.kind === 'number').map((t) => t.text)).toEqual(['1', '-2500']);
    expect(tokenize('[1e-3]').map((t) => t.kind)).toEqual(['punct', 'number', 'punct']);
    expect(tokens.filter((t) => t.kind === 'literal').map((t) => t.text)).toEqual(['true', 'null']);
    expect(tokenize('{oops').map((t) => t.text).join('')).toBe('{oops');
  });
});
