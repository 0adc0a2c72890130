import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readSnapshot, writeSnapshot } from '../../src/store/snapshot';
import type { PersistedState } from '../../src/store/types';
import { delivery, inflight, makeTempDir, message, removeDir, subscription } from './helpers';

describe('snapshot', () => {
  let dir = '';

  beforeEach(async () => {
    dir = await makeTempDir();
  });

  afterEach(async () => {
    await removeDir(dir);
  });

  async function roundTrip(state: PersistedState, seq = 7): Promise<void> {
    const path = join(dir, 'state.snapshot');
    await writeSnapshot(path, join(dir, 'state.snapshot.tmp'), dir, { seq, state });
    assert.deepEqual(await readSnapshot(path), { seq, state });
    assert.deepEqual(await readdir(dir), ['state.snapshot'], 'the temporary file is renamed away');
  }

  it('round-trips an empty state', async () => {
    await roundTrip({ sessions: [], retained: [] }, 0);
  });

  it('round-trips sessions with and without queues, and retained messages', async () => {
    const session = (clientId: string, queued: number) => ({
      clientId,
      expiryInterval: 10,
      subscriptions: [subscription('a/+')],
      inflight: [inflight(1), inflight(2, 'pubrel')],
      queue: Array.from({ length: queued }, (_, i) => delivery(`q${i}`)),
      incomingQoS2: [5],
    });
    await roundTrip({
      sessions: [session('a', 0), session('b', 3), session('c', 0)],
      retained: [message('r/1', Buffer.alloc(0)), message('r/2', '{"$b":"AAAA"}')],
    });
  });

  it('writes a state of several megabytes in chunks that read back as one record', async () => {
    const big = Buffer.alloc(1000, 0xab);
    const queue = Array.from({ length: 3000 }, (_, i) =>
      delivery(Buffer.concat([Buffer.from(String(i)), big])),
    );
    const retained = Array.from({ length: 2000 }, (_, i) => message(`r/${i}`, big));
    await roundTrip({ sessions: [{ ...sessionBase('big'), queue }], retained });
  });

  it('reads no snapshot when there is no file', async () => {
    assert.equal(await readSnapshot(join(dir, 'missing')), undefined);
  });
});

function sessionBase(clientId: string) {
  return { clientId, expiryInterval: 0, subscriptions: [], inflight: [], queue: [], incomingQoS2: [] };
}
