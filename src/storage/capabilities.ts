import { type RawBuilder, sql } from 'kysely';

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
  /**
   * An aggregate that turns the selected rows into one JSON text `[[col, …], …]`,
   * ordered by `orderBy`, built inside the database. Drivers cost ~0.5 µs per
   * value to hand rows to JavaScript; for listings of thousands of rows the
   * database's JSON builder and one JSON.parse are 2-3× faster.
   */
  jsonArrayRows(columns: readonly string[], orderBy: string): RawBuilder<string>;
  /**
   * Whether `SELECT … FOR UPDATE` exists. PostgreSQL needs it to serialize read-modify-write between
   * concurrent writers; SQLite has no row locks and needs none (one writer at a time per database).
   */
  readonly rowLocks: boolean;
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
  // json_group_array(... ORDER BY ...) needs SQLite ≥ 3.44; better-sqlite3 bundles a newer one. Zero rows give '[]'.
  jsonArrayRows: (columns, orderBy) =>
    sql<string>`json_group_array(json_array(${sql.join(columns.map((c) => sql.ref(c)))}) order by ${sql.ref(orderBy)})`,
  rowLocks: false,
};

export const postgresCapabilities: DialectCapabilities = {
  dialect: 'postgres',
  // The wire protocol counts parameters in an Int16.
  maxBindParameters: 65_000,
  isUniqueViolation: (err) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505',
  // json_agg gives NULL over zero rows.
  jsonArrayRows: (columns, orderBy) =>
    sql<string>`coalesce(json_agg(json_build_array(${sql.join(columns.map((c) => sql.ref(c)))}) order by ${sql.ref(orderBy)}), '[]'::json)::text`,
  rowLocks: true,
};

/** Split rows so that no statement exceeds the dialect's parameter limit. */
export function chunkRows<T>(rows: readonly T[], columnsPerRow: number, caps: DialectCapabilities): T[][] {
  const size = Math.max(1, Math.floor(caps.maxBindParameters / columnsPerRow));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
