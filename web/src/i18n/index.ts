// A tiny i18n: two dictionaries, {param} interpolation, a React context, and
// the chosen language remembered in localStorage.
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import ptBR from './pt-BR'
import type { MessageKey } from './pt-BR'
import en from './en'

export type { MessageKey }
export type Lang = 'pt-BR' | 'en'
export const LANGS: Lang[] = ['pt-BR', 'en']
export const LANG_NAMES: Record<Lang, string> = { 'pt-BR': 'Português', en: 'English' }
export const LANG_STORAGE_KEY = 'chatspot.lang'

const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'pt-BR': ptBR, en }

export type Params = Record<string, string | number>
export type Translate = (key: MessageKey, params?: Params) => string

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = dictionaries[lang][key] ?? dictionaries['pt-BR'][key] ?? key
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
}

/** Whether a string names a dictionary key (e.g. "channel.<kind>" for a kind we may not know). */
export function hasKey(key: string): key is MessageKey {
  return key in ptBR
}

export function storedLang(): Lang {
  try {
    const v = localStorage.getItem(LANG_STORAGE_KEY)
    if (v === 'en' || v === 'pt-BR') return v
  } catch {
    // storage disabled: use the default
  }
  return 'pt-BR'
}

export interface I18n {
  lang: Lang
  setLang: (l: Lang) => void
  t: Translate
}

const I18nContext = createContext<I18n>({
  lang: 'pt-BR',
  setLang: () => undefined,
  t: (key, params) => translate('pt-BR', key, params),
})

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => initial ?? storedLang())
  const setLang = useCallback((l: Lang) => {
    setLangState(l)
    try {
      localStorage.setItem(LANG_STORAGE_KEY, l)
    } catch {
      // not remembered; still switched
    }
  }, [])
  useEffect(() => {
    document.documentElement.lang = lang
  }, [lang])
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, params) => translate(lang, key, params) }), [lang, setLang])
  return createElement(I18nContext.Provider, { value }, children)
}

export function useI18n(): I18n {
  return useContext(I18nContext)
}
