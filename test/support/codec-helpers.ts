import assert from 'node:assert/strict';
import { type Packet as OraclePacket, parser } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { MqttError } from '../../src/protocol/errors';
import { FrameDecoder } from '../../src/protocol/frame-decoder';
import type { Packet, ProtocolLevel } from '../../src/protocol/types';

/** Literal bytes written as hex, one packet field per argument. */
export function hex(...fields: string[]): Buffer {
  return Buffer.from(fields.join('').replace(/ /g, ''), 'hex');
}

/** Encodes `packet` to exactly `bytes`, and decodes `bytes`, whole and split anywhere, to `packet`. */
export function golden(packet: Packet, bytes: Buffer, level: ProtocolLevel): void {
  assert.deepEqual(encodePacket(packet, level), bytes);
  assert.deepEqual(decodePacket(bytes, level), packet);
  for (let i = 1; i < bytes.length; i++) {
    const decoder = new FrameDecoder({ protocolLevel: level });
    const out = [...decoder.push(bytes.subarray(0, i)), ...decoder.push(bytes.subarray(i))];
    assert.deepEqual(out, [packet], `split at ${i}`);
  }
}

/** Asserts that `fn` throws an `MqttError` with exactly this reason code. */
export function rejects(reasonCode: number, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MqttError, String(err));
    assert.equal(err.reasonCode, reasonCode, err.message);
    return true;
  });
}

/** Parses one packet with mqtt-packet, the independent oracle. */
export function oracleParse(bytes: Buffer, protocolVersion: number): OraclePacket {
  const p = parser({ protocolVersion });
  const out: OraclePacket[] = [];
  p.on('packet', (packet) => out.push(packet));
  p.on('error', (err: unknown) => assert.fail(String(err)));
  p.parse(bytes);
  assert.equal(out.length, 1);
  const [packet] = out;
  assert.ok(packet !== undefined);
  return packet;
}
