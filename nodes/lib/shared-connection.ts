import {
  MqttClient,
  type RequestListener,
  type RequestResult,
  type SubscriberOptions,
} from '../../src/client';
import { ClientError, toClientError } from '../../src/client/errors';
import type { OutgoingMessage, ServerCapabilities } from '../../src/client/types';
import { ReasonCode } from '../../src/protocol/reason-codes';
import { applyBrokerOverrides, type ConnectionCredentials } from './broker-overrides';
import { type ConnectionEnvironment, clientOptions } from './client-options';
import { connectionStatus } from './client-status';
import type {
  ConnectionState,
  ConnectionUser,
  MessageHandler,
  Mqtt5Connection,
  RefusalHandler,
} from './connection-api';
import type { ConnectionSettings } from './connection-settings';
import { ConnectionSubscribers } from './connection-subscribers';
import { HeldMessages } from './held-messages';
import type { NodeMessage } from './node-red-types';
import { ParkedFilters } from './parked-filters';
import { errorMessage, type Problem } from './problems';
import { WaitingPublishes } from './waiting-publishes';

export type { ConnectionEnvironment } from './client-options';

/** A server subscription kept after its last node left (see `unsubscribe`), dropped after this. */
const PARKED_MS = 10_000;
/** How long a clean close waits for the close message to be acknowledged. */
const CLOSE_MESSAGE_MS = 2_000;

/**
 * One MQTT client connection shared by the nodes that use an `mqtt5-connection` config node.
 * It opens with the first user (with auto-connect), closes with the last, and survives a change
 * of settings by `msg.broker`: the subscriptions of its users are kept here and given to each
 * new client. Messages go to their subscribers through the client's dispatcher, once each.
 */
export class SharedConnection implements Mqtt5Connection {
  private client: MqttClient | undefined;
  private closing: Promise<void> | undefined;
  private wantConnected: boolean;
  private current: ConnectionState = { phase: 'idle' };
  private readonly users = new Map<string, ConnectionUser>();
  private readonly subscribers = new ConnectionSubscribers();
  private readonly parked = new ParkedFilters(PARKED_MS);
  private readonly held = new HeldMessages();
  private connectTimer: NodeJS.Immediate | undefined;
  private closed = false;
  /** The last CONNACK's Response Information. */
  private response: string | undefined;
  /** Publishes made while there is no client (see `publishWith`). */
  private readonly waiting = new WaitingPublishes();

  constructor(
    private settings: ConnectionSettings,
    private credentials: ConnectionCredentials,
    private readonly env: ConnectionEnvironment,
  ) {
    this.wantConnected = settings.autoConnect;
  }

  get state(): ConnectionState {
    return this.current;
  }

  get protocolLevel(): 4 | 5 {
    return this.settings.session.protocolLevel ?? 5;
  }

  get capabilities(): ServerCapabilities | undefined {
    return this.client?.capabilities;
  }

  get responseInformation(): string | undefined {
    return this.response;
  }

  get clientId(): string {
    return this.current.clientId ?? this.settings.session.clientId ?? '';
  }

  /** A session the server keeps across connections: no Clean Start, and (5.0) an expiry. */
  get persistentSession(): boolean {
    const s = this.settings.session;
    if (s.cleanStart !== false) return false;
    return s.protocolLevel === 4 || (s.properties?.sessionExpiryInterval ?? 0) > 0;
  }

  /** Translates a problem under `mqtt5-connection.errors`. */
  describe(problem: Problem): string {
    return this.env.translate(`mqtt5-connection.errors.${problem.key}`, problem.params);
  }

  register(user: ConnectionUser): void {
    this.users.set(user.id, user);
    user.onState(this.current, connectionStatus(this.current, this.env.translate));
    if (this.wantConnected && !this.closed) this.scheduleConnect();
  }

  async deregister(user: ConnectionUser): Promise<void> {
    this.users.delete(user.id);
    this.subscribers.forget(user.id);
    if (this.users.size === 0) await this.shutdown();
  }

  async subscribe(
    subscriberId: string,
    filter: string,
    options: SubscriberOptions,
    handler: MessageHandler,
    onRefused?: RefusalHandler,
  ): Promise<RequestResult | undefined> {
    this.subscribers.add(subscriberId, filter, options, handler, onRefused);
    this.parked.claim(filter);
    const client = this.ensureClient();
    try {
      const result = await client.addSubscriber(subscriberId, filter, options);
      for (const packet of this.held.claim(filter)) handler(packet);
      return result;
    } catch (error) {
      this.subscribers.remove(subscriberId, filter);
      await client.removeSubscriber(subscriberId, filter, true);
      throw error;
    }
  }

  async unsubscribe(subscriberId: string, filter: string, keepOnServer = false): Promise<void> {
    if (!this.subscribers.remove(subscriberId, filter)) return;
    const client = this.client;
    if (client === undefined) return;
    if (!keepOnServer) {
      await client.removeSubscriber(subscriberId, filter);
      return;
    }
    await client.removeSubscriber(subscriberId, filter, true);
    if (client.dispatcher.entries().some((e) => e.filter === filter)) return;
    // The server keeps queueing for the node's next instance (a redeploy); if none claims the
    // filter in time, the subscription is dropped.
    this.parked.park(filter, () => {
      if (this.client === client && client.connected) {
        client.unsubscribe([filter]).catch((error: unknown) => this.env.warn(errorMessage(error)));
      }
    });
  }

  subscriptionsOf(subscriberId: string): { topic: string; options: SubscriberOptions }[] {
    return this.subscribers.of(subscriberId);
  }

