/**
 * `tollgate products|payments|coupons|gifts …`: the billing catalogue, through the same services the admin
 * API uses. Registered by cli/main.ts, which supplies how to open the platform.
 */
import { type Command, InvalidArgumentError } from 'commander';
import {
  type Coupon,
  type CouponsService,
  couponView,
  type GiftTier,
  type GiftTiersService,
  giftTierView,
  type NewSku,
  type PaymentMethod,
  type PaymentMethodsService,
  paymentMethodView,
  type Product,
  type ProductsService,
  productView,
} from '../billing/catalogue/index.js';
import { moneyText } from '../billing/index.js';
import { BALANCE_TYPES, describeTypes, SOLD_TYPES, TIME_PACKAGE_TYPES, TRAFFIC_PACKAGE_TYPES } from '../products/index.js';
import type { TimeFormatter } from '../time/time-format.js';
import { idParser, table, withOptionErrors } from './arguments.js';

export interface BillingCommandDeps {
  readonly products: ProductsService;
  readonly paymentMethods: PaymentMethodsService;
  readonly coupons: CouponsService;
  readonly giftTiers: GiftTiersService;
  readonly time: TimeFormatter;
}

/** Opens the platform, runs `fn` with the services, closes the platform. */
export type WithBilling = <T>(fn: (deps: BillingCommandDeps) => Promise<T>) => Promise<T>;

const GB = 1024 ** 3;

/** The services' field names as options. */
const OPTION_OF: Record<string, string> = {
  product_type: '--type',
  unit_bytes: '--gb/--bytes',
  unit_days: '--days',
  group_name: '--group-name',
  pay_url: '--pay-url',
  min_fee: '--min-fee',
  max_uses: '--max-uses',
  product_ids: '--products',
  expire_time: '--expires',
};

function optionOf(field: string): string {
  const sku = /^skus\[(\d+)\]\.(\w+)$/.exec(field);
  if (sku) return `--sku #${Number(sku[1]) + 1} ${sku[2]}`;
  return OPTION_OF[field] ?? `--${field.replaceAll('_', '-')}`;
}

function parseInteger(value: string): number {
  if (!/^-?\d{1,9}$/.test(value)) throw new InvalidArgumentError('a whole number');
  return Number(value);
}

const parseId = idParser();

function parseGb(value: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) throw new InvalidArgumentError('a number of GB, may be fractional');
  return Math.round(Number(value) * GB);
}

function parseIds(value: string): number[] {
  const parts = value.split(',').filter((p) => p.trim() !== '');
  return parts.map((p) => parseId(p.trim()));
}

/** `--sku kind:value:price[:title]`, repeatable. */
function collectSku(value: string, previous: NewSku[] = []): NewSku[] {
  const m = /^(bandwidth|concurrency):(\d{1,9}):([^:]+)(?::(.*))?$/.exec(value);
  if (!m) throw new InvalidArgumentError('kind:value:price[:title], kind bandwidth or concurrency, e.g. bandwidth:100:20');
  return [...previous, { kind: m[1] ?? '', value: Number(m[2]), price: m[3] ?? '', title: m[4] }];
}

/** Invalid fields come back as one readable message naming each option. */
function run<T>(open: WithBilling, fn: (deps: BillingCommandDeps) => Promise<T>): Promise<T> {
  return withOptionErrors('invalid', optionOf, () => open(fn));
}

function productLine(p: Product): string {
  const units = [p.unitBytes > 0 ? `${p.unitBytes / GB} GB` : '', p.unitDays > 0 ? `${p.unitDays} days` : '']
    .filter((u) => u !== '')
    .join(', ');
  const flags = [p.enabled ? '' : 'disabled', p.orderable ? '' : 'not orderable'].filter((f) => f !== '').join(', ');
  return `product ${p.id} "${p.title}" (type ${p.productType}, ${moneyText(p.unitPriceCents)} per unit${units ? ` of ${units}` : ''}${p.skus.length > 0 ? `, ${p.skus.length} SKUs` : ''}${flags ? `; ${flags}` : ''})`;
}

