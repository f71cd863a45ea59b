/** Cut streamed text into speakable sentences, so TTS can start at the first one. */

const END = /([.!?;:…]+["')\]]*)(\s+)|(\n+)/;

export async function* sentences(
  input: string | AsyncIterable<string>,
  minLength = 12,
): AsyncGenerator<string> {
  const source: AsyncIterable<string> =
    typeof input === 'string'
      ? (async function* () {
          yield input;
        })()
      : input;
  let buffer = '';
  for await (const delta of source) {
    buffer += delta;
    for (;;) {
      const match = END.exec(buffer);
      if (!match) break;
      const cut = match.index + match[0].length;
      const sentence = buffer.slice(0, cut).trim();
      // very short pieces ("Hi." "Dr.") are kept with the next sentence
      if (sentence.length < minLength && buffer.length > cut) {
        const rest = buffer.slice(cut);
        const next = END.exec(rest);
        if (!next) break;
        const cut2 = cut + next.index + next[0].length;
        const merged = buffer.slice(0, cut2).trim();
        buffer = buffer.slice(cut2);
        if (merged) yield merged;
        continue;
      }
      buffer = buffer.slice(cut);
      if (sentence) yield sentence;
    }
  }
  const rest = buffer.trim();
  if (rest) yield rest;
}
