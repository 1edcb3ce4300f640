// Bundles the console into one directory of static files:
//   app.js (all TypeScript + xterm.js, an ES module), chunks/ (what loads on demand: the recording
//   player), app.css (ours + xterm's + the player's), index.html, favicon.svg
// Usage: node scripts/build.mjs [--outdir=DIR]   (default: target/classes/public)

import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = process.argv.find((a) => a.startsWith('--outdir='));
const outdir = resolve(root, arg ? arg.slice('--outdir='.length) : 'target/classes/public');

mkdirSync(outdir, { recursive: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'src/main.ts', out: 'app' },
    { in: 'src/app.css', out: 'app' },
  ],
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  format: 'esm',
  splitting: true, // import() of the player becomes a chunk the first page load does not fetch
  chunkNames: 'chunks/[name]-[hash]',
  target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
  outdir,
  logLevel: 'warning',
  legalComments: 'linked',
});
for (const f of readdirSync(join(root, 'static'))) copyFileSync(join(root, 'static', f), join(outdir, f));
console.log(`web-ui built into ${outdir}`);
