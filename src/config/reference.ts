/**
 * docs/configuration.md, rendered from the variables table. `npm run docs` writes it; tests/docs.test.ts fails
 * when the page on disk is not what this renders.
 */
import { VARIABLES, type VariableGroup, type VariableSpec } from './variables.js';

const GROUPS: Record<VariableGroup, string> = {
  platform: 'Platform and API',
  gateway: 'Proxy gateway',
  extraction: 'IP extraction (`ip/v3`)',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultOf(spec: VariableSpec): string {
  if (spec.defaultDoc !== undefined) return spec.defaultDoc;
  if (spec.kind === 'bool') return spec.default ? 'on' : 'off';
  if (spec.kind === 'int') return `\`${spec.default}\``;
  return spec.default === undefined || spec.default === '' ? '—' : `\`${spec.default}\``;
}

function acceptsOf(spec: VariableSpec): string {
  if (spec.kind === 'bool') return 'boolean';
  if (spec.kind === 'int') return `integer ${spec.min}–${spec.max}`;
  return spec.accepts ?? 'text';
}

/** The whole page, Markdown (before Prettier lays out the tables). */
export function configurationReference(): string {
  const lines = [
    '<!-- Generated from src/config/variables.ts by `npm run docs`: change the table there, not this page. -->',
    '',
    '# Configuration',
    '',
    'Tollgate reads environment variables once, at start-up, and validates them together: a bad value stops',
    'start-up with one message naming every bad variable. `TOLLGATE_CONFIG` may name a JSON file of',
    '`{"VARIABLE": value}`; a variable set in the environment wins over the file, and an empty variable counts as',
    'unset. Booleans accept `1`/`0`, `true`/`false`, `yes`/`no` and `on`/`off`. The `tollgate` command reads the',
    'same variables as the server.',
  ];
  for (const [group, title] of Object.entries(GROUPS)) {
    lines.push('', `## ${title}`, '', '| Variable | Default | Accepts | Meaning |', '| --- | --- | --- | --- |');
    for (const [name, spec] of Object.entries(VARIABLES) as [string, VariableSpec][]) {
      if (spec.group !== group) continue;
      lines.push(`| \`${name}\` | ${cell(defaultOf(spec))} | ${cell(acceptsOf(spec))} | ${cell(spec.doc)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
