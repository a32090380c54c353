import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { useApi, useMe, when } from '../api.js';

/** The catalogue as customers order from it: products and SKUs, payment methods, coupons, gift tiers. */
export function CataloguePage() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const products = useQuery({ queryKey: ['products'], queryFn: () => unwrap(api.GET('/admin/products')) });
  const methods = useQuery({ queryKey: ['payment-methods'], queryFn: () => unwrap(api.GET('/admin/payment-methods')) });
  const coupons = useQuery({ queryKey: ['coupons'], queryFn: () => unwrap(api.GET('/admin/coupons')) });
  const tiers = useQuery({ queryKey: ['gift-tiers'], queryFn: () => unwrap(api.GET('/admin/gift-tiers')) });
  const disable = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/admin/products/{id}/disable', { params: { path: { id } } })),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['products'] }),
  });
  return (
    <>
      <h1>{t('catalogue.title')}</h1>
      <ErrorNotice error={products.error ?? methods.error ?? coupons.error ?? tiers.error ?? disable.error} />
      <section className="panel" aria-labelledby="products">
        <h2 id="products">{t('catalogue.products')}</h2>
        <table className="plain">
          <caption className="visually-hidden">{t('catalogue.products')}</caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">{t('catalogue.name')}</th>
              <th scope="col">{t('catalogue.type')}</th>
              <th scope="col">{t('catalogue.price')}</th>
              <th scope="col">{t('catalogue.skus')}</th>
              <th scope="col">{t('users.status')}</th>
              <th scope="col">{t('nodes.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(products.data?.list ?? []).map((p) => (
              <tr key={p.id}>
                <td>{p.id}</td>
                <td>{p.title}</td>
                <td>{p.product_type}</td>
                <td>{p.price.toFixed(2)}</td>
                <td>{p.skus.map((s) => s.title).join(', ')}</td>
                <td>{p.enabled ? t('status.active') : t('status.disabled')}</td>
                <td>
                  {me.role === 'admin' && p.enabled && (
                    <ConfirmButton
                      label={t('catalogue.disable')}
                      question={t('catalogue.disableQuestion')}
                      onConfirm={() => disable.mutate(p.id)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" aria-labelledby="methods">
        <h2 id="methods">{t('catalogue.methods')}</h2>
        <ul>
          {(methods.data?.list ?? []).map((m) => (
            <li key={m.id}>
              {m.title} ({m.kind}) — {m.disabled ? t('status.disabled') : t('status.active')}
            </li>
          ))}
        </ul>
      </section>
      <section className="panel" aria-labelledby="coupons">
        <h2 id="coupons">{t('catalogue.coupons')}</h2>
        <ul>
          {(coupons.data?.list ?? []).map((c) => (
            <li key={c.id}>
              <code>{c.code}</code> {c.name} — {c.kind} {c.discount} — {t('catalogue.expires')} {when(c.expire_time)} —{' '}
              {c.used_count}/{c.max_uses || '∞'}
            </li>
          ))}
        </ul>
        {coupons.data?.list.length === 0 && <p className="muted">{t('common.none')}</p>}
      </section>
      <section className="panel" aria-labelledby="tiers">
        <h2 id="tiers">{t('catalogue.tiers')}</h2>
        <ul>
          {(tiers.data?.list ?? []).map((g) => (
            <li key={g.id}>{t('catalogue.tier', { amount: g.amount.toFixed(2), ratio: Math.round(g.ratio * 100) })}</li>
          ))}
        </ul>
        {tiers.data?.list.length === 0 && <p className="muted">{t('common.none')}</p>}
      </section>
    </>
  );
}
