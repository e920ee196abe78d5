import { create } from 'zustand'

import { ApiError, sendChat } from '../api/client'
import { MAX_MESSAGE_LENGTH, type ChatAnswer, type ChatAttempt } from '../api/types'
import { messageOf } from './errors'

/** One question and what became of it. */
export interface Exchange {
  id: number
  message: string
  status: 'pending' | 'answered' | 'failed'
  answer: ChatAnswer | null
  error: string | null
  /** Provider attempts, from the answer or from the failure report. */
  attempts: ChatAttempt[]
}

interface ChatState {
  draft: string
  /** Why the draft cannot be sent, shown next to the message field. */
  draftError: string | null
  exchanges: Exchange[]
  sending: boolean
  setDraft: (draft: string) => void
  /** Sends the draft; resolves once the exchange is answered or failed. */
  send: () => Promise<void>
  clear: () => void
}

let nextExchangeId = 1

function validateDraft(draft: string): string | null {
  if (draft.trim() === '') return 'Write a message first.'
  if (draft.length > MAX_MESSAGE_LENGTH) {
    return `The message is ${draft.length} characters long; the limit is ${MAX_MESSAGE_LENGTH}.`
  }
  return null
}

export const useChatStore = create<ChatState>()((set, get) => {
  const updateExchange = (id: number, change: Partial<Exchange>) =>
    set((state) => ({
      exchanges: state.exchanges.map((exchange) => (exchange.id === id ? { ...exchange, ...change } : exchange)),
    }))

  return {
    draft: '',
    draftError: null,
    exchanges: [],
    sending: false,

    setDraft: (draft) => set({ draft, draftError: null }),

    send: async () => {
      const { draft, sending } = get()
      if (sending) return
      const draftError = validateDraft(draft)
      if (draftError) {
        set({ draftError })
        return
      }
      const id = nextExchangeId++
      const message = draft.trim()
      const pending: Exchange = { id, message, status: 'pending', answer: null, error: null, attempts: [] }
      set((state) => ({ draft: '', draftError: null, sending: true, exchanges: [...state.exchanges, pending] }))
      try {
        const answer = await sendChat({ message })
        updateExchange(id, { status: 'answered', answer, attempts: answer.attempts })
      } catch (error) {
        const attempts = error instanceof ApiError ? error.attempts : []
        updateExchange(id, { status: 'failed', error: messageOf(error), attempts })
      } finally {
        set({ sending: false })
      }
    },

    clear: () => set({ exchanges: [], draftError: null }),
  }
})
