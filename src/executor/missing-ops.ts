/**
 * Finds every operator of a model (subgraphs included) that the built-in executor lacks, so a model fails
 * at load with one error listing all of them instead of at its first step with the first one.
 */
import { opsetOf, type Graph, type Model } from '../ir/graph.js';
import { findKernel } from './kernels/registry.js';

/** Resolves the opset a domain is imported at; undefined when the model does not import it. */
export type OpsetResolver = (domain: string) => number | undefined;

const displayDomain = (d: string) => (d === '' ? 'ai.onnx' : d);

/**
 * The operators of `model` the built-in executor lacks, as `domain::OpType@opset`, sorted; empty when it
 * can run every node (If branches included).
 *
 * @example
 * ```ts
 * import { builtinMissingOperators, readModel } from 'rxrnn';
 * const missing = builtinMissingOperators(readModel(bytes));
 * if (missing.length) console.log(`run it on ort-node: the built-in executor lacks ${missing.join(', ')}`);
 * ```
 */
export function builtinMissingOperators(model: Model): string[] {
  return missingOperators(model.graph, (domain) => opsetOf(model, domain));
}

/** `domain::OpType@opset` for each operator of `graph` without a kernel, sorted and without repeats. */
export function missingOperators(graph: Graph, opsetFor: OpsetResolver): string[] {
  const missing = new Set<string>();
  const visit = (g: Graph) => {
    for (const node of g.nodes) {
      const opset = opsetFor(node.domain);
      if (opset === undefined || findKernel(node.opType, node.domain, opset) === undefined) {
        missing.add(`${displayDomain(node.domain)}::${node.opType}@${opset ?? 'unimported'}`);
      }
      for (const a of Object.values(node.attributes)) {
        if (a.type === 'graph') visit(a.value);
        else if (a.type === 'graphs') a.value.forEach(visit);
      }
    }
  };
  visit(graph);
  return [...missing].sort();
}
