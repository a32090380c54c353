/**
 * `tollgate nodes …`: the exit pool's nodes, through the same NodesService the
 * admin API uses. Registered by cli/main.ts, which supplies how to open the
 * platform.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { type ExitNode, type NodesService, nodeView } from '../pool/index.js';
import { idParser, parseWholeNumber, table, withOptionErrors } from './arguments.js';

/** Opens the platform, runs `fn` with its NodesService, closes the platform. */
export type WithNodes = <T>(fn: (nodes: NodesService) => Promise<T>) => Promise<T>;

const URL_HELP = 'direct://, direct://LOCAL_IP, http://[user:pass@]host:port or socks5://[user:pass@]host:port';

interface FieldOptions {
  url?: string;
  country?: string;
  state?: string;
  city?: string;
  types?: number[];
  weight?: number;
  json: boolean;
}

function parseTypes(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new InvalidArgumentError('comma-separated product types, e.g. 9,11');
  return parts.map(Number);
}

const parseInteger = parseWholeNumber;

const parseId = idParser('node');

function summary(node: ExitNode): string {
  const place = [node.country, node.state, node.city].filter((p) => p !== '').join('/');
  return `node ${node.id} ${node.urlDisplay} (${place}, types ${node.productTypes.join(',')}, weight ${node.weight}${node.enabled ? '' : ', disabled'})`;
}

/** Invalid fields come back as one readable message naming each. */
function run<T>(open: WithNodes, fn: (nodes: NodesService) => Promise<T>): Promise<T> {
  return withOptionErrors(
    'invalid node',
    (field) => `--${field}`,
    () => open(fn),
  );
}

function withFieldOptions(command: Command, required: boolean): Command {
  return command
    .addOption(command.createOption('--url <url>', URL_HELP).makeOptionMandatory(required))
    .addOption(command.createOption('--country <code>', 'ISO 3166-1 alpha-2 country code, e.g. US').makeOptionMandatory(required))
    .option('--state <state>', 'state or region: letters, digits, _')
    .option('--city <city>', 'city: letters, digits, _')
    .option('--types <list>', 'product types served, comma-separated, e.g. 9,11 (default 9)', parseTypes)
    .option('--weight <n>', 'share of new connections, 1-1000 (default 1)', parseInteger)
    .option('--json', 'print the node as JSON', false);
}

export function registerNodeCommands(
  program: Command,
  open: WithNodes,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const nodes = program.command('nodes').description('manage exit nodes: where the gateway’s traffic leaves');
  const show = (node: ExitNode, json: boolean, verb: string) =>
    print(json ? JSON.stringify(nodeView(node)) : `${verb} ${summary(node)}`);

  withFieldOptions(nodes.command('add').description('add an exit node'), true)
    .option('--disabled', 'add it disabled', false)
    .action(async (opts: FieldOptions & { disabled: boolean }) => {
      const node = await run(open, (s) =>
        s.add({
          url: opts.url ?? '',
          country: opts.country ?? '',
          state: opts.state,
          city: opts.city,
          types: opts.types,
          weight: opts.weight,
          enabled: !opts.disabled,
        }),
      );
      show(node, opts.json, 'added');
    });

  withFieldOptions(
    nodes.command('update').description('change the given fields of an exit node').argument('<id>', 'node id', parseId),
    false,
  ).action(async (id: number, opts: FieldOptions) => {
    const node = await run(open, (s) =>
      s.update(id, {
        url: opts.url,
        country: opts.country,
        state: opts.state,
        city: opts.city,
        types: opts.types,
        weight: opts.weight,
      }),
    );
    show(node, opts.json, 'updated');
  });

  nodes
    .command('list')
    .description('list exit nodes (URLs with passwords masked)')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      const list = await run(open, (s) => s.list());
      if (opts.json) return print(JSON.stringify(list.map((n) => nodeView(n))));
      if (list.length === 0) return print('no exit nodes');
      const rows = list.map((n) => ({
        id: String(n.id),
        url: n.urlDisplay,
        country: n.country,
        state: n.state,
        city: n.city,
        types: n.productTypes.join(','),
        weight: String(n.weight),
        enabled: n.enabled ? 'yes' : 'no',
      }));
      for (const line of table(rows)) print(line);
    });

  nodes
    .command('remove')
    .description('remove an exit node')
    .argument('<id>', 'node id', parseId)
    .action(async (id: number) => {
      await run(open, (s) => s.remove(id));
      print(`removed node ${id}`);
    });

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    nodes
      .command(name)
      .description(enabled ? 'put an exit node back into the selection' : 'take an exit node out of the selection (kept)')
      .argument('<id>', 'node id', parseId)
      .option('--json', 'print the node as JSON', false)
      .action(async (id: number, opts: { json: boolean }) => {
        const node = await run(open, (s) => s.setEnabled(id, enabled));
        show(node, opts.json, enabled ? 'enabled' : 'disabled');
      });
  }

  return nodes;
}
