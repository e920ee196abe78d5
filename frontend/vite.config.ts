import tailwindcss from '@tailwindcss/vite'
import react from '@vitejs/plugin-react'
import { defineConfig, loadEnv, type ProxyOptions } from 'vite'

/** The dev server's port; compose maps it 5173:5173 (R6.3, R7.3). */
export const DEV_PORT = 5173
/** Where the API runs when the UI is started next to it without VITE_API_URL. */
export const DEFAULT_PROXY_TARGET = 'http://127.0.0.1:8000'

type Env = Record<string, string | undefined>

/** Environment switches are strings; accept the usual spellings of "on". */
function isOn(value: string | undefined): boolean {
  return ['1', 'true', 'yes', 'on'].includes((value ?? '').trim().toLowerCase())
}

/**
 * The proxy used by `vite` and `vite preview` when VITE_API_URL is unset: the UI then calls
 * /api and /health on its own origin and the server forwards them to the API. With
 * VITE_API_URL set, the browser calls the API directly and no proxy is needed.
 */
export function apiProxy(env: Env): Record<string, ProxyOptions> | undefined {
  if ((env.VITE_API_URL ?? '').trim() !== '') return undefined
  const target = (env.VITE_PROXY_TARGET ?? '').trim() || DEFAULT_PROXY_TARGET
  return {
    '^/api/': { target, changeOrigin: true },
    '^/health(\\?|$)': { target, changeOrigin: true },
  }
}

/**
 * File watching and HMR settings. Bind mounts on Docker Desktop deliver no file events, so
 * CHOKIDAR_USEPOLLING=true switches the watcher to polling (R7.4). The browser reaches the
 * HMR websocket through the compose port mapping, on VITE_HMR_CLIENT_PORT (default 5173).
 */
export function watchAndHmr(env: Env): { usePolling: boolean; interval: number; clientPort: number } {
  const clientPort = Number.parseInt(env.VITE_HMR_CLIENT_PORT ?? '', 10)
  return {
    usePolling: isOn(env.CHOKIDAR_USEPOLLING),
    interval: 300,
    clientPort: Number.isInteger(clientPort) && clientPort > 0 ? clientPort : DEV_PORT,
  }
}

export default defineConfig(({ mode }) => {
  // Prefix '': read every variable (process env over .env files), not only VITE_* ones.
  const env: Env = loadEnv(mode, process.cwd(), '')
  const proxy = apiProxy(env)
  const { usePolling, interval, clientPort } = watchAndHmr(env)

  return {
    plugins: [react(), tailwindcss()],
    css: { devSourcemap: true },
    server: {
      port: DEV_PORT,
      strictPort: true,
      watch: { usePolling, interval },
      hmr: { clientPort },
      proxy,
    },
    preview: {
      port: 4173,
      strictPort: true,
      proxy,
    },
  }
})
