// A stand-in for Groq on loopback: it speaks the OpenAI-compatible POST /chat/completions that
// the backend's Groq provider calls, because the real provider cannot be reached from tests.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const FAKE_GROQ_KEY = 'test'
/** A chat message containing this makes the fake provider fail with a 503. */
export const FAIL_MARKER = '[provider-down]'

export interface ChatCompletionCall {
  authorization: string | undefined
  model: string
  messages: { role: string; content: string }[]
}

export interface FakeGroq {
  /** The value for GROQ_BASE_URL. */
  baseUrl: string
  calls: ChatCompletionCall[]
  close: () => Promise<void>
}

/** What the fake answers to a user message; the tests look for it in the page. */
export function fakeAnswerTo(message: string): string {
  return `Mami heard: ${message}`
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' })
  response.end(JSON.stringify(body))
}

function openAiError(response: ServerResponse, status: number, message: string, type: string): void {
  sendJson(response, status, { error: { message, type, code: null } })
}

export async function startFakeGroq(): Promise<FakeGroq> {
  const calls: ChatCompletionCall[] = []
  const server = createServer(async (request, response) => {
    if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
      openAiError(response, 404, `Unknown request URL: ${request.method} ${request.url}`, 'invalid_request_error')
      return
    }
    const authorization = request.headers.authorization
    if (authorization !== `Bearer ${FAKE_GROQ_KEY}`) {
      openAiError(response, 401, 'Invalid API Key', 'invalid_request_error')
      return
    }
    let payload: { model?: unknown; messages?: unknown }
    try {
      payload = JSON.parse(await readBody(request)) as typeof payload
    } catch {
      openAiError(response, 400, 'request body is not JSON', 'invalid_request_error')
      return
    }
    if (typeof payload.model !== 'string' || !Array.isArray(payload.messages) || payload.messages.length === 0) {
      openAiError(response, 400, "'model' and 'messages' are required", 'invalid_request_error')
      return
    }
    const messages = payload.messages as ChatCompletionCall['messages']
    calls.push({ authorization, model: payload.model, messages })
    const lastUser = [...messages].reverse().find((message) => message.role === 'user')?.content ?? ''
    if (lastUser.includes(FAIL_MARKER)) {
      openAiError(response, 503, 'Service Unavailable', 'service_unavailable')
      return
    }
    sendJson(response, 200, {
      id: `chatcmpl-${calls.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: payload.model,
      choices: [{ index: 0, message: { role: 'assistant', content: fakeAnswerTo(lastUser) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/openai/v1`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
