import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import { ConfirmButton } from '../../../shared/components/ConfirmButton.js';
import { useApi } from '../../api.js';
import { fieldErrors, Form, FormError, Input, MoneyInput } from '../../forms.js';

interface Tier {
  readonly id: number;
  readonly amount: number;
  readonly ratio: number;
}

/** Recharge gift tiers: change a tier's ratio, add a tier, remove one. */
export function GiftTiersSection(props: { admin: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const queries = useQueryClient();
  const tiers = useQuery({ queryKey: ['gift-tiers'], queryFn: () => unwrap(api.GET('/admin/gift-tiers')) });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['gift-tiers'] });
  const list = (tiers.data?.list ?? []) as readonly Tier[];
  return (
    <section className="panel" aria-labelledby="tiers">
      <h2 id="tiers">{t('catalogue.tiers')}</h2>
      <FormError error={tiers.error} fields={[]} />
      {list.map((g) =>
        props.admin ? (
          <TierForm key={`${g.id}-${g.ratio}`} tier={g} onSaved={refresh} />
        ) : (
          <p key={g.id}>{t('catalogue.tier', { amount: g.amount.toFixed(2), ratio: Math.round(g.ratio * 100) })}</p>
        ),
      )}
      {list.length === 0 && <p className="muted">{t('common.none')}</p>}
      {props.admin && <TierForm key={`new-${list.length}`} tier={undefined} onSaved={refresh} />}
    </section>
  );
}

/** One tier's ratio (PATCH), or a new tier's amount and ratio (POST). */
function TierForm(props: { tier: Tier | undefined; onSaved: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const g = props.tier;
  const [amount, setAmount] = useState(g ? g.amount.toFixed(2) : '');
  const [ratio, setRatio] = useState(g ? String(g.ratio) : '');
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        g
          ? api.PATCH('/admin/gift-tiers/{id}', { params: { path: { id: g.id } }, body: { ratio: ratio.trim() } })
          : api.POST('/admin/gift-tiers', { body: { amount: amount.trim(), ratio: ratio.trim() } }),
      ),
    onSuccess: props.onSaved,
  });
  const remove = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/admin/gift-tiers/{id}', { params: { path: { id } } })),
    onSuccess: props.onSaved,
  });
  const errors = fieldErrors(save.error);
  const label = g ? t('catalogue.tierFrom', { amount: g.amount.toFixed(2) }) : t('catalogue.addTier');
  return (
    <Form className="row" label={label} onSubmit={() => save.mutate()}>
      <FormError error={save.error ?? remove.error} fields={['amount', 'ratio']} />
      {g ? (
        <strong>{label}</strong>
      ) : (
        <MoneyInput
          label={t('catalogue.tierAmount')}
          value={amount}
          onChange={setAmount}
          min={0.01}
          required
          error={errors.amount}
        />
      )}
      <Input
        label={t('catalogue.ratio')}
        hint={t('catalogue.ratioHint')}
        value={ratio}
        onChange={setRatio}
        type="number"
        min={1}
        max={100}
        step="0.0001"
        required
        error={errors.ratio}
      />
      <button type="submit" className="button small" disabled={save.isPending}>
        {g ? t('common.save') : t('catalogue.addTierButton')}
      </button>
      {g && (
        <ConfirmButton
          label={t('common.delete')}
          question={t('catalogue.removeTierQuestion')}
          onConfirm={() => remove.mutate(g.id)}
        />
      )}
    </Form>
  );
}
