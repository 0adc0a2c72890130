import { randomBytes } from 'node:crypto';
import { SCRAM_DEFAULT_ITERATIONS, SCRAM_SHA_256 } from './scram';
import {
  authMessage,
  clientKeyOf,
  constantTimeEqual,
  hmac,
  saltedPassword,
  serverKeyOf,
  sha256,
  xor,
} from './scram-keys';
import {
  formatClientFinalWithoutProof,
  formatClientFirstBare,
  GS2_HEADER,
  isValidNonce,
  parseServerFinal,
  parseServerFirst,
  ScramError,
} from './scram-messages';

/**
 * The client side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), with no I/O: `start()` gives
 * the client-first message (the CONNECT's, or a re-authenticating AUTH's, Authentication Data),
 * `respond()` turns the server-first message into the client-final one, and `finish()` checks the
 * server-final message, so the client knows the server holds its credential. Every problem is a
 * `ScramError`. Use a new one for each exchange.
 */

export interface ScramClientOptions {
  username: string;
  password: string;
  /** The client nonce (printable ASCII, no comma); 18 random bytes in base64 by default. */
  nonce?: () => string;
  /**
   * Iteration counts the client accepts from the server. Too few weakens the proof a listener
   * could attack offline; too many lets a server stall the client. 4096 to 1,000,000 by default.
   */
  minIterations?: number;
  maxIterations?: number;
}

type Phase =
  | { name: 'new' }
  | { name: 'sent-first'; nonce: string; bare: string }
  | { name: 'sent-final'; serverSignature: Buffer }
  | { name: 'done' };

export class ScramClient {
  readonly method = SCRAM_SHA_256;
  private phase: Phase = { name: 'new' };

  constructor(private readonly options: ScramClientOptions) {}

  /** The client-first message. */
  start(): Buffer {
    if (this.phase.name !== 'new') throw new ScramError('the exchange has already started');
    const nonce = this.options.nonce?.() ?? randomBytes(18).toString('base64');
    if (!isValidNonce(nonce)) throw new ScramError('invalid client nonce');
    if (this.options.username === '') throw new ScramError('empty user name');
    const bare = formatClientFirstBare(this.options.username, nonce);
    this.phase = { name: 'sent-first', nonce, bare };
    return Buffer.from(GS2_HEADER + bare, 'utf8');
  }

  /** The client-final message for the server-first one. */
  respond(serverFirstMessage: Buffer): Buffer {
    const phase = this.phase;
    if (phase.name !== 'sent-first') throw new ScramError('not waiting for a server-first message');
    this.phase = { name: 'done' };
    const serverFirst = parseServerFirst(serverFirstMessage);
    // The server adds its part to the client's nonce [RFC 5802 section 5.1, r=].
    if (!serverFirst.nonce.startsWith(phase.nonce) || serverFirst.nonce.length === phase.nonce.length) {
      throw new ScramError('the server nonce does not extend the client nonce');
    }
    const min = this.options.minIterations ?? SCRAM_DEFAULT_ITERATIONS;
    const max = this.options.maxIterations ?? 1_000_000;
    if (serverFirst.iterations < min || serverFirst.iterations > max) {
      throw new ScramError(`iteration count ${serverFirst.iterations} is outside ${min}..${max}`);
    }
    const salted = saltedPassword(this.options.password, serverFirst.salt, serverFirst.iterations);
    const clientKey = clientKeyOf(salted);
    const withoutProof = formatClientFinalWithoutProof(GS2_HEADER, serverFirst.nonce);
    const message = authMessage(phase.bare, serverFirstMessage.toString('utf8'), withoutProof);
    const proof = xor(clientKey, hmac(sha256(clientKey), message));
    this.phase = { name: 'sent-final', serverSignature: hmac(serverKeyOf(salted), message) };
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Checks the server-final message; throws unless it carries the expected server signature. */
  finish(serverFinalMessage: Buffer | undefined): void {
    const phase = this.phase;
    if (phase.name !== 'sent-final') throw new ScramError('not waiting for a server-final message');
    this.phase = { name: 'done' };
    if (serverFinalMessage === undefined) throw new ScramError('no server-final message');
    const final = parseServerFinal(serverFinalMessage);
    if (final.kind === 'error') throw new ScramError(`the server refused: ${final.error}`);
    if (!constantTimeEqual(final.signature, phase.serverSignature)) {
      throw new ScramError('wrong server signature: the server does not know the credential');
    }
  }
}
