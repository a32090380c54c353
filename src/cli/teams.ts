/**
 * `tollgate teams …` (teams and their members) and `tollgate keys …` (users' API keys), through the same
 * services the admin and customer APIs use. Members are named by email.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { type ApiKeysService, maskedKey, type UsersService } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import { TEAM_PERMISSIONS, type Team, type TeamsService } from '../teams/index.js';
import { idParser, table, withOptionErrors } from './arguments.js';

export interface TeamCommandDeps {
  readonly teams: TeamsService;
  readonly users: UsersService;
  readonly apiKeys: ApiKeysService;
}

export type WithTeams = <T>(fn: (deps: TeamCommandDeps) => Promise<T>) => Promise<T>;

type Print = (line: string) => void;

/** `manage_accounts,pay` → the list, each checked. "none" or "" grants nothing beyond reading. */
function parsePermissions(value: string): string[] {
  if (value.trim() === '' || value.trim() === 'none') return [];
  const list = value.split(',').map((p) => p.trim());
  const unknown = list.filter((p) => !(TEAM_PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`unknown permission(s) ${unknown.join(', ')}; known: ${TEAM_PERMISSIONS.join(', ')}`);
  return list;
}

async function userId(users: UsersService, email: string): Promise<number> {
  const user = await users.findByEmail(email);
  if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
  return user.id;
}

async function show(deps: TeamCommandDeps, team: Team, json: boolean, print: Print): Promise<void> {
  const members = await deps.teams.members(team.publicId);
  const balance = (await deps.teams.balanceCents(team)) / 100;
  if (json) {
    print(
      JSON.stringify({
        team_id: team.publicId,
        name: team.name,
        status: team.status,
        space_user_id: team.backingUserId,
        balance,
        members: members.map((m) => ({ user_id: m.userId, email: m.email, role: m.role, permissions: m.permissions })),
      }),
    );
    return;
  }
  print(`team ${team.publicId} “${team.name}” ${team.status === 1 ? 'active' : 'DISABLED'}, wallet ${balance.toFixed(2)}`);
  print(`space: user ${team.backingUserId} (owns the team’s resources; its caps: /admin/users/${team.backingUserId}/limits)`);
  for (const line of table(
    members.map((m) => ({ email: m.email, role: m.role, permissions: m.permissions.join(',') || '(read only)' })),
  ))
    print(line);
}

export function registerTeamCommands(
  program: Command,
  open: WithTeams,
  print: Print = (l) => process.stdout.write(`${l}\n`),
): Command {
  const teams = program.command('teams').description('manage teams: members share accounts, packages, a wallet');
  const perms = `comma-separated: ${TEAM_PERMISSIONS.join(', ')}, or none (reading needs no permission)`;

  teams
    .command('create')
    .description('create a team owned by a user')
    .requiredOption('--owner <email>', 'the owner’s email')
    .requiredOption('--name <name>', 'the team’s name')
    .option('--id <team_id>', 'a public id to use (6-12 letters and digits, a letter first); generated when absent')
    .option('--json', 'print the team as JSON', false)
    .action(async (opts: { owner: string; name: string; id?: string; json: boolean }) => {
      await withOptionErrors(
        'invalid team',
        (f) => (f === 'team_id' ? '--id' : `--${f}`),
        () =>
          open(async (deps) => {
            const team = await deps.teams.create({
              ownerUserId: await userId(deps.users, opts.owner),
              name: opts.name,
              publicId: opts.id,
            });
            await show(deps, team, opts.json, print);
          }),
      );
    });

  teams
    .command('list')
    .description('list teams')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      await open(async (deps) => {
        const all: Team[] = [];
        for (let page = 1; ; page++) {
          const { items } = await deps.teams.list(page, 100);
          all.push(...items);
          if (items.length < 100) break;
        }
        const rows = [];
        for (const t of all) {
          rows.push({ team_id: t.publicId, name: t.name, status: t.status, members: await deps.teams.countMembers(t.id) });
        }
        if (opts.json) return print(JSON.stringify(rows));
        if (rows.length === 0) return print('no teams');
        for (const line of table(
          rows.map((r) => ({ ...r, status: r.status === 1 ? 'active' : 'disabled', members: String(r.members) })),
        ))
          print(line);
      });
    });

  teams
    .command('show')
    .description('show a team and its members')
    .argument('<team_id>', 'the team')
    .option('--json', 'print as JSON', false)
    .action(async (id: string, opts: { json: boolean }) => {
      await open(async (deps) => show(deps, await deps.teams.get(id), opts.json, print));
    });

  teams
    .command('add-member')
    .description('add a user to a team')
    .argument('<team_id>', 'the team')
    .argument('<email>', 'the user’s email')
    .option('--permissions <list>', perms, parsePermissions, [])
    .action(async (id: string, email: string, opts: { permissions: string[] }) => {
      await open(async (deps) => {
        await deps.teams.addMember(id, await userId(deps.users, email), opts.permissions);
        await show(deps, await deps.teams.get(id), false, print);
      });
    });

  teams
    .command('set-permissions')
    .description('replace a member’s permissions')
    .argument('<team_id>', 'the team')
    .argument('<email>', 'the member’s email')
    .requiredOption('--permissions <list>', perms, parsePermissions)
    .action(async (id: string, email: string, opts: { permissions: string[] }) => {
      await open(async (deps) => {
        await deps.teams.setPermissions(id, await userId(deps.users, email), opts.permissions);
        await show(deps, await deps.teams.get(id), false, print);
      });
    });

  teams
    .command('remove-member')
    .description('remove a member from a team')
    .argument('<team_id>', 'the team')
    .argument('<email>', 'the member’s email')
    .action(async (id: string, email: string) => {
      await open(async (deps) => {
        await deps.teams.removeMember(id, await userId(deps.users, email));
        await show(deps, await deps.teams.get(id), false, print);
      });
    });

  teams
    .command('transfer')
    .description('make a member the owner (the previous owner stays, with every permission)')
    .argument('<team_id>', 'the team')
    .argument('<email>', 'the new owner: a member')
    .action(async (id: string, email: string) => {
      await open(async (deps) =>
        show(deps, await deps.teams.transferOwnership(id, await userId(deps.users, email)), false, print),
      );
    });

  teams
    .command('rename')
    .description('rename a team')
    .argument('<team_id>', 'the team')
    .argument('<name>', 'the new name')
    .action(async (id: string, name: string) => {
      await open(async (deps) => show(deps, await deps.teams.rename(id, name), false, print));
    });

  for (const [verb, active] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    teams
      .command(verb)
      .description(
        active
          ? 'enable a disabled team'
          : 'disable a team: members cannot act for it and its proxy accounts stop at the gateway',
      )
      .argument('<team_id>', 'the team')
      .action(async (id: string) => {
        await open(async (deps) => show(deps, await deps.teams.setActive(id, active), false, print));
      });
  }
  return teams;
}

