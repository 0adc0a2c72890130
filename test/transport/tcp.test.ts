import assert from 'node:assert/strict';
import { listenTcp } from '../../src/transport/tcp';
import type { TransportListener } from '../../src/transport/transport';
import { Accepted, collectSocket, connectTcp, Recorder, socketClosed, until, withTimeout } from './helpers';

describe('TCP transport', () => {
  const open: TransportListener[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close(0)));
  });

  async function listen(accepted: Accepted, port = 0): Promise<TransportListener> {
    const listener = await listenTcp({ port }, accepted.handler);
    open.push(listener);
    return listener;
  }

  it('binds 127.0.0.1 by default and reports the free port it was given', async () => {
    const listener = await listen(new Accepted());
    assert.equal(listener.host, '127.0.0.1');
    assert.ok(listener.port > 0);
  });

  it('carries bytes both ways and names the remote address', async () => {
    const accepted = new Accepted();
    const listener = await listen(accepted);
    const client = await connectTcp(listener.port);
    const received = collectSocket(client);
    const server = await accepted.next();
    const recorder = new Recorder(server);
    assert.equal(server.remoteAddress, `127.0.0.1:${client.localPort}`);
    client.write(Buffer.from('ping'));
    await recorder.received(4);
    assert.equal(recorder.bytes.toString(), 'ping');
    assert.equal(server.write(Buffer.from('pong')), true);
    await until(() => received.bytes().length === 4, 'the reply');
    assert.equal(received.bytes().toString(), 'pong');
    client.destroy();
  });

  it('ends gracefully on close, after what was written', async () => {
    const accepted = new Accepted();
    const listener = await listen(accepted);
    const client = await connectTcp(listener.port);
    const received = collectSocket(client);
    const server = await accepted.next();
    const recorder = new Recorder(server);
    server.write(Buffer.from('bye'));
    server.close();
    await socketClosed(client);
    assert.equal(received.bytes().toString(), 'bye');
    assert.equal(await withTimeout(recorder.whenClosed, 'the server side to close'), undefined);
  });

  it('reports a close from the peer once', async () => {
    const accepted = new Accepted();
    const listener = await listen(accepted);
    const client = await connectTcp(listener.port);
    const server = await accepted.next();
    let closes = 0;
    server.onClose(() => closes++);
    client.destroy();
    await until(() => closes === 1, 'the close');
    assert.equal(server.write(Buffer.from('late')), false, 'writing to a closed transport reports false');
    // A callback registered after the close still hears of it.
    await withTimeout(new Promise<void>((resolve) => server.onClose(() => resolve())), 'a late onClose');
    assert.equal(closes, 1);
  });

  it('reports backpressure when the socket buffer fills, and drains', async () => {
    const accepted = new Accepted();
    const listener = await listen(accepted);
    const client = await connectTcp(listener.port);
    client.pause();
    const server = await accepted.next();
    let drained = false;
    server.onDrain(() => {
      drained = true;
    });
    const big = Buffer.alloc(1024 * 1024);
    let writes = 0;
    while (server.write(big)) {
      writes++;
      assert.ok(writes < 1000, 'write never reported a full buffer');
    }
    client.resume();
    await until(() => drained, 'the drain');
    client.destroy();
  });

  it('refuses a port that is already in use', async () => {
    const listener = await listen(new Accepted());
    await assert.rejects(
      listenTcp({ port: listener.port }, () => undefined),
      { code: 'EADDRINUSE' },
    );
  });

  it('releases the port on close even while a client holds its connection open', async () => {
    const accepted = new Accepted();
    const first = await listenTcp({ port: 0 }, accepted.handler);
    const client = await connectTcp(first.port);
    client.on('error', () => undefined);
    await accepted.next();
    await withTimeout(first.close(50), 'the listener to close');
    await socketClosed(client);
    const second = await listenTcp({ port: first.port }, () => undefined);
    open.push(second);
    assert.equal(second.port, first.port);
  });
});
