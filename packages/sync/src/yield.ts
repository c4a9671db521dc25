/**
 * Lets pending I/O and timers run before going on: `setImmediate` where the runtime has it
 * (Node: no 1-ms clamp), a zero timeout elsewhere (browsers).
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
