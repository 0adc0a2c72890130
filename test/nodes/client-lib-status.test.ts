import assert from 'node:assert/strict';
import { connectionStatus, reasonText, withFigures } from '../../nodes/lib/client-status';
import { HeldMessages } from '../../nodes/lib/held-messages';
import type { PublishPacket } from '../../src/protocol/types';
import { translator } from './support';

function publish(topic: string, payload = topic): PublishPacket {
  return { type: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false };
}

function topicsOf(packets: PublishPacket[]): string[] {
  return packets.map((p) => p.payload.toString());
}

describe('client held messages', () => {
  it('hands a subscriber the held messages its filter matches, in arrival order, once', () => {
    const held = new HeldMessages();
    held.hold(publish('a/1'));
    held.hold(publish('b/1'));
    held.hold(publish('a/2'));
    assert.equal(held.size, 3);
    assert.deepEqual(topicsOf(held.claim('a/#')), ['a/1', 'a/2']);
    assert.deepEqual(held.claim('a/#'), []);
    assert.equal(held.size, 1);
    assert.equal(held.dropped, 0);
  });

  it('matches single-level wildcards and exact topics', () => {
    const held = new HeldMessages();
    for (const topic of ['s/1/t', 's/2/t', 's/2/h', 'x']) held.hold(publish(topic));
    assert.deepEqual(topicsOf(held.claim('s/+/t')), ['s/1/t', 's/2/t']);
    assert.deepEqual(topicsOf(held.claim('x')), ['x']);
    assert.deepEqual(topicsOf(held.claim('#')), ['s/2/h']);
    assert.equal(held.size, 0);
  });

  it('matches a shared subscription on its topic filter', () => {
    const held = new HeldMessages();
    held.hold(publish('jobs/1'));
    held.hold(publish('other'));
    held.hold(publish('jobs/2'));
    assert.deepEqual(topicsOf(held.claim('$share/g/jobs/+')), ['jobs/1', 'jobs/2']);
    assert.deepEqual(topicsOf(held.claim('$share/g/#')), ['other']);
  });

  it('does not hand $ topics to a filter starting with a wildcard', () => {
    const held = new HeldMessages();
    held.hold(publish('$SYS/uptime'));
    assert.deepEqual(held.claim('#'), []);
    assert.deepEqual(topicsOf(held.claim('$SYS/#')), ['$SYS/uptime']);
  });

  it('keeps the same messages for the same topic apart, in order', () => {
    const held = new HeldMessages();
    held.hold(publish('t', 'first'));
    held.hold(publish('t', 'second'));
    assert.deepEqual(topicsOf(held.claim('t')), ['first', 'second']);
  });

  it('drops the oldest beyond the count bound and counts them', () => {
    const held = new HeldMessages(2);
    held.hold(publish('t', '1'));
    held.hold(publish('t', '2'));
    held.hold(publish('t', '3'));
    held.hold(publish('t', '4'));
    assert.equal(held.size, 2);
    assert.equal(held.dropped, 2);
    assert.deepEqual(topicsOf(held.claim('t')), ['3', '4']);
  });

  it('drops messages older than the age bound, by the clock it is given', () => {
    let now = 1_000;
    const held = new HeldMessages(100, 500, () => now);
    held.hold(publish('t', 'old'));
    now += 400;
    held.hold(publish('t', 'newer'));
    now += 100; // 'old' is exactly 500 ms old: still held
    assert.deepEqual(held.claim('other'), []);
    assert.equal(held.size, 2);
    assert.equal(held.dropped, 0);
    now += 1; // 'old' is past the bound
    assert.deepEqual(topicsOf(held.claim('t')), ['newer']);
    assert.equal(held.dropped, 1);
  });

  it('drops expired messages when holding new ones too', () => {
    let now = 0;
    const held = new HeldMessages(100, 10, () => now);
    held.hold(publish('a'));
    held.hold(publish('b'));
    now = 20;
    held.hold(publish('c'));
    assert.equal(held.size, 1);
    assert.equal(held.dropped, 2);
  });

  it('forgets everything on clear, without counting it as dropped', () => {
    const held = new HeldMessages();
    held.hold(publish('t'));
    held.clear();
    assert.equal(held.size, 0);
    assert.equal(held.dropped, 0);
    assert.deepEqual(held.claim('#'), []);
  });
});

