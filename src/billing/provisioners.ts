/** The provisioner registry: what a paid order of each product type gives, and how a refund takes it back. */
import type { PackagesService } from '../packages/index.js';
import { SOLD_TYPES } from '../products/index.js';
import type { StaticIpsService } from '../static-ips/index.js';
import type { Provisioner, ProvisionerRegistry } from './billing.types.js';
import { balanceProvisioners } from './provision-balance.js';
import { packageProvisioners } from './provision-packages.js';
import { staticProvisioners } from './provision-static.js';

export interface ProvisionerDeps {
  readonly packages: PackagesService;
  readonly staticIps: StaticIpsService;
}

/** Every type the product registry sells: balance (3, 26), packages (9, 11, 12), static IPs and renewals (14, 19, 25). */
export function buildProvisioners(deps: ProvisionerDeps): ProvisionerRegistry {
  const registry = new Map<number, Provisioner>();
  for (const part of [balanceProvisioners(), packageProvisioners(deps), staticProvisioners(deps)]) {
    for (const [type, provisioner] of part) {
      if (registry.has(type)) throw new Error(`two provisioners for product type ${type}`);
      registry.set(type, provisioner);
    }
  }
  // A type sold without a provisioner would take money and give nothing: refuse to start.
  const missing = SOLD_TYPES.filter((type) => !registry.has(type));
  if (missing.length > 0) throw new Error(`no provisioner for the sold product types ${missing.join(', ')}`);
  return registry;
}
