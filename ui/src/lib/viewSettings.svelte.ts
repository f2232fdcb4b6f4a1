// The open directory's view settings (role rules, table columns, dismissed warnings). Rust keeps
// them with the connection, by its id; this module only holds the copy the screens read, saves
// changes through the backend, and moves what older versions left in local storage there, once.
import { api } from './api';
import type { RoleRule, ViewSettings } from './bindings';
import { loadPrefs, prefsKey } from './columns';
import { loadRules, rulesKey } from './roles';

export const view = $state<{ settings: ViewSettings; defaultRules: RoleRule[]; ready: boolean; error: string | null }>({
  settings: {},
  defaultRules: [],
  ready: false,
  error: null,
});

/** The rules to classify with: the connection's, else the defaults (from Rust, the one list). */
export function roleRules(): RoleRule[] {
  return view.settings.roleRules ?? view.defaultRules;
}

const isDefault = (s: ViewSettings) => !s.roleRules && !s.userColumns && !s.groupColumns && !s.dismissedWarnings;

/** What an earlier version kept in this webview's local storage, keyed by the display name. */
function legacyOf(storage: Storage, name: string): { settings: ViewSettings; keys: string[] } {
  const keys = [rulesKey(name), prefsKey(name, 'Users'), prefsKey(name, 'Groups'), `scimx.warnings.${name}`];
  const warnings = storage.getItem(keys[3] ?? '');
  const settings: ViewSettings = {
    roleRules: loadRules(storage, keys[0] ?? ''),
    userColumns: loadPrefs(storage, keys[1] ?? ''),
    groupColumns: loadPrefs(storage, keys[2] ?? ''),
    dismissedWarnings: warnings || null,
  };
  return { settings, keys: keys.filter((k) => storage.getItem(k) !== null) };
}

/** Reads the settings of the directory just opened (`name` is its display name, for the migration). */
export async function loadViewSettings(name: string): Promise<void> {
  view.ready = false;
  view.error = null;
  try {
    const [settings, defaults] = await Promise.all([api.viewSettings(), api.defaultRoleRules()]);
    view.defaultRules = defaults;
    view.settings = settings;
    const storage = typeof localStorage === 'undefined' ? undefined : localStorage;
    if (storage && isDefault(settings)) {
      const legacy = legacyOf(storage, name);
      if (legacy.keys.length) {
        await api.saveViewSettings(legacy.settings);
        view.settings = legacy.settings;
        for (const k of legacy.keys) storage.removeItem(k);
      }
    }
  } catch (caught) {
    view.error = caught instanceof Error ? caught.message : String(caught);
  } finally {
    view.ready = true;
  }
}

/** Changes some settings and saves them with the connection; the screens see the change at once. */
export async function updateViewSettings(change: Partial<ViewSettings>): Promise<void> {
  const next = { ...view.settings, ...change };
  view.settings = next;
  await api.saveViewSettings(next);
}
