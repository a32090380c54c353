import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import { Notice } from '../../../shared/components/Notice.js';
import { useApi } from '../../api.js';
import { fieldErrors, Form, FormError, Input } from '../../forms.js';

/** Set a user's password (admin and support): the user's sign-in tokens end. */
export function ResetPassword(props: { userId: number }) {
  const { t } = useTranslation();
  const api = useApi();
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/admin/users/{id}/password', { params: { path: { id: props.userId } }, body: { password } })),
    onSuccess: () => setPassword(''),
  });
  return (
    <Form className="row" label={t('user.resetPassword')} onSubmit={() => reset.mutate()}>
      {reset.isSuccess && <Notice kind="success">{t('user.passwordReset')}</Notice>}
      <FormError error={reset.error} fields={['password']} />
      <Input
        label={t('user.newPassword')}
        hint={t('user.newPasswordHint')}
        value={password}
        onChange={setPassword}
        type="password"
        autoComplete="new-password"
        required
        error={fieldErrors(reset.error).password}
      />
      <button type="submit" className="button secondary">
        {t('user.resetPassword')}
      </button>
    </Form>
  );
}
