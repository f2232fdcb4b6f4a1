// Which columns a table shows, in which order and how wide: chosen per connection and collection,
// remembered in local storage, falling back to the schema's defaults.
import type { Column } from './bindings';

export type ColumnPrefs = { ids: string[] };

const PREFIX = 'scimx.columns';

export function prefsKey(connection: string, kind: string): string {
  return `${PREFIX}.${connection}.${kind}`;
}

/** The columns to show: the saved ids that still exist (in the saved order), else the defaults. */
export function visibleColumns(all: Column[], saved: string[] | null): Column[] {
  if (saved && saved.length) {
    const byId = new Map(all.map((c) => [c.id, c]));
    const chosen = [...new Set(saved)].map((id) => byId.get(id)).filter((c): c is Column => c !== undefined);
    if (chosen.length) return chosen;
  }
  return all.filter((c) => c.defaultVisible);
}

export function loadPrefs(storage: Storage | undefined, key: string): string[] | null {
  try {
    const raw = storage?.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

export function savePrefs(storage: Storage | undefined, key: string, ids: string[] | null): void {
  try {
    if (ids === null) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(ids));
  } catch {
    // Storage full or disabled: the choice lasts for this session only.
  }
}

/** Pixel width by kind: booleans and counts are narrow, dates medium, text wide. */
export function columnWidth(c: Column): number {
  if (c.id === 'userName') return 220;
  if (c.id === 'displayName') return 200;
  switch (c.kind) {
    case 'boolean':
      return 96;
    case 'number':
      return 100;
    case 'dateTime':
      return 190;
    default:
      return c.id === 'emails' ? 220 : 160;
  }
}

/** Moves `id` one place up (-1) or down (+1) in `ids`. */
export function move(ids: string[], id: string, by: -1 | 1): string[] {
  const i = ids.indexOf(id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= ids.length) return ids;
  const next = [...ids];
  [next[i], next[j]] = [next[j] as string, next[i] as string];
  return next;
}

/** The chooser's group heading of a column. */
export function groupOf(c: Column): string {
  switch (c.source) {
    case 'enterprise':
      return 'Enterprise extension';
    case 'extension':
      return `Extension ${c.schema ?? ''}`.trim();
    case 'undeclared':
      return 'Undeclared (seen in the data, not in /Schemas)';
    case 'computed':
      return 'Computed';
    default:
      return 'Core';
  }
}
