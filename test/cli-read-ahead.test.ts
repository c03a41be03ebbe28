/** ReadAhead: the reader waits at the limit, resumes as items are consumed, and stops on failure. */
import { describe, expect, it } from 'vitest';
import { ReadAhead } from '../src/cli/read-ahead.js';

describe('ReadAhead', () => {
  it('admits up to the limit, then waits for the consumer', async () => {
    const gate = new ReadAhead(2);
    await gate.admit();
    await gate.admit();
    let third = false;
    const p = gate.admit().then(() => (third = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    gate.consumedOne();
    await p;
    expect(third).toBe(true);
  });

  it('wakes a waiting reader with the consumer failure, and keeps failing', async () => {
    const gate = new ReadAhead(1);
    await gate.admit();
    const waiting = gate.admit();
    gate.fail(new Error('step failed'));
    await expect(waiting).rejects.toThrow('step failed');
    await expect(gate.admit()).rejects.toThrow('step failed');
    expect(() => gate.check()).toThrow('step failed');
  });
});
