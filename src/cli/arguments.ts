/**
 * What every `tollgate` command group shares: option parsers, the listing
 * table, and turning a service's field errors into one message that names
 * the command-line options.
 */
import { InvalidArgumentError } from 'commander';
import stringWidth from 'string-width';
import { AppError } from '../errors/index.js';

/** A whole number 0-999,999,999 (counts, days, ports before range checks). */
export function parseWholeNumber(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('an integer (a whole number)');
  return Number(value);
}

/** A parser for ids of `what` ("node", "package"; undefined: any id). */
export function idParser(what?: string): (value: string) => number {
  return (value) => {
    if (!/^[1-9]\d{0,14}$/.test(value)) throw new InvalidArgumentError(`not ${what ? `a ${what}` : 'an'} id: ${value}`);
    return Number(value);
  };
}

/** Rows of equal keys as aligned text columns, the header first. Widths are terminal columns: 余额 takes 4. */
export function table(rows: ReadonlyArray<Record<string, string>>): string[] {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((c) => Math.max(stringWidth(c), ...rows.map((r) => stringWidth(r[c] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell + ' '.repeat(Math.max(0, widths[i]! - stringWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))];
}

/**
 * Runs `fn`; a TG_ERR_PARAM_INVALID with field errors comes back as one InvalidArgumentError naming each
 * option (`label: --days must be …; --trade-no …`), so commander prints it as a usage error.
 */
export async function withOptionErrors<T>(label: string, optionOf: (field: string) => string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && err.key === 'TG_ERR_PARAM_INVALID' && err.errors) {
      throw new InvalidArgumentError(
        `${label}: ${Object.entries(err.errors)
          .map(([field, reason]) => `${optionOf(field)} ${reason}`)
          .join('; ')}`,
      );
    }
    throw err;
  }
}
