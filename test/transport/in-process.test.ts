import assert from 'node:assert/strict';
import { createTransportPair } from '../../src/transport/in-process';
import { Recorder, until, withTimeout } from './helpers';

describe('in-process transport pair', () => {
  it('delivers each write as one chunk, in order, after the writer has returned', async () => {
    const [a, b] = createTransportPair();
    const received = new Recorder(b);
    a.write(Buffer.from('one'));
    a.write(Buffer.from('two'));
    a.write(Buffer.from('three'));
    assert.equal(received.chunks.length, 0, 'nothing arrives inside write');
    await until(() => received.chunks.length === 3, 'three chunks');
    assert.deepEqual(
      received.chunks.map((c) => c.toString()),
      ['one', 'two', 'three'],
    );
  });

  it('carries both directions independently', async () => {
    const [a, b] = createTransportPair({ a: 'broker', b: 'client' });
    assert.equal(a.remoteAddress, 'broker');
    assert.equal(b.remoteAddress, 'client');
    const atA = new Recorder(a);
    const atB = new Recorder(b);
    a.write(Buffer.from('to b'));
    b.write(Buffer.from('to a'));
    await until(() => atA.chunks.length === 1 && atB.chunks.length === 1, 'both chunks');
    assert.equal(atA.bytes.toString(), 'to a');
    assert.equal(atB.bytes.toString(), 'to b');
  });

  it('holds chunks written before the other end listens', async () => {
    const [a, b] = createTransportPair();
    a.write(Buffer.from('early'));
    await new Promise((resolve) => setImmediate(resolve));
    const received = new Recorder(b);
    await until(() => received.chunks.length === 1, 'the early chunk');
    assert.equal(received.bytes.toString(), 'early');
  });

  it('closes both ends on close, after what was written has arrived', async () => {
    const [a, b] = createTransportPair();
    const atA = new Recorder(a);
    const atB = new Recorder(b);
    a.write(Buffer.from('last words'));
    a.close();
    assert.equal(a.write(Buffer.from('too late')), false, 'no writes after close');
    await withTimeout(Promise.all([atA.whenClosed, atB.whenClosed]), 'both ends to close');
    assert.equal(atB.bytes.toString(), 'last words');
    assert.equal(b.write(Buffer.from('x')), false);
  });

  it('drops what is pending and closes both ends at once on destroy', async () => {
    const [a, b] = createTransportPair();
    const atA = new Recorder(a);
    const atB = new Recorder(b);
    a.write(Buffer.from('never delivered'));
    b.destroy();
    await withTimeout(Promise.all([atA.whenClosed, atB.whenClosed]), 'both ends to close');
    assert.equal(atB.chunks.length, 0);
  });

  it('reports each close once, also to a callback registered afterwards', async () => {
    const [a, b] = createTransportPair();
    let closes = 0;
    b.onClose(() => closes++);
    a.close();
    a.close();
    b.destroy();
    await until(() => closes === 1, 'the close');
    await withTimeout(new Promise<void>((resolve) => b.onClose(() => resolve())), 'a late onClose');
    assert.equal(closes, 1);
  });

  it('reports backpressure beyond its buffer and drains once the reader caught up', async () => {
    const [a, b] = createTransportPair();
    let drains = 0;
    a.onDrain(() => drains++);
    const received = new Recorder(b);
    const chunk = Buffer.alloc(16 * 1024);
    const results = [a.write(chunk), a.write(chunk), a.write(chunk), a.write(chunk), a.write(chunk)];
    assert.deepEqual(results, [true, true, true, false, false]);
    await until(() => drains === 1, 'the drain');
    assert.equal(received.bytes.length, 5 * chunk.length);
  });
});
