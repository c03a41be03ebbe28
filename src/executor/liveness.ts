/**
 * Dead-node elimination: only nodes that contribute to a graph output are planned. A value read from
 * inside a subgraph (an If branch reading an outer value) counts as read by the node holding the subgraph.
 */
import type { Graph, Node } from '../ir/graph.js';

/** Names a graph reads from enclosing scopes: node inputs (in its own subgraphs too) it does not define. */
export function outerReads(graph: Graph): Set<string> {
  const defined = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.initializers.keys()]);
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') defined.add(o);
  const reads = new Set<string>();
  for (const n of graph.nodes) {
    for (const name of nodeReads(n)) if (!defined.has(name)) reads.add(name);
  }
  for (const o of graph.outputs) if (!defined.has(o.name)) reads.add(o.name);
  return reads;
}

/** Everything a node reads: its inputs and what its subgraphs read from outside themselves. */
export function nodeReads(node: Node): Set<string> {
  const reads = new Set<string>();
  for (const i of node.inputs) if (i !== '') reads.add(i);
  for (const a of Object.values(node.attributes)) {
    const graphs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
    for (const g of graphs) for (const r of outerReads(g)) reads.add(r);
  }
  return reads;
}

/** The nodes of `order` (a topological order) that some graph output depends on, in the same order. */
export function liveNodes(order: readonly Node[], outputs: readonly string[]): Node[] {
  const needed = new Set(outputs);
  const live: boolean[] = new Array<boolean>(order.length).fill(false);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    if (!node.outputs.some((o) => o !== '' && needed.has(o))) continue;
    live[i] = true;
    for (const r of nodeReads(node)) needed.add(r);
  }
  return order.filter((_, i) => live[i]);
}
