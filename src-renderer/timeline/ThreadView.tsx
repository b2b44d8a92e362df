import type { ThreadTurn } from '../../src-main/core/contract/records.js';
import { printable, printableText } from '../../src-main/core/util/printable.js';
import { useApp } from '../app/store.js';
import { formatTs } from '../app/format.js';
import { Empty, ErrorState, Loading } from '../app/LoadStates.js';
import { LookAlikeNote, useCachedTenantLookAlikes } from '../app/LookAlike.js';
import { useTimeline } from './store.js';

/** Who answered, where and with which model: one line above the turn. */
function turnMeta(turn: ThreadTurn): string {
  const model = [turn.modelProvider, turn.modelName, turn.modelVersion].filter(Boolean).join(' ');
  return `${turn.agentId ?? ''} · ${turn.channel ?? ''} · ${model}${turn.temperature !== null ? ` · T=${turn.temperature}` : ''}${turn.safetyMode ? ` · ${turn.safetyMode}` : ''}`;
}

/** A session's prompt/response turns, oldest first, as a conversation. */
export function ThreadView() {
  const thread = useTimeline((s) => s.thread);
  const tz = useApp((s) => s.timeZone);
  const tenantTwins = useCachedTenantLookAlikes();
  if (!thread) return null;
  if (thread.data.state === 'loading' || thread.data.state === 'idle') return <Loading label="Loading the conversation…" />;
  if (thread.data.state === 'error') return <ErrorState message={thread.data.message} />;
  const t = thread.data.value;
  if (!t.turns.length) return <Empty title="No turns cached for this session." />;
  return (
    <div className="drawer-body thread" aria-label={`Session ${printable(t.sessionId)}`}>
      <p className="muted">
        {printable(t.tenant)} <LookAlikeNote name={t.tenant} other={tenantTwins.get(t.tenant)} /> · session <span className="mono">{printable(t.sessionId)}</span> · {t.turns.length} turns
        {t.truncated ? ' (first ones only)' : ''}
      </p>
      <ol className="turns">
        {t.turns.map((turn) => (
          <li key={turn.rid} className="turn">
            <div className="turn-meta muted small">
              {formatTs(turn.ts, tz)} · {printable(turnMeta(turn))}
            </div>
            <div className="bubble bubble-user">
              <span className="sr-only">Prompt: </span>
              {turn.prompt !== null ? printableText(turn.prompt) : <span className="muted">(no prompt)</span>}
            </div>
            <div className="bubble bubble-agent">
              <span className="sr-only">Response: </span>
              {turn.response !== null ? printableText(turn.response) : <span className="muted">(no response)</span>}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
