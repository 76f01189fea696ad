/** Request bodies for the body-limit tests: made on demand, so a test can count what the server pulled. */
export const CHUNK = 64 * 1024;

/** A body of `total` bytes (JSON whitespace) made chunk by chunk, counting the chunks the reader pulled. */
export function streamedBody(total: number) {
  const stats = { pulled: 0 };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        stats.pulled++;
        const n = Math.min(CHUNK, total - sent);
        sent += n;
        controller.enqueue(new Uint8Array(n).fill(0x20)); // spaces: valid JSON whitespace
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, stats };
}
