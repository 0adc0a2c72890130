import { EventEmitter } from 'node:events';
import { encodePackets } from '../protocol/encode';
import { FrameDecoder } from '../protocol/frame-decoder';
import { ReasonCode } from '../protocol/reason-codes';
import type {
  DisconnectProperties,
  SubscribeProperties,
  Subscription,
  UnsubscribeProperties,
} from '../protocol/types';
import type { Transport } from '../transport/transport';
import { openUrlTransport, parseConnectUrl } from './connect-url';
import { ClientDispatcher, type SubscriberOptions } from './dispatcher';
import type { MqttClientEvents, MqttClientOptions, RequestListener, RequestResult } from './driver-types';
import { ClientError, toClientError } from './errors';
import { ResultObject } from './plain-objects';
import { ReconnectPolicy } from './reconnect-policy';
import { ClientSession } from './session';
import type { ClientEvent, ConnectedEvent, OutgoingMessage, ServerCapabilities } from './types';

export type { MqttClientEvents, MqttClientOptions, RequestListener, RequestResult } from './driver-types';

/** A Promise's settling functions as a `RequestListener`. */
class PromiseWaiter implements RequestListener {
  constructor(
    readonly resolve: (result: RequestResult) => void,
    readonly reject: (error: ClientError) => void,
  ) {}
}

/**
 * Binds a `ClientSession` to a transport: opens it from the URL (or the factory), decodes what
 * arrives, writes each burst of packets with one `encodePackets` call and one write, runs the
 * session's timers, and reconnects with backoff. Requests return Promises that settle with the
 * server's reason codes, or reject with a `ClientError` carrying `reasonCode` and `reasonString`.
 */
export class MqttClient extends EventEmitter<MqttClientEvents> {
  readonly session: ClientSession;
  readonly dispatcher = new ClientDispatcher();
  private readonly policy: ReconnectPolicy | undefined;
  private readonly waiters = new Map<number, RequestListener>();
  private transport: Transport | undefined;
  private opening = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  /** When `timer` fires. */
  private timerAt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  /** Filters added while offline, to subscribe at the next connection. */
  private readonly unsent = new Set<string>();

  constructor(private readonly options: MqttClientOptions) {
    super();
    if (options.url === undefined && options.transport === undefined)
      throw new Error('give a url or a transport');
    if (options.url !== undefined) parseConnectUrl(options.url);
    this.session = new ClientSession(options);
    this.policy = options.reconnect === false ? undefined : new ReconnectPolicy(options.reconnect);
  }

  get connected(): boolean {
    return this.session.state === 'online';
  }

  get capabilities(): ServerCapabilities | undefined {
    return this.session.capabilities;
  }

  /** Starts connecting (and reconnecting after losses). Wait for 'connect' or `connectOnce`. */
  connect(): void {
    if (this.ended) throw new Error('the client has ended');
    if (this.transport !== undefined || this.opening) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.opening = true;
    void this.open();
  }

  /** Connects and resolves on the first CONNACK, or rejects with the first 'close' error. */
  connectOnce(): Promise<ConnectedEvent> {
    return new Promise((resolve, reject) => {
      const onConnect = (event: ConnectedEvent) => {
        this.off('close', onClose);
        resolve(event);
      };
      const onClose = (error: ClientError | undefined) => {
        this.off('connect', onConnect);
        reject(error ?? new ClientError(ReasonCode.UnspecifiedError, 'closed before CONNACK'));
      };
      this.once('connect', onConnect);
      this.once('close', onClose);
      this.connect();
    });
  }

