import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { useSession } from '../api.js';

export function StaticIpsPage() {
  const { t } = useTranslation();
  const session = useSession();
  const list = useQuery({
    queryKey: ['static-ips'],
    queryFn: () => unwrap(session.api.GET('/ip/get-static-ip', { params: { query: { page: 1, size: 100 } } })),
  });
  const rows = list.data?.list ?? [];
  return (
    <>
      <h1>{t('staticIps.title')}</h1>
      <ErrorNotice error={list.error} />
      <section className="panel" aria-labelledby="static-h">
        <h2 id="static-h">{t('staticIps.list')}</h2>
        {rows.length === 0 ? (
          <p className="muted">{list.isPending ? t('common.loading') : t('staticIps.none')}</p>
        ) : (
          <table className="plain">
            <thead>
              <tr>
                <th scope="col">IP</th>
                <th scope="col">{t('staticIps.port')}</th>
                <th scope="col">{t('subAccounts.productType')}</th>
                <th scope="col">{t('staticIps.expires')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{r.ip}</td>
                  <td>{r.port}</td>
                  <td>{r.product_type}</td>
                  <td>{r.expired_at}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
