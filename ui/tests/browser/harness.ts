// Test-only entry: answers the Rust commands from fixtures chosen by `?scenario=`, then starts the real UI.
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type {
  AppError,
  AppInfo,
  Connection,
  DemoCatalog,
  DemoOptions,
  DirectorySummary,
  FileKind,
  IdentityLine,
  SideSpec,
  FilterCheck,
  GroupRow,
  Column,
  ConnectionInput,
  LoadSummary,
  MatrixQuery,
  RoleRule,
  WindowQuery,
  RowsQuery,
  UserRow,
  ChangeRow,
  FieldDiff,
  PatchDraft,
  WriteOutcome,
  WritePreview,
  ChangeAction,
  ReportInfo,
  ReportKind,
  ReportView,
  ResourceDetail,
  ResourceKind,
  RoleGroup,
  RowsWindow,
  ViewSettings,
  DiffLine,
  LogEntry,
  RunState,
  MatchBy,
  MatrixRow,
  MemberRow,
  HeldRole,
  RoleGroups,
} from '../../src/lib/bindings';
import type { Api, CommandName } from '../../src/lib/api';
import answers from './fixtures/answers.json';

type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
/** What Rust answers a command with, by its IPC name: the type the generated bindings give it. */
type Reply<K extends CommandName> = K extends CommandName ? Awaited<ReturnType<Api[Camel<K> & keyof Api]>> : never;
/**
 * Every canned answer goes through here, typed by the command's real return type: when a Rust
 * command's result changes shape, svelte-check fails on the handler that no longer matches it.
 */
function reply<K extends CommandName>(_cmd: K, value: Reply<K>): Reply<K> {
  return value;
}

const scenario = new URLSearchParams(location.search).get('scenario') ?? 'ok';

// ---- What Rust computes as the user types: the ui-oracle (tests/ui_oracle, started by run.mjs)
// is the services code answering over loopback, so these answers are never a JavaScript stand-in.
const ORACLE = new URLSearchParams(location.search).get('oracle');
async function oracle<T>(route: string, question: unknown): Promise<T> {
  const fail = (message: string): never => {
    console.error(`harness: ${message}`);
    throw { kind: 'internal', message, scim: null } satisfies AppError;
  };
  if (!ORACLE) return fail('no ?oracle= URL: open the harness through run.mjs, which starts the ui-oracle');
  const response = await fetch(`${ORACLE}/${route}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(question) });
  const value = (await response.json()) as T | { oracleError: string };
  if (value && typeof value === 'object' && 'oracleError' in value) return fail(value.oracleError);
  return value as T;
}

// ---- What Rust answers (fixtures/answers.json, computed by crates/scim-services/tests/browser_fixtures.rs
// from fixtures/questions.json): the table's columns, cells and sort orders, a user's page, role
// classification and the identity providers' dialects are read from there, never re-implemented here.
type RenderedRequest = { method: string; body: unknown; note: string | null };
type Answers = {
  users: { id: string; userName: string; displayName: string; title: string; active: boolean; emails: { value: string }[]; [k: string]: unknown }[];
  columns: Column[];
  cells: { id: string; cells: Record<string, string> }[];
  orders: Record<string, { ascending: number[]; descending: number[] }>;
  userSections: Record<string, ResourceDetail['sections']>;
  roleGroups: { rules: RoleRule[]; answer: RoleGroups | { error: AppError } }[];
  userRoleGroups: { question: { groups: string[]; rules: RoleRule[] }; answer: HeldRole[] }[];
  dialects: { question: { user: string; body: string; dialect: string }; answer: RenderedRequest[] }[];
};
const rust = answers as unknown as Answers;

/** JSON with sorted keys: two questions are the same question whatever their key order. */
const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
/** Rust's answer to `question`; one it was never asked fails the test (the teardown sees the console error). */
function ask<Q, A>(what: string, entries: { question: Q; answer: A }[], question: Q): A {
  const found = entries.find((e) => canon(e.question) === canon(question));
  if (!found) {
    const message = `harness: Rust has no answer for ${what} ${JSON.stringify(question)}; add it to tests/browser/fixtures/questions.json and run \`make fixtures\``;
    console.error(message);
    throw { kind: 'internal', message, scim: null } satisfies AppError;
  }
  return found.answer;
}


const info: AppInfo = {
  version: '9.9.9-test',
  coreVersion: '9.9.9-core',
  buildProfile: 'debug',
  platform: 'test-browser',
};

const summary: DirectorySummary = {
  name: 'Demo directory',
  color: null,
  readOnly: false,
  baseUrl: 'http://127.0.0.1:4000/scim/v2',
  isDemo: true,
  badges: [
    { label: 'filter ≤1000', supported: true },
    { label: 'PATCH', supported: true },
    { label: 'ETag', supported: true },
    { label: 'no bulk', supported: false },
  ],
  warnings: [],
  snapshot: null,
  quirks: { removeMembersByValueList: false, patchUnsupported: false },
  resourceTypes: ['User', 'Group', 'Role'],
};

/** The directory's users as Rust's tests built them (answers.json); `?users=N` other than that
 * count swaps in N synthetic rows for the large-table tests, which sort nothing. */
