import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice, Notice } from '../../shared/components/Notice.js';
import { formatBytes } from '../../shared/format.js';
import { type Column, VirtualTable } from '../../shared/components/VirtualTable.js';
import { AccountUsage } from './AccountUsage.js';
import { SUB_ACCOUNTS_KEY, subAccountsQueryFn, useSession } from '../api.js';

/** The API's rules for sub-accounts (src/accounts/rules.ts), checked before sending. */
const ACCOUNTS_PATTERN = /^[A-Za-z0-9]{1,32}:[A-Za-z0-9]{4,64}(,[A-Za-z0-9]{1,32}:[A-Za-z0-9]{4,64})*$/;
const PASSWORD_PATTERN = /^[A-Za-z0-9]{4,64}$/;
const PAGE_SIZE = 1000;

/** The sub-account product types (the API's product registry). */
type SubAccountType = 9 | 11 | 12 | 14 | 25;

interface Account {
  id: number;
  username: string;
  password: string;
  created_at: string;
  remark: string;
  product_type: number;
  usage_flow: number;
  limit_flow: number;
  status: number;
}

interface AddForm {
  accounts: string;
  remark: string;
}

function fieldErrorsOf(err: unknown): Record<string, string> {
  return err instanceof ApiError ? { ...err.errors } : {};
}

