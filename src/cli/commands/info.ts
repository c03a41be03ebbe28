/**
 * `rxrnn info MODEL`: what a model takes and gives (names, element types, shapes), the opsets it imports,
 * the operators it uses (subgraphs included) and which of them the built-in executor lacks. `--card` prints
 * a starter model card (the detected state bindings) to edit and keep beside the model.
 */
import { missingOperators } from '../../executor/missing-ops.js';
import { opsetOf, type Graph, type Model, type ValueInfo, type ValueType } from '../../ir/graph.js';
import { starterCard } from '../../session/bindings.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';
import { loadModelFile } from '../load-model.js';

const spec: CommandSpec = {
  name: 'info',
  summary: "Show a model's inputs and outputs, opsets, operators, and which operators the built-in executor lacks.\n" +
    'MODEL is an ONNX file or a Layers model.json.',
  args: 'MODEL',
  positionals: { min: 1, max: 1 },
  options: {
    card: { type: 'boolean', description: 'print a starter model card (state bindings, inputs, outputs) as JSON' },
  },
  details: 'Example: rxrnn info node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx',
};

function typeText(t: ValueType | undefined): string {
  if (!t) return '(type not declared)';
  if (t.kind === 'sequence') return `sequence<${typeText(t.elem)}>`;
  if (t.kind === 'optional') return `optional<${typeText(t.elem)}>`;
  const shape = t.shape ? `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '[?]';
  return `${t.elemType} ${shape}`;
}

function valueJson(v: ValueInfo) {
  const t = v.type;
  if (t?.kind === 'tensor') return { name: v.name, dtype: t.elemType, dims: t.shape ?? null };
  return { name: v.name, type: typeText(t) };
}

/** Operator use counts as `domain::OpType`, subgraphs included. */
function operatorCounts(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (g: Graph) => {
    for (const n of g.nodes) {
      const key = `${n.domain === '' ? 'ai.onnx' : n.domain}::${n.opType}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      for (const a of Object.values(n.attributes)) {
        if (a.type === 'graph') visit(a.value);
        else if (a.type === 'graphs') a.value.forEach(visit);
      }
    }
  };
  visit(graph);
  return new Map([...counts].sort((a, b) => a[0].localeCompare(b[0])));
}

/** Graph inputs that are not initializers (what a caller feeds). */
function feedInputs(model: Model): ValueInfo[] {
  return model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const path = args.positionals[0]!;
  const { model, kind } = await loadModelFile(path);
  if (args.values.card) {
    io.stdout.write(`${JSON.stringify(starterCard(model), null, 2)}\n`);
    return 0;
  }
  const ops = operatorCounts(model.graph);
  const missing = missingOperators(model.graph, (d) => opsetOf(model, d));
  const inputs = feedInputs(model);
  const params = [...model.graph.initializers.values()].reduce((n, t) => n + t.data.length, 0);
  if (args.flags.json) {
    io.stdout.write(
      `${JSON.stringify({
        file: path,
        format: kind,
        producer: model.producerName ? `${model.producerName} ${model.producerVersion ?? ''}`.trim() : null,
        irVersion: model.irVersion,
        opsets: model.opsetImports.map((o) => ({ domain: o.domain === '' ? 'ai.onnx' : o.domain, version: o.version })),
        inputs: inputs.map(valueJson),
        outputs: model.graph.outputs.map(valueJson),
        initializers: model.graph.initializers.size,
        parameters: params,
        operators: Object.fromEntries(ops),
        builtinMissing: missing,
      })}\n`,
    );
    return 0;
  }
  const w = (s: string) => io.stdout.write(`${s}\n`);
  w(`${path}  (${kind === 'onnx' ? 'ONNX' : 'Layers model.json'}, IR v${model.irVersion}${model.producerName ? `, made by ${model.producerName} ${model.producerVersion ?? ''}`.trimEnd() : ''})`);
  w(`opsets: ${model.opsetImports.map((o) => `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`).join(', ') || '(none)'}`);
  w('inputs:');
  for (const v of inputs) w(`  ${v.name}: ${typeText(v.type)}`);
  w('outputs:');
  for (const v of model.graph.outputs) w(`  ${v.name}: ${typeText(v.type)}`);
  w(`weights: ${model.graph.initializers.size} initializers, ${params} values`);
  w(`operators (${ops.size}): ${[...ops].map(([k, n]) => `${k.replace(/^ai\.onnx::/, '')}×${n}`).join(', ') || '(none)'}`);
  w(
    missing.length === 0
      ? 'built-in executor: runs every operator of this model'
      : `built-in executor lacks: ${missing.join(', ')} — run it with --backend ort-node or ort-web`,
  );
  return 0;
}

export const infoCommand: Command = { spec, run };
