import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_NAME, REPO_ROOT } from '../../nodes/build/demo-runtime';
import { isRecord, type PackedPackage, packPackage, readManifest } from './packed-package';

/** The node files of `package.json`'s `node-red.nodes`, e.g. `dist/nodes/mqtt5-in` (no `.js`). */
function nodeFiles(): string[] {
  const nodeRed = readManifest(REPO_ROOT)['node-red'];
  const nodes = isRecord(nodeRed) ? nodeRed['nodes'] : undefined;
  if (!isRecord(nodes)) throw new Error('package.json declares no node-red.nodes');
  return Object.values(nodes).map((file: unknown) => {
    if (typeof file !== 'string' || !file.endsWith('.js'))
      throw new Error(`node-red.nodes has ${String(file)}`);
    return file.slice(0, -'.js'.length);
  });
}

/** The package's own icons an editor file names (`icon: 'mqtt5-in.svg'`), not Node-RED's (`red/…`). */
function iconsNamedIn(htmlFile: string): string[] {
  const html = readFileSync(join(REPO_ROOT, htmlFile), 'utf8');
  return [...html.matchAll(/^\s*icon:\s*'([^'/]+)'/gm)].map((match) => match[1] ?? '');
}

describe('npm pack: the package as published', function () {
  this.timeout(90000);
  let pkg: PackedPackage;
  let files: Set<string>;

  before(async () => {
    pkg = await packPackage();
    files = new Set(pkg.files);
  });

  it('is the scoped package, with its main entry and package.json', () => {
    assert.equal(pkg.name, PACKAGE_NAME);
    const main = readManifest(REPO_ROOT)['main'];
    assert.equal(typeof main, 'string');
    assert.ok(files.has(String(main)), `main ${String(main)} is not packed`);
    assert.ok(files.has('package.json'));
    assert.ok(files.has('README.md'));
  });

  it('holds every node runtime file, its editor file, its en-US catalog and help', () => {
    const base = nodeFiles();
    assert.equal(base.length, 5, `node-red.nodes: ${base.join(', ')}`);
    for (const file of base) {
      const name = file.slice(file.lastIndexOf('/') + 1);
      const dir = file.slice(0, file.lastIndexOf('/'));
      for (const wanted of [
        `${file}.js`,
        `${file}.html`,
        `${dir}/locales/en-US/${name}.json`,
        `${dir}/locales/en-US/${name}.html`,
      ]) {
        assert.ok(files.has(wanted), `${wanted} is not packed`);
      }
    }
  });

  it('holds the second locale (de) next to the nodes', () => {
    const de = pkg.files.filter(
      (file) => file.startsWith('dist/nodes/locales/de/') && file.endsWith('.json'),
    );
    assert.ok(de.length > 0, 'no dist/nodes/locales/de/*.json is packed');
  });

  it("holds every icon the editor files name, in the nodes' icons/ directory", () => {
    const named = nodeFiles().flatMap((file) => iconsNamedIn(`${file.replace(/^dist\//, '')}.html`));
    assert.ok(named.length >= 4, `the editor files name only ${named.join(', ')}`);
    for (const icon of named) assert.ok(files.has(`dist/nodes/icons/${icon}`), `icon ${icon} is not packed`);
  });

  it('holds every example flow of examples/', () => {
    const examples = readdirSync(join(REPO_ROOT, 'examples')).filter((file) => file.endsWith('.json'));
    assert.ok(examples.length > 0, 'examples/ has no flows');
    for (const example of examples) assert.ok(files.has(`examples/${example}`), `${example} is not packed`);
  });

  it('holds no tests, benchmarks, sources, coverage or CI files', () => {
    const stray = pkg.files.filter(
      (file) =>
        /^(dist\/)?(test|bench)\//.test(file) ||
        /^(coverage|\.ci|\.demo|src|nodes|node_modules)\//.test(file) ||
        /\.test\.js$/.test(file) ||
        /(^|\/)[^/]+\.ts$/.test(file.replace(/\.d\.ts$/, '')),
    );
    assert.deepEqual(stray, []);
  });
});
