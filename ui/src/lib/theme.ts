// Light/dark theme: follows the OS unless the user picked one, and remembers the choice.
export type ThemePreference = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'scimx.theme';
const ORDER: ThemePreference[] = ['system', 'light', 'dark'];

export function resolveTheme(preference: ThemePreference, osPrefersDark: boolean): Theme {
  if (preference === 'system') return osPrefersDark ? 'dark' : 'light';
  return preference;
}

/** The toggle cycles system → light → dark → system. */
export function nextPreference(current: ThemePreference): ThemePreference {
  const index = ORDER.indexOf(current);
  return ORDER[(index + 1) % ORDER.length] ?? 'system';
}

export function parsePreference(stored: string | null): ThemePreference {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export function loadPreference(storage: Pick<Storage, 'getItem'> = localStorage): ThemePreference {
  try {
    return parsePreference(storage.getItem(STORAGE_KEY));
  } catch {
    return 'system';
  }
}

export function savePreference(
  preference: ThemePreference,
  storage: Pick<Storage, 'setItem'> = localStorage,
): void {
  try {
    storage.setItem(STORAGE_KEY, preference);
  } catch {
    // Storage can be unavailable (private mode, quota): the choice then lasts for this session only.
  }
}
