/** Finding the Silero VAD v5 model file that ships inside the `@ricky0123/vad-web` dependency. */
import { createRequire } from 'node:module';
import { SILERO_V5_PACKAGE_PATH } from '../audio/silero-vad.js';
import { CliError } from './files.js';

export function sileroV5ModelPath(): string {
  try {
    // import.meta.url in the ESM build (what bin/rxrnn.mjs runs); __filename in the CommonJS build.
    const base = typeof import.meta?.url === 'string' ? import.meta.url : __filename;
    return createRequire(base).resolve(SILERO_V5_PACKAGE_PATH);
  } catch (e) {
    throw new CliError(
      `cannot find the Silero VAD model (${SILERO_V5_PACKAGE_PATH}): ${(e as Error).message.split('\n')[0]}; ` +
        `is the @ricky0123/vad-web dependency installed (npm install)?`,
    );
  }
}
