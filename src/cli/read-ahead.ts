/**
 * Backpressure between a reader (lines of a file or of a never-ending stdin) and a consumer that works
 * asynchronously (model steps): the reader may run at most `limit` items ahead, waits otherwise, and stops
 * at once when the consumer fails — without buffering without bound and without dropping anything.
 */
export class ReadAhead {
  private admitted = 0;
  private consumed = 0;
  private wake: (() => void) | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Waits until one more item may be handed over; throws the consumer's failure if there is one. */
  async admit(): Promise<void> {
    while (this.admitted - this.consumed >= this.limit && !this.failure) await new Promise<void>((r) => (this.wake = r));
    this.wake = undefined;
    if (this.failure) throw this.failure.error;
    this.admitted++;
  }

  /** The consumer took an item. */
  consumedOne(): void {
    this.consumed++;
    this.wake?.();
  }

  /** The consumer failed: a waiting or later `admit` throws `error`. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.wake?.();
  }

  /** Throws the consumer's failure, if any. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }
}
