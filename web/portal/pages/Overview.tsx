import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { CopyButton } from '../../shared/components/CopyButton.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { formatBytes, UsageChart } from '../../shared/components/UsageChart.js';
import { browserTimeZone, useSession, web } from '../api.js';

/** How often the chart asks for new figures (the meter writes every second). */
const LIVE_MS = 5_000;

export function proxyLine(host: string, port: number, username: string, password: string): string {
  return `${host}:${port}:${username}:${password}`;
}

export function OverviewPage() {
  const { t } = useTranslation();
  const session = useSession();
  const [range, setRange] = useState<'30d' | '24h'>('30d');
  const timeZone = browserTimeZone();
  const team = session.team;
  // The balance shown is the space's: the person's own (user/info, personal by nature) or the team's wallet,
  // which needs view_billing there.
  const info = useQuery({
    queryKey: ['user-info'],
    queryFn: () => unwrap(session.personalApi.GET('/user/info', { params: { query: {} } })),
    enabled: team === null,
  });
  const wallet = useQuery({
    queryKey: ['team-wallet'],
    queryFn: () => unwrap(session.api.GET('/team/wallet/detail', { params: { query: { team_id: team?.team_id ?? '' } } })),
    enabled: team !== null && session.can('view_billing'),
  });
  const balance = team === null ? info.data?.balance : wallet.data?.balance;
  const balanceUnknown = team !== null && !session.can('view_billing');
  const packages = useQuery({
    queryKey: ['packages'],
    queryFn: () => unwrap(session.api.GET('/user-product/list', { params: { query: { page: 1, size: 50 } } })),
  });
  const accounts = useQuery({
    queryKey: ['sub-accounts'],
    queryFn: () => unwrap(session.api.GET('/whitelist-account/list', { params: { query: {} } })),
  });
  const usage = useQuery({
    queryKey: ['usage', range, timeZone],
    queryFn: () =>
      unwrap(
        web.GET('/web/usage', {
          params: { query: { range, time_zone: timeZone, ...(team ? { team_id: team.team_id } : {}) } },
        }),
      ),
    refetchInterval: LIVE_MS,
  });
  const times = useMemo(() => usage.data?.points.map((p) => p.t) ?? [], [usage.data]);
  const values = useMemo(() => usage.data?.points.map((p) => p.bytes) ?? [], [usage.data]);
  const first = accounts.data?.list.find((a) => a.status === 1);
  const now = Date.now();
  const active = (packages.data?.list ?? []).filter((p) => Date.parse(p.expired_at.replace(' ', 'T')) > now || !p.expired_at);

  return (
    <>
      <h1>{t('overview.title')}</h1>
      {team && (
        <p className="muted" data-testid="team-banner">
          {t('team.showing', { name: team.name, id: team.team_id, role: team.role })}
        </p>
      )}
      <ErrorNotice error={info.error ?? wallet.error ?? packages.error ?? usage.error ?? accounts.error} />
      <div className="cards">
        <section className="panel card" aria-labelledby="balance-h">
          <h2 id="balance-h">{team ? t('team.wallet') : t('overview.balance')}</h2>
          <p className="figure" data-testid="balance">
            {balanceUnknown ? '—' : balance !== undefined ? balance.toFixed(2) : '…'}
          </p>
        </section>
        <section className="panel card" aria-labelledby="traffic-h">
          <h2 id="traffic-h">{range === '30d' ? t('overview.traffic30d') : t('overview.traffic24h')}</h2>
          <p className="figure" data-testid="usage-total">
            {usage.data ? formatBytes(usage.data.total_bytes) : '…'}
          </p>
        </section>
        <section className="panel card" aria-labelledby="accounts-h">
          <h2 id="accounts-h">{t('overview.subAccounts')}</h2>
          <p className="figure">{accounts.data ? accounts.data.list.length : '…'}</p>
        </section>
      </div>

      <section className="panel" aria-labelledby="usage-h">
        <div className="row">
          <h2 id="usage-h">{t('overview.usage')}</h2>
          <span className="topbar-spacer" />
          <label>
            <span className="visually-hidden">{t('overview.range')}</span>
            <select aria-label={t('overview.range')} value={range} onChange={(e) => setRange(e.target.value as '30d' | '24h')}>
              <option value="30d">{t('overview.range30d')}</option>
              <option value="24h">{t('overview.range24h')}</option>
            </select>
          </label>
        </div>
        <p className="muted">{t('overview.timeZone', { zone: timeZone })}</p>
        <UsageChart
          times={times}
          values={values}
          label={t('overview.traffic')}
          timeZone={timeZone}
          summary={t('overview.chartSummary', { total: formatBytes(usage.data?.total_bytes ?? 0) })}
        />
      </section>

      <section className="panel" aria-labelledby="line-h">
        <h2 id="line-h">{t('overview.proxyLine')}</h2>
        {first ? (
          <div className="row">
            <code className="line" data-testid="overview-proxy-line">
              {proxyLine(session.proxyHost, session.proxyPort, first.username, first.password)}
            </code>
            <CopyButton text={proxyLine(session.proxyHost, session.proxyPort, first.username, first.password)} />
          </div>
        ) : (
          <p className="muted">{t('overview.noAccount')}</p>
        )}
      </section>

      <section className="panel" aria-labelledby="packages-h">
        <h2 id="packages-h">{t('overview.packages')}</h2>
        {active.length === 0 ? (
          <p className="muted">{t('overview.noPackages')}</p>
        ) : (
          <table className="plain">
            <thead>
              <tr>
                <th scope="col">{t('overview.package')}</th>
                <th scope="col">{t('overview.remaining')}</th>
                <th scope="col">{t('overview.expires')}</th>
              </tr>
            </thead>
            <tbody>
              {active.map((p) => (
                <tr key={p.id}>
                  <td>{p.order.title || `#${p.id}`}</td>
                  <td>
                    {p.total > 0 ? `${formatBytes(Math.max(0, p.total - p.used) * 1024)} / ${formatBytes(p.total * 1024)}` : '—'}
                  </td>
                  <td>{p.expired_at || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
