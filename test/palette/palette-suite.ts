import assert from 'node:assert/strict';
import {
  type NodeRedRuntime,
  type NodeRedVersion,
  nodeRedCommand,
  startNodeRed,
} from '../../nodes/build/demo-runtime';
import { call, exampleNames, moduleInfo, nodeSets } from './admin-api';
import { describeExampleDeploys } from './example-deploys';
import { shippedExamples } from './example-flow';
import { machineNode } from './machine-node';
import { freePort } from './net';
import { installPackage, isRecord, type PackedPackage, packPackage, scratchDir } from './packed-package';

/** Every node type of the package, by node set (the keys of `package.json`'s `node-red.nodes`). */
export const NODE_TYPES: Record<string, string> = {
  'mqtt5-broker': 'mqtt5 broker',
  'mqtt5-connection': 'mqtt5-connection',
  'mqtt5-in': 'mqtt5 in',
  'mqtt5-out': 'mqtt5 out',
  'mqtt5-request': 'mqtt5 request',
};

const START_TIMEOUT_MS = 60000;

/**
 * The palette install test for one Node-RED: pack the package, install the tarball into a fresh
 * user directory (no npm, no network), start that Node-RED, check through the admin API that every
 * node type loaded, then deploy each shipped example, one after another, as the editor would import
 * it, and see its messages flow in the Debug sidebar and at an MQTT.js client (./example-deploys).
 */
export function describePaletteInstall(version: NodeRedVersion, node: RegExp, nodeRed: RegExp): void {
  // Node-RED 4 runs under the machine's Node; Node-RED 5 under the Node 22 of node_modules.
  const nodeBinary = version === 'node-red-4' ? machineNode() : nodeRedCommand(version).node;

  describe(`palette install on ${version} (${nodeBinary})`, function () {
    this.timeout(START_TIMEOUT_MS + 30000);
    let pkg: PackedPackage;
    let userDir: string;
    let packageDir: string;
    let runtime: NodeRedRuntime | undefined;

    function red(): NodeRedRuntime {
      if (runtime === undefined) throw new Error('Node-RED is not running');
      return runtime;
    }

    before(async () => {
      pkg = await packPackage();
      userDir = scratchDir(version);
      packageDir = await installPackage(pkg, userDir);
      runtime = await startNodeRed({
        userDir,
        editorPort: await freePort(),
        nodeRed: version,
        nodeBinary,
        linkPackage: false,
        startTimeoutMs: START_TIMEOUT_MS,
        // c8 measures the test process, not Node-RED.
        env: { NODE_V8_COVERAGE: '' },
      });
    });

    after(async () => {
      const stopped = await runtime?.stop(10000);
      runtime = undefined;
      if (stopped?.killed) throw new Error(`Node-RED did not stop on SIGINT within 10 s`);
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed' && runtime !== undefined) {
        process.stderr.write(`--- Node-RED output (${version}) ---\n${runtime.output()}\n`);
      }
    });

    it('runs the intended Node-RED under the intended Node', async () => {
      const settings = await call(red(), 'GET', '/settings', 200);
      assert.ok(isRecord(settings), 'GET /settings is not an object');
      assert.match(String(settings['version']), nodeRed);
      assert.match(red().output(), node);
    });

    it('registers every node type of the package, enabled, with no load error', async () => {
      const sets = (await nodeSets(red())).filter((set) => set.module === pkg.name);
      const byName = new Map(sets.map((set) => [set.name, set]));
      assert.deepEqual([...byName.keys()].sort(), Object.keys(NODE_TYPES).sort());
      for (const [name, type] of Object.entries(NODE_TYPES)) {
        const set = byName.get(name);
        assert.ok(set !== undefined, `node set ${name} is missing`);
        assert.equal(set.err, undefined, `${name} failed to load: ${set.err}`);
        assert.deepEqual(set.types, [type]);
        assert.equal(set.enabled, true, `${name} is disabled`);
        assert.equal(set.version, pkg.version);
      }
    });

    it('loads the package from the user directory, at the packed version', async () => {
      const info = await moduleInfo(red(), pkg.name);
      assert.equal(info.path, packageDir);
      assert.equal(info.version, pkg.version);
      assert.equal(info.local, true);
      assert.equal(info.user, true, 'the palette manager does not list it as installed by the user');
    });

    it('serves every editor definition, help text, catalog (en-US and de) and icon', async () => {
      const html = String(await call(red(), 'GET', '/nodes', 200, undefined, { Accept: 'text/html' }));
      const prefix = `/locales/${pkg.name}`;
      for (const [set, type] of Object.entries(NODE_TYPES)) {
        assert.ok(html.includes(`registerType('${type}'`), `no editor definition of ${type}`);
        assert.ok(html.includes(`data-help-name="${type}"`), `no help text of ${type}`);
        const english = await call(red(), 'GET', `${prefix}/${set}?lng=en-US`, 200);
        assert.ok(isRecord(english) && isRecord(english[set]), `no en-US catalog for ${set}`);
      }
      const english = await call(red(), 'GET', `${prefix}/mqtt5-broker?lng=en-US`, 200);
      const german = await call(red(), 'GET', `${prefix}/mqtt5-broker?lng=de`, 200);
      assert.notDeepEqual(german, english, 'the de catalog of mqtt5-broker is the en-US one');
      const icons = await call(red(), 'GET', '/icons', 200);
      const ours = isRecord(icons) ? icons[pkg.name] : undefined;
      assert.ok(Array.isArray(ours) && ours.length >= 4, `icons of ${pkg.name}: ${JSON.stringify(ours)}`);
      for (const icon of ours) {
        const svg = await call(red(), 'GET', `/icons/${pkg.name}/${String(icon)}`, 200);
        assert.match(String(svg), /<svg[\s>]/, `${String(icon)} is not an SVG`);
      }
    });

    it('offers every shipped example under Import → Examples', async () => {
      const shipped = shippedExamples(packageDir);
      assert.ok(shipped.length >= 6, `shipped examples: ${shipped.join(', ')}`);
      assert.deepEqual((await exampleNames(red(), pkg.name)).sort(), shipped);
    });

    describeExampleDeploys({ runtime: red, name: () => pkg.name, dir: () => packageDir });
  });
}
