import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoTime, TimeFormatter } from './time-format.js';

const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Asia/Shanghai', 'UTC'];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The reference: Intl's own `YYYY-MM-DD HH:MM:SS` (Swedish uses ISO-like dates and a 24-hour clock). */
function reference(timeZone: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (ms) => f.format(ms);
}

/** The zone's UTC offset at `ms` as Intl names it, e.g. "GMT+05:45" (independent of TimeFormatter). */
function offsetName(timeZone: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  return (ms) => f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** Instants where the zone's offset changes between `from` and `to`, to the minute. */
function transitions(timeZone: string, from: number, to: number): number[] {
  const name = offsetName(timeZone);
  const out: number[] = [];
  let prev = name(from);
  for (let t = from + DAY; t <= to; t += DAY) {
    const cur = name(t);
    if (cur !== prev) {
      let lo = t - DAY;
      let hi = t;
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (name(mid) === prev) lo = mid;
        else hi = mid;
      }
      out.push(hi);
      prev = cur;
    }
  }
  return out;
}

describe('TimeFormatter.format', () => {
  it('formats the epoch in UTC and in Asia/Shanghai', () => {
    assert.equal(new TimeFormatter('UTC').format(0), '1970-01-01 00:00:00');
    assert.equal(new TimeFormatter('Asia/Shanghai').format(0), '1970-01-01 08:00:00');
  });

  it('formats known instants', () => {
    const table: [string, number, string][] = [
      ['UTC', Date.UTC(2022, 4, 13, 12, 14, 15), '2022-05-13 12:14:15'],
      ['Asia/Shanghai', Date.UTC(2022, 4, 13, 4, 14, 15), '2022-05-13 12:14:15'],
      ['Asia/Shanghai', Date.UTC(2023, 11, 31, 16, 0, 0), '2024-01-01 00:00:00'],
      ['Asia/Kathmandu', Date.UTC(2024, 0, 1, 0, 0, 0), '2024-01-01 05:45:00'],
      // Kathmandu went from +05:30 to +05:45 on 1986-01-01.
      ['Asia/Kathmandu', Date.UTC(1985, 11, 31, 18, 29, 59), '1985-12-31 23:59:59'],
      ['Asia/Kathmandu', Date.UTC(1985, 11, 31, 18, 30, 0), '1986-01-01 00:15:00'],
      // China observed DST from 1986 to 1991.
      ['Asia/Shanghai', Date.UTC(1986, 4, 3, 17, 59, 59), '1986-05-04 01:59:59'],
      ['Asia/Shanghai', Date.UTC(1986, 4, 3, 18, 0, 0), '1986-05-04 03:00:00'],
      ['Asia/Kathmandu', Date.UTC(2024, 0, 1, 18, 14, 59), '2024-01-01 23:59:59'],
      ['Asia/Kathmandu', Date.UTC(2024, 0, 1, 18, 15, 0), '2024-01-02 00:00:00'],
      // New York, spring forward 2024-03-10 02:00 EST → 03:00 EDT.
      ['America/New_York', Date.UTC(2024, 2, 10, 6, 59, 59), '2024-03-10 01:59:59'],
      ['America/New_York', Date.UTC(2024, 2, 10, 7, 0, 0), '2024-03-10 03:00:00'],
      // New York, fall back 2024-11-03 02:00 EDT → 01:00 EST: 01:30 happens twice.
      ['America/New_York', Date.UTC(2024, 10, 3, 5, 30, 0), '2024-11-03 01:30:00'],
      ['America/New_York', Date.UTC(2024, 10, 3, 6, 30, 0), '2024-11-03 01:30:00'],
      // Berlin, 2024-03-31 02:00 CET → 03:00 CEST and 2024-10-27 03:00 CEST → 02:00 CET.
      ['Europe/Berlin', Date.UTC(2024, 2, 31, 0, 59, 59), '2024-03-31 01:59:59'],
      ['Europe/Berlin', Date.UTC(2024, 2, 31, 1, 0, 0), '2024-03-31 03:00:00'],
      ['Europe/Berlin', Date.UTC(2024, 9, 27, 0, 59, 59), '2024-10-27 02:59:59'],
      ['Europe/Berlin', Date.UTC(2024, 9, 27, 1, 0, 0), '2024-10-27 02:00:00'],
      // Lord Howe moves by 30 minutes: 2024-10-06 02:00 (+10:30) → 02:30 (+11), 2024-04-07 02:00 (+11) → 01:30 (+10:30).
      ['Australia/Lord_Howe', Date.UTC(2024, 9, 5, 15, 29, 59), '2024-10-06 01:59:59'],
      ['Australia/Lord_Howe', Date.UTC(2024, 9, 5, 15, 30, 0), '2024-10-06 02:30:00'],
      ['Australia/Lord_Howe', Date.UTC(2024, 3, 6, 14, 59, 59), '2024-04-07 01:59:59'],
      ['Australia/Lord_Howe', Date.UTC(2024, 3, 6, 15, 0, 0), '2024-04-07 01:30:00'],
    ];
    for (const [zone, ms, expected] of table) {
      assert.equal(new TimeFormatter(zone).format(ms), expected, `${zone} ${new Date(ms).toISOString()}`);
    }
  });

  it('truncates milliseconds and handles instants before 1970', () => {
    const utc = new TimeFormatter('UTC');
    assert.equal(utc.format(999), '1970-01-01 00:00:00');
    assert.equal(utc.format(-1), '1969-12-31 23:59:59');
    assert.equal(utc.format(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), '2024-02-29 23:59:59');
    assert.equal(new TimeFormatter('America/New_York').format(-1), '1969-12-31 18:59:59');
  });

  for (const zone of ZONES) {
    it(`matches Intl in ${zone} around every offset change 1970–2040, minute by minute`, () => {
      const time = new TimeFormatter(zone);
      const ref = reference(zone);
      const changes = transitions(zone, Date.UTC(1970, 0, 1), Date.UTC(2040, 0, 1));
      if (zone === 'UTC') assert.equal(changes.length, 0);
      else assert.ok(changes.length > 0, `no offset change found in ${zone}`);
      let checked = 0;
      for (const at of changes) {
        for (let t = at - 2 * HOUR; t <= at + 2 * HOUR; t += MINUTE) {
          for (const ms of [t - 1, t, t + 59_999]) {
            assert.equal(time.format(ms), ref(ms), `${zone} ${new Date(ms).toISOString()}`);
            checked++;
          }
        }
      }
      assert.equal(checked, changes.length * 241 * 3);
    });

    it(`matches Intl in ${zone} over 10,000 spread instants 1970–2100`, () => {
      const time = new TimeFormatter(zone);
      const ref = reference(zone);
      const from = Date.UTC(1970, 0, 1);
      const step = Math.floor((Date.UTC(2100, 0, 1) - from) / 10_000) + 7_919;
      for (let ms = from; ms < Date.UTC(2100, 0, 1); ms += step) {
        assert.equal(time.format(ms), ref(ms), `${zone} ${new Date(ms).toISOString()}`);
      }
    });
  }

  it('has the offsets of the test zones right (30-minute DST, +05:45)', () => {
    const lordHowe = new TimeFormatter('Australia/Lord_Howe');
    assert.equal(lordHowe.offsetAt(Date.UTC(2024, 0, 15)), 11 * HOUR);
    assert.equal(lordHowe.offsetAt(Date.UTC(2024, 6, 15)), 10.5 * HOUR);
    assert.equal(new TimeFormatter('Asia/Kathmandu').offsetAt(Date.UTC(2024, 6, 15)), 5.75 * HOUR);
    assert.equal(new TimeFormatter('America/New_York').offsetAt(Date.UTC(2024, 6, 15)), -4 * HOUR);
    assert.equal(new TimeFormatter('UTC').offsetAt(Date.UTC(2024, 6, 15)), 0);
  });

  it('answers the same on a second pass (offset cache) and after more than 10,000 cached slots', () => {
    const time = new TimeFormatter('Europe/Berlin');
    const ref = reference('Europe/Berlin');
    const instants = Array.from({ length: 12_000 }, (_, i) => Date.UTC(2024, 2, 1) + i * 15 * MINUTE + 1234);
    const first = instants.map((ms) => time.format(ms));
    const second = instants.map((ms) => time.format(ms));
    assert.deepEqual(second, first);
    assert.deepEqual(
      first,
      instants.map((ms) => ref(ms)),
    );
  });
});

