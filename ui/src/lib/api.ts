// The one module the UI uses to reach the Rust backend. It is derived from the generated bindings, so
// a command added in Rust is here with its exact types and nothing is declared twice: components get
// plain values or a thrown IpcError, and tests swap the transport (mockIPC) in one place.
import { commands, type AppError, type LoadProgress, type ResourceKind } from './bindings';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { IpcError, toAppError } from './errors';

type Commands = typeof commands;
type CommandResult<T> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };
/** What a command gives once its `Result` is unwrapped (errors are thrown as IpcError). */
type Ok<V> = Extract<V, { status: 'ok'; data: unknown }>;
export type Unwrapped<R> = R extends Promise<infer V> ? ([Ok<V>] extends [never] ? V : Ok<V>['data']) : never;
/** The api: every generated command, by its generated name, returning its value or throwing. */
export type Api = { [K in keyof Commands]: (...args: Parameters<Commands[K]>) => Promise<Unwrapped<ReturnType<Commands[K]>>> };

/** The command names as Rust and the IPC transport spell them (`get_app_info`). */
type Snake<S extends string> = S extends `${infer C}${infer R}` ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<R>}` : S;
export type CommandName = Snake<keyof Commands & string>;

function isResult(v: unknown): v is CommandResult<unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return Object.keys(r).length === 2 && ((r.status === 'ok' && 'data' in r) || (r.status === 'error' && 'error' in r));
}

function wrap<K extends keyof Commands>(name: K): Api[K] {
  const call = commands[name] as (...args: unknown[]) => Promise<unknown>;
  return (async (...args: unknown[]) => {
    let result: unknown;
    try {
      result = await call(...args);
    } catch (caught) {
      throw new IpcError(toAppError(caught));
    }
    if (!isResult(result)) return result;
    if (result.status === 'error') throw new IpcError(result.error);
    return result.data;
  }) as Api[K];
}

export const api = {
  ...(Object.fromEntries((Object.keys(commands) as (keyof Commands)[]).map((name) => [name, wrap(name)])) as Api),
  /** Progress of running loads, pushed by Rust (an event, not a command); returns the function that stops listening. */
  onLoadProgress: (handler: (p: LoadProgress) => void): Promise<UnlistenFn> =>
    listen<LoadProgress>('load-progress', (event) => handler(event.payload)),
};

/** The two collections every screen browses and writes (the core's ResourceKind without custom types). */
export type Kind = Exclude<ResourceKind, { Custom: string }>;
