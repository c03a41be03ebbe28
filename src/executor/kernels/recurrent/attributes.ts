/**
 * The attributes RNN, LSTM and GRU share, read and checked once at plan time.
 */
import { KernelError } from '../../../errors.js';
import { attrFloat, attrFloats, attrInt, attrString, attrStrings } from '../../../ir/attributes.js';
import { describeNode, type Node } from '../../../ir/graph.js';
import { resolveActivations, type Activation } from './activations.js';

export interface RecurrentAttributes {
  /** The node, named for error messages. */
  readonly where: string;
  /** `hidden_size`, when the node states it (otherwise it is read from R at run time). */
  readonly hiddenSize: number | undefined;
  readonly direction: 'forward' | 'reverse' | 'bidirectional';
  readonly numDirections: 1 | 2;
  /** 0: X is [seq, batch, input]; 1: X is [batch, seq, input] (and Y, Y_h, Y_c, initial_h/c alike). */
  readonly layout: 0 | 1;
  /** Gate pre-activations are clamped to [-clip, clip]; undefined when the node has no `clip`. */
  readonly clip: number | undefined;
  /** Resolved activations per direction: `acts[d][j]` is function j of direction d. */
  readonly acts: readonly (readonly Activation[])[];
}

/**
 * @param perDirection the activation functions one direction uses (RNN 1, GRU 2, LSTM 3)
 * @param defaults     their ONNX defaults
 */
export function readRecurrentAttributes(
  node: Node,
  perDirection: number,
  defaults: readonly string[],
): RecurrentAttributes {
  const where = describeNode(node);
  const hiddenSize = attrInt(node, 'hidden_size');
  if (hiddenSize !== undefined && !(hiddenSize > 0)) {
    throw new KernelError(`${where}: hidden_size must be a positive integer, got ${hiddenSize}`);
  }
  const direction = attrString(node, 'direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    throw new KernelError(`${where}: direction must be 'forward', 'reverse' or 'bidirectional', got '${direction}'`);
  }
  const numDirections = direction === 'bidirectional' ? 2 : 1;
  const layout = attrInt(node, 'layout', 0);
  if (layout !== 0 && layout !== 1) throw new KernelError(`${where}: layout must be 0 or 1, got ${layout}`);
  const clip = attrFloat(node, 'clip');
  if (clip !== undefined && !(clip > 0)) {
    throw new KernelError(`${where}: clip must be a positive number, got ${clip}`);
  }
  const names = attrStrings(node, 'activations') ?? repeat(defaults, numDirections);
  if (names.length !== perDirection * numDirections) {
    throw new KernelError(
      `${where}: activations must list ${perDirection * numDirections} functions ` +
        `(${perDirection} per direction, ${numDirections} direction${numDirections > 1 ? 's' : ''}), got ${names.length}: [${names.join(', ')}]`,
    );
  }
  const all = resolveActivations(names, attrFloats(node, 'activation_alpha'), attrFloats(node, 'activation_beta'), where);
  const acts: Activation[][] = [];
  for (let d = 0; d < numDirections; d++) acts.push(all.slice(d * perDirection, (d + 1) * perDirection));
  return { where, hiddenSize, direction, numDirections, layout, clip, acts };
}

function repeat(list: readonly string[], times: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < times; i++) out.push(...list);
  return out;
}
