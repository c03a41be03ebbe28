/**
 * Kernels: If. Both branches are planned once at load (so a missing operator inside either is reported
 * before the first run); each run executes one branch with the enclosing graph's values in scope.
 */
import { attrGraph } from '../../ir/attributes.js';
import type { Graph, Node } from '../../ir/graph.js';
import type { Tensor, TypedArray } from '../../tensor.js';
import type { Kernel, KernelDef, SubgraphRunner } from '../kernel.js';
import { dimsText, kernelError } from './shape-impl.js';

function branch(node: Node, name: string): Graph {
  const g = attrGraph(node, name);
  if (g === undefined) throw kernelError(node, `attribute '${name}' (a graph) is required`);
  if (g.outputs.length !== node.outputs.length) {
    throw kernelError(node, `${name} has ${g.outputs.length} outputs but the node has ${node.outputs.length}`);
  }
  return g;
}

/** The condition as a boolean; ONNX requires a bool tensor holding exactly one element. */
function condition(node: Node, cond: Tensor | undefined): boolean {
  if (cond === undefined) throw kernelError(node, `input 0 (cond) is required`);
  if (cond.dtype !== 'bool') throw kernelError(node, `cond must be bool, got ${cond.dtype}`);
  if (cond.data.length !== 1) throw kernelError(node, `cond must hold exactly one element, got shape ${dimsText(cond.dims)}`);
  return cond.data[0] !== 0;
}

const ifKernel: KernelDef = {
  opType: 'If',
  sinceVersion: 1,
  create({ node, planSubgraph }): Kernel {
    const thenRunner: SubgraphRunner = planSubgraph(branch(node, 'then_branch'));
    const elseRunner: SubgraphRunner = planSubgraph(branch(node, 'else_branch'));
    const results: (Tensor | undefined)[] = new Array(node.outputs.length);
    return {
      run(inputs, ctx) {
        const outs = (condition(node, inputs[0]) ? thenRunner : elseRunner).run(ctx.scope);
        // Branch outputs may be the branch's constants or outer values; copy them into this node's own
        // buffers so nothing downstream (or a caller holding the result) can alias and mutate them.
        for (let i = 0; i < results.length; i++) {
          const src = outs[i]!;
          const out = ctx.output(i, src.dtype, src.dims);
          (out.data as TypedArray & { set(a: TypedArray): void }).set(src.data);
          results[i] = out;
        }
        return results;
      },
    };
  },
};

export const kernels: KernelDef[] = [ifKernel];
