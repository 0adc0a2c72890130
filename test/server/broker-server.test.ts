import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { encodePacket } from '../../src/protocol/encode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { ConnectPacket, Packet } from '../../src/protocol/types';
import { BrokerServer } from '../../src/server/broker-server';
import type { LogLevel } from '../../src/server/types';
import { createTransportPair } from '../../src/transport/in-process';
import type { Transport } from '../../src/transport/transport';
import {
  collectSocket,
  connectTcp,
  delay,
  opened,
  openWebSocket,
  until,
  withTimeout,
} from '../transport/helpers';
import { FakeEngine } from './fake-engine';
import { Peer } from './peer';

const CONNECT: ConnectPacket = {
  type: 'connect',
  protocolName: 'MQTT',
  protocolLevel: 5,
  clientId: 'c1',
  cleanStart: true,
  keepAlive: 60,
};

function bytes(packet: Packet): Buffer {
  return encodePacket(packet, 5);
}

/** A transport whose buffer is always full until the test drains it. */
class StuckTransport implements Transport {
  readonly remoteAddress = 'stuck';
  private drain: (() => void)[] = [];
  write(): boolean {
    return false;
  }
  close(): void {}
  destroy(): void {}
  onData(): void {}
  onClose(): void {}
  onDrain(cb: () => void): void {
    this.drain.push(cb);
  }
  fireDrain(): void {
    for (const cb of this.drain) cb();
  }
}

