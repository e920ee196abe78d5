import { beforeEach, describe, expect, it } from 'vitest'

import { MAX_MESSAGE_LENGTH } from '../api/types'
import { jsonResponse, replaceFetch } from '../test/fakeFetch'
import { chatAnswer, failedAttempt } from '../test/samples'
import { useChatStore } from './chatStore'

const initialState = useChatStore.getState()

describe('chat store', () => {
  beforeEach(() => useChatStore.setState(initialState, true))

  it('sends the trimmed draft, shows it pending, then records the answer and provider', async () => {
    let release: (response: Response) => void = () => {}
    const requests = replaceFetch(() => new Promise<Response>((resolve) => (release = resolve)))
    const store = useChatStore.getState()
    store.setDraft('  Selam Mami  ')

    const sending = store.send()
    const pending = useChatStore.getState()
    expect(pending.sending).toBe(true)
    expect(pending.draft).toBe('')
    expect(pending.exchanges).toMatchObject([{ message: 'Selam Mami', status: 'pending' }])

    await Promise.resolve()
    release(jsonResponse(chatAnswer))
    await sending

    const done = useChatStore.getState()
    expect(done.sending).toBe(false)
    expect(done.exchanges).toMatchObject([
      { message: 'Selam Mami', status: 'answered', answer: chatAnswer, error: null, attempts: chatAnswer.attempts },
    ])
    expect(JSON.parse(String(requests[0]?.body))).toEqual({ message: 'Selam Mami', chain: 'default' })
  })

  it('refuses an empty or too long draft without calling the API', async () => {
    const requests = replaceFetch(() => jsonResponse(chatAnswer))
    const store = useChatStore.getState()

    store.setDraft('   ')
    await useChatStore.getState().send()
    expect(useChatStore.getState().draftError).toBe('Write a message first.')

    store.setDraft('x'.repeat(MAX_MESSAGE_LENGTH + 1))
    expect(useChatStore.getState().draftError).toBeNull()
    await useChatStore.getState().send()
    expect(useChatStore.getState().draftError).toBe(
      `The message is ${MAX_MESSAGE_LENGTH + 1} characters long; the limit is ${MAX_MESSAGE_LENGTH}.`,
    )
    expect(useChatStore.getState().draft).toHaveLength(MAX_MESSAGE_LENGTH + 1)
    expect(useChatStore.getState().exchanges).toEqual([])
    expect(requests).toEqual([])
  })

  it('keeps the failure and the attempts when the whole chain fails', async () => {
    replaceFetch(() => jsonResponse({ detail: { message: 'all providers failed', attempts: [failedAttempt] } }, 503))
    useChatStore.getState().setDraft('Selam')
    await useChatStore.getState().send()
    expect(useChatStore.getState().exchanges).toMatchObject([
      {
        status: 'failed',
        answer: null,
        error: 'No AI provider could answer: all providers failed',
        attempts: [failedAttempt],
      },
    ])
    expect(useChatStore.getState().sending).toBe(false)
  })

  it('sends one message at a time', async () => {
    let release: (response: Response) => void = () => {}
    const requests = replaceFetch(() => new Promise<Response>((resolve) => (release = resolve)))
    useChatStore.getState().setDraft('first')
    const first = useChatStore.getState().send()
    useChatStore.getState().setDraft('second')
    await useChatStore.getState().send()
    await Promise.resolve()
    release(jsonResponse(chatAnswer))
    await first
    expect(requests).toHaveLength(1)
    expect(useChatStore.getState().draft).toBe('second')
  })

  it('clears the conversation', async () => {
    replaceFetch(() => jsonResponse(chatAnswer))
    useChatStore.getState().setDraft('Selam')
    await useChatStore.getState().send()
    useChatStore.getState().clear()
    expect(useChatStore.getState().exchanges).toEqual([])
  })
})
