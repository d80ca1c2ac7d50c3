// /admin/<tab>: the administration area. Each tab shows only with its
// permission; an address for a tab the user may not see goes to the first one
// they may.
import { useEffect } from 'react'
import type { MouseEvent } from 'react'
import { useI18n } from '../i18n'
import type { MessageKey } from '../i18n'
import { navigate } from '../router'
import { useSession } from '../session'
import { adminPath, resolveTab, visibleTabs } from './adminLogic'
import type { AdminTab } from './adminLogic'
import { AccountTab } from './AccountTab'
import { AuditTab } from './AuditTab'
import { BillingTab } from './BillingTab'
import { ChannelsTab } from './ChannelsTab'
import { ProfilesTab } from './ProfilesTab'
import { QuickRepliesTab } from './QuickRepliesTab'
import { RulesTab } from './RulesTab'
import { SessionsTab } from './SessionsTab'
import { TeamsTab } from './TeamsTab'
import { TokensTab } from './TokensTab'
import { UsersTab } from './UsersTab'
import { WebhooksTab } from './WebhooksTab'
import { WhatsAppCostsTab } from './WhatsAppCostsTab'

const TAB_LABEL: Record<AdminTab, MessageKey> = {
  users: 'admin.tab.users',
  profiles: 'admin.tab.profiles',
  teams: 'admin.tab.teams',
  channels: 'admin.tab.channels',
  rules: 'admin.tab.rules',
  'quick-replies': 'admin.tab.quickReplies',
  sessions: 'admin.tab.sessions',
  tokens: 'admin.tab.tokens',
  webhooks: 'admin.tab.webhooks',
  account: 'admin.tab.account',
  audit: 'admin.tab.audit',
  'whatsapp-costs': 'admin.tab.whatsappCosts',
  billing: 'admin.tab.billing',
}

export function AdminPage({ tab: requested }: { tab: string | null }) {
  const { t } = useI18n()
  const { me } = useSession()
  const perms = me.user.permissions
  const modules = me.account.modules ?? []
  const { tab, redirect } = resolveTab(requested, perms, modules)
  const tabs = visibleTabs(perms, modules)

  useEffect(() => {
    if (redirect && tab) navigate(adminPath(tab), { replace: true })
  }, [redirect, tab])

  if (!tab) {
    return (
      <div className="splash" data-testid="admin-forbidden">
        <p>{t('admin.forbidden')}</p>
        <button type="button" className="btn btn-primary" onClick={() => navigate('/')}>
          {t('app.goInbox')}
        </button>
      </div>
    )
  }

  function go(e: MouseEvent, to: AdminTab) {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(adminPath(to))
  }

  return (
    <div className="admin" data-testid="admin-page">
      <nav className="admin-tabs" aria-label={t('admin.title')}>
        {tabs.map((key) => (
          <a
            key={key}
            href={adminPath(key)}
            className={`tab${key === tab ? ' tab-active' : ''}`}
            aria-current={key === tab ? 'page' : undefined}
            onClick={(e) => go(e, key)}
            data-testid={`admin-tab-${key}`}
          >
            {t(TAB_LABEL[key])}
          </a>
        ))}
      </nav>
      <div className="admin-content">
        {tab === 'users' && <UsersTab />}
        {tab === 'profiles' && <ProfilesTab />}
        {tab === 'teams' && <TeamsTab />}
        {tab === 'channels' && <ChannelsTab />}
        {tab === 'rules' && <RulesTab />}
        {tab === 'quick-replies' && <QuickRepliesTab />}
        {tab === 'sessions' && <SessionsTab />}
        {tab === 'tokens' && <TokensTab />}
        {tab === 'webhooks' && <WebhooksTab />}
        {tab === 'account' && <AccountTab />}
        {tab === 'audit' && <AuditTab />}
        {tab === 'whatsapp-costs' && <WhatsAppCostsTab />}
        {tab === 'billing' && <BillingTab />}
      </div>
    </div>
  )
}
