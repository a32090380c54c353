import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../shared/components/LanguageSwitch.js';

export function App() {
  const { t } = useTranslation();
  return (
    <main id="main" className="signin">
      <div className="panel">
        <div className="signin-header">
          <h1>{t('portal.title')}</h1>
          <LanguageSwitch />
        </div>
      </div>
    </main>
  );
}
