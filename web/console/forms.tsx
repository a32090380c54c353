/**
 * The console's form parts: labelled inputs and selects (shared Field: hint and error beside the control), the
 * API's per-field reasons of a failed call, and the call's error above the form when it concerns no field shown.
 */
import type { ReactNode } from 'react';
import { ApiError } from '../shared/api/client.js';
import { Field } from '../shared/components/Field.js';
import { ErrorNotice } from '../shared/components/Notice.js';

/** The API's per-field reasons (`errors`) of a failed call; {} for anything else. */
export function fieldErrors(error: unknown): Readonly<Record<string, string>> {
  return error instanceof ApiError ? error.errors : {};
}

/** The call's error as a notice unless it names one of `fields` (then that field shows it). */
export function FormError(props: { error: unknown; fields: readonly string[] }) {
  const errors = fieldErrors(props.error);
  if (!props.error || props.fields.some((f) => errors[f] !== undefined)) return null;
  return <ErrorNotice error={props.error} />;
}

interface InputProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly type?: 'text' | 'number' | 'password' | 'email' | 'datetime-local';
  readonly required?: boolean;
  readonly min?: number | string;
  readonly max?: number | string;
  readonly step?: number | string;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly size?: number;
  readonly autoComplete?: string;
}

/** One labelled input. */
export function Input(props: InputProps) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(ids) => (
        <input
          id={ids.id}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid}
          type={props.type ?? 'text'}
          required={props.required}
          min={props.min}
          max={props.max}
          step={props.step}
          maxLength={props.maxLength}
          pattern={props.pattern}
          size={props.size}
          autoComplete={props.autoComplete ?? 'off'}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A money box: a decimal of at least `min` (default 0) with at most 2 decimals, the API's money rule. */
export function MoneyInput(props: Omit<InputProps, 'type' | 'step'>) {
  return <Input {...props} type="number" min={props.min ?? 0} step="0.01" />;
}

/** A whole-number box (days, counts, Mbit/s, ports): at least `min` (default 1). */
export function CountInput(props: Omit<InputProps, 'type' | 'step'>) {
  return <Input {...props} type="number" min={props.min ?? 1} step={1} />;
}

/** One labelled select. */
export function Select(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string | undefined;
  children: ReactNode;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(ids) => (
        <select
          id={ids.id}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        >
          {props.children}
        </select>
      )}
    </Field>
  );
}

/** One labelled checkbox. */
export function Check(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} /> {props.label}
    </label>
  );
}

/** A number typed into a form, or undefined when the box is empty (the API's default applies). */
export function numberOrUndefined(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

/** A text typed into a form, or undefined when empty. */
export function textOrUndefined(text: string): string | undefined {
  return text.trim() === '' ? undefined : text.trim();
}

/** A form that runs `onSubmit` instead of navigating; `label` names it (role=form) for assistive tech. */
export function Form(props: { label?: string | undefined; className?: string; onSubmit: () => void; children: ReactNode }) {
  return (
    <form
      className={props.className}
      aria-label={props.label}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** An ISO 3166-1 alpha-2 country code box (upper-cased as typed; the API checks the code). */
export function CountryInput(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}) {
  return (
    <Input
      label={props.label}
      value={props.value}
      onChange={(v) => props.onChange(v.toUpperCase())}
      required
      maxLength={2}
      size={3}
      error={props.error}
    />
  );
}
