#!/usr/bin/env node
// The `mektep` command. Plain JavaScript so that `node` runs it as installed; the commands
// themselves are compiled from TypeScript into dist/ by `npm start`, `npm test` or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const main = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('mektep: not built yet: run `npm run build` (or `npm start`) in the Mektep folder first.');
  process.exit(1);
}
const { runCli } = await import(pathToFileURL(main).href);
process.exitCode = await runCli(process.argv.slice(2));
