// @vitest-environment happy-dom
// Component tests: the filter builder, the column chooser and the virtual table mounted in a DOM,
// the IPC replaced by a stub of the api module (the real UI against a mocked backend is the browser
// suite's job; here each component's own behaviour).
import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Column, FilterAttribute, FilterNode, WindowQuery } from '../../src/lib/bindings';

const windows: WindowQuery[] = [];
vi.mock('../../src/lib/api', () => ({
  api: {
    rowsWindow: async (_kind: string, q: WindowQuery) => {
      windows.push(q);
      const total = 100000;
      const rows = Array.from({ length: Math.max(0, Math.min(q.limit, total - q.offset)) }, (_, k) => ({
        id: `u${q.offset + k}`,
        cells: q.columns.map((c) => `${c}-${q.offset + k}`),
      }));
      return { total, matched: total, offset: q.offset, rows };
    },
  },
}));

const { default: FilterBuilder } = await import('../../src/components/shared/FilterBuilder.svelte');
const { default: ColumnChooser } = await import('../../src/components/browse/ColumnChooser.svelte');
const { default: VirtualTable } = await import('../../src/components/shared/VirtualTable.svelte');

let mounted: Record<string, unknown>[] = [];
afterEach(() => {
  mounted.forEach((c) => unmount(c));
  mounted = [];
  document.body.innerHTML = '';
});

const attrs: FilterAttribute[] = [
  { path: 'userName', label: 'userName', attrType: 'string', multiValued: false, canonicalValues: [], source: 'core' },
  { path: 'active', label: 'active', attrType: 'boolean', multiValued: false, canonicalValues: [], source: 'core' },
  { path: 'emails', label: 'emails', attrType: 'string', multiValued: true, canonicalValues: [], source: 'core' },
  { path: 'emails.type', label: 'emails.type', attrType: 'string', multiValued: true, canonicalValues: ['work', 'home'], source: 'core' },
];

describe('FilterBuilder', () => {
  it('adds conditions, narrows operators by type and reports every change', async () => {
    const state = $state<{ node: FilterNode }>({ node: { kind: 'group', join: 'and', negate: false, children: [] } });
    const onChange = vi.fn();
    mounted.push(
      mount(FilterBuilder, {
        target: document.body,
        props: {
          get node() {
            return state.node;
          },
          set node(v: FilterNode) {
            state.node = v;
          },
          attributes: attrs,
          onChange,
        },
      }),
    );
    expect(document.body.textContent).toContain('No condition yet');
    (document.querySelector('[data-testid=add-condition]') as HTMLButtonElement).click();
    flushSync();
    expect(onChange).toHaveBeenCalledTimes(1);
    const attr = document.querySelector('select[aria-label=Attribute]') as HTMLSelectElement;
    attr.value = 'active';
    attr.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    const ops = [...document.querySelectorAll('select[aria-label=Operator] option')].map((o) => o.textContent);
    expect(ops).toEqual(['equals', 'not equal', 'is present']);
    expect(state.node).toMatchObject({ children: [{ kind: 'condition', path: 'active', op: 'eq', value: { type: 'boolean', text: true } }] });
    (document.querySelector('button[aria-label=Value]') as HTMLButtonElement).click();
    flushSync();
    expect(state.node).toMatchObject({ children: [{ value: { type: 'boolean', text: false } }] });
    // "One value of…" offers the sub-attributes of the multi-valued attribute, with canonical values.
    (document.querySelector('.adds button:last-child') as HTMLButtonElement).click();
    flushSync();
    const vp = document.querySelector('[data-testid=builder-valuepath]') as HTMLElement;
    (vp.querySelector('[data-testid=add-condition]') as HTMLButtonElement).click();
    flushSync();
    const subOptions = [...vp.querySelectorAll('select[aria-label=Attribute] option')].map((o) => o.textContent);
    expect(subOptions).toEqual(['type']);
    expect([...vp.querySelectorAll('datalist option')].map((o) => (o as HTMLOptionElement).value)).toEqual(['work', 'home']);
  });
});

const col = (id: string, over: Partial<Column> = {}): Column => ({
  id,
  label: id,
  source: 'core',
  kind: 'text',
  defaultVisible: false,
  schema: null,
  ...over,
});

describe('ColumnChooser', () => {
  it('shows, hides and reorders columns, grouping undeclared ones apart', async () => {
    const onChange = vi.fn();
    mounted.push(
      mount(ColumnChooser, {
        target: document.body,
        props: { all: [col('userName'), col('title'), col('secodaRole', { source: 'undeclared' })], shown: ['userName', 'title'], onChange },
      }),
    );
    (document.querySelector('[data-testid=columns-button]') as HTMLButtonElement).click();
    flushSync();
    expect(document.body.textContent).toContain('Undeclared (seen in the data, not in /Schemas)');
    (document.querySelector('[data-column-option=secodaRole]') as HTMLInputElement).click();
    expect(onChange).toHaveBeenLastCalledWith(['userName', 'title', 'secodaRole']);
    (document.querySelector('button[aria-label="Move title up"]') as HTMLButtonElement).click();
    expect(onChange).toHaveBeenLastCalledWith(['title', 'userName']);
  });
});

describe('VirtualTable', () => {
  it('renders a window of 100,000 rows, not all of them, and sorts from the header', async () => {
    const onSort = vi.fn();
    mounted.push(
      mount(VirtualTable, {
        target: document.body,
        props: {
          kind: 'Users',
          columns: [col('userName'), col('active', { kind: 'boolean' })],
          generation: 1,
          sortBy: 'userName',
          descending: false,
          quick: '',
          selected: null,
          testid: 'users-table',
          onSelect: () => {},
          onSort,
        },
      }),
    );
    for (let i = 0; i < 20 && !document.querySelector('tr[data-row]'); i++) await tick().then(() => new Promise((r) => setTimeout(r, 5)));
    const table = document.querySelector('[data-testid=users-table]') as HTMLElement;
    expect(table.getAttribute('aria-rowcount')).toBe('100000');
    const rendered = document.querySelectorAll('tr[data-row]').length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(200);
    expect(windows[0]).toMatchObject({ offset: 0, columns: ['userName', 'active'], sortBy: 'userName' });
    (document.querySelector('[data-column=active]') as HTMLButtonElement).click();
    expect(onSort).toHaveBeenCalledWith('active');
  });
});
