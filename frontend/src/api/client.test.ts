import { afterEach, describe, expect, it, vi } from 'vitest'

import { failedAttempt, healthyReport, job, chatAnswer, unhealthyReport } from '../test/samples'
import { jsonResponse, replaceFetch } from '../test/fakeFetch'
import { ApiError, apiBaseUrl, apiUrl, getHealth, getJob, listJobs, sendChat, uploadImage } from './client'

async function failureOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError)
    return error as ApiError
  }
  throw new Error('expected the request to fail')
}

describe('API base URL', () => {
  afterEach(() => vi.unstubAllEnvs())

  it('is empty when VITE_API_URL is unset, so requests stay on the proxied origin', () => {
    vi.stubEnv('VITE_API_URL', '')
    expect(apiBaseUrl()).toBe('')
    expect(apiUrl('/api/chat')).toBe('/api/chat')
  })

  it('comes from VITE_API_URL without trailing slashes', () => {
    vi.stubEnv('VITE_API_URL', ' http://mami-ai:8000// ')
    expect(apiUrl('/health')).toBe('http://mami-ai:8000/health')
    expect(apiUrl('api/images')).toBe('http://mami-ai:8000/api/images')
  })

  it('is where every request goes', async () => {
    vi.stubEnv('VITE_API_URL', 'http://api.example:9000')
    const requests = replaceFetch(() => jsonResponse([]))
    await listJobs()
    expect(requests[0]?.url).toBe('http://api.example:9000/api/images')
  })
})

describe('sendChat', () => {
  it('posts the message and the default chain as JSON', async () => {
    const requests = replaceFetch(() => jsonResponse(chatAnswer))
    await expect(sendChat({ message: 'Selam' })).resolves.toEqual(chatAnswer)
    const [request] = requests
    expect(request?.url).toBe('/api/chat')
    expect(request?.method).toBe('POST')
    expect(request?.headers.get('Content-Type')).toBe('application/json')
    expect(JSON.parse(String(request?.body))).toEqual({ message: 'Selam', chain: 'default' })
  })

  it('reports a failed chain in plain words with every attempt', async () => {
    replaceFetch(() =>
      jsonResponse({ detail: { message: 'every provider in chain default failed', attempts: [failedAttempt] } }, 503),
    )
    const error = await failureOf(sendChat({ message: 'Selam' }))
    expect(error.status).toBe(503)
    expect(error.message).toBe('No AI provider could answer: every provider in chain default failed')
    expect(error.attempts).toEqual([failedAttempt])
  })

  it('says a provider rejected the message on 400', async () => {
    replaceFetch(() => jsonResponse({ detail: { message: 'context too long', attempts: [] } }, 400))
    const error = await failureOf(sendChat({ message: 'x' }))
    expect(error.message).toBe('The AI provider rejected the message: context too long')
  })

  it("names the invalid field of FastAPI's 422 body", async () => {
    replaceFetch(() =>
      jsonResponse(
        { detail: [{ type: 'string_too_long', loc: ['body', 'message'], msg: 'String should have at most 4000 characters' }] },
        422,
      ),
    )
    const error = await failureOf(sendChat({ message: 'x' }))
    expect(error.message).toBe('The request was not valid: message: String should have at most 4000 characters')
  })

  it('explains an unreachable API instead of showing a TypeError', async () => {
    vi.stubEnv('VITE_API_URL', 'http://mami-ai:8000')
    replaceFetch(() => Promise.reject(new TypeError('Failed to fetch')))
    const error = await failureOf(sendChat({ message: 'x' }))
    expect(error.status).toBeNull()
    expect(error.message).toBe('Could not reach the Mami API (http://mami-ai:8000). Check that it is running and try again.')
  })

  it('explains a timeout', async () => {
    replaceFetch(() => Promise.reject(new DOMException('signal timed out', 'TimeoutError')))
    const error = await failureOf(sendChat({ message: 'x' }))
    expect(error.message).toBe('The API did not answer within 90 seconds. Try again.')
  })

  it('does not pass off an unreadable body as an answer', async () => {
    replaceFetch(() => new Response('<html>bad gateway</html>', { status: 200 }))
    const error = await failureOf(sendChat({ message: 'x' }))
    expect(error.message).toBe('The API sent an answer the UI could not read.')
  })

  it('tells a proxy that cannot reach the API from an error of the API itself', async () => {
    replaceFetch(
      () => new Response('', { status: 500 }),
      () => new Response('<html>502 Bad Gateway</html>', { status: 502 }),
    )
    for (const status of [500, 502]) {
      const error = await failureOf(sendChat({ message: 'x' }))
      expect(error.status).toBe(status)
      expect(error.message).toBe(
        `Could not reach the Mami API: the server in between answered HTTP ${status}. Check that the API is running and try again.`,
      )
    }
  })

  it('describes a server error whose body is not JSON', async () => {
    replaceFetch(() => new Response('Internal Server Error', { status: 500 }))
    const error = await failureOf(sendChat({ message: 'x' }))
    expect(error.message).toBe('The server ran into a problem (HTTP 500). Try again in a moment')
  })
})

describe('image jobs', () => {
  it('uploads the file as the multipart field "file"', async () => {
    const created = job()
    const requests = replaceFetch(() => jsonResponse(created, 201))
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'cat.png', { type: 'image/png' })
    await expect(uploadImage(file)).resolves.toEqual(created)
    const [request] = requests
    expect(request?.url).toBe('/api/images')
    expect(request?.method).toBe('POST')
    expect(request?.body).toBeInstanceOf(FormData)
    const sent = (request?.body as FormData).get('file')
    expect(sent).toBeInstanceOf(File)
    expect((sent as File).name).toBe('cat.png')
    // The browser must set the multipart boundary itself.
    expect(request?.headers.has('Content-Type')).toBe(false)
  })

  it('words a 413 and a 415 for the user', async () => {
    replaceFetch(
      () => jsonResponse({ detail: 'file is larger than 10485760 bytes' }, 413),
      () => jsonResponse({ detail: 'unsupported content type text/plain' }, 415),
    )
    const file = new File(['x'], 'big.png', { type: 'image/png' })
    expect((await failureOf(uploadImage(file))).message).toBe(
      'The image is too large for the server: file is larger than 10485760 bytes',
    )
    expect((await failureOf(uploadImage(file))).message).toBe(
      'This file type is not accepted. Upload a JPEG, PNG or WebP image: unsupported content type text/plain',
    )
  })

  it('escapes the job id and says when a job is gone', async () => {
    const requests = replaceFetch(() => jsonResponse({ detail: 'Not Found' }, 404))
    const error = await failureOf(getJob('a/b'))
    expect(requests[0]?.url).toBe('/api/images/a%2Fb')
    expect(error.message).toBe('This image job no longer exists: Not Found')
  })
})

describe('getHealth', () => {
  it('returns the report when everything is up', async () => {
    const requests = replaceFetch(() => jsonResponse(healthyReport))
    await expect(getHealth()).resolves.toEqual(healthyReport)
    expect(requests[0]?.url).toBe('/health')
  })

  it("returns the report on 503 too: the body says which component is down", async () => {
    replaceFetch(() => jsonResponse(unhealthyReport, 503))
    await expect(getHealth()).resolves.toEqual(unhealthyReport)
  })

  it('fails on a 503 without a report, e.g. from a proxy', async () => {
    replaceFetch(() => new Response('', { status: 503 }))
    const error = await failureOf(getHealth())
    expect(error.status).toBe(503)
    expect(error.message).toBe('The service is unavailable right now')
  })
})
