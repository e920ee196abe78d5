import { create } from 'zustand'

import { getHealth } from '../api/client'
import type { HealthReport } from '../api/types'
import { messageOf } from './errors'

interface HealthState {
  report: HealthReport | null
  /** Why the last check failed; the previous report stays visible beside it. */
  error: string | null
  checking: boolean
  /** When the last check finished, successful or not. */
  checkedAt: Date | null
  refresh: () => Promise<void>
}

export const useHealthStore = create<HealthState>()((set, get) => ({
  report: null,
  error: null,
  checking: false,
  checkedAt: null,

  refresh: async () => {
    // A slow /health must not pile up requests from the poller.
    if (get().checking) return
    set({ checking: true })
    try {
      const report = await getHealth()
      set({ report, error: null, checking: false, checkedAt: new Date() })
    } catch (error) {
      set({ error: messageOf(error), checking: false, checkedAt: new Date() })
    }
  },
}))

/** Calls refresh now and every intervalMs; returns the function that stops it. */
export function pollHealth(intervalMs: number): () => void {
  const refresh = () => void useHealthStore.getState().refresh()
  refresh()
  const timer = setInterval(refresh, intervalMs)
  return () => clearInterval(timer)
}
