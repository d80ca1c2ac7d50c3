import { LANGS, LANG_NAMES, useI18n } from '../i18n'
import type { Lang } from '../i18n'

export function LanguageSelect() {
  const { lang, setLang, t } = useI18n()
  return (
    <label className="compact-select">
      <span className="sr-only">{t('header.language')}</span>
      <select
        data-testid="language-select"
        value={lang}
        onChange={(e) => setLang(e.target.value as Lang)}
        title={t('header.language')}
      >
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  )
}
