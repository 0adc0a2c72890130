import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { REPO_ROOT } from '../../nodes/build/demo-runtime';
import { isRecord, readManifest } from './packed-package';

/**
 * `node-red-dev validate` looks things up on the network: the Node-RED flow library catalogue
 * (`https://catalogue.nodered.org/catalogue.json`: checks P08 and N01) and the npm registry (`node-red`
 * for P06 and P07, each dependency for D02 and D03). Tests stay on loopback, so this server answers
 * those lookups from what `node_modules` holds:
 *
 * - the catalogue lists the core nodes of the installed Node-RED 4 and 5 (the types their editor files
 *   register), so N01 still catches a clash with a core node type; modules of the real flow library
 *   are not known offline;
 * - the registry document of `node-red` has the installed 4.x and 5.x, `latest` the newer (as on npm);
 * - the document of every other package is its installed version only, which is then also `latest`.
 *
 * It listens on 127.0.0.1 and is reached as an HTTP proxy for https URLs (axios, which
 * node-red-dev uses, honours `https_proxy`) and as the npm registry (`npm_registry`, which the
 * `rc`-based `registry-url` of npm-check and npm-remote-ls reads).
 */

export interface StandIn {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every URL asked for, absolute (`https://registry.npmjs.org/node-red`, `http://127.0.0.1:…/ws`). */
  requests: string[];
  /** The URLs it had no answer for (answered 404). */
  unanswered: string[];
  close(): Promise<void>;
}

const CATALOGUE = 'https://catalogue.nodered.org/catalogue.json';

/** The node types an editor file registers with a literal name. */
function registeredTypes(dir: string): string[] {
  const types: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) types.push(...registeredTypes(path));
    else if (entry.endsWith('.html')) {
      const html = readFileSync(path, 'utf8');
      for (const match of html.matchAll(/registerType\(\s*['"]([^'"]+)['"]/g)) types.push(match[1] ?? '');
    }
  }
  return types;
}

function coreNodeDirs(): string[] {
  return [
    join(REPO_ROOT, 'node_modules', '@node-red', 'nodes', 'core'),
    join(REPO_ROOT, '.peers', 'node_modules', '@node-red', 'nodes', 'core'),
    join(REPO_ROOT, '.peers', 'node_modules', 'node-red', 'node_modules', '@node-red', 'nodes', 'core'),
  ].filter((dir) => existsSync(dir));
}

function catalogue(): unknown {
  const types = [...new Set(coreNodeDirs().flatMap(registeredTypes))].sort();
  if (types.length === 0) throw new Error('no core node types found in node_modules');
  const version = String(readManifest(join(REPO_ROOT, 'node_modules', 'node-red'))['version']);
  return {
    name: 'Node-RED Community catalogue (offline stand-in)',
    modules: [{ id: 'node-red', version, types }],
  };
}

/** The installed package directories for a registry name (`node-red` is in both `node_modules` and `.peers`). */
function installed(name: string): string[] {
  const roots = [join(REPO_ROOT, 'node_modules'), join(REPO_ROOT, '.peers', 'node_modules')];
  return roots.map((root) => join(root, name)).filter((dir) => existsSync(join(dir, 'package.json')));
}

function registryDocument(name: string): unknown {
  const manifests = installed(name).map(readManifest);
  if (manifests.length === 0) return undefined;
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = {};
  let latest = '';
  for (const manifest of manifests) {
    const version = String(manifest['version']);
    versions[version] = { ...manifest, name };
    time[version] = new Date(0).toISOString();
    if (latest === '' || compareVersions(version, latest) > 0) latest = version;
  }
  return { name, 'dist-tags': { latest }, versions, time: { created: new Date(0).toISOString(), ...time } };
}

function compareVersions(a: string, b: string): number {
  const parts = (version: string): number[] => version.split(/[.-]/).slice(0, 3).map(Number);
  const [left, right] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function answer(url: URL, origin: string): unknown {
  if (url.href === CATALOGUE) return catalogue();
  const isRegistry = url.origin === 'https://registry.npmjs.org' || url.origin === origin;
  if (!isRegistry) return undefined;
  const name = decodeURIComponent(url.pathname.slice(1)).replace(/\/$/, '');
  return registryDocument(name);
}

/** Starts the stand-in on a free port of 127.0.0.1. */
export async function startStandIn(): Promise<StandIn> {
  const requests: string[] = [];
  const unanswered: string[] = [];
  let origin = '';
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // A proxy request carries the absolute URL; a registry request only the path.
    const url = new URL(request.url ?? '/', origin);
    requests.push(url.href);
    let body: unknown;
    try {
      body = answer(url, origin);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      return;
    }
    if (body === undefined || !isRecord(body)) {
      unanswered.push(url.href);
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    requests,
    unanswered,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
