// Presentation mode: for demos and screen sharing, names, emails, phone numbers and anything that
// looks like a token are masked wherever the UI shows them. One switch, visible in the top bar.

export const presentation = $state({ on: false });

const SENSITIVE_KEYS = new Set([
  'username',
  'displayname',
  'nickname',
  'name',
  'formatted',
  'familyname',
  'givenname',
  'middlename',
  'emails',
  'phonenumbers',
  'addresses',
  'ims',
  'externalid',
  'employeenumber',
  'manager',
  'display',
  'streetaddress',
  'value',
]);

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-])[A-Za-z0-9.-]*\.([A-Za-z]{2,})/g;
// Long runs of token alphabet (JWTs, API keys), not plain words or ids like "u42".
const TOKEN = /\b(?=[A-Za-z0-9._~+/=-]*\d)(?=[A-Za-z0-9._~+/=-]*[A-Za-z])[A-Za-z0-9._~+/=-]{24,}\b/g;

function maskWords(s: string): string {
  // A fixed-width mask: the length of a name says too much about it.
  return s.replace(/([\p{L}\p{N}])[\p{L}\p{N}'’-]*/gu, (_m, first: string) => `${first}•••`);
}

/** Emails and token-looking runs in any text. */
export function maskText(s: string): string {
  return s.replace(EMAIL, (_m, a: string, d: string, tld: string) => `${a}•••@${d}•••.${tld}`).replace(TOKEN, '••••••••');
}

/** True when a column (attribute path) holds personal data. */
export function isSensitive(columnId: string): boolean {
  const path = columnId.split(':').pop() ?? columnId;
  return path
    .split('.')
    .some((part) => SENSITIVE_KEYS.has(part.toLowerCase()) && part.toLowerCase() !== 'value' && part.toLowerCase() !== 'display');
}

/** A table cell: personal columns masked word by word, every cell scrubbed of emails and tokens. */
export function mask(columnId: string, value: string): string {
  const scrubbed = maskText(value);
  return isSensitive(columnId) && scrubbed === value ? maskWords(value) : scrubbed;
}

/** A JSON document with the values of personal attributes masked (for the raw JSON view). */
export function maskJson(json: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return maskText(json);
  }
  const walk = (v: unknown, sensitive: boolean): unknown => {
    if (typeof v === 'string') {
      const scrubbed = maskText(v);
      return sensitive && scrubbed === v ? maskWords(v) : scrubbed;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, sensitive));
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => {
          const key = k.split(':').pop()?.toLowerCase() ?? k;
          const inner = key === 'value' || key === 'display' ? sensitive : SENSITIVE_KEYS.has(key);
          return [k, walk(x, inner || (sensitive && key !== 'type' && key !== 'primary'))];
        }),
      );
    }
    return v;
  };
  return JSON.stringify(walk(parsed, false), null, 2);
}
