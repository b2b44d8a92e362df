// The GDPR data-subject part of an export (issue 15): one person's rows instead of the
// tenant's. Conversation logs carry no user id, so the auditor names the subject's
// sessions; the screen says so, as the package and its report do.

export interface SubjectInput {
  userId: string;
  sessions: string;
}

/** The contract's subject, or undefined when no subject is named. */
export function subjectOf(input: SubjectInput): { userId: string; sessions: string[] } | undefined {
  const userId = input.userId.trim();
  if (!userId) return undefined;
  return {
    userId,
    sessions: input.sessions
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

export function SubjectFields({ value, onChange }: { value: SubjectInput; onChange: (v: SubjectInput) => void }) {
  return (
    <div className="export-subject">
      <label>
        Data subject (GDPR, user id){' '}
        <input type="text" aria-label="Data subject user id" placeholder="e.g. h.tanaka@acme-pharma.example" value={value.userId} onChange={(e) => onChange({ ...value, userId: e.target.value })} />
      </label>{' '}
      <label>
        Their conversation sessions{' '}
        <input
          type="text"
          aria-label="Data subject sessions"
          placeholder="comma-separated session ids"
          disabled={!value.userId.trim()}
          value={value.sessions}
          onChange={(e) => onChange({ ...value, sessions: e.target.value })}
        />
      </label>
      {value.userId.trim() ? (
        <p className="small muted" data-testid="subject-rule">
          Only this person's events and access-log rows, and the conversations of the sessions named (conversation logs carry no user id). Each row is re-verified; a subject package does not show the
          chain's continuity.
        </p>
      ) : null}
    </div>
  );
}
