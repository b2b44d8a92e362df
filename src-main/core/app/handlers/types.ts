import type { Contract } from '../../contract/index.js';
import type { OutputOf, ParsedInputOf } from '../../contract/define.js';
import type { AppContext } from '../context.js';

export type HandlerOf<K extends keyof Contract> = (input: ParsedInputOf<Contract[K]>, ctx: AppContext) => Promise<OutputOf<Contract[K]>>;

export type Handlers = { [K in keyof Contract]: HandlerOf<K> };

/** A domain's slice of the handlers, checked against the contract methods it covers. */
export type HandlersFor<C> = { [K in keyof C & keyof Contract]: HandlerOf<K> };
