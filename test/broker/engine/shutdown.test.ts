import assert from 'node:assert/strict';
import { ReasonCode } from '../../../src/protocol/reason-codes';
import { connected, Harness, will } from './harness';

describe('broker engine: shutdown', () => {
  it('sends 5.0 clients DISCONNECT 0x8B and closes every connection', () => {
    const h = new Harness();
    const v5 = connected(h, 'v5');
    const v4 = connected(h, 'v4', { level: 4 });
    const pending = h.client();
    h.broker.shutdown();
    assert.deepEqual(v5.take(), [{ type: 'disconnect', reasonCode: ReasonCode.ServerShuttingDown }]);
    assert.deepEqual(v4.take(), []);
    assert.deepEqual(pending.take(), []);
    assert.ok([v5, v4, pending].every((c) => c.closed));
    assert.equal(h.broker.counters.clientsConnected, 0);
    assert.deepEqual(
      h.eventsOf('client-disconnected').map((e) => [e.clientId, e.reasonCode]),
      [
        ['v5', ReasonCode.ServerShuttingDown],
        ['v4', ReasonCode.ServerShuttingDown],
      ],
    );
  });

  it('publishes the wills of clients cut off by the shutdown', () => {
    const h = new Harness();
    connected(h, 'a', { will: will('will/a', 'gone', { retain: true }) });
    h.broker.shutdown();
    h.flush();
    assert.equal(h.broker.counters.retainedMessages, 1);
  });

  it('does nothing more when called twice', () => {
    const h = new Harness();
    const a = connected(h, 'a');
    h.broker.shutdown();
    h.broker.shutdown();
    assert.equal(a.take().length, 1);
  });
});
