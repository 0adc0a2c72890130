import assert from 'node:assert/strict';
import { listenTls } from '../../src/transport/tls';
import type { TransportListener } from '../../src/transport/transport';
import {
  Accepted,
  collectSocket,
  connectTcp,
  connectTlsClient,
  makeSelfSignedCert,
  Recorder,
  type SelfSignedCert,
  socketClosed,
  until,
  withTimeout,
} from './helpers';

describe('TLS transport', () => {
  let pem: SelfSignedCert;
  const open: TransportListener[] = [];

  before(() => {
    pem = makeSelfSignedCert();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close(0)));
  });

  async function listen(accepted: Accepted, port = 0): Promise<TransportListener> {
    const listener = await listenTls({ port, tls: { key: pem.key, cert: pem.cert } }, accepted.handler);
    open.push(listener);
    return listener;
  }

  it('hands over a connection once its handshake is done and carries bytes both ways', async () => {
    const accepted = new Accepted();
    const listener = await listen(accepted);
    assert.equal(listener.host, '127.0.0.1');
    const client = await connectTlsClient(listener.port, pem.cert);
    assert.equal(client.authorized, true);
    const received = collectSocket(client);
    const server = await accepted.next();
    const recorder = new Recorder(server);
    assert.match(server.remoteAddress, /^127\.0\.0\.1:\d+$/);
    client.write(Buffer.from([0x10, 0x00]));
    await recorder.received(2);
    assert.deepEqual(recorder.bytes, Buffer.from([0x10, 0x00]));
    server.write(Buffer.from([0x20, 0x00]));
    await until(() => received.bytes().length === 2, 'the reply');
    server.close();
    await socketClosed(client);
  });

  it('survives a client that fails the handshake and keeps serving others', async () => {
    const accepted = new Accepted();
    const listener = await listen(accepted);
    const plain = await connectTcp(listener.port);
    plain.on('error', () => undefined);
    plain.write('this is not a TLS ClientHello\r\n\r\n');
    await socketClosed(plain);
    const client = await connectTlsClient(listener.port, pem.cert);
    await accepted.next();
    client.destroy();
  });

  it('releases the port on close while a client is connected', async () => {
    const accepted = new Accepted();
    const first = await listenTls({ port: 0, tls: { key: pem.key, cert: pem.cert } }, accepted.handler);
    const client = await connectTlsClient(first.port, pem.cert);
    client.on('error', () => undefined);
    await accepted.next();
    await withTimeout(first.close(50), 'the TLS listener to close');
    await socketClosed(client);
    const second = await listen(new Accepted(), first.port);
    assert.equal(second.port, first.port);
  });

  it('releases the port on close while a client is stuck before its handshake', async () => {
    const first = await listenTls({ port: 0, tls: { key: pem.key, cert: pem.cert } }, () => undefined);
    const stuck = await connectTcp(first.port);
    stuck.on('error', () => undefined);
    await withTimeout(first.close(50), 'the TLS listener to close');
    await socketClosed(stuck);
    const second = await listen(new Accepted(), first.port);
    assert.equal(second.port, first.port);
  });
});
