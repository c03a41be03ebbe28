/**
 * Typed attribute access for kernels and importers. Integers come out as numbers (ONNX stores int64; the
 * values kernels use — axes, sizes, flags — are far inside 2^53, and INT64_MAX sentinels become a number
 * larger than any dimension, which is what they mean).
 */
import { KernelError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { describeNode, type Attribute, type Graph, type Node } from './graph.js';

function get(node: Node, name: string, type: Attribute['type']): Attribute | undefined {
  const a = node.attributes[name];
  if (a === undefined) return undefined;
  if (a.type !== type) {
    throw new KernelError(`${describeNode(node)}: attribute '${name}' must be ${type}, got ${a.type}`);
  }
  return a;
}

export function hasAttr(node: Node, name: string): boolean {
  return node.attributes[name] !== undefined;
}

export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, fallback: number): number;
export function attrInt(node: Node, name: string, fallback?: number): number | undefined {
  const a = get(node, name, 'int') as { value: bigint } | undefined;
  return a === undefined ? fallback : Number(a.value);
}

export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, fallback: number): number;
export function attrFloat(node: Node, name: string, fallback?: number): number | undefined {
  const a = get(node, name, 'float') as { value: number } | undefined;
  return a === undefined ? fallback : a.value;
}

export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, fallback: string): string;
export function attrString(node: Node, name: string, fallback?: string): string | undefined {
  const a = get(node, name, 'string') as { value: string } | undefined;
  return a === undefined ? fallback : a.value;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const a = get(node, name, 'ints') as { value: bigint[] } | undefined;
  return a?.value.map(Number);
}

export function attrFloats(node: Node, name: string): number[] | undefined {
  return (get(node, name, 'floats') as { value: number[] } | undefined)?.value;
}

export function attrStrings(node: Node, name: string): string[] | undefined {
  return (get(node, name, 'strings') as { value: string[] } | undefined)?.value;
}

export function attrTensor(node: Node, name: string): Tensor | undefined {
  return (get(node, name, 'tensor') as { value: Tensor } | undefined)?.value;
}

export function attrGraph(node: Node, name: string): Graph | undefined {
  return (get(node, name, 'graph') as { value: Graph } | undefined)?.value;
}
