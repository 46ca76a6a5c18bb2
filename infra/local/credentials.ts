// What the SDK is told when it talks to the embedded engines: any credentials work, it just needs
// some. A module of its own so the CLI can name them without loading the engines.
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';
