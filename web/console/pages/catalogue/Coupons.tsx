import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import { ConfirmButton } from '../../../shared/components/ConfirmButton.js';
import { Notice } from '../../../shared/components/Notice.js';
import { PlainTable } from '../../table.js';
import { useApi, when } from '../../api.js';
import {
  CountInput,
  fieldErrors,
  Form,
  FormError,
  Input,
  MoneyInput,
  numberOrUndefined,
  Select,
  textOrUndefined,
} from '../../forms.js';
import { COUPON_CODE_MAX, COUPON_KINDS, COUPON_NAME_MAX } from '../../limits.js';

interface Coupon {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly kind: string;
  readonly discount: number;
  readonly expire_time: string;
  readonly used_count: number;
  readonly max_uses: number;
  readonly product_ids: readonly number[];
  readonly enabled: boolean;
}

/** `1, 2,3` as product ids; undefined when empty (all products). */
function idsOf(text: string): number[] | undefined {
  const parts = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return parts.length === 0 ? undefined : parts.map(Number);
}

/** A datetime-local value (the browser's zone) as ISO 8601 with its zone, as the API wants. */
function isoOf(local: string): string {
  const ms = Date.parse(local);
  return Number.isNaN(ms) ? local : new Date(ms).toISOString();
}

/** Coupons: the list with uses and expiry, create one, disable/enable. */
export function CouponsSection(props: { admin: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const queries = useQueryClient();
  const coupons = useQuery({ queryKey: ['coupons'], queryFn: () => unwrap(api.GET('/admin/coupons')) });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['coupons'] });
  const toggle = useMutation({
    mutationFn: (c: Coupon) =>
      unwrap(api.PATCH('/admin/coupons/{id}', { params: { path: { id: c.id } }, body: { enabled: !c.enabled } })),
    onSuccess: refresh,
  });
  const list = (coupons.data?.list ?? []) as readonly Coupon[];
  return (
    <section className="panel" aria-labelledby="coupons">
      <h2 id="coupons">{t('catalogue.coupons')}</h2>
      <FormError error={coupons.error ?? toggle.error} fields={[]} />
      <PlainTable
        caption={t('catalogue.coupons')}
        headers={[
          t('catalogue.code'),
          t('catalogue.name'),
          t('catalogue.discount'),
          t('catalogue.expiresAt'),
          t('catalogue.uses'),
          t('catalogue.productIds'),
          t('users.status'),
          t('nodes.actions'),
        ]}
      >
        {list.map((c) => (
          <tr key={c.id}>
            <td>
              <code>{c.code}</code>
            </td>
            <td>{c.name}</td>
            <td>{c.kind === 'percent' ? `${c.discount} %` : c.discount.toFixed(2)}</td>
            <td>{when(c.expire_time)}</td>
            <td>
              {c.used_count}/{c.max_uses || '∞'}
            </td>
            <td>{c.product_ids.length > 0 ? c.product_ids.join(', ') : t('catalogue.allProducts')}</td>
            <td>{c.enabled ? t('status.active') : t('status.disabled')}</td>
            <td>
              {props.admin &&
                (c.enabled ? (
                  <ConfirmButton
                    label={`${t('nodes.disable')} ${c.code}`}
                    question={t('catalogue.disableCouponQuestion')}
                    onConfirm={() => toggle.mutate(c)}
                  />
                ) : (
                  <button type="button" className="button secondary small" onClick={() => toggle.mutate(c)}>
                    {`${t('nodes.enable')} ${c.code}`}
                  </button>
                ))}
            </td>
          </tr>
        ))}
      </PlainTable>
      {list.length === 0 && <p className="muted">{t('common.none')}</p>}
      {props.admin && <CouponForm onSaved={refresh} />}
    </section>
  );
}

function CouponForm(props: { onSaved: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('percent');
  const [discount, setDiscount] = useState('');
  const [expires, setExpires] = useState('');
  const [minFee, setMinFee] = useState('');
  const [maxUses, setMaxUses] = useState('');
  const [productIds, setProductIds] = useState('');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/admin/coupons', {
          body: {
            code: code.trim(),
            kind: kind as (typeof COUPON_KINDS)[number],
            discount: discount.trim(),
            expire_time: isoOf(expires),
            ...(textOrUndefined(name) !== undefined ? { name: name.trim() } : {}),
            ...(textOrUndefined(minFee) !== undefined ? { min_fee: minFee.trim() } : {}),
            ...(numberOrUndefined(maxUses) !== undefined ? { max_uses: Number(maxUses) } : {}),
            ...(idsOf(productIds) !== undefined ? { product_ids: idsOf(productIds) } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setCode('');
      props.onSaved();
    },
  });
  const errors = fieldErrors(save.error);
  return (
    <Form className="subpanel" label={t('catalogue.addCoupon')} onSubmit={() => save.mutate()}>
      <h3>{t('catalogue.addCoupon')}</h3>
      {save.isSuccess && <Notice kind="success">{t('common.saved')}</Notice>}
      <FormError
        error={save.error}
        fields={['code', 'name', 'kind', 'discount', 'expire_time', 'min_fee', 'max_uses', 'product_ids']}
      />
      <div className="row">
        <Input
          label={t('catalogue.code')}
          hint={t('catalogue.codeHint')}
          value={code}
          onChange={setCode}
          required
          maxLength={COUPON_CODE_MAX}
          pattern="[A-Za-z0-9_\-]+"
          error={errors.code}
        />
        <Input label={t('catalogue.name')} value={name} onChange={setName} maxLength={COUPON_NAME_MAX} error={errors.name} />
        <Select label={t('catalogue.couponKind')} value={kind} onChange={setKind} error={errors.kind}>
          {COUPON_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`catalogue.couponKind.${k}`)}
            </option>
          ))}
        </Select>
        <MoneyInput
          label={t('catalogue.discount')}
          hint={kind === 'percent' ? t('catalogue.percentHint') : t('catalogue.moneyHint')}
          value={discount}
          onChange={setDiscount}
          min={0.01}
          max={kind === 'percent' ? 100 : undefined}
          required
          error={errors.discount}
        />
        <Input
          label={t('catalogue.expiresAt')}
          value={expires}
          onChange={setExpires}
          type="datetime-local"
          required
          error={errors.expire_time}
        />
      </div>
      <div className="row">
        <MoneyInput label={t('catalogue.minFee')} value={minFee} onChange={setMinFee} error={errors.min_fee} />
        <CountInput
          label={t('catalogue.maxUses')}
          hint={t('catalogue.maxUsesHint')}
          value={maxUses}
          onChange={setMaxUses}
          min={0}
          error={errors.max_uses}
        />
        <Input
          label={t('catalogue.productIds')}
          hint={t('catalogue.productIdsHint')}
          value={productIds}
          onChange={setProductIds}
          error={errors.product_ids}
        />
        <button type="submit" className="button" disabled={save.isPending}>
          {t('catalogue.addCouponButton')}
        </button>
      </div>
    </Form>
  );
}
