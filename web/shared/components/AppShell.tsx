import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { LanguageSwitch } from './LanguageSwitch.js';

export interface NavItem {
  readonly href: string;
  readonly label: string;
}

/**
 * The frame of every signed-in page: a skip link, the header (product name, who is signed in, language,
 * sign out), the navigation and the main landmark holding the page.
 */
export function AppShell(props: {
  title: string;
  nav: readonly NavItem[];
  who?: ReactNode;
  onSignOut?: () => void;
  extra?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const [location] = useLocation();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{props.title}</span>
        <span className="topbar-spacer" />
        {props.extra}
        {props.who && <span className="who">{props.who}</span>}
        <LanguageSwitch />
        {props.onSignOut && (
          <button type="button" className="button secondary" onClick={props.onSignOut}>
            {t('common.signOut')}
          </button>
        )}
      </header>
      <div className="body">
        <nav className="sidenav" aria-label={t('common.mainNavigation')}>
          <ul>
            {props.nav.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={location === item.href ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="content" tabIndex={-1}>
          {props.children}
        </main>
      </div>
    </div>
  );
}
