import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError, unwrap } from '../../shared/api/client.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice, Notice } from '../../shared/components/Notice.js';
import { VirtualTable } from '../../shared/components/VirtualTable.js';
import { useApi, useMe, when } from '../api.js';

const SIZE = 100;

/** Users: search, page, create (the app_key is shown once). */
export function UsersPage() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const queries = useQueryClient();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: ['users', search, page],
    queryFn: () => unwrap(api.GET('/admin/users', { params: { query: { page, size: SIZE, ...(search ? { q: search } : {}) } } })),
  });

  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/admin/users', { body: { email, ...(password ? { password } : {}) } })),
    onSuccess: () => {
      setEmail('');
      setPassword('');
      void queries.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const fieldErrors = create.error instanceof ApiError ? create.error.errors : {};

  const rows = list.data?.list ?? [];
  const pages = list.data?.total_page ?? 1;
  return (
    <>
      <h1>{t('users.title')}</h1>
      <form
        className="row panel"
        role="search"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setPage(1);
          setSearch(q.trim());
        }}
      >
        <Field label={t('users.search')} hint={t('users.searchHint')}>
          {(ids) => (
            <input
              id={ids.id}
              aria-describedby={ids.describedBy}
              type="search"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="button">
          {t('users.searchButton')}
        </button>
      </form>
      <ErrorNotice error={list.error} />
      <VirtualTable
        caption={t('users.title')}
        rows={rows}
        rowKey={(u) => u.id}
        empty={list.isLoading ? t('common.loading') : t('common.none')}
        columns={[
          { key: 'id', header: 'ID', cell: (u) => u.id },
          { key: 'email', header: t('users.email'), cell: (u) => <Link href={`/users/${u.id}`}>{u.email}</Link> },
          { key: 'status', header: t('users.status'), cell: (u) => (u.status === 1 ? t('status.active') : t('status.disabled')) },
          { key: 'real', header: t('users.realName'), cell: (u) => (u.is_real_name ? t('common.yes') : t('common.no')) },
          { key: 'balance', header: t('users.balance'), cell: (u) => u.balance.toFixed(2) },
          { key: 'created', header: t('users.createdAt'), cell: (u) => when(u.created_at) },
        ]}
      />
      <p className="row">
        <button type="button" className="button secondary small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          {t('common.previous')}
        </button>
        <span>{t('common.page', { page, pages: Math.max(1, pages) })}</span>
        <button type="button" className="button secondary small" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          {t('common.next')}
        </button>
        <span className="muted">{t('common.rows', { count: list.data?.total_count ?? 0 })}</span>
      </p>

      {me.role === 'admin' && (
        <section className="panel" aria-labelledby="create-user">
          <h2 id="create-user">{t('users.create')}</h2>
          {create.data && (
            <Notice kind="success">
              {t('users.created', { email: create.data.user.email })} <code>{create.data.app_key}</code>
            </Notice>
          )}
          {create.error && !fieldErrors.email && !fieldErrors.password && <ErrorNotice error={create.error} />}
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate();
            }}
          >
            <Field label={t('users.email')} error={fieldErrors.email}>
              {(ids) => (
                <input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  type="email"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              )}
            </Field>
            <Field label={t('users.password')} hint={t('users.passwordHint')} error={fieldErrors.password}>
              {(ids) => (
                <input
                  id={ids.id}
                  aria-describedby={ids.describedBy}
                  aria-invalid={ids.invalid}
                  type="password"
                  autoComplete="new-password"
                  minLength={8}
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
            <button type="submit" className="button" disabled={create.isPending}>
              {t('users.createButton')}
            </button>
          </form>
        </section>
      )}
    </>
  );
}
