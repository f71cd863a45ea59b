// The npm espeak-ng (WASM) ships no types.
declare module 'espeak-ng' {
  const factory: (options: {
    arguments: string[];
    print?: (s: string) => void;
    printErr?: (s: string) => void;
  }) => Promise<{ FS: { readFile(path: string): Uint8Array } }>;
  export default factory;
}
