import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ComponentType, lazy, Suspense, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Redirect, Route, Switch } from 'wouter';
import { unwrap } from '../shared/api/client.js';
import { AppShell } from '../shared/components/AppShell.js';
import { ErrorNotice } from '../shared/components/Notice.js';
import {
  customerClient,
  forgetBrowserState,
  membershipAllows,
  PERSON_KEYS,
  type PortalSession,
  rememberedTeam,
  rememberPrefix,
  rememberTeam,
  SESSION_KEY,
  SessionContext,
  sessionQueryFn,
  SUB_ACCOUNTS_KEY,
  type TeamMembership,
  web,
} from './api.js';
import { SignInPage } from './pages/SignIn.js';
import { SubAccountsPage } from './pages/SubAccounts.js';
import { TeamSwitch } from './TeamSwitch.js';

export { SESSION_KEY };

/**
 * A page loaded on first visit, so the start-up bundle holds only the sign-in form and the sub-account list
 * (the heaviest page to show fast); the others (the chart library with the overview) come in their own chunks.
 * `preload` starts the download early for the page the browser opened on.
 */
function page(load: () => Promise<{ default: ComponentType }>) {
  return { Component: lazy(load), preload: () => void load() };
}

const pages = {
  '/': page(() => import('./pages/Overview.js').then((m) => ({ default: m.OverviewPage }))),
  '/proxy': page(() => import('./pages/ProxySetup.js').then((m) => ({ default: m.ProxySetupPage }))),
  '/static-ips': page(() => import('./pages/StaticIps.js').then((m) => ({ default: m.StaticIpsPage }))),
  '/orders': page(() => import('./pages/Orders.js').then((m) => ({ default: m.OrdersPage }))),
  '/api-access': page(() => import('./pages/ApiAccess.js').then((m) => ({ default: m.ApiAccessPage }))),
} as const;
pages[location.pathname as keyof typeof pages]?.preload();

/** What main.tsx asked for before rendering: the sub-account list with this prefix and space. */
export interface EarlyRequests {
  readonly prefix: string;
  readonly teamId: string;
}

const TEAM_PAGE_SIZE = 100;

export function App(props: { early?: EarlyRequests | undefined }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: SESSION_KEY, queryFn: sessionQueryFn });
  const signedIn = session.data?.signed_in === true;
  const prefix = session.data?.prefixes[0] ?? '/gateway';
  const personalApi = useMemo(() => customerClient(prefix), [prefix]);
  const [teamId, setTeamId] = useState(rememberedTeam);
  const teams = useQuery({
    queryKey: ['teams'],
    queryFn: () => unwrap(personalApi.GET('/team/list', { params: { query: { page: 1, page_size: TEAM_PAGE_SIZE } } })),
    enabled: signedIn,
  });
  const memberships: readonly TeamMembership[] = teams.data?.list ?? [];
  // A remembered team the person is no longer in (or that is disabled) falls back to the personal space.
  const team = teamId === '' ? null : (memberships.find((m) => m.team_id === teamId && m.status === 1) ?? null);
  const spaceSettled = teamId === '' || teams.isSuccess || teams.isError;
  const shownTeamId = team?.team_id ?? '';

  // The list asked for before the first render is kept only if it was asked in the space now shown.
  const checkedEarly = useRef(false);
  if (!checkedEarly.current && props.early && session.data && spaceSettled) {
    checkedEarly.current = true;
    if (!signedIn || props.early.prefix !== prefix || props.early.teamId !== shownTeamId) {
      queryClient.removeQueries({ queryKey: SUB_ACCOUNTS_KEY, exact: true });
    }
  }

  const value = useMemo<PortalSession | null>(() => {
    const data = session.data;
    if (!data?.signed_in) return null;
    return {
      email: data.email,
      userId: data.user_id,
      prefixes: data.prefixes,
      proxyHost: data.proxy_host,
      proxyPort: data.proxy_port,
      platformTimeZone: data.time_zone,
      api: team ? customerClient(prefix, team.team_id) : personalApi,
      personalApi,
      team,
      can: (need) => membershipAllows(team, need),
    };
  }, [session.data, prefix, personalApi, team]);

  if (session.isPending) return <p className="content">{t('common.loading')}</p>;
  if (session.error) {
    return (
      <main id="main" className="signin">
        <ErrorNotice error={session.error} />
      </main>
    );
  }
  if (!value) return <SignInPage signupOpen={session.data?.signup_open ?? false} />;
  rememberPrefix(prefix);
  if (!spaceSettled) return <p className="content">{t('common.loading')}</p>;

  const switchSpace = (next: string) => {
    rememberTeam(next);
    // Nothing of the other space stays: every page asks again, with or without team_id.
    queryClient.removeQueries({ predicate: (q) => !PERSON_KEYS.has(String(q.queryKey[0])) });
    setTeamId(next);
  };
  const signOut = async () => {
    await web.POST('/web/session/end');
    forgetBrowserState();
    // Nothing of this customer's stays in memory: a fresh page, at the sign-in form.
    queryClient.clear();
    window.location.assign('/');
  };
  const nav = [
    { href: '/', label: t('nav.overview') },
    { href: '/sub-accounts', label: t('nav.subAccounts') },
    { href: '/proxy', label: t('nav.proxy') },
    { href: '/static-ips', label: t('nav.staticIps') },
    { href: '/orders', label: t('nav.orders') },
    { href: '/api-access', label: t('nav.apiAccess') },
  ];
  const switcher =
    memberships.length > 0 ? <TeamSwitch teams={memberships} current={shownTeamId} onSwitch={switchSpace} /> : undefined;
  return (
    <SessionContext.Provider value={value}>
      <AppShell title={t('portal.title')} nav={nav} who={value.email} extra={switcher} onSignOut={() => void signOut()}>
        <Suspense fallback={<p>{t('common.loading')}</p>}>
          <Switch key={shownTeamId}>
            <Route path="/sub-accounts" component={SubAccountsPage} />
            {Object.entries(pages).map(([path, p]) => (
              <Route key={path} path={path} component={p.Component} />
            ))}
            <Route>
              <Redirect to="/" />
            </Route>
          </Switch>
        </Suspense>
      </AppShell>
    </SessionContext.Provider>
  );
}
