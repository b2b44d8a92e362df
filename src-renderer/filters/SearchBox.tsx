import { forwardRef, useEffect, useState } from 'react';

interface Props {
  value: string;
  onSearch(text: string): void;
}

/** Full-text search; applies while typing (debounced). "/" focuses it from anywhere on the timeline. */
export const SearchBox = forwardRef<HTMLInputElement, Props>(function SearchBox({ value, onSearch }, ref) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => onSearch(text), 150);
    return () => clearTimeout(t);
  }, [text, value, onSearch]);
  return (
    <div className="search" role="search">
      <label htmlFor="timeline-search" className="sr-only">
        Search prompts, responses and event details
      </label>
      <input
        ref={ref}
        id="timeline-search"
        type="search"
        placeholder="Search text…  ( / )"
        value={text}
        maxLength={500}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onSearch(text);
          if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
        }}
      />
    </div>
  );
});
