#!/usr/bin/env node
// The `rxrnn` command. The CLI itself is TypeScript compiled to dist/cli.js by tsup, which `npm install` /
// `npm ci` run through the package's `prepare` script (or run `npm run build` by hand).
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('cli.js')) {
    process.stderr.write("rxrnn: the CLI is not built (dist/cli.js is missing); run 'npm run build' in the package folder\n");
    process.exit(1);
  }
  throw e;
}
process.exitCode = await cli.runCli(process.argv.slice(2));
// A producer still holding stdin open (tail -f) must not keep a finished command alive.
process.stdin.destroy();
