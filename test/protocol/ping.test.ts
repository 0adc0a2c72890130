import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { MqttError } from '../../src/protocol/errors';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import { ReasonCode } from '../../src/protocol/reason-codes';
import type { Packet, ProtocolLevel } from '../../src/protocol/types';

/** Literal bytes written as hex, one packet field per argument. */
function hex(...fields: string[]): Buffer {
  return Buffer.from(fields.join('').replace(/ /g, ''), 'hex');
}

/** Encodes `packet` to exactly `bytes`, and decodes `bytes`, whole and split anywhere, to `packet`. */
function golden(packet: Packet, bytes: Buffer, level: ProtocolLevel): void {
  assert.deepEqual(encodePacket(packet, level), bytes);
  assert.deepEqual(decodePacket(bytes, level), packet);
  for (let i = 1; i < bytes.length; i++) {
    const decoder = new FrameDecoder({ protocolLevel: level });
    const out = [...decoder.push(bytes.subarray(0, i)), ...decoder.push(bytes.subarray(i))];
    assert.deepEqual(out, [packet], `split at ${i}`);
  }
}

function rejects(reasonCode: number, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MqttError, String(err));
    assert.equal(err.reasonCode, reasonCode, err.message);
    return true;
  });
}

describe('PINGREQ, PINGRESP', () => {
  it('encodes and decodes PINGREQ as a bare fixed header at every level', () => {
    // 0xC0 PINGREQ, remaining 0
    for (const level of [3, 4, 5] as const) golden({ type: 'pingreq' }, hex('c0 00'), level);
  });

  it('encodes and decodes PINGRESP as a bare fixed header at every level', () => {
    // 0xD0 PINGRESP, remaining 0
    for (const level of [3, 4, 5] as const) golden({ type: 'pingresp' }, hex('d0 00'), level);
  });

  it('rejects PINGREQ and PINGRESP with flags other than 0000', () => {
    rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('c1 00'), 5));
    rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('d8 00'), 4));
  });

  it('rejects PINGREQ and PINGRESP with a body', () => {
    // remaining 1, one stray byte
    rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('c0 01 00'), 5));
    rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('d0 01 00'), 4));
  });
});
