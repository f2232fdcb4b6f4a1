// The visual filter builder's rules: which operators an attribute type allows (RFC 7644 §3.4.2.2:
// no ordering on booleans or binary, substrings only on strings), the value a new condition starts
// with, and helpers to build nodes.
import type { FilterAttribute, FilterNode, ValueInput } from './bindings';

export const OPERATOR_LABELS: Record<string, string> = {
  eq: 'equals',
  ne: 'not equal',
  co: 'contains',
  sw: 'starts with',
  ew: 'ends with',
  gt: 'greater than',
  ge: 'at least',
  lt: 'less than',
  le: 'at most',
  pr: 'is present',
};

/** Operators valid for an attribute type. */
export function operatorsFor(type: string | undefined): string[] {
  switch (type) {
    case 'boolean':
      return ['eq', 'ne', 'pr'];
    case 'binary':
      return ['eq', 'ne', 'pr'];
    case 'integer':
    case 'decimal':
    case 'dateTime':
      return ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'pr'];
    default:
      return ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];
  }
}

/** The value a condition gets when its attribute or operator changes, keeping what still fits. */
export function valueFor(type: string | undefined, op: string, previous: ValueInput | null): ValueInput | null {
  if (op === 'pr') return null;
  switch (type) {
    case 'boolean':
      return previous?.type === 'boolean' ? previous : { type: 'boolean', text: true };
    case 'integer':
    case 'decimal':
      return previous?.type === 'number' ? previous : { type: 'number', text: '' };
    default:
      return previous?.type === 'string' ? previous : { type: 'string', text: '' };
  }
}

export function newCondition(attrs: FilterAttribute[]): FilterNode {
  const first = attrs[0];
  const path = first?.path ?? 'userName';
  return { kind: 'condition', path, op: 'eq', value: valueFor(first?.attrType, 'eq', null) };
}

export function newGroup(): FilterNode {
  return { kind: 'group', join: 'and', negate: false, children: [] };
}

/** An ISO date-time (what SCIM servers compare) from a `datetime-local` input, in UTC. */
export function fromLocalInput(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString().replace('.000Z', 'Z');
}

/** The `datetime-local` form of an ISO date-time (local time), or '' when it is not one. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
