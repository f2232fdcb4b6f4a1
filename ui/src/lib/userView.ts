// The formatted view of a user: the RFC 7643 attributes people look for, grouped into sections
// (identity, contact, enterprise, status, meta) and read tolerantly from the JSON as the server sent
// it — attribute names case-insensitive, multi-valued lists with type and primary shown.

export type Row = { label: string; value: string; mono?: boolean };
export type Section = { title: string; rows: Row[] };

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';

function get(o: Record<string, unknown> | undefined, name: string): unknown {
  if (!o) return undefined;
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : o[key];
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** "work@example.com (work, primary)" for each value of a multi-valued attribute. */
function multi(v: unknown, valueOf: (item: Record<string, unknown>) => string = (i) => text(get(i, 'value'))): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .map((item) => {
      const o = obj(item);
      if (!o) return text(item);
      const tags = [text(get(o, 'type')), get(o, 'primary') === true ? 'primary' : ''].filter(Boolean);
      const value = valueOf(o);
      return value ? `${value}${tags.length ? ` (${tags.join(', ')})` : ''}` : '';
    })
    .filter(Boolean);
}

function address(a: Record<string, unknown>): string {
  const formatted = text(get(a, 'formatted'));
  if (formatted) return formatted.replace(/\n/g, ', ');
  return ['streetAddress', 'locality', 'region', 'postalCode', 'country']
    .map((k) => text(get(a, k)))
    .filter(Boolean)
    .join(', ');
}

export function userSections(r: Record<string, unknown>): Section[] {
  const name = obj(get(r, 'name'));
  const ent = obj(get(r, ENTERPRISE));
  const manager = obj(get(ent, 'manager'));
  const meta = obj(get(r, 'meta'));
  const row = (label: string, v: unknown, mono = false): Row[] => (text(v) ? [{ label, value: text(v), mono }] : []);
  const list = (label: string, values: string[]): Row[] => values.map((value, i) => ({ label: i === 0 ? label : '', value }));
  const fullName =
    text(get(name, 'formatted')) ||
    [get(name, 'honorificPrefix'), get(name, 'givenName'), get(name, 'middleName'), get(name, 'familyName'), get(name, 'honorificSuffix')]
      .map(text)
      .filter(Boolean)
      .join(' ');
  const sections: Section[] = [
    {
      title: 'Identity',
      rows: [
        ...row('userName', get(r, 'userName'), true),
        ...row('name', fullName),
        ...row('displayName', get(r, 'displayName')),
        ...row('nickName', get(r, 'nickName')),
        ...row('title', get(r, 'title')),
        ...row('userType', get(r, 'userType')),
        ...row('language', get(r, 'preferredLanguage')),
        ...row('locale', get(r, 'locale')),
        ...row('timezone', get(r, 'timezone')),
      ],
    },
    {
      title: 'Contact',
      rows: [
        ...list('emails', multi(get(r, 'emails'))),
        ...list('phones', multi(get(r, 'phoneNumbers'))),
        ...list('addresses', multi(get(r, 'addresses'), address)),
        ...list('ims', multi(get(r, 'ims'))),
      ],
    },
    {
      title: 'Enterprise',
      rows: [
        ...row('employeeNumber', get(ent, 'employeeNumber'), true),
        ...row('department', get(ent, 'department')),
        ...row('division', get(ent, 'division')),
        ...row('organization', get(ent, 'organization')),
        ...row('costCenter', get(ent, 'costCenter')),
        ...row('manager', text(get(manager, 'displayName')) || text(get(manager, 'value'))),
      ],
    },
    {
      title: 'Status',
      rows: [
        ...(get(r, 'active') === undefined ? [] : [{ label: 'active', value: get(r, 'active') === false ? 'inactive' : 'active' }]),
        ...list('entitlements', multi(get(r, 'entitlements'))),
        ...list('roles', multi(get(r, 'roles'))),
      ],
    },
    {
      title: 'Identifiers and meta',
      rows: [
        ...row('id', get(r, 'id'), true),
        ...row('externalId', get(r, 'externalId'), true),
        ...row('created', get(meta, 'created')),
        ...row('lastModified', get(meta, 'lastModified')),
        ...row('version', get(meta, 'version'), true),
        ...row('location', get(meta, 'location'), true),
      ],
    },
  ];
  return sections.filter((s) => s.rows.length > 0);
}