function methodLine(m: PaymentMethod): string {
  const bounds = `${moneyText(m.minCents)}-${m.maxCents === 0 ? 'no limit' : moneyText(m.maxCents)}`;
  return `payment method ${m.id} "${m.title}" (${m.kind}, group ${m.group}, ${bounds}${m.disabled ? ', disabled' : ''})`;
}

function couponLine(c: Coupon, time: TimeFormatter): string {
  const off = c.kind === 'percent' ? `${c.discountValue / 100}% off` : `${moneyText(c.discountValue)} off`;
  const uses = `${c.usedCount}/${c.maxUses === 0 ? 'unlimited' : c.maxUses} used`;
  return `coupon ${c.id} ${c.code} (${off}, until ${time.format(c.expiresAt)}, ${uses}${c.enabled ? '' : ', disabled'})`;
}

function tierLine(t: GiftTier): string {
  return `gift tier ${t.id}: from ${moneyText(t.amountCents)} credit ×${t.ratioBp / 10_000}`;
}

interface ProductOptions {
  title?: string;
  type?: number;
  description?: string;
  price?: string;
  gb?: number;
  bytes?: number;
  days?: number;
  sku?: NewSku[];
  disabled?: boolean;
  enable?: boolean;
  json: boolean;
}

function unitBytes(opts: ProductOptions): number | undefined {
  if (opts.gb !== undefined && opts.bytes !== undefined) throw new InvalidArgumentError('give --gb or --bytes, not both');
  return opts.gb ?? opts.bytes;
}

