/**
 * node-red-mqtt5 engine API: the protocol codec, the topic engine, the broker engine with its
 * network driver and stores, the client engine with its driver, and the transports.
 */

export { AclAuthorizer, type AclRule } from './broker/acl';
export { Broker, type BrokerOptions } from './broker/broker';
export { type BrokerConfig, DEFAULT_CONFIG } from './broker/config';
export type { BrokerCounters, BrokerEngine, ConnectionInfo, ConnectionOutput } from './broker/engine-api';
export { hashPassword, verifyPassword } from './broker/password-hash';
export type { Authenticator, Authorizer, AuthResult } from './broker/security';
export type { BrokerEvent, ClientIdentity, Message } from './broker/types';
export { type UserAccount, UserAuthenticator } from './broker/users';
export * from './client';
export * from './protocol';
export * from './server';
export * from './topic';
export * from './transport';
