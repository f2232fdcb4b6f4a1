// The PATCH builder's model: a list of operation rows that converts to and from the PatchOp JSON the
// raw tab edits (both views stay in sync), plus the quick actions that prefill it. Pure, unit-tested.
import type { PatchAttribute } from './bindings';

export type OpName = 'add' | 'replace' | 'remove';

/** One row of the visual builder. `path` is the attribute path; `where` an optional value filter. */
export interface OpRow {
  key: number;
  op: OpName;
  /** The attribute (`emails`, `name.givenName`, `urn:…:User:department`), empty for a pathless op. */
  attr: string;
  /** A value filter for multi-valued attributes: `type eq "work"` in `emails[type eq "work"]`. */
  where: string;
  /** A sub-attribute after the filter: `value` in `emails[type eq "work"].value`. */
  sub: string;
  /** The value as JSON-compatible data; `undefined` for remove. */
  value: unknown;
}

export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let nextKey = 1;
export function newRow(partial: Partial<OpRow> = {}): OpRow {
  const { key, ...rest } = partial;
  return { op: 'replace', attr: '', where: '', sub: '', value: '', ...rest, key: key ?? nextKey++ };
}

/** The PATCH path of a row: `attr[where].sub`. */
export function rowPath(row: OpRow): string {
  if (!row.attr) return '';
  let path = row.attr;
  if (row.where.trim()) path += `[${row.where.trim()}]`;
  if (row.sub.trim()) path += `.${row.sub.trim()}`;
  return path;
}

/** Splits a PATCH path into the row's parts; `null` when it does not read as one. */
export function splitPath(path: string): { attr: string; where: string; sub: string } | null {
  const m = /^([^[\]]+?)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/.exec(path.trim());
  if (!m) return null;
  const attr = m[1] ?? '';
  const where = m[2] ?? '';
  const sub = m[3] ?? '';
  if (!where && sub && !attr.startsWith('urn:')) {
    // `name.givenName` is one attribute path, not attr + sub after a filter.
    return { attr: `${attr}.${sub}`, where: '', sub: '' };
  }
  if (!where && sub && attr.startsWith('urn:')) return { attr: `${attr}.${sub}`, where: '', sub: '' };
  return { attr, where, sub };
}

/** The PatchOp body for the rows, as pretty JSON text. */
export function toBody(rows: OpRow[]): string {
  const Operations = rows.map((r) => {
    const op: Record<string, unknown> = { op: r.op };
    const path = rowPath(r);
    if (path) op.path = path;
    if (r.op !== 'remove') op.value = r.value === undefined ? null : r.value;
    // A remove carries a value only in Entra's form (members to remove listed as a value).
    else if (r.value !== undefined && r.value !== '' && r.value !== null) op.value = r.value;
    return op;
  });
  return JSON.stringify({ schemas: [PATCH_SCHEMA], Operations }, null, 2);
}

export type BodyParse = { rows: OpRow[] } | { error: string; operation: number | null };

/** Reads the raw tab's text back into rows; says where it is wrong when it cannot. */
export function fromBody(text: string): BodyParse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { error: `Not valid JSON: ${(e as Error).message}`, operation: null };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: 'A PATCH body is a JSON object with an "Operations" array.', operation: null };
  }
  const body = parsed as Record<string, unknown>;
  const opsKey = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const ops = opsKey ? body[opsKey] : undefined;
  if (!Array.isArray(ops)) return { error: 'The body has no "Operations" array.', operation: null };
  const rows: OpRow[] = [];
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i] as Record<string, unknown>;
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      return { error: `Operation ${i + 1} is not a JSON object.`, operation: i };
    }
    const opText = String(o.op ?? o.Op ?? '').toLowerCase();
    if (opText !== 'add' && opText !== 'replace' && opText !== 'remove') {
      return { error: `Operation ${i + 1}: "op" must be add, replace or remove.`, operation: i };
    }
    const path = typeof o.path === 'string' ? o.path : '';
    // A path that does not split is kept whole: the dry run says what is wrong with it, on its row.
    const parts = (path ? splitPath(path) : null) ?? { attr: path, where: '', sub: '' };
    rows.push(newRow({ op: opText, ...parts, value: o.value }));
  }
  return { rows };
}

/** The attribute a row targets, from the picker's list (sub-attributes included). */
export function findAttribute(attrs: PatchAttribute[], path: string): PatchAttribute | undefined {
  const lower = path.toLowerCase();
  for (const a of attrs) {
    if (a.path.toLowerCase() === lower) return a;
    for (const s of a.subAttributes) if (s.path.toLowerCase() === lower) return s;
  }
  return undefined;
}

/** What the value editor should look like for a row. */
export type EditorKind = 'none' | 'boolean' | 'text' | 'number' | 'dateTime' | 'complex' | 'list' | 'members' | 'json';

export function editorFor(row: OpRow, attrs: PatchAttribute[]): EditorKind {
  if (row.op === 'remove') return 'none';
  if (!row.attr) return 'json';
  const attr = findAttribute(attrs, row.attr);
  if (!attr) return 'json';
  // A filter or sub-attribute narrows a multi-valued complex attribute to one simple value.
  const target = row.sub ? attr.subAttributes.find((s) => s.name.toLowerCase() === row.sub.toLowerCase()) : undefined;
  if (row.sub && target) return simple(target.attrType);
  if (row.where) return attr.attrType === 'complex' ? 'complex' : simple(attr.attrType);
  if (attr.path.toLowerCase() === 'members') return 'members';
  if (attr.multiValued) return 'list';
  if (attr.attrType === 'complex') return 'complex';
  return simple(attr.attrType);
}

function simple(t: string): EditorKind {
  if (t === 'boolean') return 'boolean';
  if (t === 'integer' || t === 'decimal') return 'number';
  if (t === 'dateTime') return 'dateTime';
  if (t === 'complex') return 'complex';
  return 'text';
}

/** A fresh value of the right shape when a row's attribute changes. */
export function defaultValue(kind: EditorKind): unknown {
  switch (kind) {
    case 'boolean':
      return false;
    case 'number':
      return 0;
    case 'complex':
      return {};
    case 'list':
    case 'members':
      return [];
    case 'none':
      return undefined;
    default:
      return '';
  }
}

/** Quick actions: each builds rows for review in the builder, never a request sent directly. */
export const quick = {
  setActive: (active: boolean): OpRow[] => [newRow({ op: 'replace', attr: 'active', value: active })],
  addMembers: (ids: string[]): OpRow[] => [newRow({ op: 'add', attr: 'members', value: ids.map((value) => ({ value })) })],
  /** The RFC form (a value filter), or — for a server whose check found it refuses that — the
   *  value-list form Entra and authentik send. */
  removeMember: (id: string, byValueList = false): OpRow[] =>
    byValueList
      ? [newRow({ op: 'remove', attr: 'members', value: [{ value: id }] })]
      : [newRow({ op: 'remove', attr: 'members', where: `value eq ${JSON.stringify(id)}`, value: undefined })],
  rename: (displayName: string): OpRow[] => [newRow({ op: 'replace', attr: 'displayName', value: displayName })],
  setAttribute: (attr: string, value: unknown): OpRow[] => [newRow({ op: 'replace', attr, value })],
  reset: (attr: string): OpRow[] => [newRow({ op: 'remove', attr, value: undefined })],
};

/** `2026-11-23T10:15` (a datetime-local input) ↔ an RFC 3339 UTC timestamp. */
export function toIso(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString().replace('.000Z', 'Z');
}
export function toLocalInput(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
