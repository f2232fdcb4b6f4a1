import { describe, expect, it } from 'vitest';
import { fromLocalInput, operatorsFor, toLocalInput, valueFor } from '../../src/lib/filterBuilder';

describe('filter builder rules', () => {
  it('offers only the operators valid for a type', () => {
    expect(operatorsFor('boolean')).toEqual(['eq', 'ne', 'pr']);
    expect(operatorsFor('dateTime')).not.toContain('co');
    expect(operatorsFor('string')).toContain('sw');
  });

  it('gives conditions a value of the right type, keeping what fits', () => {
    expect(valueFor('boolean', 'eq', null)).toEqual({ type: 'boolean', text: true });
    expect(valueFor('string', 'pr', { type: 'string', text: 'x' })).toBeNull();
    expect(valueFor('string', 'sw', { type: 'string', text: 'ana' })).toEqual({ type: 'string', text: 'ana' });
    expect(valueFor('integer', 'gt', { type: 'string', text: 'ana' })).toEqual({ type: 'number', text: '' });
  });

  it('converts date-times between the picker and ISO UTC', () => {
    const iso = fromLocalInput('2024-03-05T10:30');
    expect(iso).toMatch(/^2024-03-0[45]T\d\d:30:00Z$/);
    expect(toLocalInput(iso)).toBe('2024-03-05T10:30');
    expect(toLocalInput('not a date')).toBe('');
  });
});