  private async open(): Promise<void> {
    let transport: Transport;
    try {
      const factory = this.options.transport;
      const url = this.options.url;
      transport =
        factory !== undefined
          ? await factory()
          : await openUrlTransport(parseConnectUrl(url ?? ''), this.options);
    } catch (error) {
      this.opening = false;
      this.emit('close', toClientError(error));
      this.scheduleReconnect();
      return;
    }
    this.opening = false;
    if (this.ended) {
      transport.destroy();
      return;
    }
    this.transport = transport;
    const decoder = new FrameDecoder({
      protocolLevel: this.session.protocolLevel,
      maximumPacketSize: this.session.maximumPacketSize,
    });
    transport.onData((chunk) => {
      if (this.transport !== transport) return;
      try {
        for (const packet of decoder.push(chunk)) this.session.handlePacket(packet);
      } catch (error) {
        this.session.handleDecodeError(error);
      }
      this.flush();
    });
    transport.onClose((error) => {
      if (this.transport !== transport) return;
      this.transport = undefined;
      this.session.handleConnectionLost(error);
      this.flush();
      this.scheduleReconnect();
    });
    this.session.handleConnected();
    this.flush();
  }

  private scheduleReconnect(): void {
    if (this.ended || this.policy === undefined || this.reconnectTimer !== undefined) return;
    const delay = this.policy.disconnected(Date.now());
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.ended) this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  /**
   * Writes the session's packets in one write, acts on its events, and re-arms its timer. Acting
   * on an event can make packets (the SUBSCRIBEs that restore a session after CONNACK), so it
   * goes round until the session has nothing more; the bound only guards against a loop.
   */
  private flush(): void {
    for (let round = 0; round < 64; round++) {
      const packets = this.session.takePackets();
      const events = this.session.takeEvents();
      if (packets.length === 0 && events.length === 0) break;
      const transport = this.transport;
      if (packets.length > 0 && transport !== undefined) {
        transport.write(encodePackets(packets, this.session.protocolLevel));
      }
      for (const event of events) this.handleEvent(event);
    }
    this.armTimer();
  }

  private handleEvent(event: ClientEvent): void {
    switch (event.type) {
      case 'connected':
        this.policy?.connected(Date.now());
        this.restoreSubscriptions(event.mustResubscribe);
        this.emit('connect', event);
        return;
      case 'message':
        this.emit('message', event.message, this.dispatcher.route(event.message));
        return;
      case 'completed':
        this.waiters
          .get(event.requestId)
          ?.resolve(new ResultObject(event.reasonCodes, event.properties?.reasonString));
        this.waiters.delete(event.requestId);
        return;
      case 'failed':
        this.waiters.get(event.requestId)?.reject(event.error);
        this.waiters.delete(event.requestId);
        return;
      case 'close':
        this.transport?.close();
        this.emit('close', event.error);
        return;
    }
  }

