/**
 * `tollgate orders …`: the operator's view of orders, confirming manual payments and refunding, through the
 * same PaymentsService the admin API uses. Registered by cli/main.ts, which supplies how to open the platform.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { adminOrderView, type PaymentsService } from '../billing/payments/index.js';
import { moneyText } from '../billing/index.js';
import type { OrderRow } from '../storage/index.js';
import { idParser, table } from './arguments.js';

export interface OrderCommandDeps {
  readonly payments: PaymentsService;
}

/** Opens the platform, runs `fn` with the services, closes the platform. */
export type WithOrders = <T>(fn: (deps: OrderCommandDeps) => Promise<T>) => Promise<T>;

const STATUS_NAMES = ['pending', 'paid', 'closed', 'refunded'];

const parseId = idParser();

function parsePositive(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError('a positive integer');
  return Number(value);
}

function parseStatus(value: string): number {
  const byName = STATUS_NAMES.indexOf(value);
  if (byName >= 0) return byName;
  if (/^[0-3]$/.test(value)) return Number(value);
  throw new InvalidArgumentError('0-3 or pending, paid, closed, refunded');
}

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function statusName(status: number): string {
  return STATUS_NAMES[status] ?? String(status);
}

function summary(o: OrderRow): string {
  return `order ${o.id} ${o.trade_no} (user ${o.user_id}, type ${o.product_type} ${o.product_name}, pay ${moneyText(Number(o.pay_fee_cents))}): ${statusName(o.status)}`;
}

export function registerOrderCommands(
  program: Command,
  open: WithOrders,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const cmd = program.command('orders').description('orders: list them, confirm manual payments, refund');

  cmd
    .command('list')
    .description('list orders, newest first')
    .option('--user <id>', 'only this user’s orders', parseId)
    .option('--status <status>', '0 pending, 1 paid, 2 closed, 3 refunded (or the names)', parseStatus)
    .option('--trade-no <no>', 'only this order number')
    .option('--page <n>', 'page, from 1', parsePositive, 1)
    .option('--size <n>', 'orders per page (at most 200)', parsePositive, 50)
    .option('--json', 'print {"list","total_count"} as JSON', false)
    .action(async (opts: { user?: number; status?: number; tradeNo?: string; page: number; size: number; json: boolean }) => {
      const page = await open(({ payments }) =>
        payments.listOrders({ userId: opts.user, status: opts.status, tradeNo: opts.tradeNo, page: opts.page, size: opts.size }),
      );
      if (opts.json) return print(JSON.stringify({ list: page.items.map(adminOrderView), total_count: page.total }));
      if (page.items.length === 0) return print('no orders');
      const rows = page.items.map((o) => ({
        id: String(o.id),
        trade_no: o.trade_no,
        user: String(o.user_id),
        type: String(o.product_type),
        product: o.product_name,
        pay_fee: moneyText(Number(o.pay_fee_cents)),
        pm: String(o.pm_id),
        status: statusName(o.status),
        created: iso(Number(o.created_at)),
        paid: iso(o.paid_at),
      }));
      for (const line of table(rows)) print(line);
      print(`${page.items.length} of ${page.total} (page ${page.page})`);
    });

  cmd
    .command('mark-paid')
    .description('confirm the payment of a pending order of a manual method (e.g. a bank transfer) and provision it')
    .argument('<id>', 'order id', parseId)
    .option('--json', 'print the order as JSON', false)
    .action(async (id: number, opts: { json: boolean }) => {
      const order = await open(({ payments }) => payments.markPaid(id));
      print(opts.json ? JSON.stringify(adminOrderView(order)) : `marked paid: ${summary(order)}`);
    });

  cmd
    .command('refund')
    .description('refund a paid order: take back what it provisioned, credit a balance payment back')
    .argument('<id>', 'order id', parseId)
    .option('--json', 'print the order as JSON', false)
    .action(async (id: number, opts: { json: boolean }) => {
      const order = await open(({ payments }) => payments.refund(id));
      print(opts.json ? JSON.stringify(adminOrderView(order)) : `refunded: ${summary(order)}`);
    });

  return cmd;
}
