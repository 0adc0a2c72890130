import assert from 'node:assert/strict';
import { MemoryStore, releaseSharedMemoryStore, sharedMemoryStore } from '../../src/store/memory-store';
import { runStoreContract } from './contract';
import { enqueueOp, queuePayloads, sessionOp } from './helpers';

runStoreContract('MemoryStore', async () => new MemoryStore());

runStoreContract(
  'sharedMemoryStore',
  async (dir) => {
    releaseSharedMemoryStore(dir);
    return sharedMemoryStore(dir);
  },
  async (dir, store) => {
    await store.close();
    return sharedMemoryStore(dir);
  },
);

describe('sharedMemoryStore', () => {
  afterEach(() => {
    releaseSharedMemoryStore('node-1');
    releaseSharedMemoryStore('node-2');
  });

  it('gives a redeployed broker node the sessions of the one it replaces', async () => {
    const before = sharedMemoryStore('node-1');
    await before.apply([sessionOp('c1'), enqueueOp('c1', 'kept')]);
    await before.close();
    const after = sharedMemoryStore('node-1');
    assert.deepEqual(queuePayloads((await after.load()).sessions[0]), ['kept']);
    await after.close();
  });

  it('keeps the state of different keys apart', async () => {
    const one = sharedMemoryStore('node-1');
    const two = sharedMemoryStore('node-2');
    await one.apply([sessionOp('c1')]);
    assert.deepEqual((await two.load()).sessions, []);
  });

  it('starts empty again once the key is released', async () => {
    const store = sharedMemoryStore('node-1');
    await store.apply([sessionOp('c1')]);
    await store.close();
    assert.equal(releaseSharedMemoryStore('node-1'), true);
    assert.equal(releaseSharedMemoryStore('node-1'), false);
    assert.deepEqual((await sharedMemoryStore('node-1').load()).sessions, []);
  });

  it('rejects load on a closed handle', async () => {
    const store = sharedMemoryStore('node-1');
    await store.close();
    await assert.rejects(store.load(), /after close/);
  });
});
