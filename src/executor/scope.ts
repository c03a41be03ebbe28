/**
 * The values of a running graph seen by name, for subgraphs (If branches) that read outer-scope values.
 * It reads the plan's value array live, so the same object serves every run without rebuilding a Map.
 */
import type { Tensor } from '../tensor.js';

export class ScopeView implements ReadonlyMap<string, Tensor> {
  constructor(
    private readonly ids: ReadonlyMap<string, number>,
    private readonly slots: readonly (Tensor | undefined)[],
    /** The enclosing graph's scope; the plan sets it at the start of each run. */
    public parent: ReadonlyMap<string, Tensor> | undefined = undefined,
  ) {}

  get(name: string): Tensor | undefined {
    const id = this.ids.get(name);
    if (id !== undefined) {
      const v = this.slots[id];
      if (v !== undefined) return v;
    }
    return this.parent?.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  *entries(): MapIterator<[string, Tensor]> {
    const seen = new Set<string>();
    for (const [name, id] of this.ids) {
      const v = this.slots[id];
      if (v !== undefined) {
        seen.add(name);
        yield [name, v];
      }
    }
    if (this.parent !== undefined) {
      for (const [name, v] of this.parent) if (!seen.has(name)) yield [name, v];
    }
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<Tensor> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, Tensor]> {
    return this.entries();
  }

  forEach(fn: (value: Tensor, key: string, map: ReadonlyMap<string, Tensor>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}
