import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import { ConfirmButton } from '../../../shared/components/ConfirmButton.js';
import { Notice } from '../../../shared/components/Notice.js';
import { PlainTable } from '../../table.js';
import { useApi } from '../../api.js';
import { CountInput, fieldErrors, Form, FormError, Input, MoneyInput, Select } from '../../forms.js';
import { PAYMENT_SORT_MAX, PAYMENT_TITLE_MAX, PAYMENT_URL_MAX } from '../../limits.js';

interface Method {
  readonly id: number;
  readonly kind: 'balance' | 'external' | 'manual';
  readonly title: string;
  readonly group_name: string;
  readonly pay_url: string;
  readonly disabled: boolean;
  readonly min: number;
  readonly max: number;
  readonly sort: number;
  readonly has_secret: boolean;
}

/**
 * Payment methods: enable/disable, edit the settings, add an external or manual one, rotate an external one's
 * signing secret. A secret is never read back: only the answer of add/rotate carries it, shown once.
 */
export function PaymentMethodsSection(props: { admin: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const queries = useQueryClient();
  const methods = useQuery({ queryKey: ['payment-methods'], queryFn: () => unwrap(api.GET('/admin/payment-methods')) });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['payment-methods'] });
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const toggle = useMutation({
    mutationFn: (m: Method) =>
      unwrap(api.PATCH('/admin/payment-methods/{id}', { params: { path: { id: m.id } }, body: { disabled: !m.disabled } })),
    onSuccess: refresh,
  });
  const rotate = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/admin/payment-methods/{id}/rotate-secret', { params: { path: { id } }, body: {} })),
    onSuccess: (r) => {
      setSecret(r.secret);
      refresh();
    },
  });
  const list = (methods.data?.list ?? []) as readonly Method[];
  const current = typeof editing === 'number' ? list.find((m) => m.id === editing) : undefined;
  return (
    <section className="panel" aria-labelledby="methods">
      <h2 id="methods">{t('catalogue.methods')}</h2>
      <FormError error={methods.error ?? toggle.error ?? rotate.error} fields={[]} />
      {secret && (
        <Notice kind="success">
          {t('catalogue.secretOnce')} <code>{secret}</code>
        </Notice>
      )}
      <PlainTable
        caption={t('catalogue.methods')}
        headers={[
          'ID',
          t('catalogue.name'),
          t('catalogue.methodKind'),
          t('catalogue.limits'),
          t('catalogue.secret'),
          t('users.status'),
          t('nodes.actions'),
        ]}
      >
        {list.map((m) => (
          <tr key={m.id}>
            <td>{m.id}</td>
            <td>{m.title}</td>
            <td>{t(`catalogue.methodKind.${m.kind}`)}</td>
            <td>
              {m.min.toFixed(2)} – {m.max > 0 ? m.max.toFixed(2) : '∞'}
            </td>
            <td>{m.kind === 'external' ? (m.has_secret ? t('catalogue.secretSet') : t('catalogue.secretMissing')) : '—'}</td>
            <td>{m.disabled ? t('status.disabled') : t('status.active')}</td>
            <td>
              {props.admin && (
                <span className="row">
                  <button
                    type="button"
                    className="button secondary small"
                    aria-label={`${m.disabled ? t('nodes.enable') : t('nodes.disable')} ${m.title}`}
                    onClick={() => toggle.mutate(m)}
                  >
                    {m.disabled ? t('nodes.enable') : t('nodes.disable')}
                  </button>
                  {m.kind !== 'balance' && (
                    <button
                      type="button"
                      className="button secondary small"
                      aria-label={t('catalogue.editMethod', { title: m.title })}
                      onClick={() => setEditing(m.id)}
                    >
                      {t('common.edit')}
                    </button>
                  )}
                  {m.kind === 'external' && (
                    <ConfirmButton
                      label={t('catalogue.rotateSecret')}
                      question={t('catalogue.rotateSecretQuestion')}
                      onConfirm={() => rotate.mutate(m.id)}
                    />
                  )}
                </span>
              )}
            </td>
          </tr>
        ))}
      </PlainTable>
      {props.admin && editing === null && (
        <button type="button" className="button" onClick={() => setEditing('new')}>
          {t('catalogue.addMethod')}
        </button>
      )}
      {props.admin && editing !== null && (
        <MethodForm
          key={String(editing)}
          method={current}
          onSaved={(shown) => {
            if (shown) setSecret(shown);
            setEditing(null);
            refresh();
          }}
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  );
}

function MethodForm(props: { method: Method | undefined; onSaved: (secret: string | null) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const m = props.method;
  const [kind, setKind] = useState<'external' | 'manual'>(m?.kind === 'manual' ? 'manual' : 'external');
  const [title, setTitle] = useState(m?.title ?? '');
  const [groupName, setGroupName] = useState(m?.group_name ?? '');
  const [payUrl, setPayUrl] = useState(m?.pay_url ?? '');
  const [min, setMin] = useState(m ? m.min.toFixed(2) : '0');
  const [max, setMax] = useState(m ? m.max.toFixed(2) : '0');
  const [sort, setSort] = useState(String(m?.sort ?? 0));
  const save = useMutation({
    mutationFn: async () => {
      const fields = { title, group_name: groupName, pay_url: payUrl, min: min.trim(), max: max.trim(), sort: Number(sort) };
      if (m) {
        await unwrap(api.PATCH('/admin/payment-methods/{id}', { params: { path: { id: m.id } }, body: fields }));
        return null;
      }
      return (await unwrap(api.POST('/admin/payment-methods', { body: { kind, ...fields } }))).secret;
    },
    onSuccess: props.onSaved,
  });
  const errors = fieldErrors(save.error);
  const name = m ? t('catalogue.editMethod', { title: m.title }) : t('catalogue.addMethod');
  return (
    <Form className="subpanel" label={name} onSubmit={() => save.mutate()}>
      <h3>{name}</h3>
      {save.isSuccess && <Notice kind="success">{t('common.saved')}</Notice>}
      <FormError error={save.error} fields={['kind', 'title', 'group_name', 'pay_url', 'min', 'max', 'sort']} />
      <div className="row">
        {!m && (
          <Select
            label={t('catalogue.methodKind')}
            value={kind}
            onChange={(v) => setKind(v === 'manual' ? 'manual' : 'external')}
            error={errors.kind}
          >
            <option value="external">{t('catalogue.methodKind.external')}</option>
            <option value="manual">{t('catalogue.methodKind.manual')}</option>
          </Select>
        )}
        <Input
          label={t('catalogue.name')}
          value={title}
          onChange={setTitle}
          required
          maxLength={PAYMENT_TITLE_MAX}
          error={errors.title}
        />
        <Input
          label={t('catalogue.groupName')}
          value={groupName}
          onChange={setGroupName}
          maxLength={PAYMENT_TITLE_MAX}
          error={errors.group_name}
        />
        <MoneyInput label={t('catalogue.min')} value={min} onChange={setMin} error={errors.min} />
        <MoneyInput label={t('catalogue.max')} hint={t('catalogue.maxHint')} value={max} onChange={setMax} error={errors.max} />
        <CountInput
          label={t('catalogue.sort')}
          value={sort}
          onChange={setSort}
          min={-PAYMENT_SORT_MAX}
          max={PAYMENT_SORT_MAX}
          error={errors.sort}
        />
      </div>
      <Input
        label={t('catalogue.payUrl')}
        hint={t('catalogue.payUrlHint')}
        value={payUrl}
        onChange={setPayUrl}
        maxLength={PAYMENT_URL_MAX}
        error={errors.pay_url}
      />
      <p className="muted">{t('catalogue.secretNote')}</p>
      <div className="row">
        <button type="submit" className="button" disabled={save.isPending}>
          {t('common.save')}
        </button>
        <button type="button" className="button secondary" onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
    </Form>
  );
}
