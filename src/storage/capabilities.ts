/**
 * What differs between the dialects, declared once. Repositories ask these
 * questions instead of branching on a dialect name.
 */
export interface DialectCapabilities {
  readonly dialect: 'sqlite' | 'postgres';
  /** Most bind parameters one statement may carry; bulk writes chunk below it. */
  readonly maxBindParameters: number;
  /** True when `err` is a unique-constraint violation. */
  isUniqueViolation(err: unknown): boolean;
}

export const sqliteCapabilities: DialectCapabilities = {
  dialect: 'sqlite',
  // SQLite ≥ 3.32 allows 32,766 variables per statement.
  maxBindParameters: 32_000,
  isUniqueViolation: (err) =>
    typeof err === 'object' &&
    err !== null &&
    ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' ||
      (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
};

export const postgresCapabilities: DialectCapabilities = {
  dialect: 'postgres',
  // The wire protocol counts parameters in an Int16.
  maxBindParameters: 65_000,
  isUniqueViolation: (err) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505',
};

/** Split rows so that no statement exceeds the dialect's parameter limit. */
export function chunkRows<T>(rows: readonly T[], columnsPerRow: number, caps: DialectCapabilities): T[][] {
  const size = Math.max(1, Math.floor(caps.maxBindParameters / columnsPerRow));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
