import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A destructive action that asks first: the first click shows the question with Confirm and Cancel. */
export function ConfirmButton(props: { label: string; question: string; onConfirm: () => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="button danger small" disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        type="button"
        className="button danger small"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {t('common.confirm')}
      </button>
      <button type="button" className="button secondary small" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
