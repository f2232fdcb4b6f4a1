import { describe, expect, it } from 'vitest';
import { loadRules, ruleProblem, saveRules } from '../../src/lib/roles';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

describe('role rules', () => {
  it('round-trip through storage and reject malformed lists', () => {
    const s = new MemoryStorage() as unknown as Storage;
    const rules = [{ category: 'Profiles', kind: 'prefix' as const, pattern: 'Profile:' }];
    saveRules(s, 'k', rules);
    expect(loadRules(s, 'k')).toEqual(rules);
    s.setItem('k', JSON.stringify([{ category: 'X', kind: 'glob', pattern: '*' }]));
    expect(loadRules(s, 'k')).toBeNull();
  });

  it('explain the first problem', () => {
    expect(ruleProblem([{ category: 'A', kind: 'prefix', pattern: 'A:' }])).toBeNull();
    expect(ruleProblem([{ category: ' ', kind: 'prefix', pattern: 'A:' }])).toMatch(/category name/);
    expect(ruleProblem([{ category: 'Roles', kind: 'resourceType', pattern: '' }])).toMatch(/resource type name/);
    expect(ruleProblem([{ category: 'Bad', kind: 'regex', pattern: '(' }])).toMatch(/^Rule 1 \(Bad\)/);
  });
});
