/**
 * Node-only entry point (`rxrnn/node`): everything in `rxrnn` plus adapters that need `fs` or native
 * binaries. The core (`rxrnn`) stays browser-safe.
 */
export * from './index.js';
export { readModelFile, type ReadModelFileOptions } from './node/read-model-file.js';
export {
  runConformance,
  findCases,
  type ConformanceCase,
  type ConformanceOptions,
  type ConformanceReport,
} from './node/conformance.js';
export { loadLayersModel } from './node/load-layers-model.js';
