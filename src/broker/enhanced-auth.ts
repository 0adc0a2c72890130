import type { ClientIdentity } from './types';

/**
 * MQTT 5.0 enhanced authentication (spec 4.12): a client names an Authentication Method in
 * CONNECT, and the two sides trade Authentication Data in AUTH packets until the method decides.
 * A method is a factory of exchanges; an exchange is the state of one authentication (at CONNECT,
 * or one re-authentication) and sees the client's data one step at a time. Like the other hooks
 * it is synchronous: it works on data the host configured, not on I/O.
 */

/** What an exchange decides after one message from the client. */
export type AuthStep =
  /** Send `data` in AUTH 0x18 (Continue authentication) and wait for the client's answer. */
  | { kind: 'continue'; data: Buffer }
  /**
   * Authenticated. `data` (e.g. SCRAM's server signature) goes to the client in the CONNACK or in
   * AUTH 0x00; `username` is who the client proved to be, and is the name the ACL sees.
   */
  | { kind: 'success'; data?: Buffer; username?: string }
  /** Refused: 0x86 bad credentials, 0x87 not authorized, 0x8C bad authentication method. */
  | { kind: 'failure'; reasonCode: number; reason: string };

export interface AuthExchange {
  /**
   * The client's next message: the Authentication Data of the CONNECT or of an AUTH (undefined
   * when the packet carried none). Called until it returns 'success' or 'failure', never after.
   */
  step(clientData: Buffer | undefined): AuthStep;
}

export interface EnhancedAuthMethod {
  /** The Authentication Method string, e.g. `SCRAM-SHA-256`. */
  readonly name: string;
  /** A new exchange for a CONNECT or a re-authentication by this client. */
  begin(identity: Readonly<ClientIdentity>): AuthExchange;
}

/** The methods a broker offers, by name. */
export class EnhancedAuthRegistry {
  private readonly methods = new Map<string, EnhancedAuthMethod>();

  /** Throws an Error for an empty or repeated method name. */
  constructor(methods: readonly EnhancedAuthMethod[] = []) {
    for (const method of methods) {
      if (method.name === '') throw new Error('an authentication method needs a name');
      if (this.methods.has(method.name)) throw new Error(`authentication method ${method.name} given twice`);
      this.methods.set(method.name, method);
    }
  }

  get(name: string): EnhancedAuthMethod | undefined {
    return this.methods.get(name);
  }

  get names(): string[] {
    return [...this.methods.keys()];
  }
}
