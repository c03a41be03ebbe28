/**
 * Builds the browser example (examples/browser/) into a folder that any static HTTP server can serve:
 * `main.js` (the page's entry with rxrnn and RxJS bundled by esbuild for the browser), `capture-worklet.js`
 * (the AudioWorklet processor, loaded on its own), `index.html`, `silero_vad_v5.onnx` (from
 * @ricky0123/vad-web) and `ort/` (onnxruntime-web's wasm build, used only with `?backend=ort-web`).
 *
 *   npx tsx scripts/build-browser-example.ts [outDir]      (default examples/browser/dist)
 */
import { build } from 'esbuild';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const exampleDir = join(root, 'examples/browser');
const require = createRequire(join(root, 'package.json'));

/** onnxruntime-web's wasm-only ESM build and the runtime files it loads next to itself (one thread, SIMD). */
const ORT_WEB_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

export interface BrowserExampleBuild {
  outDir: string;
  /** Size of `main.js` (rxrnn + RxJS + the page, minified) in bytes. */
  mainBytes: number;
}

/**
 * @example
 * ```ts
 * const { outDir, mainBytes } = await buildBrowserExample('/tmp/rxrnn-page');
 * ```
 */
export async function buildBrowserExample(outDir = join(exampleDir, 'dist')): Promise<BrowserExampleBuild> {
  await mkdir(join(outDir, 'ort'), { recursive: true });
  const common = {
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'error',
  } as const;
  await build({
    ...common,
    entryPoints: [join(exampleDir, 'main.ts')],
    outfile: join(outDir, 'main.js'),
    // Resolved by the page's import map to the copy in ort/, and only fetched when ?backend=ort-web asks.
    external: ['onnxruntime-web'],
  });
  await build({ ...common, entryPoints: [join(exampleDir, 'capture-worklet.ts')], outfile: join(outDir, 'capture-worklet.js') });

  await copyFile(join(exampleDir, 'index.html'), join(outDir, 'index.html'));
  await copyFile(require.resolve('@ricky0123/vad-web/dist/silero_vad_v5.onnx'), join(outDir, 'silero_vad_v5.onnx'));
  // The package's main entry lies in its dist/ (its exports map hides package.json).
  const ortDist = dirname(require.resolve('onnxruntime-web'));
  for (const f of ORT_WEB_FILES) await copyFile(join(ortDist, f), join(outDir, 'ort', f));

  return { outDir, mainBytes: (await stat(join(outDir, 'main.js'))).size };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const r = await buildBrowserExample(out);
  console.log(`built ${r.outDir} (main.js ${(r.mainBytes / 1024).toFixed(0)} KiB); serve it over HTTP and open index.html`);
}
