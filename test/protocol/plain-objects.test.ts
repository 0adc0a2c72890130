import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { AckObject, PublishObject } from '../../src/protocol/plain-objects';

describe('per-message packet objects', () => {
  it('makes a PUBLISH that is a plain object, equal to the literal it replaces', () => {
    const packet = new PublishObject('a/b', Buffer.from('hi'), 1, true, false);
    assert.equal(Object.getPrototypeOf(packet), Object.prototype);
    assert.deepEqual(packet, {
      type: 'publish',
      topic: 'a/b',
      payload: Buffer.from('hi'),
      qos: 1,
      retain: true,
      dup: false,
    });
    // The optional fields are absent until set, as with a literal.
    assert.equal('packetId' in packet, false);
    assert.equal('properties' in packet, false);
  });

  it('makes acknowledgements that are plain objects of each type', () => {
    for (const type of ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const) {
      const ack = new AckObject(type, 7, 0x10);
      assert.equal(Object.getPrototypeOf(ack), Object.prototype);
      assert.deepEqual(ack, { type, packetId: 7, reasonCode: 0x10 });
      assert.equal('properties' in ack, false);
    }
  });

  it('decodes PUBLISH and PUBACK into plain objects that encode back to the same bytes', () => {
    const publish = encodePacket(
      {
        type: 'publish',
        topic: 't',
        payload: Buffer.from('p'),
        qos: 1,
        retain: false,
        dup: false,
        packetId: 3,
      },
      5,
    );
    const decoded = decodePacket(publish, 5);
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.deepEqual(encodePacket(decoded, 5), publish);
    const puback = encodePacket({ type: 'puback', packetId: 3, reasonCode: 0x10 }, 5);
    const ack = decodePacket(puback, 5);
    assert.equal(Object.getPrototypeOf(ack), Object.prototype);
    assert.deepEqual(ack, { type: 'puback', packetId: 3, reasonCode: 0x10 });
  });
});
