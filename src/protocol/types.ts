/**
 * Typed MQTT control packets. One interface per packet type with a literal `type`, so a `switch`
 * over `packet.type` is exhaustive. The same objects serve protocol levels 3 (3.1), 4 (3.1.1) and
 * 5 (5.0): encoding at level 3 or 4 leaves out what only 5.0 has (properties, reason codes), and
 * decoding at those levels fills in the 5.0 defaults (reason code 0, no properties).
 */

/** 3 = MQTT 3.1 (`MQIsdp`), 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type ProtocolLevel = 3 | 4 | 5;
export type QoS = 0 | 1 | 2;
export type RetainHandling = 0 | 1 | 2;

/** One user property. A packet keeps its user properties in order, duplicates included. */
export type UserProperty = [name: string, value: string];

export interface ConnectProperties {
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestResponseInformation?: boolean;
  requestProblemInformation?: boolean;
  userProperties?: UserProperty[];
  authenticationMethod?: string;
  authenticationData?: Buffer;
}

export interface WillProperties {
  willDelayInterval?: number;
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: UserProperty[];
}

export interface ConnackProperties {
  sessionExpiryInterval?: number;
  receiveMaximum?: number;
  maximumQoS?: 0 | 1;
  retainAvailable?: boolean;
  maximumPacketSize?: number;
  assignedClientIdentifier?: string;
  topicAliasMaximum?: number;
  reasonString?: string;
  userProperties?: UserProperty[];
  wildcardSubscriptionAvailable?: boolean;
  subscriptionIdentifiersAvailable?: boolean;
  sharedSubscriptionAvailable?: boolean;
  serverKeepAlive?: number;
  responseInformation?: string;
  serverReference?: string;
  authenticationMethod?: string;
  authenticationData?: Buffer;
}

export interface PublishProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  topicAlias?: number;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: UserProperty[];
  /** Server to client only: one id for each matching subscription that had one. */
  subscriptionIdentifiers?: number[];
  contentType?: string;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK. */
export interface AckProperties {
  reasonString?: string;
  userProperties?: UserProperty[];
}

export interface SubscribeProperties {
  subscriptionIdentifier?: number;
  userProperties?: UserProperty[];
}

export interface UnsubscribeProperties {
  userProperties?: UserProperty[];
}

export interface DisconnectProperties {
  sessionExpiryInterval?: number;
  reasonString?: string;
  userProperties?: UserProperty[];
  serverReference?: string;
}

export interface AuthProperties {
  authenticationMethod?: string;
  authenticationData?: Buffer;
  reasonString?: string;
  userProperties?: UserProperty[];
}

/** Every property a packet can carry; the per-packet interfaces above are its slices. */
export type AnyProperties = ConnectProperties &
  WillProperties &
  ConnackProperties &
  PublishProperties &
  AckProperties &
  SubscribeProperties &
  DisconnectProperties &
  AuthProperties;

export interface Will {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: WillProperties;
}

export interface ConnectPacket {
  type: 'connect';
  /** `MQTT` for levels 4 and 5, `MQIsdp` for level 3. */
  protocolName: 'MQTT' | 'MQIsdp';
  protocolLevel: ProtocolLevel;
  clientId: string;
  /** Clean Start (5.0) or Clean Session (3.1.x). */
  cleanStart: boolean;
  keepAlive: number;
  username?: string;
  password?: Buffer;
  will?: Will;
  properties?: ConnectProperties;
}

export interface ConnackPacket {
  type: 'connack';
  sessionPresent: boolean;
  /** A 5.0 reason code, or at levels 3 and 4 the CONNACK return code (0 to 5). */
  reasonCode: number;
  properties?: ConnackProperties;
}

export interface PublishPacket {
  type: 'publish';
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when qos > 0. */
  packetId?: number;
  properties?: PublishProperties;
}

export interface PubackPacket {
  type: 'puback';
  packetId: number;
  reasonCode: number;
  properties?: AckProperties;
}

export interface PubrecPacket {
  type: 'pubrec';
  packetId: number;
  reasonCode: number;
  properties?: AckProperties;
}

export interface PubrelPacket {
  type: 'pubrel';
  packetId: number;
  reasonCode: number;
  properties?: AckProperties;
}

export interface PubcompPacket {
  type: 'pubcomp';
  packetId: number;
  reasonCode: number;
  properties?: AckProperties;
}

export interface Subscription {
  topicFilter: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: RetainHandling;
}

export interface SubscribePacket {
  type: 'subscribe';
  packetId: number;
  subscriptions: Subscription[];
  properties?: SubscribeProperties;
}

export interface SubackPacket {
  type: 'suback';
  packetId: number;
  /** One per requested filter: the granted QoS (0, 1, 2) or a failure code (0x80 and above). */
  reasonCodes: number[];
  properties?: AckProperties;
}

export interface UnsubscribePacket {
  type: 'unsubscribe';
  packetId: number;
  topicFilters: string[];
  properties?: UnsubscribeProperties;
}

export interface UnsubackPacket {
  type: 'unsuback';
  packetId: number;
  /** One per filter at level 5; empty at levels 3 and 4, whose UNSUBACK has no payload. */
  reasonCodes: number[];
  properties?: AckProperties;
}

export interface PingreqPacket {
  type: 'pingreq';
}

export interface PingrespPacket {
  type: 'pingresp';
}

export interface DisconnectPacket {
  type: 'disconnect';
  /** Always 0 at levels 3 and 4. */
  reasonCode: number;
  properties?: DisconnectProperties;
}

export interface AuthPacket {
  type: 'auth';
  reasonCode: number;
  properties?: AuthProperties;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

export type PacketTypeName = Packet['type'];

/** The control packet type numbers of the fixed header (spec 2.1.2). */
export const PacketType = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
} as const satisfies Record<PacketTypeName, number>;

/** Where a property list may appear: a packet type, or the will properties inside CONNECT. */
export type PropertyContext = PacketTypeName | 'will';

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
