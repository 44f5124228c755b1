import type { Channel, RequestOf, ResponseOf } from '../contract.ts';
import type { CallContext } from '../host.ts';

/** A handler gets a request that already passed its schema. */
export type Handler<K extends Channel> = (request: RequestOf<K>, call: CallContext) => Promise<ResponseOf<K>> | ResponseOf<K>;

export type Handlers = { [K in Channel]: Handler<K> };

/** The handlers of one contract section (`HandlerSection<CaInvoke>`): exactly its channels. */
export type HandlerSection<S> = { [K in keyof S & Channel]: Handler<K> };
