/**
 * docs/errors.md, rendered from the catalogue. `npm run docs` writes it; tests/docs.test.ts fails when the page
 * on disk is not what this renders.
 */
import { ERRORS, type ErrorDefinition, RETIRED_CODES, SUCCESS } from './catalogue.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function hex(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}`;
}

/** The whole page, Markdown (before Prettier lays out the tables). */
export function errorsReference(): string {
  const entries = (Object.entries(ERRORS) as [string, ErrorDefinition][]).sort(([, a], [, b]) => a.code - b.code);
  const isGateway = (def: ErrorDefinition) => def.socksReply !== undefined || def.proxyStatus !== undefined;
  const lines = [
    '<!-- Generated from src/errors/catalogue.ts by `npm run docs`: change the catalogue there, not this page. -->',
    '',
    '# Error codes',
    '',
    'Every error has a stable code and a message in Simplified Chinese and English; codes are never reused.',
    '',
    '## API errors',
    '',
    `The customer API answers every error with HTTP 200 and the envelope \`{code, msg, message, data}\` (success is`,
    `code ${SUCCESS.code}, 「${SUCCESS.zh}」 / "${SUCCESS.en}"); invalid parameters add \`errors: {field: reason}\`.`,
    'The admin API and the payment webhook use the same envelope with the HTTP status shown. Messages are Chinese',
    'unless English is asked for (`language=en`, a `Language: en` header, or an `Accept-Language` preferring',
    'English); `{name}` parts are filled in.',
    '',
    '| Code | Key | HTTP (admin) | Meaning | Message (zh) |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [key, def] of entries) {
    if (isGateway(def)) continue;
    lines.push(`| ${def.code} | \`${key}\` | ${def.httpStatus} | ${cell(def.doc ?? def.en)} | ${cell(def.zh)} |`);
  }
  lines.push(
    '',
    '## Gateway refusals',
    '',
    'The proxy gateway refuses over HTTP with the status shown, a',
    '`Proxy-Status: tollgate; error=<type>; details="<KEY>: <message>"` header (RFC 9209) and `X-Tollgate-Error: <code>`;',
    'over SOCKS5 with the reply code shown (RFC 1928 §6). A refusal decided while the SOCKS5 login is checked (for',
    'example wrong credentials, a bad username, too many failures) is answered as a failed RFC 1929 login instead; a',
    'disabled account, a reached limit, used-up packages or an invalid lease are answered after the login, with their',
    'reply code. See [Proxy gateway](gateway.md#refusals).',
    '',
    '| Code | Key | HTTP | SOCKS5 | Proxy-Status | Meaning |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const [key, def] of entries) {
    if (!isGateway(def)) continue;
    const socks = def.socksReply === undefined ? '—' : hex(def.socksReply);
    const status = def.proxyStatus === undefined ? '—' : `\`${def.proxyStatus}\``;
    lines.push(`| ${def.code} | \`${key}\` | ${def.httpStatus} | ${socks} | ${status} | ${cell(def.doc ?? def.en)} |`);
  }
  lines.push('', '## Retired codes', '', RETIRED_CODES.length === 0 ? 'None yet.' : `Never reused: ${RETIRED_CODES.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
