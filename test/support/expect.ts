import assert from 'node:assert/strict';
import { MqttError } from '../../src/protocol/errors';

function hex(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}`;
}

/**
 * Runs `fn`, asserts that it throws an `MqttError` with exactly `reasonCode`, and returns the error.
 * Anything else (no throw, a plain Error, another code) fails with a message naming what happened.
 */
export function expectMqttError(fn: () => unknown, reasonCode: number, what = ''): MqttError {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    if (!(err instanceof MqttError)) {
      assert.fail(`${what} expected MqttError ${hex(reasonCode)}, got ${String(err)}`);
    }
    assert.equal(
      hex(err.reasonCode),
      hex(reasonCode),
      `${what} expected reason code ${hex(reasonCode)}, got ${err.reasonName}: ${err.message}`,
    );
    return err;
  }
  return assert.fail(`${what} expected MqttError ${hex(reasonCode)}, but it returned ${describe(result)}`);
}

function describe(value: unknown): string {
  if (Buffer.isBuffer(value)) return `bytes ${value.toString('hex')}`;
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === 'object' && 'type' in v && v.type === 'Buffer' ? '<buffer>' : v,
    );
  } catch {
    return String(value);
  }
}
