/**
 * Structural checks of a graph, as ONNX defines a valid one: every value has exactly one definition (a
 * graph input, an initializer or one node output), every node input is defined (in this graph or, for a
 * subgraph, an enclosing one), every graph output exists, and the nodes form no cycle.
 *
 * Nodes need not be listed in topological order (onnxruntime accepts unsorted graphs too); the executor
 * orders them itself. A node holding subgraphs (If) depends on the enclosing-scope values its branches read,
 * so a branch reading a value produced later in the graph is ordered correctly, and a loop through a
 * branch is a cycle.
 */
import { ModelLoadError } from '../errors.js';
import { describeNode, type Graph, type Node } from '../ir/graph.js';

/** Whether a name is visible from an enclosing scope. */
type Scope = (name: string) => boolean;

const NO_OUTER_SCOPE: Scope = () => false;

/**
 * Throws {@link ModelLoadError} naming the node or value when `graph` is not a valid ONNX graph.
 *
 * @example
 * ```ts
 * validateGraph(model.graph); // throws on a cycle, a value produced twice, an input nobody produces
 * ```
 */
export function validateGraph(graph: Graph): void {
  analyzeGraph(graph, NO_OUTER_SCOPE, '');
}

/** Checks `graph` and returns the enclosing-scope names it (or any nested subgraph) reads. */
function analyzeGraph(graph: Graph, outer: Scope, context: string): Set<string> {
  const fail = (message: string): never => {
    throw new ModelLoadError(`${context}${message}`);
  };
  const defined = new Map<string, string>();
  graph.inputs.forEach((v, i) => {
    if (!v.name) fail(`graph input #${i} has no name`);
    if (defined.has(v.name)) fail(`graph input '${v.name}' is declared twice`);
    defined.set(v.name, 'a graph input');
  });
  for (const name of graph.initializers.keys()) {
    if (!defined.has(name)) defined.set(name, 'an initializer');
  }

  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const o of node.outputs) {
      if (o === '') continue;
      const earlier = producer.get(o);
      if (earlier !== undefined) {
        fail(`${describeNode(node)} produces '${o}', which ${describeNode(graph.nodes[earlier]!)} already produces (a value may be produced only once)`);
      }
      const other = defined.get(o);
      if (other !== undefined) fail(`${describeNode(node)} produces '${o}', which is already ${other} (a value may be defined only once)`);
      producer.set(o, i);
    }
  });

  const visible: Scope = (name) => defined.has(name) || producer.has(name) || outer(name);
  const free = new Set<string>();
  const consumers: number[][] = graph.nodes.map(() => []);
  const indegree = new Array<number>(graph.nodes.length).fill(0);

  graph.nodes.forEach((node, i) => {
    const reads: { name: string; via?: string }[] = node.inputs.filter((n) => n !== '').map((name) => ({ name }));
    for (const [attrName, sub] of subgraphsOf(node)) {
      const where = `${context}in subgraph '${attrName}' of ${describeNode(node)}: `;
      for (const name of analyzeGraph(sub, visible, where)) reads.push({ name, via: attrName });
    }
    for (const { name, via } of reads) {
      const p = producer.get(name);
      if (p !== undefined) {
        consumers[p]!.push(i);
        indegree[i]!++;
      } else if (!defined.has(name)) {
        if (outer(name)) free.add(name);
        else {
          const how = via === undefined ? `input '${name}'` : `subgraph '${via}' reads '${name}', which`;
          fail(`${describeNode(node)}: ${how} is not produced by any node, nor a graph input or initializer`);
        }
      }
    }
  });

  // Kahn's algorithm: whatever is never released sits on (or behind) a cycle.
  const queue: number[] = [];
  indegree.forEach((d, i) => d === 0 && queue.push(i));
  let done = 0;
  while (queue.length > done) {
    for (const c of consumers[queue[done++]!]!) if (--indegree[c]! === 0) queue.push(c);
  }
  if (done < graph.nodes.length) {
    const stuck = graph.nodes.filter((_, i) => indegree[i]! > 0);
    const listed = stuck.slice(0, 5).map(describeNode).join(', ');
    fail(`the graph has a cycle through ${stuck.length} node(s): ${listed}${stuck.length > 5 ? ', ...' : ''}`);
  }

  graph.outputs.forEach((v, i) => {
    if (!v.name) fail(`graph output #${i} has no name`);
    if (producer.has(v.name) || defined.has(v.name)) return;
    if (outer(v.name)) free.add(v.name);
    else fail(`graph output '${v.name}' is not produced by any node, nor a graph input or initializer`);
  });
  return free;
}

function* subgraphsOf(node: Node): Generator<[string, Graph]> {
  for (const [name, a] of Object.entries(node.attributes)) {
    if (a.type === 'graph') yield [name, a.value];
    else if (a.type === 'graphs') for (const g of a.value) yield [name, g];
  }
}
