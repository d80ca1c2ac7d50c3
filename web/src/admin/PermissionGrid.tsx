// The permission editor: the conversation-visibility scope as a radio, every
// other permission as a checkbox, grouped. Used by profiles and API tokens.
import { useId } from 'react'
import { useI18n } from '../i18n'
import type { MessageKey } from '../i18n'
import { isVisibilityPermission, permissionGroups, permissionLabel, togglePermission, VISIBILITIES, VISIBILITY_PERMISSION } from './adminLogic'
import type { PermissionGrid as Grid, Visibility } from './adminLogic'

const VISIBILITY_LABEL: Record<Visibility, MessageKey> = {
  all: 'perm.visibility.all',
  team: 'perm.visibility.team',
  assigned: 'perm.visibility.assigned',
  none: 'perm.visibility.none',
}

export function PermissionGrid({
  grid,
  all,
  onChange,
  disabled = false,
  testIdPrefix = 'perm',
}: {
  grid: Grid
  /** The permissions the server knows (all_permissions). */
  all: readonly string[]
  onChange: (g: Grid) => void
  disabled?: boolean
  testIdPrefix?: string
}) {
  const { t } = useI18n()
  const radioName = useId()
  const groups = permissionGroups(all)
  const scopes = VISIBILITIES.filter((v) => v === 'none' || all.includes(VISIBILITY_PERMISSION[v]))
  return (
    <fieldset className="perm-grid" disabled={disabled} data-testid={`${testIdPrefix}-grid`}>
      {all.some(isVisibilityPermission) && (
        <fieldset className="perm-group">
          <legend>{t('perm.group.visibility')}</legend>
          {scopes.map((v) => (
            <label key={v} className="check">
              <input
                type="radio"
                name={radioName}
                value={v}
                checked={grid.visibility === v}
                onChange={() => onChange({ ...grid, visibility: v })}
                data-testid={`${testIdPrefix}-visibility-${v}`}
              />
              <span>{t(VISIBILITY_LABEL[v])}</span>
            </label>
          ))}
        </fieldset>
      )}
      {groups.map((g) => (
        <fieldset className="perm-group" key={g.key}>
          <legend>{t(`perm.group.${g.key}`)}</legend>
          {g.perms.map((p) => (
            <label key={p} className="check" title={p}>
              <input
                type="checkbox"
                checked={grid.granted.includes(p)}
                onChange={(e) => onChange(togglePermission(grid, p, e.target.checked))}
                data-testid={`${testIdPrefix}-${p}`}
              />
              <span>{permissionLabel(p, t)}</span>
            </label>
          ))}
        </fieldset>
      ))}
    </fieldset>
  )
}
