import { describe, expect, it } from 'vitest';
import { describeError, IpcError, toAppError } from '../../src/lib/errors';
import type { AppError } from '../../src/lib/bindings';

describe('describeError', () => {
  it('shows the HTTP status and scimType a SCIM server sent', () => {
    const error: AppError = {
      kind: 'server',
      message: 'The server rejected the filter.',
      scim: { httpStatus: 400, scimType: 'invalidFilter', detail: 'Unknown attribute "usrName"' },
    };
    expect(describeError(error)).toEqual({
      title: 'The server returned an error',
      message: 'The server rejected the filter.',
      status: 'HTTP 400 · invalidFilter',
      detail: 'Unknown attribute "usrName"',
    });
  });

  it('has no status line when no server answered', () => {
    const described = describeError({ kind: 'network', message: 'Connection refused.', scim: null });
    expect(described.title).toBe('Could not reach the server');
    expect(described.status).toBeNull();
  });
});

describe('toAppError', () => {
  it('keeps the typed value carried by an IpcError', () => {
    const error: AppError = { kind: 'auth', message: 'The token was refused.', scim: null };
    expect(toAppError(new IpcError(error))).toBe(error);
  });

  it('treats a bare string from Tauri as an internal error', () => {
    expect(toAppError('command get_nope not found')).toEqual({
      kind: 'internal',
      message: 'command get_nope not found',
      scim: null,
    });
  });
});