describe('isoTime', () => {
  it('is YYYY-MM-DDTHH:MM:SSZ in UTC without milliseconds', () => {
    assert.equal(isoTime(0), '1970-01-01T00:00:00Z');
    assert.equal(isoTime(Date.UTC(2019, 7, 24, 14, 15, 22)), '2019-08-24T14:15:22Z');
    assert.equal(isoTime(Date.UTC(2019, 7, 24, 14, 15, 22, 999)), '2019-08-24T14:15:22Z');
    assert.equal(isoTime(-1), '1969-12-31T23:59:59Z');
  });

  it('has the shape and round-trips to the second', () => {
    for (let ms = Date.UTC(2000, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 86_413_577) {
      const s = isoTime(ms);
      assert.match(s, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.equal(Date.parse(s), Math.floor(ms / 1000) * 1000);
    }
  });
});

describe('dayStart / nextDayStart (daily limits roll over at local midnight)', () => {
  // Beside the usual zones: São Paulo's DST began at midnight (no 00:00 on 2018-11-04), Apia skipped 2011-12-30.
  const zones = [...ZONES, 'America/Sao_Paulo', 'Pacific/Apia'];
  const instants: number[] = [];
  for (let t = Date.UTC(2011, 11, 25); t < Date.UTC(2012, 0, 5); t += 3 * HOUR + 7 * MINUTE) instants.push(t);
  for (let t = Date.UTC(2018, 9, 30); t < Date.UTC(2018, 10, 8); t += 3 * HOUR + 7 * MINUTE) instants.push(t);
  for (let i = 0; i < 400; i++) instants.push(Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 6 * 365 * DAY));
  for (const zone of zones) {
    it(`bounds the local day of every instant in ${zone}`, () => {
      const time = new TimeFormatter(zone);
      const ref = reference(zone);
      const day = (ms: number) => ref(ms).slice(0, 10);
      for (const ms of instants) {
        const start = time.dayStart(ms);
        const next = time.nextDayStart(ms);
        assert.ok(start <= ms && ms < next, `${zone} ${new Date(ms).toISOString()}`);
        assert.equal(day(start), day(ms), `${zone}: dayStart of ${ref(ms)} is ${ref(start)}`);
        assert.notEqual(day(start - 1), day(ms), `${zone}: the instant before dayStart of ${ref(ms)} is another day`);
        assert.notEqual(day(next), day(ms), `${zone}: nextDayStart of ${ref(ms)} is ${ref(next)}`);
        assert.equal(day(next - 1), day(ms), `${zone}: the instant before nextDayStart of ${ref(ms)} is still that day`);
        assert.equal(time.dayStart(next), next, `${zone}: nextDayStart starts a day`);
      }
    });
  }

  it('rolls at local midnight, not UTC midnight', () => {
    const time = new TimeFormatter('Asia/Shanghai');
    const at = Date.UTC(2024, 4, 13, 15, 59, 59); // 2024-05-13 23:59:59 in Shanghai
    assert.equal(time.nextDayStart(at), Date.UTC(2024, 4, 13, 16));
    assert.equal(time.dayStart(at), Date.UTC(2024, 4, 12, 16));
    assert.equal(time.dayStart(at + 1000), Date.UTC(2024, 4, 13, 16));
  });
});
