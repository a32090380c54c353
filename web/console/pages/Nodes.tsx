import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { VirtualTable } from '../../shared/components/VirtualTable.js';
import { useApi, useMe } from '../api.js';
import { type Node, NodeForm } from './nodes/NodeForm.js';

/**
 * Exit nodes: health and latency (the gateway's probes, from the live view), geo, weight and types; add one
 * (direct, upstream HTTP or SOCKS5 with credentials that are never shown back), edit, enable/disable, remove.
 */
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

  // The gateway's probe results (latency) when this process runs it; the live view's query, not refetched here.
  const live = useQuery({ queryKey: ['live'], queryFn: () => unwrap(api.GET('/admin/live')) });
  const probes = new Map((live.data?.exits ?? []).map((e) => [e.id, e]));
  const [editing, setEditing] = useState<number | null>(null);
  const current = (nodes.data?.list ?? []).find((n) => n.id === editing) as Node | undefined;
  const admin = me.role === 'admin';

  return (
    <>
      <h1>{t('nodes.title')}</h1>
      <ErrorNotice error={nodes.error ?? toggle.error ?? remove.error} />
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
          { key: 'types', header: t('nodes.types'), cell: (n) => n.types.join(', ') },
          {
            key: 'weight',
            header: t('nodes.weight'),
            cell: (n) => n.weight,
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
            key: 'latency',
            header: t('live.latency'),
            cell: (n) => {
              const probe = probes.get(n.id);
              return probe?.latency_ms != null ? `${probe.latency_ms} ms` : '—';
            },
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
                    aria-label={t('nodes.edit', { id: n.id })}
                    onClick={() => setEditing(n.id)}
                  >
                    {t('common.edit')}
                  </button>
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
                    question={t('nodes.removeQuestion', { id: n.id })}
                    onConfirm={() => remove.mutate(n.id)}
                  />
                </span>
              ) : null,
          },
        ]}
      />
      {admin && current && <NodeForm key={current.id} node={current} onSaved={refresh} onClose={() => setEditing(null)} />}
      {admin && (
        <section className="panel" aria-labelledby="add-node">
          <h2 id="add-node" className="visually-hidden">
            {t('nodes.add')}
          </h2>
          <NodeForm node={undefined} onSaved={refresh} />
        </section>
      )}
    </>
  );
}
