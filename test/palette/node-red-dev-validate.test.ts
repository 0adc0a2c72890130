import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type Validation, validate } from './node-red-dev';
import { installPackage, packPackage, scratchDir } from './packed-package';
import { type StandIn, startStandIn } from './registry-stand-in';

/**
 * The checks node-red-dev 0.1.6 scores (P02 is disabled in that version): package (licence,
 * repository or bugs, scoped name, keyword, Node-RED and Node versions, similar names), nodes (unique
 * types, an example for every non-config node) and dependencies (count, known-bad, up to date).
 */
const CHECKS = ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'P08', 'N01', 'N02', 'D01', 'D02', 'D03'];

describe('node-red-dev validate on the packed package', function () {
  this.timeout(120000);
  let standIn: StandIn;
  let result: Validation;

  before(async () => {
    const pkg = await packPackage();
    const userDir = scratchDir('validate');
    const packageDir = await installPackage(pkg, userDir);
    standIn = await startStandIn();
    result = await validate(packageDir, join(userDir, 'scorecard.json'), standIn);
  });

  after(async () => {
    await standIn?.close();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      process.stderr.write(`--- node-red-dev output (${result?.ms} ms) ---\n${result?.output}\n`);
      process.stderr.write(`--- lookups ---\n${standIn?.requests.join('\n')}\n`);
    }
  });

  it('completes, asking only the stand-in, which knew every answer', () => {
    assert.equal(result.code, 0);
    assert.match(result.output, /Complete/);
    assert.deepEqual(standIn.unanswered, []);
    assert.ok(
      standIn.requests.some((url) => url.endsWith('catalogue.json')),
      'node-red-dev did not look up the catalogue through the stand-in',
    );
  });

  it('scores every check', () => {
    assert.deepEqual(result.checks.map((check) => check.id).sort(), [...CHECKS].sort());
  });

  it('reports no failing check', () => {
    const failing = result.checks.filter((check) => !check.passed);
    assert.deepEqual(
      failing.map((check) => `${check.id} ${JSON.stringify(check.detail)}`),
      [],
      result.output,
    );
  });

  it('finds an example for every non-config node, and parses every inline editor definition', () => {
    const examples = result.checks.find((check) => check.id === 'N02');
    assert.deepEqual(examples?.detail['nodes'], ['mqtt5 broker', 'mqtt5 in', 'mqtt5 out', 'mqtt5 request']);
    assert.doesNotMatch(result.output, /Unable to parse/);
  });
});
