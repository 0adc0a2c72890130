import assert from 'node:assert/strict';
import { applyOp, applyOps, emptyState, fromPersisted, toPersisted } from '../../src/store/apply-op';
import { enqueueOp, inflight, message, queuePayloads, sessionOp, subscription } from './helpers';

describe('applyOp', () => {
  it('keeps dequeue cheap: the queue array is compacted as its consumed head grows', () => {
    const state = emptyState();
    applyOp(state, sessionOp('c1'));
    for (let i = 0; i < 5000; i++) applyOp(state, enqueueOp('c1', String(i)));
    for (let i = 0; i < 4000; i++) applyOp(state, { op: 'dequeue', clientId: 'c1' });
    const session = state.sessions.get('c1');
    assert.ok(session !== undefined);
    assert.ok(session.queue.length < 2100, `queue array holds ${session.queue.length} slots`);
    assert.equal(session.queue.length - session.queueHead, 1000);
    assert.deepEqual(queuePayloads(toPersisted(state).sessions[0]).slice(0, 2), ['4000', '4001']);
  });

  it('round-trips a state through its persisted form', () => {
    const state = emptyState();
    applyOps(state, [
      { op: 'session', clientId: 'c1', expiryInterval: 5, expiresAt: 10 },
      { op: 'subscribe', clientId: 'c1', subscription: subscription('a') },
      { op: 'inflight', clientId: 'c1', inflight: inflight(4) },
      { op: 'qos2-in', clientId: 'c1', packetId: 8 },
      enqueueOp('c1', 'x'),
      enqueueOp('c1', 'y'),
      { op: 'dequeue', clientId: 'c1' },
      { op: 'retain', message: message('r') },
    ]);
    const persisted = toPersisted(state);
    assert.deepEqual(toPersisted(fromPersisted(persisted)), persisted);
    assert.deepEqual(queuePayloads(persisted.sessions[0]), ['y']);
  });

  it('lets later duplicates win when indexing a persisted state', () => {
    const state = fromPersisted({ sessions: [], retained: [message('r', 'old'), message('r', 'new')] });
    assert.equal(state.retained.get('r')?.payload.toString(), 'new');
  });
});
