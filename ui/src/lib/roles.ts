// Role-group classification rules as the UI keeps them: per connection in local storage, checked
// before they are sent (the Rust side checks again and explains a bad regular expression).
import type { RoleRule, RuleKind } from './bindings';

export function rulesKey(connection: string): string {
  return `scimx.roles.${connection}`;
}

const KINDS: RuleKind[] = ['prefix', 'regex', 'resourceType'];

function isRule(x: unknown): x is RoleRule {
  const r = x as RoleRule;
  return typeof r === 'object' && r !== null && typeof r.category === 'string' && typeof r.pattern === 'string' && KINDS.includes(r.kind);
}

export function loadRules(storage: Storage | undefined, key: string): RoleRule[] | null {
  try {
    const raw = storage?.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return Array.isArray(parsed) && parsed.every(isRule) ? parsed : null;
  } catch {
    return null;
  }
}

export function saveRules(storage: Storage | undefined, key: string, rules: RoleRule[] | null): void {
  try {
    if (rules === null) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(rules));
  } catch {
    // Storage unavailable: the rules last for this session.
  }
}

/** The first problem of a rule list, or null when it can be applied. */
export function ruleProblem(rules: RoleRule[]): string | null {
  for (const [i, r] of rules.entries()) {
    const n = i + 1;
    if (!r.category.trim()) return `Rule ${n} needs a category name (e.g. “Profiles”).`;
    if (!r.pattern.trim()) return `Rule ${n} (${r.category}) needs a ${r.kind === 'resourceType' ? 'resource type name' : 'pattern'}.`;
    if (r.kind === 'regex') {
      try {
        new RegExp(r.pattern, 'i');
      } catch (e) {
        return `Rule ${n} (${r.category}): ${(e as Error).message}`;
      }
    }
  }
  return null;
}

export const KIND_LABELS: Record<RuleKind, string> = {
  prefix: 'displayName starts with',
  regex: 'displayName matches regex',
  resourceType: 'every resource of type',
};
