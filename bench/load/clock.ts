/**
 * Milliseconds on the monotonic clock every thread of this process shares, counted from a base
 * the main thread picks (so that the numbers stay small enough to be exact as doubles). Send
 * times in payloads and receive times are read on the same clock, even across worker threads.
 */
export type Clock = () => number;

export function makeClock(base: bigint): Clock {
  return () => Number(process.hrtime.bigint() - base) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
