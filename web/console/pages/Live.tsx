import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ErrorNotice, Notice } from '../../shared/components/Notice.js';
import { bytes, useApi, when } from '../api.js';

/** The live view, refreshed every five seconds. */
export function LivePage() {
  const { t } = useTranslation();
  const api = useApi();
  const live = useQuery({ queryKey: ['live'], queryFn: () => unwrap(api.GET('/admin/live')), refetchInterval: 5_000 });
  const gateways = useQuery({
    queryKey: ['gateways'],
    queryFn: () => unwrap(api.GET('/admin/gateways')),
    refetchInterval: 5_000,
  });
  const d = live.data;
  const g = gateways.data;
  return (
    <>
      <h1>{t('live.title')}</h1>
      <ErrorNotice error={live.error} />
      {d && !d.gateway && <Notice kind="info">{t('live.noGateway')}</Notice>}
      {d && (
        <>
          <div className="cards">
            <div className="panel card">
              <div className="muted">{t('live.connections')}</div>
              <div className="figure">{d.open_connections ?? '—'}</div>
            </div>
            <div className="panel card">
              <div className="muted">{t('live.throughput')}</div>
              <div className="figure">
                {d.throughput ? `↑ ${bytes(d.throughput.up_bps)}/s ↓ ${bytes(d.throughput.down_bps)}/s` : '—'}
              </div>
            </div>
            <div className="panel card">
              <div className="muted">{t('live.authFailures')}</div>
              <div className="figure">
                {d.auth_failures
                  ? t('live.failures', { minute: d.auth_failures.last_minute, hour: d.auth_failures.last_hour })
                  : '—'}
              </div>
            </div>
          </div>
          <section className="panel" aria-labelledby="top">
            <h2 id="top">{t('live.top')}</h2>
            <table className="plain">
              <caption className="visually-hidden">{t('live.top')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('users.email')}</th>
                  <th scope="col">{t('live.bytes')}</th>
                </tr>
              </thead>
              <tbody>
                {d.top_accounts.map((a) => (
                  <tr key={a.user_id}>
                    <td>{a.email}</td>
                    <td>{bytes(a.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {d.top_accounts.length === 0 && <p className="muted">{t('common.none')}</p>}
          </section>
          <section className="panel" aria-labelledby="exits">
            <h2 id="exits">{t('live.exits')}</h2>
            <table className="plain">
              <caption className="visually-hidden">{t('live.exits')}</caption>
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  <th scope="col">{t('nodes.url')}</th>
                  <th scope="col">{t('nodes.state')}</th>
                  <th scope="col">{t('live.latency')}</th>
                  <th scope="col">{t('live.probed')}</th>
                </tr>
              </thead>
              <tbody>
                {d.exits.map((x) => (
                  <tr key={x.id}>
                    <td>{x.id}</td>
                    <td>{x.url}</td>
                    <td>{x.healthy ? t('nodes.healthy') : t('nodes.unhealthy')}</td>
                    <td>{x.latency_ms === null ? '—' : `${x.latency_ms} ms`}</td>
                    <td>{when(x.probed_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
      <section className="panel" aria-labelledby="gateways">
        <h2 id="gateways">{t('live.gateways')}</h2>
        <ErrorNotice error={gateways.error} />
        {g && !g.cluster && <p className="muted">{t('live.noCluster')}</p>}
        {g && g.list.length > 0 && (
          <table className="plain">
            <caption className="visually-hidden">{t('live.gateways')}</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">{t('live.region')}</th>
                <th scope="col">{t('live.endpoint')}</th>
                <th scope="col">{t('live.version')}</th>
                <th scope="col">{t('live.connections')}</th>
                <th scope="col">{t('live.throughput')}</th>
                <th scope="col">{t('live.heartbeat')}</th>
              </tr>
            </thead>
            <tbody>
              {g.list.map((x) => (
                <tr key={x.instance}>
                  <td>{x.id}</td>
                  <td>{x.region || '—'}</td>
                  <td>
                    {x.host}:{x.ports.proxy}
                    {x.ports.extract ? ` (${x.ports.extract.from}-${x.ports.extract.to})` : ''}
                  </td>
                  <td>{x.version}</td>
                  <td>{x.open_connections}</td>
                  <td>{`${bytes(x.bytes_per_second)}/s`}</td>
                  <td>{x.alive ? t('live.alive', { seconds: x.age_seconds }) : t('live.gone', { seconds: x.age_seconds })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {g && g.list.length === 0 && <p className="muted">{t('common.none')}</p>}
      </section>
    </>
  );
}
