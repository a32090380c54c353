import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { CopyButton } from '../../shared/components/CopyButton.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice, Notice } from '../../shared/components/Notice.js';
import { useSession, web } from '../api.js';

/**
 * The app_key (rotated here: the new key shown once, then only its last 4 characters), API keys (the same), and
 * calls for every brand prefix, with `team_id` when the portal shows a team.
 */
export function ApiAccessPage() {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const appKey = useQuery({ queryKey: ['app-key'], queryFn: () => unwrap(web.GET('/web/app-key')) });
  const rotate = useMutation({
    mutationFn: () => unwrap(web.POST('/web/app-key/rotate')),
    onSuccess: (data) => queryClient.setQueryData(['app-key'], { app_key_last4: data.app_key_last4 }),
  });
  const newAppKey = rotate.data?.app_key;
  const last4 = appKey.data?.app_key_last4 ?? '';
  const teamParam = session.team ? `&team_id=${session.team.team_id}` : '';
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
      <section className="panel" aria-labelledby="app-key-h">
        <h2 id="app-key-h">{t('apiAccess.appKey')}</h2>
        <ErrorNotice error={appKey.error ?? rotate.error} />
        {newAppKey ? (
          <Notice kind="success">
            {t('apiAccess.appKeyShownOnce')} <code data-testid="new-app-key">{newAppKey}</code> <CopyButton text={newAppKey} />
          </Notice>
        ) : null}
        <p>
          {t('apiAccess.appKeyCurrent')}{' '}
          <code className="key-hint" data-testid="app-key-last4">
            {appKey.isPending ? '…' : last4 ? `…${last4}` : t('apiAccess.appKeyUnknown')}
          </code>
        </p>
        <p className="muted">
          {session.team ? t('apiAccess.appKeyTeam', { team: session.team.team_id }) : t('apiAccess.appKeyHint')}
        </p>
        <ConfirmButton
          label={t('apiAccess.rotate')}
          question={t('apiAccess.confirmRotate')}
          disabled={rotate.isPending}
          onConfirm={() => rotate.mutate()}
        />
      </section>
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
            <pre
              className="code"
              data-testid={`example-${prefix}`}
            >{`curl '${location.origin}${prefix}/whitelist-account/list?app_key=YOUR_APP_KEY${teamParam}'\ncurl -X POST '${location.origin}${prefix}/whitelist-account/add?app_key=YOUR_APP_KEY${teamParam}' \\\n  -H 'Content-Type: application/json' -d '{"accounts":"user01:pass01","remark":""}'`}</pre>
          </div>
        ))}
      </section>
    </>
  );
}
