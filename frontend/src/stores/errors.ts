import { ApiError } from '../api/client'

/** The words to show for anything a request threw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof Error && error.message) return `Something went wrong: ${error.message}`
  return 'Something went wrong.'
}
