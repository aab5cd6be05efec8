export default async function globalTeardown(): Promise<void> {
  await globalThis.__PUNCTUAL_LOCAL_KAFKA__?.stop();
}
