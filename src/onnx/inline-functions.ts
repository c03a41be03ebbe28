/**
 * Inlines model-local functions (ModelProto.functions) into the graph, on the decoded protobuf messages,
 * before they become IR: the IR, the executor and the writer then never meet a function call.
 *
 * It runs on messages rather than IR because `ref_attr_name` (an attribute standing for one of the
 * function's attributes) exists only there; the IR has no place for an unresolved attribute.
 *
 * A call — a node whose (domain, op_type, overload) is a function's (domain, name, overload) — becomes the
 * function's body: formal inputs read the call's actual inputs (a missing one reads `''`, ONNX's omitted
 * input), formal outputs write the call's outputs, and every other body value gets a fresh name no other
 * value of the model has. Calls in a body, and in subgraphs anywhere, are expanded the same way.
 */
import { ModelLoadError } from '../errors.js';
import { int64ToBigInt, type AttributeMsg, type FunctionMsg, type GraphMsg, type ModelMsg, type NodeMsg, type OpsetImportMsg } from './proto.js';

/** A guard against functions that call one another in ever-wider fans (2 calls, 40 levels deep, ...). */
export const MAX_INLINED_NODES = 1_000_000;

/** What inlining changes in a model: its graph, and the opsets the inlined bodies need. */
export interface InlinedModel {
  graph: GraphMsg;
  opsetImport: OpsetImportMsg[];
}

/**
 * Returns the model's graph with every call to a model-local function replaced by the function's body,
 * and its opset imports with those of the called functions merged in. A model without functions comes
 * back as it was.
 */
export function inlineFunctions(model: ModelMsg & { graph: GraphMsg }): InlinedModel {
  const functions = model.functions ?? [];
  const opsetImport = [...(model.opsetImport ?? [])];
  if (functions.length === 0) return { graph: model.graph, opsetImport };
  const byKey = new Map<string, FunctionMsg>();
  for (const f of functions) {
    checkFunction(f);
    const key = keyOf(f.domain ?? '', f.name ?? '', f.overload ?? '');
    if (byKey.has(key)) throw new ModelLoadError(`${describeFunction(f)} is defined twice in ModelProto.functions; expected one definition per (domain, name, overload)`);
    byKey.set(key, f);
  }
  const inliner = new Inliner(byKey, opsetImport, collectNames(model.graph));
  return { graph: inliner.graph(model.graph, undefined, []), opsetImport };
}

const normDomain = (d: string) => (d === 'ai.onnx' ? '' : d);
const keyOf = (domain: string, name: string, overload: string) => `${normDomain(domain)}\u0000${name}\u0000${overload}`;

/** `domain.name[:overload]`, how error messages name a function. */
function qualifiedName(f: FunctionMsg): string {
  const name = f.domain ? `${f.domain}.${f.name ?? ''}` : (f.name ?? '');
  return `${name}${f.overload ? `:${f.overload}` : ''}`;
}

function describeFunction(f: FunctionMsg): string {
  return `function '${qualifiedName(f)}'`;
}

function describeBodyNode(n: NodeMsg, i: number): string {
  return n.name ? `${n.opType ?? '?'} node '${n.name}'` : `${n.opType ?? '?'} node #${i}`;
}

/** Structural checks of a function on its own: names declared once, every output produced, references declared. */
function checkFunction(f: FunctionMsg): void {
  const fn = describeFunction(f);
  if (!f.name) throw new ModelLoadError(`a function in ModelProto.functions has no name (domain '${f.domain ?? ''}'); expected a name to call it by`);
  const inputs = new Set<string>();
  for (const x of f.input ?? []) {
    if (!x) throw new ModelLoadError(`${fn}: an input has an empty name; expected every formal input to be named`);
    if (inputs.has(x)) throw new ModelLoadError(`${fn}: input '${x}' is declared twice; expected distinct input names`);
    inputs.add(x);
  }
  const attrs = new Set<string>();
  for (const name of [...(f.attribute ?? []), ...(f.attributeProto ?? []).map((a) => a.name ?? '')]) {
    if (!name) throw new ModelLoadError(`${fn}: an attribute has an empty name; expected every attribute to be named`);
    if (attrs.has(name)) throw new ModelLoadError(`${fn}: attribute '${name}' is declared twice; expected distinct attribute names`);
    attrs.add(name);
  }
  const produced = new Map<string, string>();
  (f.node ?? []).forEach((n, i) => {
    const who = describeBodyNode(n, i);
    for (const o of n.output ?? []) {
      if (o === '') continue;
      if (inputs.has(o)) throw new ModelLoadError(`${fn}: ${who} produces '${o}', which is a function input; expected each value to be defined once`);
      const earlier = produced.get(o);
      if (earlier !== undefined) throw new ModelLoadError(`${fn}: ${who} produces '${o}', which ${earlier} already produces; expected each value to be produced once`);
      produced.set(o, who);
    }
    forEachAttribute(n, (a, owner) => {
      if (a.refAttrName && !attrs.has(a.refAttrName)) {
        throw new ModelLoadError(
          `${fn}: attribute '${a.name ?? ''}' of ${owner} refers to function attribute '${a.refAttrName}', ` +
            `but the function declares ${attrs.size ? [...attrs].map((s) => `'${s}'`).join(', ') : 'no attributes'}`,
        );
      }
    }, who);
  });
  // A body cannot see the caller's values, so whatever it reads must be its own; order is left to the
  // reader's validation of the inlined graph, which finds cycles, and to the executor, which sorts it.
  (f.node ?? []).forEach((n, i) => {
    for (const x of n.input ?? []) {
      if (x !== '' && !inputs.has(x) && !produced.has(x)) {
        throw new ModelLoadError(
          `${fn}: ${describeBodyNode(n, i)} reads '${x}'; expected a function input (${[...inputs].join(', ') || 'none'}) or a value a body node produces`,
        );
      }
    }
  });
  const outputs = new Set<string>();
  for (const o of f.output ?? []) {
    if (!o) throw new ModelLoadError(`${fn}: an output has an empty name; expected every formal output to be named`);
    if (outputs.has(o)) throw new ModelLoadError(`${fn}: output '${o}' is declared twice; expected distinct output names`);
    outputs.add(o);
    if (!produced.has(o)) {
      const made = [...produced.keys()];
      throw new ModelLoadError(
        `${fn}: output '${o}' is never produced; expected a body node to produce it, ` +
          `but the body produces ${made.length ? made.map((s) => `'${s}'`).join(', ') : 'nothing'}`,
      );
    }
  }
}

