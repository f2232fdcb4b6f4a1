import { describe, expect, it } from 'vitest';
import { loadPreference, nextPreference, parsePreference, resolveTheme } from '../../src/lib/theme';

describe('theme', () => {
  it('follows the OS when the preference is system', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
  });

  it('an explicit choice wins over the OS', () => {
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('cycles system, light, dark', () => {
    expect(nextPreference('system')).toBe('light');
    expect(nextPreference('light')).toBe('dark');
    expect(nextPreference('dark')).toBe('system');
  });

  it('ignores junk in storage', () => {
    expect(parsePreference('purple')).toBe('system');
    expect(parsePreference(null)).toBe('system');
  });

  it('survives a storage that throws', () => {
    const broken = {
      getItem(): string | null {
        throw new Error('denied');
      },
    };
    expect(loadPreference(broken)).toBe('system');
  });
});
