import { describe, expect, it } from 'vitest'

import config, { apiProxy, DEFAULT_PROXY_TARGET, watchAndHmr } from './vite.config'

describe('API proxy of the dev and preview servers', () => {
  const targets = (env: Record<string, string>) => Object.values(apiProxy(env)).map((rule) => rule.target)

  it('forwards /api and /health to the local API by default', () => {
    expect(Object.keys(apiProxy({}))).toEqual(['^/api/', '^/health(\\?|$)'])
    expect(targets({})).toEqual([DEFAULT_PROXY_TARGET, DEFAULT_PROXY_TARGET])
  })

  it('forwards to VITE_API_URL, the name the mami-ui container resolves (R3.3)', () => {
    expect(targets({ VITE_API_URL: 'http://mami-ai:8000' })).toEqual(['http://mami-ai:8000', 'http://mami-ai:8000'])
  })

  it('prefers VITE_PROXY_TARGET when given', () => {
    expect(targets({ VITE_PROXY_TARGET: 'http://127.0.0.1:9001', VITE_API_URL: 'http://mami-ai:8000' })).toEqual([
      'http://127.0.0.1:9001',
      'http://127.0.0.1:9001',
    ])
  })

  it('matches API paths only, not pages that merely start alike', () => {
    const patterns = Object.keys(apiProxy({})).map((key) => new RegExp(key))
    const proxied = (url: string) => patterns.some((pattern) => pattern.test(url))
    expect(proxied('/api/chat')).toBe(true)
    expect(proxied('/health')).toBe(true)
    expect(proxied('/health?verbose=1')).toBe(true)
    expect(proxied('/healthy')).toBe(false)
    expect(proxied('/apiary')).toBe(false)
    expect(proxied('/system')).toBe(false)
  })
})

describe('file watching and HMR', () => {
  it('polls only when CHOKIDAR_USEPOLLING asks for it', () => {
    expect(watchAndHmr({}).usePolling).toBe(false)
    expect(watchAndHmr({ CHOKIDAR_USEPOLLING: 'false' }).usePolling).toBe(false)
    expect(watchAndHmr({ CHOKIDAR_USEPOLLING: 'true' }).usePolling).toBe(true)
    expect(watchAndHmr({ CHOKIDAR_USEPOLLING: '1' }).usePolling).toBe(true)
  })

  it('points the HMR client at VITE_HMR_CLIENT_PORT, else 5173', () => {
    expect(watchAndHmr({}).clientPort).toBe(5173)
    expect(watchAndHmr({ VITE_HMR_CLIENT_PORT: '15173' }).clientPort).toBe(15173)
    expect(watchAndHmr({ VITE_HMR_CLIENT_PORT: 'not-a-port' }).clientPort).toBe(5173)
  })
})

type ConfigEnv = { mode: string; command: 'serve' | 'build'; isPreview?: boolean }
type Resolved = Record<string, any>

async function resolvedWith(env: ConfigEnv, variables: Record<string, string>): Promise<Resolved> {
  const saved = Object.fromEntries(Object.keys(variables).map((key) => [key, process.env[key]]))
  Object.assign(process.env, variables)
  try {
    return await (config as (env: ConfigEnv) => Resolved | Promise<Resolved>)(env)
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}

describe('the resolved config', () => {
  it('serves on 5173 with strictPort and sets the watcher explicitly', async () => {
    const resolved = await resolvedWith({ mode: 'development', command: 'serve' }, { CHOKIDAR_USEPOLLING: 'true' })
    expect(resolved.server).toMatchObject({ port: 5173, strictPort: true, watch: { usePolling: true } })
    expect(resolved.preview).toMatchObject({ strictPort: true })
  })

  it('keeps the browser on its own origin under the dev server, and bakes VITE_API_URL into a build', async () => {
    const variables = { VITE_API_URL: 'http://mami-ai:8000' }
    const dev = await resolvedWith({ mode: 'development', command: 'serve' }, variables)
    expect(dev.define).toEqual({ 'import.meta.env.VITE_API_URL': '""' })
    const build = await resolvedWith({ mode: 'production', command: 'build' }, variables)
    expect(build.define).toEqual({})
  })
})
