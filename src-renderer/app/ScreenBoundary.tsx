// A screen that throws while rendering must not blank the whole window: the frame (navigation,
// status line, theme) stays, and the screen says what failed and offers a reload.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { printable } from '../../src-main/core/util/printable.js';

interface Props {
  /** the screen's name as the navigation shows it */
  label: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

export class ScreenBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept in the console for a bug report: the component stack says which part failed.
    console.error(`The ${this.props.label} screen failed:`, error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="state state-error" role="alert" data-testid="screen-failed">
        <strong>The {this.props.label} screen failed to display.</strong>
        {/* a render error can quote the row it choked on */}
        <span>{printable(error.message)}</span>
        <span className="muted">The cached data is unchanged. Other screens still work from the navigation above.</span>
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