const requested = Number(new URLSearchParams(location.search).get('users') ?? String(rust.users.length));
const fromRust = requested === rust.users.length;
const users: UserRow[] = rust.users.map((u) => ({
  id: u.id,
  userName: u.userName,
  displayName: u.displayName,
  active: u.active,
  email: u.emails[0]?.value ?? null,
  title: u.title,
  department: (u['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { department?: string } | undefined)?.department ?? null,
}));

const groups: GroupRow[] = [
  { id: 'g1', displayName: 'All staff', memberCount: 40 },
  { id: 'g2', displayName: 'Profile: Data Entry', memberCount: 8 },
  { id: 'g3', displayName: 'Project: Transmission line (Read-only)', memberCount: 5 },
];


const saved: Connection[] = [];
/** Stands in for Rust keeping view settings by connection id (persisted like a file, across reloads). */
const viewsById: Record<string, ViewSettings> = JSON.parse(sessionStorage.getItem('harness.views') ?? '{}') as Record<string, ViewSettings>;
let openId = 'demo';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const col = (id: string, over: Partial<Column> = {}): Column => ({
  id,
  label: id,
  source: 'core',
  kind: 'text',
  defaultVisible: false,
  schema: null,
  ...over,
});
/** Columns of the synthetic large table (the Rust-built directory uses Rust's own). */
const syntheticColumns: Column[] = [
  col('id'),
  col('userName', { defaultVisible: true }),
  col('displayName', { defaultVisible: true }),
  col('title', { defaultVisible: true }),
  col(`${ENT}:department`, { label: 'department', source: 'enterprise', schema: ENT, defaultVisible: true }),
  col('emails', { defaultVisible: true }),
  col('active', { kind: 'boolean', defaultVisible: true }),
  col('secodaRole', { source: 'undeclared' }),
];
const userColumns: Column[] = fromRust ? rust.columns : syntheticColumns;
const groupColumns: Column[] = [
  col('id'),
  col('displayName', { defaultVisible: true }),
  col('#members', { label: 'members', source: 'computed', kind: 'number', defaultVisible: true }),
];

/** Users as the Rust side would read cells from them. */
/** Users as the Rust side reads cells from them. */
let userCells: Record<string, string | null>[] = [];
function seedUsers(n: number) {
  userCells = Array.from({ length: n }, (_, i) => ({
    id: `u${i}`,
    userName: `${['ana', 'ben', 'carla', 'dev'][i % 4]}.user${i}@example.com`,
    displayName: `${['Ana', 'Ben', 'Carla', 'Dev'][i % 4]} User${i}`,
    title: 'Field engineer',
    [`${ENT}:department`]: ['Operations', 'Finance'][i % 2] ?? null,
    emails: `user${i}@example.com`,
    active: String(i % 9 !== 0),
    secodaRole: i % 3 === 0 ? 'editor' : null,
  }));
}
if (fromRust) {
  userCells = rust.cells.map((r) => ({ ...r.cells }));
} else {
  seedUsers(requested);
}
const groupCells = (): Record<string, string | null>[] =>
  groups.map((g) => ({ id: g.id, displayName: g.displayName, '#members': String(g.memberCount ?? '') }));

/** The endpoint a ResourceKind names (`Users`, `Roles`). */
const endpointOf = (k: ResourceKind): string => (typeof k === 'string' ? k : k.Custom);

let loadedUsers = userCells;
let partial = false;

function loadSummary(kind: ResourceKind, loaded: number, filter: string | null, over: Partial<LoadSummary> = {}): LoadSummary {
  return {
    kind,
    filter,
    loaded,
    total: loaded,
    complete: true,
    cancelled: false,
    error: null,
    // Rust's `empty` (loaded.rs): every page answered and none held; scenarios that fail say false.
    empty: loaded === 0 && (over.complete ?? true),
    loading: false,
    warnings: [],
    elapsedMs: 120,
    columns: kind === 'Users' ? userColumns : groupColumns,
    projection: { attributes: [], excludedAttributes: [] },
    ...over,
  };
}

// The order for a sort and quick filter is computed once and reused while scrolling, as in Rust.
let orderCache: { key: string; rows: Record<string, string | null>[] } | null = null;
/** Rows in Rust's order for a sort (answers.json); a column no user has keeps the load order. */
function inRustOrder(rows: Record<string, string | null>[], column: string, descending: boolean): Record<string, string | null>[] {
  const order = rust.orders[column];
  if (!fromRust) return descending ? [...rows].reverse() : rows;
  if (!order) return rows;
  const rank = new Map((descending ? order.descending : order.ascending).map((index, position) => [rust.cells[index]?.id, position]));
  return [...rows].sort((a, b) => (rank.get(a.id ?? '') ?? 0) - (rank.get(b.id ?? '') ?? 0));
}

function windowOf(kind: string, q: WindowQuery) {
  const source = kind === 'Users' ? loadedUsers : groupCells();
  const quick = q.quick?.trim().toLowerCase();
  const key = JSON.stringify([kind, source.length, q.sortBy, q.descending, quick, quick ? q.columns : null]);
  let rows: Record<string, string | null>[];
  if (orderCache?.key === key) {
    rows = orderCache.rows;
  } else {
    rows = source;
    if (quick) rows = rows.filter((r) => q.columns.some((c) => (r[c] ?? '').toLowerCase().includes(quick)));
    if (q.sortBy && kind === 'Users') rows = inRustOrder(rows, q.sortBy, q.descending ?? false);
    orderCache = { key, rows };
  }
  return {
    total: kind === 'Users' ? loadedUsers.length : groups.length,
    matched: rows.length,
    offset: q.offset,
    rows: rows.slice(q.offset, q.offset + q.limit).map((r) => ({ id: r.id ?? '', cells: q.columns.map((c) => served(c, r[c] ?? null)) })),
  } satisfies RowsWindow;
}

// Presentation mode is Rust's (scim-services presentation.rs, tested there): while it is on, this
// stand-in serves a fixed marker instead of each personal value, so the tests see that the UI asks
// again and shows only what was served — never that it masks anything itself.
let presenting = false;
const PERSONAL = new Set(['userName', 'displayName', 'emails', 'name.givenName', 'name.familyName']);
const MARK = '[masked by Rust]';
function served(column: string, value: string | null): string | null {
  return presenting && value !== null && PERSONAL.has(column) ? MARK : value;
}

// ---- writes: a small stand-in for the Rust dry run (the real one is tested against real servers) ----
const BASE = 'http://127.0.0.1:4010/scim/v2';
const changeRows: ChangeRow[] = [];
function resourceOf(kind: string, id: string): Record<string, unknown> {
  if (kind === 'Groups') {
    const g = groups.find((x) => x.id === id);
    return { id, displayName: g?.displayName, members: [{ value: 'u1' }] };
  }
  const full = rust.users.find((x) => x.id === id);
  if (full) return structuredClone(full);
  const u = users.find((x) => x.id === id);
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id,
    userName: u?.userName,
    displayName: u?.displayName,
    active: u?.active,
    secodaRole: 'editor',
    emails: [{ value: u?.email, type: 'work', primary: true }],
  };
}
/** The dry run, planned by the services `Writer` in the ui-oracle against the harness's resource. */
function previewOf(draft: PatchDraft): Promise<WritePreview> {
  return oracle<WritePreview>('preview_patch', {
    draft,
    resource: resourceOf(endpointOf(draft.kind), draft.id),
    etag: 'W/"7"',
    readOnly: scenario === 'readonly',
  });
}
function outcomeOf(kind: string, id: string, actual: FieldDiff[], method = 'PATCH'): WriteOutcome {
  const changeId = `c${changeRows.length + 1}`;
  const label = String(resourceOf(kind, id).userName ?? resourceOf(kind, id).displayName ?? id);
  changeRows.unshift({
    id: changeId,
    time: '2026-11-23T10:00:00Z',
    kind: kind === 'Users' || kind === 'Groups' ? kind : { Custom: kind },
    resourceId: id,
    label,
    action: method.toLowerCase() as ChangeAction,
    status: 200,
    error: null,
    summary: `${method} ${BASE}/${kind}/${id}`,
    undoable: true,
    undoneBy: null,
    json: JSON.stringify({ id: changeId, action: method.toLowerCase() }, null, 2),
  });
  return {
    resourceId: id,
    label,
    responses: [{ method, url: `${BASE}/${kind}/${id}`, status: 200, body: null }],
    after: JSON.stringify(resourceOf(kind, id), null, 2),
    actual,
    mismatches: scenario === 'mismatch' ? [{ path: 'active', before: 'false', after: 'true' }] : [],
    warnings: scenario === 'mismatch' ? ["The server's result differs from the prediction in 1 field."] : [],
    changeId,
  };
}
// ---- snapshots, compare and reports ----
function snapshotOf(takenAt: string) {
  return {
    path: `/tmp/snaps/${takenAt.replace(/:/g, '-')}.scimsnap`,
    bytes: 36_100,
    header: { format: 'scim-explorer-snapshot', version: 1, connection: 'Demo directory', baseUrl: BASE, takenAt, appVersion: '9.9.9', users: 40, groups: 6, userFilter: null, groupFilter: null, sha256: 'ab12cd34ef56ab12cd34' },
    problem: null,
  };
}
const snapshotList = [snapshotOf('2026-11-20T09:00:00Z')];
const diffLines: DiffLine[] = [
  { index: 0, category: 'user', change: 'changed', label: 'carla.user2@example.com', attributes: ['active'], narration: 'carla.user2@example.com: deactivated', person: 'carla.user2@example.com' },
  { index: 1, category: 'user', change: 'added', label: 'new.person@example.com', attributes: [], narration: 'new.person@example.com added', person: 'new.person@example.com' },
  { index: 2, category: 'membership', change: 'added', label: 'Project: Apollo (Full access)', attributes: [], narration: 'Carla User2 added to Project: Apollo (Full access)', person: 'Carla User2' },
  { index: 3, category: 'membership', change: 'removed', label: 'Profile: Administrator', attributes: [], narration: 'Ben User1 removed from Profile: Administrator', person: 'Ben User1' },
];
let scenarioRun: RunState | null = null;
/** The run being played, as Rust keeps it: asking for it before one started is an error there too. */
function currentRun(): RunState {
  if (!scenarioRun) throw { kind: 'invalidInput', message: 'No scenario is being played.', scim: null } satisfies AppError;
  return scenarioRun;
}
const reportRows = Array.from({ length: 12 }, (_, i) => [`user${i}@example.com`, `User ${i}`, 'true']);
/** What the "user" picks in the next Save or Open dialogs, first first: a path, or `null` to cancel.
 *  Empty: the name Rust suggests, in /home/ana/Downloads. Tests push to `window.__dialog`. */
const dialogAnswers: (string | null)[] = [];
(window as unknown as { __dialog: typeof dialogAnswers }).__dialog = dialogAnswers;
/** The path when the services would write (or read) it, by their own rule (the ui-oracle holds the
 *  dialog choices); their refusal otherwise. */
async function allowed(path: unknown, write: boolean): Promise<string> {
  const answer = await oracle<{ ok: string } | { error: AppError }>('file_allowed', { path: String(path ?? ''), write });
  if ('error' in answer) throw answer.error;
  return answer.ok;
}
/** What the UI asked to export, for the tests to read back. */
const exports: { path: string; mask: boolean }[] = [];
(window as unknown as { __exports: typeof exports }).__exports = exports;

/** The commands `writeCommand` answers (writes, the server check, snapshots, compare, reports, undo). */
const WRITE_COMMANDS = [
  'patch_attributes',
  'preview_patch',
  'apply_patch',
  'preview_patch_many',
  'apply_patch_many',
  'preview_create',
  'preview_put',
  'create_resource',
  'replace_resource',
  'preview_delete',
  'delete_resource',
  'last_check',
  'run_server_check',
  'list_scenarios',
  'start_scenario',
  'step_scenario',
  'cleanup_scenario',
  'scenario_run',
  'export_check',
  'export_scenario',
  'open_snapshot',
  'list_snapshots',
  'take_snapshot',
  'compare_directories',
  'diff_window',
  'diff_line',
  'export_diff',
  'report_catalog',
  'run_report',
  'report_rows',
  'export_report',
  'change_log',
  'export_change_log',
  'preview_undo',
  'undo_change',
] as const satisfies readonly CommandName[];
type WriteCommand = (typeof WRITE_COMMANDS)[number];
const isWrite = (c: CommandName): c is WriteCommand => (WRITE_COMMANDS as readonly string[]).includes(c);

async function writeCommand(cmd: WriteCommand, args: Record<string, unknown>): Promise<unknown> {
  const kind = endpointOf((args.kind as ResourceKind | undefined) ?? 'Users');
  const id = String(args.id ?? '');
  switch (cmd) {
    case 'patch_attributes': {
      const json = (args as { resourceJson?: string | null }).resourceJson;
      return reply(cmd, await oracle<Reply<'patch_attributes'>>('patch_attributes', { kind, resource: json ? JSON.parse(json) : null }));
    }
    case 'preview_patch':
      return reply(cmd, await previewOf(args.draft as PatchDraft));
    case 'apply_patch': {
      const draft = args.draft as PatchDraft;
      if (scenario === 'patch-refused') {
        throw {
          kind: 'server',
          message: 'The server refused the request (HTTP 400).',
          scim: { httpStatus: 400, scimType: 'invalidValue', detail: 'active must be a boolean' },
          request: { method: 'PATCH', url: `${BASE}/Users/${draft.id}`, seq: 5 },
        } satisfies AppError;
      }
      return reply(cmd, outcomeOf(endpointOf(draft.kind), draft.id, (await previewOf(draft)).changes));
    }
    case 'preview_patch_many':
    case 'apply_patch_many': {
      const draft = args.draft as PatchDraft;
      const ids = args.ids as string[];
      const previews = await Promise.all(ids.map((id) => previewOf({ ...draft, id })));
      const items = ids.map((id, i) => {
        const p = previews[i] as WritePreview;
        if (cmd === 'apply_patch_many') outcomeOf(endpointOf(draft.kind), id, p.changes);
        return { id, label: p.label, status: cmd === 'apply_patch_many' ? 200 : 0, error: null, actual: p.changes, mismatches: [], changeId: null };
      });
      const bulkBody = JSON.stringify(
        { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ids.map((id) => ({ method: 'PATCH', path: `/${draft.kind}/${id}`, version: 'W/"7"', data: JSON.parse(draft.body) })) },
        null,
        2,
      );
      return reply(cmd, { viaBulk: true, requests: [{ method: 'POST', url: `${BASE}/Bulk`, ifMatch: null, body: bulkBody, note: `One Bulk request for ${ids.length} resources` }], items, warnings: [] });
    }
    case 'preview_create':
    case 'preview_put': {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(String(args.body));
      } catch {
        throw { kind: 'invalidInput', message: 'The resource is not valid JSON (line 1, column 2).', scim: null } satisfies AppError;
      }
      const required = kind === 'Users' ? 'userName' : 'displayName';
      return reply(cmd, {
        label: String(body[required] ?? ''),
        etag: null,
        requests: [{ method: cmd === 'preview_create' ? 'POST' : 'PUT', url: `${BASE}/${kind}${cmd === 'preview_put' ? `/${id}` : ''}`, ifMatch: null, body: JSON.stringify(body, null, 2), note: null }],
        before: '',
        predicted: JSON.stringify(body),
        changes: Object.entries(body).filter(([k]) => k !== 'schemas').map(([k, v]) => ({ path: k, before: null, after: JSON.stringify(v) })),
        problem: body[required] ? null : { operation: null, message: `Required: ${required}.` },
        warnings: [],
        patchSupported: true,
        readOnly: scenario === 'readonly',
      } satisfies WritePreview);
    }
    case 'create_resource': {
      const body = JSON.parse(String(args.body)) as Record<string, unknown>;
      if (body.userName === 'taken@example.com') {
        return reply(cmd, { result: 'conflict', message: 'HTTP 409: conflict (409) [uniqueness] — userName is taken', existingId: 'u3' });
      }
      return reply(cmd, { result: 'created', outcome: outcomeOf(kind, 'u1', [{ path: 'userName', before: null, after: JSON.stringify(body.userName) }], 'POST') });
    }
    case 'replace_resource':
      return reply(cmd, outcomeOf(kind, id, [], 'PUT'));
    case 'preview_delete': {
      const r = resourceOf(kind, id);
      return reply(cmd, {
        label: String(r.userName ?? r.displayName),
        etag: 'W/"7"',
        requests: [{ method: 'DELETE', url: `${BASE}/${kind}/${id}`, ifMatch: 'W/"7"', body: '', note: null }],
        before: JSON.stringify(r),
        predicted: null,
        changes: [],
        problem: null,
        warnings: [],
        patchSupported: true,
        readOnly: scenario === 'readonly',
      } satisfies WritePreview);
    }
    case 'delete_resource':
      return reply(cmd, { ...outcomeOf(kind, id, [], 'DELETE'), after: null });
    case 'last_check':
      return reply(cmd, null);
    case 'run_server_check':
      return reply(cmd, {
        baseUrl: BASE,
        ranAt: '2026-11-23T10:00:00Z',
        writes: Boolean(args.writes),
        items: [
          { id: 'filter.eq', group: 'filter', title: 'Filter: eq', outcome: 'pass', detail: '1 result, all matching `userName eq "ana"`', assumption: null, exchanges: [{ method: 'GET', url: `${BASE}/Users?filter=userName%20eq%20%22ana%22`, requestBody: null, status: 200, responseBody: '{"totalResults":1}' }] },
          { id: 'data.declared', group: 'data', title: 'Attributes declared in /Schemas', outcome: 'deviation', detail: 'users carry attributes /Schemas does not declare: secodaRole', assumption: '/Schemas being the server\'s whole schema', exchanges: [] },
          { id: 'patch.response', group: 'writes', title: 'PATCH replace with a path: 200 with the resource, or 204', outcome: 'note', detail: '204 No Content: clients must read it again', assumption: null, exchanges: [] },
          { id: 'discovery.groups', group: 'discovery', title: 'Groups endpoint', outcome: 'unsupported', detail: 'No Group resource type is declared', assumption: null, exchanges: [] },
        ],
        leftovers: [],
        quirks: { removeMembersByValueList: false, patchUnsupported: false },
      });
    case 'list_scenarios':
      return reply(cmd, [{ name: 'entra-joiner-mover-leaver', title: 'Entra ID: joiner, mover, leaver', description: 'Entra provisions a joiner…', dialect: 'entra2020', steps: ['Create the user', 'Deactivate'] }]);
    case 'start_scenario':
      scenarioRun = { scenario: { name: 'entra-joiner-mover-leaver', title: 'Entra ID: joiner, mover, leaver', description: '', dialect: 'entra2020', steps: ['Create the user', 'Deactivate'] }, baseUrl: BASE, startedAt: '2026-11-23T10:00:00Z', tag: 't', steps: [], finished: false, cleanedUp: false, leftovers: [], ids: {} };
      return reply(cmd, scenarioRun);
    case 'step_scenario': {
      const run = currentRun();
      const i = run.steps.length;
      const refused = scenario === 'finding' && i === 1;
      run.steps.push(
        refused
          ? { index: i, title: run.scenario.steps[i] ?? '', exchanges: [{ method: 'PATCH', url: `${BASE}/Groups/g1`, requestBody: '{"Operations":[{"op":"remove","path":"members","value":[{"value":"u9"}]}]}', status: 400, responseBody: '{"status":"400","detail":"remove operation carries no value"}' }], resource: '{"id": "g1"}', checks: [{ what: "the server's answer", expected: 'done, or refused with 400 and nothing changed', actual: 'HTTP 400: remove operation carries no value', pass: true }, { what: 'ada in ops', expected: 'member', actual: 'member', pass: true }], error: null, finding: "The server refused authentik's member removal. Nothing was lost, but with authentik a user removed from a group stays a member.", passed: true }
          : { index: i, title: run.scenario.steps[i] ?? '', exchanges: [{ method: i ? 'PATCH' : 'POST', url: `${BASE}/Users`, requestBody: '{"op":"replace"}', status: i ? 200 : 201, responseBody: '{}' }], resource: '{"id": "u9"}', checks: [{ what: 'jo: active', expected: i ? 'false' : 'true', actual: i ? 'false' : 'true', pass: true }], error: null, finding: null, passed: true },
      );
      run.ids = { 'user:jo': 'u9' };
      run.finished = run.steps.length === run.scenario.steps.length;
      return reply(cmd, structuredClone(run));
    }
    case 'scenario_run':
      return reply(cmd, structuredClone(currentRun()));
    case 'cleanup_scenario':
      currentRun().cleanedUp = true;
      return reply(cmd, structuredClone(currentRun()));
    case 'export_check':
    case 'export_scenario': {
      const md = await allowed(args.path, true);
      return reply(cmd, [md, md.replace(/\.md$/, '.json')]);
    }
    case 'open_snapshot':
      // A listed snapshot lies in the app's own folder; any other must come from the Open dialog.
      if (!snapshotList.some((s) => s.path === args.path)) await allowed(args.path, false);
      return reply(cmd, { ...summary, name: 'Snapshot of Demo directory · 2026-11-20T09:00:00Z', readOnly: true, isDemo: false, snapshot: snapshotOf('2026-11-20T09:00:00Z').header });
    case 'list_snapshots':
      return reply(cmd, snapshotList);
    case 'take_snapshot': {
      const made = { ...snapshotOf('2026-11-23T10:00:00Z'), path: '/tmp/snaps/2026-11-23T10-00-00Z.scimsnap' };
      snapshotList.unshift(made);
      return reply(cmd, made);
    }
    case 'compare_directories':
      for (const side of [args.a, args.b] as SideSpec[]) {
        if (side.kind === 'snapshot' && !snapshotList.some((s) => s.path === side.path)) await allowed(side.path, false);
      }
      return reply(cmd, {
        a: { label: 'Snapshot 2026-11-20T09:00:00Z of Demo directory', connection: 'Demo directory', takenAt: '2026-11-20T09:00:00Z', sha256: 'ab12cd34ef56ab12cd34', users: 40, groups: 6 },
        b: { label: 'Demo directory (now)', connection: 'Demo directory', takenAt: '2026-11-23T10:00:00Z', sha256: '', users: 40, groups: 6 },
        by: args.by as MatchBy,
        counts: { usersAdded: 1, usersRemoved: 0, usersChanged: 1, groupsAdded: 0, groupsRemoved: 0, groupsChanged: 0, membersAdded: 1, membersRemoved: 1 },
        userMatch: [40, 40, 41],
        groupMatch: [6, 6, 6],
        lines: diffLines.length,
        warnings: [],
        elapsedMs: 3,
      });
    case 'diff_window': {
      const q = args.query as { categories?: string[]; changes?: string[]; quick?: string | null; offset: number; limit: number };
      const rows = diffLines.filter(
        (l) =>
          (!q.categories?.length || q.categories.includes(l.category)) &&
          (!q.changes?.length || q.changes.includes(l.change)) &&
          (!q.quick || l.narration.toLowerCase().includes(q.quick.toLowerCase())),
      );
      const page = rows.slice(q.offset, q.offset + q.limit);
      const shown = presenting
        ? page.map((l) => ({ ...l, narration: l.person ? l.narration.replace(l.person, MARK) : l.narration, label: l.category === 'user' ? MARK : l.label, person: MARK }))
        : page;
      return reply(cmd, { matched: rows.length, offset: q.offset, lines: shown });
    }
    case 'diff_line':
      return reply(cmd, {
        narration: diffLines[Number(args.index)]?.narration ?? '',
        a: JSON.stringify({ id: 'u2', userName: 'carla.user2@example.com', active: true }, null, 2),
        b: JSON.stringify({ id: 'u2', userName: 'carla.user2@example.com', active: false }, null, 2),
        fields: [{ path: 'active', before: 'true', after: 'false' }],
      });
    case 'export_diff':
      await allowed(args.path, true);
      exports.push({ path: String(args.path), mask: Boolean(args.mask) });
      return reply(cmd, String(args.path));
    case 'report_catalog':
      return reply(cmd, [
        { kind: 'no-group', name: 'no-group', title: 'Users in no group', description: 'Users who are in no group at all.' },
        { kind: 'inactive-in-groups', name: 'inactive-in-groups', title: 'Inactive users still in groups', description: 'Users marked inactive who still hold group memberships.' },
      ] satisfies ReportInfo[]);
    case 'run_report': {
      const report = (args as { report: ReportKind }).report;
      const name = typeof report === 'string' ? report : `access:${report.access}`;
      return reply(cmd, {
        name,
        title: name === 'no-group' ? 'Users in no group' : 'Inactive users still in groups',
        description: 'Users who are in no group at all.',
        columns: ['userName', 'displayName', 'active'],
        rows: reportRows.length,
        provenance: { connection: 'Demo directory', baseUrl: BASE, takenAt: '2026-11-23T10:00:00Z', snapshotSha256: args.snapshot ? 'ab12cd34ef56ab12cd34' : null, filter: null, generatedAt: '2026-11-23T10:00:01Z' },
      } satisfies ReportView);
    }
    case 'report_rows': {
      const q = args.query as { offset: number; limit: number; quick?: string | null };
      const rows = reportRows.filter((r) => !q.quick || r.some((c) => c.toLowerCase().includes(String(q.quick).toLowerCase())));
      return reply(cmd, { matched: rows.length, offset: q.offset, rows: rows.slice(q.offset, q.offset + q.limit) });
    }
    case 'export_report':
      await allowed(args.path, true);
      exports.push({ path: String(args.path), mask: Boolean(args.mask) });
      return reply(cmd, String(args.path));
    case 'change_log':
      return reply(cmd, changeRows);
    case 'export_change_log':
      return reply(cmd, await allowed(args.path, true));
    case 'preview_undo': {
      const row = changeRows.find((r) => r.id === args.id);
      return reply(cmd, {
        changeId: row?.id ?? '',
        label: row?.label ?? '',
        action: row?.action ?? 'patch',
        requests: [{ method: 'PATCH', url: `${BASE}/${row?.kind}/${row?.resourceId}`, ifMatch: 'W/"8"', body: '{\n  "Operations": [{"op": "replace", "path": "active", "value": true}]\n}', note: 'The inverse of the change' }],
        warnings: [],
      });
    }
    case 'undo_change': {
      const row = changeRows.find((r) => r.id === args.id);
      if (row) {
        row.undoable = false;
        row.undoneBy = 'u';
      }
      return reply(cmd, outcomeOf(endpointOf(row?.kind ?? 'Users'), row?.resourceId ?? '', [{ path: 'active', before: 'false', after: 'true' }]));
    }
    default: {
      // Every write command has a case: a name added to WRITE_COMMANDS without one fails here.
      const unhandled: never = cmd;
      throw `command ${String(unhandled)} has no handler`;
    }
  }
}