describe('BrokerServer with a fake engine', () => {
  let engine: FakeEngine;
  let server: BrokerServer;
  let logged: [LogLevel, string][];

  beforeEach(() => {
    engine = new FakeEngine();
    logged = [];
    server = new BrokerServer(engine, {
      tickInterval: 60_000,
      closeTimeout: 300,
      log: (level, message) => logged.push([level, message]),
    });
  });

  afterEach(async () => {
    await withTimeout(server.close(), 'the server to close');
  });

  /** A client connected in process, with its server end attached on listener `local`. */
  function connectInProcess(): Peer {
    const [client, serverEnd] = createTransportPair({ a: 'in-process:broker', b: 'in-process:client' });
    server.attach(serverEnd, 'local');
    return new Peer(client);
  }

  function onlyConnectionId(): number {
    const [id] = [...engine.connections.keys()];
    if (id === undefined) throw new Error('no open connection');
    return id;
  }

  describe('input', () => {
    it('opens a connection with its listener name and remote address', () => {
      connectInProcess();
      assert.deepEqual(
        [...engine.connections.values()],
        [{ remoteAddress: 'in-process:client', listener: 'local' }],
      );
    });

    it('passes each decoded packet to the engine in order, however the bytes were cut', async () => {
      const peer = connectInProcess();
      const stream = Buffer.concat([bytes(CONNECT), bytes({ type: 'pingreq' }), bytes({ type: 'pingreq' })]);
      for (let i = 0; i < stream.length; i++) peer.transport.write(stream.subarray(i, i + 1));
      await until(() => engine.received.length === 3, 'three packets');
      assert.deepEqual(
        engine.received.map((r) => r.packet.type),
        ['connect', 'pingreq', 'pingreq'],
      );
      assert.equal(engine.received[0]?.packet.type === 'connect' && engine.received[0].packet.clientId, 'c1');
    });

    it('rejects a malformed stream with its reason code and ignores what follows', async () => {
      const peer = connectInProcess();
      peer.transport.write(bytes(CONNECT));
      peer.transport.write(Buffer.from([0x00, 0x00]));
      peer.transport.write(bytes({ type: 'pingreq' }));
      await withTimeout(peer.recorder.whenClosed, 'the connection to close');
      assert.equal(engine.rejected.length, 1);
      assert.equal(engine.rejected[0]?.error.reasonCode, ReasonCode.MalformedPacket);
      assert.deepEqual(
        engine.received.map((r) => r.packet.type),
        ['connect'],
      );
      assert.deepEqual(peer.packets(), [{ type: 'disconnect', reasonCode: ReasonCode.MalformedPacket }]);
    });

    it('rejects a first packet that is not CONNECT as a protocol error', async () => {
      const peer = connectInProcess();
      peer.transport.write(bytes({ type: 'pingreq' }));
      await until(() => engine.rejected.length === 1, 'the rejection');
      assert.equal(engine.rejected[0]?.error.reasonCode, ReasonCode.ProtocolError);
    });

    it("rejects a packet over the engine's maximum packet size from its fixed header", async () => {
      engine.maximumPacketSize = 100;
      const peer = connectInProcess();
      peer.transport.write(bytes(CONNECT));
      // A PUBLISH announcing 200 bytes: refused before its body arrives.
      peer.transport.write(Buffer.from([0x30, 0xc8, 0x01]));
      await until(() => engine.rejected.length === 1, 'the rejection');
      assert.equal(engine.rejected[0]?.error.reasonCode, ReasonCode.PacketTooLarge);
    });

    it('closes only the connection whose engine call threw a non-MQTT error, and logs it', async () => {
      engine.onReceive = (id, packet) => {
        if (packet.type === 'connect' && packet.clientId === 'bad') throw new TypeError('boom');
        engine.queue(id, [{ type: 'connack', sessionPresent: false, reasonCode: 0 }]);
      };
      const bad = connectInProcess();
      const good = connectInProcess();
      bad.transport.write(bytes({ ...CONNECT, clientId: 'bad' }));
      good.transport.write(bytes(CONNECT));
      await withTimeout(bad.recorder.whenClosed, 'the failing connection to close');
      await good.waitForPackets(1);
      assert.equal(good.recorder.closed, false);
      assert.equal(engine.closedIds.length, 1);
      assert.ok(logged.some(([level, m]) => level === 'error' && m.includes('boom')));
    });

    it('tells the engine once when a transport closes', async () => {
      const peer = connectInProcess();
      const id = onlyConnectionId();
      peer.transport.close();
      await until(() => engine.closedIds.length === 1, 'the engine to hear of the close');
      await delay(20);
      assert.deepEqual(engine.closedIds, [id]);
    });
  });

  describe('output', () => {
    it('writes everything queued for a connection in one write per flush', async () => {
      const peer = connectInProcess();
      engine.onReceive = (id, packet) => {
        if (packet.type !== 'connect') return;
        engine.queue(id, [
          { type: 'connack', sessionPresent: false, reasonCode: 0 },
          { type: 'pingresp' },
          { type: 'pingresp' },
        ]);
      };
      peer.transport.write(bytes(CONNECT));
      const packets = await peer.waitForPackets(3);
      assert.deepEqual(
        packets.map((p) => p.type),
        ['connack', 'pingresp', 'pingresp'],
      );
      assert.equal(peer.recorder.chunks.length, 1, 'a single write');
    });

    it('coalesces many data events on many connections into one drain', async () => {
      const peers = [connectInProcess(), connectInProcess(), connectInProcess()];
      await delay(10);
      const drainsBefore = engine.drains;
      for (const peer of peers) {
        peer.transport.write(bytes(CONNECT));
        peer.transport.write(bytes({ type: 'pingreq' }));
        peer.transport.write(bytes({ type: 'pingreq' }));
      }
      await until(() => engine.received.length === 9, 'nine packets');
      await delay(10);
      assert.equal(engine.drains - drainsBefore, 1);
    });

    it('writes at the protocol level the engine names', async () => {
      const peer = connectInProcess();
      engine.onReceive = (id) =>
        engine.queue(
          id,
          [{ type: 'connack', sessionPresent: false, reasonCode: 0, properties: {} }],
          false,
          4,
        );
      peer.transport.write(bytes({ ...CONNECT, protocolLevel: 4 }));
      await peer.recorder.received(4);
      assert.deepEqual(peer.recorder.bytes, Buffer.from([0x20, 0x02, 0x00, 0x00]));
    });

    it('closes the connection after writing when the engine says so', async () => {
      const peer = connectInProcess();
      engine.onReceive = (id) =>
        engine.queue(id, [{ type: 'connack', sessionPresent: false, reasonCode: 0x87 }], true);
      peer.transport.write(bytes(CONNECT));
      await withTimeout(peer.recorder.whenClosed, 'the close');
      assert.deepEqual(peer.packets(), [{ type: 'connack', sessionPresent: false, reasonCode: 0x87 }]);
      await until(() => engine.closedIds.length === 1, 'the engine to hear of the close');
    });

    it('drops the connection, not the process, when the engine emits an invalid packet', async () => {
      const peer = connectInProcess();
      engine.onReceive = (id) => engine.queue(id, [{ type: 'auth', reasonCode: 0 }], false, 4);
      peer.transport.write(bytes(CONNECT));
      await withTimeout(peer.recorder.whenClosed, 'the close');
      assert.equal(peer.recorder.chunks.length, 0);
      assert.ok(logged.some(([level]) => level === 'error'));
    });

    it('counts the bytes received and sent', async () => {
      const peer = connectInProcess();
      engine.onReceive = (id) => engine.queue(id, [{ type: 'pingresp' }]);
      peer.transport.write(bytes(CONNECT));
      await peer.waitForPackets(1);
      await until(() => engine.bytes.sent === 2, 'the sent bytes to be counted');
      assert.equal(engine.bytes.received, bytes(CONNECT).length);
      assert.equal(server.stats().perConnection[0]?.bytesReceived, bytes(CONNECT).length);
    });

    it('ticks the engine on its interval and writes what the tick produced', async () => {
      const ticking = new BrokerServer(engine, { tickInterval: 10, closeTimeout: 50 });
      try {
        const [client, serverEnd] = createTransportPair();
        ticking.attach(serverEnd, 'local');
        const peer = new Peer(client);
        await delay(5);
        engine.queue(onlyConnectionId(), [{ type: 'pingresp' }]);
        await peer.waitForPackets(1);
        await until(() => engine.ticks >= 2, 'two ticks');
      } finally {
        await ticking.close();
      }
    });
  });

  describe('events and stats', () => {
    it("emits the engine's events after a flush, and survives a listener that throws", async () => {
      const seen: string[] = [];
      server.on('event', () => {
        throw new Error('listener bug');
      });
      const other = new BrokerServer(engine, { tickInterval: 60_000, closeTimeout: 50 });
      other.on('event', (e) => seen.push(e.type));
      const peer = connectInProcess();
      engine.report({ type: 'unsubscribed', clientId: 'c1', filter: 'a/b' });
      peer.transport.write(bytes(CONNECT));
      await until(
        () => logged.some(([, m]) => m.includes('listener bug')),
        'the listener error to be logged',
      );
      engine.report({ type: 'unsubscribed', clientId: 'c1', filter: 'a/b' });
      const [c2, s2] = createTransportPair();
      other.attach(s2, 'local');
      c2.write(bytes(CONNECT));
      await until(() => seen.length === 1, 'the event');
      await other.close();
    });

    it('raises no listener-leak warning with many event subscribers', async () => {
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        for (let i = 0; i < 50; i++) server.on('event', () => undefined);
        for (let i = 0; i < 20; i++) connectInProcess();
        await delay(20);
        assert.deepEqual(
          warnings.map((w) => w.name),
          [],
        );
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('counts connections whose transport buffer is full until they drain', async () => {
      const stuck = new StuckTransport();
      server.attach(stuck, 'custom');
      engine.queue(onlyConnectionId(), [{ type: 'pingresp' }]);
      engine.queue(onlyConnectionId(), [{ type: 'pingresp' }]);
      connectInProcess().transport.write(bytes(CONNECT));
      await until(() => server.stats().writableNeedDrain === 1, 'the backpressure to show');
      assert.equal(server.stats().perConnection.find((c) => c.listener === 'custom')?.backpressureEvents, 1);
      stuck.fireDrain();
      assert.equal(server.stats().writableNeedDrain, 0);
    });
  });

  describe('listeners and close', () => {
    it('reports its listeners and refuses a second one with the same name', async () => {
      const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
      assert.deepEqual(server.listening, [
        { name: 'tcp', type: 'tcp', host: '127.0.0.1', port, url: `mqtt://127.0.0.1:${port}` },
      ]);
      await assert.rejects(server.listen({ name: 'tcp', type: 'tcp', port: 0 }), /already open/);
    });

    it('refuses a port in use, and a tls listener without credentials', async () => {
      const { port } = await server.listen({ name: 'a', type: 'tcp', port: 0 });
      await assert.rejects(server.listen({ name: 'b', type: 'tcp', port }), { code: 'EADDRINUSE' });
      await assert.rejects(
        server.listen({ name: 'c', type: 'tls', port: 0 }),
        /needs a key and a certificate/,
      );
      assert.equal(server.listening.length, 1);
    });

    it('serves TCP connections through the engine', async () => {
      engine.onReceive = (id) =>
        engine.queue(id, [{ type: 'connack', sessionPresent: false, reasonCode: 0 }]);
      const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
      const socket = await connectTcp(port);
      const received = collectSocket(socket);
      socket.write(bytes(CONNECT));
      await until(() => received.bytes().length === 5, 'the CONNACK');
      assert.equal([...engine.connections.values()][0]?.listener, 'tcp');
      socket.destroy();
    });

    it('assembles a packet that spans WebSocket frames', async () => {
      const { port } = await server.listen({ name: 'ws', type: 'ws', port: 0, path: '/mqtt' });
      assert.equal(server.listening[0]?.url, `ws://127.0.0.1:${port}/mqtt`);
      const ws = opened(await openWebSocket(`ws://127.0.0.1:${port}/mqtt`, ['mqtt']));
      const connect = bytes(CONNECT);
      ws.send(connect.subarray(0, 5));
      ws.send(connect.subarray(5));
      await until(() => engine.received.length === 1, 'the CONNECT');
      assert.equal(engine.received[0]?.packet.type, 'connect');
      ws.terminate();
    });

    it('attaches a ws listener to an existing HTTP server and detaches on close', async () => {
      const http = createHttpServer();
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      try {
        const before = http.listenerCount('upgrade');
        const { port } = await server.listen({ name: 'ws', type: 'ws', httpServer: http, path: '/mqtt' });
        assert.equal(server.listening[0]?.url, `ws://127.0.0.1:${port}/mqtt`);
        const ws = opened(await openWebSocket(`ws://127.0.0.1:${port}/mqtt`, ['mqtt']));
        ws.send(bytes(CONNECT));
        await until(() => engine.received.length === 1, 'the CONNECT');
        await withTimeout(server.close(), 'the close');
        assert.equal(http.listenerCount('upgrade'), before);
        assert.equal(http.listening, true);
      } finally {
        http.closeAllConnections();
        await new Promise((resolve) => http.close(resolve));
      }
    });

    it('refuses a ws listener with neither a port nor an HTTP server', async () => {
      await assert.rejects(server.listen({ name: 'ws', type: 'ws' }), /needs a port or an HTTP server/);
    });

    it('on close tells clients, closes them, and calls the engine shutdown once', async () => {
      const peer = connectInProcess();
      peer.transport.write(bytes(CONNECT));
      await until(() => engine.received.length === 1, 'the CONNECT');
      await withTimeout(Promise.all([server.close(), server.close()]), 'the close');
      assert.equal(engine.shutdowns, 1);
      assert.equal(peer.recorder.closed, true);
      assert.deepEqual(peer.packets(), [{ type: 'disconnect', reasonCode: ReasonCode.ServerShuttingDown }]);
      assert.equal(engine.closedIds.length, 1);
      await assert.rejects(server.listen({ name: 'late', type: 'tcp', port: 0 }), /closed/);
      const [late, lateServer] = createTransportPair();
      const lateClosed = new Peer(late).recorder.whenClosed;
      server.attach(lateServer, 'local');
      await withTimeout(lateClosed, 'a late connection to be refused');
    });

    it('releases its port on close so a redeployed server can listen on it at once', async () => {
      const { port } = await server.listen({ name: 'tcp', type: 'tcp', port: 0 });
      // A client that keeps its side open after the server ends the connection.
      const { connect } = await import('node:net');
      const stubborn = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      stubborn.on('error', () => undefined);
      const received = collectSocket(stubborn);
      let ended = false;
      stubborn.on('end', () => {
        ended = true;
      });
      await withTimeout(new Promise((resolve) => stubborn.once('connect', resolve)), 'the connection');
      stubborn.write(bytes(CONNECT));
      await until(() => engine.received.length === 1, 'the CONNECT');
      const redeployed = new BrokerServer(new FakeEngine(), { tickInterval: 60_000 });
      try {
        await withTimeout(server.close(), 'the close');
        assert.equal(ended, true, 'the server ended its side');
        assert.deepEqual(received.bytes(), Buffer.from([0xe0, 0x01, ReasonCode.ServerShuttingDown]));
        assert.deepEqual(await redeployed.listen({ name: 'tcp', type: 'tcp', port }), { port });
      } finally {
        stubborn.destroy();
        await redeployed.close();
      }
    });
  });
});
