import type { KeyboardEvent } from 'react'

import type { ChatAttempt } from '../api/types'
import { MAX_MESSAGE_LENGTH } from '../api/types'
import { Badge, ErrorNotice, Spinner } from '../components/feedback'
import { useChatStore, type Exchange } from '../stores/chatStore'

function AttemptList({ attempts }: { attempts: ChatAttempt[] }) {
  if (attempts.length === 0) return null
  return (
    <details className="mt-2 text-xs text-slate-600">
      <summary className="cursor-pointer">Provider attempts ({attempts.length})</summary>
      <ol className="mt-1 list-decimal space-y-1 pl-5">
        {attempts.map((attempt, index) => (
          <li key={index}>
            {attempt.provider} · {attempt.model}: {attempt.outcome === 'ok' ? 'answered' : 'failed'} in{' '}
            {Math.round(attempt.duration_ms)} ms{attempt.detail ? ` (${attempt.detail})` : ''}
          </li>
        ))}
      </ol>
    </details>
  )
}

function ExchangeView({ exchange }: { exchange: Exchange }) {
  return (
    <li className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
      <p className="whitespace-pre-wrap">
        <span className="font-semibold">You: </span>
        {exchange.message}
      </p>
      {exchange.status === 'pending' && <Spinner label="Waiting for an answer…" />}
      {exchange.status === 'answered' && exchange.answer && (
        <div>
          <p className="whitespace-pre-wrap" data-testid="chat-answer">
            <span className="font-semibold">Mami: </span>
            {exchange.answer.answer}
          </p>
          <p className="mt-1 text-xs text-slate-600">
            Answered by <Badge tone="good">{exchange.answer.provider}</Badge>{' '}
            <span className="font-mono">{exchange.answer.model}</span>
          </p>
        </div>
      )}
      {exchange.status === 'failed' && exchange.error && <ErrorNotice title="No answer" message={exchange.error} />}
      <AttemptList attempts={exchange.attempts} />
    </li>
  )
}

export default function ChatPage() {
  const { draft, draftError, exchanges, sending, setDraft, send, clear } = useChatStore()

  // Enter sends, Shift+Enter keeps writing on a new line.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      void send()
    }
  }

  return (
    <section aria-labelledby="chat-title" className="space-y-4">
      <h1 id="chat-title" className="text-2xl font-semibold">
        Chat
      </h1>
      {exchanges.length === 0 ? (
        <p className="text-slate-600">Ask Mami anything. The answer names the provider that gave it.</p>
      ) : (
        <ol aria-label="Conversation" aria-live="polite" className="space-y-3">
          {exchanges.map((exchange) => (
            <ExchangeView key={exchange.id} exchange={exchange} />
          ))}
        </ol>
      )}
      <form
        className="space-y-2"
        onSubmit={(event) => {
          event.preventDefault()
          void send()
        }}
      >
        <label htmlFor="chat-message" className="block text-sm font-medium">
          Message
        </label>
        <textarea
          id="chat-message"
          rows={3}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          aria-invalid={draftError ? true : undefined}
          aria-describedby={draftError ? 'chat-message-hint chat-message-error' : 'chat-message-hint'}
          className="block w-full rounded-md border border-slate-300 bg-white p-2"
        />
        <p id="chat-message-hint" className="text-xs text-slate-600">
          Enter sends, Shift+Enter starts a new line. {draft.length}/{MAX_MESSAGE_LENGTH} characters.
        </p>
        {draftError && (
          <p id="chat-message-error" role="alert" className="text-sm text-red-700">
            {draftError}
          </p>
        )}
        <div className="flex gap-2">
          <button
            type="submit"
            disabled={sending}
            className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-50"
          >
            {sending ? 'Sending…' : 'Send'}
          </button>
          <button
            type="button"
            onClick={clear}
            disabled={sending || exchanges.length === 0}
            className="rounded-md border border-slate-300 px-4 py-2 text-sm disabled:opacity-50"
          >
            Clear conversation
          </button>
        </div>
      </form>
    </section>
  )
}
