import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Router, Switch } from 'wouter';
import { unwrap } from '../shared/api/client.js';
import { AppShell } from '../shared/components/AppShell.js';
import { type Me, MeContext, maySignedIn, useApi } from './api.js';
import { AuditPage } from './pages/Audit.js';
import { CataloguePage } from './pages/Catalogue.js';
import { LivePage } from './pages/Live.js';
import { NodesPage } from './pages/Nodes.js';
import { OrdersPage } from './pages/Orders.js';
import { SignIn } from './pages/SignIn.js';
import { StaticIpsPage } from './pages/StaticIps.js';
import { UserDetailPage } from './pages/UserDetail.js';
import { UsersPage } from './pages/Users.js';

/** The session (asked once when a session cookie may exist), then the signed-in pages under /console. */
export function App() {
  const { t } = useTranslation();
  const api = useApi();
  const queries = useQueryClient();
  const [me, setMe] = useState<Me | null | undefined>(maySignedIn() ? undefined : null);

  useEffect(() => {
    if (me !== undefined) return;
    unwrap(api.GET('/admin/session'))
      .then((s) => setMe(s.operator))
      .catch(() => setMe(null));
  }, [api, me]);

  if (me === undefined) return <p className="muted">{t('common.loading')}</p>;
  if (me === null) return <SignIn onSignedIn={setMe} />;

  const signOut = () => {
    void unwrap(api.DELETE('/admin/session'))
      .catch(() => undefined)
      .finally(() => {
        queries.clear();
        setMe(null);
      });
  };
  const nav = [
    { href: '/', label: t('nav.live') },
    { href: '/users', label: t('nav.users') },
    { href: '/nodes', label: t('nav.nodes') },
    { href: '/catalogue', label: t('nav.catalogue') },
    { href: '/orders', label: t('nav.orders') },
    { href: '/static-ips', label: t('nav.staticIps') },
    { href: '/audit', label: t('nav.audit') },
  ];
  return (
    <MeContext.Provider value={me}>
      <Router base="/console">
        <AppShell title={t('console.title')} nav={nav} who={`${me.email} (${t(`role.${me.role}`)})`} onSignOut={signOut}>
          <Switch>
            <Route path="/" component={LivePage} />
            <Route path="/users" component={UsersPage} />
            <Route path="/users/:id">{(params) => <UserDetailPage id={Number(params.id)} />}</Route>
            <Route path="/nodes" component={NodesPage} />
            <Route path="/catalogue" component={CataloguePage} />
            <Route path="/orders" component={OrdersPage} />
            <Route path="/static-ips" component={StaticIpsPage} />
            <Route path="/audit" component={AuditPage} />
            <Route>
              <h1>{t('console.notFound')}</h1>
            </Route>
          </Switch>
        </AppShell>
      </Router>
    </MeContext.Provider>
  );
}
