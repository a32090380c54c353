import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import { ConfirmButton } from '../../../shared/components/ConfirmButton.js';
import { Notice } from '../../../shared/components/Notice.js';
import { PlainTable } from '../../table.js';
import { useApi } from '../../api.js';
import { Check, CountInput, fieldErrors, Form, FormError, Input, MoneyInput, numberOrUndefined, Select } from '../../forms.js';
import { PRODUCT_DESCRIPTION_MAX, PRODUCT_TITLE_MAX } from '../../limits.js';
import { type ProductType, productKind, SOLD_TYPES, TypeOptions, useTypeName } from '../../product-types.js';
import { SkuEditor } from './Skus.js';

const GB = 1024 ** 3;

export interface Product {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly product_type: number;
  readonly price: number;
  readonly unit_bytes: number;
  readonly unit_days: number;
  readonly enabled: boolean;
  readonly skus: readonly { id: number; kind: string; title: string; value: number; price: number }[];
}

/** Which fields a product of the type has (the API's rules: src/billing/catalogue). */
function shapeOf(type: number) {
  const provisions = productKind(type)?.provisions;
  return {
    price: provisions !== 'balance',
    unitGb: provisions === 'traffic-package',
    unitDays: provisions !== 'balance',
    skus: provisions === 'time-package',
  };
}

