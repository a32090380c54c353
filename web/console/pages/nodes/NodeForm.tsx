import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../../shared/api/client.js';
import type { paths } from '../../../shared/api/schema.js';
import { Notice } from '../../../shared/components/Notice.js';
import { useApi } from '../../api.js';
import { Check, CountInput, CountryInput, fieldErrors, Form, FormError, Input, Select } from '../../forms.js';
import { productKind, SUB_ACCOUNT_TYPES, useTypeName } from '../../product-types.js';

/** The node URL's limits and the API's place/weight rules (src/pool/rules.ts, node-url.ts). */
const PLACE_MAX = 64;
const WEIGHT_MAX = 1000;

/** The types an exit-pool node may serve: those whose traffic leaves through the pool. */
export const POOL_TYPES = SUB_ACCOUNT_TYPES.filter((t) => {
  const exits = productKind(t)?.exits;
  return exits === 'residential-pool' || exits === 'datacenter-pool';
});

export interface Node {
  readonly id: number;
  readonly url: string;
  readonly kind: 'direct' | 'http' | 'socks5';
  readonly country: string;
  readonly state: string;
  readonly city: string;
  readonly types: readonly number[];
  readonly weight: number;
  readonly enabled: boolean;
}

type Kind = Node['kind'];
type NodeTypes = NonNullable<paths['/admin/nodes']['post']['requestBody']['content']['application/json']['types']>;

/**
 * The node URL from the form's parts: direct://[LOCAL_IP], or http|socks5://[user:pass@]host:port with the
 * credentials percent-encoded. The password only travels to the API; the API shows it back masked.
 */
export function nodeUrl(p: { kind: Kind; host: string; port: string; username: string; password: string }): string {
  const host = p.host.trim();
  if (p.kind === 'direct') return `direct://${host}`;
  const auth = p.username ? `${encodeURIComponent(p.username)}:${encodeURIComponent(p.password)}@` : '';
  return `${p.kind}://${auth}${host}:${p.port.trim()}`;
}

/**
 * Add a node (its kind and connection, geo, weight, types) or edit one (geo, weight, types; a new connection
 * replaces the old only when given: credentials are never shown back to fill in).
 */
export function NodeForm(props: { node: Node | undefined; onSaved: () => void; onClose?: (() => void) | undefined }) {
  const { t } = useTranslation();
  const api = useApi();
  const typeName = useTypeName();
  const n = props.node;
  const [kind, setKind] = useState<Kind>('direct');
  const [replace, setReplace] = useState(!n);
  const [host, setHost] = useState('');
  const [port, setPort] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [country, setCountry] = useState(n?.country ?? 'US');
  const [state, setState] = useState(n?.state ?? '');
  const [city, setCity] = useState(n?.city ?? '');
  const [weight, setWeight] = useState(String(n?.weight ?? 1));
  const [types, setTypes] = useState<readonly number[]>(n?.types ?? [POOL_TYPES[0] ?? 9]);
  const save = useMutation({
    mutationFn: () => {
      const fields = {
        country,
        state,
        city,
        weight: Number(weight),
        types: [...types] as NodeTypes,
        ...(replace ? { url: nodeUrl({ kind, host, port, username, password }) } : {}),
      };
      return unwrap(
        n
          ? api.PATCH('/admin/nodes/{id}', { params: { path: { id: n.id } }, body: fields })
          : api.POST('/admin/nodes', { body: { url: fields.url ?? 'direct://', ...fields } }),
      );
    },
    onSuccess: () => {
      setPassword('');
      if (!n) setHost('');
      props.onSaved();
    },
  });
  const errors = fieldErrors(save.error);
  const name = n ? t('nodes.edit', { id: n.id }) : t('nodes.add');
  return (
    <Form className="subpanel" label={name} onSubmit={() => save.mutate()}>
      <h3>{name}</h3>
      {save.isSuccess && <Notice kind="success">{t('common.saved')}</Notice>}
      <FormError error={save.error} fields={['url', 'country', 'state', 'city', 'weight', 'types']} />
      {n && (
        <p>
          {t('nodes.connection')}: <code>{n.url}</code>{' '}
          <Check label={t('nodes.replaceConnection')} checked={replace} onChange={setReplace} />
        </p>
      )}
      {replace && (
        <div className="row">
          <Select label={t('nodes.kind')} value={kind} onChange={(v) => setKind(v as Kind)}>
            {(['direct', 'http', 'socks5'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`nodes.kind.${k}`)}
              </option>
            ))}
          </Select>
          <Input
            label={kind === 'direct' ? t('nodes.localIp') : t('nodes.host')}
            hint={kind === 'direct' ? t('nodes.localIpHint') : undefined}
            value={host}
            onChange={setHost}
            required={kind !== 'direct'}
            error={errors.url}
          />
          {kind !== 'direct' && (
            <>
              <CountInput label={t('nodes.port')} value={port} onChange={setPort} max={65535} required />
              <Input label={t('nodes.username')} value={username} onChange={setUsername} />
              <Input
                label={t('nodes.password')}
                hint={t('nodes.passwordHint')}
                value={password}
                onChange={setPassword}
                type="password"
                autoComplete="new-password"
              />
            </>
          )}
        </div>
      )}
      <div className="row">
        <CountryInput label={t('nodes.country')} value={country} onChange={setCountry} error={errors.country} />
        <Input
          label={t('nodes.region')}
          hint={t('nodes.placeHint')}
          value={state}
          onChange={setState}
          maxLength={PLACE_MAX}
          error={errors.state}
        />
        <Input
          label={t('nodes.city')}
          hint={t('nodes.placeHint')}
          value={city}
          onChange={setCity}
          maxLength={PLACE_MAX}
          error={errors.city}
        />
        <CountInput
          label={t('nodes.weight')}
          value={weight}
          onChange={setWeight}
          max={WEIGHT_MAX}
          required
          error={errors.weight}
        />
      </div>
      <fieldset className="row">
        <legend>{t('nodes.types')}</legend>
        {POOL_TYPES.map((type) => (
          <Check
            key={type}
            label={typeName(type)}
            checked={types.includes(type)}
            onChange={(on) => setTypes(on ? [...types, type] : types.filter((x) => x !== type))}
          />
        ))}
        {errors.types && (
          <small className="field-error" role="alert">
            {errors.types}
          </small>
        )}
      </fieldset>
      <div className="row">
        <button type="submit" className="button" disabled={save.isPending}>
          {n ? t('common.save') : t('nodes.addButton')}
        </button>
        {props.onClose && (
          <button type="button" className="button secondary" onClick={props.onClose}>
            {t('common.close')}
          </button>
        )}
      </div>
    </Form>
  );
}
