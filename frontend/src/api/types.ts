// Shapes of the Mami API, as agreed between app/ and frontend/ (see frontend/README.md).

export type ProviderName = 'groq' | 'gemini' | 'ollama'

export interface ChatAttempt {
  provider: string
  model: string
  outcome: 'ok' | 'error'
  detail: string | null
  duration_ms: number
}

export interface ChatRequest {
  message: string
  chain?: string
}

export interface ChatAnswer {
  answer: string
  provider: ProviderName
  model: string
  attempts: ChatAttempt[]
}

export type JobStatus = 'pending' | 'processing' | 'done' | 'failed'

export interface JobResult {
  name: string
  width: number
  height: number
  content_type: string
  /** Path of the processed image, `/api/images/{id}/results/{name}`. */
  url: string
}

export interface Job {
  id: string
  filename: string
  content_type: string
  status: JobStatus
  created_at: string
  updated_at: string
  error: string | null
  results: JobResult[]
}

export interface ComponentHealth {
  status: 'up' | 'down'
  detail: string | null
  required: boolean
}

export interface HealthReport {
  status: 'ok' | 'unhealthy'
  components: Record<string, ComponentHealth>
}

/** Limits the API enforces; the UI checks them first to answer without a round trip. */
export const MAX_MESSAGE_LENGTH = 4000
export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
