import { useSession } from '../session'
import { safeZone } from '../zonedTime'

/** The account's time zone (America/Sao_Paulo when unset): where instants are shown and naive times are read. */
export function useAccountZone(): string {
  return safeZone(useSession().me.account.timezone)
}
