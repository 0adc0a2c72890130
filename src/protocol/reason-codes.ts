/**
 * MQTT 5.0 reason codes (spec section 2.4) and the packets that may carry each.
 * 3.1.1 CONNACK return codes live in `connack.ts`, next to the mapping between the two.
 */

export const ReasonCode = {
  Success: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWillMessage: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  ContinueAuthentication: 0x18,
  ReAuthenticate: 0x19,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

export type ReasonCodeName = keyof typeof ReasonCode;
export type ReasonCodeValue = (typeof ReasonCode)[ReasonCodeName];

/** Packets that carry a reason code in MQTT 5.0. */
export type ReasonCodePacket =
  | 'connack'
  | 'puback'
  | 'pubrec'
  | 'pubrel'
  | 'pubcomp'
  | 'suback'
  | 'unsuback'
  | 'disconnect'
  | 'auth';

const names = new Map<number, ReasonCodeName>();
for (const name of Object.keys(ReasonCode) as ReasonCodeName[]) {
  // 0x00 is named Success, Normal disconnection and Granted QoS 0 depending on the packet.
  if (!names.has(ReasonCode[name])) names.set(ReasonCode[name], name);
}

const C = ReasonCode;

/** Which reason codes each packet may carry (spec sections 3.2.2.2, 3.4.2.1, 3.5.2.1, ...). */
const allowed: Record<ReasonCodePacket, ReadonlySet<number>> = {
  connack: new Set([
    C.Success,
    C.UnspecifiedError,
    C.MalformedPacket,
    C.ProtocolError,
    C.ImplementationSpecificError,
    C.UnsupportedProtocolVersion,
    C.ClientIdentifierNotValid,
    C.BadUserNameOrPassword,
    C.NotAuthorized,
    C.ServerUnavailable,
    C.ServerBusy,
    C.Banned,
    C.BadAuthenticationMethod,
    C.TopicNameInvalid,
    C.PacketTooLarge,
    C.QuotaExceeded,
    C.PayloadFormatInvalid,
    C.RetainNotSupported,
    C.QoSNotSupported,
    C.UseAnotherServer,
    C.ServerMoved,
    C.ConnectionRateExceeded,
  ]),
  puback: new Set([
    C.Success,
    C.NoMatchingSubscribers,
    C.UnspecifiedError,
    C.ImplementationSpecificError,
    C.NotAuthorized,
    C.TopicNameInvalid,
    C.PacketIdentifierInUse,
    C.QuotaExceeded,
    C.PayloadFormatInvalid,
  ]),
  pubrec: new Set([
    C.Success,
    C.NoMatchingSubscribers,
    C.UnspecifiedError,
    C.ImplementationSpecificError,
    C.NotAuthorized,
    C.TopicNameInvalid,
    C.PacketIdentifierInUse,
    C.QuotaExceeded,
    C.PayloadFormatInvalid,
  ]),
  pubrel: new Set([C.Success, C.PacketIdentifierNotFound]),
  pubcomp: new Set([C.Success, C.PacketIdentifierNotFound]),
  suback: new Set([
    C.Success,
    C.GrantedQoS1,
    C.GrantedQoS2,
    C.UnspecifiedError,
    C.ImplementationSpecificError,
    C.NotAuthorized,
    C.TopicFilterInvalid,
    C.PacketIdentifierInUse,
    C.QuotaExceeded,
    C.SharedSubscriptionsNotSupported,
    C.SubscriptionIdentifiersNotSupported,
    C.WildcardSubscriptionsNotSupported,
  ]),
  unsuback: new Set([
    C.Success,
    C.NoSubscriptionExisted,
    C.UnspecifiedError,
    C.ImplementationSpecificError,
    C.NotAuthorized,
    C.TopicFilterInvalid,
    C.PacketIdentifierInUse,
  ]),
  disconnect: new Set([
    C.Success,
    C.DisconnectWithWillMessage,
    C.UnspecifiedError,
    C.MalformedPacket,
    C.ProtocolError,
    C.ImplementationSpecificError,
    C.NotAuthorized,
    C.ServerBusy,
    C.ServerShuttingDown,
    C.KeepAliveTimeout,
    C.SessionTakenOver,
    C.TopicFilterInvalid,
    C.TopicNameInvalid,
    C.ReceiveMaximumExceeded,
    C.TopicAliasInvalid,
    C.PacketTooLarge,
    C.MessageRateTooHigh,
    C.QuotaExceeded,
    C.AdministrativeAction,
    C.PayloadFormatInvalid,
    C.RetainNotSupported,
    C.QoSNotSupported,
    C.UseAnotherServer,
    C.ServerMoved,
    C.SharedSubscriptionsNotSupported,
    C.ConnectionRateExceeded,
    C.MaximumConnectTime,
    C.SubscriptionIdentifiersNotSupported,
    C.WildcardSubscriptionsNotSupported,
  ]),
  auth: new Set([C.Success, C.ContinueAuthentication, C.ReAuthenticate]),
};

/** True when `code` is one of the reason codes the spec lists for `packet`. */
export function isReasonCodeAllowed(packet: ReasonCodePacket, code: number): boolean {
  return allowed[packet].has(code);
}

/** The reason codes `packet` may carry, in ascending order. */
export function reasonCodesFor(packet: ReasonCodePacket): number[] {
  return [...allowed[packet]].sort((a, b) => a - b);
}

/** A readable name for a reason code, e.g. `ProtocolError`, or `0x.. (unknown)`. */
export function reasonCodeName(code: number): string {
  return names.get(code) ?? `0x${code.toString(16).padStart(2, '0')} (unknown)`;
}

/** True for the failure codes (0x80 and above), which end a flow or an operation. */
export function isFailure(code: number): boolean {
  return code >= 0x80;
}
