import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../../shared/api/client.js';
import { Field } from '../../shared/components/Field.js';
import { LanguageSwitch } from '../../shared/components/LanguageSwitch.js';
import { Notice } from '../../shared/components/Notice.js';
import { web } from '../api.js';

interface SignInForm {
  email: string;
  password: string;
  verify_code: string;
}

/** Code 348: the password was right, a second factor is needed. */
const SECOND_FACTOR_REQUIRED = 348;

/** Sign-in (and sign-up when the platform allows it). A wrong password keeps the form, with the API's message. */
export function SignInPage(props: { signupOpen: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [verifyTypes, setVerifyTypes] = useState<string[]>([]);
  const [verifyType, setVerifyType] = useState<string>('');
  const [failure, setFailure] = useState<string>('');
  const form = useForm<SignInForm>({ defaultValues: { email: '', password: '', verify_code: '' } });
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async (values) => {
    setFailure('');
    try {
      if (mode === 'sign-up') {
        await unwrap(web.POST('/web/sign-up', { body: { email: values.email, password: values.password } }));
      } else {
        const body: { email: string; password: string; verify_type?: 'totp' | 'email'; verify_code?: string } = {
          email: values.email,
          password: values.password,
        };
        if (verifyType !== '' && values.verify_code !== '') {
          body.verify_type = verifyType as 'totp' | 'email';
          body.verify_code = values.verify_code;
        }
        await unwrap(web.POST('/web/session', { body }));
      }
      await queryClient.invalidateQueries({ queryKey: ['web-session'] });
    } catch (err) {
      if (err instanceof ApiError && err.code === SECOND_FACTOR_REQUIRED) {
        const types = ((err.data as { verify_type?: string[] } | null)?.verify_type ?? []).filter(
          (v) => v === 'totp' || v === 'email',
        );
        setVerifyTypes(types);
        setVerifyType(types[0] ?? '');
        setFailure(t('signIn.secondFactor'));
        return;
      }
      if (err instanceof ApiError) {
        for (const [field, reason] of Object.entries(err.errors)) {
          if (field === 'email' || field === 'password') form.setError(field, { message: reason });
        }
        setFailure(err.code === 0 ? t('common.networkError') : err.message);
        return;
      }
      setFailure(String(err));
    }
  });

  return (
    <main id="main" className="signin">
      <div className="panel">
        <div className="signin-header">
          <h1>{mode === 'sign-in' ? t('signIn.title') : t('signUp.title')}</h1>
          <LanguageSwitch />
        </div>
        {failure && (
          <Notice kind={verifyTypes.length > 0 && failure === t('signIn.secondFactor') ? 'info' : 'error'}>{failure}</Notice>
        )}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Field label={t('signIn.email')} error={errors.email?.message}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="email"
                autoComplete="username"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                {...form.register('email', {
                  required: t('form.required'),
                  pattern: { value: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: t('form.email') },
                })}
              />
            )}
          </Field>
          <Field label={t('signIn.password')} error={errors.password?.message}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="password"
                autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                {...form.register('password', {
                  required: t('form.required'),
                  ...(mode === 'sign-up' ? { minLength: { value: 8, message: t('form.minLength', { count: 8 }) } } : {}),
                })}
              />
            )}
          </Field>
          {verifyTypes.length > 0 && (
            <>
              <Field label={t('signIn.verifyType')}>
                {({ id }) => (
                  <select id={id} value={verifyType} onChange={(e) => setVerifyType(e.target.value)}>
                    {verifyTypes.map((v) => (
                      <option key={v} value={v}>
                        {t(`signIn.verify.${v}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('signIn.verifyCode')} error={errors.verify_code?.message}>
                {({ id, describedBy }) => (
                  <input
                    id={id}
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    aria-describedby={describedBy}
                    {...form.register('verify_code')}
                  />
                )}
              </Field>
            </>
          )}
          <button type="submit" className="button" disabled={isSubmitting}>
            {mode === 'sign-in' ? t('signIn.submit') : t('signUp.submit')}
          </button>
        </form>
        {props.signupOpen && (
          <p>
            <button
              type="button"
              className="button secondary small"
              onClick={() => setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in')}
            >
              {mode === 'sign-in' ? t('signIn.toSignUp') : t('signUp.toSignIn')}
            </button>
          </p>
        )}
      </div>
    </main>
  );
}
