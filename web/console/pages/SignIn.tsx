import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../../shared/api/client.js';
import { Field } from '../../shared/components/Field.js';
import { LanguageSwitch } from '../../shared/components/LanguageSwitch.js';
import { Notice } from '../../shared/components/Notice.js';
import { type Me, useApi } from '../api.js';

/** Email and password; a refusal keeps the form (and what was typed) with the API's message. */
export function SignIn(props: { onSignedIn: (me: Me) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await unwrap(api.POST('/admin/session', { body: { email, password } }));
      props.onSignedIn(session.operator);
    } catch (err) {
      setError(err instanceof ApiError && err.code !== 0 ? err.message : t('common.networkError'));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <div className="panel">
        <div className="signin-header">
          <h1>{t('console.title')}</h1>
          <LanguageSwitch />
        </div>
        <p className="muted">{t('signin.intro')}</p>
        {error && <Notice kind="error">{error}</Notice>}
        <form onSubmit={(e) => void submit(e)} aria-label={t('signin.title')}>
          <Field label={t('signin.email')}>
            {(ids) => (
              <input
                id={ids.id}
                type="email"
                name="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <Field label={t('signin.password')}>
            {(ids) => (
              <input
                id={ids.id}
                type="password"
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button" disabled={busy}>
            {t('signin.submit')}
          </button>
        </form>
      </div>
    </main>
  );
}
