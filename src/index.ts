/**
 * node-red-mqtt5 engine API. The protocol codec and the topic engine are available today; the
 * client and broker engines are added by their own modules as they land.
 */
export * from './protocol';
export * from './topic';
