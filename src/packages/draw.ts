/**
 * Drawing relayed traffic from a user's packages: the valid ones (validAt), the one expiring first first. Bytes
 * no valid package can hold (relayed after the packages ran out, before the tunnels were cut: the bounded
 * overshoot) go to the package that started and expires last, so every billed byte lands on some package and the
 * packages' used bytes sum to what was relayed.
 */
import type { PackagesRepository } from './packages.repository.js';

/**
 * Adds `bytes` to the user's packages of `productType` at `now`, through `repo` (bound to the caller's
 * transaction; with `lockRows` the valid packages are locked until it ends). Returns the bytes no package could
 * take because the user has none at all (the caller reports them).
 */
export async function drawTraffic(
  repo: PackagesRepository,
  userId: number,
  productType: number,
  bytes: number,
  now: number,
  lockRows: boolean,
): Promise<number> {
  const valid = await repo.valid(userId, productType, now, lockRows);
  let left = bytes;
  const draws = new Map<number, number>();
  for (const pkg of valid) {
    if (left === 0) break;
    const take = Math.min(left, Math.max(0, pkg.totalBytes - pkg.usedBytes));
    if (take > 0) draws.set(pkg.id, take);
    left -= take;
  }
  if (left > 0) {
    const target = valid.at(-1)?.id ?? (await repo.overshootTarget(userId, productType, now));
    if (target === undefined) return left;
    draws.set(target, (draws.get(target) ?? 0) + left);
  }
  for (const [id, take] of draws) await repo.draw(id, take, now);
  return 0;
}
