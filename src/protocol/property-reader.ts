import { MqttError, malformed, protocolError } from './errors';
import { ALLOWED_MASK, PROPERTY_BY_ID, type PropertyDef } from './property-table';
import type { Reader } from './reader';
import { ReasonCode } from './reason-codes';
import type { AnyProperties, PropertyContext, UserProperty } from './types';

/**
 * Reading a property list (spec 2.2.2): a Variable Byte Integer length, then id/value pairs.
 * The allow-list and duplicate checks come from the property table.
 */

/** Reads a property list. Returns undefined when it is empty, so most packets carry no object. */
export function readProperties(r: Reader, context: PropertyContext): AnyProperties | undefined {
  const length = r.vbi();
  if (length === 0) return undefined;
  const end = r.pos + length;
  if (end > r.end) throw malformed('property length runs past the end of the packet');
  const allowed = ALLOWED_MASK[context];
  const props: AnyProperties = {};
  let seen = 0;
  while (r.pos < end) {
    const id = r.vbi();
    const def = PROPERTY_BY_ID[id];
    if (def === undefined) throw malformed(`unknown property id 0x${id.toString(16)}`);
    if ((allowed & def.bit) === 0) {
      // Spec 2.2.2.2: a property outside its packet's list is a Protocol Error. (Which side may
      // send one, e.g. [MQTT-3.3.4-6] no Subscription Identifier from a client, is the engine's.)
      throw protocolError(`property ${def.key} is not allowed in ${context}`);
    }
    if ((seen & def.bit) !== 0 && !repeatable(def, context)) {
      throw protocolError(`property ${def.key} appears more than once in ${context}`);
    }
    seen |= def.bit;
    readValue(r, def, props, context);
  }
  if (r.pos !== end) throw malformed('property list length does not match its contents');
  return props;
}

function repeatable(def: PropertyDef, context: PropertyContext): boolean {
  // User properties may repeat anywhere; a PUBLISH may carry one Subscription Identifier per
  // matching subscription [MQTT-3.3.4-4], a SUBSCRIBE only one (spec 3.8.2.1.2).
  return def.id === 0x26 || (def.id === 0x0b && context === 'publish');
}

function readFlag(r: Reader, def: PropertyDef): boolean {
  const v = r.u8();
  // The 0/1 properties: any other value is a Protocol Error (spec 3.1.2.11, 3.2.2.3, 3.3.2.3.2).
  if (v > 1) throw protocolError(`property ${def.key} must be 0 or 1, got ${v}`);
  return v === 1;
}

function readValue(r: Reader, def: PropertyDef, p: AnyProperties, context: PropertyContext): void {
  switch (def.id) {
    case 0x01:
      p.payloadFormatIndicator = readFlag(r, def);
      return;
    case 0x02:
      p.messageExpiryInterval = r.u32();
      return;
    case 0x03:
      p.contentType = r.utf8();
      return;
    case 0x08:
      p.responseTopic = r.utf8();
      return;
    case 0x09:
      p.correlationData = r.binary();
      return;
    case 0x0b: {
      const id = r.vbi();
      // A Subscription Identifier of 0 is a Protocol Error (spec 3.3.2.3.8, 3.8.2.1.2).
      if (id === 0) throw protocolError('subscription identifier 0');
      if (context !== 'publish') p.subscriptionIdentifier = id;
      else if (p.subscriptionIdentifiers === undefined) p.subscriptionIdentifiers = [id];
      else p.subscriptionIdentifiers.push(id);
      return;
    }
    case 0x11:
      p.sessionExpiryInterval = r.u32();
      return;
    case 0x12:
      p.assignedClientIdentifier = r.utf8();
      return;
    case 0x13:
      p.serverKeepAlive = r.u16();
      return;
    case 0x15:
      p.authenticationMethod = r.utf8();
      return;
    case 0x16:
      p.authenticationData = r.binary();
      return;
    case 0x17:
      p.requestProblemInformation = readFlag(r, def);
      return;
    case 0x18:
      p.willDelayInterval = r.u32();
      return;
    case 0x19:
      p.requestResponseInformation = readFlag(r, def);
      return;
    case 0x1a:
      p.responseInformation = r.utf8();
      return;
    case 0x1c:
      p.serverReference = r.utf8();
      return;
    case 0x1f:
      p.reasonString = r.utf8();
      return;
    case 0x21: {
      const v = r.u16();
      // A Receive Maximum of 0 is a Protocol Error (spec 3.1.2.11.3, 3.2.2.3.3).
      if (v === 0) throw protocolError('receive maximum 0');
      p.receiveMaximum = v;
      return;
    }
    case 0x22:
      p.topicAliasMaximum = r.u16();
      return;
    case 0x23: {
      const v = r.u16();
      // [MQTT-3.3.2-8] a Topic Alias of 0 is not permitted.
      if (v === 0) throw new MqttError(ReasonCode.TopicAliasInvalid, 'topic alias 0');
      p.topicAlias = v;
      return;
    }
    case 0x24: {
      const v = r.u8();
      // Maximum QoS other than 0 or 1 is a Protocol Error (spec 3.2.2.3.4).
      if (v > 1) throw protocolError(`maximum QoS must be 0 or 1, got ${v}`);
      p.maximumQoS = v === 1 ? 1 : 0;
      return;
    }
    case 0x25:
      p.retainAvailable = readFlag(r, def);
      return;
    case 0x26: {
      const pair: UserProperty = [r.utf8(), r.utf8()];
      if (p.userProperties === undefined) p.userProperties = [pair];
      else p.userProperties.push(pair);
      return;
    }
    case 0x27: {
      const v = r.u32();
      // Maximum Packet Size of 0 is a Protocol Error (spec 3.1.2.11.4, 3.2.2.3.6).
      if (v === 0) throw protocolError('maximum packet size 0');
      p.maximumPacketSize = v;
      return;
    }
    case 0x28:
      p.wildcardSubscriptionAvailable = readFlag(r, def);
      return;
    case 0x29:
      p.subscriptionIdentifiersAvailable = readFlag(r, def);
      return;
    case 0x2a:
      p.sharedSubscriptionAvailable = readFlag(r, def);
      return;
    default:
      throw malformed(`unknown property id 0x${def.id.toString(16)}`);
  }
}
