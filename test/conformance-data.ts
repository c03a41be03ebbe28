/**
 * Where the official ONNX node test cases live for the tests: a copy of the project's shared
 * `conformance/` folder (ONNX v1.22.0 data files, Apache-2.0; provenance in its README.md), committed so a
 * fresh clone tests itself with nothing beside it.
 */
import { fileURLToPath } from 'node:url';

/** The copy's root: README.md, LICENSE, index.json and onnx-node/. */
export const CONFORMANCE_ROOT = fileURLToPath(new URL('./fixtures/onnx-conformance/', import.meta.url));

/** One folder per case: `<name>/model.onnx` and `<name>/test_data_set_0/{input,output}_N.pb`. */
export const ONNX_NODE_CASES = fileURLToPath(new URL('./fixtures/onnx-conformance/onnx-node/', import.meta.url));