/** Products: the list, create, edit (title, type, price, units, enabled) and the SKUs of time packages. */
export function ProductsSection(props: { admin: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const queries = useQueryClient();
  const typeName = useTypeName();
  const products = useQuery({ queryKey: ['products'], queryFn: () => unwrap(api.GET('/admin/products')) });
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const reload = () => queries.invalidateQueries({ queryKey: ['products'] });
  const refresh = () => void reload();
  const toggle = useMutation({
    mutationFn: (p: Product) =>
      unwrap(api.PATCH('/admin/products/{id}', { params: { path: { id: p.id } }, body: { enabled: !p.enabled } })),
    onSuccess: refresh,
  });
  const list = (products.data?.list ?? []) as readonly Product[];
  const current = typeof editing === 'number' ? list.find((p) => p.id === editing) : undefined;

  return (
    <section className="panel" aria-labelledby="products">
      <h2 id="products">{t('catalogue.products')}</h2>
      <FormError error={products.error ?? toggle.error} fields={[]} />
      <PlainTable
        caption={t('catalogue.products')}
        headers={[
          'ID',
          t('catalogue.name'),
          t('catalogue.type'),
          t('catalogue.price'),
          t('catalogue.unit'),
          t('catalogue.skus'),
          t('users.status'),
          t('nodes.actions'),
        ]}
      >
        {list.map((p) => (
          <tr key={p.id}>
            <td>{p.id}</td>
            <td>{p.title}</td>
            <td>{typeName(p.product_type)}</td>
            <td>{p.price.toFixed(2)}</td>
            <td>
              {[
                p.unit_bytes > 0 ? `${+(p.unit_bytes / GB).toFixed(3)} GB` : '',
                p.unit_days > 0 ? t('catalogue.days', { count: p.unit_days }) : '',
              ]
                .filter(Boolean)
                .join(' / ')}
            </td>
            <td>{p.skus.map((s) => `${s.title || s.kind} ${s.value} (+${s.price.toFixed(2)})`).join(', ')}</td>
            <td>{p.enabled ? t('status.active') : t('status.disabled')}</td>
            <td>
              {props.admin && (
                <span className="row">
                  <button
                    type="button"
                    className="button secondary small"
                    aria-label={t('catalogue.editProduct', { id: p.id })}
                    onClick={() => setEditing(p.id)}
                  >
                    {t('common.edit')}
                  </button>
                  {p.enabled ? (
                    <ConfirmButton
                      label={t('catalogue.disable')}
                      question={t('catalogue.disableQuestion')}
                      onConfirm={() => toggle.mutate(p)}
                    />
                  ) : (
                    <button type="button" className="button secondary small" onClick={() => toggle.mutate(p)}>
                      {t('catalogue.enable')}
                    </button>
                  )}
                </span>
              )}
            </td>
          </tr>
        ))}
      </PlainTable>
      {props.admin && editing === null && (
        <button type="button" className="button" onClick={() => setEditing('new')}>
          {t('catalogue.addProduct')}
        </button>
      )}
      {props.admin && editing !== null && (
        <ProductForm
          key={current ? `product-${current.id}` : String(editing)}
          product={current}
          onDone={(id) => {
            // The saved product is edited next (a new time package: its SKUs), once the list has it.
            void reload().then(() => setEditing(id));
          }}
          onClose={() => setEditing(null)}
        />
      )}
      {props.admin && current && shapeOf(current.product_type).skus && <SkuEditor product={current} onChanged={refresh} />}
    </section>
  );
}

/** Create a product (no `product`) or edit one: the fields its type has, the API's reasons beside them. */
function ProductForm(props: { product: Product | undefined; onDone: (id: number) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const p = props.product;
  const [title, setTitle] = useState(p?.title ?? '');
  const [type, setType] = useState(String(p?.product_type ?? SOLD_TYPES.find((x) => x === 9) ?? SOLD_TYPES[0]));
  const [description, setDescription] = useState(p?.description ?? '');
  const [price, setPrice] = useState(p ? p.price.toFixed(2) : '');
  const [unitGb, setUnitGb] = useState(p && p.unit_bytes > 0 ? String(+(p.unit_bytes / GB).toFixed(6)) : '');
  const [unitDays, setUnitDays] = useState(p && p.unit_days > 0 ? String(p.unit_days) : '30');
  const [enabled, setEnabled] = useState(p?.enabled ?? true);
  const shape = shapeOf(Number(type));
  const save = useMutation({
    mutationFn: () => {
      const body = {
        title,
        product_type: Number(type) as ProductType,
        description,
        enabled,
        ...(shape.price && price.trim() !== '' ? { price: price.trim() } : {}),
        ...(shape.unitGb ? { unit_gb: numberOrUndefined(unitGb) } : { unit_bytes: 0 }),
        ...(shape.unitDays ? { unit_days: numberOrUndefined(unitDays) } : { unit_days: 0 }),
      };
      return unwrap(
        p ? api.PATCH('/admin/products/{id}', { params: { path: { id: p.id } }, body }) : api.POST('/admin/products', { body }),
      );
    },
    onSuccess: (saved) => props.onDone(saved.id),
  });
  const errors = fieldErrors(save.error);
  const fields = ['title', 'product_type', 'description', 'price', 'unit_gb', 'unit_bytes', 'unit_days'];
  return (
    <Form
      className="subpanel"
      label={p ? t('catalogue.editProduct', { id: p.id }) : t('catalogue.addProduct')}
      onSubmit={() => save.mutate()}
    >
      <h3>{p ? t('catalogue.editProduct', { id: p.id }) : t('catalogue.addProduct')}</h3>
      {save.isSuccess && <Notice kind="success">{t('common.saved')}</Notice>}
      <FormError error={save.error} fields={fields} />
      <div className="row">
        <Input
          label={t('catalogue.name')}
          value={title}
          onChange={setTitle}
          required
          maxLength={PRODUCT_TITLE_MAX}
          error={errors.title}
        />
        <Select label={t('catalogue.type')} value={type} onChange={setType} error={errors.product_type}>
          <TypeOptions types={SOLD_TYPES} />
        </Select>
        {shape.price && (
          <MoneyInput
            label={t('catalogue.price')}
            hint={t('catalogue.moneyHint')}
            value={price}
            onChange={setPrice}
            required
            error={errors.price}
          />
        )}
        {shape.unitGb && (
          <Input
            label={t('catalogue.unitGb')}
            value={unitGb}
            onChange={setUnitGb}
            type="number"
            min={0}
            step="any"
            required
            error={errors.unit_gb ?? errors.unit_bytes}
          />
        )}
        {shape.unitDays && (
          <CountInput label={t('catalogue.unitDays')} value={unitDays} onChange={setUnitDays} required error={errors.unit_days} />
        )}
      </div>
      <Input
        label={t('catalogue.description')}
        value={description}
        onChange={setDescription}
        maxLength={PRODUCT_DESCRIPTION_MAX}
        error={errors.description}
      />
      <div className="row">
        <Check label={t('catalogue.enabled')} checked={enabled} onChange={setEnabled} />
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
