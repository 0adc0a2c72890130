import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Node-RED looks for a node's editor file (`<name>.html`), its `locales/` and its `icons/` next
 * to the node's `.js` file. tsc only emits the `.js`, so after it this copies the rest from the
 * repository into `dist/nodes/`. Run as `node dist/nodes/build/copy-assets.js`.
 */

/** The repository root, seen from `dist/nodes/build/`. */
const root = resolve(__dirname, '..', '..', '..');
const target = join(root, 'dist', 'nodes');

export function copyAssets(from: string, to: string): string[] {
  const copied: string[] = [];
  mkdirSync(to, { recursive: true });
  const nodesDir = join(from, 'nodes');
  for (const file of readdirSync(nodesDir)) {
    if (!file.endsWith('.html')) continue;
    cpSync(join(nodesDir, file), join(to, file));
    copied.push(`nodes/${file}`);
  }
  for (const dir of ['locales', 'icons']) {
    const source = join(from, dir);
    if (!existsSync(source)) continue;
    // Start afresh, so a file removed from the repository does not linger in the build.
    rmSync(join(to, dir), { recursive: true, force: true });
    cpSync(source, join(to, dir), { recursive: true });
    copied.push(`${dir}/`);
  }
  return copied;
}

if (require.main === module) {
  const copied = copyAssets(root, target);
  process.stdout.write(`copy-assets: ${copied.join(', ')} -> dist/nodes/\n`);
}
