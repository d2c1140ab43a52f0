import { describe, expect, it } from 'vitest';
import { KINDS, type Kind } from './api/types';
import {
  bytes, kindLabel, kindPlural, labelFromName, labelOf, ms, noneFoundTitle, percent, percent1, pluralOf, textOn, totalText,
} from './format';
import { jpegName } from '../features/upload/uploadPhoto';

describe('format', () => {
  it('says what an empty search was for', () => {
    expect(noneFoundTitle('Tomato', 'violet')).toBe('No violet tomatoes yet');
    expect(noneFoundTitle('Bitter_Gourd', 'spring green')).toBe('No spring green bitter gourds yet');
    expect(noneFoundTitle('Broccoli', 'red')).toBe('No red broccoli yet');
    expect(noneFoundTitle(null, 'azure')).toBe('No azure vegetables yet');
    expect(noneFoundTitle('Radish', null)).toBe('No radishes yet');
  });

  it('labels kinds for people', () => {
    expect(kindLabel('Bottle_Gourd')).toBe('Bottle gourd');
  });

  // The words the site used when they were a hand-written table, one row per kind.
  const WORDS: Record<Kind, [label: string, plural: string]> = {
    Bean: ['Bean', 'beans'],
    Bitter_Gourd: ['Bitter gourd', 'bitter gourds'],
    Bottle_Gourd: ['Bottle gourd', 'bottle gourds'],
    Brinjal: ['Brinjal', 'brinjals'],
    Broccoli: ['Broccoli', 'broccoli'],
    Cabbage: ['Cabbage', 'cabbages'],
    Capsicum: ['Capsicum', 'capsicums'],
    Carrot: ['Carrot', 'carrots'],
    Cauliflower: ['Cauliflower', 'cauliflowers'],
    Cucumber: ['Cucumber', 'cucumbers'],
    Papaya: ['Papaya', 'papayas'],
    Potato: ['Potato', 'potatoes'],
    Pumpkin: ['Pumpkin', 'pumpkins'],
    Radish: ['Radish', 'radishes'],
    Tomato: ['Tomato', 'tomatoes'],
  };

  it('lists the kinds of the API document, in the model label order', () => {
    expect(KINDS).toEqual(Object.keys(WORDS));
  });

  it.each(KINDS)('names %s and its plural', (kind) => {
    const [label, plural] = WORDS[kind];
    expect(kindLabel(kind)).toBe(label);
    expect(kindPlural(kind)).toBe(plural);
    expect(labelOf(kind)).toBe(label);
  });

  it('derives labels and plurals by rule for names not in the list', () => {
    expect(labelFromName('SWEET_POTATO')).toBe('Sweet potato');
    expect(pluralOf('sweet potato')).toBe('sweet potatoes');
    expect(pluralOf('peach')).toBe('peaches');
    expect(pluralOf('squash')).toBe('squashes');
    expect(pluralOf('box')).toBe('boxes');
    expect(pluralOf('cherry')).toBe('cherries');
    expect(pluralOf('bok choy')).toBe('bok choys');
    expect(pluralOf('bamboo')).toBe('bamboos');
    expect(pluralOf('leek')).toBe('leeks');
    expect(pluralOf('spinach')).toBe('spinach');
    expect(pluralOf('purple sprouting broccoli')).toBe('purple sprouting broccoli');
    // Names that are not kinds keep their case on the model card.
    expect(labelOf('macro_avg')).toBe('macro avg');
  });

  it('formats numbers', () => {
    expect(percent(0.9234)).toBe('92%');
    expect(percent(0.004)).toBe('0.4%');
    expect(percent(0)).toBe('0%');
    expect(percent(9.6e-6)).toBe('<0.1%');
    expect(percent(0.9996)).toBe('100%');
    expect(percent1(0.99364)).toBe('99.4%');
    expect(ms(8.44)).toBe('8.4 ms');
    expect(ms(1234)).toBe('1.2 s');
    expect(ms(null)).toBe('–');
  });

  const KiB = 1024;
  const MiB = 1024 * 1024;

  // The same cases as the service's FormatBytes test (shared/veglens/veglens_test.go).
  it.each<[number, string]>([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KB'],
    [1025, '1.1 KB'], // rounded up, never down to "1 KB"
    [2048, '2 KB'],
    [MiB - 200, '1023.9 KB'],
    [MiB - 1, '1 MB'], // the unit follows the rounding: never "1024 KB"
    [10 * MiB - 1, '10 MB'],
    [10 * MiB, '10 MB'],
    [10 * MiB + 1, '10.1 MB'], // never "10 MB" or "10.0 MB": that reads like the limit
    [12 * MiB, '12 MB'],
    [15 * MiB + 300 * KiB, '15.3 MB'],
    [60 * MiB + 1, '60.1 MB'],
  ])('formats %i bytes as %s', (n, want) => {
    expect(bytes(n)).toBe(want);
  });

  it('never writes a size over a limit like the limit itself', () => {
    for (const limit of [KiB, 10 * KiB, MiB, 10 * MiB, 60 * MiB]) {
      for (const over of [1, 2, 100, KiB, 100 * KiB, MiB]) {
        expect(bytes(limit + over), `${over} bytes over ${limit}`).not.toBe(bytes(limit));
      }
    }
  });

  it('picks the readable ink for a swatch', () => {
    expect(textOn('#FFFF00')).toBe('#000000');
    expect(textOn('#0000FF')).toBe('#FFFFFF');
    expect(textOn('#8000FF')).toBe('#FFFFFF');
    expect(textOn('#00FF80')).toBe('#000000');
  });

  it('names what is sent as a JPEG', () => {
    expect(jpegName('IMG_1234.HEIC')).toBe('IMG_1234.jpg');
    expect(jpegName('holiday.photo.png')).toBe('holiday.photo.jpg');
    expect(jpegName('')).toBe('photo.jpg');
    expect(jpegName('.jpg')).toBe('photo.jpg');
  });
});

describe('totalText', () => {
  it.each([
    [0, false, '0'],
    [147, false, '147'],
    [9999, false, '9,999'],
    [1000, true, '1,000+'],
    [12000, true, '12,000+'],
  ])('%i (capped %s) -> %s', (total, capped, want) => {
    expect(totalText(total, capped)).toBe(want);
  });
});