/** Every command the UI sent, with its arguments, for the tests to read what was asked of Rust. */
const calls: { cmd: CommandName; args: Record<string, unknown> }[] = [];
(window as unknown as { __calls: typeof calls }).__calls = calls;
/** `?scenario=slow-load`: a users load that runs until the UI cancels it. */
let cancelSlowLoad: (() => void) | null = null;

/** The Tap screen's commands: answered by a real tap session in the ui-oracle (tests/ui_oracle),
 * in front of a demo server of its own, so the tests send real requests through a real tap. */
const TAP_COMMANDS = ['tap_start', 'tap_stop', 'tap_status', 'tap_rotate_token', 'tap_exchanges', 'tap_export', 'tap_open', 'tap_saved_captures', 'tap_replay_start', 'tap_replay_step', 'tap_replay_cleanup'] as const satisfies readonly CommandName[];
type TapCommand = (typeof TAP_COMMANDS)[number];
const isTap = (c: CommandName): c is TapCommand => (TAP_COMMANDS as readonly string[]).includes(c);

async function tapCommand<K extends TapCommand>(cmd: K, args: Record<string, unknown>): Promise<Reply<K>> {
  const answer = await oracle<{ ok: Reply<K> } | { error: AppError }>(`tap/${cmd}`, args);
  if ('error' in answer) throw answer.error;
  return reply(cmd, answer.ok);
}

