import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import { Notice } from '../../../shared/components/Notice.js';
import type { paths } from '../../../shared/api/schema.js';
import { useApi } from '../../api.js';
import { CountInput, fieldErrors, Form, FormError, Input, Select } from '../../forms.js';
import { BANDWIDTH_MBPS_MAX, CONCURRENCY_MAX, PACKAGE_DAYS_MAX } from '../../limits.js';
import { PACKAGE_TYPES, productKind, TypeOptions } from '../../product-types.js';

type GrantBody = paths['/admin/users/{id}/packages']['post']['requestBody']['content']['application/json'];

/**
 * Grant a package of any package type the registry has: a traffic package (size in GB) or a time package
 * (bandwidth and concurrency), valid for some days.
 */
export function GrantPackage(props: { userId: number; onGranted: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [type, setType] = useState(String(PACKAGE_TYPES[0] ?? 9));
  const [gb, setGb] = useState('10');
  const [bandwidth, setBandwidth] = useState('10');
  const [concurrency, setConcurrency] = useState('10');
  const [days, setDays] = useState('30');
  const traffic = productKind(Number(type))?.provisions === 'traffic-package';
  const grant = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/admin/users/{id}/packages', {
          params: { path: { id: props.userId } },
          body: {
            product_type: Number(type) as GrantBody['product_type'],
            days: Number(days),
            ...(traffic ? { gb: Number(gb) } : { bandwidth_mbps: Number(bandwidth), concurrency: Number(concurrency) }),
          },
        }),
      ),
    onSuccess: props.onGranted,
  });
  const errors = fieldErrors(grant.error);
  return (
    <section className="panel" aria-labelledby="grant">
      <h2 id="grant">{t('user.grant')}</h2>
      {grant.isSuccess && <Notice kind="success">{t('user.granted')}</Notice>}
      <FormError error={grant.error} fields={['product_type', 'gb', 'bandwidth_mbps', 'concurrency', 'days']} />
      <Form className="row" onSubmit={() => grant.mutate()}>
        <Select label={t('catalogue.type')} value={type} onChange={setType} error={errors.product_type}>
          <TypeOptions types={PACKAGE_TYPES} />
        </Select>
        {traffic ? (
          <Input
            label={t('user.gb')}
            value={gb}
            onChange={setGb}
            type="number"
            min="0.001"
            step="any"
            required
            error={errors.gb}
          />
        ) : (
          <>
            <CountInput
              label={t('user.bandwidth')}
              value={bandwidth}
              onChange={setBandwidth}
              max={BANDWIDTH_MBPS_MAX}
              required
              error={errors.bandwidth_mbps}
            />
            <CountInput
              label={t('user.concurrency')}
              value={concurrency}
              onChange={setConcurrency}
              max={CONCURRENCY_MAX}
              required
              error={errors.concurrency}
            />
          </>
        )}
        <CountInput label={t('user.days')} value={days} onChange={setDays} max={PACKAGE_DAYS_MAX} required error={errors.days} />
        <button type="submit" className="button" disabled={grant.isPending}>
          {t('user.grantButton')}
        </button>
      </Form>
    </section>
  );
}
