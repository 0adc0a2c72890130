/**
 * The MQTT 5.0 / 3.1.1 / 3.1 packet codec: typed packets, a streaming frame decoder, encoders
 * that size first and write once, the property table and reason codes. Pure functions and data,
 * with no sockets, timers or globals.
 */
export { ConnackReturnCode, fromConnackReturnCode, toConnackReturnCode } from './connack';
export { decodePacket } from './decode';
export { encodePacket, encodePackets, packetLength } from './encode';
export { isMqttError, MqttError } from './errors';
export { FrameDecoder, type FrameDecoderOptions, MAX_PACKET_SIZE } from './frame-decoder';
export { PROPERTY_TABLE, type PropertyDef, propertyAllowed, type WireType } from './property-table';
export {
  isFailure,
  isReasonCodeAllowed,
  ReasonCode,
  type ReasonCodeName,
  type ReasonCodePacket,
  reasonCodeName,
  reasonCodesFor,
} from './reason-codes';
export * from './types';
