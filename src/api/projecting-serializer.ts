/**
 * A faster serializer for answers that carry lists: the value projected onto its response schema (the schema's
 * properties only, in the schema's order), then JSON.stringify. fast-json-stringify writes each field itself and
 * took 17–40 ms for a list of 10,000 proxy accounts where JSON.stringify takes about 4 ms (npm run bench:api).
 *
 * The schema still shapes every answer: a field the schema does not name is left out, and every value is checked
 * against its type while it is projected. Any value that is not already exactly what the schema says (a number
 * as text, a missing required field, a null where a string belongs, a Date) sends the whole answer through
 * fast-json-stringify instead, which coerces or refuses it as it always has, so both paths write the same bytes.
 * Schemas with keywords this projection does not know (anyOf, $ref, patternProperties, …) are not projected.
 */

type Schema = Readonly<Record<string, unknown>>;
type Project = (value: unknown) => unknown;

/** Thrown inside a projection: this value is not exactly what the schema says; fast-json-stringify takes it. */
const MISMATCH: unique symbol = Symbol('mismatch');

function mismatch(): never {
  throw MISMATCH;
}

/** Keywords that only describe (or are checked on input): they change nothing in what is written. */
const DESCRIPTIVE = new Set([
  'type',
  'properties',
  'required',
  'items',
  'description',
  'title',
  'examples',
  'example',
  'default',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'deprecated',
  'readOnly',
  'additionalProperties',
  'hide',
]);

/** Whether `schema` uses only what `projector` handles; TypeBox's symbols (Kind, Optional) are not keys. */
function plain(schema: Schema): boolean {
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return false;
  // A date-time string may be a Date that fast-json-stringify formats: not projected.
  if (schema.format === 'date-time' || schema.format === 'date' || schema.format === 'time') return false;
  return Object.keys(schema).every((key) => DESCRIPTIVE.has(key));
}

/** Checks the generated projections call; each answers its value or throws MISMATCH. */
const CHECKS = {
  S: (v: unknown) => (typeof v === 'string' ? v : mismatch()),
  I: (v: unknown) => (Number.isInteger(v) ? v : mismatch()),
  N: (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : mismatch()),
  B: (v: unknown) => (typeof v === 'boolean' ? v : mismatch()),
  Z: (v: unknown) => (v === null ? v : mismatch()),
  K: (v: unknown, c: unknown) => (v === c ? v : mismatch()),
  E: (v: unknown, allowed: ReadonlySet<unknown>) => (allowed.has(v) ? v : mismatch()),
  O: (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : mismatch()),
  A: (v: unknown, item: Project) => (Array.isArray(v) ? v.map((x) => item(x)) : mismatch()),
};

const PRIMITIVE: Readonly<Record<string, string>> = { string: 'S', integer: 'I', number: 'N', boolean: 'B', null: 'Z' };

/**
 * Generates the projection of `schema` as JavaScript (one function per object schema, property reads by literal
 * name, as fast-json-stringify does), or undefined when the schema uses something not handled here. Property names
 * are written as JSON string literals; constants and enums are passed in, never written into the code.
 */
function generate(schema: Schema): Project | undefined {
  const functions: string[] = [];
  const values: unknown[] = [];

  /** An expression projecting the value of expression `e`, or undefined. */
  function expression(s: Schema, e: string): string | undefined {
    if (!plain(s)) return undefined;
    const type = s.type as string;
    const check = PRIMITIVE[type];
    if (check !== undefined) {
      if (s.const !== undefined) return `K(${e}, values[${values.push(s.const) - 1}])`;
      if (Array.isArray(s.enum)) return `E(${check}(${e}), values[${values.push(new Set<unknown>(s.enum)) - 1}])`;
      return `${check}(${e})`;
    }
    if (type === 'array') {
      const items = s.items as Schema | undefined;
      if (!items || Array.isArray(items)) return undefined;
      const name = `f${functions.length}`;
      functions.push('');
      const body = expression(items, 'v');
      if (body === undefined) return undefined;
      functions[Number(name.slice(1))] = `function ${name}(v) { return ${body}; }`;
      return `A(${e}, ${name})`;
    }
    if (type === 'object') {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      const required = new Set((s.required ?? []) as string[]);
      const index = functions.push('') - 1;
      const lines: string[] = [];
      if ([...required].some((key) => !(key in properties))) return undefined;
      // fast-json-stringify writes the required properties first, then the others, each group in schema order.
      const keys = Object.keys(properties).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
      const allRequired = keys.every((key) => required.has(key));
      for (const key of keys) {
        const sub = properties[key]!;
        const name = JSON.stringify(key);
        // A missing field with a default is written as its default by fast-json-stringify: handed over.
        const handOver = required.has(key) || sub.default !== undefined;
        const value = expression(sub, allRequired ? `v[${name}]` : 'x');
        if (value === undefined) return undefined;
        // A required field that is missing fails its own check (undefined is no string, integer, …).
        lines.push(
          allRequired
            ? `${name}: ${value}`
            : `x = v[${name}]; if (x !== undefined) o[${name}] = ${value};${handOver ? ' else M();' : ''}`,
        );
      }
      functions[index] = allRequired
        ? `function f${index}(v) { O(v); return { ${lines.join(', ')} }; }`
        : `function f${index}(v) { O(v); const o = {}; let x; ${lines.join(' ')} return o; }`;
      return `f${index}(${e})`;
    }
    return undefined;
  }

  const top = expression(schema, 'v');
  if (top === undefined) return undefined;
  const source = `${functions.join('\n')}\nreturn function project(v) { return ${top}; };`;
  const factory = new Function('S', 'I', 'N', 'B', 'Z', 'K', 'E', 'O', 'A', 'M', 'values', source) as (
    ...args: unknown[]
  ) => Project;
  const { S, I, N, B, Z, K, E, O, A } = CHECKS;
  return factory(S, I, N, B, Z, K, E, O, A, mismatch, values);
}

