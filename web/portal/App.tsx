import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Redirect, Route, Switch } from 'wouter';
import { unwrap } from '../shared/api/client.js';
import { AppShell } from '../shared/components/AppShell.js';
import { ErrorNotice } from '../shared/components/Notice.js';
import { customerClient, type PortalSession, SessionContext, web } from './api.js';
import { ApiAccessPage } from './pages/ApiAccess.js';
import { OrdersPage } from './pages/Orders.js';
import { OverviewPage } from './pages/Overview.js';
import { ProxySetupPage } from './pages/ProxySetup.js';
import { SignInPage } from './pages/SignIn.js';
import { StaticIpsPage } from './pages/StaticIps.js';
import { SubAccountsPage } from './pages/SubAccounts.js';

export const SESSION_KEY = ['web-session'];

export function App() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: SESSION_KEY, queryFn: () => unwrap(web.GET('/web/session')) });
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
      api: customerClient(data.prefixes[0] ?? '/gateway'),
    };
  }, [session.data]);

  if (session.isPending) return <p className="content">{t('common.loading')}</p>;
  if (session.error) {
    return (
      <main id="main" className="signin">
        <ErrorNotice error={session.error} />
      </main>
    );
  }
  if (!value) return <SignInPage signupOpen={session.data?.signup_open ?? false} />;

  const signOut = async () => {
    await web.POST('/web/session/end');
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
  return (
    <SessionContext.Provider value={value}>
      <AppShell title={t('portal.title')} nav={nav} who={value.email} onSignOut={() => void signOut()}>
        <Switch>
          <Route path="/" component={OverviewPage} />
          <Route path="/sub-accounts" component={SubAccountsPage} />
          <Route path="/proxy" component={ProxySetupPage} />
          <Route path="/static-ips" component={StaticIpsPage} />
          <Route path="/orders" component={OrdersPage} />
          <Route path="/api-access" component={ApiAccessPage} />
          <Route>
            <Redirect to="/" />
          </Route>
        </Switch>
      </AppShell>
    </SessionContext.Provider>
  );
}
