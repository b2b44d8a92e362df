// Dates are typed and shown as ISO YYYY-MM-DD whatever the browser's locale: a native
// <input type="date"> shows mm/dd/yyyy or dd.mm.yyyy depending on the machine, and a
// report that says 2026-08-05 must match what the auditor typed. A date is a UTC day.
import { useEffect, useId, useState } from 'react';
import { parseIsoDay } from './format.js';

interface Props {
  label: string;
  /** YYYY-MM-DD or '' */
  value: string;
  onChange(value: string): void;
  /** Hears whether the text parses: a form that must not act on an older value than the one shown listens. */
  onValidity?(valid: boolean): void;
}

export function IsoDateInput({ label, value, onChange, onValidity }: Props) {
  const [text, setText] = useState(value);
  const hintId = useId();
  useEffect(() => setText(value), [value]);
  const invalid = text.trim() !== '' && parseIsoDay(text) === null;
  // Text that does not parse leaves `value` at the last date that did, which the field no
  // longer shows.
  useEffect(() => onValidity?.(!invalid), [invalid, onValidity]);
  const commit = (next: string) => {
    setText(next);
    if (next.trim() === '') onChange('');
    else {
      const day = parseIsoDay(next);
      if (day !== null && day !== value) onChange(day);
    }
  };
  return (
    <span className="iso-date">
      <input
        type="text"
        inputMode="numeric"
        aria-label={label}
        placeholder="YYYY-MM-DD"
        maxLength={10}
        size={11}
        value={text}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? hintId : undefined}
        onChange={(e) => commit(e.target.value)}
      />
      {invalid ? (
        <span id={hintId} className="field-hint error-text">
          Write the date as YYYY-MM-DD (UTC), e.g. 2026-08-05.
        </span>
      ) : null}
    </span>
  );
}
