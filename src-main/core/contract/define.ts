// The one API contract: method name → input schema (validated at every front door)
// → output type (a compile-time promise shared with the renderer).
import type { z } from 'zod';

/**
 * Where the app runs a method (issue 12: declared here, on the entry, not in a list
 * elsewhere). 'read': it only reads the cache, so it runs in a query worker and this
 * thread keeps answering progress and cancel; 'heavy-read': a read that may take a
 * while on a large cache (facets, histograms), which never takes the last free worker.
 */
export type MethodPlacement = 'main' | 'read' | 'heavy-read';

export interface MethodDef<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  placement: MethodPlacement;
  /** Phantom field: carries the output type, never set at run time. */
  readonly __output?: O;
}

/** `method<Output>()(inputSchema)` — two calls so Output can be named while Input is inferred. */
export function method<O>(placement: MethodPlacement = 'main') {
  return <I extends z.ZodType>(input: I): MethodDef<I, O> => ({ input, placement });
}

export type ContractShape = Record<string, MethodDef>;
export type InputOf<M> = M extends MethodDef<infer I, unknown> ? z.input<I> : never;
export type ParsedInputOf<M> = M extends MethodDef<infer I, unknown> ? z.output<I> : never;
export type OutputOf<M> = M extends MethodDef<z.ZodType, infer O> ? O : never;

/** What a front door hands back: never a thrown exception across the boundary. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface ApiError {
  /** Stable machine code: E_INPUT, E_UNKNOWN_METHOD, E_CONNECT, E_CACHE_CORRUPT, … */
  code: string;
  /** One sentence naming the problem and the way out. Never contains credentials. */
  message: string;
}

/** The client view of a contract, used by the renderer and tests. */
export type ClientOf<C extends ContractShape> = {
  [K in keyof C]: (input: InputOf<C[K]>) => Promise<OutputOf<C[K]>>;
};
