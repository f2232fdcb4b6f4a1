// Starts the ui-oracle (tests/ui_oracle in the Rust workspace): the services code that answers the
// harness's computed commands (filter check and tree, PATCH dry run). Returns its URL; it stops
// when this process ends (its stdin closes).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';

export async function startOracle(uiRoot) {
  const targetDir = process.env.CARGO_TARGET_DIR ?? path.resolve(uiRoot, '../target');
  const bin = path.join(targetDir, 'debug', 'ui-oracle');
  if (!existsSync(bin)) {
    throw new Error(`${bin} is missing: \`make ui-browser\` builds it (cargo build -p scim-explorer-tests --bin ui-oracle)`);
  }
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`ui-oracle exited before it listened (${code})`)));
  });
  return { url, stop: () => child.stdin.end() };
}
