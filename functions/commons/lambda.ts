// Turns a handler factory into a Lambda entry point: the runtime is built once per cold start
// (lazily, so importing a handler module for local use reads no environment), and middy adds
// the Powertools logger context. The same factory serves the local runtime and the tests.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ExtraClients, type Runtime, runtimeFromEnv } from './runtime.ts';

export type HandlerFactory<E, R> = (runtime: Runtime) => (event: E, context?: Context) => Promise<R>;

export function lambdaEntry<E, R>(factory: HandlerFactory<E, R>, extra: ExtraClients = {}) {
  const logger = new Logger({ serviceName: 'loyalty-flows' });
  let built: ((event: E, context?: Context) => Promise<R>) | undefined;
  const base = async (event: E, context: Context): Promise<R> => {
    built ??= factory(runtimeFromEnv(process.env, logger, extra));
    return built(event, context);
  };
  return middy<E, R>().use(injectLambdaContext(logger)).handler(base);
}
