/**
 * Dropout at inference: the output is the input itself (no copy, no buffer) and the optional mask says
 * every element was kept. Random dropout is training-only and not supported: a model that asks for it
 * (is_test=0 before opset 7, training_mode=true from opset 12) gets a KernelError instead of output that
 * silently differs from what it asked for.
 *
 * The mask's type follows the operator version: the input's type before opset 10, bool from 10. Its
 * values are all ones (kept), as the ONNX reference implementation gives at every version; onnxruntime
 * agrees from opset 12 but fills zeros for opsets 7-11 (its identity kernel clears the mask).
 */
import { attrInt, hasAttr } from '../../ir/attributes.js';
import { shapeToString, type DType, type Tensor } from '../../tensor.js';
import type { Node } from '../../ir/graph.js';
import type { Kernel, KernelDef, KernelInit } from '../kernel.js';
import { requireInputs } from './arity.js';
import { kernelError } from './shape-impl.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];

// One definition for every version; what differs is read from the opset: 1-6 have is_test, 10 makes the
// mask bool, 12 turns ratio into an input and adds training_mode (13 and 22 only add types this runtime
// does not hold).
const dropout: KernelDef = {
  opType: 'Dropout',
  sinceVersion: 1,
  create(init: KernelInit): Kernel {
    const { node, opset } = init;
    const inputsAllowed = opset >= 12 ? 3 : 1;
    requireInputs(init, 1, inputsAllowed);
    // Absent is_test counts as inference, as ONNX's own 6→7 version converter reads it (it drops the
    // attribute and refuses only an explicit training flag), although the operator text defaults it to 0.
    if (opset < 7 && hasAttr(node, 'is_test') && attrInt(node, 'is_test') === 0) {
      throw kernelError(node, `is_test=0 asks for training-mode (random) dropout, which is not supported: this runtime does inference only (is_test=1, or no is_test, is an identity)`);
    }
    const declared = init.inputInfo[0]?.dtype;
    if (declared !== undefined && !FLOATS.includes(declared)) throw kernelError(node, `data must be float32 or float64, got ${declared}`);
    const wantsMask = node.outputs.length > 1 && node.outputs[1] !== '';
    const boolMask = opset >= 10;
    const result: (Tensor | undefined)[] = [undefined, undefined];
    return {
      run(inputs, ctx) {
        const x = inputs[0]!;
        if (!FLOATS.includes(x.dtype)) throw kernelError(node, `data must be float32 or float64, got ${x.dtype}`);
        if (inputsAllowed > 1) checkTraining(node, inputs[1], inputs[2]);
        result[0] = x;
        if (wantsMask) {
          const mask = ctx.output(1, boolMask ? 'bool' : x.dtype, x.dims);
          (mask.data as Float32Array | Float64Array | Uint8Array).fill(1);
          result[1] = mask;
        }
        return result;
      },
    };
  },
};

/**
 * Opset 12+: `ratio` (default 0.5) must lie in [0, 1), as onnxruntime enforces even at inference, and
 * `training_mode` true is refused unless ratio is 0 — then the operator is an identity in training too.
 */
function checkTraining(node: Node, ratio: Tensor | undefined, training: Tensor | undefined): void {
  let r = 0.5;
  if (ratio !== undefined) {
    if ((ratio.dtype !== 'float32' && ratio.dtype !== 'float64') || ratio.data.length !== 1) {
      throw kernelError(node, `ratio must be a float32 or float64 scalar, got ${ratio.dtype} ${shapeToString(ratio.dims)}`);
    }
    r = ratio.data[0] as number;
    if (!(r >= 0 && r < 1)) throw kernelError(node, `ratio must be in [0, 1), got ${r}`);
  }
  if (training === undefined) return;
  if (training.dtype !== 'bool' || training.data.length !== 1) {
    throw kernelError(node, `training_mode must be a bool scalar, got ${training.dtype} ${shapeToString(training.dims)}`);
  }
  if (training.data[0] !== 0 && r !== 0) {
    throw kernelError(node, `training_mode is true with ratio ${r}: random (training) dropout is not supported, only inference (training_mode false, or ratio 0)`);
  }
}

export const dropoutKernels: KernelDef[] = [dropout];