  /**
   * Publishes through the client. While the connection is off by choice (`disconnect`, or no
   * auto-connect) there is no client: the message waits here, within the same bound as the
   * client's offline queue, and goes to the next client, which may have new settings.
   */
  publishWith(message: OutgoingMessage, listener: RequestListener): void {
    if (this.client !== undefined || this.wantConnected) {
      this.ensureClient().publishWith(message, listener);
      return;
    }
    this.waiting.add(message, listener, this.settings.session.queue?.maxMessages ?? 1000);
  }

  publish(message: OutgoingMessage): Promise<RequestResult> {
    return new Promise((resolve, reject) => this.publishWith(message, { resolve, reject }));
  }

  async control(action: 'connect' | 'disconnect', msg: NodeMessage): Promise<void> {
    if (action === 'disconnect') {
      this.wantConnected = false;
      await this.shutdown();
      this.setState({ phase: 'idle' });
      return;
    }
    const overridden = applyBrokerOverrides(this.settings, this.credentials, msg['broker']);
    if (!overridden.ok) throw new Error(this.describe(overridden.problem));
    const changed = msg['broker'] !== undefined && msg['broker'] !== null;
    this.settings = overridden.value.settings;
    this.credentials = overridden.value.credentials;
    this.wantConnected = true;
    const client = this.client;
    if (client !== undefined && (client.connected || this.current.phase === 'connecting')) {
      if (!(changed && overridden.value.force)) return;
    }
    if (client !== undefined && changed) await this.shutdown();
    await this.connectNow();
  }

  /** Ends the connection for good (the config node is closing). */
  async close(): Promise<void> {
    this.closed = true;
    clearImmediate(this.connectTimer);
    this.parked.clear();
    await this.shutdown();
    this.held.clear();
    this.waiting.fail(new ClientError(ReasonCode.UnspecifiedError, 'the connection was closed'));
  }

  private scheduleConnect(): void {
    if (this.connectTimer !== undefined || this.client?.connected === true) return;
    // After the current flow start, so every node of the flow has subscribed before the first
    // CONNACK (and a persistent session's queued messages) can arrive.
    this.connectTimer = setImmediate(() => {
      this.connectTimer = undefined;
      if (this.wantConnected && !this.closed && this.users.size > 0) {
        this.connectNow().catch(() => {
          // The state shows why; the client keeps trying.
        });
      }
    });
  }

  /** Connects; resolves on CONNACK, rejects with the first attempt's error (retries go on). */
  private async connectNow(): Promise<void> {
    if (this.closing !== undefined) await this.closing;
    const client = this.ensureClient();
    if (client.connected) return;
    this.setState({ phase: 'connecting' });
    await client.connectOnce();
  }

  private ensureClient(): MqttClient {
    if (this.client !== undefined) return this.client;
    const client = new MqttClient(clientOptions(this.settings, this.credentials, this.env));
    this.client = client;
    client.on('connect', (event) => {
      this.response = event.connack.properties?.responseInformation;
      this.setState({ phase: 'connected', clientId: event.clientId });
      if (this.settings.birth !== undefined) {
        client.publish(this.settings.birth).catch((error: unknown) => this.env.warn(errorMessage(error)));
      }
    });
    client.on('close', (error) => this.lost(client, error));
    client.on('message', (packet, subscribers) => {
      if (subscribers.length === 0) {
        this.held.hold(packet);
        return;
      }
      for (const id of subscribers) this.subscribers.handler(id)?.(packet);
    });
    client.on('error', (error) => this.env.warn(error.message));
    client.on('resubscribeRefused', (filter, subscribers, error) => this.refused(filter, subscribers, error));
    this.waiting.sendTo(client);
    for (const [subscriberId, filter, options] of this.subscribers.all()) {
      client.addSubscriber(subscriberId, filter, options).catch((error: unknown) => {
        this.refused(filter, [subscriberId], toClientError(error));
      });
    }
    return client;
  }

  /**
   * A subscription the connection made again by itself (after a reconnect, or for a new client)
   * was refused: each node holding it hears it (its status and a Catch node show it), else the
   * log does. The node keeps the filter; the next connection asks again.
   */
  private refused(filter: string, subscribers: readonly string[], error: ClientError): void {
    let heard = false;
    for (const id of subscribers) {
      const onRefused = this.subscribers.refusal(id);
      if (onRefused === undefined) continue;
      heard = true;
      onRefused(filter, error);
    }
    if (!heard) this.env.warn(errorMessage(error));
  }

  private lost(client: MqttClient, error: ClientError | undefined): void {
    if (this.client !== client) return;
    const reason = { reasonCode: error?.reasonCode, reasonString: error?.reasonString ?? error?.message };
    if (error === undefined) this.setState({ phase: 'idle' });
    else if (this.wantConnected && !this.closed) this.setState({ phase: 'connecting', ...reason });
    else this.setState({ phase: 'disconnected', ...reason });
  }

  /** Publishes the close message, then DISCONNECTs and ends the client. */
  private shutdown(): Promise<void> {
    clearImmediate(this.connectTimer);
    this.connectTimer = undefined;
    const client = this.client;
    if (client === undefined) return this.closing ?? Promise.resolve();
    this.client = undefined;
    const closing = (async () => {
      const closeMessage = this.settings.close;
      if (closeMessage !== undefined && client.connected) {
        await Promise.race([
          client.publish(closeMessage).catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, CLOSE_MESSAGE_MS).unref()),
        ]);
      }
      await client.end();
      client.removeAllListeners();
    })();
    const tracked: Promise<void> = closing.finally(() => {
      if (this.closing === tracked) this.closing = undefined;
    });
    this.closing = tracked;
    if (this.current.phase !== 'idle') this.setState({ phase: 'idle' });
    return tracked;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    const status = connectionStatus(state, this.env.translate);
    for (const user of this.users.values()) user.onState(state, status);
  }
}
