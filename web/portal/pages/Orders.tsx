import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice, Notice } from '../../shared/components/Notice.js';
import { formatBytes } from '../../shared/format.js';
import { useSession, web } from '../api.js';

/** Balance top-ups (type 3) are bought with an amount, not units. */
const RECHARGE_TYPE = 3;

export function OrdersPage() {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const products = useQuery({ queryKey: ['products'], queryFn: () => unwrap(web.GET('/web/products')) });
  const methods = useQuery({
    queryKey: ['payment-groups'],
    queryFn: () => unwrap(session.api.GET('/payment/groups', { params: { query: {} } })),
  });
  const gifts = useQuery({
    queryKey: ['gift-tiers'],
    queryFn: () => unwrap(session.api.GET('/activity/balance-recharge-gift-ratio', { params: { query: {} } })),
  });
  const canSeeOrders = session.can('view_billing');
  const canPay = session.can('pay');
  const orders = useQuery({
    queryKey: ['orders'],
    queryFn: () => unwrap(session.api.GET('/order/list', { params: { query: { page_no: 1, page_size: 50 } } })),
    enabled: canSeeOrders,
  });
  const payMethods = (methods.data?.list ?? []).flatMap((g) => g.items).filter((m) => !m.disabled);
  const [productId, setProductId] = useState<number | null>(null);
  const [amount, setAmount] = useState(1);
  const [methodId, setMethodId] = useState<number | null>(null);
  const [recharge, setRecharge] = useState('100');
  const catalogue = (products.data?.list ?? []).filter((p) => p.product_type !== RECHARGE_TYPE);
  const rechargeProduct = (products.data?.list ?? []).find((p) => p.product_type === RECHARGE_TYPE);
  const product = catalogue.find((p) => p.id === productId) ?? catalogue[0];
  const method = payMethods.find((m) => m.id === methodId) ?? payMethods[0];
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['orders'] });
    await queryClient.invalidateQueries({ queryKey: ['user-info'] });
    await queryClient.invalidateQueries({ queryKey: ['packages'] });
  };
  const buy = useMutation({
    mutationFn: (body: { pid: number; pm_id: number; amount?: number; recharge_amount?: string }) =>
      unwrap(session.api.POST('/order/create', { body })),
    onSuccess: refresh,
  });
  const close = useMutation({
    mutationFn: (tradeNo: string) => unwrap(session.api.POST('/order/close', { body: { trade_no: tradeNo } })),
    onSuccess: refresh,
  });
  const created = buy.data;

  return (
    <>
      <h1>{t('orders.title')}</h1>
      <ErrorNotice error={products.error ?? methods.error ?? orders.error ?? close.error} />
      {!canPay && <Notice kind="info">{t('team.noPay')}</Notice>}
      <section className="panel" aria-labelledby="buy-h">
        <h2 id="buy-h">{t('orders.buy')}</h2>
        {created && (
          <Notice kind="success">
            {created.status === 1
              ? t('orders.paid', { trade: created.trade_no })
              : t('orders.pending', { trade: created.trade_no })}{' '}
            {created.pay_url && (
              <a href={created.pay_url} rel="noreferrer noopener" target="_blank">
                {t('orders.payLink')}
              </a>
            )}
          </Notice>
        )}
        <ErrorNotice error={buy.error} />
        {catalogue.length === 0 ? (
          <p className="muted">{products.isPending ? t('common.loading') : t('orders.noProducts')}</p>
        ) : (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (product && method) buy.mutate({ pid: product.id, pm_id: method.id, amount });
            }}
          >
            <Field label={t('orders.product')}>
              {({ id }) => (
                <select id={id} value={product?.id ?? ''} onChange={(e) => setProductId(Number(e.target.value))}>
                  {catalogue.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.title} — {p.price.toFixed(2)}
                      {p.unit_bytes ? ` · ${formatBytes(p.unit_bytes)}` : ''}
                      {p.unit_days ? ` · ${t('orders.days', { count: p.unit_days })}` : ''}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('orders.amount')}>
              {({ id }) => (
                <input
                  id={id}
                  type="number"
                  min={1}
                  value={amount}
                  onChange={(e) => setAmount(Math.max(1, Number(e.target.value)))}
                />
              )}
            </Field>
            <Field label={t('orders.method')}>
              {({ id }) => (
                <select id={id} value={method?.id ?? ''} onChange={(e) => setMethodId(Number(e.target.value))}>
                  {payMethods.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.title}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <div className="field">
              <span className="muted">{product ? t('orders.total', { total: (product.price * amount).toFixed(2) }) : ''}</span>
              <button type="submit" className="button" disabled={buy.isPending || !product || !method || !canPay}>
                {t('orders.buySubmit')}
              </button>
            </div>
          </form>
        )}
      </section>

      <section className="panel" aria-labelledby="recharge-h">
        <h2 id="recharge-h">{t('orders.recharge')}</h2>
        {(gifts.data?.list ?? []).length > 0 && (
          <table className="plain">
            <caption className="visually-hidden">{t('orders.giftTiers')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('orders.rechargeAmount')}</th>
                <th scope="col">{t('orders.credited')}</th>
              </tr>
            </thead>
            <tbody>
              {(gifts.data?.list ?? []).map((g) => (
                <tr key={g.amount}>
                  <td>≥ {g.amount}</td>
                  <td>× {g.ratio}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {rechargeProduct && method ? (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              const external =
                payMethods.find((m) => m.id === methodId && m.group !== 'balance') ??
                payMethods.find((m) => m.group !== 'balance');
              if (external) buy.mutate({ pid: rechargeProduct.id, pm_id: external.id, recharge_amount: recharge });
            }}
          >
            <Field label={t('orders.rechargeAmount')}>
              {({ id }) => <input id={id} inputMode="decimal" value={recharge} onChange={(e) => setRecharge(e.target.value)} />}
            </Field>
            <div className="field">
              <button type="submit" className="button" disabled={buy.isPending || !canPay}>
                {t('orders.rechargeSubmit')}
              </button>
            </div>
          </form>
        ) : (
          <p className="muted">{t('orders.noRecharge')}</p>
        )}
      </section>

      <section className="panel" aria-labelledby="history-h">
        <h2 id="history-h">{t('orders.history')}</h2>
        {!canSeeOrders && <p className="muted">{t('team.noBilling')}</p>}
        <table className="plain">
          <thead>
            <tr>
              <th scope="col">{t('orders.tradeNo')}</th>
              <th scope="col">{t('orders.product')}</th>
              <th scope="col">{t('orders.fee')}</th>
              <th scope="col">{t('orders.status')}</th>
              <th scope="col">{t('orders.created')}</th>
              <th scope="col">{t('subAccounts.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(orders.data?.list ?? []).map((o) => (
              <tr key={o.id}>
                <td>{o.trade_no}</td>
                <td>{o.product_name}</td>
                <td>{o.pay_fee.toFixed(2)}</td>
                <td>{t(`orders.statusName.${o.status}`)}</td>
                <td>{o.created_at}</td>
                <td>
                  {o.status === 0 && (
                    <ConfirmButton
                      label={t('orders.close')}
                      disabled={!canPay}
                      question={t('orders.confirmClose', { trade: o.trade_no })}
                      onConfirm={() => close.mutate(o.trade_no)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