/** Visits every attribute of a node and of the nodes of its subgraphs, with the owning node's description. */
function forEachAttribute(n: NodeMsg, visit: (a: AttributeMsg, owner: string) => void, owner: string): void {
  for (const a of n.attribute ?? []) {
    visit(a, owner);
    for (const g of graphsOf(a)) (g.node ?? []).forEach((m, i) => forEachAttribute(m, visit, `${describeBodyNode(m, i)} in a subgraph of ${owner}`));
  }
}

function graphsOf(a: AttributeMsg): GraphMsg[] {
  return [...(a.g ? [a.g] : []), ...(a.graphs ?? [])];
}

/** Every value name the graph (and its subgraphs) mentions, so fresh names can avoid them all. */
function collectNames(g: GraphMsg, into = new Set<string>()): Set<string> {
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? []), ...(g.initializer ?? [])]) into.add(v.name ?? '');
  for (const n of g.node ?? []) {
    for (const x of [...(n.input ?? []), ...(n.output ?? [])]) into.add(x);
    for (const a of n.attribute ?? []) for (const sub of graphsOf(a)) collectNames(sub, into);
  }
  return into;
}

class Inliner {
  private emitted = 0;
  private calls = 0;

  constructor(
    private readonly functions: ReadonlyMap<string, FunctionMsg>,
    private readonly opsets: OpsetImportMsg[],
    private readonly taken: Set<string>,
  ) {}

  /** `g` with its nodes expanded; `within` is the function whose body the graph belongs to, if any. */
  graph(g: GraphMsg, within: FunctionMsg | undefined, stack: readonly FunctionMsg[]): GraphMsg {
    return { ...g, node: this.nodes(g.node ?? [], within, stack) };
  }

  private nodes(nodes: readonly NodeMsg[], within: FunctionMsg | undefined, stack: readonly FunctionMsg[]): NodeMsg[] {
    const out: NodeMsg[] = [];
    for (const n of nodes) {
      const f = this.functions.get(keyOf(n.domain ?? '', n.opType ?? '', n.overload ?? ''));
      if (f === undefined) {
        if (within) this.requireOpset(n, within);
        if (++this.emitted > MAX_INLINED_NODES) {
          throw new ModelLoadError(`inlining the model's functions gives more than ${MAX_INLINED_NODES} nodes; expected a model of reasonable size`);
        }
        out.push(this.withExpandedSubgraphs(n, within, stack));
        continue;
      }
      const cycle = stack.indexOf(f);
      if (cycle >= 0) {
        const path = [...stack.slice(cycle), f].map(qualifiedName).join(' -> ');
        throw new ModelLoadError(`${describeFunction(f)} calls itself (${path}); ONNX functions cannot be recursive`);
      }
      out.push(...this.nodes(this.instantiate(n, f), f, [...stack, f]));
    }
    return out;
  }

  private withExpandedSubgraphs(n: NodeMsg, within: FunctionMsg | undefined, stack: readonly FunctionMsg[]): NodeMsg {
    const attrs = n.attribute ?? [];
    if (!attrs.some((a) => graphsOf(a).length > 0)) return n;
    return {
      ...n,
      attribute: attrs.map((a) => {
        const copy: AttributeMsg = { ...a };
        if (a.g) copy.g = this.graph(a.g, within, stack);
        if (a.graphs?.length) copy.graphs = a.graphs.map((g) => this.graph(g, within, stack));
        return copy;
      }),
    };
  }

