import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
// jszip is exceljs's own zip reader (a dependency of a dependency): here it is the independent
// reader that proves the hand-written archive is a standard ZIP.
import JSZip from 'jszip';
import { createZip } from '../../appPackage/zip.js';

describe('ZIP writer', () => {
  it('writes an archive a standard ZIP reader opens, with every byte intact', async () => {
    const binary = randomBytes(5000);
    const text = Buffer.from('{"name":"Accountant Hub — Übersicht"}\n'.repeat(50), 'utf8');
    const zip = createZip([
      { name: 'manifest.json', data: text },
      { name: 'color.png', data: binary },
      { name: 'empty.txt', data: new Uint8Array(0) },
    ]);
    const opened = await JSZip.loadAsync(zip, { checkCRC32: true });
    expect(Object.keys(opened.files)).toEqual(['manifest.json', 'color.png', 'empty.txt']);
    expect(await opened.file('manifest.json')?.async('nodebuffer')).toEqual(text);
    expect(await opened.file('color.png')?.async('nodebuffer')).toEqual(binary);
    expect((await opened.file('empty.txt')?.async('nodebuffer'))?.length).toBe(0);
  });

  it('compresses repetitive content', () => {
    const text = Buffer.from('overdue '.repeat(2000));
    expect(createZip([{ name: 'a.txt', data: text }]).length).toBeLessThan(text.length / 10);
  });

  it('gives the same bytes for the same input (reproducible packages)', () => {
    const entries = [{ name: 'manifest.json', data: Buffer.from('{}') }];
    expect(createZip(entries).equals(createZip(entries))).toBe(true);
  });

  it('keeps UTF-8 file names', async () => {
    const opened = await JSZip.loadAsync(
      createZip([{ name: 'übersicht.txt', data: Buffer.from('x') }]),
    );
    expect(Object.keys(opened.files)).toEqual(['übersicht.txt']);
  });

  it('refuses names that could escape the extraction folder, and duplicates', () => {
    for (const name of ['', '/etc/passwd', '../x', 'a/../../x', 'a\\b']) {
      expect(() => createZip([{ name, data: Buffer.from('x') }])).toThrow(/Bad ZIP entry name/);
    }
    expect(() =>
      createZip([
        { name: 'a', data: Buffer.from('1') },
        { name: 'a', data: Buffer.from('2') },
      ]),
    ).toThrow(/Duplicate/);
  });
});
