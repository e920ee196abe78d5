// @vitest-environment jsdom
// The pages render what their stores hold: request states, answers, jobs and health.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { useChatStore } from '../stores/chatStore'
import { useHealthStore } from '../stores/healthStore'
import { useImagesStore } from '../stores/imagesStore'
import { jsonResponse, replaceFetch } from '../test/fakeFetch'
import { chatAnswer, healthyReport, job, unhealthyReport } from '../test/samples'
import ChatPage from './ChatPage'
import ImagesPage from './ImagesPage'
import SystemPage from './SystemPage'

const initial = {
  chat: useChatStore.getState(),
  images: useImagesStore.getState(),
  health: useHealthStore.getState(),
}

beforeEach(() => {
  useChatStore.setState(initial.chat, true)
  useImagesStore.setState(initial.images, true)
  useHealthStore.setState(initial.health, true)
})
afterEach(cleanup)

describe('ChatPage', () => {
  it('sends with Enter and shows the answer with its provider and model', async () => {
    const requests = replaceFetch(() => jsonResponse(chatAnswer))
    render(<ChatPage />)
    const field = screen.getByLabelText('Message')
    fireEvent.change(field, { target: { value: 'Selam' } })
    fireEvent.keyDown(field, { key: 'Enter' })

    const answer = await screen.findByTestId('chat-answer')
    expect(answer.textContent).toContain('Merhaba!')
    expect(screen.getByText('Answered by').textContent).toContain('groq')
    expect(screen.getByText('llama-3.3-70b-versatile')).toBeTruthy()
    expect(requests).toHaveLength(1)
  })

  it('starts a new line with Shift+Enter instead of sending', () => {
    const requests = replaceFetch(() => jsonResponse(chatAnswer))
    render(<ChatPage />)
    const field = screen.getByLabelText('Message')
    fireEvent.change(field, { target: { value: 'first line' } })
    fireEvent.keyDown(field, { key: 'Enter', shiftKey: true })
    expect(requests).toHaveLength(0)
  })

  it('explains an empty message next to the field', () => {
    render(<ChatPage />)
    fireEvent.click(screen.getByRole('button', { name: 'Send' }))
    expect(screen.getByRole('alert').textContent).toBe('Write a message first.')
    expect(screen.getByLabelText('Message').getAttribute('aria-invalid')).toBe('true')
  })
})

describe('ImagesPage', () => {
  it('shows the loading state, then the jobs with their status and results', async () => {
    const done = job({
      id: 'j1',
      filename: 'cat.png',
      status: 'done',
      results: [{ name: 'thumbnail.png', width: 64, height: 48, content_type: 'image/png', url: '/api/images/j1/results/thumbnail.png' }],
    })
    replaceFetch(() => jsonResponse([job({ id: 'j2', filename: 'dog.png', status: 'processing' }), done]))
    render(<ImagesPage />)
    expect(screen.getByText('Loading jobs…')).toBeTruthy()

    const list = await screen.findByRole('list', { name: 'Image jobs' })
    const cat = within(list).getByRole('listitem', { name: 'Job cat.png' })
    expect(within(cat).getByText('Done')).toBeTruthy()
    const image = within(cat).getByRole('img')
    expect(image.getAttribute('src')).toBe('/api/images/j1/results/thumbnail.png')
    expect(image.getAttribute('alt')).toBe('Processed cat.png (thumbnail.png, 64×48)')
    expect(within(list).getByRole('listitem', { name: 'Job dog.png' }).textContent).toContain('Processing')
  })

  it('says why the job list could not be loaded', async () => {
    replaceFetch(() => Promise.reject(new TypeError('Failed to fetch')))
    render(<ImagesPage />)
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Could not load the jobs')
    expect(alert.textContent).toContain('Could not reach the Mami API')
  })
})

describe('SystemPage', () => {
  it('lists every component as up when all is well', async () => {
    replaceFetch(() => jsonResponse(healthyReport))
    render(<SystemPage />)
    expect(await screen.findByText('All required components are up.')).toBeTruthy()
    for (const name of ['database', 'redis']) {
      const row = screen.getByRole('row', { name: `${name} component` })
      expect(within(row).getByText('Up')).toBeTruthy()
      expect(within(row).getByText('Required')).toBeTruthy()
    }
  })

  it('names the component that is down, with its detail', async () => {
    replaceFetch(() => jsonResponse(unhealthyReport, 503))
    render(<SystemPage />)
    expect(await screen.findByText('A required component is down.')).toBeTruthy()
    const database = screen.getByRole('row', { name: 'database component' })
    expect(within(database).getByText('Down')).toBeTruthy()
    expect(within(database).getByText('unable to open database file')).toBeTruthy()
    const search = screen.getByRole('row', { name: 'elasticsearch component' })
    expect(within(search).getByText('Optional')).toBeTruthy()
  })
})
