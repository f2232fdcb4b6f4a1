// Browser-level UI tests: the real Svelte UI in Debian's Chromium (playwright-core), with the Tauri IPC
// mocked by tests/browser/harness.ts. Screenshots land in ../target/ui-browser/ for a human to look at.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';

const uiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.resolve(uiRoot, '../target/ui-browser');
mkdirSync(shots, { recursive: true });

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const server = await createServer({
  root: uiRoot,
  configFile: path.join(uiRoot, 'vite.config.ts'),
  server: { port: 0, host: '127.0.0.1', strictPort: false },
  logLevel: 'error',
});
await server.listen();
const address = server.httpServer.address();
const base = `http://127.0.0.1:${address.port}/tests/browser/harness.html`;

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

async function openPage({ scenario = 'ok', colorScheme = 'light', width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${base}?scenario=${scenario}`);
  return { page, context, errors };
}

test('the shell shows the connection, the sections and the backend version', async () => {
  const { page, context, errors } = await openPage();
  await page.getByTestId('status-bar').getByText('SCIM Explorer 9.9.9-test').waitFor();
  assert.equal((await page.getByTestId('connection-name').innerText()).trim(), 'Demo directory');
  const sections = await page.locator('nav[aria-label=Sections] button').allInnerTexts();
  assert.deepEqual(sections, ['Users', 'Groups', 'Role groups', 'Diff', 'Reports', 'Request log', 'Server']);
  assert.equal(await page.locator('#section-title').innerText(), 'Users');
  await page.screenshot({ path: path.join(shots, 'shell-light.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('navigation changes the section and marks it current', async () => {
  const { page, context } = await openPage();
  await page.locator('[data-section=reports]').click();
  assert.equal(await page.locator('#section-title').innerText(), 'Reports');
  assert.equal(await page.locator('[data-section=reports]').getAttribute('aria-current'), 'page');
  assert.equal(await page.locator('[data-section=users]').getAttribute('aria-current'), null);
  await context.close();
});

test('dark OS theme is followed, and the toggle overrides and remembers it', async () => {
  const { page, context } = await openPage({ colorScheme: 'dark' });
  await page.getByTestId('status-bar').getByText('SCIM Explorer').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.screenshot({ path: path.join(shots, 'shell-dark.png') });
  await page.getByRole('button', { name: /^Theme/ }).click(); // system -> light
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  await page.reload();
  await page.getByTestId('status-bar').getByText('SCIM Explorer').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  await context.close();
});

test('a typed backend error is shown with its title and message, not a blank screen', async () => {
  const { page, context } = await openPage({ scenario: 'backend-error' });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, /Could not read or write a file/);
  assert.match(text, /newer SCIM Explorer/);
  await page.screenshot({ path: path.join(shots, 'shell-error.png') });
  await context.close();
});

test('the users table shows the directory and a server-side filter narrows it', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  assert.equal(await page.locator('[data-testid=users-table] tbody tr').count(), 40);
  assert.match(await page.getByTestId('users-count').innerText(), /^40 users/);
  const badges = await page.getByTestId('capabilities').locator('li').allInnerTexts();
  assert.deepEqual(badges, ['filter ≤1000', 'PATCH', 'ETag', 'no bulk']);
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'filter-input');
  await page.keyboard.type('userName sw "ana"');
  await page.keyboard.press('Enter');
  await page.getByTestId('users-count').getByText('10 users match').waitFor();
  const names = await page.locator('[data-testid=users-table] tbody tr td:first-child').allInnerTexts();
  assert.ok(names.every((n) => n.startsWith('ana')), names.join());
  await page.screenshot({ path: path.join(shots, 'users-filtered.png') });
  await context.close();
});

test('an invalid filter is underlined where it is wrong and nothing is sent', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('filter-input').fill('userName equals "ana"');
  await page.getByTestId('filter-input').press('Enter');
  const problem = page.getByTestId('filter-error');
  await problem.waitFor();
  assert.equal(await problem.locator('mark').innerText(), 'equals');
  assert.match(await problem.innerText(), /not a comparison operator/);
  assert.equal(await page.locator('[data-testid=users-table] tbody tr').count(), 40, 'the table is unchanged');
  await page.screenshot({ path: path.join(shots, 'filter-error.png') });
  await context.close();
});

test('a server failure shows the status and the server text, not a blank table', async () => {
  const { page, context } = await openPage({ scenario: 'server-error', colorScheme: 'dark' });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, /HTTP 503/);
  assert.match(text, /Service Unavailable/);
  await page.screenshot({ path: path.join(shots, 'users-server-error-dark.png') });
  await context.close();
});

test('role groups are the profiles and projects, labelled as classified locally', async () => {
  const { page, context } = await openPage();
  await page.locator('[data-section=roles]').click();
  await page.getByTestId('groups-table').waitFor();
  const names = await page.locator('[data-testid=groups-table] tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(names, ['Profile: Data Entry', 'Project: Transmission line (Read-only)']);
  assert.match(await page.getByTestId('groups-count').innerText(), /classified locally/);
  await context.close();
});

test('adding a connection validates, tests, and opens it with its colour tag', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('connection-name').click();
  await page.getByTestId('add-connection').click();
  const dialog = page.getByTestId('add-connection-dialog');
  await dialog.waitFor();
  await page.getByTestId('conn-name').fill('Netdata prod');
  await page.getByTestId('conn-url').fill('app.netdata.cloud/scim');
  assert.match(await dialog.innerText(), /starts with https:\/\//);
  assert.equal(await page.getByTestId('conn-save').isDisabled(), true, 'cannot save an invalid URL');
  await page.getByTestId('conn-url').fill('https://app.netdata.cloud/api/v2/scim');
  await page.getByTestId('conn-token').fill('secret-token');
  await page.getByRole('button', { name: 'Colour #d32f2f' }).click();
  await page.screenshot({ path: path.join(shots, 'add-connection.png') });
  await page.getByTestId('conn-save').click();
  await page.getByTestId('test-report').getByText('Connected: PATCH').waitFor();
  await page.getByTestId('open-saved').click();
  await page.getByTestId('connection-name').getByText('Netdata prod').waitFor();
  const bar = await page.locator('.tag-bar').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(bar, 'rgb(211, 47, 47)', 'the colour tag is shown');
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('connection-name').click();
  assert.match(await page.getByTestId('connection-menu').innerText(), /Netdata prod/);
  await page.screenshot({ path: path.join(shots, 'connection-menu.png') });
  await context.close();
});

test('selecting a user opens the detail pane with the JSON as sent; Esc closes it', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.locator('[data-testid=users-table] tbody tr').nth(2).click();
  const pane = page.getByTestId('detail-pane');
  await pane.getByText('carla.user2@example.com').first().waitFor();
  const text = await pane.innerText();
  assert.match(text, /Profile: Data Entry/);
  assert.match(text, /Undeclared in \/Schemas: secodaRole/);
  await page.screenshot({ path: path.join(shots, 'user-detail.png') });
  await page.getByTestId('json-tab').click();
  assert.match(await page.getByTestId('raw-json').innerText(), /"secodaRole": "editor"/);
  await page.keyboard.press('Escape');
  await pane.waitFor({ state: 'detached' });
  await context.close();
});

test('saved connections can be tested, given a new token, and removed', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  // Save one first, through the real dialog.
  await page.getByTestId('connection-name').click();
  await page.getByTestId('add-connection').click();
  await page.getByTestId('conn-name').fill('Staging');
  await page.getByTestId('conn-url').fill('https://staging.example.com/scim/v2');
  await page.getByTestId('conn-token').fill('t');
  await page.getByTestId('conn-save').click();
  await page.getByTestId('test-report').waitFor();
  await page.getByRole('button', { name: 'Close' }).click();

  await page.getByTestId('connection-name').click();
  await page.getByTestId('manage-connections').click();
  const row = page.locator('[data-manage=Staging]');
  await row.getByRole('button', { name: 'Test' }).click();
  await row.getByTestId('manage-report').getByText('Connected: PATCH').waitFor();
  await row.getByRole('button', { name: 'Replace token' }).click();
  await page.getByTestId('new-token').fill('fresh-token');
  await row.getByRole('button', { name: 'Save and test' }).click();
  await row.getByTestId('manage-report').getByText('Connected with the new token').waitFor();
  await page.screenshot({ path: path.join(shots, 'manage-connections.png') });
  await row.getByRole('button', { name: 'Remove' }).click();
  await page.getByTestId('confirm-remove').click();
  await row.waitFor({ state: 'detached' });
  await context.close();
});

test('a group opens with its members, nested groups marked', async () => {
  const { page, context } = await openPage();
  await page.locator('[data-section=groups]').click();
  await page.getByTestId('groups-table').waitFor();
  await page.locator('[data-testid=groups-table] tbody tr').nth(1).click();
  const members = page.getByTestId('member-list');
  await members.waitFor();
  assert.deepEqual(await members.locator('li').allInnerTexts(), ['Ana User0', 'Engineering (group)']);
  await context.close();
});

test('a broken connections file is reported without hiding the open directory', async () => {
  const { page, context } = await openPage({ scenario: 'corrupt-connections' });
  await page.getByRole('alert').getByText('left untouched').waitFor();
  await page.getByTestId('users-table').waitFor();
  assert.equal(await page.locator('[data-testid=users-table] tbody tr').count(), 40);
  await context.close();
});

test('a small window keeps the navigation and the content readable', async () => {
  const { page, context } = await openPage({ width: 760, height: 500 });
  await page.getByTestId('status-bar').getByText('SCIM Explorer').waitFor();
  const nav = await page.locator('nav[aria-label=Sections]').boundingBox();
  const main = await page.locator('main').boundingBox();
  assert.ok(nav && main && main.x >= nav.x + nav.width - 1, 'content sits beside the navigation');
  assert.ok(main.width > 400, `content keeps a usable width (${main.width}px)`);
  await page.screenshot({ path: path.join(shots, 'shell-small.png') });
  await context.close();
});

let failed = 0;
for (const { name, fn } of tests) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(err?.stack ?? err).split('\n').join('\n     ')}`);
  }
}
await browser.close();
await server.close();
console.log(`${tests.length - failed} passed, ${failed} failed; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
