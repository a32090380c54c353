import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError, unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice, Notice } from '../../shared/components/Notice.js';
import { bytes, money, useApi, useMe, when } from '../api.js';
import { useTypeName } from '../product-types.js';
import { GrantPackage } from './user/GrantPackage.js';
import { ResetPassword } from './user/ResetPassword.js';
import { UserTeams } from './user/Teams.js';

/**
 * One user: balance and ledger, packages, sub-accounts, orders, IPs, teams; status, password, real name, balance,
 * grants of any package type, key. Support sees it all and may change the status and the password only.
 */
export function UserDetailPage(props: { id: number }) {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const id = props.id;
  const typeName = useTypeName();
  const detail = useQuery({
    queryKey: ['user', id],
    queryFn: () => unwrap(api.GET('/admin/users/{id}/detail', { params: { path: { id } } })),
  });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['user', id] });

  const status = useMutation({
    mutationFn: (value: 0 | 1) =>
      unwrap(api.POST('/admin/users/{id}/status', { params: { path: { id } }, body: { status: value } })),
    onSuccess: refresh,
  });
  const realName = useMutation({
    mutationFn: (value: boolean) =>
      unwrap(api.PATCH('/admin/users/{id}', { params: { path: { id } }, body: { is_real_name: value } })),
    onSuccess: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => unwrap(api.POST('/admin/users/{id}/rotate-key', { params: { path: { id } } })),
  });

  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const adjust = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/admin/users/{id}/balance', {
          params: { path: { id } },
          body: { amount_cents: Math.round(Number(amount) * 100), reason },
        }),
      ),
    onSuccess: () => {
      setAmount('');
      setReason('');
      refresh();
    },
  });
  const adjustErrors = adjust.error instanceof ApiError ? adjust.error.errors : {};

  if (detail.error) return <ErrorNotice error={detail.error} />;
  const d = detail.data;
  if (!d) return <p className="muted">{t('common.loading')}</p>;
  const u = d.user;
  const admin = me.role === 'admin';
  return (
    <>
      <p>
        <Link href="/users">{t('user.back')}</Link>
      </p>
      <h1>{u.email}</h1>
      <div className="cards">
        <div className="panel card">
          <div className="muted">{t('users.balance')}</div>
          <div className="figure">{money(d.balance_cents)}</div>
        </div>
        <div className="panel card">
          <div className="muted">{t('users.status')}</div>
          <div className="figure">{u.status === 1 ? t('status.active') : t('status.disabled')}</div>
        </div>
        <div className="panel card">
          <div className="muted">{t('users.realName')}</div>
          <div className="figure">{u.is_real_name ? t('common.yes') : t('common.no')}</div>
        </div>
        <div className="panel card">
          <div className="muted">{t('user.subAccounts')}</div>
          <div className="figure">{d.sub_accounts_total}</div>
        </div>
      </div>

      <section className="panel" aria-labelledby="actions">
        <h2 id="actions">{t('user.actions')}</h2>
        <ErrorNotice error={status.error ?? realName.error ?? rotate.error} />
        {rotate.data && (
          <Notice kind="success">
            {t('user.newKey')} <code>{rotate.data.app_key}</code>
          </Notice>
        )}
        <div className="row">
          {u.status === 1 ? (
            <ConfirmButton label={t('user.disable')} question={t('user.disableQuestion')} onConfirm={() => status.mutate(0)} />
          ) : (
            <button type="button" className="button" onClick={() => status.mutate(1)}>
              {t('user.enable')}
            </button>
          )}
          {admin && (
            <button type="button" className="button secondary" onClick={() => realName.mutate(!u.is_real_name)}>
              {u.is_real_name ? t('user.unsetRealName') : t('user.setRealName')}
            </button>
          )}
          {admin && (
            <ConfirmButton label={t('user.rotateKey')} question={t('user.rotateQuestion')} onConfirm={() => rotate.mutate()} />
          )}
        </div>
        <ResetPassword userId={id} />
      </section>

      {admin && (
        <section className="panel" aria-labelledby="adjust">
          <h2 id="adjust">{t('user.adjust')}</h2>
          {adjust.error && !adjustErrors.amount_cents && !adjustErrors.reason && <ErrorNotice error={adjust.error} />}
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              adjust.mutate();
            }}
          >
            <Field label={t('user.amount')} hint={t('user.amountHint')} error={adjustErrors.amount_cents}>
              {(ids) => (
                <input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  type="number"
                  step="0.01"
                  required
                  value={amount}
                  onChange={(e) => setAmount(e.target.value)}
                />
              )}
            </Field>
            <Field label={t('user.reason')} error={adjustErrors.reason}>
              {(ids) => (
                <input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  required
                  maxLength={255}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
              )}
            </Field>
            <button type="submit" className="button" disabled={adjust.isPending}>
              {t('user.adjustButton')}
            </button>
          </form>
        </section>
      )}

      {admin && <GrantPackage userId={id} onGranted={refresh} />}

      <section className="panel" aria-labelledby="packages">
        <h2 id="packages">{t('user.packages', { count: d.packages_total })}</h2>
        <table className="plain">
          <caption className="visually-hidden">{t('user.packages', { count: d.packages_total })}</caption>
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">{t('user.packageTitle')}</th>
              <th scope="col">{t('catalogue.type')}</th>
              <th scope="col">{t('user.used')}</th>
              <th scope="col">{t('user.expires')}</th>
              <th scope="col">{t('users.status')}</th>
            </tr>
          </thead>
          <tbody>
            {d.packages.map((p) => (
              <tr key={p.id}>
                <td>{p.id}</td>
                <td>{p.title}</td>
                <td>{typeName(p.product_type)}</td>
                <td>
                  {p.total_bytes > 0
                    ? `${bytes(p.used_bytes)} / ${bytes(p.total_bytes)}`
                    : t('user.timePackage', { mbps: p.bandwidth_mbps, connections: p.concurrency })}
                </td>
                <td>{when(p.expires_at)}</td>
                <td>{p.status === 1 ? t('status.active') : t('status.withdrawn')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="ledger">
        <h2 id="ledger">{t('user.ledger', { count: d.ledger_total })}</h2>
        <table className="plain">
          <caption className="visually-hidden">{t('user.ledger', { count: d.ledger_total })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('user.when')}</th>
              <th scope="col">{t('user.amount')}</th>
              <th scope="col">{t('user.reason')}</th>
              <th scope="col">{t('users.balance')}</th>
            </tr>
          </thead>
          <tbody>
            {d.ledger.map((l) => (
              <tr key={l.id}>
                <td>{when(l.created_at)}</td>
                <td>{money(l.delta_cents)}</td>
                <td>
                  {l.reason}
                  {l.note ? `: ${l.note}` : ''}
                </td>
                <td>{money(l.balance_after_cents)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="panel" aria-labelledby="subaccounts">
        <h2 id="subaccounts">{t('user.subAccounts')}</h2>
        <ul>
          {d.sub_accounts.map((a) => (
            <li key={a.id}>
              {a.username} — {bytes(a.used_bytes)} — {a.status === 1 ? t('status.active') : t('status.disabled')}
            </li>
          ))}
        </ul>
      </section>

      <section className="panel" aria-labelledby="orders">
        <h2 id="orders">{t('user.orders', { count: d.orders_total })}</h2>
        <ul>
          {d.orders.map((o) => (
            <li key={o.id}>
              {o.trade_no} — {o.product_name} — {t(`order.status.${o.status}`)}
            </li>
          ))}
        </ul>
      </section>

      <section className="panel" aria-labelledby="ips">
        <h2 id="ips">{t('user.ips')}</h2>
        <ul>
          {d.white_ips.map((w) => (
            <li key={`w${w.id}`}>
              {t('user.whiteIp')}: {w.ip} {w.remark}
            </li>
          ))}
          {d.static_ips.map((s) => (
            <li key={`s${s.id}`}>
              {t('user.staticIp')}: {s.ip}:{s.port} ({s.country}) — {when(s.expired_at)}
            </li>
          ))}
        </ul>
      </section>

      <UserTeams userId={id} />
    </>
  );
}
