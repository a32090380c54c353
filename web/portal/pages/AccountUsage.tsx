import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { formatBytes } from '../../shared/format.js';
import { useSession } from '../api.js';

// The chart library loads when a customer first opens an account's usage, not with the list.
const UsageChart = lazy(() => import('../../shared/components/UsageChart.js').then((m) => ({ default: m.UsageChart })));

const DAY_MS = 86_400_000;

/** `Y-m-d H:i:s` of an instant in a time zone, as the customer API reads times (the platform's zone). */
export function apiTime(ms: number, timeZone: string): string {
  // The Swedish locale writes ISO-like dates: "2026-12-01 13:05:09".
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(ms);
}

/**
 * One sub-account's traffic per day (the customer API's `user-usage-flow/total` with its `username` filter, in
 * the space shown): the total of the period, the figures of today and the last 7 days, and a small chart.
 */
export function AccountUsage(props: { account: { username: string; product_type: number }; onClose: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const [days, setDays] = useState<7 | 30>(30);
  const { username, product_type: productType } = props.account;
  const usage = useQuery({
    queryKey: ['account-usage', username, productType, days],
    queryFn: () =>
      unwrap(
        session.api.GET('/user-usage-flow/total', {
          params: {
            query: {
              username,
              product_type: productType,
              start_time: apiTime(Date.now() - (days - 1) * DAY_MS, session.platformTimeZone).slice(0, 10) + ' 00:00:00',
            },
          },
        }),
      ),
  });
  const list = useMemo(() => usage.data?.list ?? [], [usage.data]);
  // Days as UTC midnights, shown in UTC: the chart's labels are the API's own dates.
  const times = useMemo(() => list.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000), [list]);
  const values = useMemo(() => list.map((d) => d.flow * 1024), [list]);
  const total = values.reduce((sum, v) => sum + v, 0);
  const today = values[values.length - 1] ?? 0;
  const week = values.slice(-7).reduce((sum, v) => sum + v, 0);
  return (
    <section className="panel" aria-labelledby="account-usage-h">
      <div className="row">
        <h2 id="account-usage-h">{t('subAccounts.usageTitle', { name: username })}</h2>
        <span className="topbar-spacer" />
        <label>
          <span className="visually-hidden">{t('overview.range')}</span>
          <select aria-label={t('overview.range')} value={days} onChange={(e) => setDays(Number(e.target.value) as 7 | 30)}>
            <option value={30}>{t('subAccounts.days', { count: 30 })}</option>
            <option value={7}>{t('subAccounts.days', { count: 7 })}</option>
          </select>
        </label>
        <button type="button" className="button secondary small" onClick={props.onClose}>
          {t('subAccounts.close')}
        </button>
      </div>
      <ErrorNotice error={usage.error} />
      <dl className="figures" data-testid="account-usage">
        <div>
          <dt>{t('subAccounts.usageToday')}</dt>
          <dd data-testid="account-usage-today">{usage.data ? formatBytes(today) : '…'}</dd>
        </div>
        <div>
          <dt>{t('subAccounts.days', { count: 7 })}</dt>
          <dd>{usage.data ? formatBytes(week) : '…'}</dd>
        </div>
        <div>
          <dt>{t('subAccounts.days', { count: days })}</dt>
          <dd data-testid="account-usage-total">{usage.data ? formatBytes(total) : '…'}</dd>
        </div>
      </dl>
      <p className="muted">{t('subAccounts.usageDaysIn', { zone: session.platformTimeZone })}</p>
      {usage.data && (
        <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
          <UsageChart
            times={times}
            values={values}
            label={username}
            timeZone="UTC"
            height={160}
            summary={t('subAccounts.usageSummary', { name: username, total: formatBytes(total) })}
          />
        </Suspense>
      )}
    </section>
  );
}
