import { describe, expect, it } from 'vitest';
import { errorSegments } from '../../src/lib/filter';

describe('errorSegments', () => {
  it('splits around the error span', () => {
    const text = 'userName equals "ana"';
    const segs = errorSegments(text, { valid: false, message: 'x', errorStart: 9, errorEnd: 15, canonical: null });
    expect(segs).toEqual({ before: 'userName ', error: 'equals', after: ' "ana"' });
  });

  it('marks a placeholder when the error is at the end', () => {
    const segs = errorSegments('userName eq', { valid: false, message: 'x', errorStart: 11, errorEnd: 11, canonical: null });
    expect(segs).toEqual({ before: 'userName eq', error: ' ', after: '' });
  });

  it('is null for a valid filter', () => {
    expect(errorSegments('a pr', { valid: true, message: null, errorStart: null, errorEnd: null, canonical: 'a pr' })).toBeNull();
  });
});
