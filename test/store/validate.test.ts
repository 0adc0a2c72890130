import assert from 'node:assert/strict';
import { parsePersistedState, parseStoreOp, StoreFormatError } from '../../src/store/validate';
import { message } from './helpers';

function rejects(value: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseStoreOp(value),
    (err: unknown) => err instanceof StoreFormatError && pattern.test(err.message),
  );
}

describe('StoreOp validation', () => {
  it('names the first bad field with its path', () => {
    rejects(null, /^op: expected an object/);
    rejects({ op: 'retain', message: { ...message('t'), qos: 3 } }, /^op\.message\.qos: expected QoS/);
    rejects(
      { op: 'retain', message: { ...message('t'), payload: 'text' } },
      /op\.message\.payload: expected a Buffer/,
    );
    rejects(
      { op: 'session', clientId: 'c', expiryInterval: Number.NaN },
      /expiryInterval: expected a finite number/,
    );
    rejects(
      { op: 'inflight-delete', clientId: 'c', packetId: 65536 },
      /packetId: expected an integer from 1/,
    );
    rejects({ op: 'dequeue', clientId: 5 }, /op\.clientId: expected a string/);
    rejects({ op: 'subscribe', clientId: 'c', subscription: { filter: 'a' } }, /subscription\.topicFilter/);
    rejects(
      { op: 'retain', message: { ...message('t'), properties: { userProperties: [['a']] } } },
      /userProperties\[0\]: expected a \[name, value\] pair/,
    );
    rejects({ op: 'nope' }, /unknown op "nope"/);
  });

  it('copies only the known fields and leaves undefined ones out', () => {
    const input = { op: 'session', clientId: 'c', expiryInterval: 1, expiresAt: undefined, extra: 'x' };
    assert.deepEqual(parseStoreOp(input), { op: 'session', clientId: 'c', expiryInterval: 1 });
  });

  it('shares Buffers but copies the objects around them', () => {
    const original = message('t', 'payload');
    const op = parseStoreOp({ op: 'retain', message: original });
    assert.ok(op.op === 'retain');
    assert.notEqual(op.message, original);
    assert.equal(op.message.payload, original.payload);
  });

  it('checks a whole persisted state', () => {
    assert.deepEqual(parsePersistedState({ sessions: [], retained: [] }), { sessions: [], retained: [] });
    assert.throws(
      () => parsePersistedState({ sessions: [{ clientId: 'c' }], retained: [] }),
      /sessions\[0\]/,
    );
  });
});
