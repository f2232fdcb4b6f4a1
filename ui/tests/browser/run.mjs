// Browser-level UI tests: the real Svelte UI in Debian's Chromium (playwright-core), with the Tauri IPC
// mocked by tests/browser/harness.ts. Screenshots land in ../target/ui-browser/ for a human to look at.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { startOracle } from './oracle.mjs';

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

const oracle = await startOracle(uiRoot);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// Every page a test opens is checked when the test ends, whatever it asserted: an uncaught exception
// or a console error in the page fails the test (the shared teardown below), and its context is
// closed even when the test failed half-way.
const opened = [];

async function openPage({ scenario = 'ok', colorScheme = 'light', width = 1280, height = 800, users = 40 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()} (${msg.location()?.url ?? ''})`);
  });
  opened.push({ context, errors });
  await page.goto(`${base}?scenario=${scenario}&users=${users}&oracle=${encodeURIComponent(oracle.url)}`);
  return { page, context, errors };
}

/** The shared teardown: what every opened page logged, and every context closed. */
async function teardown() {
  const logged = opened.flatMap((o) => o.errors);
  for (const { context } of opened.splice(0)) await context.close().catch(() => {});
  return logged;
}

test('the shell shows the connection, the sections and the backend version', async () => {
  const { page, context, errors } = await openPage();
  await page.getByTestId('status-bar').getByText('SCIM Explorer 9.9.9-test').waitFor();
  assert.equal((await page.getByTestId('connection-name').innerText()).trim(), 'Demo directory');
  const sections = await page.locator('nav[aria-label=Sections] button').allInnerTexts();
  assert.deepEqual(sections, ['Users', 'Groups', 'Role groups', 'Diff', 'Reports', 'Changes', 'Request log', 'Tap', 'Server']);
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
  await page.locator('[data-testid=users-table] tbody tr[data-row]').first().waitFor();
  assert.equal(await page.getByTestId('users-table').getAttribute('aria-rowcount'), '40');
  assert.match(await page.getByTestId('users-count').innerText(), /^40 users/);
  const badges = await page.getByTestId('capabilities').locator('li').allInnerTexts();
  assert.deepEqual(badges, ['filter ≤1000', 'PATCH', 'ETag', 'no bulk']);
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'filter-input');
  await page.keyboard.type('userName sw "ana"');
  await page.keyboard.press('Enter');
  await page.getByTestId('users-count').getByText('10 users matching the filter').waitFor();
  const names = await page.locator('[data-testid=users-table] tbody tr[data-row] td:first-child').allInnerTexts();
  assert.ok(names.every((n) => n.startsWith('ana')), names.join());
  await page.screenshot({ path: path.join(shots, 'users-filtered.png') });
  await context.close();
});

test('the filter says what the rows show: not applied until Enter, then a chip that clears it', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, errors } = await openPage({ colorScheme });
    await page.getByTestId('users-table').waitFor();
    assert.equal(await page.getByTestId('filter-stale').count(), 0, 'nothing typed: nothing stale');
    assert.match(await page.getByTestId('filter-input').getAttribute('placeholder'), /^e\.g\. /);
    await page.getByTestId('filter-input').fill('userName sw "ben"');
    await page.getByTestId('filter-stale').getByText('not applied — Enter').waitFor();
    await page.getByTestId('stale-rows').getByText(/These rows are for no filter/).waitFor();
    await page.screenshot({ path: path.join(shots, `filter-stale-${colorScheme}.png`) });
    await page.getByTestId('filter-input').press('Enter');
    await page.getByTestId('filter-chip').getByText('userName sw "ben"').waitFor();
    await page.getByTestId('filter-stale').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('stale-rows').count(), 0);
    const names = await page.locator('[data-testid=users-table] tbody tr[data-row] td:first-child').allInnerTexts();
    assert.ok(names.length > 0 && names.every((n) => n.startsWith('ben')), names.join());
    await page.screenshot({ path: path.join(shots, `filter-applied-${colorScheme}.png`) });
    // An edit after applying is stale again; the chip's × clears both.
    await page.getByTestId('filter-input').fill('userName sw "be');
    await page.getByTestId('filter-stale').waitFor();
    await page.getByTestId('filter-clear').click();
    await page.getByTestId('filter-chip').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('filter-input').inputValue(), '');
    await page.getByTestId('users-count').getByText(/^40 users/).waitFor();
    assert.deepEqual(errors, []);
  }
});

test('the visual filter builder writes the filter text and offers typed values', async () => {
  const { page, context, errors } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('filter-input').fill('userName sw "ana"');
  await page.getByTestId('builder-toggle').click();
  const builder = page.getByTestId('filter-builder');
  const first = builder.getByTestId('builder-condition').first();
  assert.equal(await first.getByLabel('Operator').inputValue(), 'sw');
  assert.equal(await first.getByLabel('Value').inputValue(), 'ana');
  // A second condition on a boolean: the operators narrow, the value is a toggle.
  await builder.getByTestId('add-condition').first().click();
  const second = builder.getByTestId('builder-condition').nth(1);
  await second.getByLabel('Attribute').selectOption('active');
  assert.deepEqual(await second.getByLabel('Operator').locator('option').allInnerTexts(), ['equals', 'not equal', 'is present']);
  await page.waitForFunction(() => document.querySelector('[data-testid=filter-input]')?.value === 'userName sw "ana" and active eq true');
  await second.getByLabel('Value').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=filter-input]')?.value.endsWith('active eq false'));
  // Canonical values are offered for emails.type inside "one value of".
  await builder.getByRole('button', { name: '+ One value of…' }).click();
  const vp = builder.getByTestId('builder-valuepath');
  await vp.getByTestId('add-condition').click();
  await vp.getByTestId('builder-condition').getByLabel('Attribute').selectOption('type');
  await vp.getByTestId('builder-condition').getByLabel('Value').fill('work');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=filter-input]')?.value.endsWith('emails[type eq "work"]'),
  );
  await page.screenshot({ path: path.join(shots, 'filter-builder.png') });
  assert.deepEqual(errors, []);
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
  assert.equal(await page.getByTestId('users-table').getAttribute('aria-rowcount'), '40', 'the table is unchanged');
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

test('the quick filter, sorting and the column chooser work on the loaded users', async () => {
  const { page, context, errors } = await openPage();
  const rows = page.locator('[data-testid=users-table] tbody tr[data-row]');
  await rows.first().waitFor();
  // Sorted by userName by default; a click on the header reverses it.
  assert.match(await page.locator('th[aria-sort=ascending]').innerText(), /userName\s*▲/);
  await page.locator('[data-column=userName]').click();
  await page.locator('th[aria-sort=descending]').waitFor();
  // Rust's order (fixtures/answers.json): names sort naturally, numbers as numbers — dev.user39 first.
  assert.match(await rows.first().innerText(), /dev\.user39@/);
  await page.getByTestId('quick-filter').fill('Carla User2');
  await page.getByTestId('users-table').and(page.locator('[aria-rowcount="3"]')).waitFor();
  assert.match(await page.getByTestId('users-count').innerText(), /^3 of 40 users/);
  // Natural order, descending: 26, 22, then 2 (as text, "user2@" would come first: '@' > '6').
  assert.deepEqual(await rows.locator('td:first-child').allInnerTexts(), [
    'carla.user26@example.com',
    'carla.user22@example.com',
    'carla.user2@example.com',
  ]);
  await page.getByTestId('quick-filter').press('Escape');
  await page.getByTestId('users-table').and(page.locator('[aria-rowcount="40"]')).waitFor();
  // Columns: show the undeclared secodaRole, hide title; the choice survives a reload.
  await page.getByTestId('columns-button').click();
  await page.locator('[data-column-option=secodaRole]').check();
  await page.locator('[data-column-option=title]').uncheck();
  await page.screenshot({ path: path.join(shots, 'column-chooser.png') });
  await page.keyboard.press('Escape');
  await page.locator('th [data-column=secodaRole]').waitFor();
  assert.equal(await page.locator('th [data-column=title]').count(), 0);
  await page.reload();
  await page.locator('th [data-column=secodaRole]').waitFor();
  assert.equal(await page.locator('th [data-column=title]').count(), 0);
  await page.getByTestId('columns-button').click();
  await page.getByTestId('columns-reset').click();
  await page.locator('th [data-column=title]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('attribute projection asks the server for fewer attributes and says so', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('projection-button').click();
  await page.getByTestId('projection-only').fill('userName, emails ,');
  await page.screenshot({ path: path.join(shots, 'projection.png') });
  await page.getByTestId('projection-apply').click();
  await page.getByTestId('users-count').getByText(/only userName, emails/).waitFor();
  assert.deepEqual(await page.evaluate(() => window.lastProjection), { attributes: ['userName', 'emails'], excludedAttributes: [] });
  await context.close();
});

test('100,000 users scroll as a virtual table, and the keyboard moves through rows', async () => {
  const { page, context } = await openPage({ users: 100000 });
  const rows = page.locator('[data-testid=users-table] tbody tr[data-row]');
  await rows.first().waitFor();
  assert.match(await page.getByTestId('users-count').innerText(), /^100,000 users/);
  assert.ok((await rows.count()) < 120, `only the rows on screen are rendered (${await rows.count()})`);
  await page.getByTestId('users-table-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.locator('tr[aria-rowindex="100000"]').waitFor();
  await page.screenshot({ path: path.join(shots, 'users-100k-bottom.png') });
  await page.getByTestId('users-table-scroll').evaluate((el) => (el.scrollTop = 0));
  await page.locator('tr[aria-rowindex="1"]').waitFor();
  await page.getByTestId('users-table').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.getByTestId('detail-pane').waitFor();
  assert.equal(await page.locator('tr.selected').getAttribute('aria-rowindex'), '2');
  await context.close();
});

test('a load that fails midway keeps what arrived and resumes', async () => {
  const { page, context } = await openPage({ scenario: 'load-fails' });
  const banner = page.getByTestId('load-partial');
  await banner.waitFor();
  assert.match(await banner.innerText(), /Could not reach the server[\s\S]*showing 20 of 40 users[\s\S]*Connection reset/);
  assert.equal(await page.getByTestId('users-table').getAttribute('aria-rowcount'), '20');
  await page.screenshot({ path: path.join(shots, 'load-partial.png') });
  await page.getByTestId('load-resume').click();
  await banner.waitFor({ state: 'detached' });
  await page.getByTestId('users-table').and(page.locator('[aria-rowcount="40"]')).waitFor();
  assert.match(await page.getByTestId('users-count').innerText(), /^40 users/);
  await context.close();
});

test('the request log lists exchanges, filters by outcome and copies a request as curl', async () => {
  const { page, context, errors } = await openPage();
  await page.locator('[data-section=log]').click();
  const table = page.getByTestId('log-table');
  await table.waitFor();
  assert.equal(await table.locator('tbody tr').count(), 4);
  await page.locator('[data-outcome="4xx"]').click();
  assert.deepEqual(await table.locator('tbody tr td:nth-child(4)').allInnerTexts(), ['429']);
  await page.locator('[data-outcome=failed]').click();
  assert.match(await table.locator('tbody tr').innerText(), /failed/);
  await page.locator('[data-outcome=all]').click();
  await table.locator('tr[data-seq="3"]').click();
  const detail = page.getByTestId('log-detail');
  assert.match(await detail.innerText(), /\$SCIM_TOKEN/);
  assert.match(await detail.innerText(), /Bearer ••••••/);
  assert.match(await detail.innerText(), /"totalResults": 40/);
  await page.screenshot({ path: path.join(shots, 'request-log.png') });
  assert.match(await page.getByTestId('log-count').innerText(), /4 of 4 requests/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('presentation mode masks names and emails everywhere and says so', async () => {
  const { page, context } = await openPage({ colorScheme: 'dark' });
  const first = page.locator('[data-testid=users-table] tbody tr[data-row]').first();
  await first.waitFor();
  assert.match(await first.innerText(), /ana\.user0@example\.com/);
  await page.getByTestId('presentation-toggle').click();
  await page.getByTestId('presentation-indicator').waitFor();
  // Rust masks (its rules are tested there and in the real window): the UI asks again and shows
  // only what was served.
  await first.getByText('[masked by Rust]').first().waitFor();
  const masked = await first.innerText();
  assert.doesNotMatch(masked, /ana\.user0|user0@example/);
  assert.match(masked, /Field engineer/, 'titles are not personal data');
  await first.click();
  await page.getByTestId('json-tab').click();
  const json = await page.getByTestId('raw-json').innerText();
  assert.doesNotMatch(json, /user0@example\.com/);
  assert.match(json, /\[masked by Rust\]/);
  assert.equal(await page.getByTestId('open-put').isDisabled(), true, 'masked JSON is never sent back');
  // Off again: the real values come back without a reload.
  await page.getByTestId('presentation-toggle').click();
  await first.getByText('ana.user0@example.com').waitFor();
  await page.screenshot({ path: path.join(shots, 'presentation-mode-dark.png') });
  await context.close();
});

test('view settings live with the connection by id: old local storage moves there once, and a rename keeps them', async () => {
  const { page, context, errors } = await openPage();
  await page.getByTestId('users-table').waitFor();
  // What an older version left in local storage, keyed by the display name, is moved to Rust once.
  await page.evaluate(() => localStorage.setItem('scimx.columns.Demo directory.Users', JSON.stringify(['userName', 'secodaRole'])));
  await page.reload();
  await page.locator('th [data-column=secodaRole]').waitFor();
  assert.equal(await page.locator('th [data-column=title]').count(), 0);
  assert.equal(await page.evaluate(() => localStorage.getItem('scimx.columns.Demo directory.Users')), null, 'moved, not copied');
  assert.deepEqual(
    await page.evaluate(() => JSON.parse(sessionStorage.getItem('harness.views') ?? '{}').demo?.userColumns),
    ['userName', 'secodaRole'],
    'saved through the backend',
  );

  // A saved connection: choose its columns, rename it, open it again under the new name.
  await page.getByTestId('connection-name').click();
  await page.getByTestId('add-connection').click();
  await page.getByTestId('conn-name').fill('Staging');
  await page.getByTestId('conn-url').fill('https://staging.example.com/scim/v2');
  await page.getByTestId('conn-token').fill('secret-token');
  await page.getByTestId('conn-save').click();
  await page.getByTestId('open-saved').click();
  await page.getByTestId('connection-name').getByText('Staging').waitFor();
  await page.locator('[data-testid=users-table] tbody tr[data-row]').first().waitFor();
  await page.getByTestId('columns-button').click();
  await page.locator('[data-column-option=title]').uncheck();
  await page.keyboard.press('Escape');
  await page.locator('th [data-column=userName]').waitFor();
  assert.equal(await page.locator('th [data-column=title]').count(), 0);

  await page.getByTestId('connection-name').click();
  await page.getByTestId('manage-connections').click();
  await page.locator('[data-manage="Staging"]').getByRole('button', { name: 'Edit' }).click();
  await page.getByTestId('conn-name').fill('Staging EU');
  await page.getByTestId('conn-save').click();
  await page.getByTestId('test-report').waitFor();
  await page.getByTestId('open-saved').click();
  await page.getByTestId('connection-name').getByText('Staging EU').waitFor();
  await page.locator('[data-testid=users-table] tbody tr[data-row]').first().waitFor();
  await page.locator('th [data-column=userName]').waitFor();
  assert.equal(await page.locator('th [data-column=title]').count(), 0, 'the renamed connection keeps its columns');
  assert.deepEqual(errors, []);
  await context.close();
});

test('odd things the server did during discovery are shown once, then stay dismissed', async () => {
  const { page, context } = await openPage({ scenario: 'odd-server' });
  const box = page.getByTestId('server-warnings');
  await box.waitFor();
  assert.match(await box.innerText(), /deviated from RFC 7644 in 2 ways/);
  await box.locator('summary').click();
  assert.match(await box.innerText(), /ResourceTypes answered 404/);
  await page.screenshot({ path: path.join(shots, 'server-warnings.png') });
  await page.getByTestId('dismiss-warnings').click();
  await box.waitFor({ state: 'detached' });
  await page.reload();
  await page.getByTestId('users-table').waitFor();
  assert.equal(await page.getByTestId('server-warnings').count(), 0, 'not shown again');
  await context.close();
});

test('the command palette runs any action by name from the keyboard', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.keyboard.press('Control+k');
  const palette = page.getByTestId('command-palette');
  await palette.waitFor();
  await page.keyboard.type('req log');
  assert.deepEqual(await palette.locator('[role=option] span').allInnerTexts(), ['Go to Request log']);
  await page.screenshot({ path: path.join(shots, 'command-palette.png') });
  await page.keyboard.press('Enter');
  await palette.waitFor({ state: 'detached' });
  assert.equal(await page.locator('#section-title').innerText(), 'Request log');
  // What people come to do is there by what they would type.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('snapshot');
  assert.deepEqual(await palette.locator('[role=option] span').allInnerTexts(), ['Take a snapshot of this directory…']);
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#section-title').innerText(), 'Diff');
  await page.keyboard.press('Control+k');
  await page.keyboard.type('presentation');
  // Enter only once the list shows what was typed (a busy machine renders it a moment later).
  await palette.locator('[role=option]').first().getByText(/presentation/i).waitFor();
  await page.keyboard.press('Enter');
  await page.getByTestId('presentation-indicator').waitFor();
  await page.keyboard.press('Control+k');
  await page.keyboard.press('Escape');
  await palette.waitFor({ state: 'detached' });
  await context.close();
});

test('the palette finds a user by part of an email and opens them on Enter', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, errors } = await openPage({ colorScheme });
    await page.getByTestId('users-table').waitFor();
    await page.locator('[data-section=reports]').click();
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('command-palette');
    await page.keyboard.type('user26@');
    // Ranked in Rust: the first result is the one user whose email holds the text, ready on Enter.
    const first = palette.locator('[role=option]').first();
    await first.getByText('carla.user26@example.com').waitFor();
    assert.match(await first.innerText(), /user/);
    await page.screenshot({ path: path.join(shots, `palette-find-${colorScheme}.png`) });
    await page.keyboard.press('Enter');
    await palette.waitFor({ state: 'detached' });
    assert.equal(await page.locator('#section-title').innerText(), 'Users');
    await page.getByTestId('detail-pane').getByText('carla.user26@example.com').first().waitFor();
    // The pane starts with who it is and what they can reach: name, userName, status, then access.
    const pane = page.getByTestId('detail-pane');
    assert.equal(await pane.getByTestId('detail-name').innerText(), 'Carla User26');
    assert.equal(await pane.getByTestId('detail-status').innerText(), 'active');
    const headings = await pane.locator('h3').allInnerTexts();
    assert.match(headings[0] ?? '', /role groups/i);
    assert.match(headings[1] ?? '', /^groups/i);
    await page.screenshot({ path: path.join(shots, `palette-opened-${colorScheme}.png`) });
    // The splitter widens the pane (arrow keys here), and the width is kept for next time.
    const before = (await pane.boundingBox())?.width ?? 0;
    await page.getByTestId('pane-splitter').focus();
    await page.keyboard.press('Shift+ArrowLeft');
    await page.keyboard.press('Shift+ArrowLeft');
    const after = (await pane.boundingBox())?.width ?? 0;
    assert.ok(after > before + 100, `wider: ${before} → ${after}`);
    assert.equal(await page.evaluate(() => localStorage.getItem('scimx.paneWidth')), String(Math.round(after)));
    // Actions on the open user, from the palette: Deactivate opens its reviewed patch.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('deactivate');
    await palette.locator('[role=option]').first().getByText('Deactivate carla.user26@example.com…').waitFor();
    await page.keyboard.press('Enter');
    const builder = page.getByTestId('patch-builder');
    await builder.getByTestId('predicted-diff').getByText('active').waitFor();
    await page.keyboard.press('Escape');
    await builder.waitFor({ state: 'detached' });
    // Groups too, by a word of their name.
    await page.keyboard.press('Control+k');
    await page.keyboard.type('transmission');
    await palette.locator('[role=option]').first().getByText('Project: Transmission line (Read-only)').waitFor();
    await page.keyboard.press('Escape');
    assert.deepEqual(errors, []);
  }
});

test('role groups are sorted into categories by rules the user can change', async () => {
  const { page, context, errors } = await openPage();
  await page.locator('[data-section=roles]').click();
  const table = page.getByTestId('role-groups-table');
  await table.waitFor();
  assert.deepEqual(await table.locator('tbody tr td:first-child').allInnerTexts(), ['Data Entry']);
  assert.match(await page.getByTestId('roles-count').innerText(), /classified locally by 2 rules/);
  await page.locator('[data-tab=Projects]').click();
  assert.deepEqual(await table.locator('tbody tr td:first-child').allInnerTexts(), ['Transmission line (Read-only)']);
  // A third category from a regular expression; a broken one is refused before it is sent.
  await page.getByTestId('edit-rules').click();
  await page.getByTestId('add-rule').click();
  const row = page.getByTestId('rule-row').nth(2);
  await row.getByLabel('Category').fill('Everyone');
  await row.getByLabel('How it matches').selectOption('regex');
  await row.getByLabel('Pattern').fill('(all');
  assert.equal(await page.getByTestId('apply-rules').isDisabled(), true);
  await row.getByLabel('Pattern').fill('^all ');
  // A resource-type rule is offered the types the server declares.
  await page.getByTestId('add-rule').click();
  const typed = page.getByTestId('rule-row').nth(3);
  await typed.getByLabel('How it matches').selectOption('resourceType');
  assert.equal(await typed.getByLabel('Pattern').getAttribute('placeholder'), 'Role');
  assert.equal(await typed.getByLabel('Pattern').getAttribute('list'), 'declared-resource-types');
  assert.deepEqual(await page.locator('#declared-resource-types option').evaluateAll((o) => o.map((x) => x.value)), ['User', 'Group', 'Role']);
  await typed.getByLabel('Remove rule').click();
  await page.screenshot({ path: path.join(shots, 'role-rules.png') });
  await page.getByTestId('apply-rules').click();
  await page.locator('[data-tab=Everyone]').click();
  assert.deepEqual(await table.locator('tbody tr td:first-child').allInnerTexts(), ['All staff']);
  await page.reload();
  await page.locator('[data-section=roles]').click();
  await page.locator('[data-tab=Everyone]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the membership matrix shows who has which access and exports it', async () => {
  const { page, context } = await openPage();
  await page.locator('[data-section=roles]').click();
  await page.locator('[data-tab=matrix]').click();
  const matrix = page.getByTestId('role-matrix');
  await matrix.waitFor();
  assert.deepEqual(await matrix.locator('th.role').allInnerTexts(), ['Data Entry', 'Transmission line (Read-only)']);
  // The columns stand under their category (Profiles | Projects), each name whole, not cut.
  assert.deepEqual(await matrix.locator('th.category').allInnerTexts(), ['Profiles', 'Projects']);
  assert.deepEqual(await matrix.locator('th.category').evaluateAll((ths) => ths.map((t) => t.colSpan)), [1, 1]);
  const clipped = await matrix.locator('th.role span').evaluateAll((spans) => spans.filter((s) => s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1).map((s) => s.textContent));
  assert.deepEqual(clipped, [], 'no role name is cut');
  assert.match(await page.getByTestId('matrix-count').innerText(), /of 40 users × 2 role groups/);
  assert.match(await matrix.locator('tr[data-user=u0]').innerText(), /●/);
  await page.getByTestId('matrix-category').selectOption('Projects');
  await matrix.locator('th.role').first().getByText('Transmission line (Read-only)').waitFor();
  await page.screenshot({ path: path.join(shots, 'role-matrix.png') });
  // The Save dialog (Rust's, answered by the harness as a user would) suggests the connection, the
  // matrix and today's date in Downloads; a cancelled dialog writes nothing.
  await page.evaluate(() => window.__dialog.push(null));
  await page.getByTestId('matrix-export').click();
  await page.waitForFunction(() => window.__dialog.length === 0);
  assert.deepEqual(await callsOf(page, 'export_role_matrix'), [], 'cancelled: nothing written');
  assert.equal(await page.getByTestId('exported').count(), 0);
  await page.getByTestId('matrix-export').click();
  await page.getByText(/Exported \d+ users to \/home\/ana\/Downloads\/scim-explorer-demo-directory-role-matrix-\d{4}-\d\d-\d\d\.csv\./).waitFor();
  assert.deepEqual((await callsOf(page, 'choose_file')).map((c) => c.kind), ['roleMatrix', 'roleMatrix']);
  await page.getByTestId('show-in-folder').click();
  assert.match((await callsOf(page, 'show_in_folder'))[0].path, /role-matrix-\d{4}-\d\d-\d\d\.csv$/);
  await page.screenshot({ path: path.join(shots, 'role-matrix-exported.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(shots, 'role-matrix-exported-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  // Rust writes only where a dialog chose: a path the page names itself is refused.
  const [{ query }] = await callsOf(page, 'export_role_matrix');
  const refused = await page.evaluate((q) =>
    window.__TAURI_INTERNALS__.invoke('export_role_matrix', { query: q, path: '/home/ana/.ssh/authorized_keys' }).then(
      () => 'written',
      (e) => e.message,
    ),
  query);
  assert.match(refused, /was not chosen in a Save dialog/);
  await context.close();
});

test('a demo server in any profile, size and condition opens from the connection menu in two clicks', async () => {
  const { page, context, errors } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('connection-name').click();
  const demos = page.getByTestId('demo-profiles');
  // Rust's catalog: every profile with what it imitates.
  await demos.locator('[data-profile=netdata]').getByText('externalId must be the OIDC sub').waitFor();
  assert.deepEqual(await demos.locator('[data-profile]').evaluateAll((b) => b.map((x) => x.dataset.profile)), ['rfc', 'netdata', 'profiles-projects', 'secoda']);
  await demos.locator('[data-size="10000"]').click();
  await page.getByTestId('demo-slow').check();
  await page.getByTestId('demo-rate-limited').check();
  assert.equal(await page.getByTestId('connection-menu').isVisible(), true, 'choosing a size or a condition keeps the menu open');
  await page.screenshot({ path: path.join(shots, 'connection-menu-demos.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(shots, 'connection-menu-demos-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await demos.locator('[data-profile=netdata]').click();
  await page.getByTestId('connection-name').getByText('Demo · Netdata Cloud · 10,000 users · slow · rate-limited').waitFor();
  const [, asked] = await callsOf(page, 'open_demo_directory');
  assert.deepEqual(asked, { options: { profile: 'netdata', users: 10000, slow: true, rateLimited: true } });
  assert.equal(await page.getByTestId('connection-menu').count(), 0, 'the menu closed');
  assert.deepEqual(errors, []);
  await context.close();
});

test('adding a connection validates, tests, and opens it with its colour tag', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('connection-name').click();
  await page.getByTestId('add-connection').click();
  const dialog = page.getByTestId('connection-form');
  await dialog.waitFor();
  await page.getByTestId('conn-name').fill('Netdata prod');
  await page.getByTestId('conn-url').fill('app.netdata.cloud/scim');
  assert.match(await dialog.innerText(), /starts with https:\/\//);
  assert.equal(await page.getByTestId('conn-save').isDisabled(), true, 'cannot save an invalid URL');
  await page.getByTestId('conn-url').fill('https://app.netdata.cloud/api/v2/scim');
  await page.getByTestId('conn-token').fill('secret-token');
  await page.getByTestId('conn-sso-key').selectOption('externalId');
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
  await page.keyboard.press('Escape');
  assert.equal((await callsOf(page, 'save_connection'))[0].input.ssoKey, 'externalId');
  // The key chosen on the connection is the one the user page shows, and says so.
  await page.locator('[data-testid=users-table] tbody tr[data-row]').first().click();
  const sso = page.getByTestId('detail-pane').getByTestId('user-sso-key');
  await sso.getByText('set on this connection').waitFor();
  assert.match(await sso.innerText(), /Single sign-on\s+externalId/);
  await page.getByTestId('detail-pane').screenshot({ path: path.join(shots, 'user-sso-key.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('detail-pane').screenshot({ path: path.join(shots, 'user-sso-key-dark.png') });
  await context.close();
});

test('the form covers OAuth2, extra headers and TLS options, and edits keep stored secrets', async () => {
  const { page, context, errors } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('connection-name').click();
  await page.getByTestId('add-connection').click();
  await page.getByTestId('conn-name').fill('Entra staging');
  await page.getByTestId('conn-url').fill('https://scim.staging.example.com/v2');
  await page.locator('label.seg', { hasText: 'OAuth2' }).click();
  await page.getByTestId('conn-token-url').fill('login.example.com/token');
  assert.match(await page.getByTestId('connection-form').innerText(), /token endpoint starts with https/);
  await page.getByTestId('conn-token-url').fill('https://login.example.com/oauth2/token');
  await page.getByTestId('conn-client-id').fill('scim-explorer');
  await page.getByTestId('conn-token').fill('client-secret-value');
  await page.getByTestId('add-header').click();
  const header = page.getByTestId('header-row').first();
  await header.getByLabel('Header name').fill('X Tenant');
  assert.match(await page.getByTestId('header-error').innerText(), /not a valid header name/);
  assert.equal(await page.getByTestId('conn-save').isDisabled(), true);
  await header.getByLabel('Header name').fill('X-Tenant-Id');
  await header.getByLabel('Header value').fill('tenant-42');
  await page.locator('summary').click();
  await page.getByTestId('conn-insecure').check();
  await page.getByTestId('insecure-warning').waitFor();
  await page.getByTestId('conn-proxy').fill('http://proxy.example:3128');
  await page.getByTestId('conn-timeout').fill('45');
  await page.getByTestId('conn-max-resources').fill('12x');
  assert.match(await page.getByTestId('connection-form').innerText(), /A whole number of resources/);
  await page.getByTestId('conn-max-resources').fill('250000');
  await page.screenshot({ path: path.join(shots, 'connection-form-oauth.png'), fullPage: true });
  await page.getByTestId('conn-save').click();
  await page.getByTestId('test-report').waitFor();
  const sent = await page.evaluate(() => window.lastSaved);
  assert.deepEqual(sent.auth, {
    kind: 'oAuth2',
    tokenUrl: 'https://login.example.com/oauth2/token',
    clientId: 'scim-explorer',
    scope: null,
  });
  assert.deepEqual(sent.headers, [{ name: 'X-Tenant-Id', value: 'tenant-42' }]);
  assert.equal(sent.secret, 'client-secret-value');
  assert.equal(sent.timeoutSecs, 45);
  assert.equal(sent.maxResources, 250000);
  assert.equal(sent.acceptInvalidCerts, true);
  await page.getByRole('button', { name: 'Close' }).click();

  // Edit: fields come back filled, secrets empty and kept unless retyped.
  await page.getByTestId('connection-name').click();
  await page.getByTestId('manage-connections').click();
  const row = page.locator('[data-manage="Entra staging"]');
  assert.match(await row.innerText(), /invalid certificates accepted/);
  await row.getByRole('button', { name: 'Edit' }).click();
  const form = page.getByTestId('connection-form');
  assert.equal(await page.getByTestId('conn-client-id').inputValue(), 'scim-explorer');
  assert.equal(await page.getByTestId('conn-token').inputValue(), '');
  assert.match(await form.innerText(), /Save changes and test/);
  await page.getByTestId('conn-read-only').check();
  await page.screenshot({ path: path.join(shots, 'connection-form-edit.png') });
  await page.getByTestId('conn-save').click();
  await page.getByTestId('test-report').waitFor();
  const edited = await page.evaluate(() => window.lastSaved);
  assert.equal(edited.id, 'entra-staging');
  assert.equal(edited.secret, null, 'an untouched secret field keeps the stored secret');
  assert.deepEqual(edited.headers, [{ name: 'X-Tenant-Id', value: null }]);
  assert.equal(edited.readOnly, true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('without a keychain the token is never written to disk; the user may keep it for the session', async () => {
  const { page, context } = await openPage({ scenario: 'no-keychain', colorScheme: 'dark' });
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('connection-name').click();
  await page.getByTestId('add-connection').click();
  await page.getByTestId('conn-name').fill('Laptop test');
  await page.getByTestId('conn-url').fill('https://scim.example.com/v2');
  await page.getByTestId('conn-token').fill('tok');
  await page.getByTestId('conn-save').click();
  await page.getByRole('alert').getByText('No keychain is available').waitFor();
  await page.getByTestId('keychain-fallback').waitFor();
  await page.screenshot({ path: path.join(shots, 'connection-no-keychain.png') });
  await page.getByTestId('keep-for-session').click();
  await page.getByTestId('test-report').getByText('session only').waitFor();
  assert.equal((await page.evaluate(() => window.lastSaved)).sessionOnly, true);
  await context.close();
});

test('an import that weakens security waits for a confirmation, in both themes', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context } = await openPage({ colorScheme });
    await page.getByTestId('users-table').waitFor();
    await page.getByTestId('connection-name').click();
    await page.getByTestId('manage-connections').click();
    const lab = {
      id: 'lab', name: 'Lab', baseUrl: 'https://lab.example/scim/v2', auth: { kind: 'bearer' }, color: null,
      readOnly: false, notes: '', caBundlePath: null, acceptInvalidCerts: true, proxy: null, timeoutSecs: null,
      headerNames: [], sessionOnly: false,
    };
    await page.getByTestId('import-file').setInputFiles({
      name: 'lab.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ version: 1, connections: [lab] })),
    });
    await page.getByTestId('import-confirm').waitFor();
    await page.getByTestId('import-confirm').screenshot({ path: path.join(shots, `import-confirm-${colorScheme}.png`) });
    await page.getByTestId('import-cancel').click();
    assert.equal(await page.getByTestId('import-confirm').count(), 0);
    assert.equal(await page.locator('[data-manage="Lab"]').count(), 0, "Don't import imports nothing");
    await context.close();
  }
});

test('connections are exported without secrets and imported from a file', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('connection-name').click();
  await page.getByTestId('manage-connections').click();
  const file = {
    version: 1,
    connections: [
      { id: 'okta-dev', name: 'Okta dev', baseUrl: 'https://okta.example.com/scim/v2', auth: { kind: 'bearer' },
        color: '#f57c00', readOnly: true, notes: '', caBundlePath: null, acceptInvalidCerts: false, proxy: null,
        timeoutSecs: null, headerNames: [], sessionOnly: false },
    ],
  };
  await page.getByTestId('import-file').setInputFiles({
    name: 'team.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(file)),
  });
  await page.getByTestId('manage-notice').getByText('Imported Okta dev').waitFor();
  await page.locator('[data-manage="Okta dev"]').waitFor();
  // A file that turns certificate checks off imports nothing until the user agrees.
  const lab = { ...file.connections[0], id: 'lab', name: 'Lab', acceptInvalidCerts: true };
  await page.getByTestId('import-file').setInputFiles({
    name: 'lab.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ version: 1, connections: [lab] })),
  });
  await page.getByTestId('import-confirm').getByText('"Lab" accepts invalid certificates').waitFor();
  assert.equal(await page.locator('[data-manage="Lab"]').count(), 0, 'nothing imported yet');
  await page.screenshot({ path: path.join(shots, 'manage-import-confirm.png') });
  await page.getByTestId('import-anyway').click();
  await page.getByTestId('manage-notice').getByText('Imported Lab').waitFor();
  await page.locator('[data-manage="Lab"]').waitFor();
  await page.getByTestId('export-connections').click();
  await page.getByTestId('manage-exported').getByText(/scim-explorer-demo-directory-connections-\d{4}-\d\d-\d\d\.json \(no secrets in it\)/).waitFor();
  await page.screenshot({ path: path.join(shots, 'manage-import-export.png') });
  await context.close();
});

test('selecting a user opens the detail pane with the JSON as sent; Esc closes it', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  await page.locator('[data-testid=users-table] tbody tr[data-row=u2]').click();
  const pane = page.getByTestId('detail-pane');
  await pane.getByText('carla.user2@example.com').first().waitFor();
  const text = await pane.innerText();
  assert.match(text, /Profile: Data Entry/);
  assert.match(text, /Undeclared in \/Schemas: secodaRole/);
  assert.match(await pane.getByTestId('user-role-groups').innerText(), /Profiles\s+Profile: Data Entry/);
  // The key the user signs in by, as Rust suggests it from the users when the connection sets none.
  const sso = await pane.getByTestId('user-sso-key').innerText();
  assert.match(sso, /Single sign-on\s+(externalId|userName|email)/);
  assert.match(sso, /externalId|userNames are email addresses/);
  await page.screenshot({ path: path.join(shots, 'user-detail.png') });
  await page.getByTestId('json-tab').click();
  assert.match(await page.getByTestId('raw-json').innerText(), /"secodaRole": "viewer"/);
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
  await page.locator('[data-testid=groups-table] tbody tr[data-row=g2]').click();
  const members = page.getByTestId('member-list');
  await members.waitFor();
  await members.locator('li').first().waitFor();
  assert.deepEqual(await members.locator('li .label').allInnerTexts(), ['Engineering (group)', 'Ana User0', 'ghost-user-1']);
  assert.match(await members.locator('li.missing').innerText(), /not found/);
  assert.match(await page.getByTestId('missing-members').innerText(), /1 member is not among the loaded users or groups/);
  await page.screenshot({ path: path.join(shots, 'group-detail.png') });
  await context.close();
});

test('a broken connections file is reported without hiding the open directory', async () => {
  const { page, context } = await openPage({ scenario: 'corrupt-connections' });
  await page.getByRole('alert').getByText('left untouched').waitFor();
  await page.getByTestId('users-table').waitFor();
  assert.equal(await page.getByTestId('users-table').getAttribute('aria-rowcount'), '40');
  await context.close();
});

test('a small window keeps the navigation and the content readable', async () => {
  const { page, context } = await openPage({ width: 760, height: 500 });
  await page.getByTestId('status-bar').getByText('SCIM Explorer').waitFor();
  const nav = await page.locator('nav[aria-label=Sections]').boundingBox();
  const main = await page.locator('main').boundingBox();
  assert.ok(nav && main && main.x >= nav.x + nav.width - 1, 'content sits beside the navigation');
  assert.ok(main.width > 400, `content keeps a usable width (${main.width}px)`);
  // The toolbar keeps one line: quick filter, count, Columns and "More" sit side by side, whole inside
  // the content (none clipped at the edge, as "Colum" was); the other buttons are in the menu.
  await page.getByTestId('columns-button').waitFor();
  const ids = ['quick-filter', 'users-count', 'columns-button', 'overflow-button'];
  const boxes = await Promise.all(ids.map((id) => page.getByTestId(id).boundingBox()));
  for (const [i, box] of boxes.entries()) {
    assert.ok(box && box.x + box.width <= main.x + main.width + 0.5, `${ids[i]} clipped at ${box?.x}+${box?.width} > ${main.x + main.width}`);
    assert.ok(Math.abs(box.y + box.height / 2 - (boxes[0].y + boxes[0].height / 2)) < 4, `${ids[i]} is on the toolbar's line (y ${box.y})`);
  }
  assert.equal(await page.getByTestId('reload').count(), 0, 'Reload moved into More');
  const more = page.getByTestId('overflow-button');
  await more.focus();
  await page.keyboard.press('ArrowDown');
  const menu = page.getByTestId('overflow-menu');
  assert.deepEqual(await menu.getByRole('menuitem').allInnerTexts(), ['Reload', 'New user…', 'Attributes…']);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'reload', 'the menu opens on its first item');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'projection-button', 'arrows wrap round');
  await page.screenshot({ path: path.join(shots, 'shell-small-menu.png') });
  await page.keyboard.press('Escape');
  assert.equal(await menu.count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'overflow-button', 'Escape gives focus back');
  await more.click();
  await page.getByTestId('projection-button').click();
  await page.getByTestId('projection').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('projection').count(), 0, 'Escape closes the projection');
  await page.setViewportSize({ width: 1280, height: 500 });
  await page.getByTestId('reload').waitFor();
  assert.equal(await page.getByTestId('overflow-button').count(), 0, 'a wide window shows every button');
  await page.setViewportSize({ width: 760, height: 500 });
  await more.waitFor();
  await page.screenshot({ path: path.join(shots, 'shell-small.png') });
  await context.close();
});

