import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';

/** A message above a form or a table: an error (role=alert) or a confirmation (role=status). */
export function Notice(props: { kind: 'error' | 'success' | 'info'; children: ReactNode }) {
  return (
    <div className={`notice ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

/** An error from a query or a mutation, in the page's language (the API localises its own messages). */
export function ErrorNotice(props: { error: unknown }) {
  const { t } = useTranslation();
  if (!props.error) return null;
  const message =
    props.error instanceof ApiError
      ? props.error.code === 0
        ? t('common.networkError')
        : props.error.message
      : props.error instanceof Error
        ? props.error.message
        : String(props.error);
  return <Notice kind="error">{t('common.error', { message })}</Notice>;
}
