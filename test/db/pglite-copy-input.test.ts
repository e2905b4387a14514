import { describe, expect, it } from 'vitest';
import { copyInput } from '../../src/db/pglite.ts';

describe('copyInput (the Blob a PGlite COPY reads)', () => {
  const bytes = (): Uint8Array => new TextEncoder().encode('990019,"𠮷田 髙",x\n');

  it('hands over bytes that fill their own buffer without copying, readable every way', async () => {
    const u8 = bytes();
    const blob = copyInput(u8);
    expect(await blob.arrayBuffer()).toBe(u8.buffer);
    expect(blob.size).toBe(u8.byteLength);
    expect(await blob.text()).toBe('990019,"𠮷田 髙",x\n');
    expect(Buffer.from(await blob.slice(7, 8).arrayBuffer()).toString()).toBe('"');
    expect(Buffer.from(await new Response(blob.stream()).arrayBuffer())).toEqual(Buffer.from(u8));
  });

  it('copies a string or a view into a larger buffer', async () => {
    const view = bytes().subarray(7);
    const blob = copyInput(view);
    expect(await blob.arrayBuffer()).not.toBe(view.buffer);
    expect(await blob.text()).toBe('"𠮷田 髙",x\n');
    expect(await copyInput('a,b\n').text()).toBe('a,b\n');
  });
});
