import { describe, expect, it } from 'vitest';
import { formProblems, type FormFields } from '../../src/lib/connectionForm';

const base: FormFields = {
  name: 'Prod',
  baseUrl: 'https://scim.example.com/v2',
  authChoice: 'bearer',
  secret: 'tok',
  basicUser: '',
  tokenUrl: '',
  clientId: '',
  headers: [],
  proxy: '',
  timeoutSecs: '',
  editing: false,
  storedHeaders: [],
};

describe('connection form validation', () => {
  it('accepts a complete bearer connection', () => {
    expect(formProblems(base)).toEqual({});
  });

  it('names what is missing for each authentication kind', () => {
    expect(formProblems({ ...base, secret: ' ' }).secret).toBe('Enter the token.');
    expect(formProblems({ ...base, authChoice: 'basic' }).basicUser).toBe('Enter the user name.');
    const oauth = formProblems({ ...base, authChoice: 'oAuth2', secret: '', tokenUrl: 'idp/token' });
    expect(oauth).toMatchObject({
      tokenUrl: 'The token endpoint starts with https://',
      clientId: 'Enter the client id.',
      secret: 'Enter the client secret.',
    });
    expect(formProblems({ ...base, authChoice: 'none', secret: '' })).toEqual({});
  });

  it('keeps stored secrets when editing but wants a value for a new header', () => {
    const edit = { ...base, editing: true, secret: '', storedHeaders: ['X-Tenant'] };
    expect(formProblems({ ...edit, headers: [{ name: 'x-tenant', value: '' }] })).toEqual({});
    expect(formProblems({ ...edit, headers: [{ name: 'X-New', value: '' }] }).headers).toBe(
      'Enter a value for the header X-New.',
    );
  });

  it('rejects bad header names, duplicates and Authorization', () => {
    const h = (name: string) => formProblems({ ...base, headers: [{ name, value: 'v' }] }).headers;
    expect(h('Bad Header')).toMatch(/not a valid header name/);
    expect(h('authorization')).toMatch(/authentication kind/);
    expect(
      formProblems({ ...base, headers: [{ name: 'X-A', value: '1' }, { name: 'x-a', value: '2' }] }).headers,
    ).toBe('The header x-a is listed twice.');
  });

  it('checks the URL, proxy and timeout formats', () => {
    expect(formProblems({ ...base, baseUrl: 'scim.example.com' }).baseUrl).toMatch(/https:\/\//);
    expect(formProblems({ ...base, proxy: 'proxy:3128' }).proxy).toMatch(/proxy.example/);
    expect(formProblems({ ...base, proxy: 'socks5://127.0.0.1:1080' }).proxy).toBeUndefined();
    expect(formProblems({ ...base, timeoutSecs: '0' }).timeoutSecs).toMatch(/whole number/);
    expect(formProblems({ ...base, timeoutSecs: '45' }).timeoutSecs).toBeUndefined();
  });

  it('bounds the requests at once and per second', () => {
    for (const bad of ['0', '65', '2.5', 'x']) expect(formProblems({ ...base, maxInFlight: bad }).maxInFlight).toMatch(/1 to 64/);
    for (const good of ['1', '8', '64']) expect(formProblems({ ...base, maxInFlight: good }).maxInFlight).toBeUndefined();
    expect(formProblems({ ...base, requestsPerSecond: '0' }).requestsPerSecond).toMatch(/per second/);
    expect(formProblems({ ...base, requestsPerSecond: '5' }).requestsPerSecond).toBeUndefined();
  });
});
