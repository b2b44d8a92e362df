// A field the app fills with a suggestion fetched when its subject changes (the tenant
// to export), and the auditor may overwrite. The suggestion comes back over IPC or HTTP
// and may arrive after the auditor typed: it must not replace what was typed, or a
// package goes to a file nobody chose (the e2e test delays the answers to show it).
import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * `subject`: a change asks for a new suggestion (null: none to ask for).
 * `clearOnChange`: the field empties at once when the subject changes, rather than keeping
 * the previous subject's value until the suggestion comes.
 */
export function useSuggestedValue(subject: string | null, suggest: () => Promise<string>, opts: { clearOnChange: boolean }): [string, (typed: string) => void] {
  const [value, setValue] = useState('');
  const typedSinceAsked = useRef(false);
  // The latest `suggest` (a new closure each render), kept without asking again for each render.
  const suggestRef = useRef(suggest);
  useEffect(() => {
    suggestRef.current = suggest;
  });
  const { clearOnChange } = opts;
  useEffect(() => {
    typedSinceAsked.current = false;
    if (clearOnChange) setValue('');
    if (subject === null) return;
    let current = true;
    void suggestRef.current().then((suggested) => {
      if (current && !typedSinceAsked.current) setValue(suggested);
    });
    return () => {
      current = false;
    };
  }, [subject, clearOnChange]);
  const setTyped = useCallback((typed: string) => {
    typedSinceAsked.current = true;
    setValue(typed);
  }, []);
  return [value, setTyped];
}
