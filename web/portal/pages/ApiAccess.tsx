import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { CopyButton } from '../../shared/components/CopyButton.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice, Notice } from '../../shared/components/Notice.js';
import { useSession } from '../api.js';

/** API keys (shown once when created, then only their last 4 characters) and calls for every brand prefix. */
export function ApiAccessPage() {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => unwrap(session.api.GET('/api-keys', { params: { query: { page: 1, pageSize: 100 } } })),
  });
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => unwrap(session.api.POST('/api-keys/create', { body: { name } })),
    onSuccess: async () => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => unwrap(session.api.POST('/api-keys/revoke', { body: { id } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  const shown = create.data?.key;
  return (
    <>
      <h1>{t('apiAccess.title')}</h1>
      <ErrorNotice error={keys.error ?? revoke.error ?? create.error} />
      <section className="panel" aria-labelledby="keys-h">
        <h2 id="keys-h">{t('apiAccess.keys')}</h2>
        {shown && (
          <Notice kind="success">
            {t('apiAccess.shownOnce')} <code data-testid="new-key">{shown}</code> <CopyButton text={shown} />
          </Notice>
        )}
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Field label={t('apiAccess.name')}>
            {({ id }) => <input id={id} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <div className="field">
            <button type="submit" className="button" disabled={create.isPending}>
              {t('apiAccess.create')}
            </button>
          </div>
        </form>
        <table className="plain">
          <thead>
            <tr>
              <th scope="col">{t('apiAccess.name')}</th>
              <th scope="col">{t('apiAccess.key')}</th>
              <th scope="col">{t('apiAccess.lastUsed')}</th>
              <th scope="col">{t('subAccounts.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(keys.data?.list ?? []).map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>…{k.key.slice(-4)}</td>
                <td>{k.last_used_at}</td>
                <td>
                  <ConfirmButton
                    label={t('apiAccess.revoke')}
                    question={t('apiAccess.confirmRevoke', { name: k.name || k.id })}
                    onConfirm={() => revoke.mutate(k.id)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" aria-labelledby="examples-h">
        <h2 id="examples-h">{t('apiAccess.examples')}</h2>
        <p className="muted">{t('apiAccess.examplesHint')}</p>
        {session.prefixes.map((prefix) => (
          <div key={prefix}>
            <h3>{prefix}</h3>
            <pre className="code">{`curl '${location.origin}${prefix}/whitelist-account/list?app_key=YOUR_KEY'\ncurl -X POST '${location.origin}${prefix}/whitelist-account/add?app_key=YOUR_KEY' \\\n  -H 'Content-Type: application/json' -d '{"accounts":"user01:pass01","remark":""}'`}</pre>
          </div>
        ))}
      </section>
    </>
  );
}
