// The one place that talks HTTP to the Mami API. Every failure becomes an ApiError whose
// message is written for the person using the UI.

import type { ChatAnswer, ChatAttempt, ChatRequest, HealthReport, Job } from './types'

/** How long the UI waits for an answer before telling the user; chat walks a provider chain. */
export const CHAT_TIMEOUT_MS = 90_000
export const DEFAULT_TIMEOUT_MS = 20_000

export class ApiError extends Error {
  /** HTTP status, or null when no response arrived (network down, timeout). */
  readonly status: number | null
  /** Provider attempts reported with a failed chat request, else empty. */
  readonly attempts: ChatAttempt[]

  constructor(message: string, status: number | null, attempts: ChatAttempt[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.attempts = attempts
  }
}

/**
 * The API base from VITE_API_URL, without a trailing slash. Empty when unset, and always under
 * the dev server (see vite.config.ts): requests then go to the UI's own origin, where the dev
 * server, `vite preview` or the production nginx forward them to the API.
 */
export function apiBaseUrl(): string {
  const configured = (import.meta.env.VITE_API_URL ?? '').trim()
  return configured.replace(/\/+$/, '')
}

/** An absolute or origin-relative URL for an API path such as `/api/images`. */
export function apiUrl(path: string): string {
  return `${apiBaseUrl()}${path.startsWith('/') ? path : `/${path}`}`
}

type ErrorBody = { detail?: unknown } | null
/** Per-endpoint wording for a status, where the generic wording would be vague. */
type Summaries = Partial<Record<number, string>>

interface Described {
  message: string
  attempts: ChatAttempt[]
}

function isAttemptList(value: unknown): value is ChatAttempt[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && 'provider' in item)
}

/** FastAPI's 422 body: `{"detail": [{"loc": [...], "msg": "..."}]}`. */
function describeValidationErrors(detail: unknown): string | null {
  if (!Array.isArray(detail) || detail.length === 0) return null
  const parts = detail.map((item: { loc?: unknown; msg?: unknown }) => {
    const field = Array.isArray(item.loc) ? item.loc.filter((part) => part !== 'body').join('.') : ''
    const message = typeof item.msg === 'string' ? item.msg : 'is not valid'
    return field ? `${field}: ${message}` : message
  })
  return parts.join('; ')
}

/** Turns an error response into words; `detail` may be a string, an object or a list. */
function describeFailure(status: number, body: ErrorBody, summaries: Summaries = {}): Described {
  const detail = body?.detail
  let serverMessage: string | null = null
  let attempts: ChatAttempt[] = []
  if (typeof detail === 'string') {
    serverMessage = detail
  } else if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
    const record = detail as { message?: unknown; attempts?: unknown }
    if (typeof record.message === 'string') serverMessage = record.message
    if (isAttemptList(record.attempts)) attempts = record.attempts
  }

  const withReason = (summary: string) => ({
    message: serverMessage ? `${summary}: ${serverMessage}` : summary,
    attempts,
  })

  const summary = summaries[status]
  if (summary) return withReason(summary)
  switch (status) {
    case 400:
      return withReason('The request was rejected')
    case 404:
      return withReason('Not found')
    case 413:
      return withReason('The image is too large for the server')
    case 415:
      return withReason('This file type is not accepted. Upload a JPEG, PNG or WebP image')
    case 422: {
      const fields = describeValidationErrors(detail)
      return { message: `The request was not valid${fields ? `: ${fields}` : ''}`, attempts }
    }
    case 503:
      return withReason('The service is unavailable right now')
    default:
      if (status >= 500) return withReason(`The server ran into a problem (HTTP ${status}). Try again in a moment`)
      return withReason(`The request failed (HTTP ${status})`)
  }
}

/**
 * A proxy's answer when the API behind it is down: 502/504 from nginx, or the empty 500 of the
 * Vite dev and preview proxies (the API's own 500 has a body).
 */
function isGatewayFailure(status: number, body: unknown): boolean {
  return status === 502 || status === 504 || (status === 500 && body === null)
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text()
  if (text.trim() === '') return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): ApiError {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ApiError(`The API did not answer within ${Math.round(timeoutMs / 1000)} seconds. Try again.`, null)
  }
  const where = apiBaseUrl() || 'this site'
  return new ApiError(`Could not reach the Mami API (${where}). Check that it is running and try again.`, null)
}

interface RequestOptions {
  method?: string
  body?: BodyInit
  headers?: Record<string, string>
  timeoutMs?: number
  /** Statuses whose JSON body is a normal answer rather than an error (GET /health's 503). */
  acceptStatuses?: number[]
  summaries?: Summaries
}

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let response: Response
  try {
    response = await fetch(apiUrl(path), {
      method: options.method ?? 'GET',
      body: options.body,
      headers: { Accept: 'application/json', ...options.headers },
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw describeNetworkError(error, timeoutMs)
  }

  let body: unknown
  try {
    body = await readJson(response)
  } catch (error) {
    throw describeNetworkError(error, timeoutMs)
  }
  // An accepted error status counts only with a JSON body (a proxy's bare 503 has none).
  const hasJsonBody = typeof body === 'object' && body !== null
  const accepted = response.ok || ((options.acceptStatuses ?? []).includes(response.status) && hasJsonBody)
  if (!accepted && isGatewayFailure(response.status, body)) {
    throw new ApiError(
      `Could not reach the Mami API: the server in between answered HTTP ${response.status}. Check that the API is running and try again.`,
      response.status,
    )
  }
  if (!accepted) {
    const { message, attempts } = describeFailure(response.status, (body ?? null) as ErrorBody, options.summaries)
    throw new ApiError(message, response.status, attempts)
  }
  if (body === undefined || body === null) {
    throw new ApiError('The API sent an answer the UI could not read.', response.status)
  }
  return body as T
}

export function sendChat(chat: ChatRequest): Promise<ChatAnswer> {
  return request<ChatAnswer>('/api/chat', {
    method: 'POST',
    body: JSON.stringify({ message: chat.message, chain: chat.chain ?? 'default' }),
    headers: { 'Content-Type': 'application/json' },
    timeoutMs: CHAT_TIMEOUT_MS,
    summaries: {
      400: 'The AI provider rejected the message',
      503: 'No AI provider could answer',
    },
  })
}

export function uploadImage(file: File): Promise<Job> {
  const form = new FormData()
  form.append('file', file, file.name)
  return request<Job>('/api/images', { method: 'POST', body: form, timeoutMs: 120_000 })
}

export function listJobs(): Promise<Job[]> {
  return request<Job[]>('/api/images')
}

export function getJob(id: string): Promise<Job> {
  return request<Job>(`/api/images/${encodeURIComponent(id)}`, {
    summaries: { 404: 'This image job no longer exists' },
  })
}

/** GET /health answers 503 with the same body when a required component is down. */
export function getHealth(): Promise<HealthReport> {
  return request<HealthReport>('/health', { acceptStatuses: [503] })
}