export function registerKeyCommands(
  program: Command,
  open: WithTeams,
  print: Print = (l) => process.stdout.write(`${l}\n`),
): Command {
  const keys = program.command('keys').description('manage users’ API keys (they authenticate like app_key)');

  keys
    .command('list')
    .description('list a user’s active API keys, masked')
    .argument('<email>', 'the user’s email')
    .option('--json', 'print a JSON array', false)
    .action(async (email: string, opts: { json: boolean }) => {
      await open(async (deps) => {
        const list = await deps.apiKeys.listForUser(await userId(deps.users, email));
        const rows = [];
        for (const k of list) {
          rows.push({
            id: k.id,
            name: k.name,
            key: maskedKey(k.last4),
            team_id: k.teamId === null ? '' : (await deps.teams.byId(k.teamId)).publicId,
            created_at: new Date(k.createdAt).toISOString(),
            last_used_at: k.lastUsedAt === null ? '' : new Date(k.lastUsedAt).toISOString(),
          });
        }
        if (opts.json) return print(JSON.stringify(rows));
        if (rows.length === 0) return print('no API keys');
        for (const line of table(rows.map((r) => ({ ...r, id: String(r.id) })))) print(line);
      });
    });

  keys
    .command('create')
    .description('create an API key for a user and print it (shown only once)')
    .argument('<email>', 'the user’s email')
    .option('--name <name>', 'a name for the key', '')
    .option('--team <team_id>', 'bind the key to a team the user is a member of: it acts for that team only')
    .option('--json', 'print {"id","key","team_id"} as JSON', false)
    .action(async (email: string, opts: { name: string; team?: string; json: boolean }) => {
      await open(async (deps) => {
        const id = await userId(deps.users, email);
        const membership = opts.team === undefined ? undefined : await deps.teams.resolve(opts.team, id);
        const { apiKey, key } = await deps.apiKeys.create({ userId: id, teamId: membership?.team.id ?? null, name: opts.name });
        const teamId = membership?.team.publicId ?? '';
        if (opts.json) print(JSON.stringify({ id: apiKey.id, key, team_id: teamId }));
        else {
          print(`API key ${apiKey.id}${teamId ? ` (team ${teamId})` : ''}: ${key}`);
          print('(shown only now; send it as app_key)');
        }
      });
    });

  keys
    .command('revoke')
    .description('revoke an API key by id: it stops working at once')
    .argument('<id>', 'the key id (tollgate keys list)', idParser('key'))
    .action(async (id: number) => {
      await open(async (deps) => {
        await deps.apiKeys.revokeById(id);
        print(`API key ${id} revoked`);
      });
    });
  return keys;
}
