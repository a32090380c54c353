import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../../shared/api/client.js';
import { ConfirmButton } from '../../shared/components/ConfirmButton.js';
import { CopyButton } from '../../shared/components/CopyButton.js';
import { Field } from '../../shared/components/Field.js';
import { ErrorNotice, Notice } from '../../shared/components/Notice.js';
import { useQuery as useSessionQuery } from '@tanstack/react-query';
import { useSession, web } from '../api.js';

/** A random session id of letters and digits, as the proxy username takes it. */
function sessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
}

/** The proxy username with its targeting: `name-country-us-state-ca-city-x-session-id-life-30`. */
export function proxyUsername(
  name: string,
  t: { country: string; state: string; city: string; session?: string | undefined; life?: number | undefined },
): string {
  let out = name;
  if (t.country) out += `-country-${t.country.toLowerCase()}`;
  if (t.state) out += `-state-${t.state}`;
  if (t.city) out += `-city-${t.city}`;
  if (t.session) out += `-session-${t.session}${t.life ? `-life-${t.life}` : ''}`;
  return out;
}

/** A shell word in single quotes. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function ProxySetupPage() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const accounts = useQuery({
    queryKey: ['sub-accounts'],
    queryFn: () => unwrap(session.api.GET('/whitelist-account/list', { params: { query: {} } })),
  });
  const geo = useQuery({
    queryKey: ['geo-cities'],
    queryFn: () => unwrap(session.api.GET('/ip/dynamic-citys', { params: { query: {} } })),
  });
  const enabled = (accounts.data?.list ?? []).filter((a) => a.status === 1);
  const [account, setAccount] = useState('');
  const [protocol, setProtocol] = useState<'http' | 'socks5'>('http');
  const [country, setCountry] = useState('');
  const [region, setRegion] = useState('');
  const [sticky, setSticky] = useState(false);
  const [life, setLife] = useState(30);
  const [count, setCount] = useState(1);
  const [target, setTarget] = useState('https://example.com/');
  const [seed, setSeed] = useState(0);
  const chosen = enabled.find((a) => a.username === account) ?? enabled[0];
  const countries = geo.data?.list ?? [];
  const regions = countries.find((c) => c.country_code === country)?.items ?? [];
  const [state, city] = region === '' ? ['', ''] : (region.split('|') as [string, string]);

  const lines = useMemo(() => {
    if (!chosen) return [];
    void seed;
    return Array.from({ length: Math.max(1, Math.min(100, count)) }, () => {
      const user = proxyUsername(chosen.username, {
        country,
        state,
        city,
        session: sticky ? sessionId() : undefined,
        life: sticky ? life : undefined,
      });
      return { user, line: `${session.proxyHost}:${session.proxyPort}:${user}:${chosen.password}` };
    });
  }, [chosen, country, state, city, sticky, life, count, seed, session.proxyHost, session.proxyPort]);
  const firstUser = lines[0]?.user ?? '';
  const curl = chosen
    ? protocol === 'http'
      ? `curl -x ${shellQuote(`http://${firstUser}:${chosen.password}@${session.proxyHost}:${session.proxyPort}`)} ${shellQuote(target)}`
      : `curl --socks5-hostname ${shellQuote(`${firstUser}:${chosen.password}@${session.proxyHost}:${session.proxyPort}`)} ${shellQuote(target)}`
    : '';
  const zh = i18n.language.startsWith('zh');

  return (
    <>
      <h1>{t('proxy.title')}</h1>
      <ErrorNotice error={accounts.error ?? geo.error} />
      <section className="panel" aria-labelledby="gen-h">
        <h2 id="gen-h">{t('proxy.generator')}</h2>
        {enabled.length === 0 && !accounts.isPending && <Notice kind="info">{t('proxy.noAccount')}</Notice>}
        <div className="row">
          <Field label={t('proxy.account')}>
            {({ id }) => (
              <select id={id} value={chosen?.username ?? ''} onChange={(e) => setAccount(e.target.value)}>
                {enabled.map((a) => (
                  <option key={a.id} value={a.username}>
                    {a.username}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('proxy.protocol')}>
            {({ id }) => (
              <select id={id} value={protocol} onChange={(e) => setProtocol(e.target.value as 'http' | 'socks5')}>
                <option value="http">HTTP</option>
                <option value="socks5">SOCKS5</option>
              </select>
            )}
          </Field>
          <Field label={t('proxy.country')}>
            {({ id }) => (
              <select
                id={id}
                value={country}
                onChange={(e) => {
                  setCountry(e.target.value);
                  setRegion('');
                }}
              >
                <option value="">{t('proxy.anyCountry')}</option>
                {countries.map((c) => (
                  <option key={c.country_code} value={c.country_code}>
                    {zh ? c.name_zh_cn : c.name_en} ({c.country_code})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('proxy.region')}>
            {({ id }) => (
              <select id={id} value={region} onChange={(e) => setRegion(e.target.value)} disabled={regions.length === 0}>
                <option value="">{t('proxy.anyRegion')}</option>
                {regions.map((r) => (
                  <option key={`${r.state}|${r.city}`} value={`${r.state}|${r.city}`}>
                    {[r.state, r.city].filter(Boolean).join(' / ')}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <div className="row">
          <div className="field">
            <label>
              <input type="checkbox" checked={sticky} onChange={(e) => setSticky(e.target.checked)} /> {t('proxy.sticky')}
            </label>
          </div>
          <Field label={t('proxy.life')}>
            {({ id }) => (
              <input
                id={id}
                type="number"
                min={1}
                max={1440}
                value={life}
                disabled={!sticky}
                onChange={(e) => setLife(Number(e.target.value))}
              />
            )}
          </Field>
          <Field label={t('proxy.count')}>
            {({ id }) => (
              <input id={id} type="number" min={1} max={100} value={count} onChange={(e) => setCount(Number(e.target.value))} />
            )}
          </Field>
          <div className="field">
            <button type="button" className="button secondary" onClick={() => setSeed(seed + 1)}>
              {t('proxy.regenerate')}
            </button>
          </div>
        </div>
        <h3>{t('proxy.lines')}</h3>
        <pre className="code" data-testid="proxy-lines">
          {lines.map((l) => l.line).join('\n')}
        </pre>
        <CopyButton text={lines.map((l) => l.line).join('\n')} />
        <h3>{t('proxy.curl')}</h3>
        <Field label={t('proxy.target')}>
          {({ id }) => <input id={id} size={50} value={target} onChange={(e) => setTarget(e.target.value)} />}
        </Field>
        <pre className="code" data-testid="curl-example">
          {curl}
        </pre>
        {curl && <CopyButton text={curl} />}
      </section>
      <Extraction />
      <WhiteIps />
    </>
  );
}

function Extraction() {
  const { t } = useTranslation();
  const session = useSession();
  const [num, setNum] = useState(1);
  const [format, setFormat] = useState<'json' | 'text'>('text');
  const [cc, setCc] = useState('');
  const extract = useMutation({
    mutationFn: async () => {
      const query = { num, format: 'json' as const, ...(cc ? { cc } : {}) };
      const data = await unwrap(session.api.GET('/ip/v3', { params: { query } }));
      return data.list;
    },
  });
  const canManage = session.can('manage_accounts');
  const teamParam = session.team ? `&team_id=${session.team.team_id}` : '';
  const url = `${location.origin}${session.prefixes[0] ?? ''}/ip/v3?app_key=YOUR_APP_KEY&num=${num}&format=${format}${cc ? `&cc=${cc}` : ''}${teamParam}`;
  return (
    <section className="panel" aria-labelledby="extract-h">
      <h2 id="extract-h">{t('proxy.extraction')}</h2>
      <p className="muted">{t('proxy.extractionHint')}</p>
      <div className="row">
        <Field label={t('proxy.count')}>
          {({ id }) => (
            <input id={id} type="number" min={1} max={200} value={num} onChange={(e) => setNum(Number(e.target.value))} />
          )}
        </Field>
        <Field label={t('proxy.country')}>
          {({ id }) => <input id={id} size={4} maxLength={2} value={cc} onChange={(e) => setCc(e.target.value.toUpperCase())} />}
        </Field>
        <Field label={t('proxy.format')}>
          {({ id }) => (
            <select id={id} value={format} onChange={(e) => setFormat(e.target.value as 'json' | 'text')}>
              <option value="text">text</option>
              <option value="json">json</option>
            </select>
          )}
        </Field>
        <div className="field">
          <button type="button" className="button" onClick={() => extract.mutate()} disabled={extract.isPending || !canManage}>
            {t('proxy.extract')}
          </button>
        </div>
      </div>
      <ErrorNotice error={extract.error} />
      {extract.data && (
        <pre className="code" data-testid="extracted">
          {format === 'json' ? JSON.stringify(extract.data, null, 2) : extract.data.map((row) => row.join(':')).join('\n')}
        </pre>
      )}
      <p>{t('proxy.extractUrl')}</p>
      <pre className="code">{url}</pre>
    </section>
  );
}

function WhiteIps() {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const me = useSessionQuery({ queryKey: ['web-session'], queryFn: () => unwrap(web.GET('/web/session')) });
  const list = useQuery({
    queryKey: ['white-ips'],
    queryFn: () => unwrap(session.api.GET('/white-ip/list', { params: { query: {} } })),
  });
  const [ips, setIps] = useState('');
  const [remark, setRemark] = useState('');
  const [fieldError, setFieldError] = useState('');
  const add = useMutation({
    mutationFn: (input: { ips: string; remark: string }) => unwrap(session.api.POST('/white-ip/add', { body: input })),
    onSuccess: async () => {
      setIps('');
      setFieldError('');
      await queryClient.invalidateQueries({ queryKey: ['white-ips'] });
    },
    onError: (err) => setFieldError(err instanceof ApiError ? (err.errors.ips ?? '') : ''),
  });
  const remove = useMutation({
    mutationFn: (id: number) => unwrap(session.api.POST('/white-ip/delete', { body: { ids: String(id) } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['white-ips'] }),
  });
  const myIp = me.data?.client_ip ?? '';
  const canManage = session.can('manage_accounts');
  return (
    <section className="panel" aria-labelledby="white-h">
      <h2 id="white-h">{t('proxy.whiteIps')}</h2>
      {add.error && !fieldError && <ErrorNotice error={add.error} />}
      <ErrorNotice error={remove.error ?? list.error} />
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate({ ips: ips.trim(), remark });
        }}
      >
        <Field label={t('proxy.ips')} hint={t('proxy.ipsHint')} error={fieldError || undefined}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              size={30}
              value={ips}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onChange={(e) => setIps(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('subAccounts.remark')}>
          {({ id }) => <input id={id} value={remark} onChange={(e) => setRemark(e.target.value)} />}
        </Field>
        <div className="field row">
          <button type="submit" className="button" disabled={add.isPending || ips.trim() === '' || !canManage}>
            {t('proxy.addIp')}
          </button>
          <button
            type="button"
            className="button secondary"
            disabled={!myIp || add.isPending || !canManage}
            onClick={() => add.mutate({ ips: myIp, remark: t('proxy.myAddress') })}
          >
            {t('proxy.addMyIp', { ip: myIp })}
          </button>
        </div>
      </form>
      <table className="plain">
        <thead>
          <tr>
            <th scope="col">IP</th>
            <th scope="col">{t('subAccounts.remark')}</th>
            <th scope="col">{t('proxy.added')}</th>
            <th scope="col">{t('subAccounts.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.list ?? []).map((w) => (
            <tr key={w.id}>
              <td>{w.ip}</td>
              <td>{w.remark}</td>
              <td>{w.created_at}</td>
              <td>
                <ConfirmButton
                  label={t('common.delete')}
                  disabled={!canManage}
                  question={t('proxy.confirmDeleteIp', { ip: w.ip })}
                  onConfirm={() => remove.mutate(w.id)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
