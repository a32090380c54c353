/** The product registry: the lists every module reads, derived from one table, and the rules between its fields. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BALANCE_TYPES,
  DOCUMENTED_TYPES,
  drawsTrafficPackages,
  ENTRY_TYPES,
  EXTRACTION_TYPE,
  HELD_TYPES,
  PACKAGE_TYPES,
  PRODUCT_KINDS,
  productKind,
  productName,
  RESIDENTIAL_POOL_TYPES,
  SOLD_TYPES,
  STATIC_IP_TYPES,
  staticTypeOf,
  SUB_ACCOUNT_TYPES,
  TIME_PACKAGE_TYPES,
  TOP_UP_TYPE,
  TRAFFIC_PACKAGE_TYPES,
  usesTimePackages,
} from './index.js';

describe('product registry', () => {
  it('knows every type the documents number (002 order/list), in order', () => {
    assert.deepEqual(DOCUMENTED_TYPES, [3, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 24, 25, 26, 27, 28]);
    assert.equal(productKind(10), undefined);
    assert.equal(productName(12, 'zh'), '长效IDC流量套餐');
    assert.equal(productName(10, 'en'), '10');
  });

  it('sells exactly the types served end to end, and says what each provisions', () => {
    assert.deepEqual(SOLD_TYPES, [3, 9, 11, 12, 14, 19, 25, 26]);
    assert.deepEqual(TRAFFIC_PACKAGE_TYPES, [9, 12]);
    assert.deepEqual(TIME_PACKAGE_TYPES, [11]);
    assert.deepEqual(PACKAGE_TYPES, [9, 11, 12]);
    assert.deepEqual(STATIC_IP_TYPES, [14, 25]);
    assert.deepEqual(BALANCE_TYPES, [3, 26]);
    assert.equal(productKind(19)?.provisions, 'static-renewal');
    assert.equal(productKind(TOP_UP_TYPE)?.provisions, 'balance');
    for (const kind of PRODUCT_KINDS) assert.equal(kind.sold, kind.provisions !== 'none', `type ${kind.type}`);
  });

  it('gives sub-accounts to the types a gateway entry serves, each limited one way', () => {
    assert.deepEqual(SUB_ACCOUNT_TYPES, [9, 11, 12, 14, 25]);
    assert.deepEqual(ENTRY_TYPES.main, [9, 11, 12]);
    assert.deepEqual(ENTRY_TYPES.static, [14, 25]);
    assert.deepEqual(HELD_TYPES, [9, 11, 12, 14, 25]);
    assert.deepEqual(RESIDENTIAL_POOL_TYPES, [9, 11]);
    assert.equal(productKind(12)?.exits, 'datacenter-pool');
    assert.equal(EXTRACTION_TYPE, 9);
    assert.deepEqual([staticTypeOf(true), staticTypeOf(false)], [25, 14]);
    for (const kind of PRODUCT_KINDS) {
      const has = [kind.entry, kind.exits, kind.limit].map((v) => v !== undefined);
      assert.deepEqual(has, [kind.subAccounts, kind.subAccounts, kind.subAccounts], `type ${kind.type}`);
      // A type with sub-accounts is sold: otherwise its accounts could never draw on anything.
      if (kind.subAccounts) assert.ok(kind.sold, `type ${kind.type}`);
    }
  });

  it('says which types draw bytes from traffic packages and which are limited by time packages', () => {
    assert.deepEqual(
      SUB_ACCOUNT_TYPES.filter((t) => drawsTrafficPackages(t)),
      [9, 12],
    );
    assert.deepEqual(
      SUB_ACCOUNT_TYPES.filter((t) => usesTimePackages(t)),
      [11],
    );
    assert.equal(drawsTrafficPackages(14), false);
    assert.equal(drawsTrafficPackages(3), false);
  });
});