/** Whether the schema holds a list anywhere: the answers where projecting pays. */
function hasArray(schema: Schema): boolean {
  if (schema.type === 'array') return true;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  return Object.values(properties).some(hasArray);
}

/** Items per JSON.stringify call when a long list is written in blocks (see jsonOfLongLists). */
export const LIST_BLOCK = 256;

/**
 * JSON.stringify's text of `value`, as one string when it holds no list longer than LIST_BLOCK items, else as UTF-8
 * bytes written block by block.
 *
 * Why: V8 returns a long JSON.stringify result as a rope of its parts, and Fastify's Content-Length
 * (Buffer.byteLength) then the socket write flatten and encode it: for 10,000 accounts (1.8 MB) that took 18–25 ms,
 * and twice as long when the answer holds any text outside Latin-1 (the default Chinese message), which makes the
 * whole string two-byte. Blocks of LIST_BLOCK items, each stringified and encoded on its own, stay small, and the
 * list's ASCII stays one-byte whatever the message: about 8 ms (`npm run bench:api` prints the serializer's figure).
 * The bytes are JSON.stringify's exactly: the same text, cut where a list's items are separated.
 */
export function jsonOfLongLists(value: unknown): string | Buffer {
  const parts: string[] = [];
  if (!writeBlocks(value, parts)) return JSON.stringify(value);
  const lengths = parts.map((part) => Buffer.byteLength(part));
  const out = Buffer.allocUnsafe(lengths.reduce((sum, n) => sum + n, 0));
  let offset = 0;
  for (let i = 0; i < parts.length; i++) offset += out.write(parts[i]!, offset);
  return out;
}

/**
 * Appends `value`'s JSON text to `parts`, long lists in blocks; answers whether it found a long list (when it did
 * not, `parts` is left as it was). Only objects and long lists are walked: anything else is one JSON.stringify.
 */
function writeBlocks(value: unknown, parts: string[]): boolean {
  if (Array.isArray(value)) {
    if (value.length <= LIST_BLOCK) return false;
    parts.push('[');
    for (let i = 0; i < value.length; i += LIST_BLOCK) {
      const block = JSON.stringify(value.slice(i, i + LIST_BLOCK));
      if (i > 0) parts.push(',');
      parts.push(block.slice(1, -1));
    }
    parts.push(']');
    return true;
  }
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return false;
  }
  const start = parts.length;
  let found = false;
  parts.push('{');
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    // What JSON.stringify leaves out of an object.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    parts.push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    if (writeBlocks(item, parts)) found = true;
    else parts.push(JSON.stringify(item));
  }
  parts.push('}');
  if (!found) parts.length = start;
  return found;
}

/**
 * The serializer of a response schema: projection then JSON.stringify for a schema holding a list and using
 * only plain keywords, falling back to `fastJson` for any value that is not exactly what the schema says;
 * `fastJson` itself for every other schema. An answer holding a long list comes as UTF-8 bytes (jsonOfLongLists).
 */
export function projectingSerializer(schema: unknown, fastJson: (data: unknown) => string): (data: unknown) => string | Buffer {
  if (typeof schema !== 'object' || schema === null || !hasArray(schema as Schema)) return fastJson;
  const project = generate(schema as Schema);
  if (!project) return fastJson;
  return (data) => {
    let projected: unknown;
    try {
      projected = project(data);
    } catch (err) {
      if (err === MISMATCH) return fastJson(data);
      throw err;
    }
    return jsonOfLongLists(projected);
  };
}