export function SubAccountsPage() {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<'all' | '1' | '0'>('all');
  const [type, setType] = useState<string>('all');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Account | null>(null);
  const [usageOf, setUsageOf] = useState<Account | null>(null);
  const [done, setDone] = useState('');
  const list = useQuery({ queryKey: SUB_ACCOUNTS_KEY, queryFn: subAccountsQueryFn(session.api) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: SUB_ACCOUNTS_KEY });

  const rows = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (list.data?.list ?? []).filter(
      (a) =>
        (needle === '' || a.username.toLowerCase().includes(needle) || a.remark.toLowerCase().includes(needle)) &&
        (status === 'all' || String(a.status) === status) &&
        (type === 'all' || String(a.product_type) === type),
    );
  }, [list.data, search, status, type]);
  const types = useMemo(
    () => [...new Set((list.data?.list ?? []).map((a) => a.product_type))].sort((a, b) => a - b),
    [list.data],
  );
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const pageRows = rows.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);

  const add = useForm<AddForm>({ defaultValues: { accounts: '', remark: '' } });
  const addMutation = useMutation({
    mutationFn: (values: AddForm) =>
      unwrap(session.api.POST('/whitelist-account/add', { body: { accounts: values.accounts.trim(), remark: values.remark } })),
    onSuccess: async (_data, values) => {
      add.reset();
      setDone(t('subAccounts.added', { count: values.accounts.split(',').length }));
      await refresh();
    },
    onError: (err) => {
      for (const [field, reason] of Object.entries(fieldErrorsOf(err))) {
        if (field === 'accounts' || field === 'remark') add.setError(field, { message: reason });
      }
    },
  });

  const batch = useMutation({
    mutationFn: async (input: { action: 'enable' | 'disable' | 'delete'; account: Account }) => {
      const body = { accounts: input.account.username, product_type: input.account.product_type as SubAccountType };
      if (input.action === 'enable') return unwrap(session.api.POST('/whitelist-account/enable', { body }));
      if (input.action === 'disable') return unwrap(session.api.POST('/whitelist-account/disable', { body }));
      return unwrap(session.api.POST('/whitelist-account/delete', { body }));
    },
    onSuccess: async () => {
      setDone(t('subAccounts.saved'));
      await refresh();
    },
  });

  const canManage = session.can('manage_accounts');
  const mutateBatch = batch.mutate;
  // Labels looked up once per render, not once per row.
  const columns = useMemo<Column<Account>[]>(() => {
    const label = {
      enabled: t('subAccounts.enabled'),
      disabled: t('subAccounts.disabled'),
      unlimited: t('subAccounts.unlimited'),
      edit: t('subAccounts.edit'),
      enable: t('subAccounts.enable'),
      disable: t('subAccounts.disable'),
      usage: t('subAccounts.usageButton'),
      delete: t('common.delete'),
    };
    return [
      { key: 'username', header: t('subAccounts.username'), cell: (a) => a.username },
      { key: 'password', header: t('subAccounts.password'), cell: (a) => a.password },
      { key: 'type', header: t('subAccounts.productType'), cell: (a) => a.product_type },
      { key: 'status', header: t('subAccounts.status'), cell: (a) => (a.status === 1 ? label.enabled : label.disabled) },
      { key: 'usage', header: t('subAccounts.usage'), cell: (a) => formatBytes(a.usage_flow * 1024) },
      {
        key: 'limit',
        header: t('subAccounts.limit'),
        cell: (a) => (a.limit_flow === 0 ? label.unlimited : `${a.limit_flow} GB`),
      },
      { key: 'remark', header: t('subAccounts.remark'), cell: (a) => a.remark },
      {
        key: 'actions',
        header: t('subAccounts.actions'),
        cell: (a) => (
          <span className="row">
            <button
              type="button"
              className="button secondary small"
              onClick={() => setUsageOf(a)}
              aria-label={t('subAccounts.usageOf', { name: a.username })}
            >
              {label.usage}
            </button>
            <button
              type="button"
              className="button secondary small"
              disabled={!canManage}
              onClick={() => setEditing(a)}
              aria-label={t('subAccounts.editOf', { name: a.username })}
            >
              {label.edit}
            </button>
            <button
              type="button"
              className="button secondary small"
              disabled={!canManage}
              onClick={() => mutateBatch({ action: a.status === 1 ? 'disable' : 'enable', account: a })}
              aria-label={`${a.status === 1 ? label.disable : label.enable} ${a.username}`}
            >
              {a.status === 1 ? label.disable : label.enable}
            </button>
            <ConfirmButton
              label={label.delete}
              disabled={!canManage}
              question={t('subAccounts.confirmDelete', { name: a.username })}
              onConfirm={() => mutateBatch({ action: 'delete', account: a })}
            />
          </span>
        ),
      },
    ];
  }, [t, canManage, mutateBatch]);

  return (
    <>
      <h1>{t('subAccounts.title')}</h1>
      {done && <Notice kind="success">{done}</Notice>}
      <ErrorNotice error={list.error ?? batch.error} />
      {!canManage && <Notice kind="info">{t('team.readOnlyAccounts')}</Notice>}
      <section className="panel" aria-labelledby="add-h">
        <h2 id="add-h">{t('subAccounts.add')}</h2>
        {addMutation.error && Object.keys(fieldErrorsOf(addMutation.error)).length === 0 && (
          <ErrorNotice error={addMutation.error} />
        )}
        <form onSubmit={(e) => void add.handleSubmit((v) => addMutation.mutate(v))(e)} noValidate className="row">
          <Field
            label={t('subAccounts.accounts')}
            hint={t('subAccounts.accountsHint')}
            error={add.formState.errors.accounts?.message}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                size={44}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                {...add.register('accounts', {
                  required: t('form.required'),
                  pattern: { value: ACCOUNTS_PATTERN, message: t('subAccounts.accountsRule') },
                })}
              />
            )}
          </Field>
          <Field label={t('subAccounts.remark')} error={add.formState.errors.remark?.message}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                {...add.register('remark', { maxLength: { value: 64, message: t('form.maxLength', { count: 64 }) } })}
              />
            )}
          </Field>
          <div className="field">
            <button type="submit" className="button" disabled={addMutation.isPending || !canManage}>
              {t('subAccounts.addSubmit')}
            </button>
          </div>
        </form>
      </section>

      {editing && <EditAccount account={editing} onClose={() => setEditing(null)} onSaved={() => void refresh()} />}
      {usageOf && <AccountUsage account={usageOf} onClose={() => setUsageOf(null)} />}

      <section className="panel" aria-labelledby="list-h">
        <h2 id="list-h">{t('subAccounts.list')}</h2>
        <div className="row">
          <Field label={t('subAccounts.search')}>
            {({ id }) => (
              <input
                id={id}
                type="search"
                value={search}
                onChange={(e) => {
                  setSearch(e.target.value);
                  setPage(1);
                }}
              />
            )}
          </Field>
          <Field label={t('subAccounts.status')}>
            {({ id }) => (
              <select id={id} value={status} onChange={(e) => setStatus(e.target.value as 'all' | '1' | '0')}>
                <option value="all">{t('subAccounts.all')}</option>
                <option value="1">{t('subAccounts.enabled')}</option>
                <option value="0">{t('subAccounts.disabled')}</option>
              </select>
            )}
          </Field>
          <Field label={t('subAccounts.productType')}>
            {({ id }) => (
              <select id={id} value={type} onChange={(e) => setType(e.target.value)}>
                <option value="all">{t('subAccounts.all')}</option>
                {types.map((v) => (
                  <option key={v} value={String(v)}>
                    {v}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <p className="muted" data-testid="row-count">
          {t('common.rows', { count: rows.length })}
        </p>
        <VirtualTable
          rows={pageRows}
          columns={columns}
          rowKey={(a) => a.id}
          caption={t('subAccounts.list')}
          empty={list.isPending ? t('common.loading') : t('common.none')}
        />
        <div className="row">
          <button type="button" className="button secondary small" disabled={current <= 1} onClick={() => setPage(current - 1)}>
            {t('common.previous')}
          </button>
          <span>{t('common.page', { page: current, pages })}</span>
          <button
            type="button"
            className="button secondary small"
            disabled={current >= pages}
            onClick={() => setPage(current + 1)}
          >
            {t('common.next')}
          </button>
        </div>
      </section>
    </>
  );
}

interface EditForm {
  password: string;
  remark: string;
  limit: string;
}

function EditAccount(props: { account: Account; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const { account } = props;
  const form = useForm<EditForm>({
    defaultValues: { password: account.password, remark: account.remark, limit: String(account.limit_flow) },
  });
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: async (v: EditForm) => {
      const base = { account: account.username, product_type: account.product_type as SubAccountType };
      if (v.password !== account.password)
        await unwrap(session.api.POST('/whitelist-account/change-password', { body: { ...base, password: v.password } }));
      if (v.remark !== account.remark)
        await unwrap(session.api.POST('/whitelist-account/change-remark', { body: { ...base, remark: v.remark } }));
      if (Number(v.limit) !== account.limit_flow)
        await unwrap(session.api.POST('/whitelist-account/change-limit', { body: { ...base, limit: Number(v.limit) } }));
    },
    onSuccess: () => {
      setSaved(true);
      props.onSaved();
    },
    onError: (err) => {
      for (const [field, reason] of Object.entries(fieldErrorsOf(err))) {
        if (field === 'password' || field === 'remark' || field === 'limit') form.setError(field, { message: reason });
      }
    },
  });
  return (
    <section className="panel" aria-labelledby="edit-h">
      <h2 id="edit-h">{t('subAccounts.editTitle', { name: account.username })}</h2>
      {saved && <Notice kind="success">{t('subAccounts.saved')}</Notice>}
      {save.error && Object.keys(fieldErrorsOf(save.error)).length === 0 && <ErrorNotice error={save.error} />}
      <form onSubmit={(e) => void form.handleSubmit((v) => save.mutate(v))(e)} noValidate className="row">
        <Field label={t('subAccounts.password')} error={form.formState.errors.password?.message}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              {...form.register('password', {
                required: t('form.required'),
                pattern: { value: PASSWORD_PATTERN, message: t('subAccounts.passwordRule') },
              })}
            />
          )}
        </Field>
        <Field label={t('subAccounts.remark')} error={form.formState.errors.remark?.message}>
          {({ id, describedBy, invalid }) => (
            <input id={id} aria-describedby={describedBy} aria-invalid={invalid} {...form.register('remark')} />
          )}
        </Field>
        <Field label={t('subAccounts.limitGb')} hint={t('subAccounts.limitHint')} error={form.formState.errors.limit?.message}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="number"
              min={0}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              {...form.register('limit', {
                required: t('form.required'),
                min: { value: 0, message: t('form.min', { count: 0 }) },
              })}
            />
          )}
        </Field>
        <div className="field row">
          <button type="submit" className="button" disabled={save.isPending}>
            {t('common.save')}
          </button>
          <button type="button" className="button secondary" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