  /**
   * Keeps a timer for the session's next deadline. Keep Alive moves the deadline with every
   * write, so a timer that fires no later than the deadline is left alone rather than re-armed on
   * each flush: when it fires early, `tick` finds nothing to do and the timer is armed again.
   */
  private armTimer(): void {
    const deadline = this.session.nextDeadline();
    if (deadline === undefined) {
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      return;
    }
    if (this.timer !== undefined && this.timerAt <= deadline) return;
    clearTimeout(this.timer);
    const now = Date.now();
    this.timerAt = Math.max(now, deadline);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.session.tick(Date.now());
      this.flush();
    }, this.timerAt - now);
    this.timer.unref();
  }

  private request(requestId: number): Promise<RequestResult> {
    const promise = new Promise<RequestResult>((resolve, reject) =>
      this.waiters.set(requestId, new PromiseWaiter(resolve, reject)),
    );
    this.scheduleFlush();
    return promise;
  }

  /**
   * Flushes once the current turn of the event loop is over, so that the requests a flow makes
   * in one turn (a burst of publishes) go out in one write rather than one write each.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /**
   * Publishes. Resolves on PUBACK (QoS 1) or PUBCOMP (QoS 2), or once written (QoS 0); while
   * offline the message waits in the bounded queue. Rejects with a `ClientError` for a failure
   * reason code from the server, or when the client refuses it (queue full 0x97, 0x95, 0x9A, 0x9B).
   */
  publish(message: OutgoingMessage): Promise<RequestResult> {
    return new Promise((resolve, reject) => this.publishWith(message, new PromiseWaiter(resolve, reject)));
  }

  /**
   * `publish` for callers that keep many publishes in flight: `listener` hears the outcome, with
   * no Promise made. It is called once, later; after `end`, at once with the refusal.
   */
  publishWith(message: OutgoingMessage, listener: RequestListener): void {
    if (this.ended) {
      listener.reject(new ClientError(ReasonCode.UnspecifiedError, 'the client has ended'));
      return;
    }
    this.waiters.set(this.session.publish(message), listener);
    this.scheduleFlush();
  }

  /** Subscribes; rejects when offline or when every filter was refused. */
  subscribe(
    subscriptions: readonly Subscription[],
    properties?: SubscribeProperties,
  ): Promise<RequestResult> {
    return this.request(this.session.subscribe(subscriptions, properties));
  }

  unsubscribe(filters: readonly string[], properties?: UnsubscribeProperties): Promise<RequestResult> {
    return this.request(this.session.unsubscribe(filters, properties));
  }

  /**
   * Adds a local subscriber (e.g. one `mqtt5 in` node) for `filter`: 'message' names it for each
   * matching message, once even when its filters overlap. Subscribes now when connected (resolves
   * with the SUBACK), else at the next connection (resolves undefined).
   */
  async addSubscriber(
    subscriberId: string,
    filter: string,
    options: SubscriberOptions,
  ): Promise<RequestResult | undefined> {
    const { entry, subscribe } = this.dispatcher.add(subscriberId, filter, options);
    if (!subscribe) return undefined;
    if (!this.connected) {
      this.unsent.add(filter);
      return undefined;
    }
    return this.subscribe(
      [{ topicFilter: filter, ...entry.options }],
      this.identifierFor(entry.subscriptionIdentifier),
    );
  }

  /**
   * Removes a local subscriber; the last one of a filter unsubscribes it, unless `keepOnServer`:
   * then the server keeps the subscription (and a persistent session keeps queueing its
   * messages) until `unsubscribe` is called for it.
   */
  async removeSubscriber(subscriberId: string, filter: string, keepOnServer = false): Promise<void> {
    if (!this.dispatcher.remove(subscriberId, filter)) return;
    this.unsent.delete(filter);
    if (this.connected && !keepOnServer) await this.unsubscribe([filter]);
  }

  private identifierFor(id: number): SubscribeProperties | undefined {
    return this.capabilities?.subscriptionIdentifiersAvailable === true
      ? { subscriptionIdentifier: id }
      : undefined;
  }

  private restoreSubscriptions(all: boolean): void {
    for (const entry of this.dispatcher.entries()) {
      if (!all && !this.unsent.has(entry.filter)) continue;
      const props = this.identifierFor(entry.subscriptionIdentifier);
      const requestId = this.session.subscribe([{ topicFilter: entry.filter, ...entry.options }], props);
      this.waiters.set(requestId, {
        resolve: () => {},
        reject: (error) => {
          if (this.listenerCount('resubscribeRefused') > 0)
            this.emit('resubscribeRefused', entry.filter, [...entry.subscribers], error);
          else this.report(error);
        },
      });
    }
    this.unsent.clear();
  }

  /** An error with no request to reject: 'error' when someone listens (an unheard 'error' throws). */
  private report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /**
   * Ends the client: a clean DISCONNECT, no more reconnects, and every publish still held fails.
   * Resolves once the connection is closed (or after `timeoutMs`).
   */
  async end(reasonCode: number = ReasonCode.Success, properties?: DisconnectProperties, timeoutMs = 2000) {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const transport = this.transport;
    this.session.disconnect(reasonCode, properties);
    this.session.abandon(new ClientError(ReasonCode.UnspecifiedError, 'the client was ended'));
    this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    if (transport === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        transport.destroy();
        resolve();
      }, timeoutMs);
      timer.unref();
      transport.onClose(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
