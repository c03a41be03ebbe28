/**
 * Orders a graph's nodes so every node runs after the producers of its inputs (Kahn's algorithm, stable:
 * among ready nodes the one earlier in the file goes first, so a model already in order keeps its order).
 */
import { ModelLoadError } from '../errors.js';
import { describeNode, type Graph, type Node } from '../ir/graph.js';

/**
 * @param available names readable without a producing node: graph inputs, initializers, outer scope.
 * @throws ModelLoadError for a value produced twice, an input nobody produces, or a cycle.
 */
export function topologicalOrder(graph: Graph, available: (name: string) => boolean): Node[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const out of node.outputs) {
      if (out === '') continue;
      if (producer.has(out)) {
        throw new ModelLoadError(
          `graph '${graph.name}': value '${out}' is produced twice, by ${describeNode(graph.nodes[producer.get(out)!]!)} and ${describeNode(node)}`,
        );
      }
      producer.set(out, i);
    }
  });
  const waiting = new Array<number>(graph.nodes.length).fill(0);
  const consumers: number[][] = graph.nodes.map(() => []);
  graph.nodes.forEach((node, i) => {
    const seen = new Set<number>();
    for (const input of node.inputs) {
      if (input === '') continue;
      const p = producer.get(input);
      if (p === undefined) {
        if (!available(input)) {
          throw new ModelLoadError(
            `graph '${graph.name}': ${describeNode(node)} reads '${input}', which no node, graph input or initializer produces`,
          );
        }
        continue;
      }
      if (!seen.has(p)) {
        seen.add(p);
        waiting[i]!++;
        consumers[p]!.push(i);
      }
    }
  });
  // A min-ordered ready list keeps the original order among independent nodes.
  const ready: number[] = [];
  waiting.forEach((w, i) => w === 0 && ready.push(i));
  const order: Node[] = [];
  while (ready.length > 0) {
    let best = 0;
    for (let k = 1; k < ready.length; k++) if (ready[k]! < ready[best]!) best = k;
    const i = ready.splice(best, 1)[0]!;
    order.push(graph.nodes[i]!);
    for (const c of consumers[i]!) if (--waiting[c]! === 0) ready.push(c);
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.filter((_, i) => waiting[i]! > 0).map(describeNode);
    throw new ModelLoadError(`graph '${graph.name}': the nodes form a cycle; stuck: ${stuck.slice(0, 5).join(', ')}`);
  }
  return order;
}