async function openUser(page, row = 'u2') {
  await page.getByTestId('users-table').waitFor();
  await page.locator(`[data-testid=users-table] tbody tr[data-row=${row}]`).click();
  await page.getByTestId('write-actions').waitFor();
}

test('the PATCH builder picks a path from the schema, keeps the JSON in sync and shows the dry run', async () => {
  const { page, context, errors } = await openPage();
  await openUser(page);
  await page.getByTestId('open-patch').click();
  const builder = page.getByTestId('patch-builder');
  await builder.waitFor();
  const op = builder.getByTestId('patch-op').first();
  // Read-only attributes are listed but cannot be picked; undeclared ones are offered in their group.
  assert.equal(await op.locator('option[value=meta]').getAttribute('disabled'), '');
  assert.equal(await op.locator('optgroup[label^=Undeclared] option').innerText(), 'secodaRole');
  await op.getByTestId('path-picker').selectOption('active');
  // A boolean gets a switch, starting at false: carla is active, so the dry run predicts the change.
  assert.equal(await op.getByRole('switch').isChecked(), false);
  await builder.getByTestId('predicted-diff').getByText('active').waitFor();
  // A value filter on a multi-valued attribute, with the canonical types offered as one click.
  await builder.getByTestId('add-op').click();
  const second = builder.getByTestId('patch-op').nth(1);
  await second.getByTestId('path-picker').selectOption('emails');
  await second.getByRole('button', { name: 'work' }).click();
  await second.getByLabel('Sub-attribute').selectOption('value');
  await second.getByLabel(/Value of emails/).fill('ana@new.example');
  await builder.getByTestId('dialect-body').getByText('ana@new.example').waitFor();
  assert.equal(await second.locator('code.full').innerText(), 'emails[type eq "work"].value');
  await page.screenshot({ path: path.join(shots, 'patch-builder.png') });
  // The raw tab edits the same PatchOp; a broken path marks the operation it is in.
  await builder.getByTestId('patch-json-tab').click();
  const raw = builder.getByTestId('patch-raw');
  const body = JSON.parse(await raw.inputValue());
  assert.deepEqual(body.Operations[0], { op: 'replace', path: 'active', value: false });
  body.Operations[1].path = 'emails[type eq "work"';
  await raw.fill(JSON.stringify(body, null, 2));
  await builder.getByRole('alert').getByText(/Operation 2/i).waitFor();
  await builder.getByRole('tab', { name: 'Visual' }).click();
  await builder.locator('[data-testid=patch-op].bad').waitFor();
  assert.equal(await builder.locator('[data-testid=patch-op]').nth(1).getAttribute('class').then((c) => c.includes('bad')), true);
  assert.equal(await builder.getByTestId('review-request').isDisabled(), true, 'nothing can be sent while it is wrong');
  await page.screenshot({ path: path.join(shots, 'patch-builder-error.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the dialect shows what an identity provider would send, and nothing is sent before review', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context } = await openPage({ colorScheme });
    await openUser(page);
    await page.getByTestId('toggle-active').click();
    const builder = page.getByTestId('patch-builder');
    await builder.getByTestId('predicted-diff').getByText('active').waitFor();
    await builder.getByTestId('dialect').selectOption('entra');
    await builder.getByTestId('dialect-body').getByText(/"op": "Replace"/).waitFor();
    assert.match(await builder.getByTestId('dialect-body').innerText(), /"False"/);
    await page.screenshot({ path: path.join(shots, `patch-builder-entra-${colorScheme}.png`) });
    await builder.getByTestId('review-request').click();
    const review = builder.getByTestId('request-review');
    assert.match(await review.innerText(), /PATCH\s+http:\/\/127\.0\.0\.1:4010\/scim\/v2\/Users\/u2/);
    assert.match(await review.innerText(), /If-Match: W\/"7"/);
    await page.screenshot({ path: path.join(shots, `patch-review-${colorScheme}.png`) });
    await page.keyboard.press('Control+Enter');
    await builder.getByTestId('patch-outcome').waitFor();
    assert.match(await builder.getByTestId('actual-diff').innerText(), /active/);
    await context.close();
  }
});

test('a server that does not do what the dry run predicted is flagged, line by line', async () => {
  const { page, context } = await openPage({ scenario: 'mismatch', colorScheme: 'dark' });
  await openUser(page);
  await page.getByTestId('toggle-active').click();
  const builder = page.getByTestId('patch-builder');
  await builder.getByTestId('predicted-diff').getByText('active').waitFor();
  await builder.getByTestId('review-request').click();
  await builder.getByTestId('send-request').click();
  const box = builder.getByTestId('mismatches');
  await box.waitFor();
  assert.match(await box.innerText(), /predicted false, the server has true/);
  // The outcome is a table, the mismatched row marked in the row: Path | Before | Predicted | Server.
  const table = builder.getByTestId('actual-diff');
  assert.deepEqual(await table.locator('th').allInnerTexts(), ['Path', 'Before', 'Predicted', 'Server']);
  const row = table.locator('tr.mismatch[data-path=active]');
  assert.deepEqual((await row.locator('td').allInnerTexts()).map((t) => t.replace('⚠', '').trim()), ['active', 'true', 'false', 'true']);
  await page.screenshot({ path: path.join(shots, 'patch-mismatch-dark.png') });
  await context.close();
});

test('a refused change shows its request in the dialog, keeping the draft, not behind it', async () => {
  const { page, errors } = await openPage({ scenario: 'patch-refused' });
  await openUser(page);
  await page.getByTestId('toggle-active').click();
  const builder = page.getByTestId('patch-builder');
  await builder.getByTestId('predicted-diff').getByText('active').waitFor();
  await builder.getByTestId('review-request').click();
  await builder.getByTestId('send-request').click();
  const banner = builder.getByTestId('error-banner');
  await banner.waitFor();
  assert.match(await banner.getByTestId('error-request').innerText(), /PATCH http:\/\/127\.0\.0\.1:4010\/scim\/v2\/Users\/u2/);
  await banner.getByTestId('show-request').click();
  const detail = banner.getByTestId('log-detail');
  await detail.waitFor();
  assert.match(await detail.innerText(), /#5 PATCH 400/);
  assert.match(await detail.innerText(), /active must be a boolean/);
  // Still in the dialog, on the same section: nothing navigated behind the modal, nothing was lost.
  assert.equal(await page.locator('[data-section=users]').getAttribute('aria-current'), 'page');
  assert.equal(await builder.isVisible(), true);
  await page.screenshot({ path: path.join(shots, 'patch-refused-request.png') });
  await detail.getByRole('button', { name: 'Close the request' }).click();
  assert.equal(await banner.getByTestId('log-detail').count(), 0);
  assert.deepEqual(errors, []);
});

test('a read-only connection previews a change but cannot send it', async () => {
  const { page, context } = await openPage({ scenario: 'readonly' });
  await openUser(page);
  await page.getByTestId('toggle-active').click();
  const builder = page.getByTestId('patch-builder');
  await builder.getByTestId('read-only-note').waitFor();
  await builder.getByTestId('review-request').click();
  assert.equal(await builder.getByTestId('send-request').isDisabled(), true);
  await context.close();
});

test('add to group from a user page opens a patch of that group with the user as member', async () => {
  const { page, context } = await openPage();
  await openUser(page);
  await page.getByTestId('add-to-group').click();
  const picker = page.getByTestId('group-picker');
  await picker.getByTestId('pick-group').first().waitFor();
  await picker.getByTestId('pick-group').first().click();
  const builder = page.getByTestId('patch-builder');
  await builder.waitFor();
  assert.match(await builder.locator('h2').innerText(), /^Patch group /);
  await builder.getByTestId('patch-json-tab').click();
  const body = JSON.parse(await builder.getByTestId('patch-raw').inputValue());
  assert.deepEqual(body.Operations, [{ op: 'add', path: 'members', value: [{ value: 'u2' }] }]);
  await context.close();
});

test('changes are listed with undo, which shows the inverse request first', async () => {
  const { page, context } = await openPage();
  await openUser(page);
  await page.getByTestId('toggle-active').click();
  const builder = page.getByTestId('patch-builder');
  await builder.getByTestId('predicted-diff').getByText('active').waitFor();
  await builder.getByTestId('review-request').click();
  await builder.getByTestId('send-request').click();
  await builder.getByTestId('close-outcome').click();
  await page.locator('[data-section=changes]').click();
  const table = page.getByTestId('changes-table');
  await table.waitFor();
  assert.match(await table.innerText(), /patch\s+User carla\.user2@example\.com\s+200/);
  await table.getByTestId('undo').click();
  const dialog = page.getByTestId('undo-dialog');
  await dialog.getByTestId('request-review').waitFor();
  await page.screenshot({ path: path.join(shots, 'change-log-undo.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(shots, 'change-log-undo-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await dialog.getByTestId('send-undo').click();
  await dialog.getByTestId('undo-diff').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await table.getByText('undone').waitFor();
  await context.close();
});

test('a new user is checked against the schema, and a taken userName offers the existing one', async () => {
  const { page, context } = await openPage({ colorScheme: 'dark' });
  await page.getByTestId('users-table').waitFor();
  await page.getByTestId('new-resource').click();
  const dialog = page.getByTestId('write-create');
  await dialog.getByTestId('create-form').waitFor();
  await dialog.getByRole('alert').getByText('Required: userName.').waitFor();
  assert.equal(await dialog.getByTestId('review-request').isDisabled(), true);
  await dialog.getByLabel('userName', { exact: true }).fill('taken@example.com');
  await page.screenshot({ path: path.join(shots, 'create-user-dark.png') });
  await dialog.getByRole('alert').waitFor({ state: 'detached' });
  await dialog.getByTestId('review-request').click();
  assert.match(await dialog.getByTestId('request-review').innerText(), /POST/);
  await dialog.getByTestId('send-request').click();
  await dialog.getByTestId('create-conflict').getByText('Open the existing user').click();
  await page.getByTestId('detail-pane').getByText('dev.user3@example.com').first().waitFor();
  await context.close();
});

test('delete asks to type the name before the button works', async () => {
  const { page, context } = await openPage();
  await openUser(page);
  await page.getByTestId('open-delete').click();
  const dialog = page.getByTestId('write-delete');
  await dialog.getByTestId('request-review').waitFor();
  const send = dialog.getByTestId('send-request');
  assert.equal(await send.isDisabled(), true);
  await dialog.getByTestId('delete-confirm').fill('carla.user2');
  assert.equal(await send.isDisabled(), true);
  await dialog.getByTestId('delete-confirm').fill('carla.user2@example.com');
  assert.equal(await send.isDisabled(), false);
  await page.screenshot({ path: path.join(shots, 'delete-confirm.png') });
  await send.click();
  await dialog.getByTestId('write-outcome').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByTestId('detail-pane').waitFor({ state: 'detached' });
  await context.close();
});

test('a multi-selection is deactivated in one reviewed Bulk request, with a result per user', async () => {
  const { page, context, errors } = await openPage();
  await page.getByTestId('users-table').waitFor();
  const row = (id) => page.locator(`[data-testid=users-table] tbody tr[data-row=${id}]`);
  await row('u2').click();
  await row('u6').click({ modifiers: ['Control'] });
  await row('u10').click({ modifiers: ['Control'] });
  const bar = page.getByTestId('selection-bar');
  await bar.getByText('3 users selected').waitFor();
  assert.equal(await page.locator('[data-testid=users-table] tbody tr.checked').count(), 3);
  await bar.getByTestId('batch-deactivate').click();
  const builder = page.getByTestId('patch-builder');
  await builder.locator('h2').getByText('Patch 3 users').waitFor();
  await builder.getByTestId('predicted-diff').getByText('active').waitFor();
  await builder.getByTestId('review-request').click();
  assert.match(await builder.getByTestId('batch-summary').innerText(), /3 of 3 users in one Bulk request/);
  assert.match(await builder.getByTestId('request-review').innerText(), /POST\s+\S+\/Bulk/);
  await page.screenshot({ path: path.join(shots, 'batch-review.png') });
  await builder.getByTestId('send-request').click();
  const results = builder.getByTestId('batch-outcome');
  await results.waitFor();
  assert.equal(await results.locator('tbody tr').count(), 3);
  await page.screenshot({ path: path.join(shots, 'batch-outcome.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a snapshot compared with now: counters filter the narrated lines, a line opens its diff, export asks to mask', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, errors } = await openPage({ colorScheme });
    await page.locator('[data-section=diff]').click();
    await page.getByTestId('snapshot-list').getByText('2026-11-20 09:00:00 UTC').waitFor();
    await page.getByTestId('compare-with-now').click();
    const summary = page.getByTestId('compare-summary');
    await summary.getByText('40 users paired (98%)').waitFor();
    const lines = page.getByTestId('diff-lines');
    await lines.getByText('Ben User1 removed from Profile: Administrator').waitFor();
    assert.equal(await lines.locator('.line').count(), 4);
    await summary.locator('[data-counter=membership-removed]').click();
    await page.getByTestId('diff-count').getByText('1 of 4 lines').waitFor();
    await summary.locator('[data-counter=membership-removed]').click();
    await page.getByTestId('diff-count').getByText('4 of 4 lines').waitFor();
    await page.getByTestId('diff-quick').fill('apollo');
    await page.getByTestId('diff-count').getByText('1 of 4 lines').waitFor();
    await page.getByTestId('diff-quick').fill('');
    await lines.getByText('carla.user2@example.com: deactivated').click();
    await page.getByTestId('line-fields').getByText('active').waitFor();
    await page.screenshot({ path: path.join(shots, `compare-${colorScheme}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
  const { page, context } = await openPage();
  await page.getByRole('button', { name: /Presentation/ }).click();
  await page.locator('[data-section=diff]').click();
  await page.getByTestId('compare-with-now').click();
  await page.getByTestId('diff-lines').locator('.line').first().waitFor();
  await page.getByTestId('diff-lines').getByText('[masked by Rust]').first().waitFor();
  assert.doesNotMatch(await page.getByTestId('diff-lines').innerText(), /carla\.user2@example\.com/, 'only what Rust served (masked) is on screen');
  await page.getByTestId('export-diff').click();
  await page.getByTestId('mask-prompt').getByTestId('export-masked').click();
  await page.getByRole('status').getByText('Exported 4 lines').waitFor();
  const exported = await page.evaluate(() => window.__exports.at(-1));
  assert.equal(exported.mask, true);
  await context.close();
});

test('reports are tables with their provenance, filtered and exported', async () => {
  const { page, context, errors } = await openPage();
  await page.locator('[data-section=reports]').click();
  await page.locator('[data-report=no-group]').click();
  await page.getByTestId('report-provenance').getByText('read now').waitFor();
  await page.getByTestId('report-count').getByText('12 of 12 rows').waitFor();
  await page.getByPlaceholder('Find in the rows').fill('user1');
  await page.getByTestId('report-count').getByText('3 of 12 rows').waitFor();
  await page.getByTestId('report-source').selectOption({ index: 1 });
  await page.getByTestId('report-provenance').getByText('snapshot sha256').waitFor();
  await page.screenshot({ path: path.join(shots, 'report.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(shots, 'report-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByTestId('export-csv').click();
  await page.getByRole('status').getByText(/Exported to .*-demo-directory-users-in-no-group-\d{4}-\d\d-\d\d\.csv/).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a snapshot opens offline, read-only, with a banner saying what it is', async () => {
  const { page, context } = await openPage();
  await page.locator('[data-section=diff]').click();
  await page.getByTestId('open-offline').click();
  const banner = page.getByTestId('snapshot-banner');
  await banner.getByText('read-only').waitFor();
  assert.match(await banner.innerText(), /Offline snapshot of Demo directory taken 2026-11-20 09:00:00 UTC · 40 users, 6 groups/);
  assert.equal(await page.locator('#section-title').innerText(), 'Users');
  await page.getByTestId('users-table').waitFor();
  assert.equal(await page.getByTestId('new-resource').count(), 0, 'no New user… on a read-only directory');
  await page.locator('[data-testid=users-table] tbody tr[data-row=u2]').click();
  await page.getByTestId('read-only-actions').getByText('this connection is read-only').waitFor();
  assert.equal(await page.getByTestId('write-actions').count(), 0);
  // It never passes for live: the top bar says what it is, shows no capabilities, offers Back to live;
  // nothing reloads.
  assert.equal(await page.getByTestId('connection-note').innerText(), 'offline · read-only · nothing here is live');
  assert.match(await page.getByTestId('connection-name').innerText(), /Snapshot of Demo directory/);
  assert.equal(await page.getByTestId('capabilities').locator('li').count(), 0);
  assert.equal(await page.getByTestId('reload').count(), 0);
  assert.match((await page.getByTestId('top-bar').getAttribute('class')) ?? '', /offline/);
  await page.screenshot({ path: path.join(shots, 'snapshot-offline.png') });
  await page.getByTestId('back-to-live').click();
  await page.getByTestId('snapshot-banner').waitFor({ state: 'detached' });
  await page.getByTestId('capabilities').locator('li').first().waitFor();
  await page.getByTestId('reload').waitFor();
  await context.close();
});

test('the server check lists each finding with its exchanges, and a scenario plays step by step', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, errors } = await openPage({ colorScheme });
    await page.locator('[data-section=server]').click();
    await page.getByTestId('check-writes').check();
    await page.getByTestId('run-check').click();
    await page.getByTestId('confirm-writes').getByTestId('confirm-run-check').click();
    const summary = page.getByTestId('check-summary');
    await summary.getByText('1 deviation').waitFor();
    assert.match(await summary.innerText(), /1 note.*1 unsupported.*1 pass/s);
    // A verdict that rests on an assumption says which, under its detail; the others say nothing.
    assert.equal(await page.getByTestId('rests-on').count(), 1);
    assert.equal(await page.locator('[data-item="data.declared"] [data-testid=rests-on]').innerText(), "Rests on /Schemas being the server's whole schema");
    assert.equal(await page.locator('[data-item="filter.eq"] code.inline').innerText(), 'userName eq "ana"');
    assert.doesNotMatch(await page.locator('[data-item="filter.eq"]').innerText(), /`/);
    await page.locator('[data-item="filter.eq"]').click();
    await page.getByTestId('check-items').getByText('GET http://127.0.0.1:4010/scim/v2/Users?filter=').waitFor();
    await page.screenshot({ path: path.join(shots, `server-check-${colorScheme}.png`) });
    await page.getByTestId('export-check').click();
    await page.getByRole('status').getByText(/Report written: .*\.md, .*\.json/).waitFor();
    await page.getByTestId('tab-scenarios').click();
    await page.getByTestId('start-scenario').click();
    await page.getByTestId('confirm-scenario').getByTestId('confirm-start').click();
    await page.getByTestId('step-scenario').click();
    await page.getByTestId('scenario-steps').getByText('jo: active: expected true, got true').waitFor();
    await page.getByTestId('play-scenario').click();
    await page.getByTestId('scenario-report').getByText('Every step passed.').waitFor();
    await page.getByTestId('cleanup-scenario').click();
    await page.getByTestId('scenario-report').getByText('Every test resource was deleted.').waitFor();
    await page.getByTestId('export-scenario').click();
    await page.getByRole('status').getByText(/Report written: .*\.md, .*\.json/).waitFor();
    await page.screenshot({ path: path.join(shots, `scenario-${colorScheme}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('text and primary buttons meet WCAG AA contrast in both themes', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, errors } = await openPage({ colorScheme });
    await page.getByTestId('users-table').waitFor();
    await page.locator('[data-section=server]').click();
    await page.getByTestId('run-check').waitFor();
    // Contrast computed from the styles the browser applied (WCAG 2.x relative luminance).
    const ratios = await page.evaluate(() => {
      const rgb = (c) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = (v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
          const bg = getComputedStyle(e).backgroundColor;
          if (bg && !bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') return bg;
        }
        return 'rgb(255, 255, 255)';
      };
      const ratio = (el) => {
        const a = lum(rgb(getComputedStyle(el).color));
        const b = lum(rgb(background(el)));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      };
      const pick = {
        'primary button': document.querySelector('.btn.primary'),
        'section title': document.querySelector('#section-title'),
        'nav item': document.querySelector('nav[aria-label=Sections] button:not(.active)'),
        'muted text': document.querySelector('.muted'),
      };
      return Object.fromEntries(Object.entries(pick).filter(([, el]) => el).map(([k, el]) => [k, ratio(el)]));
    });
    assert.ok(Object.keys(ratios).length >= 3, JSON.stringify(ratios));
    for (const [what, r] of Object.entries(ratios)) assert.ok(r >= 4.5, `${colorScheme}: ${what} at ${r.toFixed(2)}:1, below 4.5:1`);
    // Every text-on-fill pair of the theme's tokens, as the stylesheet defines them.
    const pairs = await page.evaluate(() => {
      const probe = document.createElement('span');
      document.body.appendChild(probe);
      const resolve = (token) => {
        probe.style.color = token;
        return getComputedStyle(probe).color;
      };
      const rgb = (c) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = (v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const ratio = (fg, bg) => {
        const a = lum(rgb(resolve(fg)));
        const b = lum(rgb(resolve(bg)));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      };
      const out = {
        'text on bg': ratio('var(--text)', 'var(--bg)'),
        'muted on bg': ratio('var(--text-muted)', 'var(--bg)'),
        'muted on surface': ratio('var(--text-muted)', 'var(--surface)'),
        'accent-strong on accent-bg': ratio('var(--accent-strong)', 'var(--accent-bg)'),
        'danger on danger-bg': ratio('var(--danger)', 'var(--danger-bg)'),
        'warning on warning-bg': ratio('var(--warning)', 'var(--warning-bg)'),
        'white on accent-button': ratio('#ffffff', 'var(--accent-button)'),
        'text on warning-bg': ratio('var(--text)', 'var(--warning-bg)'),
      };
      probe.remove();
      return out;
    });
    for (const [what, r] of Object.entries(pairs)) assert.ok(r >= 4.5, `${colorScheme}: ${what} at ${r.toFixed(2)}:1, below 4.5:1`);
    assert.deepEqual(errors, []);
  }
});

test('a first page that fails is an error with its request and Retry, never an empty directory', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, errors } = await openPage({ scenario: 'first-page-fails', colorScheme });
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await page.getByText('This directory has no users').count(), 0, 'an error is not an empty directory');
    assert.equal(await page.getByTestId('load-partial').count(), 0, 'one message, not a banner over an empty state');
    const text = await banner.innerText();
    assert.match(text, /HTTP 503/);
    assert.match(text, /GET http:\/\/127\.0\.0\.1:4010\/scim\/v2\/Users\?startIndex=1&count=1000/);
    assert.match(text, /an HTML page titled '503 Service Unavailable'/);
    await page.screenshot({ path: path.join(shots, `first-page-fails-${colorScheme}.png`) });
    // Show request opens the request log on that exchange.
    await banner.getByTestId('show-request').click();
    assert.equal(await page.locator('[data-section=log]').getAttribute('aria-current'), 'page');
    // Back to the users: Retry loads again, and the users are there.
    await page.locator('[data-section=users]').click();
    await page.evaluate(() => (window.__serverBack = true));
    await page.getByTestId('retry').click();
    await page.getByTestId('users-count').getByText(/40 users/).waitFor();
    assert.equal(await page.getByTestId('error-banner').count(), 0);
    assert.deepEqual(errors, []);
  }
});

test('the tap shows what an identity provider sends, live, explained, and exports it as HAR', async () => {
  const { page, errors } = await openPage();
  await page.locator('[data-section=tap]').click();
  await page.getByText('See what an identity provider really sends').waitFor();
  await page.screenshot({ path: path.join(shots, 'tap-empty.png') });
  // A real tap (the ui-oracle's session) in front of a real demo server, on a free port.
  await page.getByTestId('tap-listen').fill('127.0.0.1:0');
  await page.getByTestId('tap-start').click();
  const url = (await page.getByTestId('tap-url').innerText()).trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
  await page.getByText('Waiting for the first request').waitFor();
  // What an IdP sends: a lookup, then Entra's legacy PATCH on the user it found.
  const headers = { 'user-agent': 'Azure AD SCIM Client', authorization: 'Bearer idp-secret-token', 'content-type': 'application/scim+json' };
  const found = await (await fetch(`${url}/Users?count=1`, { headers })).json();
  const user = found.Resources[0];
  const patched = await fetch(`${url}/Users/${user.id}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }),
  });
  assert.equal(patched.status, 200);
  const refused = await fetch(`${url.replace('/scim/v2', '')}/admin`, { headers });
  assert.equal(refused.status, 404, 'outside the base path: refused by the tap');
  const table = page.getByTestId('tap-table');
  await table.locator('tbody tr').nth(2).waitFor();
  assert.match(await page.getByTestId('tap-count').innerText(), /3 of 3 exchanges · 1 with findings · sent by Entra ID \(legacy\)/);
  // Filters: only those with findings, then by status.
  await page.getByTestId('tap-by-finding').selectOption('any');
  assert.equal(await table.locator('tbody tr').count(), 1);
  await table.locator('tbody tr').first().click();
  const detail = page.getByTestId('tap-detail');
  await detail.getByTestId('tap-words').getByText(`set active to False on ${user.userName}`).waitFor();
  const findings = await detail.getByTestId('tap-findings').innerText();
  assert.match(findings, /patch\.opCase/);
  assert.match(findings, /request\.boolString/);
  // Backticked names read as code, not as backticks.
  assert.doesNotMatch(findings, /`/);
  assert.ok((await detail.getByTestId('tap-findings').locator('code.inline').count()) >= 2);
  assert.doesNotMatch(await detail.innerText(), /idp-secret-token/, 'the IdP token is masked');
  await page.screenshot({ path: path.join(shots, 'tap-live-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  await page.screenshot({ path: path.join(shots, 'tap-live-dark.png') });
  await page.evaluate(() => document.documentElement.removeAttribute('data-theme'));
  await page.getByTestId('tap-by-finding').selectOption('all');
  await page.locator('[data-status=refused]').click();
  assert.equal(await table.locator('tbody tr').count(), 1);
  await page.locator('[data-status=all]').click();
  // Export as HAR: a real file, valid for a third-party validator.
  const har = path.join(shots, 'tap-capture.har');
  await page.evaluate((p) => window.__dialog.push(p), har);
  await page.getByTestId('tap-export-har').click();
  await page.getByRole('status').getByText(/Capture written to .*tap-capture\.har/).waitFor();
  const validated = spawnSync('node', [path.join(uiRoot, 'tests/har/validate.mjs'), har], { encoding: 'utf8' });
  assert.equal(validated.status, 0, validated.stderr);
  assert.doesNotMatch(readFileSync(har, 'utf8'), /idp-secret-token/);
  // Open the resource it touched: the Users section, on that user.
  await table.locator('tbody tr').nth(1).click();
  await detail.getByTestId('tap-open-resource').click();
  assert.equal(await page.locator('[data-section=users]').getAttribute('aria-current'), 'page');
  // Stopped, the capture stays; the port is free.
  await page.locator('[data-section=tap]').click();
  await page.getByTestId('tap-stop').click();
  await page.getByTestId('tap-start').waitFor();
  await page.getByRole('status').getByText(/Capture saved to .*tap-.*\.har/).waitFor();
  // Replay the capture on the open connection: asked first, then step by step, then to the end.
  await page.getByTestId('tap-replay').click();
  await page.getByTestId('tap-replay-confirm').getByTestId('tap-replay-go').click();
  const replaySummary = page.getByTestId('tap-replay-summary');
  await replaySummary.getByText(/0 of 2 steps · 0 as recorded · 1 not replayed/).waitFor();
  await page.getByTestId('tap-replay-step').click();
  await replaySummary.getByText(/1 of 2 steps · 1 as recorded/).waitFor();
  await page.getByTestId('tap-replay-all').click();
  await replaySummary.getByText(/2 of 2 steps · 2 as recorded · 1 not replayed · every step as recorded/).waitFor();
  assert.match(await page.getByTestId('tap-replay').innerText(), /not replayed: GET \/admin/);
  await page.getByTestId('tap-replay-cleanup').click();
  await replaySummary.getByText(/cleaned up/).waitFor();
  await page.screenshot({ path: path.join(shots, 'tap-replay.png') });
  await fetch(`${url}/Users`).then(
    () => assert.fail('still listening after stop'),
    () => {},
  );
  assert.deepEqual(errors, []);
});

test('a request the server refuses safely is a finding, not a failure, and the report lists it', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, errors } = await openPage({ scenario: 'finding', colorScheme });
    await page.locator('[data-section=server]').click();
    await page.getByTestId('tab-scenarios').click();
    await page.getByTestId('start-scenario').click();
    await page.getByTestId('confirm-scenario').getByTestId('confirm-start').click();
    await page.getByTestId('play-scenario').click();
    const report = page.getByTestId('scenario-report');
    await report.getByText('Every step passed, with an integration finding.').waitFor();
    assert.match(await page.getByTestId('scenario-findings').innerText(), /1 integration finding\s+Deactivate: The server refused authentik's member removal/);
    const step = page.getByTestId('scenario-steps').locator('li.finding');
    assert.equal(await step.count(), 1);
    assert.match(await step.innerText(), /refused safely · finding/);
    assert.equal(await page.getByTestId('scenario-steps').locator('li.fail').count(), 0);
    await page.screenshot({ path: path.join(shots, `scenario-finding-${colorScheme}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a resource-type rule lists the server\'s own roles, and a role opens read-only with its members', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, errors } = await openPage({ colorScheme });
    await page.locator('[data-section=roles]').click();
    await page.getByTestId('role-groups-table').waitFor();
    await page.getByTestId('edit-rules').click();
    await page.getByTestId('add-rule').click();
    const row = page.getByTestId('rule-row').nth(2);
    await row.getByLabel('Category').fill('App roles');
    await row.getByLabel('How it matches').selectOption('resourceType');
    await row.getByLabel('Pattern').fill('Role');
    await page.getByTestId('apply-rules').click();
    await page.locator('[data-tab="App roles"]').click();
    const table = page.getByTestId('role-groups-table');
    assert.match(await table.innerText(), /On the server[\s\S]*Approver\s*in \/Roles/);
    await table.locator('tbody tr[data-row=r1]').click();
    const pane = page.getByTestId('detail-pane');
    assert.match(await pane.getByTestId('custom-type-note').innerText(), /server's own type Roles/);
    assert.equal(await pane.getByTestId('write-actions').count(), 0, 'no write actions for a custom type');
    assert.match(await pane.getByTestId('custom-members').innerText(), /Finance team \(group\)/);
    assert.match(await pane.innerText(), /description\s+Approves purchase orders/);
    await page.screenshot({ path: path.join(shots, `roles-by-type-${colorScheme}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

/** What the UI asked Rust, by command (the harness records every call with its arguments). */
const callsOf = (page, cmd) => page.evaluate((c) => window.__calls.filter((x) => x.cmd === c).map((x) => x.args), cmd);

test('a running load shows its progress, and Cancel stops it keeping what arrived', async () => {
  const { page, context } = await openPage({ scenario: 'slow-load' });
  const bar = page.getByTestId('load-progress');
  await bar.getByText(/20 \/ 40/).waitFor();
  assert.match(await bar.innerText(), /Loading users…\s*20 \/ 40 · 4,000\/s/);
  // The first page is on screen while the rest loads, labelled so, and sorts like any rows.
  const table = page.getByTestId('users-table');
  await table.waitFor();
  assert.equal(await table.getAttribute('aria-rowcount'), '10');
  assert.equal(await page.getByTestId('users-count').innerText(), 'First 10 of 40 users while the rest loads · sorting and filtering apply to these');
  await table.locator('th', { hasText: 'userName' }).click();
  await table.locator('tbody tr').first().waitFor();
  await page.screenshot({ path: path.join(shots, 'load-progress.png') });
  await bar.getByTestId('load-cancel').click();
  const banner = page.getByTestId('load-partial');
  await banner.waitFor();
  assert.match(await banner.innerText(), /Load cancelled\s*— showing 20 of 40 users/);
  await bar.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('users-table').getAttribute('aria-rowcount'), '20');
  assert.deepEqual(await callsOf(page, 'cancel_load'), [{ kind: 'Users' }]);
  await context.close();
});

test('Edit JSON sends the edited resource with PUT after review', async () => {
  const { page, context } = await openPage();
  await openUser(page);
  await page.getByTestId('open-put').click();
  const dialog = page.getByTestId('write-put');
  const json = dialog.getByTestId('resource-json');
  await json.waitFor();
  const body = JSON.parse(await json.inputValue());
  assert.equal(body.id, 'u2');
  body.title = 'Lead engineer';
  await json.fill(JSON.stringify(body, null, 2));
  await dialog.getByTestId('review-request').click();
  assert.match(await dialog.getByTestId('request-review').innerText(), /PUT\s+\S+\/Users\/u2/);
  assert.deepEqual(await callsOf(page, 'replace_resource'), [], 'nothing is sent before Send');
  await dialog.getByTestId('send-request').click();
  await dialog.getByTestId('write-outcome').waitFor();
  const [sent] = await callsOf(page, 'replace_resource');
  assert.equal(sent.id, 'u2');
  assert.equal(JSON.parse(sent.body).title, 'Lead engineer');
  await context.close();
});

test('a group is renamed and given a member from its page, each reviewed before it is sent', async () => {
  const { page, context, errors } = await openPage();
  await page.locator('[data-section=groups]').click();
  await page.locator('[data-testid=groups-table] tbody tr[data-row=g2]').click();
  await page.getByTestId('rename-group').click();
  const builder = page.getByTestId('patch-builder');
  await builder.getByLabel(/Value of displayName/).fill('Profile: Data Review');
  await builder.getByTestId('predicted-diff').getByText('displayName').waitFor();
  await builder.getByTestId('review-request').click();
  await builder.getByTestId('send-request').click();
  await builder.getByTestId('patch-outcome').waitFor();
  let [sent] = await callsOf(page, 'apply_patch');
  assert.equal(sent.draft.id, 'g2');
  assert.deepEqual(JSON.parse(sent.draft.body).Operations, [{ op: 'replace', path: 'displayName', value: 'Profile: Data Review' }]);
  await builder.getByTestId('close-outcome').click();

  await page.getByTestId('add-members').click();
  const picker = builder.getByTestId('member-picker');
  await picker.getByLabel('Search members').fill('ben');
  await picker.getByRole('option').first().click();
  await picker.locator('.chip').first().waitFor();
  assert.match(await picker.locator('.chip').first().innerText(), /Ben User1/);
  await page.screenshot({ path: path.join(shots, 'group-add-members.png') });
  await builder.getByTestId('review-request').click();
  await builder.getByTestId('send-request').click();
  await builder.getByTestId('patch-outcome').waitFor();
  [, sent] = await callsOf(page, 'apply_patch');
  assert.deepEqual(JSON.parse(sent.draft.body).Operations, [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a multi-selection is added to a group in one PATCH of that group', async () => {
  const { page, context } = await openPage();
  await page.getByTestId('users-table').waitFor();
  const row = (id) => page.locator(`[data-testid=users-table] tbody tr[data-row=${id}]`);
  await row('u2').click();
  await row('u6').click({ modifiers: ['Control'] });
  const bar = page.getByTestId('selection-bar');
  await bar.getByText('2 users selected').waitFor();
  await bar.getByTestId('batch-add-to-group').click();
  await page.getByTestId('group-picker').getByTestId('pick-group').filter({ hasText: 'Project: Transmission line' }).click();
  const builder = page.getByTestId('patch-builder');
  assert.match(await builder.locator('h2').innerText(), /^Patch group Project: Transmission line/);
  await builder.getByTestId('review-request').click();
  await builder.getByTestId('send-request').click();
  await builder.getByTestId('patch-outcome').waitFor();
  const [sent] = await callsOf(page, 'apply_patch');
  assert.equal(sent.draft.id, 'g3');
  assert.deepEqual(JSON.parse(sent.draft.body).Operations, [{ op: 'add', path: 'members', value: [{ value: 'u2' }, { value: 'u6' }] }]);
  await context.close();
});

test('a logged request is copied as curl with the token left as a variable, and the log exports', async () => {
  const { page, context } = await openPage();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.locator('[data-section=log]').click();
  await page.getByTestId('log-table').locator('tr[data-seq="3"]').click();
  const detail = page.getByTestId('log-detail');
  await detail.getByTestId('copy-curl').click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, (await detail.getByTestId('curl-text').innerText()).trim());
  assert.match(copied, /^curl -X GET '\S+\/scim\/v2\S*' -H "authorization: Bearer \$SCIM_TOKEN"/);
  const out = '/tmp/scimx-browser-request-log.json';
  await page.evaluate((p) => window.__dialog.push(p), out);
  await page.getByTestId('log-export').click();
  await page.getByRole('status').getByText(`Exported to ${out} (secrets masked).`).waitFor();
  assert.deepEqual(await callsOf(page, 'export_request_log'), [{ path: out }]);
  await context.close();
});

let failed = 0;
// BROWSER_ONLY=text runs the tests whose name holds it (for iterating on one screen).
const only = process.env.BROWSER_ONLY;
const chosen = only ? tests.filter((t) => t.name.includes(only)) : tests;
for (const { name, fn } of chosen) {
  let error = null;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  const logged = await teardown();
  if (!error && logged.length) error = new Error(`the page logged errors:\n${logged.join('\n')}`);
  else if (error && logged.length) error = new Error(`${error?.stack ?? error}\n...and the page logged errors:\n${logged.join('\n')}`);
  if (error) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).split('\n').join('\n     ')}`);
  } else {
    console.log(`ok   ${name}`);
  }
}
await browser.close();
await server.close();
oracle.stop();
console.log(`${chosen.length - failed} passed, ${failed} failed; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
