import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import type { paths } from '../../../shared/api/schema.js';
import { Notice } from '../../../shared/components/Notice.js';
import { useApi } from '../../api.js';
import { CountInput, CountryInput, fieldErrors, Form, FormError, Input, Select, textOrUndefined } from '../../forms.js';
import { STATIC_IP_TYPES, TypeOptions } from '../../product-types.js';

type StaticType = paths['/admin/static-ips']['post']['requestBody']['content']['application/json']['product_type'];

/** Add an address to the inventory: ip, port, geo, type, and optionally where its traffic leaves. */
export function AddStaticIp(props: { onSaved: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [ip, setIp] = useState('');
  const [port, setPort] = useState('');
  const [country, setCountry] = useState('US');
  const [city, setCity] = useState('');
  const [type, setType] = useState(String(STATIC_IP_TYPES[0] ?? 14));
  const [url, setUrl] = useState('');
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/admin/static-ips', {
          body: {
            ip: ip.trim(),
            port: Number(port),
            country,
            product_type: Number(type) as StaticType,
            ...(textOrUndefined(city) !== undefined ? { city: city.trim() } : {}),
            ...(textOrUndefined(url) !== undefined ? { url: url.trim() } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setIp('');
      setUrl('');
      props.onSaved();
    },
  });
  const errors = fieldErrors(add.error);
  return (
    <Form className="subpanel" label={t('static.add')} onSubmit={() => add.mutate()}>
      <h2>{t('static.add')}</h2>
      {add.isSuccess && <Notice kind="success">{t('common.saved')}</Notice>}
      <FormError error={add.error} fields={['ip', 'port', 'country', 'city', 'product_type', 'url']} />
      <div className="row">
        <Input label={t('static.ip')} value={ip} onChange={setIp} required maxLength={45} error={errors.ip} />
        <CountInput label={t('nodes.port')} value={port} onChange={setPort} max={65535} required error={errors.port} />
        <CountryInput label={t('nodes.country')} value={country} onChange={setCountry} error={errors.country} />
        <Input label={t('nodes.city')} value={city} onChange={setCity} maxLength={64} error={errors.city} />
        <Select label={t('catalogue.type')} value={type} onChange={setType} error={errors.product_type}>
          <TypeOptions types={STATIC_IP_TYPES} />
        </Select>
      </div>
      <Input
        label={t('static.exitUrl')}
        hint={t('static.exitUrlHint')}
        value={url}
        onChange={setUrl}
        maxLength={512}
        error={errors.url}
      />
      <button type="submit" className="button">
        {t('static.addButton')}
      </button>
    </Form>
  );
}

/** Give a user free addresses of a country and type for some days (all or none). */
export function AllocateStaticIps(props: { onSaved: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [userId, setUserId] = useState('');
  const [country, setCountry] = useState('US');
  const [type, setType] = useState(String(STATIC_IP_TYPES[0] ?? 14));
  const [count, setCount] = useState('1');
  const [days, setDays] = useState('30');
  const allocate = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/admin/users/{id}/static-ips', {
          params: { path: { id: Number(userId) } },
          body: { country, product_type: Number(type) as StaticType, count: Number(count), days: Number(days) },
        }),
      ),
    onSuccess: props.onSaved,
  });
  const errors = fieldErrors(allocate.error);
  return (
    <Form className="subpanel" label={t('static.allocate')} onSubmit={() => allocate.mutate()}>
      <h2>{t('static.allocate')}</h2>
      {allocate.data && (
        <Notice kind="success">
          {t('static.allocated', { ips: allocate.data.list.map((a) => `${a.ip}:${a.port}`).join(', ') })}
        </Notice>
      )}
      <FormError error={allocate.error} fields={['id', 'country', 'product_type', 'count', 'days']} />
      <div className="row">
        <CountInput label={t('orders.userId')} value={userId} onChange={setUserId} required error={errors.id} />
        <CountryInput label={t('nodes.country')} value={country} onChange={setCountry} error={errors.country} />
        <Select label={t('catalogue.type')} value={type} onChange={setType} error={errors.product_type}>
          <TypeOptions types={STATIC_IP_TYPES} />
        </Select>
        <CountInput label={t('static.count')} value={count} onChange={setCount} required error={errors.count} />
        <CountInput label={t('user.days')} value={days} onChange={setDays} required error={errors.days} />
        <button type="submit" className="button">
          {t('static.allocateButton')}
        </button>
      </div>
    </Form>
  );
}
