import type { NodeInstance, Translate } from './node-red-types';
import type { Problem } from './problems';

/**
 * A problem with an `mqtt5 out` or `mqtt5 request` node's settings, in the user's language: its
 * key is under `<ns>.errors`, and a `field` parameter names a setting by its `<ns>.label` key.
 */
export function settingProblemText(t: Translate, ns: string, problem: Problem): string {
  const params = problem.params;
  const field = params?.['field'];
  const shown = typeof field === 'string' ? { ...params, field: t(`${ns}.label.${field}`) } : params;
  return t(`${ns}.errors.${problem.key}`, shown);
}

/** A node that cannot work (bad settings, no connection): says why, and fails every msg with it. */
export function refuseEverything(node: NodeInstance, problem: string): void {
  node.error(problem);
  node.status({ fill: 'red', shape: 'ring', text: problem });
  node.on('input', (_msg, _send, done) => done(new Error(problem)));
}
