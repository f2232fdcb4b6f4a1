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
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  ImportOutcome,
  FilterAttribute,
  FilterNode,
  TreeResult,
  LoadProgress,
  LoadSummary,
  LogEntry,
  MatrixQuery,
  MatrixWindow,
  MembersQuery,
  MembersWindow,
  Projection,
  RoleGroups,
  HeldRole,
  RoleRule,
  RowsWindow,
  WindowQuery,
  ChangeRow,
  CreateOutcome,
  PatchAttribute,
  PatchDraft,
  UndoPreview,
  WriteOutcome,
  WritePreview,
  BatchOutcome,
  CompareSummary,
  DiffQuery,
  DiffWindow,
  LineDetail,
  MatchBy,
  ReportInfo,
  ReportQuery,
  ReportRows,
  ReportView,
  SideSpec,
  SnapshotListing,
  CheckReport,
  RunState,
  ScenarioInfo,
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

export type Kind = 'Users' | 'Groups';

export const api = {
  appInfo: (): Promise<AppInfo> => unwrap(commands.getAppInfo()),
  openDemoDirectory: (): Promise<DirectorySummary> => unwrap(commands.openDemoDirectory()),
  listUsers: (query: RowsQuery): Promise<RowsPage<UserRow>> => unwrap(commands.listUsers(query)),
  listGroups: (query: RowsQuery): Promise<RowsPage<GroupRow>> => unwrap(commands.listGroups(query)),
  listConnections: (): Promise<Connection[]> => unwrap(commands.listConnections()),
  saveConnection: (input: ConnectionInput): Promise<Connection> => unwrap(commands.saveConnection(input)),
  exportConnections: (path: string): Promise<string> => unwrap(commands.exportConnections(path)),
  defaultExportPath: (): Promise<string> => commands.defaultExportPath(),
  importConnections: (text: string, confirmed = false): Promise<ImportOutcome> =>
    unwrap(commands.importConnections(text, confirmed)),
  testConnection: (name: string): Promise<TestReport> => unwrap(commands.testConnection(name)),
  replaceToken: (name: string, token: string): Promise<TestReport> =>
    unwrap(commands.replaceToken(name, token)),
  removeConnection: (name: string): Promise<null> => unwrap(commands.removeConnection(name)),
  openConnection: (name: string): Promise<DirectorySummary> => unwrap(commands.openConnection(name)),
  /** `kind`: Users, Groups, or a custom resource type's endpoint (Roles). */
  getResource: (kind: string, id: string): Promise<ResourceDetail> =>
    unwrap(commands.getResource(kind, id)),
  loadResources: (kind: Kind, filter: string | null, projection: Projection | null = null): Promise<LoadSummary> =>
    unwrap(commands.loadResources(kind, filter, projection)),
  resumeLoad: (kind: Kind): Promise<LoadSummary> => unwrap(commands.resumeLoad(kind)),
  cancelLoad: (kind: Kind): Promise<boolean> => unwrap(commands.cancelLoad(kind)),
  rowsWindow: (kind: Kind, query: WindowQuery): Promise<RowsWindow> => unwrap(commands.rowsWindow(kind, query)),
  filterToTree: (text: string): Promise<TreeResult> => commands.filterToTree(text),
  treeToFilter: (tree: FilterNode): Promise<string> => unwrap(commands.treeToFilter(tree)),
  filterAttributes: (kind: Kind): Promise<FilterAttribute[]> => unwrap(commands.filterAttributes(kind)),
  groupMembers: (id: string, query: MembersQuery): Promise<MembersWindow> => unwrap(commands.groupMembers(id, query)),
  defaultRoleRules: (): Promise<RoleRule[]> => commands.defaultRoleRules(),
  roleGroups: (rules: RoleRule[]): Promise<RoleGroups> => unwrap(commands.roleGroups(rules)),
  userRoleGroups: (id: string, groups: string[], rules: RoleRule[]): Promise<HeldRole[]> =>
    unwrap(commands.userRoleGroups(id, groups, rules)),
  roleMatrix: (query: MatrixQuery): Promise<MatrixWindow> => unwrap(commands.roleMatrix(query)),
  exportRoleMatrix: (query: MatrixQuery, path: string): Promise<string> =>
    unwrap(commands.exportRoleMatrix(query, path)),
  requestLog: (afterSeq: number): Promise<LogEntry[]> => unwrap(commands.requestLogEntries(afterSeq)),
  clearRequestLog: (): Promise<null> => unwrap(commands.clearRequestLog()),
  exportRequestLog: (path: string): Promise<string> => unwrap(commands.exportRequestLog(path)),
  runServerCheck: (writes: boolean): Promise<CheckReport> => unwrap(commands.runServerCheck(writes)),
  lastCheck: (): Promise<CheckReport | null> => unwrap(commands.lastCheck()),
  exportCheck: (base: string): Promise<string[]> => unwrap(commands.exportCheck(base)),
  listScenarios: (): Promise<ScenarioInfo[]> => commands.listScenarios(),
  startScenario: (name: string): Promise<RunState> => unwrap(commands.startScenario(name)),
  stepScenario: (): Promise<RunState> => unwrap(commands.stepScenario()),
  cleanupScenario: (): Promise<RunState> => unwrap(commands.cleanupScenario()),
  exportScenario: (base: string): Promise<string[]> => unwrap(commands.exportScenario(base)),
  listSnapshots: (): Promise<SnapshotListing[]> => unwrap(commands.listSnapshots()),
  takeSnapshot: (): Promise<SnapshotListing> => unwrap(commands.takeSnapshot()),
  openSnapshot: (path: string): Promise<DirectorySummary> => unwrap(commands.openSnapshot(path)),
  compareDirectories: (a: SideSpec, b: SideSpec, by: MatchBy): Promise<CompareSummary> =>
    unwrap(commands.compareDirectories(a, b, by)),
  diffWindow: (query: DiffQuery): Promise<DiffWindow> => unwrap(commands.diffWindow(query)),
  diffLine: (index: number): Promise<LineDetail> => unwrap(commands.diffLine(index)),
  exportDiff: (query: DiffQuery, path: string, mask: boolean): Promise<string> => unwrap(commands.exportDiff(query, path, mask)),
  reportCatalog: (): Promise<ReportInfo[]> => commands.reportCatalog(),
  runReport: (name: string, snapshot: string | null): Promise<ReportView> => unwrap(commands.runReport(name, snapshot)),
  reportRows: (query: ReportQuery): Promise<ReportRows> => unwrap(commands.reportRows(query)),
  exportReport: (format: string, path: string, mask: boolean): Promise<string> => unwrap(commands.exportReport(format, path, mask)),
  patchAttributes: (kind: Kind, resourceJson: string | null): Promise<PatchAttribute[]> =>
    unwrap(commands.patchAttributes(kind, resourceJson)),
  previewPatch: (draft: PatchDraft): Promise<WritePreview> => unwrap(commands.previewPatch(draft)),
  applyPatch: (draft: PatchDraft, etag: string | null): Promise<WriteOutcome> => unwrap(commands.applyPatch(draft, etag)),
  previewPatchMany: (draft: PatchDraft, ids: string[]): Promise<BatchOutcome> => unwrap(commands.previewPatchMany(draft, ids)),
  applyPatchMany: (draft: PatchDraft, ids: string[]): Promise<BatchOutcome> => unwrap(commands.applyPatchMany(draft, ids)),
  previewCreate: (kind: Kind, body: string): Promise<WritePreview> => unwrap(commands.previewCreate(kind, body)),
  createResource: (kind: Kind, body: string): Promise<CreateOutcome> => unwrap(commands.createResource(kind, body)),
  previewPut: (kind: Kind, id: string, body: string): Promise<WritePreview> => unwrap(commands.previewPut(kind, id, body)),
  replaceResource: (kind: Kind, id: string, body: string, etag: string | null): Promise<WriteOutcome> =>
    unwrap(commands.replaceResource(kind, id, body, etag)),
  previewDelete: (kind: Kind, id: string): Promise<WritePreview> => unwrap(commands.previewDelete(kind, id)),
  deleteResource: (kind: Kind, id: string, typed: string, etag: string | null): Promise<WriteOutcome> =>
    unwrap(commands.deleteResource(kind, id, typed, etag)),
  changeLog: (): Promise<ChangeRow[]> => unwrap(commands.changeLog()),
  exportChangeLog: (path: string): Promise<string> => unwrap(commands.exportChangeLog(path)),
  previewUndo: (id: string | null): Promise<UndoPreview> => unwrap(commands.previewUndo(id)),
  undoChange: (id: string): Promise<WriteOutcome> => unwrap(commands.undoChange(id)),
  /** Progress of running loads, pushed by Rust; returns the function that stops listening. */
  onLoadProgress: (handler: (p: LoadProgress) => void): Promise<UnlistenFn> =>
    listen<LoadProgress>('load-progress', (event) => handler(event.payload)),
  checkFilter: async (text: string): Promise<FilterCheck> => {
    try {
      return await commands.checkFilter(text);
    } catch (caught) {
      throw new IpcError(toAppError(caught));
    }
  },
};
