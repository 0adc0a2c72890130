import { malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { propertiesLength, readProperties, writeProperties } from './properties';
import type { Reader } from './reader';
import { isReasonCodeAllowed } from './reason-codes';
import type { ProtocolLevel, SubackPacket } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * SUBACK (spec 3.9): a packet identifier, 5.0 properties, then one reason code per topic filter
 * of the SUBSCRIBE. At levels 3 and 4 these are the return codes 0, 1, 2 and 0x80.
 */

/** 3.1.1 [MQTT-3.9.3-2]: return codes other than 0x00, 0x01, 0x02 and 0x80 are reserved. */
function isReturnCode(code: number): boolean {
  return code === 0 || code === 1 || code === 2 || code === 0x80;
}

export function decodeSuback(r: Reader, level: ProtocolLevel): SubackPacket {
  const packetId = r.u16();
  // [MQTT-2.2.1-6] (3.1.1: [MQTT-2.3.1-7]) the identifier of the SUBSCRIBE, which is never 0.
  if (packetId === 0) throw malformed('SUBACK with packet identifier 0');
  const packet: SubackPacket = { type: 'suback', packetId, reasonCodes: [] };
  if (level === 5) {
    const props = readProperties(r, 'suback');
    if (props !== undefined) packet.properties = props;
  }
  // [MQTT-3.8.4-6] (3.1.1: [MQTT-3.8.4-5]) a code for each filter, and a SUBSCRIBE has at least one.
  if (r.remaining() === 0) {
    throw level === 5 ? protocolError('SUBACK with no reason code') : malformed('SUBACK with no return code');
  }
  while (r.remaining() > 0) {
    const code = r.u8();
    if (level === 5) {
      // [MQTT-3.9.3-2] one of the Subscribe Reason Codes.
      if (!isReasonCodeAllowed('suback', code))
        throw protocolError(`SUBACK with reason code 0x${code.toString(16)}`);
    } else if (!isReturnCode(code)) {
      throw malformed(`SUBACK with reserved return code 0x${code.toString(16)}`);
    }
    packet.reasonCodes.push(code);
  }
  return packet;
}

/**
 * The code sent for `code` at `level`. A 3.1.x client knows only the failure code 0x80, so every
 * 5.0 failure code (0x80 and above) is sent to it as 0x80.
 */
function wireCode(code: number, level: ProtocolLevel): number {
  if (level === 5) {
    // [MQTT-3.9.3-2]
    if (!isReasonCodeAllowed('suback', code))
      throw protocolError(`SUBACK cannot carry reason code ${String(code)}`);
    return code;
  }
  if (code === 0 || code === 1 || code === 2) return code;
  if (Number.isInteger(code) && code >= 0x80 && code <= 0xff) return 0x80;
  throw protocolError(`SUBACK cannot carry return code ${String(code)}`); // 3.1.1 [MQTT-3.9.3-2]
}

export function measureSuback(p: SubackPacket, level: ProtocolLevel, m: Measure): number {
  const id = p.packetId;
  // [MQTT-2.2.1-6] / [MQTT-2.3.1-7]
  if (!Number.isInteger(id) || id < 1 || id > 0xffff)
    throw protocolError('SUBACK needs a packet id 1..65535');
  // [MQTT-3.8.4-6] / 3.1.1 [MQTT-3.8.4-5]
  if (p.reasonCodes.length === 0) throw protocolError('SUBACK needs at least one reason code');
  for (const code of p.reasonCodes) wireCode(code, level);
  let n = 2 + p.reasonCodes.length;
  m.props = 0;
  if (level === 5) {
    const props = propertiesLength(p.properties, 'suback');
    m.props = props;
    n += vbiLength(props) + props;
  }
  m.remaining = n;
  return n;
}

export function writeSuback(w: Writer, p: SubackPacket, level: ProtocolLevel, m: Measure): void {
  writeFixedHeader(w, 0x90, m.remaining);
  w.u16(p.packetId);
  if (level === 5) writeProperties(w, p.properties, 'suback', m.props);
  for (const code of p.reasonCodes) w.u8(wireCode(code, level));
}
