import type { AccessKind, ClientIdentity } from './types';

/**
 * Authentication and authorization hooks of the broker engine. Both are synchronous: they run on
 * data the host configured (users, rules), not on I/O.
 */

export type AuthResult =
  | { ok: true }
  /** `reasonCode` is a 5.0 CONNACK code: 0x86 bad user name or password, 0x87 not authorized. */
  | { ok: false; reasonCode: number; reason: string };

export interface Authenticator {
  /** Checks a username/password CONNECT. `password` is absent when the client sent none. */
  authenticate(identity: ClientIdentity, password: Buffer | undefined): AuthResult;
}

export interface Authorizer {
  /** May this client publish to `topic` (kind 'publish') or subscribe to `filter` ('subscribe')? */
  allows(identity: ClientIdentity, kind: AccessKind, topicOrFilter: string): boolean;
}
