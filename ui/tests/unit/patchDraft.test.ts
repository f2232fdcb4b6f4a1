import { describe, expect, it } from 'vitest';
import type { PatchAttribute } from '../../src/lib/bindings';
import { editorFor, fromBody, newRow, quick, rowPath, splitPath, toBody, toIso } from '../../src/lib/patchDraft';

const attr = (path: string, over: Partial<PatchAttribute> = {}): PatchAttribute => ({
  path,
  name: path.split(/[.:]/).pop() ?? path,
  attrType: 'string',
  multiValued: false,
  required: false,
  mutability: 'readWrite',
  canonicalValues: [],
  source: 'core',
  description: null,
  subAttributes: [],
  ...over,
});

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const attrs: PatchAttribute[] = [
  attr('active', { attrType: 'boolean' }),
  attr('name', { attrType: 'complex', subAttributes: [attr('name.givenName')] }),
  attr('emails', {
    attrType: 'complex',
    multiValued: true,
    subAttributes: [attr('emails.value'), attr('emails.type', { canonicalValues: ['work', 'home'] })],
  }),
  attr('members', { attrType: 'complex', multiValued: true }),
  attr(`${ENT}:department`, { source: 'enterprise' }),
  attr('meta', { attrType: 'complex', mutability: 'readOnly' }),
];

describe('patch builder model', () => {
  it('rows and the raw JSON round-trip, value filters included', () => {
    const rows = [
      newRow({ op: 'replace', attr: 'active', value: false }),
      newRow({ op: 'replace', attr: 'emails', where: 'type eq "work"', sub: 'value', value: 'a@b.c' }),
      newRow({ op: 'remove', attr: `${ENT}:department`, value: undefined }),
      newRow({ op: 'replace', attr: 'name.givenName', value: 'Zoë' }),
    ];
    const body = toBody(rows);
    const parsed = JSON.parse(body);
    expect(parsed.Operations[1].path).toBe('emails[type eq "work"].value');
    expect(parsed.Operations[2]).toEqual({ op: 'remove', path: `${ENT}:department` });
    const back = fromBody(body);
    if (!('rows' in back)) throw new Error(back.error);
    expect(back.rows.map(rowPath)).toEqual(rows.map(rowPath));
    expect(toBody(back.rows)).toBe(body);
  });

  it('says which operation of the raw JSON is wrong', () => {
    const bad = fromBody('{"Operations": [{"op": "replace", "path": "active", "value": true}, {"op": "frobnicate"}]}');
    expect(bad).toEqual({ error: expect.stringContaining('Operation 2'), operation: 1 });
    expect(fromBody('{"Operations": [')).toMatchObject({ operation: null });
    expect(fromBody('[]')).toMatchObject({ error: expect.stringContaining('Operations') });
  });

  it('splits paths the way a person picks them', () => {
    expect(splitPath('name.givenName')).toEqual({ attr: 'name.givenName', where: '', sub: '' });
    expect(splitPath('members[value eq "42"]')).toEqual({ attr: 'members', where: 'value eq "42"', sub: '' });
    expect(splitPath(`${ENT}:manager.value`)).toEqual({ attr: `${ENT}:manager.value`, where: '', sub: '' });
  });

  it('picks a value editor from the schema', () => {
    const kind = (o: Partial<ReturnType<typeof newRow>>) => editorFor(newRow(o), attrs);
    expect(kind({ attr: 'active' })).toBe('boolean');
    expect(kind({ attr: 'emails' })).toBe('list');
    expect(kind({ attr: 'emails', where: 'type eq "work"', sub: 'value' })).toBe('text');
    expect(kind({ attr: 'name' })).toBe('complex');
    expect(kind({ attr: 'members' })).toBe('members');
    expect(kind({ attr: 'members', op: 'remove' })).toBe('none');
    expect(kind({ attr: 'secodaRole' })).toBe('json');
  });

  it('quick actions build rows for review', () => {
    expect(JSON.parse(toBody(quick.removeMember('u-1'))).Operations).toEqual([{ op: 'remove', path: 'members[value eq "u-1"]' }]);
    expect(JSON.parse(toBody(quick.removeMember('u-1', true))).Operations).toEqual([{ op: 'remove', path: 'members', value: [{ value: 'u-1' }] }]);
    expect(JSON.parse(toBody(quick.addMembers(['a', 'b']))).Operations[0].value).toEqual([{ value: 'a' }, { value: 'b' }]);
    expect(JSON.parse(toBody(quick.setActive(false))).Operations[0]).toEqual({ op: 'replace', path: 'active', value: false });
  });

  it('converts a picked local time to UTC', () => {
    expect(toIso('')).toBe('');
    expect(toIso('2026-01-02T03:04')).toMatch(/^2026-01-0\dT\d\d:04:00Z$/);
  });
});
