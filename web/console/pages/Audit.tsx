import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice } from '../../shared/components/Notice.js';
import { useApi, when } from '../api.js';

const SIZE = 50;

/** The audit log with its filters: operator, action, target, time range; before and after on demand. */
export function AuditPage() {
  const { t } = useTranslation();
  const api = useApi();
  const [draft, setDraft] = useState({ operator: '', action: '', target_type: '', target_id: '', from: '', to: '' });
  const [filter, setFilter] = useState(draft);
  const [page, setPage] = useState(1);
  const query = Object.fromEntries(
    Object.entries(filter)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => [k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v]),
  );
  const log = useQuery({
    queryKey: ['audit', filter, page],
    queryFn: () => unwrap(api.GET('/admin/audit', { params: { query: { ...query, page, size: SIZE } } })),
  });
  const pages = Math.max(1, log.data?.total_page ?? 1);
  const field = (name: keyof typeof draft, label: string, type = 'text') => (
    <Field label={label}>
      {(ids) => (
        <input id={ids.id} type={type} value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} />
      )}
    </Field>
  );
  return (
    <>
      <h1>{t('audit.title')}</h1>
      <form
        className="row panel"
        aria-label={t('audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setFilter(draft);
        }}
      >
        {field('operator', t('audit.operator'))}
        {field('action', t('audit.action'))}
        {field('target_type', t('audit.targetType'))}
        {field('target_id', t('audit.targetId'))}
        {field('from', t('audit.from'), 'datetime-local')}
        {field('to', t('audit.to'), 'datetime-local')}
        <button type="submit" className="button">
          {t('audit.apply')}
        </button>
      </form>
      <ErrorNotice error={log.error} />
      <table className="plain">
        <caption className="visually-hidden">{t('audit.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('audit.when')}</th>
            <th scope="col">{t('audit.operator')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.result')}</th>
            <th scope="col">{t('audit.change')}</th>
          </tr>
        </thead>
        <tbody>
          {(log.data?.list ?? []).map((e) => (
            <tr key={e.id}>
              <td>{when(e.created_at)}</td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.target_type ? `${e.target_type} ${e.target_id}` : ''}</td>
              <td>{e.status === 200 ? t('audit.ok') : `${e.status} ${e.error}`}</td>
              <td>
                <details>
                  <summary>{t('audit.details')}</summary>
                  <pre className="code">{JSON.stringify({ request: e.request, before: e.before, after: e.after }, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
          {log.data?.list.length === 0 && (
            <tr>
              <td colSpan={6} className="empty">
                {t('common.none')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <p className="row">
        <button type="button" className="button secondary small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          {t('common.previous')}
        </button>
        <span>{t('common.page', { page, pages })}</span>
        <button type="button" className="button secondary small" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          {t('common.next')}
        </button>
      </p>
    </>
  );
}
