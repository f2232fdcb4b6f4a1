import { describe, expect, it } from 'vitest';
import { dateTime, plural } from '../../src/lib/format';

describe('one way to write counts and times', () => {
  it('puts the noun in the number it takes', () => {
    expect(plural(1, 'deviation')).toBe('1 deviation');
    expect(plural(0, 'deviation')).toBe('0 deviations');
    expect(plural(1200, 'user')).toBe('1,200 users');
    expect(plural(2, 'note', 'notes')).toBe('2 notes');
    expect(plural(3, 'pass', 'pass')).toBe('3 pass');
  });

  it('writes every instant the same way, with its zone', () => {
    expect(dateTime('2026-11-20T09:00:00Z')).toBe('2026-11-20 09:00:00 UTC');
    expect(dateTime('2026-11-20T09:00:00.123Z')).toBe('2026-11-20 09:00:00 UTC');
    expect(dateTime('2026-11-20T09:00:00+02:00')).toBe('2026-11-20 09:00:00 UTC+02:00');
    expect(dateTime('yesterday')).toBe('yesterday');
  });
});
