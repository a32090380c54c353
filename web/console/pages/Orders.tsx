import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { useApi, useMe, when } from '../api.js';

/** Orders: filter by status, user and order number; mark a manual payment paid; refund. */
export function OrdersPage() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const [status, setStatus] = useState('');
  const [userId, setUserId] = useState('');
  const [tradeNo, setTradeNo] = useState('');
  const [filter, setFilter] = useState({ status: '', userId: '', tradeNo: '' });
  const [page, setPage] = useState(1);
  const orders = useQuery({
    queryKey: ['orders', filter, page],
    queryFn: () =>
      unwrap(
        api.GET('/admin/orders', {
          params: {
            query: {
              page,
              size: 50,
              ...(filter.status ? { status: Number(filter.status) } : {}),
              ...(filter.userId ? { user_id: Number(filter.userId) } : {}),
              ...(filter.tradeNo ? { trade_no: filter.tradeNo } : {}),
            },
          },
        }),
      ),
  });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['orders'] });
  const markPaid = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/admin/orders/{id}/mark-paid', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const refund = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/admin/orders/{id}/refund', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const pages = Math.max(1, orders.data?.total_page ?? 1);
  return (
    <>
      <h1>{t('orders.title')}</h1>
      <form
        className="row panel"
        aria-label={t('audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setFilter({ status, userId, tradeNo });
        }}
      >
        <Field label={t('users.status')}>
          {(ids) => (
            <select id={ids.id} value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">{t('orders.any')}</option>
              {[0, 1, 2, 3].map((s) => (
                <option key={s} value={s}>
                  {t(`order.status.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('orders.userId')}>
          {(ids) => <input id={ids.id} type="number" min="1" value={userId} onChange={(e) => setUserId(e.target.value)} />}
        </Field>
        <Field label={t('orders.tradeNo')}>
          {(ids) => <input id={ids.id} value={tradeNo} onChange={(e) => setTradeNo(e.target.value)} />}
        </Field>
        <button type="submit" className="button">
          {t('audit.apply')}
        </button>
      </form>
      <ErrorNotice error={orders.error ?? markPaid.error ?? refund.error} />
      <table className="plain">
        <caption className="visually-hidden">{t('orders.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('orders.tradeNo')}</th>
            <th scope="col">{t('orders.userId')}</th>
            <th scope="col">{t('orders.product')}</th>
            <th scope="col">{t('orders.fee')}</th>
            <th scope="col">{t('users.status')}</th>
            <th scope="col">{t('users.createdAt')}</th>
            <th scope="col">{t('nodes.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(orders.data?.list ?? []).map((o) => (
            <tr key={o.id}>
              <td>{o.trade_no}</td>
              <td>{o.user_id}</td>
              <td>{o.product_name}</td>
              <td>{o.pay_fee.toFixed(2)}</td>
              <td>{t(`order.status.${o.status}`)}</td>
              <td>{when(o.created_at)}</td>
              <td>
                {me.role === 'admin' && o.status === 0 && (
                  <ConfirmButton
                    label={t('orders.markPaid')}
                    question={t('orders.markPaidQuestion')}
                    onConfirm={() => markPaid.mutate(o.id)}
                  />
                )}
                {me.role === 'admin' && o.status === 1 && (
                  <ConfirmButton
                    label={t('orders.refund')}
                    question={t('orders.refundQuestion')}
                    onConfirm={() => refund.mutate(o.id)}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {orders.data?.list.length === 0 && <p className="muted">{t('common.none')}</p>}
      <p className="row">
        <button type="button" className="button secondary small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          {t('common.previous')}
        </button>
        <span>{t('common.page', { page, pages })}</span>
        <button type="button" className="button secondary small" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          {t('common.next')}
        </button>
      </p>
    </>
  );
}
