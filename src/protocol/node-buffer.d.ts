// Buffer's fast paths that Node.js has exposed on Buffer.prototype since v0.x and that
// `toString`/`write` call after normalising their arguments. The codec calls them directly on
// hot paths; @types/node does not declare them.
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    utf8Slice(start: number, end: number): string;
    latin1Write(str: string, offset: number, length: number): number;
    utf8Write(str: string, offset: number, length: number): number;
  }
}

export {};
