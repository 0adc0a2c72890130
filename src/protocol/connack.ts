import { malformed, protocolError } from './errors';
import type { Measure } from './fixed-header';
import { writeFixedHeader } from './fixed-header';
import { propertiesLength, readProperties, writeProperties } from './properties';
import type { Reader } from './reader';
import { isReasonCodeAllowed, ReasonCode } from './reason-codes';
import type { ConnackPacket, ProtocolLevel } from './types';
import { vbiLength, type Writer } from './writer';

/**
 * CONNACK (spec 3.2). At level 5 the second byte is a reason code followed by properties; at levels
 * 3 and 4 it is a return code (0 to 5) and nothing follows. MQTT 3.1 has no Session Present flag:
 * its first byte is unused, so at level 3 it is written as 0 and ignored when read.
 */

/** MQTT 3.1 and 3.1.1 CONNACK return codes (3.1.1 spec 3.2.2.3, table 3.1). 6 to 255 are reserved. */
export const ConnackReturnCode = {
  Accepted: 0,
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUsernameOrPassword: 4,
  NotAuthorized: 5,
} as const;

export type ConnackReturnCodeValue = (typeof ConnackReturnCode)[keyof typeof ConnackReturnCode];

const RC = ConnackReturnCode;
const MAX_RETURN_CODE = RC.NotAuthorized;

/**
 * The 3.1.1 return code closest to a 5.0 CONNACK reason code:
 * - 0x00 → 0; 0x84 → 1; 0x85 → 2; 0x88, 0x89 → 3; 0x86 → 4; 0x87, 0x8A, 0x8C → 5.
 * - 0x90, 0x99, 0x9A, 0x9B (the server refuses what this CONNECT asks for: its will topic, will
 *   payload, will retain or will QoS) → 5 Not authorized: retrying the same CONNECT will not help.
 * - Every other code → 3 Server unavailable, the generic refusal: the server-side or transient
 *   conditions (0x80, 0x83, 0x95, 0x97, 0x9C, 0x9D, 0x9F) and anything not a CONNACK reason code.
 *   0x81 and 0x82 land here too, though a 3.1.1 server closes the connection for those without a
 *   CONNACK ([MQTT-3.2.2-6] in 3.1.1: when no return code applies, close without one).
 */
export function toConnackReturnCode(v5ReasonCode: number): ConnackReturnCodeValue {
  switch (v5ReasonCode) {
    case ReasonCode.Success:
      return RC.Accepted;
    case ReasonCode.UnsupportedProtocolVersion:
      return RC.UnacceptableProtocolVersion;
    case ReasonCode.ClientIdentifierNotValid:
      return RC.IdentifierRejected;
    case ReasonCode.BadUserNameOrPassword:
      return RC.BadUsernameOrPassword;
    case ReasonCode.NotAuthorized:
    case ReasonCode.Banned:
    case ReasonCode.BadAuthenticationMethod:
    case ReasonCode.TopicNameInvalid:
    case ReasonCode.PayloadFormatInvalid:
    case ReasonCode.RetainNotSupported:
    case ReasonCode.QoSNotSupported:
      return RC.NotAuthorized;
    default:
      // ServerUnavailable (0x88), ServerBusy (0x89) and the generic refusal for everything else.
      return RC.ServerUnavailable;
  }
}

/** The 5.0 CONNACK reason code for a 3.1.x return code; a reserved return code gives 0x80. */
export function fromConnackReturnCode(returnCode: number): number {
  switch (returnCode) {
    case RC.Accepted:
      return ReasonCode.Success;
    case RC.UnacceptableProtocolVersion:
      return ReasonCode.UnsupportedProtocolVersion;
    case RC.IdentifierRejected:
      return ReasonCode.ClientIdentifierNotValid;
    case RC.ServerUnavailable:
      return ReasonCode.ServerUnavailable;
    case RC.BadUsernameOrPassword:
      return ReasonCode.BadUserNameOrPassword;
    case RC.NotAuthorized:
      return ReasonCode.NotAuthorized;
    default:
      return ReasonCode.UnspecifiedError;
  }
}

/** [MQTT-3.2.2-6] / [MQTT-3.2.2-4] (3.1.1) a refusal must not claim a session is present. */
function checkSessionPresent(sessionPresent: boolean, code: number): void {
  if (sessionPresent && code !== 0) throw protocolError('CONNACK with session present and a non-zero code');
}

export function decodeConnack(r: Reader, level: ProtocolLevel): ConnackPacket {
  const flags = r.u8();
  // [MQTT-3.2.2-1] (5.0; spec 3.2.2.1 in 3.1.1) bits 7-1 of the acknowledge flags are reserved, 0.
  // In 3.1 the byte is an unused reserved field, so it is not checked and means no session.
  if (level !== 3 && (flags & 0xfe) !== 0) throw malformed('CONNACK reserved acknowledge flags are set');
  const sessionPresent = level !== 3 && (flags & 1) !== 0;
  const code = r.u8();
  if (level === 5) {
    // [MQTT-3.2.2-8] the reason code is one of table 3-1 (spec 3.2.2.2).
    if (!isReasonCodeAllowed('connack', code)) {
      throw protocolError(`invalid CONNACK reason code 0x${code.toString(16)}`);
    }
  } else if (code > MAX_RETURN_CODE) {
    // Return codes 6 to 255 are reserved (3.1.1 spec 3.2.2.3).
    throw protocolError(`reserved CONNACK return code ${code}`);
  }
  checkSessionPresent(sessionPresent, code);
  const packet: ConnackPacket = { type: 'connack', sessionPresent, reasonCode: code };
  if (level === 5) {
    const props = readProperties(r, 'connack');
    if (props !== undefined) packet.properties = props;
  }
  return packet;
}

/**
 * The code on the wire at `level`. At levels 3 and 4 a 5.0 reason code (0x80 and above) is mapped
 * to its return code, so one CONNACK object serves every level; the 5.0 codes and the return codes
 * share only 0, so there is no ambiguity. At level 5 the code must be a CONNACK reason code.
 */
function wireCode(p: ConnackPacket, level: ProtocolLevel): number {
  const code = p.reasonCode;
  if (!Number.isInteger(code) || code < 0 || code > 0xff) {
    throw protocolError(`invalid CONNACK reason code ${String(code)}`);
  }
  if (level === 5) {
    // [MQTT-3.2.2-8]
    if (!isReasonCodeAllowed('connack', code)) {
      throw protocolError(`invalid CONNACK reason code 0x${code.toString(16)}`);
    }
    return code;
  }
  if (code <= MAX_RETURN_CODE) return code;
  if (isReasonCodeAllowed('connack', code)) return toConnackReturnCode(code);
  throw protocolError(`invalid CONNACK return code ${code}`);
}

export function measureConnack(p: ConnackPacket, level: ProtocolLevel, m: Measure): number {
  checkSessionPresent(p.sessionPresent, wireCode(p, level));
  let n = 2;
  m.props = 0;
  if (level === 5) {
    const props = propertiesLength(p.properties, 'connack');
    m.props = props;
    n += vbiLength(props) + props;
  }
  m.remaining = n;
  return n;
}

export function writeConnack(w: Writer, p: ConnackPacket, level: ProtocolLevel, m: Measure): void {
  writeFixedHeader(w, 0x20, m.remaining);
  // 3.1 has no Session Present flag: its byte is reserved, written as 0.
  w.u8(p.sessionPresent && level !== 3 ? 1 : 0);
  w.u8(wireCode(p, level));
  if (level === 5) writeProperties(w, p.properties, 'connack', m.props);
}
