import { describe, expect, it } from 'vitest';
import { isSensitive, mask, maskJson, maskText } from '../../src/lib/presentation.svelte';

describe('presentation mode masking', () => {
  it('masks emails and token-looking text anywhere', () => {
    expect(maskText('write to ana.diaz@example.com today')).toBe('write to a•••@e•••.com today');
    expect(maskText('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc123')).toBe('Bearer ••••••••');
    expect(maskText('Profile: Data Entry')).toBe('Profile: Data Entry');
  });

  it('masks personal columns word by word and leaves others', () => {
    expect(isSensitive('userName')).toBe(true);
    expect(isSensitive('name.givenName')).toBe(true);
    expect(isSensitive('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber')).toBe(true);
    expect(isSensitive('title')).toBe(false);
    expect(mask('displayName', 'Ana Díaz')).toBe('A••• D•••');
    expect(mask('title', 'Field engineer')).toBe('Field engineer');
    expect(mask('emails', 'ana@example.com')).toBe('a•••@e•••.com');
  });

  it('masks personal values in JSON but keeps structure, types and group names', () => {
    const json = JSON.stringify({
      userName: 'ana.diaz',
      name: { givenName: 'Ana' },
      emails: [{ value: 'ana@example.com', type: 'work', primary: true }],
      groups: [{ value: 'g1', display: 'Profile: Admin' }],
      active: true,
    });
    const out = JSON.parse(maskJson(json));
    expect(out.userName).toBe('a•••.d•••');
    expect(out.name.givenName).toBe('A•••');
    expect(out.emails[0]).toEqual({ value: 'a•••@e•••.com', type: 'work', primary: true });
    expect(out.groups[0].display).toBe('Profile: Admin');
    expect(out.active).toBe(true);
  });
});
