// The one module the UI uses to reach the Rust backend: wraps the generated bindings so components get
// plain values or a thrown IpcError, and so tests can swap the transport (mockIPC) in one place.
import {
  commands,
  type AppError,
  type AppInfo,
  type Connection,
  type DirectorySummary,
  type ConnectionInput,
  type ResourceDetail,
  type TestReport,
  type FilterCheck,
  type GroupRow,
  type RowsPage,
  type RowsQuery,
  type UserRow,
} from './bindings';
import { IpcError, toAppError } from './errors';

type CommandResult<T> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };

async function unwrap<T>(pending: Promise<CommandResult<T>>): Promise<T> {
  let result: CommandResult<T>;
  try {
    result = await pending;
  } catch (caught) {
    throw new IpcError(toAppError(caught));
  }
  if (result.status === 'error') throw new IpcError(result.error);
  return result.data;
}

export const api = {
  appInfo: (): Promise<AppInfo> => unwrap(commands.getAppInfo()),
  openDemoDirectory: (): Promise<DirectorySummary> => unwrap(commands.openDemoDirectory()),
  listUsers: (query: RowsQuery): Promise<RowsPage<UserRow>> => unwrap(commands.listUsers(query)),
  listGroups: (query: RowsQuery): Promise<RowsPage<GroupRow>> => unwrap(commands.listGroups(query)),
  listConnections: (): Promise<Connection[]> => unwrap(commands.listConnections()),
  saveConnection: (input: ConnectionInput): Promise<Connection> => unwrap(commands.saveConnection(input)),
  exportConnections: (path: string): Promise<string> => unwrap(commands.exportConnections(path)),
  defaultExportPath: (): Promise<string> => commands.defaultExportPath(),
  importConnections: (text: string): Promise<string[]> => unwrap(commands.importConnections(text)),
  testConnection: (name: string): Promise<TestReport> => unwrap(commands.testConnection(name)),
  replaceToken: (name: string, token: string): Promise<TestReport> =>
    unwrap(commands.replaceToken(name, token)),
  removeConnection: (name: string): Promise<null> => unwrap(commands.removeConnection(name)),
  openConnection: (name: string): Promise<DirectorySummary> => unwrap(commands.openConnection(name)),
  getResource: (kind: 'Users' | 'Groups', id: string): Promise<ResourceDetail> =>
    unwrap(commands.getResource(kind, id)),
  checkFilter: async (text: string): Promise<FilterCheck> => {
    try {
      return await commands.checkFilter(text);
    } catch (caught) {
      throw new IpcError(toAppError(caught));
    }
  },
};
