import { ScramClient, type ScramClientOptions } from '../broker/scram-client';

/**
 * Enhanced authentication from the client's side (spec 4.12). A method makes one exchange per
 * CONNECT: its first data goes in the CONNECT, each AUTH 0x18 from the server gets an answer,
 * and the CONNACK's data is checked (so the client knows the server holds its credential).
 * Any method throws to refuse.
 */
export interface ClientAuthExchange {
  /** The CONNECT's Authentication Data. */
  start(): Buffer | undefined;
  /** The answer to the server's AUTH 0x18 Authentication Data. */
  respond(serverData: Buffer | undefined): Buffer;
  /** Checks the successful CONNACK's Authentication Data; throws when it is wrong. */
  finish(serverData: Buffer | undefined): void;
}

export interface ClientAuthenticator {
  /** The Authentication Method, e.g. `SCRAM-SHA-256`. */
  readonly method: string;
  begin(): ClientAuthExchange;
}

/** SCRAM-SHA-256 with a new `ScramClient` for each connection. */
export function scramAuthenticator(options: ScramClientOptions): ClientAuthenticator {
  return {
    method: 'SCRAM-SHA-256',
    begin() {
      const scram = new ScramClient(options);
      return {
        start: () => scram.start(),
        respond: (data) => {
          if (data === undefined) throw new Error('AUTH without Authentication Data');
          return scram.respond(data);
        },
        finish: (data) => scram.finish(data),
      };
    },
  };
}
