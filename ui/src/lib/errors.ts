// Turns the typed AppError that crosses IPC into words and an action a person can use.
import type { AppError, ErrorKind } from './bindings';

/** An AppError thrown through the UI's async code, so `catch` keeps the typed value. */
export class IpcError extends Error {
  readonly error: AppError;
  constructor(error: AppError) {
    super(error.message);
    this.name = 'IpcError';
    this.error = error;
  }
}

const TITLES: Record<ErrorKind, string> = {
  invalidInput: 'Check the input',
  network: 'Could not reach the server',
  server: 'The server returned an error',
  auth: 'Not authorised',
  keychain: 'Keychain unavailable',
  storage: 'Could not read or write a file',
  cancelled: 'Cancelled',
  internal: 'Something went wrong in SCIM Explorer',
};

export interface DescribedError {
  title: string;
  message: string;
  /** "HTTP 400 · invalidFilter" when a SCIM server answered. */
  status: string | null;
  detail: string | null;
}

export function describeError(error: AppError): DescribedError {
  const scim = error.scim;
  const parts: string[] = [];
  if (scim?.httpStatus != null) parts.push(`HTTP ${scim.httpStatus}`);
  if (scim?.scimType) parts.push(scim.scimType);
  return {
    title: TITLES[error.kind] ?? TITLES.internal,
    message: error.message,
    status: parts.length ? parts.join(' · ') : null,
    detail: scim?.detail ?? null,
  };
}

/**
 * Anything caught in UI code becomes an AppError. Tauri itself rejects with a bare string for
 * framework-level failures (unknown command, ACL denial): those are our bugs, so they are `internal`.
 */
export function toAppError(caught: unknown): AppError {
  if (caught instanceof IpcError) return caught.error;
  if (isAppError(caught)) return caught;
  const message =
    caught instanceof Error ? caught.message : typeof caught === 'string' ? caught : 'Unknown error';
  return { kind: 'internal', message, scim: null };
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AppError).kind === 'string' &&
    typeof (value as AppError).message === 'string'
  );
}