  /** The body of `f` as called by `call`: values renamed, attribute references resolved. Not yet expanded. */
  private instantiate(call: NodeMsg, f: FunctionMsg): NodeMsg[] {
    const fn = describeFunction(f);
    const formalIn = f.input ?? [];
    const formalOut = f.output ?? [];
    const actualIn = call.input ?? [];
    const actualOut = call.output ?? [];
    const who = call.name ? `node '${call.name}'` : `a node (-> '${actualOut[0] ?? ''}')`;
    if (actualIn.length > formalIn.length) {
      throw new ModelLoadError(`${who} calls ${fn} with ${actualIn.length} inputs; expected at most ${formalIn.length} (${formalIn.join(', ')})`);
    }
    if (actualOut.length > formalOut.length) {
      throw new ModelLoadError(`${who} calls ${fn} with ${actualOut.length} outputs; expected at most ${formalOut.length} (${formalOut.join(', ')})`);
    }

    const prefix = `${call.name || `${f.name}_${this.calls}`}/`;
    this.calls++;
    const names = new Map<string, string>();
    formalIn.forEach((x, i) => names.set(x, actualIn[i] ?? ''));
    // An output the call leaves out (absent or '') still needs a name: body nodes may read it.
    formalOut.forEach((x, i) => actualOut[i] && names.set(x, actualOut[i]));
    const rename = (x: string): string => {
      if (x === '') return '';
      let y = names.get(x);
      if (y === undefined) {
        y = this.fresh(prefix + x);
        names.set(x, y);
      }
      return y;
    };

    const callAttrs = new Map((call.attribute ?? []).map((a) => [a.name ?? '', a]));
    const defaults = new Map((f.attributeProto ?? []).map((a) => [a.name ?? '', a]));
    const resolve = (attrs: readonly AttributeMsg[]): AttributeMsg[] => {
      const out: AttributeMsg[] = [];
      for (const a of attrs) {
        if (a.refAttrName) {
          const given = callAttrs.get(a.refAttrName) ?? defaults.get(a.refAttrName);
          // Neither given nor defaulted: the attribute is optional, and the body operator's own default applies.
          if (given === undefined) continue;
          const copy: AttributeMsg = { ...given, name: a.name ?? '' };
          delete copy.refAttrName;
          if (a.docString) copy.docString = a.docString;
          out.push(copy);
          continue;
        }
        const copy: AttributeMsg = { ...a };
        if (a.g) copy.g = renameGraph(a.g);
        if (a.graphs?.length) copy.graphs = a.graphs.map(renameGraph);
        out.push(copy);
      }
      return out;
    };
    const renameNode = (n: NodeMsg): NodeMsg => ({
      ...n,
      name: n.name ? prefix + n.name : '',
      input: (n.input ?? []).map(rename),
      output: (n.output ?? []).map(rename),
      attribute: resolve(n.attribute ?? []),
    });
    // A subgraph's own values are local to it, so renaming them like any other body value keeps it consistent.
    const renameGraph = (g: GraphMsg): GraphMsg => ({
      ...g,
      input: (g.input ?? []).map((v) => ({ ...v, name: rename(v.name ?? '') })),
      output: (g.output ?? []).map((v) => ({ ...v, name: rename(v.name ?? '') })),
      valueInfo: (g.valueInfo ?? []).map((v) => ({ ...v, name: rename(v.name ?? '') })),
      initializer: (g.initializer ?? []).map((t) => ({ ...t, name: rename(t.name ?? '') })),
      node: (g.node ?? []).map(renameNode),
    });
    // FunctionProto.value_info is left behind: a function is generic over its input types, so the types it
    // declares for one call need not hold for another, and the executor infers them anyway.
    return (f.node ?? []).map(renameNode);
  }

  /** `base`, or `base_1`, `base_2`, ...: the first that no value of the model has. */
  private fresh(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /**
   * An operator from a function body runs at the opset the function imports for its domain, so the model
   * must import that same version (added when it imports none).
   */
  private requireOpset(n: NodeMsg, f: FunctionMsg): void {
    const domain = normDomain(n.domain ?? '');
    const shown = domain || 'ai.onnx';
    const fromFunction = (f.opsetImport ?? []).find((o) => normDomain(o.domain ?? '') === domain);
    const fromModel = this.opsets.find((o) => normDomain(o.domain ?? '') === domain);
    if (fromFunction === undefined) {
      if (fromModel !== undefined) return;
      throw new ModelLoadError(
        `${describeFunction(f)}: ${n.opType ?? '?'} node${n.name ? ` '${n.name}'` : ''} uses domain '${shown}', ` +
          `which neither the function nor the model imports; expected an opset_import for it`,
      );
    }
    if (fromModel === undefined) {
      this.opsets.push({ domain: fromFunction.domain ?? '', version: fromFunction.version ?? 0 });
      return;
    }
    const fv = int64ToBigInt(fromFunction.version ?? 0);
    const mv = int64ToBigInt(fromModel.version ?? 0);
    if (fv !== mv) {
      throw new ModelLoadError(
        `${describeFunction(f)} imports opset ${String(fv)} of domain '${shown}', but the model imports opset ${String(mv)}; ` +
          `expected the same version, since the inlined body runs at the model's opset`,
      );
    }
  }
}
