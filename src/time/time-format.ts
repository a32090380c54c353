/**
 * `Y-m-d H:i:s` in the configured time zone, the documents' time format.
 * Intl formatting costs ~3 µs a call, too much for a 10,000-row list, so the
 * zone's UTC offset is looked up once per 15-minute slot (every real zone
 * changes offset on a quarter hour) and the fields are computed from it.
 */
export class TimeFormatter {
  /** Made on first use: the first time-zone-aware Intl object of a process loads ICU's zone data (tens of ms). */
  #partsFormat: Intl.DateTimeFormat | undefined;
  readonly #offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {}

  get #parts(): Intl.DateTimeFormat {
    this.#partsFormat ??= new Intl.DateTimeFormat('en-US', {
      timeZone: this.timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    return this.#partsFormat;
  }

  /** Offset of the zone from UTC at `ms`, in milliseconds. */
  offsetAt(ms: number): number {
    const slot = Math.floor(ms / 900_000);
    let offset = this.#offsets.get(slot);
    if (offset === undefined) {
      const at = slot * 900_000;
      const p: Record<string, number> = {};
      for (const part of this.#parts.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
      offset = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0) - at;
      if (this.#offsets.size > 10_000) this.#offsets.clear();
      this.#offsets.set(slot, offset);
    }
    return offset;
  }

  /** Epoch ms of the start of the local clock hour containing `ms` (for +05:45 zones, the hour starting at :00 local time). */
  hourStart(ms: number): number {
    const offset = this.offsetAt(ms);
    return Math.floor((ms + offset) / 3_600_000) * 3_600_000 - offset;
  }

  /** Epoch ms of the local midnight that starts the day containing `ms` (in a DST gap at midnight, the day's first instant). */
  dayStart(ms: number): number {
    const offset = this.offsetAt(ms);
    return this.#localToEpoch(Math.floor((ms + offset) / 86_400_000) * 86_400_000);
  }

  /** Epoch ms of the next local midnight after `ms`: when the day containing `ms` ends. Always later than `ms`. */
  nextDayStart(ms: number): number {
    const offset = this.offsetAt(ms);
    const next = this.#localToEpoch(Math.floor((ms + offset) / 86_400_000) * 86_400_000 + 86_400_000);
    // A transition of a whole day (Samoa, 2011) can put that wall-clock midnight before `ms`: take the one after.
    return next > ms ? next : this.nextDayStart(ms + 86_400_000);
  }

  /**
   * Epoch ms of a wall-clock time in the zone, given as if it were UTC (two rounds settle the offset); in an
   * overlap the first occurrence. A time in a gap (São Paulo's midnight on a DST start, Apia's skipped day) does
   * not exist: then the first instant whose wall clock is at or past it, i.e. the transition.
   */
  #localToEpoch(wall: number): number {
    let guess = wall - this.offsetAt(wall);
    guess = wall - this.offsetAt(guess);
    if (guess + this.offsetAt(guess) >= wall) return guess;
    let lo = guess;
    let hi = guess + 2 * 86_400_000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (mid + this.offsetAt(mid) >= wall) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** The local day of `ms`: `2022-05-13`. */
  day(ms: number): string {
    return this.format(ms).slice(0, 10);
  }

  /**
   * Reads `Y-m-d H:i:s` (or `Y-m-d`, or with minutes only) as local time in the zone; undefined if malformed or not a real
   * date. In a DST gap the earlier offset applies; in an overlap, the first occurrence.
   */
  parse(text: string): number | undefined {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
    if (!m) return undefined;
    const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as number[];
    const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!);
    const check = new Date(wall);
    if (
      check.getUTCFullYear() !== y ||
      check.getUTCMonth() !== mo! - 1 ||
      check.getUTCDate() !== d ||
      h! > 23 ||
      mi! > 59 ||
      se! > 59
    ) {
      return undefined;
    }
    // Two rounds settle the offset, including around a transition.
    let guess = wall - this.offsetAt(wall);
    guess = wall - this.offsetAt(guess);
    return guess;
  }

  /** `2022-05-13 12:14:15` */
  format(ms: number): string {
    const d = new Date(ms + this.offsetAt(ms));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** ISO 8601 in UTC without milliseconds: `2019-08-24T14:15:22Z`, as the documents' User shows. */
export function isoTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
