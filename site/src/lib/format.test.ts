import { describe, expect, it } from 'vitest';
import { bytes, kindLabel, ms, noneFoundTitle, percent, percent1, textOn } from './format';
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
    expect(bytes(10 * 1024 * 1024)).toBe('10.0 MB');
    expect(bytes(2048)).toBe('2 KB');
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
