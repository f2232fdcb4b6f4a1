import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/lib/jsonHighlight';
import { userSections } from '../../src/lib/userView';

describe('formatted user view', () => {
  it('groups the attributes people look for, tolerant of case and shape', () => {
    const sections = userSections({
      UserName: 'ana.diaz',
      name: { givenName: 'Ana', familyName: 'Díaz' },
      emails: [
        { value: 'ana@home.example', type: 'home' },
        { value: 'ana@work.example', type: 'work', primary: true },
      ],
      phoneNumbers: [{ value: '+34 600 000 000', type: 'mobile' }],
      addresses: [{ streetAddress: 'Calle 1', locality: 'Madrid', country: 'ES', type: 'work' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Finance', manager: { value: 'm1', displayName: 'Bea' } },
      active: false,
      meta: { created: '2024-01-01T00:00:00Z' },
    });
    const find = (title: string) => sections.find((s) => s.title === title)?.rows.map((r) => `${r.label}=${r.value}`);
    expect(find('Identity')).toEqual(['userName=ana.diaz', 'name=Ana Díaz']);
    expect(find('Contact')).toEqual([
      'emails=ana@home.example (home)',
      '=ana@work.example (work, primary)',
      'phones=+34 600 000 000 (mobile)',
      'addresses=Calle 1, Madrid, ES (work)',
    ]);
    expect(find('Enterprise')).toEqual(['department=Finance', 'manager=Bea']);
    expect(find('Status')).toEqual(['active=inactive']);
    expect(sections.map((s) => s.title)).not.toContain('Nothing');
  });
});

describe('JSON highlighting', () => {
  it('types every token and loses no character', () => {
    const json = JSON.stringify({ a: 'x "q"', b: [1, -2.5e3, true, null] }, null, 2);
    const tokens = tokenize(json);
    expect(tokens.map((t) => t.text).join('')).toBe(json);
    expect(tokens.filter((t) => t.kind === 'key').map((t) => t.text)).toEqual(['"a"', '"b"']);
    expect(tokens.filter((t) => t.kind === 'number').map((t) => t.text)).toEqual(['1', '-2500']);
    expect(tokenize('[1e-3]').map((t) => t.kind)).toEqual(['punct', 'number', 'punct']);
    expect(tokens.filter((t) => t.kind === 'literal').map((t) => t.text)).toEqual(['true', 'null']);
    expect(tokenize('{oops').map((t) => t.text).join('')).toBe('{oops');
  });
});
