import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import { ConfirmButton } from '../../../shared/components/ConfirmButton.js';
import { useApi } from '../../api.js';
import { CountInput, fieldErrors, Form, FormError, Input, MoneyInput, Select } from '../../forms.js';
import { BANDWIDTH_MBPS_MAX, PRODUCT_TITLE_MAX, SKU_KINDS } from '../../limits.js';
import type { Product } from './Products.js';

type Sku = Product['skus'][number];
type SkuKind = (typeof SKU_KINDS)[number];

/** The options of a time-package product: each editable (title, value, price) or removable; add one. */
export function SkuEditor(props: { product: Product; onChanged: () => void }) {
  const { t } = useTranslation();
  const p = props.product;
  return (
    <section className="subpanel" aria-labelledby={`skus-${p.id}`}>
      <h3 id={`skus-${p.id}`}>{t('catalogue.skusOf', { title: p.title })}</h3>
      {p.skus.map((s) => (
        <SkuRow key={s.id} productId={p.id} sku={s} onChanged={props.onChanged} />
      ))}
      {p.skus.length === 0 && <p className="muted">{t('common.none')}</p>}
      <SkuRow key={`new-${p.skus.length}`} productId={p.id} sku={undefined} onChanged={props.onChanged} />
    </section>
  );
}

/** One SKU's form: PATCH an existing one, or POST a new one (`sku` undefined). */
function SkuRow(props: { productId: number; sku: Sku | undefined; onChanged: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const s = props.sku;
  const [kind, setKind] = useState<string>(s?.kind ?? 'bandwidth');
  const [title, setTitle] = useState(s?.title ?? '');
  const [value, setValue] = useState(s ? String(s.value) : '');
  const [price, setPrice] = useState(s ? s.price.toFixed(2) : '');
  const path = { id: props.productId };
  const save = useMutation({
    mutationFn: () => {
      const body = { kind: kind as SkuKind, title, value: Number(value), price: price.trim() };
      return unwrap(
        s
          ? api.PATCH('/admin/products/{id}/skus/{sku_id}', { params: { path: { ...path, sku_id: s.id } }, body })
          : api.POST('/admin/products/{id}/skus', { params: { path }, body }),
      );
    },
    onSuccess: props.onChanged,
  });
  const remove = useMutation({
    mutationFn: (skuId: number) =>
      unwrap(api.DELETE('/admin/products/{id}/skus/{sku_id}', { params: { path: { ...path, sku_id: skuId } } })),
    onSuccess: props.onChanged,
  });
  const errors = fieldErrors(save.error);
  const label = s ? t('catalogue.sku', { id: s.id }) : t('catalogue.addSku');
  return (
    <Form className="row" label={label} onSubmit={() => save.mutate()}>
      <FormError error={save.error ?? remove.error} fields={['kind', 'title', 'value', 'price']} />
      <Select label={t('catalogue.skuKind')} value={kind} onChange={setKind} error={errors.kind}>
        {SKU_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`catalogue.skuKind.${k}`)}
          </option>
        ))}
      </Select>
      <Input
        label={t('catalogue.skuTitle')}
        value={title}
        onChange={setTitle}
        maxLength={PRODUCT_TITLE_MAX}
        error={errors.title}
      />
      <CountInput
        label={t('catalogue.skuValue')}
        hint={t('catalogue.skuValueHint')}
        value={value}
        onChange={setValue}
        max={BANDWIDTH_MBPS_MAX}
        required
        error={errors.value}
      />
      <MoneyInput label={t('catalogue.skuPrice')} value={price} onChange={setPrice} required error={errors.price} />
      <button type="submit" className="button small" disabled={save.isPending}>
        {s ? t('common.save') : t('catalogue.addSkuButton')}
      </button>
      {s && (
        <ConfirmButton
          label={t('common.delete')}
          question={t('catalogue.removeSkuQuestion')}
          onConfirm={() => remove.mutate(s.id)}
        />
      )}
    </Form>
  );
}
