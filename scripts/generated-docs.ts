/**
 * The reference pages generated from the code's own tables, laid out by Prettier as `npm run format` would.
 * `npm run docs` writes them (scripts/docs.ts); tests/docs.test.ts checks the files on disk against them.
 */
import { join } from 'node:path';
import prettier from 'prettier';
import { configurationReference } from '../src/config/reference.js';
import { errorsReference } from '../src/errors/reference.js';

export const ROOT = join(import.meta.dirname, '..');

export interface GeneratedPage {
  /** Relative to the repository root. */
  readonly path: string;
  readonly text: string;
}

export async function generatedPages(): Promise<GeneratedPage[]> {
  const pages = [
    { path: 'docs/configuration.md', text: configurationReference() },
    { path: 'docs/errors.md', text: errorsReference() },
  ];
  return Promise.all(
    pages.map(async ({ path, text }) => {
      const options = (await prettier.resolveConfig(join(ROOT, path))) ?? {};
      return { path, text: await prettier.format(text, { ...options, filepath: join(ROOT, path) }) };
    }),
  );
}
