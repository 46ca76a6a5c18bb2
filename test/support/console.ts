// The console API over a local runtime, built as functions/console-api builds it, from the runtime
// the caller passes (the console-api function's own, metered or made to fail).
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Runtime } from '#functions/commons/runtime.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '#infra/local/credentials.ts';
import type { LocalRuntime } from '#infra/local/runtime.ts';
import { consoleApi } from '#shared/console/api.ts';
import { EventBridgePublisher } from '#shared/events/publisher.ts';
import { ARMING_START_DELAY_SECONDS } from '#shared/journeys/arm-existing.ts';

export function localConsoleApi(
  local: LocalRuntime,
  runtime: Runtime,
  sender?: { from: string; configurationSet: string },
): ReturnType<typeof consoleApi> {
  return consoleApi({
    doc: runtime.doc,
    tableName: local.tableName,
    clock: local.clock,
    ses: new SESv2Client({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: local.endpoints.ses }),
    sender,
    env: runtime.env,
    events: new EventBridgePublisher(runtime.eventBridge, runtime.busName),
  });
}

/** Moves the clock past the wait before an arming's first pages (every catalogue cache expired). */
export function pastArmingStart(local: LocalRuntime): ReturnType<LocalRuntime['advanceTo']> {
  return local.advanceTo(new Date(local.clock.now().getTime() + (ARMING_START_DELAY_SECONDS + 1) * 1000));
}
