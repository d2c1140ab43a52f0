import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { ColourPicker } from './ColourPicker';
import type { Palette } from '../../lib/api/types';

const palettes: Palette[] = [
  { id: 'rgb', name: 'RGB wheel', colours: [{ name: 'red', hex: '#FF0000' }, { name: 'spring green', hex: '#00FF80' }] },
  { id: 'ryb', name: 'RYB wheel', colours: [{ name: 'red', hex: '#FE2712' }, { name: 'red-violet', hex: '#C21460' }] },
  { id: 'common', name: 'Common names', colours: [{ name: 'white', hex: '#FFFFFF' }, { name: 'red', hex: '#D7261E' }] },
];

describe('ColourPicker', () => {
  it('shows one row per wheel and one of everyday names, each swatch named for screen readers and on hover', () => {
    const { container } = render(<ColourPicker palettes={palettes} colour={null} palette="rgb" onChange={() => {}} />);
    expect(screen.getByRole('group', { name: 'RGB wheel' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'RYB wheel' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Words (everyday colour names)' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'spring green (RGB wheel)' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'white (everyday name)' })).toBeTruthy();
    expect([...container.querySelectorAll('.swatch-tip')].map((t) => t.textContent)).toEqual(['red', 'spring green', 'red', 'red-violet', 'white', 'red']);
    expect((screen.getByRole('radio', { name: 'Any colour' }) as HTMLInputElement).checked).toBe(true);
  });

  it('tells the same colour name on the two wheels apart', () => {
    render(<ColourPicker palettes={palettes} colour="red" palette="ryb" onChange={() => {}} />);
    expect((screen.getByRole('radio', { name: 'red (RYB wheel)' }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('radio', { name: 'red (RGB wheel)' }) as HTMLInputElement).checked).toBe(false);
  });

  it('reports the colour and its wheel when one is picked', () => {
    const onChange = vi.fn();
    render(<ColourPicker palettes={palettes} colour={null} palette="rgb" onChange={onChange} />);
    fireEvent.click(screen.getByRole('radio', { name: 'red-violet (RYB wheel)' }));
    expect(onChange).toHaveBeenCalledWith('red-violet', 'ryb');
  });

  it('shows how many photos each colour would find and marks the empty ones', () => {
    const { container } = render(
      <ColourPicker
        palettes={palettes}
        colour={null}
        palette="rgb"
        onChange={() => {}}
        counts={{ rgb: { red: 12, 'spring green': 0 }, ryb: { red: 1, 'red-violet': 0 }, common: { white: 3, red: 2000 } }}
      />,
    );
    expect(screen.getByRole('radio', { name: 'red (RGB wheel), 12 photos' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'spring green (RGB wheel), no photos' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'red (RYB wheel), 1 photo' })).toBeTruthy();
    const empty = [...container.querySelectorAll('.swatch-choice.is-empty')].map((l) => l.getAttribute('data-name'));
    expect(empty).toEqual(['spring green', 'red-violet']);
    expect([...container.querySelectorAll('.swatch-count')].map((c) => c.textContent)).toEqual(['12', '0', '1', '0', '3', '1k+']);
  });
});
