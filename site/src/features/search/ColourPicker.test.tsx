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
});
