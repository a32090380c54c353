import { useTranslation } from 'react-i18next';
import { currentLanguage, LANGUAGES } from '../i18n.js';

/** Switches the page between English and Simplified Chinese; the choice is remembered. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const current = currentLanguage(i18n);
  return (
    <label className="language-switch">
      <span className="visually-hidden">{t('common.language')}</span>
      <select value={current} onChange={(e) => void i18n.changeLanguage(e.target.value)} aria-label={t('common.language')}>
        {LANGUAGES.map((lng) => (
          <option key={lng} value={lng}>
            {lng === 'zh' ? t('common.chinese') : t('common.english')}
          </option>
        ))}
      </select>
    </label>
  );
}
