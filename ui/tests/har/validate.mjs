// Validates a HAR file with a third-party validator (npm har-validator, the schema of HAR 1.2), so
// our export is checked by code that shares none of ours. usage: node validate.mjs FILE.har
import { readFileSync } from 'node:fs';
import validator from 'har-validator';

const file = process.argv[2];
const har = JSON.parse(readFileSync(file, 'utf8'));
try {
  await validator.har(har);
  console.log(`valid HAR 1.2: ${har.log.entries.length} entries`);
} catch (e) {
  console.error(`invalid HAR: ${e.message}`);
  for (const err of e.errors ?? []) console.error(`  ${err.dataPath ?? err.instancePath ?? ''} ${err.message}`);
  process.exit(1);
}
