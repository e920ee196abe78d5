import { vi } from 'vitest'

/** One recorded call to the replaced fetch. */
export interface RecordedRequest {
  url: string
  method: string
  headers: Headers
  body: BodyInit | null | undefined
}

type Responder = (request: RecordedRequest) => Response | Promise<Response>

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

/**
 * Replaces the global fetch (the client's only boundary) with responders served in order;
 * the last responder answers every further call.
 */
export function replaceFetch(...responders: Responder[]): RecordedRequest[] {
  const requests: RecordedRequest[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request: RecordedRequest = {
        url: String(input),
        method: init?.method ?? 'GET',
        headers: new Headers(init?.headers),
        body: init?.body,
      }
      requests.push(request)
      const responder = responders[Math.min(requests.length - 1, responders.length - 1)]
      if (!responder) throw new Error('replaceFetch needs at least one responder')
      return responder(request)
    }),
  )
  return requests
}
