import { Component, type ErrorInfo, type ReactNode } from 'react'

import { ErrorNotice } from './feedback'

interface Props {
  children: ReactNode
}

interface State {
  error: Error | null
}

/**
 * Keeps a page's rendering bug from blanking the whole app: the navigation stays usable and
 * the user reads what happened. The layout keys it by route, so another page starts fresh.
 */
export default class PageErrorBoundary extends Component<Props, State> {
  state: State = { error: null }

  static getDerivedStateFromError(error: Error): State {
    return { error }
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('page failed to render', error, info.componentStack)
  }

  render() {
    if (this.state.error) {
      return (
        <ErrorNotice
          title="This page failed to show"
          message={`${this.state.error.message || 'Unknown error'}. Another page still works; reloading may help.`}
        />
      )
    }
    return this.props.children
  }
}
