import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { useApi, useMe, when } from '../api.js';
import { useTypeName } from '../product-types.js';
import { AddStaticIp, AllocateStaticIps } from './static-ips/StaticIpForms.js';

/**
 * The static-IP inventory with who holds each and until when: add an address, allocate to a user, maintenance
 * on/off, release an allocation, remove a free address.
 */
export function StaticIpsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const ips = useQuery({
    queryKey: ['static-ips'],
    queryFn: () => unwrap(api.GET('/admin/static-ips', { params: { query: {} } })),
  });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['static-ips'] });
  const maintenance = useMutation({
    mutationFn: (v: { id: number; on: boolean }) =>
      unwrap(api.PATCH('/admin/static-ips/{id}', { params: { path: { id: v.id } }, body: { maintenance: v.on } })),
    onSuccess: refresh,
  });
  const release = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/admin/static-ip-allocations/{id}/release', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/admin/static-ips/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const typeName = useTypeName();
  const admin = me.role === 'admin';
  return (
    <>
      <h1>{t('static.title')}</h1>
      <ErrorNotice error={ips.error ?? maintenance.error ?? release.error ?? remove.error} />
      <table className="plain">
        <caption className="visually-hidden">{t('static.title')}</caption>
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">{t('static.address')}</th>
            <th scope="col">{t('nodes.geo')}</th>
            <th scope="col">{t('catalogue.type')}</th>
            <th scope="col">{t('static.holder')}</th>
            <th scope="col">{t('nodes.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(ips.data?.list ?? []).map((ip) => (
            <tr key={ip.id}>
              <td>{ip.id}</td>
              <td>
                {ip.ip}:{ip.port}
              </td>
              <td>{[ip.country, ip.state, ip.city].filter(Boolean).join(' / ')}</td>
              <td>{typeName(ip.product_type)}</td>
              <td>
                {ip.allocation
                  ? t('static.heldBy', { user: ip.allocation.user_id, until: when(ip.allocation.expired_at) })
                  : ip.maintenance
                    ? t('static.maintenance')
                    : t('static.free')}
              </td>
              <td>
                {admin && (
                  <span className="row">
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => maintenance.mutate({ id: ip.id, on: !ip.maintenance })}
                    >
                      {ip.maintenance ? t('static.maintenanceOff') : t('static.maintenanceOn')}
                    </button>
                    {ip.allocation ? (
                      <ConfirmButton
                        label={t('static.release')}
                        question={t('static.releaseQuestion')}
                        onConfirm={() => release.mutate(ip.allocation!.id)}
                      />
                    ) : (
                      <ConfirmButton
                        label={t('common.delete')}
                        question={t('static.removeQuestion', { ip: ip.ip })}
                        onConfirm={() => remove.mutate(ip.id)}
                      />
                    )}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {ips.data?.list.length === 0 && <p className="muted">{t('common.none')}</p>}
      {admin && <AllocateStaticIps onSaved={refresh} />}
      {admin && <AddStaticIp onSaved={refresh} />}
    </>
  );
}
