import type { RequestListener } from '../../src/client';
import type { DoneFunction, NodeMessage, Translate } from './node-red-types';
import { markFailure, publishFailure } from './out-failure';

/** What an `mqtt5 out` node counts, for its status line. */
export interface OutFigures {
  sent: number;
  failed: number;
  /** `0x87`, or '' when the last failure had no reason code. */
  lastFailure: string;
}

/** The node-wide part of every publish: the figures, the status refresh and the catalog. */
export interface OutNodeContext {
  readonly figures: OutFigures;
  readonly t: Translate;
  refresh(): void;
}

/** `0x87` from `msg.reasonCode`, or '' when there is none. */
export function failureCode(msg: NodeMessage): string {
  const code = msg['reasonCode'];
  return typeof code === 'number' ? `0x${code.toString(16).padStart(2, '0')}` : '';
}

/** Counts a msg that failed, and ends it with `error` (a Catch node gets it). */
export function countFailure(node: OutNodeContext, msg: NodeMessage, done: DoneFunction, error: Error): void {
  node.figures.failed++;
  node.figures.lastFailure = failureCode(msg);
  node.refresh();
  done(error);
}

/**
 * One msg's publish in flight, and how it ends: `done()` on PUBACK or PUBCOMP (or the write at
 * QoS 0), else `done(error)` with `msg.reasonCode` and `msg.reasonString` set. A flow may keep
 * thousands of these alive until their acknowledgements, so it is one object with its methods on
 * the prototype, where a Promise chain would be several objects and closures per msg.
 */
export class OutFlight implements RequestListener {
  constructor(
    private readonly node: OutNodeContext,
    private readonly msg: NodeMessage,
    private readonly done: DoneFunction,
    private readonly topic: string,
  ) {}

  resolve(): void {
    this.node.figures.sent++;
    this.node.refresh();
    this.done();
  }

  reject(error: unknown): void {
    const failure = publishFailure(error);
    markFailure(this.msg, failure);
    const text = this.node.t('mqtt5-out.errors.publish-failed', {
      topic: this.topic,
      reason: failure.reason,
    });
    countFailure(this.node, this.msg, this.done, new Error(text));
  }
}
