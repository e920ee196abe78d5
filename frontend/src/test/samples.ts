import type { ChatAnswer, ChatAttempt, HealthReport, Job } from '../api/types'

export const okAttempt: ChatAttempt = {
  provider: 'groq',
  model: 'llama-3.3-70b-versatile',
  outcome: 'ok',
  detail: null,
  duration_ms: 12.5,
}

export const failedAttempt: ChatAttempt = {
  provider: 'gemini',
  model: 'gemini-2.0-flash',
  outcome: 'error',
  detail: 'HTTP 429: rate limited',
  duration_ms: 30,
}

export const chatAnswer: ChatAnswer = {
  answer: 'Merhaba!',
  provider: 'groq',
  model: 'llama-3.3-70b-versatile',
  attempts: [okAttempt],
}

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    filename: 'cat.png',
    content_type: 'image/png',
    status: 'pending',
    created_at: '2026-11-26T06:00:00Z',
    updated_at: '2026-11-26T06:00:00Z',
    error: null,
    results: [],
    ...overrides,
  }
}

export const healthyReport: HealthReport = {
  status: 'ok',
  components: {
    database: { status: 'up', detail: null, required: true },
    redis: { status: 'up', detail: null, required: true },
  },
}

export const unhealthyReport: HealthReport = {
  status: 'unhealthy',
  components: {
    database: { status: 'down', detail: 'unable to open database file', required: true },
    elasticsearch: { status: 'down', detail: 'connection refused', required: false },
  },
}