describe('client connection status', () => {
  const t = translator('en-US', 'mqtt5-connection');

  describe('reason text', () => {
    it('gives the code in hex and its name, then the server’s reason string', () => {
      assert.equal(reasonText(0x87, 'bad password'), '0x87 NotAuthorized: bad password');
    });

    it('gives the code alone without a reason string', () => {
      assert.equal(reasonText(0x87, undefined), '0x87 NotAuthorized');
      assert.equal(reasonText(0x87, ''), '0x87 NotAuthorized');
    });

    it('pads a small code to two digits', () => {
      assert.equal(reasonText(0x04, undefined), '0x04 DisconnectWithWillMessage');
    });

    it('gives the reason string alone without a code', () => {
      assert.equal(
        reasonText(undefined, 'connect ECONNREFUSED 127.0.0.1:1'),
        'connect ECONNREFUSED 127.0.0.1:1',
      );
    });

    it('gives nothing without either', () => {
      assert.equal(reasonText(undefined, undefined), '');
    });

    it('names an unknown code once', () => {
      assert.equal(reasonText(0xab, 'odd'), '0xab (unknown): odd');
    });
  });

  it('shows idle as a grey ring', () => {
    assert.deepEqual(connectionStatus({ phase: 'idle' }, t), {
      fill: 'grey',
      shape: 'ring',
      text: 'not connected',
    });
  });

  it('shows connecting as a yellow ring', () => {
    assert.deepEqual(connectionStatus({ phase: 'connecting' }, t), {
      fill: 'yellow',
      shape: 'ring',
      text: 'connecting',
    });
  });

  it('shows connecting again with the reason the last attempt failed', () => {
    const status = connectionStatus({ phase: 'connecting', reasonCode: 0x87, reasonString: 'no' }, t);
    assert.deepEqual(status, {
      fill: 'yellow',
      shape: 'ring',
      text: 'connecting · last: 0x87 NotAuthorized: no',
    });
    assert.equal(
      connectionStatus({ phase: 'connecting', reasonString: 'connect ECONNREFUSED' }, t).text,
      'connecting · last: connect ECONNREFUSED',
    );
  });

  it('shows connected as a green dot with the client id', () => {
    assert.deepEqual(connectionStatus({ phase: 'connected', clientId: 'node-1' }, t), {
      fill: 'green',
      shape: 'dot',
      text: 'connected as node-1',
    });
  });

  it('shows disconnected as a red ring, with the reason when there is one', () => {
    assert.deepEqual(connectionStatus({ phase: 'disconnected' }, t), {
      fill: 'red',
      shape: 'ring',
      text: 'disconnected',
    });
    assert.deepEqual(connectionStatus({ phase: 'disconnected', reasonCode: 0x8e }, t), {
      fill: 'red',
      shape: 'ring',
      text: 'disconnected: 0x8e SessionTakenOver',
    });
  });

  it('appends a node’s figures to the connection status', () => {
    const status = connectionStatus({ phase: 'connected', clientId: 'c' }, t);
    assert.deepEqual(withFigures(status, '12 sent'), {
      fill: 'green',
      shape: 'dot',
      text: 'connected as c · 12 sent',
    });
    assert.equal(status.text, 'connected as c', 'the connection’s status is not changed');
  });

  it('leaves the status as it is without figures', () => {
    const status = connectionStatus({ phase: 'idle' }, t);
    assert.equal(withFigures(status, ''), status);
  });
});