mockIPC(async (name, args) => {
  // Typed by the generated bindings: a `case` naming a command Rust no longer has fails svelte-check.
  const cmd = name as CommandName;
  // A JSON copy: arguments can be Svelte state proxies, which structuredClone refuses.
  calls.push({ cmd, args: JSON.parse(JSON.stringify(args ?? {})) as Record<string, unknown> });
  if (isWrite(cmd)) return await writeCommand(cmd, (args ?? {}) as Record<string, unknown>);
  if (isTap(cmd)) return await tapCommand(cmd, JSON.parse(JSON.stringify(args ?? {})) as Record<string, unknown>);
  const a = (args ?? {}) as { query?: RowsQuery; text?: string; input?: ConnectionInput; name?: string; path?: string; confirmed?: boolean };
  switch (cmd) {
    case 'get_app_info':
      if (scenario === 'backend-error') {
        const error: AppError = {
          kind: 'storage',
          message: 'The connections file is from a newer SCIM Explorer (version 9); it was left untouched.',
          scim: null,
        };
        throw error;
      }
      return reply(cmd, info);
    case 'set_presentation':
      presenting = (args as { on: boolean }).on;
      return reply(cmd, null);
    case 'view_settings':
      return reply(cmd, viewsById[openId] ?? {});
    case 'save_view_settings':
      viewsById[openId] = (args as { settings: ViewSettings }).settings;
      sessionStorage.setItem('harness.views', JSON.stringify(viewsById));
      return reply(cmd, null);
    case 'open_demo_directory': {
      openId = 'demo';
      const options = (args as { options: DemoOptions | null }).options;
      if (options) {
        // Rust checks the options and names the directory; the rest of the harness's data stays.
        const answer = await oracle<{ ok: string } | { error: AppError }>('demo_open', { options });
        if ('error' in answer) throw answer.error;
        return reply(cmd, { ...summary, name: answer.ok });
      }
      return reply(cmd, scenario === 'odd-server'
        ? { ...summary, warnings: ['/ResourceTypes answered 404; the RFC defaults were assumed', 'the ServiceProviderConfig has no `etag` block'] }
        : summary);
    }
    case 'identity_key': {
      const key = saved.find((c) => c.id === openId)?.ssoKey ?? null;
      const line = await oracle<IdentityLine>('identity_line', { user: {}, users: rust.users, key });
      return reply(cmd, { key: line.key, why: line.why, chosen: key !== null });
    }
    case 'demo_catalog':
      return reply(cmd, await oracle<DemoCatalog>('demo_catalog', {}));
    case 'list_users': {
      if (scenario === 'server-error') {
        const error: AppError = {
          kind: 'server',
          message: 'The server failed.',
          scim: { httpStatus: 503, scimType: null, detail: '<html> Service Unavailable </html>' },
        };
        throw error;
      }
      const f = a.query?.filter ?? '';
      const m = /userName sw "([^"]*)"/.exec(f);
      const rows = m ? users.filter((u) => u.userName.startsWith(m[1] ?? '')) : users;
      return reply(cmd, { total: rows.length, rows });
    }
    case 'find_resources': {
      // Ranked by the services' own search (the ui-oracle), over the users and groups held here.
      const q = args as { text: string; limit: number };
      const loaded = new Set(loadedUsers.map((u) => u.id));
      const held = rust.users.filter((u) => loaded.has(u.id));
      return reply(cmd, await oracle<Reply<'find_resources'>>('find_resources', { users: held, groups: groups.map((g) => ({ id: g.id, displayName: g.displayName })), text: q.text, limit: q.limit }));
    }
    case 'load_resources': {
      const kind = (args as { kind: ResourceKind }).kind;
      const filter = (args as { filter: string | null }).filter;
      if (scenario === 'server-error') {
        const error: AppError = {
          kind: 'server',
          message: 'The server failed.',
          scim: { httpStatus: 503, scimType: null, detail: '<html> Service Unavailable </html>' },
        };
        throw error;
      }
      if (kind === 'Groups') return reply(cmd, loadSummary('Groups', groups.length, filter));
      const projection = (args as { projection: { attributes: string[]; excludedAttributes: string[] } | null }).projection;
      (window as unknown as { lastProjection: unknown }).lastProjection = projection;
      const m = /userName sw "([^"]*)"/.exec(filter ?? '');
      loadedUsers = m ? userCells.filter((u) => (u.userName ?? '').startsWith(m[1] ?? '')) : userCells;
      const progress = { kind, loaded: Math.floor(loadedUsers.length / 2), total: loadedUsers.length, perSecond: 4000, etaSecs: 0.5, preview: null };
      if (scenario === 'slow-load' && !filter) {
        // Rust puts the first page up as it arrives (directory/load.rs): the table reads it meanwhile.
        loadedUsers = userCells.slice(0, 10);
        const preview = loadSummary('Users', 10, filter, { total: userCells.length, complete: false, loading: true });
        await emit('load-progress', { ...progress, loaded: 10, preview });
      }
      await emit('load-progress', progress);
      if (scenario === 'slow-load' && !filter) {
        await new Promise<void>((resolve) => (cancelSlowLoad = resolve));
        cancelSlowLoad = null;
        partial = true;
        const half = Math.floor(userCells.length / 2);
        loadedUsers = userCells.slice(0, half);
        return reply(cmd, loadSummary('Users', half, filter, { total: userCells.length, complete: false, cancelled: true }));
      }
      // The first page fails (a proxy's HTML 503) until the test sets `__serverBack`: nothing arrived.
      if (scenario === 'first-page-fails' && !filter && !(window as unknown as { __serverBack?: boolean }).__serverBack) {
        loadedUsers = [];
        return reply(cmd, loadSummary('Users', 0, filter, {
          total: null,
          complete: false,
          error: {
            kind: 'server',
            message: 'The server failed (HTTP 503).',
            scim: { httpStatus: 503, scimType: null, detail: "an HTML page titled '503 Service Unavailable' (162 bytes)" },
            request: { method: 'GET', url: `${BASE}/Users?startIndex=1&count=1000`, seq: 3 },
          },
        }));
      }
      if (scenario === 'load-fails' && !filter) {
        partial = true;
        const half = Math.floor(userCells.length / 2);
        loadedUsers = userCells.slice(0, half);
        return reply(cmd, loadSummary('Users', half, filter, {
          total: userCells.length,
          complete: false,
          error: { kind: 'network', message: 'Connection reset while reading page 3 (startIndex 1001).', scim: null },
        }));
      }
      return reply(cmd, loadSummary('Users', loadedUsers.length, filter, projection ? { projection } : {}));
    }
    case 'resume_load':
      partial = false;
      loadedUsers = userCells;
      return reply(cmd, loadSummary('Users', userCells.length, null));
    case 'cancel_load': {
      // As in Rust: true when a running load was told to stop.
      const running = cancelSlowLoad !== null;
      cancelSlowLoad?.();
      return reply(cmd, running || partial);
    }
    case 'rows_window':
      return reply(cmd, windowOf((args as { kind: string }).kind, (args as { query: WindowQuery }).query));
    case 'request_log_entries': {
      const after = (args as { afterSeq: number }).afterSeq;
      // The log polls for what is new; the shown entries are all there is at the start.
      if (after >= 5 || (after > 0 && scenario !== 'patch-refused')) return reply(cmd, []);
      const entry = (seq: number, method: string, url: string, status: number | null, over: Partial<LogEntry> = {}): LogEntry => ({
        seq,
        startedAtMs: 1_700_000_000_000 + seq,
        method,
        url: `http://127.0.0.1:4000/scim/v2${url}`,
        status,
        durationMs: 12 * seq,
        requestBytes: 0,
        responseBytes: 2048 * seq,
        requestHeaders: [['authorization', 'Bearer ••••••'], ['accept', 'application/scim+json']],
        responseHeaders: status ? [['content-type', 'application/scim+json']] : [],
        requestBody: null,
        responseBody: status ? JSON.stringify({ totalResults: 40, Resources: [{ userName: 'ana.user0@example.com' }] }) : null,
        attempt: 1,
        error: status ? null : 'connection refused',
        curl: `curl -X ${method} 'http://127.0.0.1:4000/scim/v2${url}' -H "authorization: Bearer $SCIM_TOKEN"`,
        ...over,
      });
      return reply(cmd, [
        entry(1, 'GET', '/ServiceProviderConfig', 200),
        entry(2, 'GET', '/Users?startIndex=1&count=1000', 429, { responseHeaders: [['retry-after', '1']] }),
        entry(3, 'GET', '/Users?startIndex=1&count=1000', 200, { attempt: 2 }),
        entry(4, 'GET', '/Groups?startIndex=1', null),
        ...(scenario === 'patch-refused'
          ? [entry(5, 'PATCH', '/Users/u2', 400, { requestBody: '{"Operations":[{"op":"replace","path":"active","value":false}]}', responseBody: '{"status":"400","scimType":"invalidValue","detail":"active must be a boolean"}' })]
          : []),
      ].filter((e) => e.seq > after));
    }
    case 'clear_request_log':
      return reply(cmd, null);
    case 'export_request_log':
      return reply(cmd, await allowed((args as { path: string }).path, true));
    case 'filter_attributes': {
      const kind = endpointOf((args as { kind: ResourceKind }).kind);
      const undeclared = kind === 'Users' ? userColumns.filter((c) => c.source === 'undeclared').map((c) => c.id) : [];
      return reply(cmd, await oracle<Reply<'filter_attributes'>>('filter_attributes', { kind, undeclared }));
    }
    case 'filter_to_tree':
      return reply(cmd, await oracle<Reply<'filter_to_tree'>>('filter_to_tree', { text: a.text ?? '' }));
    case 'tree_to_filter': {
      const answer = await oracle<{ ok: string } | { error: AppError }>('tree_to_filter', { tree: (args as { tree: unknown }).tree });
      if ('error' in answer) throw answer.error;
      return reply(cmd, answer.ok);
    }
    case 'group_members': {
      const rows: MemberRow[] = [
        { value: 'g9', label: 'Engineering', kind: 'group', missing: false },
        { value: 'u0', label: 'Ana User0', kind: 'user', missing: false },
        { value: 'ghost-user-1', label: 'ghost-user-1', kind: 'unknown', missing: true },
      ];
      const q = (args as { query: { offset: number; limit: number } }).query;
      return reply(cmd, { total: rows.length, matched: rows.length, missing: 1, offset: q.offset, rows: rows.slice(q.offset, q.offset + q.limit) });
    }
    case 'default_role_rules':
      return reply(cmd, [
        { category: 'Profiles', kind: 'prefix', pattern: 'Profile:' },
        { category: 'Projects', kind: 'prefix', pattern: 'Project:' },
      ]);
    case 'user_role_groups': {
      const { groups: listed, rules } = args as { groups: string[]; rules: RoleRule[] };
      return reply(cmd, ask('user_role_groups', rust.userRoleGroups, { groups: listed, rules }));
    }
    case 'role_groups':
    case 'role_matrix':
    case 'export_role_matrix': {
      const rules = ((args as { rules?: RoleRule[] }).rules ?? (args as { query: MatrixQuery }).query.rules) as RoleRule[];
      const answer = ask(
        'role_groups',
        rust.roleGroups.map((e) => ({ question: e.rules, answer: e.answer })),
        rules,
      );
      if ('error' in answer) throw answer.error;
      const classified: RoleGroup[] = answer.groups;
      if (cmd === 'role_groups') return reply(cmd, answer);
      const q = (args as { query: MatrixQuery }).query;
      if (cmd === 'export_role_matrix') return reply(cmd, await allowed((args as { path: string }).path, true));
      const columns = classified.filter((g) => !q.category || g.category === q.category);
      let rows = userCells.map((u, i): MatrixRow => ({
        userId: u.id ?? '',
        userName: u.userName ?? '',
        displayName: u.displayName ?? null,
        active: u.active === 'true',
        cells: columns.map((c, ci) => (i % (ci + 2) === 0 ? 'direct' : i % (ci + 5) === 0 ? 'nested' : null)),
      }));
      if (q.quick) rows = rows.filter((r) => r.userName.includes(q.quick ?? ''));
      if (q.holdersOnly) rows = rows.filter((r) => r.cells.some((c) => c));
      return reply(cmd, { columns, totalUsers: userCells.length, userFilter: null, matched: rows.length, offset: q.offset, rows: rows.slice(q.offset, q.offset + q.limit) });
    }
    case 'list_groups':
      return reply(cmd, { total: groups.length, rows: groups });
    case 'check_filter':
      return reply(cmd, await oracle<FilterCheck>('check_filter', { text: a.text ?? '' }));
    case 'get_resource': {
      const id = (args as { id?: string }).id ?? '';
      if (endpointOf((args as { kind: ResourceKind }).kind) === 'Roles') {
        return reply(cmd, {
          id,
          label: 'Approver',
          json: JSON.stringify({ schemas: ['urn:scim-explorer:demo:schemas:2.0:Role'], id, displayName: 'Approver', description: 'Approves purchase orders' }, null, 2),
          etag: null,
          groups: [],
          undeclared: [],
          members: ['Ana User0', 'Finance team (group)'],
          groupsComputed: false,
          missingMembers: [],
          endpoint: 'Roles',
          identity: null,
          sections: [{ title: '', rows: [{ label: 'displayName', value: 'Approver', mono: false }, { label: 'description', value: 'Approves purchase orders', mono: false }, { label: 'id', value: id, mono: true }] }],
        } satisfies ResourceDetail);
      }
      if ((args as { kind?: string }).kind === 'Groups') {
        const g = groups.find((x) => x.id === id);
        return reply(cmd, {
          id,
          label: g?.displayName ?? id,
          json: JSON.stringify({ id, displayName: g?.displayName, members: [{ value: 'u1' }] }, null, 2),
          etag: null,
          groups: [],
          undeclared: [],
          members: ['Ana User0', 'Engineering (group)'],
          groupsComputed: false,
          missingMembers: id === 'g2' ? ['ghost-user-1'] : [],
          endpoint: 'Groups',
          identity: null,
          sections: [{ title: '', rows: [{ label: 'displayName', value: g?.displayName ?? '', mono: false }, { label: 'id', value: id, mono: true }] }],
        } satisfies ResourceDetail);
      }
      const u = users.find((x) => x.id === id);
      const full = rust.users.find((x) => x.id === id);
      // The user as the demo of Rust's fixtures holds it; a synthetic row gets a minimal one.
      const raw: Record<string, unknown> = full
        ? structuredClone(full)
        : { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id, userName: u?.userName, displayName: u?.displayName, active: u?.active, emails: [{ value: u?.email, type: 'work', primary: true }] };
      if (presenting) {
        raw.userName = MARK;
        raw.displayName = MARK;
        raw.emails = [{ value: MARK, type: 'work', primary: true }];
      }
      const email = (raw.emails as { value?: string }[] | undefined)?.[0]?.value ?? '';
      const key = saved.find((c) => c.id === openId)?.ssoKey ?? null;
      const identity = await oracle<IdentityLine>('identity_line', { user: raw, users: rust.users, key });
      return reply(cmd, {
        identity,
        id,
        label: presenting ? MARK : (u?.userName ?? id),
        json: JSON.stringify(raw, null, 2),
        etag: 'W/"7"',
        groups: ['Profile: Data Entry'],
        undeclared: 'secodaRole' in raw ? ['secodaRole'] : [],
        members: null,
        groupsComputed: false,
        missingMembers: [],
        endpoint: 'Users',
        // What Rust's resource_view.rs serves for this user (answers.json); while presenting, Rust
        // masks them, which this stand-in shows as the marker.
        sections:
          full && !presenting
            ? (rust.userSections[id] ?? [])
            : [
                { title: 'Identity', rows: [{ label: 'userName', value: String(raw.userName ?? ''), mono: true }, { label: 'displayName', value: String(raw.displayName ?? ''), mono: false }] },
                { title: 'Contact', rows: [{ label: 'emails', value: `${email} (work, primary)`, mono: false }] },
                { title: 'Status', rows: [{ label: 'active', value: raw.active === false ? 'inactive' : 'active', mono: false }] },
              ],
      } satisfies ResourceDetail);
    }
    case 'list_connections':
      if (scenario === 'corrupt-connections') {
        const error: AppError = {
          kind: 'storage',
          message: '/home/ana/.config/scim-explorer/connections.json is not valid JSON (line 3). It was left untouched: fix it or move it away.',
          scim: null,
        };
        throw error;
      }
      return reply(cmd, saved);
    case 'save_connection': {
      const input = a.input as ConnectionInput;
      if (scenario === 'no-keychain' && !input.sessionOnly) {
        const error: AppError = {
          kind: 'keychain',
          message:
            'No keychain is available (no Secret Service on the session bus). On Linux, SCIM Explorer needs a Secret Service such as gnome-keyring running in your session. You can keep the token for this session only.',
          scim: null,
        };
        throw error;
      }
      const c: Connection = {
        id: input.id ?? input.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
        name: input.name,
        baseUrl: input.baseUrl,
        auth: input.auth,
        color: input.color,
        readOnly: input.readOnly,
        notes: input.notes,
        caBundlePath: input.caBundlePath,
        acceptInvalidCerts: input.acceptInvalidCerts,
        proxy: input.proxy,
        timeoutSecs: input.timeoutSecs,
        headerNames: (input.headers ?? []).map((h) => h.name),
        sessionOnly: input.sessionOnly,
        ssoKey: input.ssoKey ?? null,
      };
      (window as unknown as { lastSaved: ConnectionInput }).lastSaved = input;
      const i = saved.findIndex((x) => x.id === c.id);
      if (i >= 0) saved[i] = c;
      else saved.push(c);
      return reply(cmd, c);
    }
    case 'choose_file': {
      const { kind, detail } = args as { kind: FileKind; detail: string | null };
      const next = dialogAnswers.length ? dialogAnswers.shift() : undefined;
      if (next === null) return reply(cmd, null);
      const answer = await oracle<{ path: string | null }>('file_dialog', { kind, detail, connection: summary.name, chosen: next ?? null });
      return reply(cmd, answer.path);
    }
    case 'show_in_folder':
      return reply(cmd, null);
    case 'export_connections':
      return reply(cmd, await allowed(a.path, true));
    case 'import_connections': {
      // Stands in for Rust's rule (connections.rs `risky_settings`): certificates off asks first.
      const file = JSON.parse(a.text ?? '{}') as { connections: Connection[] };
      const added = file.connections.filter((c) => !saved.some((s) => s.name === c.name));
      const risks = added.filter((c) => c.acceptInvalidCerts).map((c) => `"${c.name}" accepts invalid certificates`);
      if (risks.length && !a.confirmed) return reply(cmd, { added: [], needsConfirmation: risks });
      saved.push(...added);
      return reply(cmd, { added: added.map((c) => c.name), needsConfirmation: [] });
    }
    case 'replace_token':
      return reply(cmd, { ok: true, summary: 'Connected with the new token', latencyMs: 12, warnings: [] });
    case 'remove_connection': {
      const i = saved.findIndex((x) => x.name === a.name);
      if (i >= 0) saved.splice(i, 1);
      return reply(cmd, null);
    }
    case 'test_connection':
      return reply(cmd, { ok: true, summary: 'Connected: PATCH, filter ≤200', latencyMs: 42, warnings: [] });
    case 'open_connection': {
      const c = saved.find((x) => x.name === a.name);
      openId = c?.id ?? '?';
      return reply(cmd, { ...summary, name: c?.name ?? '?', color: c?.color ?? null, isDemo: false, baseUrl: c?.baseUrl ?? '' });
    }
    default: {
      // Exhaustive: a command Rust adds (the bindings) fails svelte-check here until it has a handler.
      const unhandled: never = cmd;
      throw `command ${String(unhandled)} not found`;
    }
  }
}, { shouldMockEvents: true });

await import('../../src/main');
