// The unsubscribe-link signing key: from Secrets Manager in AWS (UNSUBSCRIBE_SECRET_ARN, read once
// per cold start), from UNSUBSCRIBE_SECRET locally. Never logged.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const UNSUBSCRIBE_SECRET_ENV = 'UNSUBSCRIBE_SECRET';
export const UNSUBSCRIBE_SECRET_ARN_ENV = 'UNSUBSCRIBE_SECRET_ARN';

const cache = new Map<string, Promise<string>>();

export function loadUnsubscribeSecret(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const direct = env[UNSUBSCRIBE_SECRET_ENV];
  if (direct) return Promise.resolve(direct);
  const arn = env[UNSUBSCRIBE_SECRET_ARN_ENV];
  if (!arn)
    return Promise.reject(
      new Error(`set ${UNSUBSCRIBE_SECRET_ARN_ENV} (AWS) or ${UNSUBSCRIBE_SECRET_ENV} (local)`),
    );
  let loading = cache.get(arn);
  if (!loading) {
    loading = new SecretsManagerClient({})
      .send(new GetSecretValueCommand({ SecretId: arn }))
      .then((result) => {
        if (!result.SecretString || result.SecretString.length < 32)
          throw new Error('the unsubscribe secret must be at least 32 characters');
        return result.SecretString;
      });
    loading.catch(() => cache.delete(arn));
    cache.set(arn, loading);
  }
  return loading;
}