export function registerBillingCommands(
  program: Command,
  open: WithBilling,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): void {
  const products = program.command('products').description('manage the products customers can order (pid)');

  products
    .command('add')
    .description(
      `add a product of a sold type; traffic packages (${TRAFFIC_PACKAGE_TYPES.join(', ')}) need --gb and --days, time packages (${TIME_PACKAGE_TYPES.join(', ')}), static IPs and renewals --days; ${BALANCE_TYPES.join(' and ')} have no price`,
    )
    .requiredOption('--title <title>', 'product name')
    .requiredOption('--type <type>', `product type, one of the sold ones: ${describeTypes(SOLD_TYPES)}`, parseInteger)
    .option('--price <price>', 'unit price, e.g. 12.50')
    .option(
      '--gb <gb>',
      `traffic one unit provisions, GB (1 GB = 1024³ bytes; types ${TRAFFIC_PACKAGE_TYPES.join(', ')})`,
      parseGb,
    )
    .option('--bytes <bytes>', 'traffic one unit provisions, bytes', parseInteger)
    .option('--days <days>', 'days one unit provisions', parseInteger)
    .option('--description <text>', 'description')
    .option('--sku <kind:value:price[:title]>', 'a type-11 option, repeatable: bandwidth:100:20, concurrency:50:10', collectSku)
    .option('--disabled', 'add it disabled', false)
    .option('--json', 'print the product as JSON', false)
    .action(async (opts: ProductOptions) => {
      const product = await run(open, ({ products: service }) =>
        service.add({
          title: opts.title ?? '',
          productType: opts.type ?? 0,
          description: opts.description,
          price: opts.price,
          unitBytes: unitBytes(opts),
          unitDays: opts.days,
          enabled: !opts.disabled,
          skus: opts.sku,
        }),
      );
      print(opts.json ? JSON.stringify(productView(product)) : `added ${productLine(product)}`);
    });

  products
    .command('list')
    .description('list products with their SKUs')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      const list = await run(open, ({ products: service }) => service.list());
      if (opts.json) return print(JSON.stringify(list.map(productView)));
      if (list.length === 0) return print('no products');
      const rows = list.map((p) => ({
        id: String(p.id),
        title: p.title,
        type: String(p.productType),
        price: moneyText(p.unitPriceCents),
        gb: p.unitBytes > 0 ? String(Math.round((p.unitBytes / GB) * 1000) / 1000) : '',
        days: p.unitDays > 0 ? String(p.unitDays) : '',
        skus: p.skus.map((s) => `${s.id}:${s.kind}:${s.value}:${moneyText(s.priceCents)}`).join(' '),
        enabled: p.enabled ? 'yes' : 'no',
        orderable: p.orderable ? 'yes' : 'no',
      }));
      for (const line of table(rows)) print(line);
    });

  products
    .command('update')
    .description('change the given fields of a product')
    .argument('<id>', 'product id', parseId)
    .option('--title <title>', 'product name')
    .option('--type <type>', 'product type', parseInteger)
    .option('--price <price>', 'unit price')
    .option('--gb <gb>', 'traffic one unit provisions, GB', parseGb)
    .option('--bytes <bytes>', 'traffic one unit provisions, bytes', parseInteger)
    .option('--days <days>', 'days one unit provisions', parseInteger)
    .option('--description <text>', 'description')
    .option('--enable', 'enable it')
    .option('--json', 'print the product as JSON', false)
    .action(async (id: number, opts: ProductOptions) => {
      const product = await run(open, ({ products: service }) =>
        service.update(id, {
          title: opts.title,
          productType: opts.type,
          description: opts.description,
          price: opts.price,
          unitBytes: unitBytes(opts),
          unitDays: opts.days,
          enabled: opts.enable ? true : undefined,
        }),
      );
      print(opts.json ? JSON.stringify(productView(product)) : `updated ${productLine(product)}`);
    });

  products
    .command('disable')
    .description('disable a product (kept; no new orders)')
    .argument('<id>', 'product id', parseId)
    .action(async (id: number) => {
      const product = await run(open, ({ products: service }) => service.setEnabled(id, false));
      print(`disabled ${productLine(product)}`);
    });

  const payments = program.command('payments').description('manage payment methods (pm_id)');

  payments
    .command('add')
    .description('add an external (pay URL, signed webhook) or manual (bank transfer) payment method')
    .requiredOption('--kind <kind>', 'external or manual')
    .requiredOption('--title <title>', 'method name')
    .option('--pay-url <url>', 'external: http(s) URL with {trade_no} and optionally {amount}')
    .option('--secret <secret>', 'external: webhook signing secret (default: generated, printed once)')
    .option('--group <group>', 'group identifier (default online for external, offline for manual)')
    .option('--group-name <name>', 'group display name')
    .option('--logo <url>', 'logo URL')
    .option('--min <amount>', 'smallest order amount')
    .option('--max <amount>', 'largest order amount (0: no limit)')
    .option('--sort <n>', 'lower first', parseInteger)
    .option('--disabled', 'add it disabled', false)
    .option('--json', 'print {"payment_method","secret"} as JSON', false)
    .action(
      async (opts: {
        kind: string;
        title: string;
        payUrl?: string;
        secret?: string;
        group?: string;
        groupName?: string;
        logo?: string;
        min?: string;
        max?: string;
        sort?: number;
        disabled: boolean;
        json: boolean;
      }) => {
        const { method, secret } = await run(open, ({ paymentMethods }) =>
          paymentMethods.add({
            kind: opts.kind,
            title: opts.title,
            payUrl: opts.payUrl,
            secret: opts.secret,
            group: opts.group,
            groupName: opts.groupName,
            logo: opts.logo,
            min: opts.min,
            max: opts.max,
            sort: opts.sort,
            disabled: opts.disabled,
          }),
        );
        if (opts.json) return print(JSON.stringify({ payment_method: paymentMethodView(method), secret: secret ?? null }));
        print(`added ${methodLine(method)}`);
        if (secret !== undefined) {
          print(`signing secret: ${secret}`);
          print('(shown only now; `tollgate payments rotate-secret` issues a new one)');
        }
      },
    );

  payments
    .command('list')
    .description('list payment methods, the built-in balance included')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      const list = await run(open, ({ paymentMethods }) => paymentMethods.list());
      if (opts.json) return print(JSON.stringify(list.map(paymentMethodView)));
      const rows = list.map((m) => ({
        id: String(m.id),
        kind: m.kind,
        title: m.title,
        group: m.group,
        min: moneyText(m.minCents),
        max: m.maxCents === 0 ? '-' : moneyText(m.maxCents),
        sort: String(m.sort),
        disabled: m.disabled ? 'yes' : 'no',
        pay_url: m.payUrl,
      }));
      for (const line of table(rows)) print(line);
    });

  payments
    .command('update')
    .description('change the given fields of a payment method')
    .argument('<id>', 'payment method id', parseId)
    .option('--title <title>', 'method name')
    .option('--pay-url <url>', 'pay URL template')
    .option('--group <group>', 'group identifier')
    .option('--group-name <name>', 'group display name')
    .option('--logo <url>', 'logo URL')
    .option('--min <amount>', 'smallest order amount')
    .option('--max <amount>', 'largest order amount (0: no limit)')
    .option('--sort <n>', 'lower first', parseInteger)
    .option('--disable', 'disable it')
    .option('--enable', 'enable it')
    .option('--json', 'print the method as JSON', false)
    .action(
      async (
        id: number,
        opts: {
          title?: string;
          payUrl?: string;
          group?: string;
          groupName?: string;
          logo?: string;
          min?: string;
          max?: string;
          sort?: number;
          disable?: boolean;
          enable?: boolean;
          json: boolean;
        },
      ) => {
        if (opts.disable && opts.enable) throw new InvalidArgumentError('give --disable or --enable, not both');
        const method = await run(open, ({ paymentMethods }) =>
          paymentMethods.update(id, {
            title: opts.title,
            payUrl: opts.payUrl,
            group: opts.group,
            groupName: opts.groupName,
            logo: opts.logo,
            min: opts.min,
            max: opts.max,
            sort: opts.sort,
            disabled: opts.disable ? true : opts.enable ? false : undefined,
          }),
        );
        print(opts.json ? JSON.stringify(paymentMethodView(method)) : `updated ${methodLine(method)}`);
      },
    );

  payments
    .command('rotate-secret')
    .description('issue a new webhook signing secret for an external method; the old one stops at once')
    .argument('<id>', 'payment method id', parseId)
    .option('--secret <secret>', 'the new secret (default: generated)')
    .option('--json', 'print {"payment_method","secret"} as JSON', false)
    .action(async (id: number, opts: { secret?: string; json: boolean }) => {
      const { method, secret } = await run(open, ({ paymentMethods }) => paymentMethods.rotateSecret(id, opts.secret));
      if (opts.json) return print(JSON.stringify({ payment_method: paymentMethodView(method), secret }));
      print(`signing secret of ${methodLine(method)}: ${secret}`);
    });

  const coupons = program.command('coupons').description('manage coupons (coupon_sn)');

  coupons
    .command('add')
    .description('add a coupon')
    .requiredOption('--code <code>', 'the code customers give (letters, digits, _ and -; case-sensitive)')
    .requiredOption('--kind <kind>', 'percent or amount')
    .requiredOption('--discount <d>', 'percent: percent off (10 = 10 %); amount: money off')
    .requiredOption('--expires <time>', 'Y-m-d H:i:s in the platform time zone, or ISO 8601 with a zone')
    .option('--name <name>', 'name')
    .option('--min-fee <amount>', 'smallest order total it applies to')
    .option('--products <ids>', 'product ids it applies to, comma-separated (default: all)', parseIds)
    .option('--max-uses <n>', 'how many orders may use it (0: unlimited)', parseInteger)
    .option('--json', 'print the coupon as JSON', false)
    .action(
      async (opts: {
        code: string;
        kind: string;
        discount: string;
        expires: string;
        name?: string;
        minFee?: string;
        products?: number[];
        maxUses?: number;
        json: boolean;
      }) => {
        const { coupon, time } = await run(open, async ({ coupons: service, time: tz }) => {
          const expiresAt = parseTime(opts.expires, tz);
          return {
            coupon: await service.add({
              code: opts.code,
              kind: opts.kind,
              discount: opts.discount,
              expiresAt,
              name: opts.name,
              minFee: opts.minFee,
              productIds: opts.products,
              maxUses: opts.maxUses,
            }),
            time: tz,
          };
        });
        print(opts.json ? JSON.stringify(couponView(coupon)) : `added ${couponLine(coupon, time)}`);
      },
    );

  coupons
    .command('list')
    .description('list coupons')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      const { list, time } = await run(open, async ({ coupons: service, time: tz }) => ({
        list: await service.list(),
        time: tz,
      }));
      if (opts.json) return print(JSON.stringify(list.map(couponView)));
      if (list.length === 0) return print('no coupons');
      const rows = list.map((c) => ({
        id: String(c.id),
        code: c.code,
        discount: c.kind === 'percent' ? `${c.discountValue / 100}%` : moneyText(c.discountValue),
        expires: time.format(c.expiresAt),
        min_fee: moneyText(c.minFeeCents),
        products: c.productIds.join(',') || 'all',
        used: `${c.usedCount}/${c.maxUses === 0 ? '-' : c.maxUses}`,
        enabled: c.enabled ? 'yes' : 'no',
      }));
      for (const line of table(rows)) print(line);
    });

  coupons
    .command('disable')
    .description('disable a coupon (orders no longer accept it)')
    .argument('<id>', 'coupon id', parseId)
    .action(async (id: number) => {
      const { coupon, time } = await run(open, async ({ coupons: service, time: tz }) => ({
        coupon: await service.setEnabled(id, false),
        time: tz,
      }));
      print(`disabled ${couponLine(coupon, time)}`);
    });

  const gifts = program.command('gifts').description('manage balance top-up gift tiers');

  gifts
    .command('add')
    .description('add a tier: top-ups from --amount are credited × --ratio')
    .requiredOption('--amount <amount>', 'top-up amount from which it applies')
    .requiredOption('--ratio <ratio>', 'credit ratio, e.g. 1.2')
    .option('--json', 'print the tier as JSON', false)
    .action(async (opts: { amount: string; ratio: string; json: boolean }) => {
      const tier = await run(open, ({ giftTiers }) => giftTiers.add({ amount: opts.amount, ratio: opts.ratio }));
      print(opts.json ? JSON.stringify(giftTierView(tier)) : `added ${tierLine(tier)}`);
    });

  gifts
    .command('list')
    .description('list the tiers by amount')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      const list = await run(open, ({ giftTiers }) => giftTiers.list());
      if (opts.json) return print(JSON.stringify(list.map(giftTierView)));
      if (list.length === 0) return print('no gift tiers');
      for (const t of list) print(tierLine(t));
    });

  gifts
    .command('remove')
    .description('remove a tier')
    .argument('<id>', 'tier id', parseId)
    .action(async (id: number) => {
      await run(open, ({ giftTiers }) => giftTiers.remove(id));
      print(`removed gift tier ${id}`);
    });
}

/** `Y-m-d H:i:s` in the platform time zone, or ISO 8601 with a zone. */
function parseTime(text: string, time: TimeFormatter): number {
  let ms: number | undefined;
  if (/[Tt].*([Zz]|[+-]\d{2}:?\d{2})$/.test(text.trim())) {
    const parsed = Date.parse(text);
    ms = Number.isNaN(parsed) ? undefined : parsed;
  } else ms = time.parse(text);
  if (ms === undefined) throw new InvalidArgumentError('--expires: Y-m-d H:i:s, or ISO 8601 with a zone');
  return ms;
}
