import assert from 'node:assert/strict';
import { exampleFiles, type NodeRedRuntime } from '../../nodes/build/demo-runtime';
import { exampleFlow } from './admin-api';
import { EXPECTATIONS, exampleNumber } from './example-expectations';
import { readExample, shippedExamples } from './example-flow';
import { runExample } from './example-run';

/** The bound on one example: deploy, its expectation, and the empty deploy that stops it. */
export const EXAMPLE_BOUND_MS = 30000;

/** What the example tests need from the palette suite, once its `before` has run. */
export interface InstalledPackage {
  runtime(): NodeRedRuntime;
  /** The npm name of the installed package. */
  name(): string;
  /** Where it was installed (`<userDir>/node_modules/<name>`). */
  dir(): string;
}

/**
 * One test per shipped example, in order: fetch it as Import → Examples offers it, deploy it (a
 * full deploy, so each replaces the one before) and see its messages flow (./example-expectations).
 * The tests are made from the repository's `examples/`; the first checks that the installed
 * package ships that same set, and that each has an expectation.
 */
export function describeExampleDeploys(installed: InstalledPackage): void {
  const files = exampleFiles().map((file) => file.slice(0, -'.json'.length));

  it('has an expectation for every shipped example', () => {
    assert.deepEqual(shippedExamples(installed.dir()), files);
    assert.deepEqual(files.map(exampleNumber), Object.keys(EXPECTATIONS).sort());
  });

  for (const name of files) {
    const expectation = EXPECTATIONS[exampleNumber(name)];
    it(`deploys example "${name}" as imported: ${expectation?.shows ?? '(no expectation)'}`, async function () {
      this.timeout(EXAMPLE_BOUND_MS + 20000);
      assert.ok(expectation !== undefined, `no expectation for example ${name}`);
      const offered = await exampleFlow(installed.runtime(), installed.name(), name);
      assert.deepEqual(offered, readExample(installed.dir(), name), `example ${name} as offered`);
      await runExample(installed.runtime(), name, offered, expectation.expect, EXAMPLE_BOUND_MS);
    });
  }
}
