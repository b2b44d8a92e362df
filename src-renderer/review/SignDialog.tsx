// The signing step of a decision or a completion (21 CFR Part 11 §11.200): the first
// signature of a session, or the first after 15 minutes idle, asks for both components
// (identity and password); later ones for the password only. review.session says which,
// so the screen never decides it. The password is typed each time, never kept.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { IdentityView } from '../../src-main/core/contract/export.js';
import type { SigningSession } from '../../src-main/core/contract/review.js';
import { printable } from '../../src-main/core/util/printable.js';
import { api, errorMessage } from '../api/client.js';
import { formatTs } from '../app/format.js';
import { useApp } from '../app/store.js';
import { ErrorState, Loading } from '../app/LoadStates.js';

export interface Signature {
  identity?: string;
  /** a PKCS#12 file named instead of a known identity (first signature of a session) */
  identityFile?: string;
  password: string;
}

/**
 * The signature as review.decide / review.complete take it. A named file is imported first
 * (identity.import opens it with the password, so a wrong one stops here and nothing is
 * recorded; remember: false keeps the password out of the keychain: signing is typed).
 */
export async function signingInput(s: Signature): Promise<{ identity?: string; password: string }> {
  if (!s.identityFile) return s.identity ? { identity: s.identity, password: s.password } : { password: s.password };
  const imported = await api['identity.import']({ file: s.identityFile, password: s.password, remember: false });
  return { identity: imported.fingerprint, password: s.password };
}

/** A modal dialog: focus moves in and stays in (Tab cycles), Esc closes, focus returns to the opener. */
export function Dialog({ title, onClose, children }: { title: string; onClose(): void; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const focusables = () => [...(box.current?.querySelectorAll<HTMLElement>('input, select, textarea, button, [href]') ?? [])].filter((e) => !e.hasAttribute('disabled'));
    focusables()[0]?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
        return;
      }
      if (e.key !== 'Tab') return;
      const list = focusables();
      if (!list.length) return;
      const first = list[0]!;
      const last = list[list.length - 1]!;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, [onClose]);
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-label={title} ref={box}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** Identity (when the session asks for it) and password, with who signs and until when. */
export function SignatureFields({ onChange }: { onChange(s: Signature | null): void }) {
  const tz = useApp((s) => s.timeZone);
  const [session, setSession] = useState<SigningSession | null>(null);
  const [identities, setIdentities] = useState<IdentityView[] | null>(null);
  const frontDoor = useApp((s) => s.status?.frontDoor);
  /** a known identity's fingerprint, or '' for a PKCS#12 file */
  const [identity, setIdentity] = useState('');
  const [file, setFile] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api['review.session']({}), api['identity.list']({})]).then(
      ([s, ids]) => {
        setSession(s);
        setIdentities(ids);
        setIdentity(s.identity ?? ids[0]?.fingerprint ?? '');
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, []);
  useEffect(() => {
    if (!session || !password) onChange(null);
    else if (session.needsIdentity) onChange(identity ? { identity, password } : file.trim() ? { identityFile: file.trim(), password } : null);
    else onChange({ password });
  }, [session, identity, file, password, onChange]);
  if (error) return <ErrorState message={error} />;
  if (!session || !identities) return <Loading label="Checking the signing session…" />;
  const current = identities.find((i) => i.fingerprint === session.identity);
  return (
    <fieldset className="sign-fields">
      <legend>Electronic signature</legend>
      {session.needsIdentity ? (
        <>
          {identities.length ? (
            <label>
              Signing identity
              <select aria-label="Signing identity" value={identity} onChange={(e) => setIdentity(e.target.value)}>
                {identities.map((i) => (
                  <option key={i.fingerprint} value={i.fingerprint}>
                    {printable(`${i.name} (${i.org})`)} · {i.fingerprint.slice(0, 12)}…
                  </option>
                ))}
                <option value="">A PKCS#12 file…</option>
              </select>
            </label>
          ) : null}
          {identity === '' ? (
            <label>
              Identity file (PKCS#12)
              <span className="inline-field">
                <input aria-label="Identity file" value={file} onChange={(e) => setFile(e.target.value)} placeholder="/path/to/identity.p12" size={44} />
                {frontDoor === 'electron' ? (
                  <button type="button" onClick={() => void api['files.chooseOpenPath']({ title: 'Choose your signing identity', extensions: ['p12', 'pfx'] }).then((r) => r.path && setFile(r.path))}>
                    Choose…
                  </button>
                ) : null}
              </span>
            </label>
          ) : null}
        </>
      ) : (
        <p className="muted" data-testid="signing-as">
          Signing as {current ? printable(`${current.name} (${current.org})`) : `${session.identity?.slice(0, 12)}…`}; the session lapses at {formatTs(session.expiresAt, tz)} after 15 minutes without
          a signature, then identity and password are asked again.
        </p>
      )}
      <label>
        Password of the identity
        <input type="password" autoComplete="off" aria-label="Identity password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
    </fieldset>
  );
}
