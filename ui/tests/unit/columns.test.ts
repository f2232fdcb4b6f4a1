import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/lib/bindings';
import { columnWidth, groupOf, loadPrefs, move, savePrefs, visibleColumns } from '../../src/lib/columns';
import { progressLine, duration } from '../../src/lib/format';

const col = (id: string, over: Partial<Column> = {}): Column => ({
  id,
  label: id,
  source: 'core',
  kind: 'text',
  defaultVisible: false,
  schema: null,
  ...over,
});

const all = [col('userName', { defaultVisible: true }), col('title'), col('active', { kind: 'boolean', defaultVisible: true })];

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

describe('column choice', () => {
  it('falls back to the defaults and keeps the saved order of existing columns', () => {
    expect(visibleColumns(all, null).map((c) => c.id)).toEqual(['userName', 'active']);
    expect(visibleColumns(all, ['title', 'gone', 'userName']).map((c) => c.id)).toEqual(['title', 'userName']);
    expect(visibleColumns(all, ['gone']).map((c) => c.id)).toEqual(['userName', 'active']);
    expect(visibleColumns(all, ['title', 'title']).map((c) => c.id)).toEqual(['title']);
  });

  it('round-trips through storage and ignores garbage', () => {
    const s = new MemoryStorage() as unknown as Storage;
    savePrefs(s, 'k', ['a', 'b']);
    expect(loadPrefs(s, 'k')).toEqual(['a', 'b']);
    s.setItem('k', '{not json');
    expect(loadPrefs(s, 'k')).toBeNull();
    s.setItem('k', '[1,2]');
    expect(loadPrefs(s, 'k')).toBeNull();
    savePrefs(s, 'k', null);
    expect(loadPrefs(s, 'k')).toBeNull();
  });

  it('moves columns within bounds', () => {
    expect(move(['a', 'b', 'c'], 'b', -1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b', 'c'], 'c', 1)).toEqual(['a', 'b', 'c']);
  });

  it('sizes by kind and groups by source', () => {
    expect(columnWidth(col('active', { kind: 'boolean' }))).toBeLessThan(columnWidth(col('title')));
    expect(groupOf(col('secodaRole', { source: 'undeclared' }))).toMatch(/Undeclared/);
  });
});

describe('progress text', () => {
  it('says count, rate and time left', () => {
    expect(progressLine(12400, 100000, 8300.4, 10.5)).toBe('12,400 / 100,000 · 8,300/s · about 11 s left');
    expect(progressLine(500, null, 0, null)).toBe('500 so far');
    expect(duration(950)).toBe('950 ms');
    expect(duration(125000)).toBe('2 min 5 s');
  });
});
