/**
 * Opening a step session on each benchmarked engine. Every ONNX engine is reached through the public
 * `createStepSession`, so what is timed is what a user gets: state carried by the session, the builtin
 * backend stepping through its synchronous `runSync`, onnxruntime through its promise.
 */
import type { ModelCard } from '../src/session/card.js';
import { createStepSession } from '../src/session/step-session.js';
import type { StepSession } from '../src/session/types.js';
import type { EngineName } from './types.js';

/** The ONNX engines: one backend each, onnxruntime-node with one thread and with its default pool. */
export const SESSION_ENGINES = ['builtin', 'ort-node-1t', 'ort-node', 'ort-web'] as const;
export type SessionEngine = (typeof SESSION_ENGINES)[number];

export function isSessionEngine(e: EngineName): e is SessionEngine {
  return (SESSION_ENGINES as readonly string[]).includes(e);
}

export async function openSession(engine: SessionEngine, bytes: Uint8Array, card: ModelCard): Promise<StepSession> {
  switch (engine) {
    case 'builtin':
      return createStepSession(bytes, { backend: 'builtin', card });
    case 'ort-node-1t':
      // intraOpNumThreads 1: the comparison the targets are set against.
      return createStepSession(bytes, { backend: 'ort-node', card, engine: { threads: 1 } });
    case 'ort-node':
      return createStepSession(bytes, { backend: 'ort-node', card });
    case 'ort-web':
      // onnxruntime-web in Node runs wasm on one thread (the backend's Node default).
      return createStepSession(bytes, { backend: 'ort-web', card, engine: { threads: 1 } });
  }
}
