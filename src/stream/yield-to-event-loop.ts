/**
 * Gives the event loop a turn (I/O, timers, rendering) in Node and in browsers. Promise continuations alone
 * never do: a generation loop awaiting already-resolved steps would starve everything else.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (callback: () => void) => unknown };
  return new Promise<void>((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
