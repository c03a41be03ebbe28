/**
 * A reusable dims array for kernels that compute an output shape every run. Writing by index and trimming
 * once keeps V8's backing store: `arr.length = 0` followed by `push` would drop and reallocate it each run.
 */
export class DimsBuffer {
  readonly dims: number[] = [];
  private n = 0;

  /** Starts a new shape. */
  reset(): this {
    this.n = 0;
    return this;
  }

  push(d: number): void {
    this.dims[this.n++] = d;
  }

  /** The finished shape (the same array every time; copy it before keeping it). */
  finish(): number[] {
    if (this.dims.length !== this.n) this.dims.length = this.n;
    return this.dims;
  }
}
