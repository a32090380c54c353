import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { VirtualTable } from '../../shared/components/VirtualTable.js';
import { useApi, useMe } from '../api.js';

/** Exit nodes: health, weight and geo; add, change the weight, enable/disable, remove. */
export function NodesPage() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const nodes = useQuery({ queryKey: ['nodes'], queryFn: () => unwrap(api.GET('/admin/nodes')) });
  const refresh = () => void queries.invalidateQueries({ queryKey: ['nodes'] });

  const toggle = useMutation({
    mutationFn: (n: { id: number; enabled: boolean }) =>
      unwrap(
        n.enabled
          ? api.POST('/admin/nodes/{id}/disable', { params: { path: { id: n.id } } })
          : api.POST('/admin/nodes/{id}/enable', { params: { path: { id: n.id } } }),
      ),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/admin/nodes/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const weigh = useMutation({
    mutationFn: (n: { id: number; weight: number }) =>
      unwrap(api.PATCH('/admin/nodes/{id}', { params: { path: { id: n.id } }, body: { weight: n.weight } })),
    onSuccess: refresh,
  });

  const [url, setUrl] = useState('');
  const [country, setCountry] = useState('US');
  const [city, setCity] = useState('');
  const [weight, setWeight] = useState('1');
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/admin/nodes', {
          body: { url, country, ...(city ? { city } : {}), weight: Number(weight), types: [9] },
        }),
      ),
    onSuccess: () => {
      setUrl('');
      refresh();
    },
  });
  const addErrors = add.error instanceof ApiError ? add.error.errors : {};
  const admin = me.role === 'admin';

  return (
    <>
      <h1>{t('nodes.title')}</h1>
      <ErrorNotice error={nodes.error ?? toggle.error ?? remove.error ?? weigh.error} />
      <VirtualTable
        caption={t('nodes.title')}
        rows={nodes.data?.list ?? []}
        rowKey={(n) => n.id}
        rowHeight={44}
        empty={nodes.isLoading ? t('common.loading') : t('common.none')}
        columns={[
          { key: 'id', header: 'ID', cell: (n) => n.id },
          { key: 'url', header: t('nodes.url'), cell: (n) => n.url },
          { key: 'geo', header: t('nodes.geo'), cell: (n) => [n.country, n.state, n.city].filter(Boolean).join(' / ') },
          {
            key: 'weight',
            header: t('nodes.weight'),
            cell: (n) =>
              admin ? (
                <input
                  type="number"
                  min="1"
                  aria-label={t('nodes.weightOf', { id: n.id })}
                  defaultValue={n.weight}
                  onBlur={(e) => {
                    const w = Number(e.target.value);
                    if (w !== n.weight) weigh.mutate({ id: n.id, weight: w });
                  }}
                />
              ) : (
                n.weight
              ),
          },
          {
            key: 'state',
            header: t('nodes.state'),
            cell: (n) =>
              !n.enabled
                ? t('nodes.disabled')
                : n.healthy === false
                  ? t('nodes.unhealthy')
                  : n.healthy
                    ? t('nodes.healthy')
                    : t('nodes.enabled'),
          },
          {
            key: 'actions',
            header: t('nodes.actions'),
            cell: (n) =>
              admin ? (
                <span className="row">
                  <button
                    type="button"
                    className="button secondary small"
                    aria-label={`${n.enabled ? t('nodes.disable') : t('nodes.enable')} ${n.id}`}
                    onClick={() => toggle.mutate({ id: n.id, enabled: n.enabled })}
                  >
                    {n.enabled ? t('nodes.disable') : t('nodes.enable')}
                  </button>
                  <ConfirmButton
                    label={t('common.delete')}
                    question={t('nodes.removeQuestion')}
                    onConfirm={() => remove.mutate(n.id)}
                  />
                </span>
              ) : null,
          },
        ]}
      />
      {admin && (
        <section className="panel" aria-labelledby="add-node">
          <h2 id="add-node">{t('nodes.add')}</h2>
          {add.error && Object.keys(addErrors).length === 0 && <ErrorNotice error={add.error} />}
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              add.mutate();
            }}
          >
            <Field label={t('nodes.url')} hint={t('nodes.urlHint')} error={addErrors.url}>
              {(ids) => (
                <input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  required
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                />
              )}
            </Field>
            <Field label={t('nodes.country')} error={addErrors.country}>
              {(ids) => (
                <input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  required
                  maxLength={2}
                  size={3}
                  value={country}
                  onChange={(e) => setCountry(e.target.value.toUpperCase())}
                />
              )}
            </Field>
            <Field label={t('nodes.city')} error={addErrors.city}>
              {(ids) => (
                <input id={ids.id} aria-describedby={ids.describedBy} value={city} onChange={(e) => setCity(e.target.value)} />
              )}
            </Field>
            <Field label={t('nodes.weight')} error={addErrors.weight}>
              {(ids) => (
                <input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  type="number"
                  min="1"
                  value={weight}
                  onChange={(e) => setWeight(e.target.value)}
                />
              )}
            </Field>
            <button type="submit" className="button" disabled={add.isPending}>
              {t('nodes.addButton')}
            </button>
          </form>
        </section>
      )}
    </>
  );
}
