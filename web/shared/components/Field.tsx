import { type ReactNode, useId } from 'react';

/**
 * A labelled form control with its hint and its error (from the form's rules or from the API's per-field
 * reasons) right beside it, tied to the control with aria-describedby. `children` gets the ids to put on it.
 */
export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={props.error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, describedBy, invalid: Boolean(props.error) })}
      {props.hint && (
        <small id={hintId} className="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={errorId} className="field-error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}
