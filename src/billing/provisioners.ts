/** The provisioner registry: what a paid order of each product type gives, and how a refund takes it back. */
import type { PackagesService } from '../packages/index.js';
import type { StaticIpsService } from '../static-ips/index.js';
import type { Provisioner, ProvisionerRegistry } from './billing.types.js';
import { balanceProvisioners } from './provision-balance.js';
import { packageProvisioners } from './provision-packages.js';
import { staticProvisioners } from './provision-static.js';

export interface ProvisionerDeps {
  readonly packages: PackagesService;
  readonly staticIps: StaticIpsService;
}

/** Types 3 and 26 (balance), 9, 11 and 12 (packages), 14, 19 and 25 (static IPs). */
export function buildProvisioners(deps: ProvisionerDeps): ProvisionerRegistry {
  const registry = new Map<number, Provisioner>();
  for (const part of [balanceProvisioners(), packageProvisioners(deps), staticProvisioners(deps)]) {
    for (const [type, provisioner] of part) {
      if (registry.has(type)) throw new Error(`two provisioners for product type ${type}`);
      registry.set(type, provisioner);
    }
  }
  return registry;
}
