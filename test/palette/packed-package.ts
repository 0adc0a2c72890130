import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../nodes/build/demo-runtime';

/**
 * The package as a user gets it: `npm pack` of the built working tree, then installed into a
 * Node-RED user directory by unpacking the tarball there, as `npm install <tgz>` would, but without
 * npm or the network. Its runtime dependencies are copied from the repository's `node_modules`.
 */

/** The result of `npm pack`, packed once per test process. */
export interface PackedPackage {
  /** The `.tgz` file. */
  tarball: string;
  name: string;
  version: string;
  /** The paths inside the package (`dist/nodes/mqtt5-in.js`, …), as `npm pack` lists them. */
  files: string[];
  /** `npm pack`'s wall time, in ms. */
  packMs: number;
}

/** Every child process of these tests has a bound. */
const COMMAND_TIMEOUT_MS = 60000;

const scratch = mkdtempSync(join(tmpdir(), 'mqtt5-palette-'));
process.once('exit', () => {
  try {
    rmSync(scratch, { recursive: true, force: true });
  } catch {
    // A child still writing there (killed on exit too): leave the rest to the OS's tmp cleaning.
  }
});

/** A fresh directory under this process's scratch directory; removed when the process exits. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(scratch, `${prefix}-`));
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  // NODE_V8_COVERAGE: c8 measures this process, not the tools it starts.
  const env = { ...process.env, NODE_V8_COVERAGE: '', npm_config_update_notifier: 'false' };
  return new Promise((done, fail) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else done(stdout);
      },
    );
  });
}

/** npm itself: the one running `npm test` when there is one, else the `npm` on the PATH. */
function npm(args: string[]): Promise<string> {
  const cli = process.env['npm_execpath'];
  if (cli !== undefined && /npm-cli\.js$/.test(cli)) return run(process.execPath, [cli, ...args], REPO_ROOT);
  return run('npm', args, REPO_ROOT);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function packEntry(stdout: string): { filename: string; name: string; version: string; files: string[] } {
  const parsed: unknown = JSON.parse(stdout);
  const entry: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (!isRecord(entry)) throw new Error(`npm pack --json printed no entry: ${stdout}`);
  const { filename, name, version, files } = entry;
  if (typeof filename !== 'string' || typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`npm pack --json printed an unexpected entry: ${stdout}`);
  }
  if (!Array.isArray(files)) throw new Error('npm pack --json listed no files');
  const paths = files.map((file: unknown) => {
    if (!isRecord(file) || typeof file['path'] !== 'string')
      throw new Error('npm pack listed a file without path');
    return file['path'];
  });
  return { filename, name, version, files: paths };
}

let packed: Promise<PackedPackage> | undefined;

/** `npm pack` of the working tree (which must be built), once per process. */
export function packPackage(): Promise<PackedPackage> {
  packed ??= (async () => {
    const destination = scratchDir('pack');
    const started = Date.now();
    // --ignore-scripts: pack exactly what `npm run build` produced, without lifecycle scripts.
    const stdout = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', destination]);
    const entry = packEntry(stdout);
    const tarball = join(destination, entry.filename);
    if (!existsSync(tarball)) throw new Error(`npm pack did not write ${tarball}`);
    return {
      tarball,
      name: entry.name,
      version: entry.version,
      files: entry.files,
      packMs: Date.now() - started,
    };
  })();
  return packed;
}

/** The JSON of a `package.json`. */
export function readManifest(dir: string): Record<string, unknown> {
  const manifest: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!isRecord(manifest)) throw new Error(`${dir}/package.json is not an object`);
  return manifest;
}

function dependencyNames(manifest: Record<string, unknown>): string[] {
  const dependencies = manifest['dependencies'];
  return isRecord(dependencies) ? Object.keys(dependencies) : [];
}

/** Copies `name` and, transitively, its dependencies from the repository's flat `node_modules`. */
function copyDependency(name: string, nodeModules: string): void {
  const target = join(nodeModules, name);
  if (existsSync(target)) return;
  const source = join(REPO_ROOT, 'node_modules', name);
  if (!existsSync(source))
    throw new Error(`runtime dependency ${name} is not in the repository's node_modules`);
  cpSync(source, target, { recursive: true, dereference: true });
  for (const dependency of dependencyNames(readManifest(source))) copyDependency(dependency, nodeModules);
}

/**
 * Installs the tarball into `<userDir>/node_modules/<name>`, lists it in `<userDir>/package.json`
 * (which is how Node-RED tells a user-installed module), and copies its runtime dependencies.
 * Returns the package directory.
 */
export async function installPackage(pkg: PackedPackage, userDir: string): Promise<string> {
  const nodeModules = join(userDir, 'node_modules');
  const packageDir = join(nodeModules, pkg.name);
  mkdirSync(packageDir, { recursive: true });
  // npm tarballs hold everything under `package/`.
  await run('tar', ['-xzf', pkg.tarball, '-C', packageDir, '--strip-components=1'], userDir);
  for (const dependency of dependencyNames(readManifest(packageDir))) copyDependency(dependency, nodeModules);
  const manifest = {
    name: 'palette-install-test',
    version: '0.0.1',
    private: true,
    dependencies: { [pkg.name]: pkg.version },
  };
  writeFileSync(join(userDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return packageDir;
}
